#include "index_parse.h"

#include <cmath>
#include <string>

#include "minpy/errors.h"

namespace minpy::py {
namespace {

const char* kInvalidIndex =
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are "
    "valid indices.";

Array bool_scalar_array(bool v) {
  Array a = Array::empty({}, DType::Bool);
  *a.data_as<bool>() = v;
  return a;
}

bool is_numpy_bool(nb::handle h) {
  static PyObject* t = numpy().attr("bool_").ptr();  // a type: lives as long as numpy
  return Py_TYPE(h.ptr()) == reinterpret_cast<PyTypeObject*>(t);
}

void parse_item(nb::handle h, std::vector<IndexItem>& items) {
  PyObject* p = h.ptr();
  IndexItem it;
  if (PyLong_CheckExact(p)) {
    it.kind = IndexItem::Kind::Int;
    int overflow = 0;
    it.index = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow != 0) {
      // NumPy: an int in [2**63, 2**64) fails its C-long conversion (OverflowError); larger or
      // more negative ones are not taken as integers at all (IndexError).
      unsigned long long u = overflow > 0 ? PyLong_AsUnsignedLongLong(p) : 0;
      bool fits_u64 = overflow > 0 && !PyErr_Occurred();
      PyErr_Clear();
      (void)u;
      if (fits_u64) throw OverflowError(msg("getitem", "Python int too large to convert to C long."));
      throw IndexError(msg("getitem", kInvalidIndex));
    }
  } else if (PySlice_Check(p)) {
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(p, &start, &stop, &step) < 0) {
      // A zero step is reported after the index count, as NumPy does (parse_index); the item
      // keeps step 0 only until then and never reaches the engine.
      if (!PyErr_ExceptionMatches(PyExc_ValueError)) throw nb::python_error();
      PyErr_Clear();
      start = stop = 0;
      step = 0;
    }
    it.kind = IndexItem::Kind::Slice;
    it.start = start;
    it.stop = stop;
    it.step = step;
    it.has_start = it.has_stop = true;
  } else if (p == Py_Ellipsis) {
    it.kind = IndexItem::Kind::Ellipsis;
  } else if (p == Py_None) {
    it.kind = IndexItem::Kind::NewAxis;
  } else if (PyBool_Check(p) || is_numpy_bool(h)) {
    it.kind = IndexItem::Kind::Array;
    it.array = bool_scalar_array(PyObject_IsTrue(p) == 1);
  } else if (is_ndarray(h)) {
    Array a = as_array(h);
    if (a.ndim() == 0 && is_integer(a.dtype()) && a.device().type == DeviceType::CPU) {
      // minpy's 0-d integer arrays stand for NumPy's integer scalars (what a[i] or argmax gives).
      it.kind = IndexItem::Kind::Int;
      it.index = visit_dtype(a.dtype(), [&](auto v) -> int64_t {
        using T = decltype(v);
        if constexpr (std::is_integral_v<T>) {
          T x = *a.data_as<T>();
          if constexpr (std::is_same_v<T, uint64_t>)
            if (x > static_cast<uint64_t>(INT64_MAX))  // as NumPy's uint64 scalars
              throw OverflowError(msg("getitem", "Python int too large to convert to C long."));
          return static_cast<int64_t>(x);
        } else {
          return 0;
        }
      });
    } else {
      it.kind = IndexItem::Kind::Array;
      it.array = a;
    }
  } else if (PyIndex_Check(p) && !PySequence_Check(p)) {
    // NumPy integer scalars index like Python ints.
    it.kind = IndexItem::Kind::Int;
    it.index = PyNumber_AsSsize_t(p, PyExc_OverflowError);  // np.uint64(2**63): OverflowError, as NumPy
    if (PyErr_Occurred()) throw nb::python_error();
  } else if (PyUnicode_Check(p) || PyBytes_Check(p) || !(PySequence_Check(p) || PyObject_CheckBuffer(p))) {
    throw IndexError(msg("getitem", kInvalidIndex));
  } else {
    // Lists, nested sequences and NumPy arrays: converted as NumPy converts them.
    Array a;
    try {
      a = to_array(h);
    } catch (nb::python_error& e) {
      if (e.matches(PyExc_ValueError)) throw;  // ragged nested lists: NumPy's ValueError
      throw IndexError(msg("getitem", kInvalidIndex));
    } catch (const std::exception&) {  // unsupported dtypes (object, str, huge ints)
      throw IndexError(msg("getitem", kInvalidIndex));
    }
    bool sequence = PyList_Check(p) || PyTuple_Check(p);
    if (sequence && a.size() == 0 && !is_integer(a.dtype()) && a.dtype() != DType::Bool)
      a = Array::empty(a.shape(), DType::Int64);  // NumPy indexes with [] as an empty intp array
    else if (sequence && !is_integer(a.dtype()) && a.dtype() != DType::Bool)
      throw IndexError(msg("getitem", kInvalidIndex));
    it.kind = IndexItem::Kind::Array;
    it.array = a;
  }
  items.push_back(std::move(it));
}

}  // namespace

