// The extension module minpy._core: engine exceptions become NumPy's exception classes.
#include <nanobind/stl/string.h>

#include "convert.h"
#include "minpy/errors.h"
#include "minpy/threading.h"

namespace minpy::py {
void init_array(nb::module_& m);
void init_ufunc(nb::module_& m);
void init_shape_ops(nb::module_& m);
}  // namespace minpy::py

using namespace minpy;

NB_MODULE(_core, m) {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const AxisError& e) {
      static nb::object* cls = new nb::object(nb::module_::import_("numpy.exceptions").attr("AxisError"));
      PyErr_SetObject(cls->ptr(), nb::str(e.what()).ptr());
    } catch (const ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const OverflowError& e) {
      PyErr_SetString(PyExc_OverflowError, e.what());
    } catch (const ZeroDivisionError& e) {
      PyErr_SetString(PyExc_ZeroDivisionError, e.what());
    } catch (const NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "[alloc] out of memory.");
    }
  });
  py::init_array(m);
  py::init_ufunc(m);
  py::init_shape_ops(m);
  m.def("num_threads", &num_threads);
  m.def("set_num_threads", &set_num_threads);
  m.def("config", [] {
    nb::dict d;
    d["blas"] = MINPY_BLAS_NAME;
#if defined(__AVX512F__)
    d["simd"] = "AVX512F";
#elif defined(__AVX2__)
    d["simd"] = "AVX2";
#elif defined(__SSE4_2__)
    d["simd"] = "SSE4.2";
#else
    d["simd"] = "baseline";
#endif
    d["threads"] = num_threads();
    d["compiler"] = __VERSION__;
    d["cuda"] = false;
    return d;
  });
}
