// NumPy's floating-point error handling (np.seterr / np.errstate / np.seterrcall) for engine ops.
// The engine reports the IEEE flags an op raised (minpy/fp_errors.h); this handler reads the
// calling context's error modes from a contextvars.ContextVar (as NumPy 2 does, so the state is per
// thread and per asyncio task) and warns, raises FloatingPointError, calls, prints or logs.
// Only calls that raised a flag get here: the common path costs the engine's flag test alone.
#include <cstdio>

#include "convert.h"
#include "minpy/fp_errors.h"

namespace minpy::py {
namespace {

PyObject* g_state_var = nullptr;  // minpy.numpy._errstate's ContextVar: (packed modes, call)

enum Mode { kIgnore = 0, kWarn = 1, kRaise = 2, kCall = 3, kPrint = 4, kLog = 5 };

void fp_handler(int flags, const char* op) {
  nb::gil_scoped_acquire gil;
  if (!g_state_var) return;
  PyObject* state = nullptr;
  if (PyContextVar_Get(g_state_var, nullptr, &state) < 0) throw nb::python_error();
  nb::object st = nb::steal(state);
  if (!state || !PyTuple_Check(state) || PyTuple_GET_SIZE(state) != 2) return;
  long modes = PyLong_AsLong(PyTuple_GET_ITEM(state, 0));
  if (modes == -1 && PyErr_Occurred()) throw nb::python_error();
  PyObject* call = PyTuple_GET_ITEM(state, 1);
  // NumPy's order: divide, over, under, invalid.
  static const struct {
    int bit;
    const char* text;
    int shift;
  } kinds[] = {{fperr::kDivide, "divide by zero", 0},
               {fperr::kOverflow, "overflow", 3},
               {fperr::kUnderflow, "underflow", 6},
               {fperr::kInvalid, "invalid value", 9}};
  for (const auto& k : kinds) {
    if (!(flags & k.bit)) continue;
    int mode = static_cast<int>((modes >> k.shift) & 7);
    std::string text = std::string(k.text) + " encountered in " + op;
    switch (mode) {
      case kIgnore: break;
      case kWarn:
        if (PyErr_WarnEx(PyExc_RuntimeWarning, text.c_str(), 1) < 0) throw nb::python_error();
        break;
      case kRaise:
        PyErr_SetString(PyExc_FloatingPointError, text.c_str());
        throw nb::python_error();
      case kCall: {
        if (call == Py_None || !PyCallable_Check(call)) {
          PyErr_Format(PyExc_NameError, "python callback specified for %s (in  %s) but no function found.", k.text, op);
          throw nb::python_error();
        }
        nb::object r = nb::steal(PyObject_CallFunction(call, "si", k.text, k.bit));
        if (!r.is_valid()) throw nb::python_error();
        break;
      }
      case kPrint:
        std::fprintf(stdout, "Warning: %s\n", text.c_str());
        std::fflush(stdout);
        break;
      case kLog: {
        if (call == Py_None || !PyObject_HasAttrString(call, "write")) {
          PyErr_Format(PyExc_NameError, "log specified for %s (in %s) but no object with write method found.", k.text, op);
          throw nb::python_error();
        }
        nb::object r = nb::steal(PyObject_CallMethod(call, "write", "s", ("Warning: " + text + "\n").c_str()));
        if (!r.is_valid()) throw nb::python_error();
        break;
      }
      default: break;
    }
  }
}

void warning_handler(const char* text) {
  nb::gil_scoped_acquire gil;
  if (PyErr_WarnEx(PyExc_RuntimeWarning, text, 1) < 0) throw nb::python_error();
}

}  // namespace

void init_errstate(nb::module_& m) {
  fperr::set_handler(&fp_handler);
  fperr::set_warning_handler(&warning_handler);
  m.def("_set_errstate_var", [](nb::handle var) {
    if (!PyContextVar_CheckExact(var.ptr())) throw nb::type_error("a contextvars.ContextVar is required");
    Py_XINCREF(var.ptr());
    Py_XDECREF(g_state_var);
    g_state_var = var.ptr();
  });
}

}  // namespace minpy::py
