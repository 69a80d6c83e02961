// Bindings of the shape/joining/sorting family (engine/include/minpy/shape_ops.h). The Python
// signatures (defaults, keyword handling) live in minpy/numpy/_shape_ops.py; these take normalized
// arguments and convert array-likes.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "axis_arg.h"
#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/shape_ops.h"

namespace minpy::py {
namespace {

// operator.index semantics: ints and integer NumPy scalars, TypeError for floats.
int64_t to_index(nb::handle h) {
  PyObject* i = PyNumber_Index(h.ptr());
  if (!i) throw nb::python_error();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
  Py_DECREF(i);
  if (overflow) throw OverflowError(msg("index", "Python int too large to convert to C long."));
  return v;
}

// NumPy tells a sequence of indices from one index by trying len().
bool has_len(nb::handle h) {
  if (PyObject_Length(h.ptr()) >= 0) return true;
  PyErr_Clear();
  return false;
}

// An int or a sequence of ints.
std::vector<int64_t> to_indices(nb::handle h) {
  std::vector<int64_t> v;
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
    for (nb::handle x : h) {
      if (PyList_Check(x.ptr()) || PyTuple_Check(x.ptr()))
        throw ValueError(msg("index", "expected an integer or a 1-d sequence of integers."));
      v.push_back(to_index(x));
    }
    return v;
  }
  if (is_ndarray(h) || has_len(h)) {
    Array a = to_array(h);
    if (a.ndim() > 1) throw ValueError(msg("index", "expected an integer or a 1-d sequence of integers."));
    if (a.size() > 0 && !is_integer(a.dtype()) && a.dtype() != DType::Bool)
      throw TypeError(msg("index", std::string("'") + dtype_name(a.dtype()) + "' values cannot be interpreted as integers."));
    Array c = ascontiguousarray(astype(reshape(a, {-1}), DType::Int64, Casting::Unsafe, false));
    v.assign(c.data_as<int64_t>(), c.data_as<int64_t>() + c.size());
    return v;
  }
  v.push_back(to_index(h));
  return v;
}

// flip/roll axes: an int or a sequence of ints, normalized in Python by NumPy (py_axis).
std::vector<int64_t> to_axes(nb::handle h) {
  std::vector<int64_t> v = to_indices(h);
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
    for (nb::handle x : h) py_axis(x);
  } else if (!is_ndarray(h) && !has_len(h)) {
    py_axis(h);
  }
  return v;
}

std::vector<Array> to_arrays(nb::handle seq) {
  std::vector<Array> v;
  for (nb::handle h : seq) v.push_back(to_array(h));
  return v;
}

JoinOptions join_options(nb::handle out, nb::handle dtype, const std::string& casting) {
  JoinOptions o;
  o.casting = casting_from_name(casting);
  if (!dtype.is_none()) o.dtype = to_dtype(dtype);
  if (!out.is_none()) {
    if (!is_ndarray(out)) throw TypeError(msg("concatenate", "out must be a minpy array."));
    o.out = as_array(out);
  }
  return o;
}

int64_t total_elements(const std::vector<Array>& v) {
  int64_t n = 0;
  for (const Array& a : v) n += a.size();  // sizes fit in memory: no overflow
  return n;
}

nb::list to_list(const std::vector<Array>& v) {
  nb::list l;
  for (const Array& a : v) l.append(nb::cast(a));
  return l;
}

}  // namespace

