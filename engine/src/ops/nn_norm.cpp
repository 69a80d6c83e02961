// The nn normalisation / loss family: argument checks, dtype handling and gradients; the work is in
// backend/cpu/nn_norm_kernels.cpp.
//
// Gradients: each op records one node. Its VJP runs a fused native backward kernel when nothing
// records the backward pass (first order, the common case); when an outer tape records it (grad of
// grad) and a value the gradient depends on is tracked there, the same formula is evaluated with
// engine ops, which record themselves, so every order is differentiable.
#include "minpy/nn_norm.h"

#include <cmath>

#include "autograd/vjp_arith.h"
#include "backend/cpu/nn_norm_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"
#include "minpy/ufunc.h"
#include "ops/op_stats.h"

namespace minpy::nn {
namespace {

using autograd::Node;
using GradVec = std::vector<Array>;

using namespace autograd::arith;

ReduceOptions over(std::vector<int64_t> axes, bool keepdims) {
  ReduceOptions o;
  o.axis = Axes::of(std::move(axes));
  o.keepdims = keepdims;
  return o;
}

void require_cpu(const Array& a, const char* op) {
  if (a.defined() && a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

void require_float(const Array& a, const char* op, const char* what) {
  require_cpu(a, op);
  if (a.defined() && !is_floating(a.dtype()))
    throw TypeError(msg(op, std::string(what) + " must be a floating array (float16, float32 or float64), got " +
                                dtype_name(a.dtype()) + "."));
}

void require_vector(const Array& a, int64_t n, const char* op, const char* what) {
  if (a.defined() && (a.ndim() != 1 || a.shape(0) != n))
    throw ValueError(msg(op, std::string(what) + " must have shape (" + std::to_string(n) + ",), got " +
                                shape_str(a.shape()) + "."));
}

// The dtype kernels compute in: x's, with float16 widened to float32.
DType compute_dtype(const Array& x) { return x.dtype() == DType::Float16 ? DType::Float32 : x.dtype(); }

// a in dtype t (recorded when it casts, so gradients reach a in its own dtype).
Array cast(const Array& a, DType t) {
  if (!a.defined() || a.dtype() == t) return a;
  return astype(a, t);
}

Array contiguous(const Array& a) {
  if (!a.defined()) return a;
  return autograd::untracked([&] { return ascontiguousarray(a); });
}

// True when the backward pass of a node is itself being recorded and depends on a tracked value:
// then the VJP is written with engine ops (differentiable again).
bool differentiable_backward(std::initializer_list<const Array*> arrays) {
  if (!autograd::recording()) return false;
  for (const Array* a : arrays)
    if (a->defined() && autograd::is_tracked(*a)) return true;
  return false;
}

// The VJP of batch_norm / layer_norm (saved: x, gamma, then the kernel's statistics): recorded
// engine ops when the backward itself is differentiated (`ops`), else the fused `kernel(x, g,
// gamma, r)` filling the wanted gradients (r[1], r[2] have `params` elements).
template <class Ops, class Kernel>
GradVec norm_vjp(const Node& n, const GradVec& g, int64_t params, Ops ops, double eps, Kernel kernel) {
  const Array& xs = n.saved(0);
  const Array& gm = n.saved(1);
  GradVec want(3);
  for (size_t i = 0; i < 3; ++i)
    if (n.needs_grad(i)) want[i] = g[0];
  if (differentiable_backward({&g[0], &xs, &gm})) return ops(xs, gm, g[0], eps, want);
  return autograd::untracked([&] {
    GradVec r(3);
    DType dt = xs.dtype();
    if (want[0].defined()) r[0] = Array::empty(xs.shape(), dt);
    if (want[1].defined()) r[1] = Array::empty({params}, dt);
    if (want[2].defined()) r[2] = Array::empty({params}, dt);
    kernel(ascontiguousarray(xs), ascontiguousarray(astype(g[0], dt, Casting::Unsafe, false)), contiguous(gm), r);
    return r;
  });
}

// Integer labels/indices as a contiguous int64 array, each checked to lie in [0, n).
Array checked_indices(const Array& idx, int64_t n, const char* op, const char* what) {
  require_cpu(idx, op);
  if (!is_integer(idx.dtype()))
    throw TypeError(msg(op, std::string(what) + " must be an integer array, got " + dtype_name(idx.dtype()) + "."));
  // Always a private copy: the VJP keeps it, so later writes to the caller's array cannot change it.
  // uint64 values >= 2**63 wrap to negative int64: still out of range.
  Array i64 = autograd::untracked([&] { return ascontiguousarray(astype(idx, DType::Int64)); });
  bool is_u64 = idx.dtype() == DType::UInt64;
  const int64_t* p = i64.data_as<int64_t>();
  for (int64_t k = 0; k < i64.size(); ++k) {
    if (p[k] < 0 || p[k] >= n) {
      std::string v = is_u64 ? std::to_string(static_cast<uint64_t>(p[k])) : std::to_string(p[k]);
      throw IndexError(msg(op, std::string(what) + " value " + v + " is out of bounds for size " + std::to_string(n) + "."));
    }
  }
  return i64;
}

// The cotangent of a loss as one scale per row (float64 (N,)).
Array row_scales(const Array& g, int64_t N, Reduction r) {
  return autograd::untracked([&] {
    Array gd = astype(g, DType::Float64);
    if (r == Reduction::None) return ascontiguousarray(gd);
    Array s = Array::empty({N}, DType::Float64);
    double v = *gd.data_as<double>();
    if (r == Reduction::Mean) v /= static_cast<double>(N);
    for (int64_t i = 0; i < N; ++i) s.data_as<double>()[i] = v;
    return s;
  });
}

// g as a column that broadcasts against (N, C) rows, in engine ops (for the recorded VJPs).
Array row_column(const Array& g, int64_t N, Reduction r) {
  if (r == Reduction::None) return reshape(g, {N, 1});
  if (r == Reduction::Mean) return div(g, F(static_cast<double>(N)));
  return g;
}

// Per-row losses reduced as asked (untracked: the caller records one node).
Array reduce_rows(const Array& rows, Reduction r) {
  if (r == Reduction::None) return rows;
  return autograd::untracked([&] { return r == Reduction::Sum ? sum(rows) : mean(rows); });
}

// ---- batch norm ----
Shape channel_shape(const Array& x) {
  Shape s(static_cast<size_t>(x.ndim()), 1);
  s[1] = x.shape(1);
  return s;
}
std::vector<int64_t> stat_axes(int ndim) {
  std::vector<int64_t> axes;
  for (int d = 0; d < ndim; ++d)
    if (d != 1) axes.push_back(d);
  return axes;
}

// Eval mode: an affine map per channel, written with engine ops (every input differentiable).
Array batch_norm_eval(const Array& x, const Array& gamma, const Array& beta, const Array& rm, const Array& rv,
                      double eps) {
  DType t = x.dtype();
  Shape cs = channel_shape(x);
  Array scale = div(F(1.0), ufunc1("sqrt", add(cast(rv, t), F(eps))));
  if (gamma.defined()) scale = mul(scale, cast(gamma, t));
  Array shift = ufunc1("negative", mul(cast(rm, t), scale));
  if (beta.defined()) shift = add(shift, cast(beta, t));
  return add(mul(x, reshape(scale, cs)), reshape(shift, cs));
}

// The training-mode VJP in engine ops: dx = invstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)).
GradVec batch_norm_vjp_ops(const Array& x, const Array& gamma, const Array& g, double eps, const GradVec& want) {
  std::vector<int64_t> axes = stat_axes(x.ndim());
  Shape cs = channel_shape(x);
  Array xc = sub(x, mean(x, over(axes, true)));
  Array inv = div(F(1.0), ufunc1("sqrt", add(mean(mul(xc, xc), over(axes, true)), F(eps))));
  Array xhat = mul(xc, inv);
  GradVec r(3);
  if (want[0].defined()) {
    Array dxhat = gamma.defined() ? mul(g, reshape(gamma, cs)) : g;
    Array m1 = mean(dxhat, over(axes, true)), m2 = mean(mul(dxhat, xhat), over(axes, true));
    r[0] = mul(inv, sub(sub(dxhat, m1), mul(xhat, m2)));
  }
  if (want[1].defined()) r[1] = sum(mul(g, xhat), over(axes, false));
  if (want[2].defined()) r[2] = sum(g, over(axes, false));
  return r;
}

Array batch_norm_native(const Array& x, const Array& gamma, const Array& beta, const Array& rm, const Array& rv,
                        bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  DType t = x.dtype();
  int64_t N = x.shape(0), C = x.shape(1), S = 1;
  for (int d = 2; d < x.ndim(); ++d) S *= x.shape(d);
  if (!training) return batch_norm_eval(x, gamma, beta, rm, rv, eps);
  if (N * S == 0 && C > 0)
    throw ValueError(msg(op, "Training needs at least one value per channel, got input of shape " +
                                 shape_str(x.shape()) + "."));
  if (rm.defined() && !rm.writeable()) throw ValueError(msg(op, "running_mean is read-only."));
  if (rv.defined() && !rv.writeable()) throw ValueError(msg(op, "running_var is read-only."));
  Array gam = cast(gamma, t), bet = cast(beta, t);
  Array xc = contiguous(x), gc = contiguous(gam), bc = contiguous(bet);
  Array out = Array::empty(x.shape(), t);
  Array mu = Array::empty({C}, DType::Float64), var = Array::empty({C}, DType::Float64);
  Array invstd = Array::empty({C}, DType::Float64);
  cpu::bn_forward_train(xc, gc, bc, N, C, S, eps, out, mu, var, invstd);
  if (rm.defined()) {
    autograd::untracked([&] {
      // running = (1 - momentum) running + momentum stat, in float64, written back in place
      assign(rm, add(mul(astype(rm, DType::Float64), F(1.0 - momentum)), mul(mu, F(momentum))));
      assign(rv, add(mul(astype(rv, DType::Float64), F(1.0 - momentum)), mul(var, F(momentum))));
    });
  }
  if (autograd::recording()) {
    autograd::record(op, {x, gam, bet}, {out},
                     [N, C, S, eps](const Node& n, const GradVec& g) {
                       return norm_vjp(n, g, C, batch_norm_vjp_ops, eps,
                                       [&](const Array& xs, const Array& gy, const Array& gm, GradVec& r) {
                                         cpu::bn_backward(xs, gy, gm, n.saved(2), n.saved(3), N, C, S, r[0], r[1], r[2]);
                                       });
                     },
                     {x, gam, mu, invstd});
  }
  return out;
}

// ---- layer norm ----
GradVec layer_norm_vjp_ops(const Array& x, const Array& gamma, const Array& g, double eps, const GradVec& want) {
  int last = x.ndim() - 1;
  std::vector<int64_t> lead;
  for (int d = 0; d < last; ++d) lead.push_back(d);
  Array xc = sub(x, mean(x, over({last}, true)));
  Array inv = div(F(1.0), ufunc1("sqrt", add(mean(mul(xc, xc), over({last}, true)), F(eps))));
  Array xhat = mul(xc, inv);
  GradVec r(3);
  if (want[0].defined()) {
    Array dxhat = gamma.defined() ? mul(g, gamma) : g;
    Array m1 = mean(dxhat, over({last}, true)), m2 = mean(mul(dxhat, xhat), over({last}, true));
    r[0] = mul(inv, sub(sub(dxhat, m1), mul(xhat, m2)));
  }
  if (want[1].defined()) r[1] = sum(mul(g, xhat), over(lead, false));
  if (want[2].defined()) r[2] = sum(g, over(lead, false));
  return r;
}

Array layer_norm_native(const Array& x, const Array& gamma, const Array& beta, double eps) {
  DType t = x.dtype();
  int64_t D = x.shape(x.ndim() - 1), R = 1;
  for (int d = 0; d + 1 < x.ndim(); ++d) R *= x.shape(d);
  Array gam = cast(gamma, t), bet = cast(beta, t);
  Array xc = contiguous(x);
  Array out = Array::empty(x.shape(), t);
  Array mu = Array::empty({R}, DType::Float64), invstd = Array::empty({R}, DType::Float64);
  cpu::ln_forward(xc, contiguous(gam), contiguous(bet), R, D, eps, out, mu, invstd);
  if (autograd::recording()) {
    autograd::record("layer_norm", {x, gam, bet}, {out},
                     [R, D, eps](const Node& n, const GradVec& g) {
                       return norm_vjp(n, g, D, layer_norm_vjp_ops, eps,
                                       [&](const Array& xs, const Array& gy, const Array& gm, GradVec& r) {
                                         cpu::ln_backward(xs, gy, gm, n.saved(2), n.saved(3), R, D, r[0], r[1], r[2]);
                                       });
                     },
                     {x, gam, mu, invstd});
  }
  return out;
}

// ---- softmax ----
struct Slab {
  int64_t outer = 1, n = 1, inner = 1;
};
Slab slab_of(const Shape& s, int axis) {
  Slab b;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) {
    if (d < axis) b.outer *= s[d];
    else if (d > axis) b.inner *= s[d];
  }
  b.n = s[axis];
  return b;
}

Array softmax_impl(const Array& x, int64_t axis_in, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  int axis = normalize_axis(axis_in, x.ndim(), op);
  Slab b = slab_of(x.shape(), axis);
  Array out = Array::empty(x.shape(), x.dtype());
  cpu::softmax_forward(contiguous(x), out, b.outer, b.n, b.inner, log);
  if (autograd::recording()) {
    autograd::record(op, {x}, {out},
                     [b, axis, log](const Node& n, const GradVec& g) {
                       const Array& y = n.saved(0);
                       if (differentiable_backward({&g[0], &y})) {
                         if (log) return GradVec{sub(g[0], mul(ufunc1("exp", y), sum(g[0], over({axis}, true))))};
                         return GradVec{mul(y, sub(g[0], sum(mul(g[0], y), over({axis}, true))))};
                       }
                       return autograd::untracked([&] {
                         Array dx = Array::empty(y.shape(), y.dtype());
                         cpu::softmax_backward(ascontiguousarray(astype(g[0], y.dtype(), Casting::Unsafe, false)),
                                               ascontiguousarray(y), dx, b.outer, b.n, b.inner, log);
                         return GradVec{dx};
                       });
                     },
                     {out});
  }
  return out;
}

// ---- losses ----
void check_loss_args(const Array& x, const Array& labels, const char* op) {
  require_float(x, op, "logits");
  require_cpu(labels, op);
  if (x.ndim() != 2) throw ValueError(msg(op, "logits must be 2-d (N, C), got shape " + shape_str(x.shape()) + "."));
  if (!is_integer(labels.dtype()))
    throw TypeError(msg(op, std::string("labels must be an integer array, got ") + dtype_name(labels.dtype()) + "."));
  if (labels.ndim() != 1 || labels.shape(0) != x.shape(0))
    throw ValueError(msg(op, "labels must have shape (" + std::to_string(x.shape(0)) + ",), got " +
                                 shape_str(labels.shape()) + "."));
}

Array onehot(const Array& labels, int64_t C, DType t) {
  int64_t N = labels.size();
  Array z = autograd::zeros({N, C}, t);
  const int64_t* y = labels.data_as<int64_t>();
  if (t == DType::Float32)
    for (int64_t i = 0; i < N; ++i) z.data_as<float>()[i * C + y[i]] = 1.0f;
  else
    for (int64_t i = 0; i < N; ++i) z.data_as<double>()[i * C + y[i]] = 1.0;
  return z;
}

Array cross_entropy_native(const Array& x, const Array& y, Reduction red) {
  int64_t N = x.shape(0), C = x.shape(1);
  Array rows = Array::empty({N}, x.dtype());
  // The probabilities are kept only when a tape may need them (the first-order VJP reads them).
  bool rec = autograd::recording() && autograd::is_tracked(x);
  Array prob = rec ? Array::empty({N, C}, x.dtype()) : Array();
  cpu::ce_forward(contiguous(x), y, rows, prob);
  Array out = reduce_rows(rows, red);
  if (rec) {
    autograd::record("softmax_cross_entropy", {x}, {out},
                     [y, N, C, red](const Node& n, const GradVec& g) {
                       const Array& xs = n.saved(0);
                       if (differentiable_backward({&g[0], &xs})) {
                         Array p = softmax(xs, -1);
                         return GradVec{mul(sub(p, onehot(y, C, xs.dtype())), row_column(g[0], N, red))};
                       }
                       return autograd::untracked([&] {
                         Array dx = Array::empty({N, C}, xs.dtype());
                         cpu::ce_backward(n.saved(1), y, row_scales(g[0], N, red), dx);
                         return GradVec{dx};
                       });
                     },
                     {x, prob});
  }
  return out;
}

Array svm_native(const Array& x, const Array& y, double delta, Reduction red) {
  int64_t N = x.shape(0);
  Array rows = Array::empty({N}, x.dtype());
  cpu::svm_forward(contiguous(x), y, delta, rows);
  Array out = reduce_rows(rows, red);
  if (autograd::recording()) {
    autograd::record("svm_loss", {x}, {out},
                     [y, N, delta, red](const Node& n, const GradVec& g) {
                       const Array& xs = n.saved(0);
                       // Piecewise linear: the coefficients are constants, the VJP is linear in g.
                       Array coeff = autograd::untracked([&] {
                         Array c = Array::empty(xs.shape(), xs.dtype());
                         cpu::svm_coeff(ascontiguousarray(xs), y, delta, c);
                         return c;
                       });
                       return GradVec{mul(coeff, row_column(g[0], N, red))};
                     },
                     {x});
  }
  return out;
}

// float16 inputs: computed in float32 and cast back (the casts are recorded).
bool half(const Array& a) { return a.defined() && a.dtype() == DType::Float16; }
Array to32(const Array& a) { return half(a) ? astype(a, DType::Float32) : a; }
Array to16(const Array& a) { return astype(a, DType::Float16); }

}  // namespace

Reduction reduction_from_name(const std::string& name, const char* op) {
  if (name == "mean") return Reduction::Mean;
  if (name == "sum") return Reduction::Sum;
  if (name == "none") return Reduction::None;
  throw ValueError(msg(op, "reduction must be 'mean', 'sum' or 'none', got '" + name + "'."));
}

Array batch_norm(const Array& x, const Array& gamma, const Array& beta, const Array& running_mean,
                 const Array& running_var, bool training, double momentum, double eps) {
  OpScope op_scope("batch_norm");
  const char* op = "batch_norm";
  require_float(x, op, "x");
  require_float(gamma, op, "gamma");
  require_float(beta, op, "beta");
  require_float(running_mean, op, "running_mean");
  require_float(running_var, op, "running_var");
  if (x.ndim() < 2)
    throw ValueError(msg(op, "x must have at least 2 dimensions (N, C, ...), got shape " + shape_str(x.shape()) + "."));
  int64_t C = x.shape(1);
  require_vector(gamma, C, op, "gamma");
  require_vector(beta, C, op, "beta");
  require_vector(running_mean, C, op, "running_mean");
  require_vector(running_var, C, op, "running_var");
  if (running_mean.defined() != running_var.defined())
    throw ValueError(msg(op, "running_mean and running_var must be given together."));
  if (!training && !running_mean.defined())
    throw ValueError(msg(op, "running_mean and running_var are required when not training."));
  if (!std::isfinite(momentum) || !std::isfinite(eps) || eps < 0)
    throw ValueError(msg(op, "momentum must be finite and eps finite and >= 0."));
  if (half(x)) {
    // Running arrays in float16 are updated through float32 copies.
    Array rm = running_mean, rv = running_var;
    if (training && half(rm)) rm = autograd::untracked([&] { return astype(rm, DType::Float32); });
    if (training && half(rv)) rv = autograd::untracked([&] { return astype(rv, DType::Float32); });
    Array out = to16(batch_norm_native(to32(x), to32(gamma), to32(beta), training ? rm : to32(rm),
                                       training ? rv : to32(rv), training, momentum, eps));
    autograd::untracked([&] {
      if (training && half(running_mean)) assign(running_mean, rm);
      if (training && half(running_var)) assign(running_var, rv);
    });
    return out;
  }
  return batch_norm_native(x, gamma, beta, running_mean, running_var, training, momentum, eps);
}

Array layer_norm(const Array& x, const Array& gamma, const Array& beta, double eps) {
  OpScope op_scope("layer_norm");
  const char* op = "layer_norm";
  require_float(x, op, "x");
  require_float(gamma, op, "gamma");
  require_float(beta, op, "beta");
  if (x.ndim() < 1) throw ValueError(msg(op, "x must have at least 1 dimension."));
  int64_t D = x.shape(x.ndim() - 1);
  require_vector(gamma, D, op, "gamma");
  require_vector(beta, D, op, "beta");
  if (!std::isfinite(eps) || eps < 0) throw ValueError(msg(op, "eps must be finite and >= 0."));
  if (half(x)) return to16(layer_norm_native(to32(x), to32(gamma), to32(beta), eps));
  return layer_norm_native(x, gamma, beta, eps);
}

namespace {
void check_p(double p, const char* op) {
  if (!(p >= 0.0 && p <= 1.0))
    throw ValueError(msg(op, "dropout probability has to be between 0 and 1, but got " + std::to_string(p) + "."));
}
}  // namespace

Array dropout_with_uniform(const Array& x, const Array& u, double p) {
  OpScope op_scope("dropout");
  const char* op = "dropout";
  require_float(x, op, "x");
  require_float(u, op, "u");
  check_p(p, op);
  if (!u.defined() || u.shape() != x.shape())
    throw ValueError(msg(op, "the uniform array must have the shape of x."));
  if (half(x)) return to16(dropout_with_uniform(to32(x), u, p));
  DType t = x.dtype();
  Array uc = autograd::untracked([&] { return ascontiguousarray(astype(u, t, Casting::Unsafe, false)); });
  Array out = Array::empty(x.shape(), t), mask = Array::empty(x.shape(), t);
  cpu::dropout_apply(contiguous(x), uc, p, out, mask);
  if (autograd::recording())
    autograd::record(op, {x}, {out},
                     [](const Node& n, const GradVec& g) { return GradVec{mul(g[0], n.saved(0))}; }, {mask});
  return out;
}

Array dropout(const Array& x, double p, RandomGenerator& gen, bool training) {
  const char* op = "dropout";
  require_float(x, op, "x");
  check_p(p, op);
  if (!training || p == 0.0) return x;
  Array u = gen.random(x.shape(), compute_dtype(x));
  return dropout_with_uniform(x, u, p);
}

Array softmax(const Array& x, int64_t axis) {
  OpScope op_scope("softmax");
  require_float(x, "softmax", "x");
  if (half(x)) return to16(softmax(to32(x), axis));
  return softmax_impl(x, axis, false);
}

Array log_softmax(const Array& x, int64_t axis) {
  OpScope op_scope("log_softmax");
  require_float(x, "log_softmax", "x");
  if (half(x)) return to16(log_softmax(to32(x), axis));
  return softmax_impl(x, axis, true);
}

Array softmax_cross_entropy(const Array& logits, const Array& labels, Reduction reduction) {
  OpScope op_scope("softmax_cross_entropy");
  const char* op = "softmax_cross_entropy";
  check_loss_args(logits, labels, op);
  Array y = checked_indices(labels, logits.shape(1), op, "labels");
  if (half(logits)) return to16(cross_entropy_native(to32(logits), y, reduction));
  return cross_entropy_native(logits, y, reduction);
}

Array svm_loss(const Array& x, const Array& labels, double delta, Reduction reduction) {
  OpScope op_scope("svm_loss");
  const char* op = "svm_loss";
  check_loss_args(x, labels, op);
  if (!std::isfinite(delta)) throw ValueError(msg(op, "delta must be finite."));
  Array y = checked_indices(labels, x.shape(1), op, "labels");
  if (half(x)) return to16(svm_native(to32(x), y, delta, reduction));
  return svm_native(x, y, delta, reduction);
}

Array embedding(const Array& indices, const Array& weight) {
  OpScope op_scope("embedding");
  const char* op = "embedding";
  require_float(weight, op, "weight");
  if (weight.ndim() != 2) throw ValueError(msg(op, "weight must be 2-d (V, D), got shape " + shape_str(weight.shape()) + "."));
  if (half(weight)) return to16(embedding(indices, to32(weight)));
  int64_t V = weight.shape(0), D = weight.shape(1);
  Array idx = checked_indices(indices, V, op, "indices");
  Shape oshape = indices.shape();
  oshape.push_back(D);
  shape_size(oshape);  // ValueError when too big
  Array out = Array::empty(oshape, weight.dtype());
  cpu::embedding_gather(contiguous(weight), idx, out);
  if (autograd::recording())
    autograd::record(op, {weight}, {out}, [idx, V, ishape = indices.shape()](const Node&, const GradVec& g) {
      return GradVec{embedding_backward(g[0], reshape(idx, ishape), V)};
    });
  return out;
}

Array embedding_backward(const Array& g, const Array& indices, int64_t num_embeddings) {
  OpScope op_scope("embedding_backward");
  const char* op = "embedding_backward";
  require_float(g, op, "g");
  Shape want = indices.shape();
  if (g.ndim() != indices.ndim() + 1 || !std::equal(want.begin(), want.end(), g.shape().begin()))
    throw ValueError(msg(op, "g must have shape indices.shape + (D,), got " + shape_str(g.shape()) + "."));
  if (num_embeddings < 0) throw ValueError(msg(op, "num_embeddings must be >= 0."));
  if (half(g)) return to16(embedding_backward(to32(g), indices, num_embeddings));
  Array idx = checked_indices(indices, num_embeddings, op, "indices");
  int64_t D = g.shape(g.ndim() - 1);
  Array out = Array::empty({num_embeddings, D}, g.dtype());
  cpu::embedding_scatter(contiguous(g), idx, out);
  if (autograd::recording())
    autograd::record(op, {g}, {out}, [ix = reshape(idx, indices.shape())](const Node&, const GradVec& h) {
      return GradVec{embedding(ix, h[0])};
    });
  return out;
}

}  // namespace minpy::nn
