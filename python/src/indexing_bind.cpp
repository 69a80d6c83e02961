// Bindings of the indexing family: ufunc.at and the selection functions (take, put, nonzero, ...).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "axis_arg.h"
#include "convert.h"
#include "gil.h"
#include "index_parse.h"
#include "minpy/errors.h"
#include "minpy/indexing.h"

namespace minpy::py {
namespace {

Operand operand(nb::handle h) {
  Operand o;
  if (!to_operand(h, o)) o = to_array(h);
  return o;
}

nb::object ufunc_at(nb::handle self, nb::handle a, nb::handle indices, nb::handle b) {
  std::string name = nb::cast<std::string>(self.attr("__name__"));
  if (!is_ndarray(a)) {
    // NumPy arrays keep NumPy's own ufunc.at (it writes into their memory).
    if (nb::isinstance(a, numpy().attr("ndarray"))) {
      if (b.is_none()) return numpy().attr(name.c_str()).attr("at")(a, indices);
      return numpy().attr(name.c_str()).attr("at")(a, indices, b);
    }
    throw TypeError(msg("at", "first operand must be array"));
  }
  std::vector<IndexItem> items;
  parse_index(indices, items);
  if (b.is_none()) {
    minpy::ufunc_at(get_ufunc(name), as_array(a), items, nullptr);
  } else {
    Array bv = to_array(b);  // strong, as NumPy converts it
    minpy::ufunc_at(get_ufunc(name), as_array(a), items, &bv);
  }
  return nb::none();
}

}  // namespace

void init_indexing(nb::module_& m) {
  nb::object ufunc_cls = m.attr("ufunc");
  ufunc_cls.attr("at") = nb::cpp_function(&ufunc_at, nb::is_method(), nb::name("at"), nb::scope(ufunc_cls),
                                          nb::arg("a"), nb::arg("indices"), nb::arg("b").none() = nb::none());

  m.def("take", [](nb::handle a, nb::handle indices, nb::handle axis, const std::string& mode) {
    Array x = to_array(a), i = to_array(indices);
    std::optional<int64_t> ax = opt_c_axis(axis);
    if (x.ndim() == 0 && ax && (*ax == 0 || *ax == -1)) x = reshape(x, {1});  // NumPy: a 0-d array as 1-d
    ClipMode cm = clip_mode_from_name(mode, "take");
    return nogil_if_large(max_elements({&x, &i}), [&] { return take(x, i, ax, cm); });
  }, nb::arg("a"), nb::arg("indices"), nb::arg("axis").none(), nb::arg("mode"));
  m.def("take_along_axis", [](nb::handle a, nb::handle indices, nb::handle axis) {
    Array x = to_array(a), i = to_array(indices);
    std::optional<int64_t> ax = opt_py_axis(axis);
    return nogil_if_large(max_elements({&x, &i}), [&] { return take_along_axis(x, i, ax); });
  }, nb::arg("a"), nb::arg("indices"), nb::arg("axis").none());
  m.def("put", [](nb::handle a, nb::handle indices, nb::handle values, const std::string& mode) {
    if (!is_ndarray(a)) throw TypeError(msg("put", "argument 1 must be numpy.ndarray, not " +
                                                std::string(Py_TYPE(a.ptr())->tp_name)));
    Array arr = as_array(a);
    Array idx = to_array(indices);
    // Python scalar values convert as np.asarray(v, a.dtype) does (OverflowError, NaN, complex),
    // after the empty-array check (an empty array with no indices converts them too).
    Array v = (arr.size() > 0 || idx.size() == 0) && is_python_scalar(values)
                  ? to_array(numpy().attr("asarray")(values, np_dtype(arr.dtype())))
                  : setitem_value(values, arr.dtype());
    put(arr, idx, v, clip_mode_from_name(mode, "put"));
  });
  m.def("nonzero", [](nb::handle a) {
    nb::list l;
    for (const Array& r : nonzero(to_array(a))) l.append(nb::cast(r));
    return nb::tuple(l);
  });
  m.def("argwhere", [](nb::handle a) { return argwhere(to_array(a)); });
  m.def("flatnonzero", [](nb::handle a) { return flatnonzero(to_array(a)); });
  m.def("where", [](nb::handle c, nb::handle x, nb::handle y) {
    Array cond = to_array(c);
    Operand xo = operand(x), yo = operand(y);
    return nogil_if_large(ufunc_elements({cond, xo, yo}), [&] { return where(cond, xo, yo); });
  });
  m.def("compress", [](nb::handle c, nb::handle a, nb::handle axis) {
    Array cond = to_array(c), x = to_array(a);
    std::optional<int64_t> ax = opt_c_axis(axis);
    if (x.ndim() == 0 && ax && (*ax == 0 || *ax == -1)) x = reshape(x, {1});  // as take
    return nogil_if_large(max_elements({&cond, &x}), [&] { return compress(cond, x, ax); });
  }, nb::arg("condition"), nb::arg("a"), nb::arg("axis").none());
  m.def("extract", [](nb::handle c, nb::handle a) {
    Array cond = to_array(c), x = to_array(a);
    return nogil_if_large(max_elements({&cond, &x}), [&] { return extract(cond, x); });
  });
  m.def("place", [](nb::handle a, nb::handle mask, nb::handle vals) {
    if (!is_ndarray(a)) throw TypeError(msg("place", "argument 1 must be numpy.ndarray"));
    Array arr = as_array(a);
    place(arr, to_array(mask), setitem_value(vals, arr.dtype()));
  });
  m.def("putmask", [](nb::handle a, nb::handle mask, nb::handle values) {
    if (!is_ndarray(a)) throw TypeError(msg("putmask", "argument 1 must be numpy.ndarray"));
    Array arr = as_array(a);
    putmask(arr, to_array(mask), setitem_value(values, arr.dtype()));
  });
}

}  // namespace minpy::py
