// NumPy reads an axis argument in one of two ways, and the exception classes differ:
//  - c_axis: C functions that parse it with PyArray_AxisConverter (concatenate, take, compress,
//    repeat, argsort, squeeze, the ufunc reductions): a bool is a TypeError ("an integer is
//    required for the axis"), a value beyond a C int ValueError, beyond int64 OverflowError.
//  - py_axis: functions that call operator.index and normalize_axis_index (stack, sort, flip,
//    roll, take_along_axis, diff, moveaxis, swapaxes, diagonal): bools are ints, anything beyond
//    a C int is OverflowError.
// Both raise TypeError for floats and strings (operator.index).
#pragma once

#include <climits>
#include <cstdint>
#include <optional>

#include "convert.h"
#include "minpy/errors.h"

namespace minpy::py {

inline int64_t axis_value(nb::handle h, bool py_level) {
  PyObject* p = h.ptr();
  if (!py_level && (PyBool_Check(p) || PyObject_IsInstance(p, numpy().attr("bool_").ptr()) == 1))
    throw TypeError(msg("axis", "an integer is required for the axis."));
  PyObject* i = PyNumber_Index(p);
  if (!i) throw nb::python_error();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
  Py_DECREF(i);
  if (v == -1 && PyErr_Occurred()) throw nb::python_error();
  if (overflow != 0) throw OverflowError(msg("axis", "Python int too large to convert to C long."));
  if (v < INT_MIN || v > INT_MAX) {
    if (py_level) throw OverflowError(msg("axis", "Python int too large to convert to C int."));
    throw ValueError(msg("axis", "integer won't fit into a C int."));
  }
  return v;
}

inline int64_t c_axis(nb::handle h) { return axis_value(h, false); }
inline int64_t py_axis(nb::handle h) { return axis_value(h, true); }

inline std::optional<int64_t> opt_c_axis(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return c_axis(h);
}

inline std::optional<int64_t> opt_py_axis(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return py_axis(h);
}

}  // namespace minpy::py
