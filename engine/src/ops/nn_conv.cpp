// conv2d, max_pool2d, avg_pool2d: argument checks, dtypes and gradients; kernels in
// backend/cpu/nn_conv_kernels.cpp.
//
// Gradients. conv2d records one node whose first-order VJP runs the fused native backward kernel
// (one unfold of x per chunk serves dW, and the same buffer takes dcol for dx). Under an outer tape
// (higher order) the VJP calls conv2d_grad_input / conv2d_grad_weight / sum instead, which record
// themselves: the three conv ops are bilinear and their VJPs are each other, so the family is closed
// under differentiation. Likewise avg_pool2d <-> avg_pool2d_backward, and max_pool2d's scatter <->
// gather through the saved argmax positions (the positions themselves are piecewise constant in x).
#include "minpy/nn_conv.h"

#include <algorithm>
#include <string>

#include "backend/cpu/blas.h"
#include "backend/cpu/nn_conv_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/linalg.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy::nn {
namespace {

using autograd::Node;
using GradVec = std::vector<Array>;
using Wide = __int128;  // shape arithmetic with user-given sizes cannot overflow in 128 bits

std::string pair_str(const Pair& p) { return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")"; }

void require_cpu(const Array& a, const char* op) {
  if (a.defined() && a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

void require_float(const Array& a, const char* op, const char* what) {
  if (!a.defined()) throw ValueError(msg(op, std::string(what) + " is missing."));
  require_cpu(a, op);
  if (!is_floating(a.dtype()))
    throw TypeError(msg(op, std::string(what) + " must be a floating array (float16, float32 or float64), got " +
                                dtype_name(a.dtype()) + "."));
}

void require_ndim(const Array& a, int nd, const char* op, const char* what, const char* layout) {
  if (a.ndim() != nd)
    throw ValueError(msg(op, std::string("Expected a ") + std::to_string(nd) + "-d " + what + " " + layout +
                                 ", got shape " + shape_str(a.shape()) + "."));
}

void require_positive(const Pair& p, const char* op, const char* what) {
  if (p[0] <= 0 || p[1] <= 0)
    throw ValueError(msg(op, std::string(what) + " must be positive, got " + pair_str(p) + "."));
}
void require_non_negative(const Pair& p, const char* op, const char* what) {
  if (p[0] < 0 || p[1] < 0)
    throw ValueError(msg(op, std::string(what) + " must be non-negative, got " + pair_str(p) + "."));
}

// The computation dtype (float16 runs in float32) and the result dtype of floating inputs.
DType result_dtype(std::initializer_list<const Array*> arrays) {
  DType t = DType::Float16;
  bool first = true;
  for (const Array* a : arrays)
    if (a->defined()) {
      t = first ? a->dtype() : promote_types(t, a->dtype());
      first = false;
    }
  return t;
}
DType compute_dtype(DType rt) { return rt == DType::Float16 ? DType::Float32 : rt; }
// a in dtype t (recorded when it is a conversion).
Array as_dtype(const Array& a, DType t) { return !a.defined() || a.dtype() == t ? a : astype(a, t); }

// The output length of one spatial axis, or ValueError when the (dilated) kernel exceeds the
// padded input.
// One axis's output length (PyTorch's rule), or ValueError when there is no output. ceil_mode
// (pools): rounded up, so the kernel may exceed the padded input by less than the stride, and a last
// window starting in the right padding (or beyond) is dropped, as in PyTorch.
int64_t out_len(int64_t in, int64_t pad, int64_t dil, int64_t k, int64_t stride, bool ceil_mode, const char* op,
                const Shape& xs, const Pair& kern, const Pair& dilp, const Pair& padp) {
  const Wide eff = Wide(dil) * (Wide(k) - 1) + 1;
  const Wide span = Wide(in) + 2 * Wide(pad) - eff + (ceil_mode ? Wide(stride) - 1 : 0);
  if (span < 0)
    throw ValueError(msg(op, "The kernel " + pair_str(kern) + (dilp[0] == 1 && dilp[1] == 1 ? "" : " with dilation " + pair_str(dilp)) +
                                 " is larger than the padded input (input " + shape_str(xs) + ", padding " +
                                 pair_str(padp) + (ceil_mode ? ", ceil_mode" : "") + ")."));
  Wide out = span / stride + 1;
  if (ceil_mode && (out - 1) * stride >= Wide(in) + pad) --out;
  return static_cast<int64_t>(out);
}

cpu::ConvGeom conv_geom(const Shape& xs, const Shape& ws, const Conv2dOptions& o, const char* op) {
  require_positive(o.stride, op, "stride");
  require_non_negative(o.padding, op, "padding");
  require_positive(o.dilation, op, "dilation");
  if (o.groups <= 0) throw ValueError(msg(op, "groups must be positive, got " + std::to_string(o.groups) + "."));
  cpu::ConvGeom g{};
  g.N = xs[0], g.C = xs[1], g.H = xs[2], g.W = xs[3];
  g.F = ws[0], g.KH = ws[2], g.KW = ws[3];
  g.sh = o.stride[0], g.sw = o.stride[1], g.ph = o.padding[0], g.pw = o.padding[1];
  g.dh = o.dilation[0], g.dw = o.dilation[1], g.groups = o.groups;
  if (g.C % g.groups != 0)
    throw ValueError(msg(op, "The input's " + std::to_string(g.C) + " channels are not divisible by groups=" +
                                 std::to_string(g.groups) + "."));
  if (g.F % g.groups != 0)
    throw ValueError(msg(op, "The weight's " + std::to_string(g.F) + " filters are not divisible by groups=" +
                                 std::to_string(g.groups) + "."));
  if (Wide(ws[1]) * g.groups != g.C)
    throw ValueError(msg(op, "The weight " + shape_str(ws) + " expects " + std::to_string(ws[1]) +
                                 " input channels per group, but the input " + shape_str(xs) + " with groups=" +
                                 std::to_string(g.groups) + " has " + std::to_string(g.C / g.groups) + "."));
  if (g.KH <= 0 || g.KW <= 0)
    throw ValueError(msg(op, "The weight " + shape_str(ws) + " has an empty kernel."));
  const Pair kern{g.KH, g.KW};
  g.Ho = out_len(g.H, g.ph, g.dh, g.KH, g.sh, false, op, xs, kern, o.dilation, o.padding);
  g.Wo = out_len(g.W, g.pw, g.dw, g.KW, g.sw, false, op, xs, kern, o.dilation, o.padding);
  // The products index with BLAS's 32-bit int: a plane of outputs and a group's K must fit it.
  if (Wide(g.Ho) * g.Wo > cpu::blas::kMaxDim || Wide(ws[1]) * g.KH * g.KW > cpu::blas::kMaxDim ||
      g.F > cpu::blas::kMaxDim)
    throw ValueError(msg(op, "The convolution is too large (more than 2**31 - 1 outputs per plane or weights "
                             "per filter)."));
  return g;
}

Shape conv_out_shape(const cpu::ConvGeom& g) { return {g.N, g.F, g.Ho, g.Wo}; }

Array contiguous(const Array& a, DType t) {
  Array c = a.dtype() == t ? a : astype(a, t, Casting::Unsafe, false);
  if (c.c_contiguous()) return c;
  bool one_value = c.size() > 0;  // a broadcast scalar (the cotangent of a sum): a fill, not a strided copy
  for (int64_t s : c.strides()) one_value = one_value && s == 0;
  if (one_value) {
    Array r = Array::empty(c.shape(), t);
    if (t == DType::Float32) std::fill_n(r.data_as<float>(), r.size(), *c.data_as<float>());
    else if (t == DType::Float64) std::fill_n(r.data_as<double>(), r.size(), *c.data_as<double>());
    else return ascontiguousarray(c);
    return r;
  }
  return ascontiguousarray(c);
}
const void* ptr(const Array& a) { return a.defined() ? a.data() : nullptr; }

// ---- kernels on engine arrays (no recording) ----
Array conv_forward(const cpu::ConvGeom& g, const Array& x, const Array& w, const Array& b) {
  const DType t = x.dtype();
  Array xc = contiguous(x, t), wc = contiguous(w, t), bc = b.defined() ? contiguous(b, t) : Array();
  Array y = Array::empty(conv_out_shape(g), t);
  cpu::conv2d_forward(t, g, xc.data(), wc.data(), ptr(bc), y.data());
  return y;
}

// The requested gradients of conv2d (dx needs w, dw needs x).
void conv_backward(const cpu::ConvGeom& g, const Array& gy, const Array& x, const Array& w, const Shape& xs,
                   const Shape& ws, Array* dx, Array* dw, Array* db) {
  const DType t = gy.dtype();
  Array gc = contiguous(gy, t);
  Array xc = dw ? contiguous(x, t) : Array(), wc = dx ? contiguous(w, t) : Array();
  if (dx) *dx = Array::empty(xs, t);
  if (dw) *dw = Array::empty(ws, t);
  if (db) *db = Array::empty({g.F}, t);
  cpu::conv2d_backward(t, g, gc.data(), ptr(xc), ptr(wc), dx ? dx->data() : nullptr, dw ? dw->data() : nullptr,
                       db ? db->data() : nullptr);
}

// ---- the recorded gradient ops ----
Array grad_input_impl(const Array& gy, const Array& w, const Shape& xs, const Conv2dOptions& o, const cpu::ConvGeom& g);
Array grad_weight_impl(const Array& gy, const Array& x, const Shape& ws, const Conv2dOptions& o, const cpu::ConvGeom& g);

Array conv_impl(const Array& x, const Array& w, const Array& b, const Conv2dOptions& o, const cpu::ConvGeom& g) {
  if (!autograd::recording()) return conv_forward(g, x, w, b);
  Array y = autograd::untracked([&] { return conv_forward(g, x, w, b); });
  std::vector<Array> inputs{x, w};
  if (b.defined()) inputs.push_back(b);
  autograd::record("conv2d", inputs, {y}, [o, g](const Node& n, const GradVec& gs) {
    const Array &x = n.saved(0), &w = n.saved(1);
    const bool nx = n.needs_grad(0), nw = n.needs_grad(1), nb = n.edges.size() > 2 && n.needs_grad(2);
    GradVec r(n.edges.size());
    if (!autograd::recording()) {  // first order: one fused native pass
      conv_backward(g, gs[0], x, w, x.shape(), w.shape(), nx ? &r[0] : nullptr, nw ? &r[1] : nullptr,
                    nb ? &r[2] : nullptr);
      return r;
    }
    if (nx) r[0] = grad_input_impl(gs[0], w, x.shape(), o, g);
    if (nw) r[1] = grad_weight_impl(gs[0], x, w.shape(), o, g);
    if (nb) r[2] = sum_axes(gs[0], {0, 2, 3});
    return r;
  }, {x, w});
  return y;
}

Array grad_input_impl(const Array& gy, const Array& w, const Shape& xs, const Conv2dOptions& o, const cpu::ConvGeom& g) {
  auto compute = [&] {
    Array dx;
    conv_backward(g, gy, Array(), w, xs, w.shape(), &dx, nullptr, nullptr);
    return dx;
  };
  if (!autograd::recording()) return compute();
  Array dx = autograd::untracked(compute);
  autograd::record("conv2d_grad_input", {gy, w}, {dx}, [o, g](const Node& n, const GradVec& gs) {
    const Array &gy = n.saved(0), &w = n.saved(1);
    GradVec r(2);
    if (n.needs_grad(0)) r[0] = conv_impl(gs[0], w, Array(), o, g);
    if (n.needs_grad(1)) r[1] = grad_weight_impl(gy, gs[0], w.shape(), o, g);
    return r;
  }, {gy, w});
  return dx;
}

Array grad_weight_impl(const Array& gy, const Array& x, const Shape& ws, const Conv2dOptions& o, const cpu::ConvGeom& g) {
  auto compute = [&] {
    Array dw;
    conv_backward(g, gy, x, Array(), x.shape(), ws, nullptr, &dw, nullptr);
    return dw;
  };
  if (!autograd::recording()) return compute();
  Array dw = autograd::untracked(compute);
  autograd::record("conv2d_grad_weight", {gy, x}, {dw}, [o, g](const Node& n, const GradVec& gs) {
    const Array &gy = n.saved(0), &x = n.saved(1);
    GradVec r(2);
    if (n.needs_grad(0)) r[0] = conv_impl(x, gs[0], Array(), o, g);
    if (n.needs_grad(1)) r[1] = grad_input_impl(gy, gs[0], x.shape(), o, g);
    return r;
  }, {gy, x});
  return dw;
}

void check_shape_arg(const Shape& s, const char* op, const char* what) {
  if (s.size() != 4)
    throw ValueError(msg(op, std::string(what) + " must have 4 dimensions, got " + shape_str(s) + "."));
  for (int64_t d : s)
    if (d < 0) throw ValueError(msg(op, std::string(what) + " " + shape_str(s) + " has a negative dimension."));
  shape_size(s);
}

void check_gy(const Array& gy, const Shape& want, const char* op) {
  if (gy.shape() != want)
    throw ValueError(msg(op, "The output gradient has shape " + shape_str(gy.shape()) + ", expected " +
                                 shape_str(want) + "."));
}

// ---- pooling ----
cpu::PoolGeom pool_geom(const Shape& xs, const Pool2dOptions& o, const char* op) {
  const Pair st = o.stride ? *o.stride : o.kernel;
  require_positive(o.kernel, op, "kernel_size");
  require_positive(st, op, "stride");
  require_non_negative(o.padding, op, "padding");
  require_positive(o.dilation, op, "dilation");
  // PyTorch checks padding against half of both the kernel and the dilated kernel: the first binds.
  for (int i = 0; i < 2; ++i)
    if (o.padding[i] > o.kernel[i] / 2)
      throw ValueError(msg(op, "padding " + pair_str(o.padding) + " must be at most half the kernel size " +
                                   pair_str(o.kernel) + "."));
  if (xs[2] == 0 || xs[3] == 0)
    throw ValueError(msg(op, "The input " + shape_str(xs) + " has an empty image (H or W is 0)."));
  cpu::PoolGeom g{};
  g.N = xs[0], g.C = xs[1], g.H = xs[2], g.W = xs[3];
  g.KH = o.kernel[0], g.KW = o.kernel[1], g.sh = st[0], g.sw = st[1], g.ph = o.padding[0], g.pw = o.padding[1];
  g.dh = o.dilation[0], g.dw = o.dilation[1];
  g.count_include_pad = o.count_include_pad;
  g.Ho = out_len(g.H, g.ph, g.dh, g.KH, g.sh, o.ceil_mode, op, xs, o.kernel, o.dilation, o.padding);
  g.Wo = out_len(g.W, g.pw, g.dw, g.KW, g.sw, o.ceil_mode, op, xs, o.kernel, o.dilation, o.padding);
  return g;
}
// avg_pool2d has no dilation (PyTorch's neither).
void require_no_dilation(const Pool2dOptions& o, const char* op) {
  if (o.dilation[0] != 1 || o.dilation[1] != 1)
    throw ValueError(msg(op, "Dilation is not supported, got " + pair_str(o.dilation) + "."));
}
Shape pool_out_shape(const cpu::PoolGeom& g) { return {g.N, g.C, g.Ho, g.Wo}; }

Array max_scatter_impl(const Array& gy, const Array& idx, const cpu::PoolGeom& g, const Shape& xs);

// out[o] = c[idx[o]] per plane: the VJP of the scatter (and the scatter is its VJP).
Array max_gather_impl(const Array& c, const Array& idx, const cpu::PoolGeom& g) {
  auto compute = [&] {
    Array cc = contiguous(c, c.dtype());
    Array out = Array::empty(pool_out_shape(g), c.dtype());
    cpu::max_pool2d_gather(c.dtype(), g, cc.data(), idx.data_as<int64_t>(), out.data());
    return out;
  };
  if (!autograd::recording()) return compute();
  Array out = autograd::untracked(compute);
  autograd::record("max_pool2d_gather", {c}, {out}, [g, xs = c.shape()](const Node& n, const GradVec& gs) {
    return GradVec{max_scatter_impl(gs[0], n.saved(0), g, xs)};
  }, {idx});
  return out;
}

Array max_scatter_impl(const Array& gy, const Array& idx, const cpu::PoolGeom& g, const Shape& xs) {
  auto compute = [&] {
    Array gc = contiguous(gy, gy.dtype());
    Array dx = Array::empty(xs, gy.dtype());
    cpu::max_pool2d_scatter(gy.dtype(), g, gc.data(), idx.data_as<int64_t>(), dx.data());
    return dx;
  };
  if (!autograd::recording()) return compute();
  Array dx = autograd::untracked(compute);
  autograd::record("max_pool2d_backward", {gy}, {dx}, [g](const Node& n, const GradVec& gs) {
    return GradVec{max_gather_impl(gs[0], n.saved(0), g)};
  }, {idx});
  return dx;
}

std::pair<Array, Array> max_pool_impl(const Array& x, const cpu::PoolGeom& g, bool want_idx) {
  const bool rec = autograd::recording();
  auto compute = [&] {
    Array xc = contiguous(x, x.dtype());
    Array y = Array::empty(pool_out_shape(g), x.dtype());
    Array idx = (want_idx || rec) ? Array::empty(pool_out_shape(g), DType::Int64) : Array();
    cpu::max_pool2d_forward(x.dtype(), g, xc.data(), y.data(), idx.defined() ? idx.data_as<int64_t>() : nullptr);
    return std::make_pair(y, idx);
  };
  if (!rec) return compute();
  auto r = autograd::untracked(compute);
  autograd::record("max_pool2d", {x}, {r.first}, [g, xs = x.shape()](const Node& n, const GradVec& gs) {
    return GradVec{max_scatter_impl(gs[0], n.saved(0), g, xs)};
  }, {r.second});
  return r;
}

Array avg_backward_impl(const Array& gy, const cpu::PoolGeom& g, const Shape& xs);

Array avg_impl(const Array& x, const cpu::PoolGeom& g) {
  auto compute = [&] {
    Array xc = contiguous(x, x.dtype());
    Array y = Array::empty(pool_out_shape(g), x.dtype());
    cpu::avg_pool2d_forward(x.dtype(), g, xc.data(), y.data());
    return y;
  };
  if (!autograd::recording()) return compute();
  Array y = autograd::untracked(compute);
  autograd::record("avg_pool2d", {x}, {y}, [g, xs = x.shape()](const Node&, const GradVec& gs) {
    return GradVec{avg_backward_impl(gs[0], g, xs)};
  });
  return y;
}

Array avg_backward_impl(const Array& gy, const cpu::PoolGeom& g, const Shape& xs) {
  auto compute = [&] {
    Array gc = contiguous(gy, gy.dtype());
    Array dx = Array::empty(xs, gy.dtype());
    cpu::avg_pool2d_backward(gy.dtype(), g, gc.data(), dx.data());
    return dx;
  };
  if (!autograd::recording()) return compute();
  Array dx = autograd::untracked(compute);
  autograd::record("avg_pool2d_backward", {gy}, {dx}, [g](const Node&, const GradVec& gs) {
    return GradVec{avg_impl(gs[0], g)};
  });
  return dx;
}

// Runs f on a 4-d view of a 3-d (unbatched) x and drops the batch axis of the result again.
template <class F>
Array unbatched(const Array& x, F&& f) {
  return squeeze(f(expand_dims(x, {0})), {0});
}

const char* kImageLayout = "(N, C, H, W) or a 3-d unbatched one";

}  // namespace

Array conv2d(const Array& x, const Array& weight, const Array& bias, const Conv2dOptions& opt) {
  OpScope op_scope("conv2d");
  const char* op = "conv2d";
  require_float(x, op, "input");
  require_float(weight, op, "weight");
  if (bias.defined()) require_float(bias, op, "bias");
  if (x.ndim() == 3) return unbatched(x, [&](const Array& x4) { return conv2d(x4, weight, bias, opt); });
  require_ndim(x, 4, op, "input", kImageLayout);
  require_ndim(weight, 4, op, "weight", "(F, C / groups, KH, KW)");
  const cpu::ConvGeom g = conv_geom(x.shape(), weight.shape(), opt, op);
  if (bias.defined() && (bias.ndim() != 1 || bias.shape(0) != g.F))
    throw ValueError(msg(op, "The bias must have shape (" + std::to_string(g.F) + ",), got " + shape_str(bias.shape()) +
                                 "."));
  const DType rt = result_dtype({&x, &weight, &bias}), ct = compute_dtype(rt);
  Array y = conv_impl(as_dtype(x, ct), as_dtype(weight, ct), as_dtype(bias, ct), opt, g);
  return as_dtype(y, rt);
}

Array conv2d_grad_input(const Array& gy, const Array& weight, const Shape& x_shape, const Conv2dOptions& opt) {
  OpScope op_scope("conv2d_grad_input");
  const char* op = "conv2d_grad_input";
  require_float(gy, op, "the output gradient");
  require_float(weight, op, "weight");
  check_shape_arg(x_shape, op, "the input shape");
  require_ndim(weight, 4, op, "weight", "(F, C / groups, KH, KW)");
  const cpu::ConvGeom g = conv_geom(x_shape, weight.shape(), opt, op);
  check_gy(gy, conv_out_shape(g), op);
  const DType rt = result_dtype({&gy, &weight}), ct = compute_dtype(rt);
  return as_dtype(grad_input_impl(as_dtype(gy, ct), as_dtype(weight, ct), x_shape, opt, g), rt);
}

Array conv2d_grad_weight(const Array& gy, const Array& x, const Shape& w_shape, const Conv2dOptions& opt) {
  OpScope op_scope("conv2d_grad_weight");
  const char* op = "conv2d_grad_weight";
  require_float(gy, op, "the output gradient");
  require_float(x, op, "input");
  check_shape_arg(w_shape, op, "the weight shape");
  require_ndim(x, 4, op, "input", "(N, C, H, W)");
  const cpu::ConvGeom g = conv_geom(x.shape(), w_shape, opt, op);
  check_gy(gy, conv_out_shape(g), op);
  const DType rt = result_dtype({&gy, &x}), ct = compute_dtype(rt);
  return as_dtype(grad_weight_impl(as_dtype(gy, ct), as_dtype(x, ct), w_shape, opt, g), rt);
}

std::pair<Array, Array> max_pool2d_with_indices(const Array& x, const Pool2dOptions& opt) {
  OpScope op_scope("max_pool2d");
  const char* op = "max_pool2d";
  require_float(x, op, "input");
  if (x.ndim() == 3) {
    auto r = max_pool2d_with_indices(expand_dims(x, {0}), opt);
    return {squeeze(r.first, {0}), squeeze(r.second, {0})};
  }
  require_ndim(x, 4, op, "input", kImageLayout);
  const cpu::PoolGeom g = pool_geom(x.shape(), opt, op);
  const DType rt = x.dtype(), ct = compute_dtype(rt);
  auto r = max_pool_impl(as_dtype(x, ct), g, true);
  return {as_dtype(r.first, rt), r.second};
}

Array max_pool2d(const Array& x, const Pool2dOptions& opt) {
  OpScope op_scope("max_pool2d");
  const char* op = "max_pool2d";
  require_float(x, op, "input");
  if (x.ndim() == 3) return unbatched(x, [&](const Array& x4) { return max_pool2d(x4, opt); });
  require_ndim(x, 4, op, "input", kImageLayout);
  const cpu::PoolGeom g = pool_geom(x.shape(), opt, op);
  const DType rt = x.dtype(), ct = compute_dtype(rt);
  return as_dtype(max_pool_impl(as_dtype(x, ct), g, false).first, rt);
}

Array max_pool2d_backward(const Array& gy, const Array& indices, const Shape& x_shape, const Pool2dOptions& opt) {
  OpScope op_scope("max_pool2d_backward");
  const char* op = "max_pool2d_backward";
  require_float(gy, op, "the output gradient");
  check_shape_arg(x_shape, op, "the input shape");
  const cpu::PoolGeom g = pool_geom(x_shape, opt, op);
  check_gy(gy, pool_out_shape(g), op);
  require_cpu(indices, op);
  if (!indices.defined() || indices.dtype() != DType::Int64 || indices.shape() != gy.shape())
    throw ValueError(msg(op, "The indices must be an int64 array of the output gradient's shape."));
  // Positions are checked before the scatter writes through them.
  Array idx = ascontiguousarray(indices);
  const int64_t* p = idx.data_as<int64_t>();
  const int64_t plane = g.H * g.W;
  // -1 marks a (dilated) window without input elements; the kernels skip it only when the
  // geometry can produce such windows.
  const int64_t lowest = cpu::may_have_empty_windows(g) ? -1 : 0;
  for (int64_t i = 0; i < idx.size(); ++i)
    if (static_cast<uint64_t>(p[i] - lowest) >= static_cast<uint64_t>(plane - lowest))  // one compare per index
      throw IndexError(msg(op, "index " + std::to_string(p[i]) + " is out of bounds for a plane of " +
                                   std::to_string(plane) + " elements."));
  if (idx.impl() == indices.impl()) idx = copy(indices);  // later writes to the caller's array must not reach the VJP
  const DType rt = gy.dtype(), ct = compute_dtype(rt);
  return as_dtype(max_scatter_impl(as_dtype(gy, ct), idx, g, x_shape), rt);
}

Array avg_pool2d(const Array& x, const Pool2dOptions& opt) {
  OpScope op_scope("avg_pool2d");
  const char* op = "avg_pool2d";
  require_float(x, op, "input");
  require_no_dilation(opt, op);
  if (x.ndim() == 3) return unbatched(x, [&](const Array& x4) { return avg_pool2d(x4, opt); });
  require_ndim(x, 4, op, "input", kImageLayout);
  const cpu::PoolGeom g = pool_geom(x.shape(), opt, op);
  const DType rt = x.dtype(), ct = compute_dtype(rt);
  return as_dtype(avg_impl(as_dtype(x, ct), g), rt);
}

Array avg_pool2d_backward(const Array& gy, const Shape& x_shape, const Pool2dOptions& opt) {
  OpScope op_scope("avg_pool2d_backward");
  const char* op = "avg_pool2d_backward";
  require_float(gy, op, "the output gradient");
  require_no_dilation(opt, op);
  check_shape_arg(x_shape, op, "the input shape");
  const cpu::PoolGeom g = pool_geom(x_shape, opt, op);
  check_gy(gy, pool_out_shape(g), op);
  const DType rt = gy.dtype(), ct = compute_dtype(rt);
  return as_dtype(avg_backward_impl(as_dtype(gy, ct), g, x_shape), rt);
}

}  // namespace minpy::nn
