// The extension module minpy._core: engine exceptions become NumPy's exception classes.
#include <nanobind/stl/string.h>

#include "convert.h"
#include "minpy/config.h"
#include "minpy/errors.h"
#include "minpy/threading.h"

namespace minpy::py {
void init_array(nb::module_& m);
void init_ufunc(nb::module_& m);
void init_indexing(nb::module_& m);
void init_linalg(nb::module_& m);
void init_random(nb::module_& m);
void init_reductions(nb::module_& m);
void init_autograd(nb::module_& m);
void init_shape_ops(nb::module_& m);
void init_nn_norm(nb::module_& m);
void init_nn_conv(nb::module_& m);
void init_errstate(nb::module_& m);
}  // namespace minpy::py

using namespace minpy;

namespace minpy::py {
// Sets the Python error for an engine exception (NumPy's class for each engine class).
void set_python_error(const std::exception_ptr& p) {
    try {
      std::rethrow_exception(p);
    } catch (nb::python_error& e) {
      e.restore();
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
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
}
}  // namespace minpy::py

NB_MODULE(_core, m) {
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const minpy::Error&) {
      py::set_python_error(p);
    } catch (const std::bad_alloc&) {
      py::set_python_error(p);
    }
  });
  py::init_array(m);
  py::init_ufunc(m);
  py::init_indexing(m);
  py::init_linalg(m);
  py::init_random(m);
  py::init_reductions(m);
  py::init_autograd(m);
  py::init_shape_ops(m);
  py::init_nn_norm(m);
  py::init_nn_conv(m);
  py::init_errstate(m);
  m.def("num_threads", &num_threads);
  m.def("set_num_threads", &set_num_threads);
  m.def("config", [] {
    BuildInfo b = build_info();
    nb::dict d;
    d["blas"] = b.blas;
    d["simd"] = b.simd;
    d["threads"] = b.threads;
    d["compiler"] = b.compiler;
    d["cuda"] = b.cuda;
    return d;
  });
}
