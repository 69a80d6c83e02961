// Autograd entry points for minpy.core: the tape lives in the engine; Python only starts and ends it.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"

namespace minpy::py {

namespace {
// A Python callable owned by C++ (a node's VJP). Copies of the std::function share it, so only the
// last owner touches the reference count, under the GIL (nodes may die wherever arrays die).
struct PyCallable {
  PyObject* fn;
  explicit PyCallable(nb::handle h) : fn(h.inc_ref().ptr()) {}
  ~PyCallable() {
    if (!Py_IsInitialized()) return;  // interpreter gone: leak rather than touch it
    nb::gil_scoped_acquire gil;
    Py_DECREF(fn);
  }
  PyCallable(const PyCallable&) = delete;
  PyCallable& operator=(const PyCallable&) = delete;
};
}  // namespace

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
  // Records outputs = op(inputs) (a Python custom op; inputs and outputs are minpy arrays) on the
  // active tapes. In backward, vjp(gouts, needs, ins, outs) (lists: cotangents, bools, the
  // saved inputs and outputs) runs and returns one
  // gradient (array-like) or None per input; its exceptions propagate out of backward. Inputs and
  // outputs are version-checked first (ValueError when written in place after the call).
  m.def("_ag_record", [](const std::string& name, std::vector<Array> ins, std::vector<Array> outs, nb::handle vjp) {
    if (!autograd::recording()) return;
    auto fn = std::make_shared<PyCallable>(vjp);
    size_t nin = ins.size();
    std::vector<Array> saved = ins;
    saved.insert(saved.end(), outs.begin(), outs.end());
    autograd::record(autograd::intern_name(name), ins, outs,
                     [fn, nin](const autograd::Node& n, const std::vector<Array>& g) {
                       nb::gil_scoped_acquire gil;
                       nb::list gl, needs, sin, sout;
                       for (size_t i = 0; i < n.num_saved(); ++i)  // version-checked
                         (i < nin ? sin : sout).append(nb::cast(n.saved(i)));
                       for (const auto& a : g) gl.append(nb::cast(a));
                       for (size_t i = 0; i < nin; ++i) needs.append(nb::bool_(n.needs_grad(i)));
                       nb::object r = nb::borrow(fn->fn)(gl, needs, sin, sout);
                       std::vector<Array> out(nin);
                       size_t i = 0;
                       for (nb::handle item : r) {
                         if (i >= nin) break;
                         if (!item.is_none() && n.needs_grad(i)) {
                           Array gi = to_array(item);
                           if (!is_floating(gi.dtype())) gi = astype(gi, n.ins[i].dtype());
                           out[i] = autograd::fit_gradient(n, i, gi);
                         }
                         ++i;
                       }
                       return out;
                     },
                     saved);
  });
  m.def("_ag_suspend", [] { return autograd::suspend_recording(); });
  m.def("_ag_resume", [](int prev) { autograd::resume_recording(prev); });
  // The whole of minpy.core.grad's call in one crossing: push a tape, watch args[i] for i in nums
  // (replacing them), loss = fun(*args, **kwargs), pop, backward. Returns (gradients, loss).
  m.def("_ag_run", [](nb::handle fun, nb::list args, nb::handle kwargs, std::vector<int64_t> nums) {
    int64_t nargs = static_cast<int64_t>(nb::len(args));
    for (int64_t& i : nums) {
      if (i < -nargs || i >= nargs)
        throw nb::index_error(("[grad] argnum " + std::to_string(i) + " is out of range for " + std::to_string(nargs) +
                               " positional arguments.").c_str());
      if (i < 0) i += nargs;
    }
    uint64_t tape = autograd::push_tape();
    std::vector<Array> leaves;
    nb::object loss;
    try {
      for (int64_t i : nums) {
        Array leaf = autograd::watch(to_array(args[i]), tape);
        args[i] = nb::cast(leaf);
        leaves.push_back(leaf);
      }
      nb::tuple targs = nb::tuple(args);
      loss = kwargs.is_none() ? fun(*targs) : fun(*targs, **nb::borrow<nb::dict>(kwargs));
    } catch (...) {
      autograd::pop_tape(tape);
      throw;
    }
    autograd::pop_tape(tape);
    Array y = is_ndarray(loss) ? as_array(loss) : Array();
    if (!y.defined()) {
      Operand o;
      if (!loss.is_none() && !to_operand(loss, o))
        throw TypeError(msg("grad", "the differentiated function must return an array or a number."));
    }
    std::vector<Array> grads = autograd::backward(tape, y, leaves);
    return nb::make_tuple(grads, loss);
  }, nb::arg("fun"), nb::arg("args"), nb::arg("kwargs").none(), nb::arg("nums"));
  m.def("stop_gradient", [](nb::handle x) { return autograd::stop_gradient(to_array(x)); });
}

}  // namespace minpy::py
