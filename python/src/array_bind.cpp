// The ndarray type: attributes, views, basic indexing and the operator protocol, all in C++ so
// small-array calls cost little. Python-level methods (repr, reductions, ...) are attached to the
// same type by the minpy package.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>

#include "axis_arg.h"
#include "convert.h"
#include "elision.h"
#include "gil.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "index_parse.h"
#include "minpy/indexing.h"
#include "minpy/ops.h"

namespace minpy::py {
namespace {

nb::tuple to_tuple(const Shape& s) {
  nb::list l;
  for (int64_t v : s) l.append(v);
  return nb::tuple(l);
}

// An integer as NumPy's shape/axes parsing takes it: floats and bools raise TypeError, values
// beyond int64 ValueError ("Maximum allowed dimension exceeded"), as NumPy's do. `py_axis`: an axis
// NumPy normalizes in Python (moveaxis, expand_dims): bools are ints there, and values beyond a C
// int are OverflowError.
int64_t index_value(nb::handle h, bool py_axis = false) {
  if (!py_axis && (PyBool_Check(h.ptr()) || PyObject_IsInstance(h.ptr(), numpy().attr("bool_").ptr()) == 1))
    throw TypeError(msg("shape", "an integer is required."));
  PyObject* i = PyNumber_Index(h.ptr());
  if (!i) throw nb::python_error();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
  Py_DECREF(i);
  if (py_axis && (overflow != 0 || v < INT32_MIN || v > INT32_MAX))
    throw OverflowError(msg("axis", "Python int too large to convert to C int."));
  if (overflow != 0) throw ValueError(msg("shape", "Maximum allowed dimension exceeded."));
  if (v == -1 && PyErr_Occurred()) throw nb::python_error();
  return v;
}

std::vector<int64_t> to_int_vector(nb::handle obj, bool py_axis = false) {
  std::vector<int64_t> v;
  if (PySequence_Check(obj.ptr()) && !is_ndarray(obj)) {
    for (nb::handle h : obj) v.push_back(index_value(h, py_axis));
  } else {
    v.push_back(index_value(obj, py_axis));
  }
  return v;
}

// shape given as reshape(2, 3) or reshape((2, 3)).
Shape shape_from_args(const nb::args& args) {
  if (args.size() == 0) throw TypeError(msg("reshape", "reshape() takes exactly 1 argument (0 given)."));
  if (args.size() == 1) return to_int_vector(args[0]);
  Shape s;
  for (nb::handle h : args) s.push_back(index_value(h));
  return s;
}

char order_char(nb::handle order, const char* op) {
  if (order.is_none()) return 'C';
  std::string s = nb::cast<std::string>(order);
  if (s.size() != 1 || std::string("CFAK").find(s[0]) == std::string::npos)
    throw ValueError(msg(op, "order must be one of 'C', 'F', 'A', or 'K' (got '" + s + "')."));
  return s[0];
}

// A Python scalar holding element 0 of a size-1 array.
nb::object first_element(const Array& a) {
  return visit_dtype(a.dtype(), [&](auto v) -> nb::object {
    using T = decltype(v);
    T x = *a.data_as<T>();
    if constexpr (std::is_same_v<T, bool>) return nb::bool_(x);
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return nb::steal(PyLong_FromLongLong(x));
    else if constexpr (std::is_integral_v<T>) return nb::steal(PyLong_FromUnsignedLongLong(x));
    else if constexpr (std::is_same_v<T, complex64> || std::is_same_v<T, complex128>)
      return nb::steal(PyComplex_FromDoubles(x.real(), x.imag()));
    else return nb::float_(static_cast<double>(x));
  });
}

nb::object scalar_conversion(const Array& a, const char* what) {
  // NumPy >= 2.4: int()/float()/complex() take 0-d arrays only (size-1 n-d arrays raise too).
  if (a.ndim() != 0)
    throw TypeError(msg(what, "only 0-dimensional arrays can be converted to Python scalars."));
  return first_element(a);
}

nb::object getitem(nb::handle self, nb::handle key) {
  std::vector<IndexItem> items;
  Array a = as_array(self), r;
  parse_index(key, items, a.ndim());
  {
    // Basic keys only make views; advanced ones gather (work grows with the index arrays too).
    int64_t work = 0;
    for (const IndexItem& it : items)
      if (it.kind == IndexItem::Kind::Array) work = std::max({work, a.size(), it.array.size()});
    ReleaseGilIfLarge nogil(work);
    r = minpy::getitem(a, items);
  }
  return wrap_array(std::move(r));
}

void setitem(nb::handle self, nb::handle key, nb::handle value) {
  autograd::WriteTarget autograd_target(as_array(self));  // autograd: the write changes self's value
  std::vector<IndexItem> items;
  parse_index(key, items, as_array(self).ndim());
  Array a = as_array(self);
  if (!a.writeable()) throw ValueError(msg("setitem", "assignment destination is read-only."));
  // Work: one element for a full integer key, else up to the whole array (and the index arrays).
  bool one_element = static_cast<int>(items.size()) >= a.ndim();
  int64_t work = 0;
  for (const IndexItem& it : items) {
    if (it.kind != IndexItem::Kind::Int) one_element = false;
    if (it.kind == IndexItem::Kind::Array) work = std::max(work, it.array.size());
  }
  if (!one_element) work = std::max(work, a.size());
  try {
    bool advanced = false;
    for (const IndexItem& it : items) advanced = advanced || it.kind == IndexItem::Kind::Array;
    check_scalar_assign(value, a.dtype(), "setitem", advanced);
  } catch (...) {
    (void)minpy::getitem(a, items);  // NumPy reports a bad index before a bad value
    throw;
  }
  if (is_python_scalar(value)) {
    Scalar v = to_scalar(value);
    ReleaseGilIfLarge nogil(work);
    minpy::setitem(a, items, v);
  } else {
    Array v = setitem_value(value, a.dtype());
    ReleaseGilIfLarge nogil(std::max(work, v.size()));
    minpy::setitem(a, items, v);
  }
}

nb::dict array_interface(const Array& a) {
  if (a.device().type != DeviceType::CPU)
    throw TypeError(msg("__array_interface__", "the array is on " + a.device().str() + "; copy it to the host first."));
  static const char* typestr[] = {"|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
                                  "<f2", "<f4", "<f8", "<c8", "<c16"};
  nb::dict d;
  d["shape"] = to_tuple(a.shape());
  d["strides"] = to_tuple(a.strides());
  d["typestr"] = typestr[static_cast<int>(a.dtype())];
  d["data"] = nb::make_tuple(reinterpret_cast<uintptr_t>(a.data()), !a.writeable());
  d["version"] = 3;
  return d;
}

// ---- buffer protocol: zero-copy memoryview / np.asarray of CPU arrays ----
struct BufferInfo {
  std::vector<Py_ssize_t> shape, strides;
};
int getbuffer(PyObject* self, Py_buffer* view, int flags) {
  try {
    Array a = as_array(self);
    if (a.device().type != DeviceType::CPU) {
      PyErr_SetString(PyExc_BufferError, "[buffer] the array is not in host memory.");
      return -1;
    }
    if ((flags & PyBUF_WRITABLE) && !a.writeable()) {
      PyErr_SetString(PyExc_BufferError, "[buffer] the array is read-only.");
      return -1;
    }
    static const char* formats[] = {"?", "b", "h", "i", "l", "B", "H", "I", "L", "e", "f", "d", "Zf", "Zd"};
    auto* info = new BufferInfo{{a.shape().begin(), a.shape().end()}, {a.strides().begin(), a.strides().end()}};
    view->buf = a.data();
    view->obj = Py_NewRef(self);
    view->len = a.nbytes();
    view->readonly = !a.writeable();
    view->itemsize = static_cast<Py_ssize_t>(a.itemsize());
    view->format = (flags & PyBUF_FORMAT) ? const_cast<char*>(formats[static_cast<int>(a.dtype())]) : nullptr;
    view->ndim = a.ndim();
    view->shape = info->shape.data();
    view->strides = info->strides.data();
    view->suboffsets = nullptr;
    view->internal = info;
    return 0;
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_BufferError, e.what());
    return -1;
  }
}
void releasebuffer(PyObject*, Py_buffer* view) { delete static_cast<BufferInfo*>(view->internal); }

// ---- a[key] fast path ----
// Indexing small arrays is dominated by per-call overhead, so the most common keys (one int, one
// slice, a tuple of ints and slices) build the result here directly: no IndexItem list, no Shape
// temporaries, no size/overflow checks (a sub-view is never bigger than its array).
constexpr int kFastDims = 16;

// A view of `a` with the given layout (what Array::view makes; the caller checked the bounds).
Array sub_view(const Array& a, const int64_t* shape, const int64_t* strides, int nd, int64_t offset) {
  const std::shared_ptr<ArrayImpl>& src = a.impl();
  auto v = new_array_impl();
  v->storage = src->storage;
  v->shape.assign(shape, shape + nd);
  v->strides.assign(strides, strides + nd);
  int64_t size = 1;
  for (int i = 0; i < nd; ++i) size *= shape[i];
  v->size = size;
  v->offset = src->offset + offset;
  v->dtype = src->dtype;
  v->writeable = src->writeable;
  v->base = src->base ? src->base : src;
  return Array(std::move(v));
}

// One element as a 0-d array owning a copy of it (NumPy returns a scalar there: a value, not a view).
Array element_copy(const Array& a, int64_t offset) {
  size_t isz = a.itemsize();
  auto impl = new_array_impl();
  impl->storage = new_storage(isz, kCPU);
  void* dst = impl->storage->data;
  const char* src = a.data() + offset;
  switch (isz) {  // fixed-size copies compile to one move (a variable-size memcpy is a call)
    case 1: std::memcpy(dst, src, 1); break;
    case 2: std::memcpy(dst, src, 2); break;
    case 4: std::memcpy(dst, src, 4); break;
    case 8: std::memcpy(dst, src, 8); break;
    case 16: std::memcpy(dst, src, 16); break;
    default: std::memcpy(dst, src, isz);
  }
  impl->dtype = a.dtype();
  return Array(std::move(impl));
}

// a[key] for int / slice / tuple-of-int-and-slice keys on a CPU array. Returns null when the key
// needs the general path (other kinds, out-of-range ints: getitem raises NumPy's error), or with a
// Python error set (a bad slice).
PyObject* fast_getitem(const Array& a, PyObject* key) {
  int nd = a.ndim();
  if (nd == 0 || nd > kFastDims || a.device().type != DeviceType::CPU) return nullptr;
  PyObject* const* keys = &key;
  Py_ssize_t nkeys = 1;
  if (PyTuple_CheckExact(key)) {
    nkeys = PyTuple_GET_SIZE(key);
    if (nkeys == 0 || nkeys > nd) return nullptr;
    keys = PySequence_Fast_ITEMS(key);
  }
  const int64_t* shp = a.shape().data();
  const int64_t* str = a.strides().data();
  int64_t shape[kFastDims], strides[kFastDims], offset = 0;
  int k = 0;
  for (Py_ssize_t i = 0; i < nkeys; ++i) {
    PyObject* item = keys[i];
    int64_t n = shp[i];
    if (PyLong_CheckExact(item)) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(item, &overflow);
      if (overflow || v < -n || v >= n) return nullptr;
      offset += (v < 0 ? v + n : v) * str[i];
    } else if (PySlice_Check(item)) {
      Py_ssize_t start, stop, step;
      if (PySlice_Unpack(item, &start, &stop, &step) < 0) return nullptr;
      Py_ssize_t len = PySlice_AdjustIndices(n, &start, &stop, step);
      if (len > 0) offset += start * str[i];
      else step = 1;  // NumPy's empty slices: offset 0, unit step
      shape[k] = len;
      // stride * step wraps like NumPy's (a[::2**62] has one element; its stride is never used)
      strides[k] = static_cast<int64_t>(static_cast<uint64_t>(str[i]) * static_cast<uint64_t>(step));
      ++k;
    } else {
      return nullptr;
    }
  }
  for (int i = static_cast<int>(nkeys); i < nd; ++i, ++k) {
    shape[k] = shp[i];
    strides[k] = str[i];
  }
  Array r = k == 0 ? element_copy(a, offset) : sub_view(a, shape, strides, k, offset);
  return wrap_array(std::move(r)).release().ptr();
}

