// Vector-Jacobian products of the ufuncs, written with ufuncs so they are differentiable again.
//
// Each rule returns the gradient of every input in the broadcast shape of the call; the recorder
// sums it back to the input's shape and casts it to the input's dtype. Ufuncs without a rule
// (comparisons, logical and bitwise ops, floor/ceil/trunc/rint/sign, floor_divide, isnan & co.)
// have zero derivative almost everywhere: their outputs are simply not tracked.
//
// Conventions (HIPS autograd's where it defines one):
//  - absolute'(0) = 0 (g * sign(x)).
//  - maximum/minimum/fmax/fmin: g goes to the input equal to the result; on ties each gets g/2.
//  - power: dx = g*y*x^(y-1) (exponent 1 where y == 0, so 0^0 gives 0 not nan);
//    dy = g*x^y*log(x) where x > 0, 0 elsewhere.
//  - clip(a, lo, hi): a gets g where the result equals neither bound; hi gets g where the result
//    equals hi; lo gets g where it equals lo and not hi (the three coefficients sum to 1).
//  - remainder/fmod/divmod: dx = g, dy = -g*floor(x/y) (trunc for fmod).
//  - heaviside(x, h0): dx = 0, dh0 = g*(x == 0). copysign(x, y): dx = g*sign(x)*sign(result), dy = 0.
#include <atomic>
#include <cmath>
#include <type_traits>
#include <mutex>
#include <unordered_map>

#include "autograd/internal.h"
#include "autograd/vjp_arith.h"
#include "backend/cpu/vjp_kernels.h"
#include "minpy/errors.h"
#include "minpy/ops.h"

