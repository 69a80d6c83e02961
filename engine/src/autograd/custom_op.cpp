// Custom ops: a forward function plus a VJP, recorded as one node (see autograd.h).
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "autograd/internal.h"
#include "minpy/errors.h"
#include "minpy/ops.h"

namespace minpy::autograd {

const char* intern_name(const std::string& name) {
  // Node-based set: element addresses are stable, and names are never erased.
  static std::mutex mu;
  static auto* names = new std::unordered_set<std::string>();
  std::lock_guard<std::mutex> lock(mu);
  return names->insert(name).first->c_str();
}

int suspend_recording() {
  int saved = detail::g_recording;
  detail::g_recording = 0;
  return saved;
}
void resume_recording(int previous) { detail::g_recording = previous; }

Op::Op(std::string name, OpForward forward, OpVjp vjp)
    : name_(intern_name(name)), forward_(std::move(forward)), vjp_(std::move(vjp)) {
  if (!forward_) throw ValueError(msg("register_op", "the forward function of '" + name + "' is empty."));
}

std::vector<Array> Op::operator()(const std::vector<Array>& inputs) const {
  std::vector<Array> outs;
  {
    NoGradGuard ng;
    outs = forward_(inputs);
  }
  if (!recording()) return outs;
  bool any = false;
  for (const auto& a : inputs) any = any || is_tracked(a);
  if (!any) return outs;
  // An output that is an input (or a view of memory the op did not allocate) gets its own copy, so
  // recording it does not rewrite the input's history.
  for (auto& o : outs)
    if (o.defined())
      for (const auto& a : inputs)
        if (a.defined() && (o.impl() == a.impl() || o.may_share_memory(a))) {
          NoGradGuard ng;
          o = copy(o, 'K');
          break;
        }
  size_t nin = inputs.size();
  std::vector<Array> saved = inputs;
  saved.insert(saved.end(), outs.begin(), outs.end());
  if (!vjp_) {
    record(name_, inputs, outs, [name = name_](const Node&, const std::vector<Array>&) -> std::vector<Array> {
      throw TypeError(msg("grad", std::string("the custom op '") + name + "' has no gradient (registered without a VJP)."));
    });
    return outs;
  }
  record(name_, inputs, outs,
         [vjp = vjp_, nin](const Node& n, const std::vector<Array>& g) {
           std::vector<Array> ins(nin), outv(n.num_saved() - nin);
           for (size_t i = 0; i < nin; ++i) ins[i] = n.saved(i);
           for (size_t j = 0; j < outv.size(); ++j) outv[j] = n.saved(nin + j);
           std::vector<bool> needs(nin);
           for (size_t i = 0; i < nin; ++i) needs[i] = n.needs_grad(i);
           std::vector<Array> r = vjp(OpVjpArgs{ins, outv, g, needs});
           r.resize(nin);
           for (size_t i = 0; i < nin; ++i)
             if (r[i].defined() && needs[i]) r[i] = fit_gradient(n, i, r[i]);
           return r;
         },
         saved);
  return outs;
}

Array fit_gradient(const Node& n, size_t input, const Array& g) {
  const Shape s = n.ins[input].shape();
  if (g.shape() == s) return g;
  size_t nd = g.ndim(), sd = s.size();
  bool ok = true;
  if (nd <= sd) {  // broadcast up
    for (size_t k = 0; k < nd; ++k) ok = ok && (g.shape(k) == s[sd - nd + k] || g.shape(k) == 1);
    if (ok) return broadcast(g, s);
  } else {  // summed down by the recorder
    for (size_t k = 0; k < sd; ++k) ok = ok && (s[k] == g.shape(nd - sd + k) || s[k] == 1);
    if (ok) return g;
  }
  throw ValueError(msg("grad", std::string("the gradient function of '") + n.name + "' returned a gradient of shape " +
                                   shape_str(g.shape()) + " for input " + std::to_string(input) + " of shape " +
                                   shape_str(s) + "."));
}

namespace {
struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const Op>> ops;
};
Registry& registry() {
  static auto* r = new Registry();
  return *r;
}
}  // namespace

std::shared_ptr<const Op> register_op(const std::string& name, OpForward forward, OpVjp vjp) {
  auto op = std::make_shared<const Op>(name, std::move(forward), std::move(vjp));
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.ops[name] = op;
  return op;
}

std::shared_ptr<const Op> find_op(const std::string& name) {
  auto& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.ops.find(name);
  return it == r.ops.end() ? nullptr : it->second;
}

std::vector<Array> call_op(const std::string& name, const std::vector<Array>& inputs) {
  auto op = find_op(name);
  if (!op) throw ValueError(msg("call_op", "no op named '" + name + "' is registered."));
  return (*op)(inputs);
}

}  // namespace minpy::autograd