void parse_index(nb::handle key, std::vector<IndexItem>& items, int ndim) {
  if (PyTuple_Check(key.ptr())) {
    for (nb::handle h : nb::borrow<nb::tuple>(key)) parse_item(h, items);
  } else {
    parse_item(key, items);
  }
  bool zero_step = false;
  int64_t used = 0;
  for (const IndexItem& it : items) {
    if (it.kind == IndexItem::Kind::Slice && it.step == 0) zero_step = true;
    if (it.kind == IndexItem::Kind::Int || it.kind == IndexItem::Kind::Slice) used += 1;
    if (it.kind == IndexItem::Kind::Array) used += it.array.dtype() == DType::Bool ? std::max(it.array.ndim(), 0) : 1;
  }
  if (!zero_step) return;
  if (ndim >= 0 && used > ndim)
    throw IndexError(msg("getitem", "too many indices for array: array is " + std::to_string(ndim) +
                                        "-dimensional, but " + std::to_string(used) + " were indexed."));
  throw ValueError(msg("getitem", "slice step cannot be zero."));
}

void check_scalar_assign(nb::handle value, DType target, const char* op, bool advanced) {
  PyObject* p = value.ptr();
  bool real_target = !is_complex(target) && target != DType::Bool;
  if (PyComplex_CheckExact(p) && real_target)
    throw TypeError(msg(op, std::string(is_integer(target) ? "int()" : "float()") +
                                " argument must be a real number, not 'complex'."));
  if (!is_integer(target)) return;
  bool python_float = PyFloat_CheckExact(p);
  bool numpy_float = !python_float && PyObject_IsInstance(p, numpy().attr("floating").ptr()) == 1;
  if (!python_float && !numpy_float) return;
  // NumPy float scalars into unsigned dtypes, or through advanced indexing, are C casts in NumPy.
  if (numpy_float && (advanced || kind(target) != Kind::Int)) return;
  double f = PyFloat_AsDouble(p);
  if (f == -1.0 && PyErr_Occurred()) throw nb::python_error();
  if (std::isnan(f)) throw ValueError(msg(op, "cannot convert float NaN to integer."));
  if (std::isinf(f)) throw OverflowError(msg(op, "cannot convert float infinity to integer."));
  double t = std::trunc(f);
  double lo = 0.0, hi = 0.0;  // the dtype's range; hi is exclusive (2**bits or 2**(bits-1))
  int bits = static_cast<int>(itemsize(target)) * 8;
  if ((kind(target) == Kind::Int)) {
    lo = -std::ldexp(1.0, bits - 1);
    hi = std::ldexp(1.0, bits - 1);
  } else {
    hi = std::ldexp(1.0, bits);
  }
  if (t < lo || t >= hi)
    throw OverflowError(msg(op, "Python integer " + std::to_string(t) + " out of bounds for " +
                                    std::string(dtype_name(target)) + "."));
}

Array setitem_value(nb::handle value, DType target) {
  if (is_ndarray(value)) return as_array(value);
  if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr()))
    return to_array(numpy().attr("asarray")(value, np_dtype(target)));
  return to_array(value);
}

}  // namespace minpy::py