namespace minpy::autograd {
namespace {

using Args = UfuncVjpArgs;
using R = std::vector<Array>;

using namespace arith;
Array u1(const char* n, const Operand& a) { return ufunc1(n, a); }
Array u2(const char* n, const Operand& a, const Operand& b) { return ufunc2(n, a, b); }

// g * mask (mask a bool array): keeps g's dtype.
Array masked(const Array& g, const Array& mask) { return mul(g, mask); }

struct Table {
  std::mutex mu;
  std::unordered_map<std::string, UfuncVjpRule> rules;
};
Table& table();
std::atomic<uint64_t> g_rules_generation{0};  // bumped by register_ufunc_vjp

void def(const char* name, bool save_in, bool save_out, std::function<R(const Args&)> f) {
  table().rules[name] = UfuncVjpRule{save_in, save_out, std::move(f), {}};
}

// Unary rule from d(out)/d(x) as a function of (x, out).
void unary(const char* name, bool save_in, bool save_out,
           std::function<Array(const Operand& x, const Array& out, const Array& g)> f) {
  def(name, save_in, save_out, [f](const Args& a) { return R{f(a.in[0], a.out.empty() ? Array() : a.out[0], a.g[0])}; });
}

void minmax(const char* name) {
  def(name, true, true, [](const Args& a) {
    const Array& g = a.g[0];
    Array tie = u2("equal", a.in[0], a.in[1]);
    R r(2);
    for (int i = 0; i < 2; ++i) {
      if (!a.needs[i]) continue;
      Array gi = masked(g, u2("equal", a.in[i], a.out[0]));
      r[i] = sub(gi, mul(masked(gi, tie), F(0.5)));
    }
    return r;
  });
}


// ---- first-order fast paths ----
// The same arithmetic as the rules below, as one fused loop (see cpu/vjp_kernels.h). Applicable
// when g is a C-contiguous float32/float64 CPU array and every other operand is an array of g's
// shape and dtype (C-contiguous) or a real scalar; otherwise the rule's ufunc chain runs.
template <class T>
bool fused_src(const Operand& o, const Array& g, cpu::FusedSrc<T>& s) {
  if (auto* a = std::get_if<Array>(&o)) {
    if (!a->defined() || a->dtype() != g.dtype() || a->device().type != DeviceType::CPU || !a->c_contiguous() ||
        a->shape() != g.shape())
      return false;
    s.p = a->data_as<T>();
    return true;
  }
  const Scalar& c = std::get<Scalar>(o);
  switch (c.kind) {
    case Scalar::Kind::Float: s.c = static_cast<T>(c.f); return true;
    case Scalar::Kind::Int: if (c.int_is_uint64) return false; s.c = static_cast<T>(c.i); return true;
    case Scalar::Kind::Bool: s.c = static_cast<T>(c.b); return true;
    default: return false;
  }
}

// f(g, x, y) elementwise; undefined when not applicable.
template <class F>
Array fused(const Array& g, const Operand& x, const Operand& y, F f) {
  if (!g.defined() || g.device().type != DeviceType::CPU || !g.c_contiguous()) return Array();
  auto run = [&](auto zero) -> Array {
    using T = decltype(zero);
    cpu::FusedSrc<T> gs, xs, ys;
    gs.p = g.data_as<T>();
    if (!fused_src<T>(x, g, xs) || !fused_src<T>(y, g, ys)) return Array();
    Array out = Array::empty(g.shape(), g.dtype());
    cpu::fused_map3<T>(out.data_as<T>(), g.size(), gs, xs, ys, f);
    return out;
  };
  if (g.dtype() == DType::Float64) return run(double{});
  if (g.dtype() == DType::Float32) return run(float{});
  return Array();
}

const Operand kNone = Scalar::from_float(0.0);

// A unary fast rule from f(g, x_or_out): `use_out` picks the saved output as the operand.
template <class F>
std::function<bool(const Args&, R&)> fast1(bool use_out, F f) {
  return [use_out, f](const Args& a, R& r) {
    const Operand& x = use_out ? Operand(a.out[0]) : a.in[0];
    Array v = fused(a.g[0], x, kNone, [f](auto g, auto x, auto) { return f(g, x); });
    if (!v.defined()) return false;
    r = R{v};
    return true;
  };
}

void fast(const char* name, std::function<bool(const Args&, R&)> f) { table().rules[name].fast = std::move(f); }

template <bool Max>
bool fast_minmax(const Args& a, R& r) {
  r.assign(2, Array());
  for (int i = 0; i < 2; ++i)
    if (a.needs[i]) {
      r[i] = fused(a.g[0], a.in[i], a.in[1 - i], [](auto g, auto x, auto y) {
        using T = decltype(g);
        if (Max ? x > y : x < y) return g;
        return x == y ? g - (g * T(0.5)) : T(0) * g;
      });
      if (!r[i].defined()) return false;
    }
  return true;
}

void define_fast() {
  using std::cos, std::sin, std::cosh, std::sinh;
  // Same operation order as the rules in define_all (so results match them bit for bit).
  fast("sin", fast1(false, [](auto g, auto x) { return g * cos(x); }));
  fast("cos", fast1(false, [](auto g, auto x) { return -(g * sin(x)); }));
  fast("tan", fast1(false, [](auto g, auto x) { auto c = cos(x); return g / (c * c); }));
  fast("sinh", fast1(false, [](auto g, auto x) { return g * cosh(x); }));
  fast("cosh", fast1(false, [](auto g, auto x) { return g * sinh(x); }));
  fast("tanh", fast1(true, [](auto g, auto y) {
    using T = decltype(y);
    return g * ((T(1) - y) * (T(1) + y));
  }));
  fast("exp", fast1(true, [](auto g, auto r) { return g * r; }));
  fast("expm1", fast1(true, [](auto g, auto r) { return g * (r + decltype(r)(1)); }));
  fast("log", fast1(false, [](auto g, auto x) { return g / x; }));
  fast("log1p", fast1(false, [](auto g, auto x) { return g / (x + decltype(x)(1)); }));
  fast("sqrt", fast1(true, [](auto g, auto r) { return (g * decltype(r)(0.5)) / r; }));
  fast("square", fast1(false, [](auto g, auto x) { return g * (x * decltype(x)(2)); }));
  fast("reciprocal", fast1(true, [](auto g, auto r) { return -(g * (r * r)); }));
  fast("negative", fast1(false, [](auto g, auto) { return -g; }));
  fast("arctan", fast1(false, [](auto g, auto x) { return g / ((x * x) + decltype(x)(1)); }));
  fast("multiply", [](const Args& a, R& r) {
    r.assign(2, Array());
    if (a.needs[0] && !(r[0] = fused(a.g[0], a.in[1], kNone, [](auto g, auto y, auto) { return g * y; })).defined())
      return false;
    if (a.needs[1] && !(r[1] = fused(a.g[0], a.in[0], kNone, [](auto g, auto x, auto) { return g * x; })).defined())
      return false;
    return true;
  });
  // maximum & co.: g where the input is the result, g/2 on ties (as minmax below). For maximum and
  // minimum "the input is the result" is a comparison with the other input (false with a NaN on
  // either side, as the result is then NaN), so one pass does it: relu's backward.
  fast("maximum", fast_minmax<true>);
  fast("minimum", fast_minmax<false>);
  for (const char* name : {"fmax", "fmin"})
    fast(name, [](const Args& a, R& r) {
      r.assign(2, Array());
      for (int i = 0; i < 2; ++i)
        if (a.needs[i]) {
          const Operand& xi = a.in[i];
          Array v = fused(a.g[0], a.out[0], xi, [](auto g, auto out, auto x) {
            using T = decltype(g);
            return x == out ? g : T(0) * g;
          });
          if (!v.defined()) return false;
          // ties (x0 == x1) get half; a second pass only when both inputs are operands of g's shape
          Array t = fused(v, a.in[0], a.in[1], [](auto gi, auto x0, auto x1) {
            using T = decltype(gi);
            return x0 == x1 ? gi - (gi * T(0.5)) : gi;
          });
          if (!t.defined()) return false;
          r[i] = t;
        }
      return true;
    });
  fast("true_divide", [](const Args& a, R& r) {
    r.assign(2, Array());
    if (a.needs[0] && !(r[0] = fused(a.g[0], a.in[1], kNone, [](auto g, auto y, auto) { return g / y; })).defined())
      return false;
    if (a.needs[1] &&
        !(r[1] = fused(a.g[0], a.in[0], a.in[1], [](auto g, auto x, auto y) { return -((g * x) / (y * y)); })).defined())
      return false;
    return true;
  });
}

void define_all() {
  const double ln2 = std::log(2.0), ln10 = std::log(10.0), pi = std::acos(-1.0);
  def("add", false, false, [](const Args& a) { return R{a.g[0], a.g[0]}; });
  def("subtract", false, false, [](const Args& a) { return R{a.g[0], a.needs[1] ? neg(a.g[0]) : Array()}; });
  def("multiply", true, false, [](const Args& a) {
    return R{a.needs[0] ? mul(a.g[0], a.in[1]) : Array(), a.needs[1] ? mul(a.g[0], a.in[0]) : Array()};
  });
  def("true_divide", true, false, [](const Args& a) {
    return R{a.needs[0] ? div(a.g[0], a.in[1]) : Array(),
             a.needs[1] ? neg(div(mul(a.g[0], a.in[0]), sq(a.in[1]))) : Array()};
  });
  auto rem = [](const char* rounding) {
    return [rounding](const Args& a) {
      return R{a.g.back(), a.needs[1] ? neg(mul(a.g.back(), u1(rounding, div(a.in[0], a.in[1])))) : Array()};
    };
  };
  def("remainder", true, false, rem("floor"));
  def("fmod", true, false, rem("trunc"));
  def("divmod", true, false, rem("floor"));  // g.back() is the remainder's cotangent
  auto pow_rule = [](const Args& a) {
    const Array& g = a.g[0];
    R r(2);
    if (a.needs[0]) {
      Array e = add(sub(a.in[1], F(1.0)), u2("equal", a.in[1], F(0.0)));
      r[0] = mul(mul(g, a.in[1]), u2("power", a.in[0], e));
    }
    if (a.needs[1]) {
      Array pos = u2("greater", a.in[0], F(0.0));
      Array safe = add(mul(a.in[0], pos), u1("logical_not", pos));  // x where x > 0, else 1
      r[1] = mul(mul(g, a.out[0]), u1("log", safe));
    }
    return r;
  };
  def("power", true, true, pow_rule);
  def("float_power", true, true, pow_rule);
  unary("negative", false, false, [](const Operand&, const Array&, const Array& g) { return neg(g); });
  unary("positive", false, false, [](const Operand&, const Array&, const Array& g) { return g; });
  unary("conjugate", false, false, [](const Operand&, const Array&, const Array& g) { return g; });
  unary("absolute", true, false, [](const Operand& x, const Array&, const Array& g) { return mul(g, u1("sign", x)); });
  unary("reciprocal", false, true, [](const Operand&, const Array& r, const Array& g) { return neg(mul(g, sq(r))); });
  unary("square", true, false, [](const Operand& x, const Array&, const Array& g) { return mul(g, mul(x, F(2.0))); });
  unary("sqrt", false, true, [](const Operand&, const Array& r, const Array& g) { return div(mul(g, F(0.5)), r); });
  unary("cbrt", false, true, [](const Operand&, const Array& r, const Array& g) { return div(g, mul(sq(r), F(3.0))); });
  unary("exp", false, true, [](const Operand&, const Array& r, const Array& g) { return mul(g, r); });
  unary("exp2", false, true, [ln2](const Operand&, const Array& r, const Array& g) { return mul(g, mul(r, F(ln2))); });
  unary("expm1", false, true, [](const Operand&, const Array& r, const Array& g) { return mul(g, add(r, F(1.0))); });
  unary("log", true, false, [](const Operand& x, const Array&, const Array& g) { return div(g, x); });
  unary("log2", true, false, [ln2](const Operand& x, const Array&, const Array& g) { return div(g, mul(x, F(ln2))); });
  unary("log10", true, false, [ln10](const Operand& x, const Array&, const Array& g) { return div(g, mul(x, F(ln10))); });
  unary("log1p", true, false, [](const Operand& x, const Array&, const Array& g) { return div(g, add(x, F(1.0))); });
  unary("sin", true, false, [](const Operand& x, const Array&, const Array& g) { return mul(g, u1("cos", x)); });
  unary("cos", true, false, [](const Operand& x, const Array&, const Array& g) { return neg(mul(g, u1("sin", x))); });
  unary("tan", true, false, [](const Operand& x, const Array&, const Array& g) { return div(g, sq(u1("cos", x))); });
  unary("arcsin", true, false, [](const Operand& x, const Array&, const Array& g) {
    return div(g, u1("sqrt", sub(F(1.0), sq(x))));
  });
  unary("arccos", true, false, [](const Operand& x, const Array&, const Array& g) {
    return neg(div(g, u1("sqrt", sub(F(1.0), sq(x)))));
  });
  unary("arctan", true, false, [](const Operand& x, const Array&, const Array& g) { return div(g, add(sq(x), F(1.0))); });
  unary("sinh", true, false, [](const Operand& x, const Array&, const Array& g) { return mul(g, u1("cosh", x)); });
  unary("cosh", true, false, [](const Operand& x, const Array&, const Array& g) { return mul(g, u1("sinh", x)); });
  // 1 - tanh^2 from the result, as (1 - y)(1 + y): no cancellation error beyond y's own, and no
  // cosh (whose scalar loop cost more than the whole forward tanh).
  unary("tanh", false, true, [](const Operand&, const Array& y, const Array& g) {
    return mul(g, mul(sub(F(1.0), y), add(F(1.0), y)));
  });
  unary("arcsinh", true, false, [](const Operand& x, const Array&, const Array& g) {
    return div(g, u1("sqrt", add(sq(x), F(1.0))));
  });
  unary("arccosh", true, false, [](const Operand& x, const Array&, const Array& g) {
    return div(g, u1("sqrt", sub(sq(x), F(1.0))));
  });
  unary("arctanh", true, false, [](const Operand& x, const Array&, const Array& g) { return div(g, sub(F(1.0), sq(x))); });
  unary("deg2rad", false, false, [pi](const Operand&, const Array&, const Array& g) { return mul(g, F(pi / 180)); });
  unary("rad2deg", false, false, [pi](const Operand&, const Array&, const Array& g) { return mul(g, F(180 / pi)); });
  def("arctan2", true, false, [](const Args& a) {
    Array d = add(sq(a.in[0]), sq(a.in[1]));
    return R{a.needs[0] ? div(mul(a.g[0], a.in[1]), d) : Array(), a.needs[1] ? neg(div(mul(a.g[0], a.in[0]), d)) : Array()};
  });
  def("hypot", true, true, [](const Args& a) {
    return R{a.needs[0] ? div(mul(a.g[0], a.in[0]), a.out[0]) : Array(),
             a.needs[1] ? div(mul(a.g[0], a.in[1]), a.out[0]) : Array()};
  });
  def("logaddexp", true, true, [](const Args& a) {
    R r(2);
    for (int i = 0; i < 2; ++i)
      if (a.needs[i]) r[i] = mul(a.g[0], u1("exp", sub(a.in[i], a.out[0])));
    return r;
  });
  def("logaddexp2", true, true, [](const Args& a) {
    R r(2);
    for (int i = 0; i < 2; ++i)
      if (a.needs[i]) r[i] = mul(a.g[0], u1("exp2", sub(a.in[i], a.out[0])));
    return r;
  });
  minmax("maximum");
  minmax("minimum");
  minmax("fmax");
  minmax("fmin");
  def("copysign", true, true, [](const Args& a) {
    return R{a.needs[0] ? mul(mul(a.g[0], u1("sign", a.in[0])), u1("sign", a.out[0])) : Array(), Array()};
  });
  def("heaviside", true, false, [](const Args& a) {
    return R{Array(), a.needs[1] ? masked(a.g[0], u2("equal", a.in[0], F(0.0))) : Array()};
  });
  def("clip", true, true, [](const Args& a) {
    const Array& g = a.g[0];
    const Array& r = a.out[0];
    Array at_lo = u2("equal", r, a.in[1]), at_hi = u2("equal", r, a.in[2]);
    R out(3);
    if (a.needs[0]) out[0] = masked(masked(g, u1("logical_not", at_lo)), u1("logical_not", at_hi));
    if (a.needs[1]) out[1] = masked(masked(g, at_lo), u1("logical_not", at_hi));
    if (a.needs[2]) out[2] = masked(g, at_hi);
    return out;
  });
}

Table& table() {
  static Table t;
  return t;
}

const std::unordered_map<std::string, UfuncVjpRule>& rules() {
  static const bool once = [] {
    define_all();
    define_fast();
    return true;
  }();
  (void)once;
  return table().rules;
}

}  // namespace

void register_ufunc_vjp(const std::string& name, UfuncVjpRule rule) {
  rules();
  std::lock_guard<std::mutex> lock(table().mu);
  table().rules[name] = std::move(rule);
  g_rules_generation.fetch_add(1, std::memory_order_release);
}

const UfuncVjpRule* find_ufunc_vjp(const std::string& name) {
  const auto& r = rules();
  auto it = r.find(name);
  return it == r.end() ? nullptr : &it->second;
}

namespace {
// Rule lookup by Ufunc address (ufunc objects live for the program): a string hash per recorded
// call is avoidable. The cache is per thread and rebuilt when rules are (re)registered.
const UfuncVjpRule* cached_rule(const Ufunc& uf) {
  thread_local std::unordered_map<const Ufunc*, const UfuncVjpRule*> cache;
  thread_local uint64_t generation = ~uint64_t(0);
  uint64_t gen = g_rules_generation.load(std::memory_order_acquire);
  if (gen != generation) {
    cache.clear();
    generation = gen;
  }
  auto it = cache.find(&uf);
  if (it != cache.end()) return it->second;
  const UfuncVjpRule* r = find_ufunc_vjp(uf.name);
  cache.emplace(&uf, r);
  return r;
}

// The VJP closure of one ufunc call: which ufunc input is which node input, and the Python-scalar
// operands (constants). Up to 3 inputs inline (every ufunc with a rule has at most 3).
// 16 bytes and trivially copyable, so std::function keeps it inline (no allocation per call):
// the Python-scalar operands live in the node (Node::consts_, in input order).
struct UfuncClosure {
  const UfuncVjpRule* rule;
  int8_t pos[3];  // node input of each ufunc input (-1: a scalar constant)
  uint8_t nin, nsaved_in, nout;
  std::vector<Array> operator()(const Node& n, const std::vector<Array>& g) const {
    Args a;
    a.node = &n;
    a.g.resize(g.size());
    for (size_t j = 0; j < g.size(); ++j) a.g[j] = g[j];
    a.in.resize(nin);
    a.needs.resize(nin);
    size_t k = 0;
    for (size_t i = 0; i < nin; ++i)
      if (pos[i] >= 0) {
        a.needs[i] = n.needs_grad(pos[i]);
        a.in[i] = rule->save_inputs ? Operand(n.saved(pos[i])) : Operand(Scalar());
      } else {
        a.in[i] = n.consts_[k++];
      }
    if (rule->save_outputs) {
      a.out.resize(nout);
      for (size_t j = 0; j < nout; ++j) a.out[j] = n.saved(nsaved_in + j);
    }
    R per_input;
    if (!(rule->fast && !recording() && rule->fast(a, per_input))) per_input = rule->vjp(a);
    if (n.edges.size() == nin) {  // every input an array: node inputs are ufunc inputs, in order
      per_input.resize(nin);
      for (size_t i = 0; i < nin; ++i)
        if (!n.needs_grad(i)) per_input[i] = Array();
      return per_input;
    }
    std::vector<Array> r(n.edges.size());
    for (size_t i = 0; i < nin && i < per_input.size(); ++i)
      if (pos[i] >= 0 && n.needs_grad(pos[i])) r[pos[i]] = std::move(per_input[i]);
    return r;
  }
};
static_assert(sizeof(UfuncClosure) <= 16 && std::is_trivially_copyable_v<UfuncClosure>);
}  // namespace

void record_ufunc(const Ufunc& uf, const std::vector<Operand>& inputs, const std::vector<Array>& outs) {
  const UfuncVjpRule* rule = cached_rule(uf);
  if (!rule) return;
  if (inputs.size() > 3 || outs.size() > 2) throw ValueError(msg("grad", "ufunc VJP rules take at most 3 inputs and 2 outputs."));
  // Node inputs are the array operands; Python scalars are constants kept in the node.
  UfuncClosure c{rule, {-1, -1, -1}, static_cast<uint8_t>(inputs.size()), 0, static_cast<uint8_t>(outs.size())};
  Array arrays[3];
  Scalar consts[3];
  size_t na = 0, nc = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (auto* a = std::get_if<Array>(&inputs[i])) {
      c.pos[i] = static_cast<int8_t>(na);
      arrays[na++] = *a;
    } else {
      consts[nc++] = std::get<Scalar>(inputs[i]);
    }
  }
  Array saved[5];
  size_t ns = 0;
  if (rule->save_inputs)
    for (size_t i = 0; i < na; ++i) saved[ns++] = arrays[i];
  c.nsaved_in = static_cast<uint8_t>(ns);
  if (rule->save_outputs)
    for (size_t j = 0; j < outs.size(); ++j) saved[ns++] = outs[j];
  record_span(uf.name.c_str(), {arrays, na}, {outs.data(), outs.size()}, VjpFn(c), {saved, ns}, consts, nc);
}

}  // namespace minpy::autograd