void init_shape_ops(nb::module_& m) {
  m.def("_concatenate", [](nb::handle arrays, nb::handle axis, nb::handle out, nb::handle dtype, const std::string& casting) {
    std::vector<Array> v = to_arrays(arrays);
    std::optional<int64_t> ax = opt_c_axis(axis);
    JoinOptions o = join_options(out, dtype, casting);
    return nogil_if_large(total_elements(v), [&] { return concatenate(v, ax, o); });
  }, nb::arg(), nb::arg().none(), nb::arg().none(), nb::arg().none(), nb::arg());
  m.def("_stack", [](nb::handle arrays, nb::handle axis, nb::handle out, nb::handle dtype, const std::string& casting) {
    std::vector<Array> v = to_arrays(arrays);
    int64_t ax = py_axis(axis);
    JoinOptions o = join_options(out, dtype, casting);
    return nogil_if_large(total_elements(v), [&] { return stack(v, ax, o); });
  }, nb::arg(), nb::arg(), nb::arg().none(), nb::arg().none(), nb::arg());
  // sections: an int (equal parts for split, near-equal for array_split) or a list of indices.
  m.def("_array_split", [](nb::handle a, nb::handle sections, nb::handle axis, bool equal) {
    Array arr = to_array(a);
    int64_t ax = to_index(axis);
    if (!has_len(sections)) {
      int64_t n = to_index(sections);
      return to_list(equal ? split(arr, n, ax) : array_split(arr, n, ax));
    }
    return to_list(array_split_at(arr, to_indices(sections), ax));
  });
  m.def("_tile", [](nb::handle a, nb::handle reps) { return tile(to_array(a), to_indices(reps)); });
  m.def("_repeat", [](nb::handle a, nb::handle repeats, nb::handle axis) {
    if (PyLong_Check(repeats.ptr())) to_index(repeats);  // OverflowError beyond int64, as NumPy
    Array r = to_array(repeats);
    // NumPy converts repeats to intp: arrays with the 'safe' rule, Python numbers and lists by force.
    bool is_array = is_ndarray(repeats) || nb::isinstance(repeats, numpy().attr("ndarray"));
    if (is_array && !can_cast(r.dtype(), DType::Int64, Casting::Safe))
      throw TypeError(msg("repeat", std::string("Cannot cast array data from dtype('") + dtype_name(r.dtype()) +
                                        "') to dtype('int64') according to the rule 'safe'."));
    if (r.ndim() > 1) throw ValueError(msg("repeat", "object too deep for desired array."));
    Array c = ascontiguousarray(astype(reshape(r, {-1}), DType::Int64, Casting::Unsafe, false));
    std::vector<int64_t> reps(c.data_as<int64_t>(), c.data_as<int64_t>() + c.size());
    if (reps.empty()) reps.push_back(0);  // broadcasts like a length-0 operand: only valid for n == 0
    return repeat(to_array(a), reps, opt_c_axis(axis));
  }, nb::arg(), nb::arg(), nb::arg().none());
  m.def("_flip", [](nb::handle a, nb::handle axis) {
    if (axis.is_none()) return flip(to_array(a), std::nullopt);
    return flip(to_array(a), to_axes(axis));
  }, nb::arg(), nb::arg().none());
  m.def("_roll", [](nb::handle a, nb::handle shift, nb::handle axis) {
    if (axis.is_none()) return roll(to_array(a), to_indices(shift), std::nullopt);
    return roll(to_array(a), to_indices(shift), to_axes(axis));
  }, nb::arg(), nb::arg(), nb::arg().none());
  m.def("_pad_constant", [](nb::handle a, nb::handle widths, nb::handle values) {
    Array arr = to_array(a);
    std::vector<std::pair<int64_t, int64_t>> w;
    for (nb::handle p : widths) {
      nb::sequence s = nb::borrow<nb::sequence>(p);
      w.push_back({to_index(s[0]), to_index(s[1])});
    }
    std::vector<std::array<Array, 2>> vals;
    for (nb::handle p : values) {
      nb::sequence s = nb::borrow<nb::sequence>(p);
      std::array<Array, 2> pair;
      for (int k = 0; k < 2; ++k) {
        nb::object o = s[k];
        // Python scalars assign like setitem (OverflowError for out-of-range ints).
        pair[k] = is_python_scalar(o) ? to_scalar(o).to_array(arr.dtype(), "pad") : to_array(o);
      }
      vals.push_back(pair);
    }
    return pad_constant(arr, w, vals);
  });
  m.def("_sort", [](nb::handle a, nb::handle axis, bool stable) {
    Array x = to_array(a);
    std::optional<int64_t> ax = opt_py_axis(axis);
    return nogil_if_large(x.size(), [&] { return sort(x, ax, stable ? SortKind::Stable : SortKind::Quick); });
  }, nb::arg(), nb::arg().none(), nb::arg());
  m.def("_sort_inplace", [](nb::handle a, nb::handle axis, bool stable) {
    Array x = as_array(a);
    int64_t ax = py_axis(axis);
    ReleaseGilIfLarge nogil(x.size());
    sort_inplace(x, ax, stable ? SortKind::Stable : SortKind::Quick);
  });
  m.def("_argsort", [](nb::handle a, nb::handle axis) {
    Array x = to_array(a);
    std::optional<int64_t> ax = opt_c_axis(axis);
    return nogil_if_large(x.size(), [&] { return argsort(x, ax, SortKind::Stable); });
  }, nb::arg(), nb::arg().none());
  m.def("_searchsorted", [](nb::handle a, nb::handle v, bool right, nb::handle sorter) {
    return searchsorted(to_array(a), to_array(v), right, sorter.is_none() ? Array() : to_array(sorter));
  }, nb::arg(), nb::arg(), nb::arg(), nb::arg().none());
  m.def("_tril", [](nb::handle a, nb::handle k) { return tril(to_array(a), to_index(k)); });
  m.def("_triu", [](nb::handle a, nb::handle k) { return triu(to_array(a), to_index(k)); });
}

}  // namespace minpy::py
