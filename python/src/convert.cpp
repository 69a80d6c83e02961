#include "convert.h"

#include <nanobind/stl/string.h>

#include <cstring>
#include <unordered_map>

#include "backend/cpu/kernels.h"
#include "minpy/errors.h"
#include "minpy/ops.h"

namespace minpy::py {

PyTypeObject* g_ndarray_type = nullptr;

nb::object wrap_array(const Array& a) {
  if (!a.defined()) return nb::none();
  if (auto* existing = static_cast<PyObject*>(a.impl()->binding_object)) return nb::borrow(existing);
  return wrap_array(Array(a));
}

nb::object wrap_array(Array&& a) {
  if (!a.defined()) return nb::none();
  ArrayImpl* impl = a.impl().get();
  if (auto* existing = static_cast<PyObject*>(impl->binding_object)) return nb::borrow(existing);
  nb::object inst = nb::inst_alloc(nb::handle(reinterpret_cast<PyObject*>(g_ndarray_type)));
  // Moved in: handing the handle over costs no reference-count traffic (atomic operations).
  new (nb::inst_ptr<PyArray>(inst)) PyArray{std::move(a), inst.ptr()};
  nb::inst_mark_ready(inst);
  impl->binding_object = inst.ptr();
  return inst;
}

nb::object numpy() {
  // Leaked on purpose: destroying Python objects after the interpreter is gone would crash.
  static nb::object* np = new nb::object(nb::module_::import_("numpy"));
  return *np;
}

nb::object np_dtype(DType t) {
  static nb::object* cache = new nb::object[kNumDTypes];
  nb::object& o = cache[static_cast<int>(t)];
  if (!o.is_valid()) o = numpy().attr("dtype")(dtype_name(t));
  return o;
}

DType to_dtype(nb::handle obj) {
  // Type objects and dtype instances live as long as the process: cache them by identity.
  static std::unordered_map<PyObject*, DType> cache;
  bool cacheable = PyType_Check(obj.ptr()) || nb::isinstance(obj, numpy().attr("dtype"));
  if (cacheable) {
    auto it = cache.find(obj.ptr());
    if (it != cache.end()) return it->second;
  }
  nb::object d;
  try {
    d = numpy().attr("dtype")(obj);
  } catch (nb::python_error& e) {
    throw TypeError(msg("dtype", "data type " + std::string(nb::str(nb::repr(obj)).c_str()) + " not understood."));
  }
  std::string name = nb::cast<std::string>(d.attr("name"));
  DType t;
  try {
    t = dtype_from_name(name);
  } catch (const TypeError&) {
    throw TypeError(msg("dtype", "minpy does not support dtype " + name + "."));
  }
  if (cacheable) {
    obj.inc_ref();  // keep it alive so the pointer key stays valid
    cache[obj.ptr()] = t;
  }
  return t;
}

bool is_python_scalar(nb::handle obj) {
  PyObject* p = obj.ptr();
  return PyBool_Check(p) || PyLong_CheckExact(p) || PyFloat_CheckExact(p) || PyComplex_CheckExact(p);
}

Scalar to_scalar(nb::handle obj) {
  PyObject* p = obj.ptr();
  if (PyBool_Check(p)) return Scalar::from_bool(p == Py_True);
  if (PyLong_Check(p)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (!overflow) return Scalar::from_int(v);
    Scalar s;
    s.kind = Scalar::Kind::Int;
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(p);
      if (!PyErr_Occurred()) {
        s.int_is_uint64 = true;
        s.u = u;
        s.f = static_cast<double>(u);
        return s;
      }
      PyErr_Clear();
    }
    s.int_too_big = true;
    s.f = PyLong_AsDouble(p);
    if (PyErr_Occurred()) {
      PyErr_Clear();
      s.f = overflow > 0 ? INFINITY : -INFINITY;
    }
    return s;
  }
  if (PyFloat_Check(p)) return Scalar::from_float(PyFloat_AS_DOUBLE(p));
  Py_complex c = PyComplex_AsCComplex(p);
  return Scalar::from_complex({c.real, c.imag});
}

