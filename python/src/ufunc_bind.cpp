// ufunc objects: callables with NumPy's ufunc call signature, backed by the engine's registry.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "ops/op_stats.h"

namespace minpy::py {
namespace {

struct PyUfunc {
  const Ufunc* uf;
};

nb::object call(const PyUfunc& self, nb::args args, nb::kwargs kwargs) {
  const Ufunc& uf = *self.uf;
  size_t nargs = args.size();
  if (nargs < static_cast<size_t>(uf.nin) || nargs > static_cast<size_t>(uf.nin + uf.nout))
    throw TypeError(msg(uf.name.c_str(), uf.name + "() takes from " + std::to_string(uf.nin) + " to " +
                                             std::to_string(uf.nin + uf.nout) + " positional arguments but " +
                                             std::to_string(nargs) + " were given."));
  UfuncOptions opt;
  nb::object out_obj;
  for (auto [k, v] : kwargs) {
    std::string key = nb::cast<std::string>(k);
    if (key == "out") out_obj = nb::borrow(v);
    else if (key == "dtype") { if (!v.is_none()) opt.dtype = to_dtype(v); }
    else if (key == "casting") opt.casting = casting_from_name(nb::cast<std::string>(v));
    else if ((key == "where" && v.ptr() == Py_True) || (key == "order" && nb::cast<std::string>(v) == "K") ||
             (key == "subok" && v.ptr() == Py_True) || (key == "signature" && v.is_none())) continue;
    else return hook("ufunc_fallback")(uf.name, *args, **kwargs);
  }
  std::vector<nb::object> outs;
  if (nargs > static_cast<size_t>(uf.nin)) {
    if (out_obj.is_valid()) throw TypeError(msg(uf.name.c_str(), "cannot specify 'out' as both a positional and keyword argument."));
    for (size_t i = uf.nin; i < nargs; ++i) outs.push_back(nb::borrow(args[i]));
  } else if (out_obj.is_valid() && !out_obj.is_none()) {
    if (PyTuple_Check(out_obj.ptr())) for (nb::handle h : out_obj) outs.push_back(nb::borrow(h));
    else outs.push_back(out_obj);
  }
  for (auto& o : outs) {
    if (o.is_none()) opt.out.emplace_back();
    else if (is_ndarray(o)) opt.out.push_back(as_array(o));
    else return hook("ufunc_fallback")(uf.name, *args, **kwargs);  // e.g. out= a NumPy array
  }
  std::vector<Operand> inputs(uf.nin);
  for (int i = 0; i < uf.nin; ++i)
    if (!to_operand(args[i], inputs[i])) inputs[i] = to_array(args[i]);
  std::vector<Array> r;
  {
    ReleaseGilIfLarge nogil(ufunc_elements(inputs, opt.out));
    r = call_ufunc(uf, inputs, opt);
  }
  if (uf.nout == 1) return nb::cast(r[0]);
  nb::list l;
  for (auto& a : r) l.append(nb::cast(a));
  return nb::tuple(l);
}

// tp_call: the plain positional call skips nanobind's argument packing (small-array calls are
// dominated by such overheads).
PyObject* ufunc_tp_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  try {
    const PyUfunc& u = *nb::inst_ptr<PyUfunc>(self);
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if ((!kwargs || PyDict_GET_SIZE(kwargs) == 0) && n == u.uf->nin) {
      std::vector<Operand> inputs(n);
      for (Py_ssize_t i = 0; i < n; ++i) {
        nb::handle h(PyTuple_GET_ITEM(args, i));
        if (!to_operand(h, inputs[i])) inputs[i] = to_array(h);
      }
      std::vector<Array> r;
      {
        ReleaseGilIfLarge nogil(ufunc_elements(inputs));
        r = call_ufunc(*u.uf, inputs);
      }
      if (u.uf->nout == 1) return wrap_array(r[0]).release().ptr();
      nb::list l;
      for (auto& a : r) l.append(wrap_array(a));
      return nb::tuple(l).release().ptr();
    }
    nb::kwargs kw = kwargs ? nb::borrow<nb::kwargs>(kwargs) : nb::kwargs();
    return call(u, nb::borrow<nb::args>(args), kw).release().ptr();
  } catch (...) {
    set_python_error(std::current_exception());
    return nullptr;
  }
}

PyType_Slot ufunc_slots[] = {{Py_tp_call, reinterpret_cast<void*>(ufunc_tp_call)}, {0, nullptr}};

}  // namespace

void init_ufunc(nb::module_& m) {
  nb::class_<PyUfunc>(m, "ufunc", nb::dynamic_attr(), nb::type_slots(ufunc_slots),
                      "A NumPy-compatible universal function running on minpy's engine.")
      .def_prop_ro("nin", [](const PyUfunc& u) { return u.uf->nin; })
      .def_prop_ro("nout", [](const PyUfunc& u) { return u.uf->nout; })
      .def_prop_ro("nargs", [](const PyUfunc& u) { return u.uf->nin + u.uf->nout; })
      .def_prop_ro("types", [](const PyUfunc& u) {
        std::vector<std::string> t;
        for (const UfuncLoop* l : u.uf->loops) {
          auto types = loop_types(l);
          std::string s;
          for (size_t i = 0; i < types.size(); ++i) {
            if (static_cast<int>(i) == u.uf->nin) s += "->";
            s += dtype_char(types[i]);
          }
          t.push_back(s);
        }
        return t;
      })
      .def("__repr__", [](const PyUfunc& u) { return "<ufunc '" + u.uf->name + "'>"; })
      .def("_resolve", [](const PyUfunc& u, nb::args args) {
        std::vector<Operand> ins;
        for (nb::handle h : args) {
          Operand o;
          if (!to_operand(h, o)) o = to_array(h);
          ins.push_back(o);
        }
        std::vector<nb::object> r;
        for (DType t : resolve_ufunc_types(*u.uf, ins)) r.push_back(np_dtype(t));
        return r;
      });
  nb::dict ufuncs;
  for (const std::string& name : ufunc_names()) {
    nb::object u = nb::cast(PyUfunc{&get_ufunc(name)});
    u.attr("__name__") = name;
    ufuncs[name.c_str()] = u;
  }
  m.attr("ufuncs") = ufuncs;
  m.def("result_type", [](nb::args args) {
    std::vector<Operand> ops;
    for (nb::handle h : args) {
      Operand o;
      if (is_ndarray(h) || is_python_scalar(h)) to_operand(h, o);
      else {
        // dtype-like objects and NumPy values count as strong 0-d arrays of their dtype.
        DType t;
        try {
          t = to_dtype(h);
        } catch (const TypeError&) {
          t = to_array(h).dtype();
        }
        o = Array::empty({}, t);
      }
      ops.push_back(o);
    }
    return np_dtype(result_type(ops));
  });
  m.def("promote_types", [](nb::handle a, nb::handle b) { return np_dtype(promote_types(to_dtype(a), to_dtype(b))); });
  m.def("can_cast", [](nb::handle from, nb::handle to, const std::string& casting) {
    DType f = is_ndarray(from) ? as_array(from).dtype() : to_dtype(from);
    return can_cast(f, to_dtype(to), casting_from_name(casting));
  }, nb::arg("from_"), nb::arg("to"), nb::arg("casting") = "safe");
  m.def("set_record_op_stats", &set_record_op_stats);
  m.def("op_stats", [] {
    nb::dict d;
    for (auto& [k, v] : op_stats()) d[k.c_str()] = v;
    return d;
  });
  m.def("reset_op_stats", &reset_op_stats);
}

}  // namespace minpy::py