PyObject* mp_subscript(PyObject* self, PyObject* key) {
  try {
    const Array& a = as_array(self);
    // Recording arrays take the general path, which records the view or copy for autograd.
    if (!autograd::recording()) {
      if (PyObject* r = fast_getitem(a, key)) return r;
      if (PyErr_Occurred()) return nullptr;
    }
    return getitem(self, key).release().ptr();
  } catch (...) {
    set_python_error(std::current_exception());
    return nullptr;
  }
}

int mp_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  if (!value) {
    PyErr_SetString(PyExc_ValueError, "[delitem] cannot delete array elements.");
    return -1;
  }
  try {
    setitem(self, key, value);
    return 0;
  } catch (...) {
    set_python_error(std::current_exception());
    return -1;
  }
}

PyType_Slot array_slots[] = {{Py_bf_getbuffer, reinterpret_cast<void*>(getbuffer)},
                             {Py_mp_subscript, reinterpret_cast<void*>(mp_subscript)},
                             {Py_mp_ass_subscript, reinterpret_cast<void*>(mp_ass_subscript)},
                             {Py_bf_releasebuffer, reinterpret_cast<void*>(releasebuffer)},
                             {0, nullptr}};

// Binary operator through a ufunc; NotImplemented lets Python try the other operand.
// NumPy compares an array with None, a dict or a set through an object array: == and != hold
// elementwise (False/True), ordering raises the elements' TypeError unless there are no elements.
nb::object compare_with_object(const Ufunc& uf, nb::handle self_h, nb::handle other) {
  Array self = as_array(self_h);
  if (uf.name == "equal" || uf.name == "not_equal") {
    Array r = Array::empty(self.shape(), DType::Bool);
    assign(r, Scalar::from_bool(uf.name == "not_equal"), uf.name.c_str());
    return wrap_array(std::move(r));
  }
  if (self.size() == 0) return wrap_array(Array::empty(self.shape(), DType::Bool));
  static const std::pair<const char*, const char*> symbols[] = {
      {"less", "<"}, {"less_equal", "<="}, {"greater", ">"}, {"greater_equal", ">="}};
  std::string sym = uf.name;
  for (const auto& [n, s] : symbols)
    if (uf.name == n) sym = s;
  throw TypeError("'" + sym + "' not supported between instances of '" + dtype_name(self.dtype()) + "' and '" +
                  Py_TYPE(other.ptr())->tp_name + "'");
}

