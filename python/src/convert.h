// Conversions between Python objects and engine values, shared by every binding file.
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace nb = nanobind;

namespace nanobind::detail {
// minpy::Array crosses the boundary as the shared ArrayImpl, so a Python object keeps its identity
// (returning an array whose wrapper is alive returns that same wrapper: `b.base is a`).
template <> struct type_caster<minpy::Array> {
  using Inner = make_caster<std::shared_ptr<minpy::ArrayImpl>>;
  NB_TYPE_CASTER(minpy::Array, const_name("minpy.numpy.ndarray"))
  bool from_python(handle src, uint8_t flags, cleanup_list* cl) noexcept {
    Inner inner;
    if (!inner.from_python(src, flags, cl)) return false;
    value = minpy::Array(inner.value);
    return true;
  }
  static handle from_cpp(const minpy::Array& a, rv_policy p, cleanup_list* cl) noexcept {
    return Inner::from_cpp(a.impl(), p, cl);
  }
};
}  // namespace nanobind::detail

namespace minpy::py {

// The ndarray type object, for fast isinstance checks.
extern PyTypeObject* g_ndarray_type;
inline bool is_ndarray(nb::handle h) { return PyObject_TypeCheck(h.ptr(), g_ndarray_type); }
inline Array as_array(nb::handle h) { return nb::cast<Array>(h); }

nb::object numpy();                           // the numpy module
nb::object np_dtype(DType t);                 // numpy.dtype object for t
DType to_dtype(nb::handle obj);               // any dtype-like object; TypeError if unsupported
// Any array-like (minpy array, NumPy array or scalar, nested lists, Python scalars) as an array;
// copy=false returns minpy arrays as they are.
Array to_array(nb::handle obj, bool copy = false);
// Python int/float/complex/bool become weak scalars; everything else arrays. False: not array-like.
bool to_operand(nb::handle obj, Operand& out);
Scalar to_scalar(nb::handle obj);  // obj must be a Python bool/int/float/complex
bool is_python_scalar(nb::handle obj);
// Calls a Python function registered by the minpy package (module minpy.numpy._hooks).
nb::object hook(const char* name);

}  // namespace minpy::py
