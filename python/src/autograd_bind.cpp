// Autograd entry points for minpy.core: the tape lives in the engine; Python only starts and ends it.
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"

namespace minpy::py {

void init_autograd(nb::module_& m) {
  m.def("_ag_push", [] { return autograd::push_tape(); });
  m.def("_ag_pop", [](uint64_t t) { autograd::pop_tape(t); });
  m.def("_ag_active", [] { return autograd::recording(); });
  // x (any array-like or Python number) as a leaf of tape t.
  m.def("_ag_watch", [](nb::handle x, uint64_t t) {
    Array a = to_array(x);
    return autograd::watch(a, t);
  });
  m.def("_ag_tracked", [](nb::handle x) { return is_ndarray(x) && autograd::is_tracked(as_array(x)); });
  // Gradients of y w.r.t. the leaves xs; y may be any array-like (a constant gives zeros).
  m.def("_ag_backward", [](uint64_t t, nb::handle y, std::vector<Array> xs) {
    Array out = is_ndarray(y) ? as_array(y) : Array();
    if (!out.defined()) {
      Operand o;
      if (!y.is_none() && !to_operand(y, o))
        throw TypeError(msg("grad", "the differentiated function must return an array or a number."));
    }
    return autograd::backward(t, out, xs);
  });
  m.def("stop_gradient", [](nb::handle x) { return autograd::stop_gradient(to_array(x)); });
}

}  // namespace minpy::py
