// Conversions between Python objects and engine values, shared by every binding file.
#pragma once
#include <nanobind/nanobind.h>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace nb = nanobind;

namespace minpy::py {
// The C++ object inside each Python ndarray. An ArrayImpl has at most one live wrapper
// (ArrayImpl::binding_object), so returning an array that already has one returns that same Python
// object: `b.base is a`, `out=` results and `asarray(a) is a` keep NumPy's identities.
struct PyArray {
  Array array;
  PyObject* self;
  ~PyArray() {
    if (array.defined() && array.impl()->binding_object == self) array.impl()->binding_object = nullptr;
  }
};
extern PyTypeObject* g_ndarray_type;
nb::object wrap_array(const Array& a);
nb::object wrap_array(Array&& a);  // the same, taking over the handle
// Sets the Python error for the exception `p` (engine exceptions become NumPy's classes).
void set_python_error(const std::exception_ptr& p);
}  // namespace minpy::py

namespace nanobind::detail {
template <> struct type_caster<minpy::Array> {
  NB_TYPE_CASTER(minpy::Array, const_name("minpy.numpy.ndarray"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    if (!PyObject_TypeCheck(src.ptr(), minpy::py::g_ndarray_type)) return false;
    value = inst_ptr<minpy::py::PyArray>(src)->array;
    return true;
  }
  static handle from_cpp(const minpy::Array& a, rv_policy, cleanup_list*) noexcept {
    try {
      return minpy::py::wrap_array(a).release();
    } catch (...) {
      PyErr_SetString(PyExc_MemoryError, "[wrap] cannot create the Python array object.");
      return handle();
    }
  }
  // Returned by value (the common case): the handle moves into the wrapper.
  static handle from_cpp(minpy::Array&& a, rv_policy, cleanup_list*) noexcept {
    try {
      return minpy::py::wrap_array(std::move(a)).release();
    } catch (...) {
      PyErr_SetString(PyExc_MemoryError, "[wrap] cannot create the Python array object.");
      return handle();
    }
  }
};
}  // namespace nanobind::detail

namespace minpy::py {

inline bool is_ndarray(nb::handle h) { return PyObject_TypeCheck(h.ptr(), g_ndarray_type); }
// The array of a Python ndarray (h must be one).
inline const Array& as_array(nb::handle h) { return nb::inst_ptr<PyArray>(h)->array; }

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