nb::object binary(const Ufunc& uf, nb::handle a, nb::handle b, bool reflected) {
  Operand other;
  if (!to_operand(reflected ? a : b, other)) {
    nb::handle o = reflected ? a : b;
    if (uf.is_comparison && (o.is_none() || PyDict_CheckExact(o.ptr()) || PyAnySet_CheckExact(o.ptr())))
      return compare_with_object(uf, reflected ? b : a, o);
    return nb::borrow(Py_NotImplemented);
  }
  Operand self = as_array(reflected ? b : a);
  std::vector<Operand> ins;  // the operands moved in: can_elide_into counts who holds an array
  ins.reserve(2);
  ins.push_back(std::move(reflected ? other : self));
  ins.push_back(std::move(reflected ? self : other));
  for (nb::handle h : {a, b}) {
    if (!can_elide_into(h, uf, ins)) continue;
    UfuncOptions opt;
    opt.out = {as_array(h)};
    {
      ReleaseGilIfLarge nogil(ufunc_elements(ins, opt.out));
      call_ufunc(uf, ins, opt);
    }
    return nb::borrow(h);
  }
  Array r;
  {
    ReleaseGilIfLarge nogil(ufunc_elements(ins));
    r = call_ufunc(uf, ins)[0];
  }
  return wrap_array(std::move(r));
}
nb::object inplace(const Ufunc& uf, nb::handle a, nb::handle b) {
  Operand other;
  if (!to_operand(b, other)) return nb::borrow(Py_NotImplemented);
  Array self = as_array(a);
  UfuncOptions opt;
  opt.out = {self};
  std::vector<Operand> ins{self, other};
  {
    ReleaseGilIfLarge nogil(ufunc_elements(ins, opt.out));
    call_ufunc(uf, ins, opt);
  }
  return nb::borrow(a);
}

