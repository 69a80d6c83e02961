// Reductions: module functions (_core._red_*), ndarray methods bound in C++ (so a.sum() costs
// little), and ufunc.reduce / ufunc.accumulate. Options the engine does not take (initial=,
// where=, a NumPy out= array) go to NumPy through minpy.numpy._reductions._numpy_fallback.
#include <string_view>
#include <nanobind/stl/string.h>

#include <cmath>
#include <tuple>
#include <utility>

#include "axis_arg.h"
#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"

namespace minpy::py {
namespace {

nb::object py_module() {
  static nb::object* m = new nb::object(nb::module_::import_("minpy.numpy._reductions"));
  return *m;
}

bool truthy(nb::handle h) {
  int r = PyObject_IsTrue(h.ptr());
  if (r < 0) throw nb::python_error();
  return r != 0;
}

// An axis of a reduction: the ufunc reductions parse it in C (c_axis). NumPy's Python-level ones
// (mean, var, std) normalize it in Python first, so a huge value is an OverflowError there, yet the
// ufunc reduction they call still rejects a bool.
int64_t to_index(nb::handle h, bool python_level = false) {
  if (!python_level) return c_axis(h);
  if (PyBool_Check(h.ptr()) || PyObject_IsInstance(h.ptr(), numpy().attr("bool_").ptr()) == 1)
    throw TypeError(msg("axis", "an integer is required for the axis."));
  return py_axis(h);
}

Axes to_axes(nb::handle axis, bool python_level = false) {
  if (axis.is_none()) return Axes::none();
  if (PyTuple_Check(axis.ptr())) {  // a list is a TypeError, as in NumPy
    std::vector<int64_t> v;
    for (nb::handle h : axis) v.push_back(to_index(h, python_level));
    return Axes::of(std::move(v));
  }
  return Axes::of({to_index(axis, python_level)});
}

// NumPy's ufunc reductions (sum, max, any, argmax, cumsum, count_nonzero; not mean/var/std) take
// a plain axis 0 or -1 on a 0-d array as axis=None.
bool zero_d_axis(const Array& x, nb::handle axis) {
  if (x.ndim() != 0 || axis.is_none() || PyTuple_Check(axis.ptr())) return false;
  int64_t v = to_index(axis);
  return v == 0 || v == -1;
}

std::optional<int64_t> to_opt_axis(nb::handle axis) {
  if (axis.is_none()) return std::nullopt;
  return to_index(axis);
}

std::optional<DType> to_opt_dtype(nb::handle dtype) {
  if (dtype.is_none()) return std::nullopt;
  return to_dtype(dtype);
}

// out= as the engine takes it: None, a minpy array, or a 1-tuple of one; false when NumPy must run.
bool parse_out(nb::handle out, Array& arr) {
  if (out.is_none()) return true;
  nb::handle o = out;
  if (PyTuple_Check(out.ptr())) {
    if (PyTuple_GET_SIZE(out.ptr()) != 1) return false;
    o = PyTuple_GET_ITEM(out.ptr(), 0);
    if (o.is_none()) return true;
  }
  if (!is_ndarray(o)) return false;
  arr = as_array(o);
  return true;
}

nb::object fallback(const char* name, nb::handle a, nb::dict kwargs) {
  return py_module().attr("_numpy_fallback")(name, a, **kwargs);
}

// sum-like: (a, axis, dtype, out, keepdims, initial, where); has_dtype=false for max/min-like.
using ReduceFn = Array (*)(const Array&, const ReduceOptions&);
nb::object reduce_call(const char* name, ReduceFn fn, bool has_dtype, nb::handle a, nb::handle axis, nb::handle dtype,
                       nb::handle out, nb::handle keepdims, nb::handle initial, nb::handle where) {
  ReduceOptions o;
  bool native = initial.is_none() && where.ptr() == Py_True && parse_out(out, o.out);
  if (!native) {
    nb::dict kw;
    kw["axis"] = axis;
    if (has_dtype) kw["dtype"] = dtype;
    kw["out"] = out;
    kw["keepdims"] = keepdims;
    if (!initial.is_none()) kw["initial"] = initial;
    if (where.ptr() != Py_True) kw["where"] = where;
    return fallback(name, a, kw);
  }
  Array x = to_array(a);
  // mean normalizes axes in Python; so does nanmean of an integer array (it calls mean), while
  // nanmean of an inexact one runs ufunc reductions (C-level axis, 0 or -1 allowed on 0-d).
  std::string_view nm(name);
  bool mean_like = nm == "mean" || (nm == "nanmean" && !is_inexact(x.dtype()));
  o.axis = to_axes(axis, mean_like);
  o.keepdims = truthy(keepdims);
  if (has_dtype) o.dtype = to_opt_dtype(dtype);
  if (!mean_like && zero_d_axis(x, axis)) o.axis = Axes::none();
  return nb::cast(nogil_if_large(x.size(), [&] { return fn(x, o); }));
}

// var/std: (a, axis, dtype, out, ddof, keepdims, where, mean, correction).
nb::object var_call(const char* name, bool is_std, nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out,
                    nb::handle ddof, nb::handle keepdims, nb::handle where, nb::handle mean, nb::handle correction) {
  ReduceOptions o;
  bool native = where.ptr() == Py_True && mean.is_none() && parse_out(out, o.out);
  if (!native) {
    nb::dict kw;
    kw["axis"] = axis;
    kw["dtype"] = dtype;
    kw["out"] = out;
    kw["ddof"] = ddof;
    kw["keepdims"] = keepdims;
    if (where.ptr() != Py_True) kw["where"] = where;
    if (!mean.is_none()) kw["mean"] = mean;
    if (!correction.is_none()) kw["correction"] = correction;
    return fallback(name, a, kw);
  }
  double d = nb::cast<double>(nb::float_(ddof));
  if (!correction.is_none()) {
    if (d != 0) throw ValueError(msg(name, "ddof and correction can't be provided simultaneously."));
    d = nb::cast<double>(nb::float_(correction));
  }
  o.axis = to_axes(axis, true);
  o.keepdims = truthy(keepdims);
  o.dtype = to_opt_dtype(dtype);
  if (o.dtype && !is_inexact(*o.dtype))  // NumPy's integer-dtype arithmetic, step by step
    return py_module().attr("_var_exact_dtype")(a, axis, dtype, out, correction.is_none() ? ddof : correction,
                                                keepdims, is_std);
  Array x = to_array(a);
  return nb::cast(nogil_if_large(x.size(), [&] { return is_std ? stddev(x, o, d) : var(x, o, d); }));
}

// mean/nanmean: (a, axis, dtype, out, keepdims, where).
nb::object mean_call(const char* name, ReduceFn fn, nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out,
                     nb::handle keepdims, nb::handle where) {
  return reduce_call(name, fn, true, a, axis, dtype, out, keepdims, nb::none(), where);
}

// all/any: (a, axis, out, keepdims, where).
nb::object logic_call(const char* name, ReduceFn fn, nb::handle a, nb::handle axis, nb::handle out,
                      nb::handle keepdims, nb::handle where) {
  return reduce_call(name, fn, false, a, axis, nb::none(), out, keepdims, nb::none(), where);
}

using ArgFn = Array (*)(const Array&, std::optional<int64_t>, bool, const Array&);
nb::object arg_call(const char* name, ArgFn fn, nb::handle a, nb::handle axis, nb::handle out, nb::handle keepdims) {
  Array o;
  if (!parse_out(out, o)) {
    nb::dict kw;
    kw["axis"] = axis;
    kw["out"] = out;
    kw["keepdims"] = keepdims;
    return fallback(name, a, kw);
  }
  Array x = to_array(a);
  std::optional<int64_t> ax = to_opt_axis(axis);
  if (zero_d_axis(x, axis)) ax = std::nullopt;
  bool kd = truthy(keepdims);
  return nb::cast(nogil_if_large(x.size(), [&] { return fn(x, ax, kd, o); }));
}

using CumFn = Array (*)(const Array&, std::optional<int64_t>, std::optional<DType>, const Array&);
nb::object cum_call(const char* name, CumFn fn, nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out) {
  Array o;
  if (!parse_out(out, o)) {
    nb::dict kw;
    kw["axis"] = axis;
    kw["dtype"] = dtype;
    kw["out"] = out;
    return fallback(name, a, kw);
  }
  try {
    Array x = to_array(a);
    std::optional<int64_t> ax = to_opt_axis(axis);
    if (x.ndim() == 0 && ax) x = reshape(x, {1});  // NumPy accumulates a 0-d array as shape (1,)
    std::optional<DType> dt = to_opt_dtype(dtype);
    return nb::cast(nogil_if_large(x.size(), [&] { return fn(x, ax, dt, o); }));
  } catch (const NotImplementedError&) {
    nb::dict kw;
    kw["axis"] = axis;
    kw["dtype"] = dtype;
    kw["out"] = out;
    return fallback(name, a, kw);
  }
}

std::string ufunc_name(nb::handle self) { return nb::cast<std::string>(self.attr("__name__")); }

nb::object ufunc_reduce(nb::handle self, nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out,
                        nb::handle keepdims, nb::handle initial, nb::handle where) {
  std::string name = ufunc_name(self);
  ReduceOptions o;
  bool native = has_native_reduce(name) && initial.is_none() && where.ptr() == Py_True && parse_out(out, o.out);
  if (!native) {
    nb::dict kw;
    kw["axis"] = axis;
    kw["dtype"] = dtype;
    kw["out"] = out;
    kw["keepdims"] = keepdims;
    if (!initial.is_none()) kw["initial"] = initial;
    if (where.ptr() != Py_True) kw["where"] = where;
    return py_module().attr("_ufunc_fallback")(name, "reduce", nb::make_tuple(a), kw);
  }
  o.axis = to_axes(axis);
  o.keepdims = truthy(keepdims);
  o.dtype = to_opt_dtype(dtype);
  Array x = to_array(a);
  return nb::cast(nogil_if_large(x.size(), [&] { return reduce(name, x, o); }));
}

nb::object ufunc_accumulate(nb::handle self, nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out) {
  std::string name = ufunc_name(self);
  Array o;
  auto fb = [&] {
    nb::dict kw;
    kw["axis"] = axis;
    kw["dtype"] = dtype;
    kw["out"] = out;
    return py_module().attr("_ufunc_fallback")(name, "accumulate", nb::make_tuple(a), kw);
  };
  if (!has_native_accumulate(name) || !parse_out(out, o)) return fb();
  try {
    Array x = to_array(a);
    auto ax = to_index(axis);
    std::optional<DType> dt = to_opt_dtype(dtype);
    return nb::cast(nogil_if_large(x.size(), [&] { return accumulate(name, x, ax, dt, o); }));
  } catch (const NotImplementedError&) {
    return fb();
  }
}

}  // namespace

// Positional arguments that accept None (nanobind rejects None unless told).
template <size_t... I>
auto none_args(std::index_sequence<I...>) {
  return std::make_tuple((static_cast<void>(I), nb::arg().none())...);
}
template <size_t N, class F>
void def_none(nb::module_& m, const char* name, F&& f) {
  std::apply([&](auto... a) { m.def(name, std::forward<F>(f), a...); }, none_args(std::make_index_sequence<N>{}));
}

void init_reductions(nb::module_& m) {
  nb::object cls = m.attr("ndarray");
  auto none = nb::none();

  // ---- sum-like: sum, prod, nansum (dtype) and max, min, nanmax, nanmin (no dtype) ----
  struct SumLike { const char* name; ReduceFn fn; bool has_dtype; bool method; };
  static const SumLike sum_like[] = {
      {"sum", &sum, true, true},        {"prod", &prod, true, true},      {"nansum", &nansum, true, false},
      {"max", &max, false, true},       {"min", &min, false, true},       {"nanmax", &nanmax, false, false},
      {"nanmin", &nanmin, false, false},
  };
  for (const SumLike& s : sum_like) {
    const SumLike* sp = &s;
    def_none<7>(m, ("_red_" + std::string(s.name)).c_str(),
          [sp](nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out, nb::handle keepdims,
               nb::handle initial, nb::handle where) {
            return reduce_call(sp->name, sp->fn, sp->has_dtype, a, axis, dtype, out, keepdims, initial, where);
          });
    if (!s.method) continue;
    if (s.has_dtype) {
      cls.attr(s.name) = nb::cpp_function(
          [sp](nb::handle self, nb::handle axis, nb::handle dtype, nb::handle out, bool keepdims, nb::handle initial,
               nb::handle where) {
            return reduce_call(sp->name, sp->fn, true, self, axis, dtype, out, keepdims ? Py_True : Py_False,
                               initial, where);
          },
          nb::is_method(), nb::name(s.name), nb::scope(cls), nb::arg("axis") = none, nb::arg("dtype") = none,
          nb::arg("out") = none, nb::arg("keepdims") = false, nb::arg("initial") = none, nb::arg("where") = true);
    } else {
      cls.attr(s.name) = nb::cpp_function(
          [sp](nb::handle self, nb::handle axis, nb::handle out, bool keepdims, nb::handle initial, nb::handle where) {
            return reduce_call(sp->name, sp->fn, false, self, axis, nb::none(), out,
                               keepdims ? Py_True : Py_False, initial, where);
          },
          nb::is_method(), nb::name(s.name), nb::scope(cls), nb::arg("axis") = none, nb::arg("out") = none,
          nb::arg("keepdims") = false, nb::arg("initial") = none, nb::arg("where") = true);
    }
  }

  // ---- mean, nanmean ----
  def_none<6>(m, "_red_mean", [](nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out, nb::handle keepdims,
                        nb::handle where) { return mean_call("mean", &mean, a, axis, dtype, out, keepdims, where); });
  def_none<6>(m, "_red_nanmean", [](nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out, nb::handle keepdims,
                           nb::handle where) {
    return mean_call("nanmean", &nanmean, a, axis, dtype, out, keepdims, where);
  });
  cls.attr("mean") = nb::cpp_function(
      [](nb::handle self, nb::handle axis, nb::handle dtype, nb::handle out, bool keepdims, nb::handle where) {
        return mean_call("mean", &mean, self, axis, dtype, out, keepdims ? Py_True : Py_False, where);
      },
      nb::is_method(), nb::name("mean"), nb::scope(cls), nb::arg("axis") = none, nb::arg("dtype") = none,
      nb::arg("out") = none, nb::arg("keepdims") = false, nb::kw_only(), nb::arg("where") = true);

  // ---- var, std ----
  for (int is_std = 0; is_std < 2; ++is_std) {
    const char* name = is_std ? "std" : "var";
    bool s = is_std != 0;
    def_none<9>(m, is_std ? "_red_std" : "_red_var",
          [name, s](nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out, nb::handle ddof,
                    nb::handle keepdims, nb::handle where, nb::handle mean_, nb::handle correction) {
            return var_call(name, s, a, axis, dtype, out, ddof, keepdims, where, mean_, correction);
          });
    cls.attr(name) = nb::cpp_function(
        [name, s](nb::handle self, nb::handle axis, nb::handle dtype, nb::handle out, nb::handle ddof, bool keepdims,
                  nb::handle where, nb::handle mean_, nb::handle correction) {
          return var_call(name, s, self, axis, dtype, out, ddof, keepdims ? Py_True : Py_False, where, mean_,
                          correction);
        },
        nb::is_method(), nb::name(name), nb::scope(cls), nb::arg("axis") = none, nb::arg("dtype") = none,
        nb::arg("out") = none, nb::arg("ddof") = 0, nb::arg("keepdims") = false, nb::kw_only(),
        nb::arg("where") = true, nb::arg("mean") = none, nb::arg("correction") = none);
  }

  // ---- all, any ----
  struct Logic { const char* name; ReduceFn fn; };
  static const Logic logic[] = {{"all", &all}, {"any", &any}};
  for (const Logic& l : logic) {
    const Logic* lp = &l;
    def_none<5>(m, ("_red_" + std::string(l.name)).c_str(),
          [lp](nb::handle a, nb::handle axis, nb::handle out, nb::handle keepdims, nb::handle where) {
            return logic_call(lp->name, lp->fn, a, axis, out, keepdims, where);
          });
    cls.attr(l.name) = nb::cpp_function(
        [lp](nb::handle self, nb::handle axis, nb::handle out, bool keepdims, nb::handle where) {
          return logic_call(lp->name, lp->fn, self, axis, out, keepdims ? Py_True : Py_False, where);
        },
        nb::is_method(), nb::name(l.name), nb::scope(cls), nb::arg("axis") = none, nb::arg("out") = none,
        nb::arg("keepdims") = false, nb::kw_only(), nb::arg("where") = true);
  }

  // ---- argmax, argmin ----
  struct Arg { const char* name; ArgFn fn; };
  static const Arg args[] = {{"argmax", &argmax}, {"argmin", &argmin}};
  for (const Arg& g : args) {
    const Arg* gp = &g;
    def_none<4>(m, ("_red_" + std::string(g.name)).c_str(),
          [gp](nb::handle a, nb::handle axis, nb::handle out, nb::handle keepdims) {
            return arg_call(gp->name, gp->fn, a, axis, out, keepdims);
          });
    cls.attr(g.name) = nb::cpp_function(
        [gp](nb::handle self, nb::handle axis, nb::handle out, bool keepdims) {
          return arg_call(gp->name, gp->fn, self, axis, out, keepdims ? Py_True : Py_False);
        },
        nb::is_method(), nb::name(g.name), nb::scope(cls), nb::arg("axis") = none, nb::arg("out") = none,
        nb::kw_only(), nb::arg("keepdims") = false);
  }

  // ---- cumsum, cumprod ----
  struct Cum { const char* name; CumFn fn; };
  static const Cum cums[] = {{"cumsum", &cumsum}, {"cumprod", &cumprod}};
  for (const Cum& c : cums) {
    const Cum* cp = &c;
    def_none<4>(m, ("_red_" + std::string(c.name)).c_str(), [cp](nb::handle a, nb::handle axis, nb::handle dtype, nb::handle out) {
      return cum_call(cp->name, cp->fn, a, axis, dtype, out);
    });
    cls.attr(c.name) = nb::cpp_function(
        [cp](nb::handle self, nb::handle axis, nb::handle dtype, nb::handle out) {
          return cum_call(cp->name, cp->fn, self, axis, dtype, out);
        },
        nb::is_method(), nb::name(c.name), nb::scope(cls), nb::arg("axis") = none, nb::arg("dtype") = none,
        nb::arg("out") = none);
  }

  def_none<3>(m, "_red_count_nonzero", [](nb::handle a, nb::handle axis, nb::handle keepdims) {
    Array x = to_array(a);
    Axes ax = to_axes(axis);
    if (zero_d_axis(x, axis)) ax = Axes::none();
    return count_nonzero(x, ax, truthy(keepdims));
  });

  // ---- ufunc.reduce / ufunc.accumulate on the native ufunc type ----
  nb::object ucls = m.attr("ufunc");
  ucls.attr("reduce") = nb::cpp_function(&ufunc_reduce, nb::is_method(), nb::name("reduce"), nb::scope(ucls),
                                         nb::arg("array"), nb::arg("axis").none() = 0, nb::arg("dtype").none() = none,
                                         nb::arg("out").none() = none, nb::arg("keepdims") = false,
                                         nb::arg("initial").none() = none, nb::arg("where").none() = true);
  ucls.attr("accumulate") = nb::cpp_function(&ufunc_accumulate, nb::is_method(), nb::name("accumulate"),
                                             nb::scope(ucls), nb::arg("array"), nb::arg("axis").none() = 0,
                                             nb::arg("dtype").none() = none, nb::arg("out").none() = none);
}

}  // namespace minpy::py