namespace {

bool dtype_from_format(const char* f, DType& t) {
  while (*f == '<' || *f == '=' || *f == '@' || *f == '|') ++f;
  std::string s(f);
  if (s == "Zf") { t = DType::Complex64; return true; }
  if (s == "Zd") { t = DType::Complex128; return true; }
  if (s.size() != 1) return false;
  switch (s[0]) {
    case '?': t = DType::Bool; return true;
    case 'b': t = DType::Int8; return true;
    case 'B': t = DType::UInt8; return true;
    case 'h': t = DType::Int16; return true;
    case 'H': t = DType::UInt16; return true;
    case 'i': t = DType::Int32; return true;
    case 'I': t = DType::UInt32; return true;
    case 'l': case 'q': t = DType::Int64; return true;
    case 'L': case 'Q': t = DType::UInt64; return true;
    case 'e': t = DType::Float16; return true;
    case 'f': t = DType::Float32; return true;
    case 'd': t = DType::Float64; return true;
    default: return false;
  }
}

// Copies a buffer-protocol object (NumPy arrays and scalars) into a new C-contiguous array.
bool from_buffer(nb::handle obj, Array& out) {
  if (!PyObject_CheckBuffer(obj.ptr())) return false;
  Py_buffer view;
  if (PyObject_GetBuffer(obj.ptr(), &view, PyBUF_RECORDS_RO) != 0) {
    PyErr_Clear();
    return false;
  }
  DType t;
  bool ok = view.format && dtype_from_format(view.format, t);
  if (ok) {
    Shape shape(view.shape, view.shape + view.ndim), strides(view.ndim);
    for (int i = 0; i < view.ndim; ++i) strides[i] = view.strides[i];
    auto impl = std::make_shared<ArrayImpl>();
    impl->storage = std::make_shared<Storage>(view.buf, static_cast<size_t>(view.len), kCPU,
                                              std::shared_ptr<void>(view.buf, [](void*) {}));
    impl->shape = shape;
    impl->strides = strides;
    impl->size = shape_size(shape);
    impl->dtype = t;
    Array src(impl);
    out = Array::empty(shape, t);
    cpu::copy_cast(src, out);
  }
  PyBuffer_Release(&view);
  return ok;
}

}  // namespace

Array to_array(nb::handle obj, bool copy_it) {
  if (is_ndarray(obj)) {
    Array a = as_array(obj);
    return copy_it ? minpy::copy(a, 'K') : a;
  }
  if (is_python_scalar(obj)) {
    Scalar s = to_scalar(obj);
    return s.to_array(s.default_dtype(), "array");
  }
  Array out;
  if (from_buffer(obj, out)) return out;
  // Nested sequences and everything else: let NumPy parse it, then copy its buffer.
  nb::object arr = numpy().attr("asarray")(obj);
  if (from_buffer(arr, out)) return out;
  // Non-native byte order (e.g. '>i4'): NumPy converts it to the native type we hold.
  nb::object dt = arr.attr("dtype");
  std::string kind_char = nb::cast<std::string>(dt.attr("kind"));
  if (kind_char.size() == 1 && std::string("biufc").find(kind_char[0]) != std::string::npos) {
    arr = arr.attr("astype")(dt.attr("newbyteorder")("="));
    if (from_buffer(arr, out)) return out;
  }
  std::string name = nb::cast<std::string>(nb::str(nb::object(dt)));
  throw TypeError(msg("array", "minpy arrays cannot hold dtype " + name + "."));
}

bool to_operand(nb::handle obj, Operand& out) {
  if (is_ndarray(obj)) {
    out = as_array(obj);
    return true;
  }
  if (is_python_scalar(obj)) {
    out = to_scalar(obj);
    return true;
  }
  Array a;
  if (from_buffer(obj, a)) {
    out = a;
    return true;
  }
  if (PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr())) {
    out = to_array(obj);
    return true;
  }
  return false;
}

nb::object hook(const char* name) {
  static nb::object* hooks = new nb::object(nb::module_::import_("minpy.numpy._hooks"));
  return hooks->attr(name);
}

}  // namespace minpy::py