// NumPy's ndarray.__pow__ shortcuts for exact Python int/float exponents: x**2 is square(x) (so
// bool**2 is int8), and for float/complex x, x**-1 is reciprocal(x) and x**0.5 is sqrt(x) (so
// (-0.0)**0.5 is -0.0 and (-inf)**0.5 is nan, unlike np.power).
const char* fast_power(const Array& a, nb::handle exponent) {
  PyObject* e = exponent.ptr();
  bool inexact = is_inexact(a.dtype());
  if (PyLong_CheckExact(e)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(e, &overflow);
    if (overflow) return nullptr;
    if (v == 2) return "square";
    if (v == -1 && inexact) return "reciprocal";
  } else if (PyFloat_CheckExact(e) && PyFloat_AS_DOUBLE(e) == 0.5 && inexact) {
    return "sqrt";
  }
  return nullptr;
}
nb::object power_op(nb::handle a, nb::handle b, bool in_place) {
  Array self = as_array(a);
  const char* fast = fast_power(self, b);
  if (!fast) return in_place ? inplace(get_ufunc("power"), a, b) : binary(get_ufunc("power"), a, b, false);
  UfuncOptions opt;
  if (in_place) opt.out = {self};
  Array r;
  {
    ReleaseGilIfLarge nogil(self.size());
    r = call_ufunc(get_ufunc(fast), {self}, opt)[0];
  }
  return in_place ? nb::borrow(a) : nb::cast(r);
}

}  // namespace

void init_array(nb::module_& m) {
  auto cls = nb::class_<PyArray>(m, "ndarray", nb::type_slots(array_slots), nb::pooled(256),
                                   "An N-dimensional array on minpy's engine, with NumPy's semantics.");
  g_ndarray_type = reinterpret_cast<PyTypeObject*>(cls.ptr());

  cls.def_prop_ro("shape", [](nb::handle s) { return to_tuple(as_array(s).shape()); })
      .def_prop_ro("strides", [](nb::handle s) { return to_tuple(as_array(s).strides()); })
      .def_prop_ro("ndim", [](nb::handle s) { return as_array(s).ndim(); })
      .def_prop_ro("size", [](nb::handle s) { return as_array(s).size(); })
      .def_prop_ro("dtype", [](nb::handle s) { return np_dtype(as_array(s).dtype()); })
      .def_prop_ro("itemsize", [](nb::handle s) { return as_array(s).itemsize(); })
      .def_prop_ro("nbytes", [](nb::handle s) { return as_array(s).nbytes(); })
      .def_prop_ro("T", [](nb::handle s) { return transpose(as_array(s)); })
      .def_prop_ro("mT", [](nb::handle s) {
        Array a = as_array(s);
        if (a.ndim() < 2) throw ValueError(msg("mT", "matrix transpose with ndim < 2 is undefined."));
        return swapaxes(a, -1, -2);
      })
      .def_prop_ro("base", [](nb::handle s) -> nb::object {
        Array a = as_array(s);
        if (a.owns_data()) return nb::none();
        return nb::cast(a.base());
      })
      .def_prop_ro("_c_contiguous", [](nb::handle s) { return as_array(s).c_contiguous(); })
      .def_prop_ro("_f_contiguous", [](nb::handle s) { return as_array(s).f_contiguous(); })
      .def_prop_ro("_owndata", [](nb::handle s) { return as_array(s).owns_data(); })
      .def_prop_rw("_writeable", [](nb::handle s) { return as_array(s).writeable(); },
                   [](nb::handle s, bool w) { as_array(s).set_writeable(w); })
      .def_prop_ro("_data_ptr", [](nb::handle s) { return reinterpret_cast<uintptr_t>(as_array(s).data()); })
      .def_prop_ro("_storage_id", [](nb::handle s) { return reinterpret_cast<uintptr_t>(as_array(s).storage().get()); })
      .def_prop_ro("_offset", [](nb::handle s) { return as_array(s).offset(); })
      .def_prop_ro("__array_interface__", [](nb::handle s) { return array_interface(as_array(s)); })
      .def_prop_rw("real", [](nb::handle s) { return real_part(as_array(s)); },
                   [](nb::handle s, nb::handle v) { assign(real_part(as_array(s)), to_array(v)); })
      .def_prop_rw("imag", [](nb::handle s) { return imag_part(as_array(s)); },
                   [](nb::handle s, nb::handle v) {
                     Array a = as_array(s);
                     if (!is_complex(a.dtype()))
                       throw TypeError(msg("imag", "array does not have imaginary part to set."));
                     assign(imag_part(a), to_array(v));
                   });

  cls.def("copy",
          [](nb::handle s, nb::handle order) {
            Array a = as_array(s);
            char o = order_char(order, "copy");
            ReleaseGilIfLarge nogil(a.size());
            return copy(a, o);
          },
          nb::arg("order") = "C")
      .def("astype",
           [](nb::handle s, nb::handle dtype, nb::handle order, const std::string& casting, bool subok, bool cp) {
             Array a = as_array(s);
             DType t = to_dtype(dtype);
             Casting c = casting_from_name(casting);
             char o = order_char(order, "astype");
             ReleaseGilIfLarge nogil(a.size());
             Array r = astype(a, t, c, cp);
             if (o == 'C' && !r.c_contiguous()) r = copy(r, 'C');
             else if (o == 'F' && !r.f_contiguous()) r = copy(r, 'F');
             return r;
           },
           nb::arg("dtype"), nb::arg("order") = "K", nb::arg("casting") = "unsafe", nb::arg("subok") = true,
           nb::arg("copy") = true)
      .def("reshape",
           [](nb::handle s, nb::args shape, nb::handle order, nb::handle copy_arg) {
             char o = order_char(order, "reshape");
             if (o == 'K') throw ValueError(msg("reshape", "order 'K' is not permitted for reshaping."));
             Array a = as_array(s);
             // 'A' is Fortran order for Fortran-contiguous (and not C-contiguous) arrays, as NumPy.
             if (o == 'A') o = a.f_contiguous() && !a.c_contiguous() ? 'F' : 'C';
             Array r = reshape(a, shape_from_args(shape), o);
             if (!copy_arg.is_none() && nb::cast<bool>(copy_arg)) {
               Array c = copy(r, 'C');
               r = c.view(c.shape(), c.strides(), 0);  // NumPy returns a view of the copy
             }
             return r;
           },
           nb::arg("shape"), nb::kw_only(), nb::arg("order") = "C", nb::arg("copy") = nb::none())
      .def("transpose",
           [](nb::handle s, nb::args axes) {
             if (axes.size() == 0 || (axes.size() == 1 && axes[0].is_none())) return transpose(as_array(s));
             std::vector<int64_t> ax = axes.size() == 1 ? to_int_vector(axes[0]) : shape_from_args(axes);
             Array a = as_array(s);
             if (static_cast<int64_t>(ax.size()) != a.ndim())  // transpose(()) on an n-d array too
               throw ValueError(msg("transpose", "axes don't match array."));
             return transpose(a, ax);
           })
      .def("swapaxes", [](nb::handle s, nb::handle a, nb::handle b) {
        return swapaxes(as_array(s), py_axis(a), py_axis(b));
      })
      .def("squeeze",
           [](nb::handle s, nb::handle axis) {
             if (axis.is_none()) return squeeze(as_array(s));
             if (PyList_Check(axis.ptr()))
               throw TypeError(msg("squeeze", "'list' object cannot be interpreted as an integer."));
             if (!PySequence_Check(axis.ptr())) {
               // One int axis: 0 or -1 on a 0-d array is allowed (PyArray_ConvertMultiAxis).
               int64_t ax = c_axis(axis);
               Array x = as_array(s);
               if (x.ndim() == 0 && (ax == 0 || ax == -1)) return squeeze(x);
               return squeeze(x, {ax}, false);
             }
             return squeeze(as_array(s), to_int_vector(axis), false);
           },
           nb::arg("axis") = nb::none())
      .def("ravel", [](nb::handle s, nb::handle order) { return ravel(as_array(s), order_char(order, "ravel")); },
           nb::arg("order") = "C")
      .def("flatten",
           [](nb::handle s, nb::handle order) {
             // Always a new array that owns its data (ravel's result when it had to copy).
             Array r = ravel(as_array(s), order_char(order, "flatten"));
             return r.owns_data() ? r : copy(r, 'C');
           },
           nb::arg("order") = "C")
      .def("diagonal",
           [](nb::handle s, int64_t offset, nb::handle a1, nb::handle a2) {
             return diagonal(as_array(s), offset, py_axis(a1), py_axis(a2));
           },
           nb::arg("offset") = 0, nb::arg("axis1") = 0, nb::arg("axis2") = 1)
      .def("fill",
           [](nb::handle s, nb::handle v) {
             Array a = as_array(s);
             // NumPy packs the value into one element: a sequence or an array of ndim > 0 is
             // an error of the element conversion (bool takes its truth value).
             const bool seq = PyList_Check(v.ptr()) || PyTuple_Check(v.ptr());
             const bool arr_nd = !seq && (is_ndarray(v) || nb::isinstance(v, numpy().attr("ndarray"))) &&
                                 nb::cast<int64_t>(v.attr("ndim")) > 0;
             if (seq || arr_nd) {
               const Kind k = kind(a.dtype());
               const std::string tn = Py_TYPE(v.ptr())->tp_name;
               if (k == Kind::Bool && (seq || nb::cast<int64_t>(v.attr("size")) == 1)) {
                 int t = PyObject_IsTrue(v.ptr());
                 if (t < 0) throw nb::python_error();
                 assign(a, Scalar::from_bool(t != 0), "fill");
                 return;
               }
               if (k == Kind::Complex)
                 throw TypeError(seq ? "must be real number, not " + tn
                                     : std::string("only 0-dimensional arrays can be converted to Python scalars"));
               if ((k == Kind::Int || k == Kind::UInt) && seq)
                 throw TypeError("int() argument must be a string, a bytes-like object or a real number, not '" + tn + "'");
               throw ValueError("setting an array element with a sequence.");
             }
             check_scalar_assign(v, a.dtype(), "fill");
             if (is_python_scalar(v)) {
               Scalar x = to_scalar(v);
               ReleaseGilIfLarge nogil(a.size());
               assign(a, x, "fill");
             } else {
               Array x = to_array(v);
               ReleaseGilIfLarge nogil(a.size());
               assign(a, x, Casting::Unsafe, "fill");
             }
           })
      .def("_item0", [](nb::handle s) { return first_element(as_array(s)); })
      .def("__len__",
           [](nb::handle s) {
             Array a = as_array(s);
             if (a.ndim() == 0) throw TypeError(msg("len", "len() of unsized object."));
             return a.shape(0);
           })
      .def("__bool__",
           [](nb::handle s) {
             Array a = as_array(s);
             if (a.size() != 1)
               throw ValueError(msg("bool", a.size() == 0
                                                ? "The truth value of an empty array is ambiguous. Use `array.size > 0` to check that an array is not empty."
                                                : "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()."));
             return nb::cast<bool>(nb::bool_(first_element(a)));
           })
      .def("__float__", [](nb::handle s) { return nb::float_(scalar_conversion(as_array(s), "float")); })
      .def("__int__", [](nb::handle s) { return nb::int_(scalar_conversion(as_array(s), "int")); })
      .def("__complex__", [](nb::handle s) {
        nb::object v = scalar_conversion(as_array(s), "complex");
        return nb::steal(PyComplex_FromCComplex(PyComplex_AsCComplex(v.ptr())));
      })
      .def("__index__", [](nb::handle s) {
        Array a = as_array(s);
        if (a.ndim() != 0 || !(is_integer(a.dtype()) || a.dtype() == DType::Bool) || a.dtype() == DType::Bool)
          throw TypeError(msg("index", "only integer scalar arrays can be converted to a scalar index."));
        return first_element(a);
      });

  // Operators. Each name is a ufunc; in-place forms write into the left operand.
  struct Op { const char* dunder; const char* ufunc; };
  static const Op binary_ops[] = {
      {"add", "add"}, {"sub", "subtract"}, {"mul", "multiply"}, {"truediv", "true_divide"},
      {"floordiv", "floor_divide"}, {"mod", "remainder"}, {"pow", "power"}, {"and", "bitwise_and"},
      {"or", "bitwise_or"}, {"xor", "bitwise_xor"}, {"lshift", "left_shift"}, {"rshift", "right_shift"}};
  for (const Op& op : binary_ops) {
    std::string d = op.dunder;
    const Ufunc* uf = &get_ufunc(op.ufunc);
    cls.def(("__r" + d + "__").c_str(), [uf](nb::handle a, nb::handle b) { return binary(*uf, b, a, true); },
            nb::arg("other").none());
    if (d == "pow") continue;  // below, with NumPy's shortcuts
    cls.def(("__" + d + "__").c_str(), [uf](nb::handle a, nb::handle b) { return binary(*uf, a, b, false); },
            nb::arg("other").none());
    cls.def(("__i" + d + "__").c_str(), [uf](nb::handle a, nb::handle b) { return inplace(*uf, a, b); },
            nb::arg("other").none());
  }
  cls.def("__pow__", [](nb::handle a, nb::handle b) { return power_op(a, b, false); }, nb::arg("other").none());
  cls.def("__ipow__", [](nb::handle a, nb::handle b) { return power_op(a, b, true); }, nb::arg("other").none());
  static const Op compare_ops[] = {{"lt", "less"}, {"le", "less_equal"}, {"gt", "greater"},
                                   {"ge", "greater_equal"}, {"eq", "equal"}, {"ne", "not_equal"}};
  for (const Op& op : compare_ops) {
    const Ufunc* uf = &get_ufunc(op.ufunc);
    bool is_eq = std::string(op.dunder) == "eq", is_ne = std::string(op.dunder) == "ne";
    cls.def((std::string("__") + op.dunder + "__").c_str(),
            [uf, is_eq, is_ne](nb::handle a, nb::handle b) -> nb::object {
              // NumPy compares with None elementwise: all False for ==, all True for !=.
              if (b.is_none() && (is_eq || is_ne)) {
                Array r = Array::empty(as_array(a).shape(), DType::Bool);
                assign(r, Scalar::from_bool(is_ne));
                return wrap_array(std::move(r));
              }
              return binary(*uf, a, b, false);
            },
            nb::arg("other").none());
  }
  static const Op unary_ops[] = {{"neg", "negative"}, {"pos", "positive"}, {"abs", "absolute"}, {"invert", "invert"}};
  for (const Op& op : unary_ops) {
    const Ufunc* uf = &get_ufunc(op.ufunc);
    cls.def((std::string("__") + op.dunder + "__").c_str(),
            [uf](nb::handle a) { return call_ufunc(*uf, {as_array(a)})[0]; });
  }
  cls.def("__divmod__", [](nb::handle a, nb::handle b) -> nb::object {
    Operand o;
    if (!to_operand(b, o)) return nb::borrow(Py_NotImplemented);
    auto r = call_ufunc(get_ufunc("divmod"), {as_array(a), o});
    return nb::make_tuple(r[0], r[1]);
  }, nb::arg("other").none());
  cls.def("__rdivmod__", [](nb::handle a, nb::handle b) -> nb::object {
    Operand o;
    if (!to_operand(b, o)) return nb::borrow(Py_NotImplemented);
    auto r = call_ufunc(get_ufunc("divmod"), {o, as_array(a)});
    return nb::make_tuple(r[0], r[1]);
  }, nb::arg("other").none());
  cls.attr("__hash__") = nb::none();

  m.def("empty", [](nb::handle shape, nb::handle dtype) {
    return Array::empty(to_int_vector(shape), dtype.is_none() ? DType::Float64 : to_dtype(dtype));
  }, nb::arg("shape"), nb::arg("dtype").none() = nb::none());
  m.def("full", [](nb::handle shape, nb::handle value, nb::handle dtype) {
    Shape s = to_int_vector(shape);
    if (is_python_scalar(value)) {
      Scalar v = to_scalar(value);
      Array a = Array::empty(s, dtype.is_none() ? v.default_dtype() : to_dtype(dtype));
      ReleaseGilIfLarge nogil(a.size());
      assign(a, v, "full");
      return a;
    }
    Array v = to_array(value);
    Array a = Array::empty(s, dtype.is_none() ? v.dtype() : to_dtype(dtype));
    ReleaseGilIfLarge nogil(a.size());
    assign(a, v, Casting::Unsafe, "full");
    return a;
  }, nb::arg("shape"), nb::arg("fill_value"), nb::arg("dtype").none() = nb::none());
  m.def("asarray", [](nb::handle obj, nb::handle dtype, bool copy_it) {
    Array a = to_array(obj, copy_it);
    if (!dtype.is_none()) {
      DType t = to_dtype(dtype);
      if (t != a.dtype()) {
        ReleaseGilIfLarge nogil(a.size());
        a = astype(a, t);
      }
    }
    return a;
  }, nb::arg("obj"), nb::arg("dtype").none() = nb::none(), nb::arg("copy") = false);
  m.def("broadcast_to", [](nb::handle a, nb::handle shape) {
    Array src = to_array(a);
    Array v = broadcast_to(src, to_int_vector(shape));
    v.impl()->writeable = false;
    if (autograd::recording()) autograd::record_broadcast(src, v);  // autograd hook
    return v;
  });
  m.def("expand_dims", [](nb::handle a, nb::handle axes) { return expand_dims(to_array(a), to_int_vector(axes, true)); });
  m.def("moveaxis", [](nb::handle a, nb::handle s, nb::handle d) {
    return moveaxis(to_array(a), to_int_vector(s, true), to_int_vector(d, true));
  });
  m.def("ascontiguousarray", [](nb::handle a) {
    Array x = to_array(a);
    ReleaseGilIfLarge nogil(x.size());
    return ascontiguousarray(x);
  });
  m.def("may_share_memory", [](nb::handle a, nb::handle b) { return as_array(a).may_share_memory(as_array(b)); });
  m.def("view", [](nb::handle a, nb::handle shape, nb::handle strides, int64_t offset, nb::handle dtype) {
    Array base = as_array(a);
    Shape sh = to_int_vector(shape), st = to_int_vector(strides);
    DType t = dtype.is_none() ? base.dtype() : to_dtype(dtype);
    // Only views that stay inside the storage: this is reachable from Python.
    int64_t lo = base.offset() + offset, hi = lo;
    if (sh.size() != st.size()) throw ValueError(msg("view", "shape and strides differ in length."));
    if (shape_size(sh) > 0) {
      for (size_t i = 0; i < sh.size(); ++i) (st[i] < 0 ? lo : hi) += (sh[i] - 1) * st[i];
      if (lo < 0 || hi + static_cast<int64_t>(itemsize(t)) > static_cast<int64_t>(base.storage()->nbytes))
        throw ValueError(msg("view", "the view does not fit in the array's memory."));
    }
    return base.view(sh, st, offset, t);
  }, nb::arg("a"), nb::arg("shape"), nb::arg("strides"), nb::arg("offset"), nb::arg("dtype").none() = nb::none());
}

}  // namespace minpy::py
