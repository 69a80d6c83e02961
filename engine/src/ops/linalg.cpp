#include "minpy/linalg.h"
#include "minpy/reductions.h"

#include <algorithm>

#include "backend/cpu/linalg_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/fp_errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {
namespace {

void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

// NumPy prints shapes in dot's messages without spaces: (2,3) and (2,).
std::string compact_shape(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  if (s.size() == 1) r += ",";
  return r + ")";
}

Shape slice(const Shape& s, size_t b, size_t e) { return Shape(s.begin() + b, s.begin() + e); }
Shape cat(Shape a, const Shape& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const char* kMatmulSig = "(n?,k),(k,m?)->(n?,m?)";

// Writes `a @ b` (same dtype, core dims last, batch broadcast) into c; c must not overlap a or b.
void product_into(const Array& a, const Array& b, const Array& c) {
  Shape batch = slice(c.shape(), 0, c.ndim() - 2);
  Array A = broadcast_to(a, cat(batch, {a.shape(a.ndim() - 2), a.shape(a.ndim() - 1)}), "matmul");
  Array B = broadcast_to(b, cat(batch, {b.shape(b.ndim() - 2), b.shape(b.ndim() - 1)}), "matmul");
  cpu::matmul(A, B, c);
}

bool overlaps(const Array& out, const Array& a, const Array& b) {
  return out.may_share_memory(a) || out.may_share_memory(b);
}

Array multiply_out(const Array& a, const Array& b, const Array& out) {
  UfuncOptions opt;
  if (out.defined()) opt.out = {out};
  return call_ufunc(get_ufunc("multiply"), {a, b}, opt)[0];
}

}  // namespace

static Array matmul_raw(const Array& a, const Array& b, const Array& out, std::optional<DType> dtype);
// NumPy reports the float flags of a product (inf * 0: "invalid value encountered in matmul"). Flags
// raised on BLAS's own threads are not seen (NumPy has the same limit).
static Array matmul_impl(const Array& a, const Array& b, const Array& out, std::optional<DType> dtype) {
  return fperr::checked("matmul", [&] { return matmul_raw(a, b, out, dtype); });
}
static Array matmul_raw(const Array& a, const Array& b, const Array& out, std::optional<DType> dtype) {
  OpScope op_scope("matmul");
  for (int i = 0; i < 2; ++i) {
    const Array& x = i == 0 ? a : b;
    if (x.ndim() == 0)
      throw ValueError(msg("matmul", "Input operand " + std::to_string(i) +
                                         " does not have enough dimensions (has 0, gufunc core with signature " +
                                         kMatmulSig + " requires 1)."));
  }
  require_cpu(a, "matmul");
  require_cpu(b, "matmul");
  DType rt = dtype ? *dtype : promote_types(a.dtype(), b.dtype());
  if (dtype) {
    for (const Array* x : {&a, &b})
      if (!can_cast(x->dtype(), rt, Casting::SameKind))
        throw TypeError(msg("matmul", std::string("Cannot cast ufunc 'matmul' input from dtype('") +
                                          dtype_name(x->dtype()) + "') to dtype('" + dtype_name(rt) +
                                          "') with casting rule 'same_kind'."));
  }
  const bool a1 = a.ndim() == 1, b1 = b.ndim() == 1;
  Array A = a1 ? expand_dims(a, {0}) : a;
  Array B = b1 ? expand_dims(b, {-1}) : b;
  const int64_t n = A.shape(A.ndim() - 2), k = A.shape(A.ndim() - 1);
  const int64_t k2 = B.shape(B.ndim() - 2), m = B.shape(B.ndim() - 1);
  if (k != k2)
    throw ValueError(msg("matmul", std::string("Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                                               "signature ") + kMatmulSig + " (size " + std::to_string(k2) +
                                       " is different from " + std::to_string(k) + ")."));
  Shape batch = broadcast_shapes(slice(A.shape(), 0, A.ndim() - 2), slice(B.shape(), 0, B.ndim() - 2), "matmul");
  Shape core;
  if (!a1) core.push_back(n);
  if (!b1) core.push_back(m);
  if (out.defined()) {
    require_cpu(out, "matmul");
    const int oc = static_cast<int>(core.size());
    if (out.ndim() < oc || slice(out.shape(), out.ndim() - oc, out.ndim()) != core)
      throw ValueError(msg("matmul", "Output operand 0 has a mismatch in its core dimensions: expected " +
                                         shape_str(core) + " at the end of " + shape_str(out.shape()) + "."));
    Shape obatch = slice(out.shape(), 0, out.ndim() - oc);
    if (broadcast_shapes(batch, obatch, "matmul") != obatch)
      throw ValueError(msg("matmul", "non-broadcastable output operand with shape " + shape_str(out.shape()) +
                                         " doesn't match the broadcast shape " + shape_str(cat(batch, core)) + "."));
    batch = obatch;
    if (!out.writeable()) throw ValueError(msg("matmul", "output array is read-only."));
    if (!can_cast(rt, out.dtype(), Casting::SameKind))
      throw TypeError(msg("matmul", std::string("Cannot cast ufunc 'matmul' output from dtype('") + dtype_name(rt) +
                                        "') to dtype('" + dtype_name(out.dtype()) + "') with casting rule 'same_kind'."));
  }
  Array Ac = astype(A, rt, Casting::Unsafe, false), Bc = astype(B, rt, Casting::Unsafe, false);
  const bool direct = out.defined() && out.dtype() == rt && !overlaps(out, a, b);
  Array result = direct ? out : Array::empty(cat(batch, core), rt);
  // The full (batch, n, m) view of the result: the removed 1-d axes come back with length 1.
  std::vector<int64_t> added;
  if (a1) added.push_back(-2);
  if (b1) added.push_back(-1);
  Array C = added.empty() ? result : expand_dims(result, added);
  product_into(Ac, Bc, C);
  if (out.defined() && !direct) {
    assign(out, result, Casting::Unsafe, "matmul");
    return out;
  }
  return result;
}

Array matmul_inplace(const Array& a, const Array& b) {
  if (a.ndim() < 1 || b.ndim() < 2)
    throw ValueError(msg("matmul", "inplace matrix multiplication requires the first operand to have at least one "
                                   "and the second at least two dimensions."));
  return matmul(a, b, a);
}

static Array dot_raw(const Array& a, const Array& b, const Array& out);
static Array dot_impl(const Array& a, const Array& b, const Array& out) {
  return fperr::checked("dot", [&] { return dot_raw(a, b, out); });
}
static Array dot_raw(const Array& a, const Array& b, const Array& out) {
  OpScope op_scope("dot");
  require_cpu(a, "dot");
  require_cpu(b, "dot");
  const int64_t k = a.shape(a.ndim() - 1);
  const int kb_axis = b.ndim() == 1 ? 0 : b.ndim() - 2;
  if (b.shape(kb_axis) != k)
    throw ValueError(msg("dot", "shapes " + compact_shape(a.shape()) + " and " + compact_shape(b.shape()) +
                                    " not aligned: " + std::to_string(k) + " (dim " + std::to_string(a.ndim() - 1) +
                                    ") != " + std::to_string(b.shape(kb_axis)) + " (dim " + std::to_string(kb_axis) +
                                    ")."));
  const DType rt = promote_types(a.dtype(), b.dtype());
  Shape rshape = slice(a.shape(), 0, a.ndim() - 1);
  if (b.ndim() >= 2) {
    rshape = cat(rshape, slice(b.shape(), 0, b.ndim() - 2));
    rshape.push_back(b.shape(b.ndim() - 1));
  }
  if (out.defined()) {
    require_cpu(out, "dot");
    if (out.dtype() != rt || !out.c_contiguous() || out.shape() != rshape)
      throw ValueError(msg("dot", "output array is not acceptable (must have the right datatype, number of "
                                  "dimensions, and be a C-Array)."));
    if (!out.writeable()) throw ValueError(msg("dot", "output array is read-only."));
  }
  const int64_t P = shape_size(slice(a.shape(), 0, a.ndim() - 1));
  const int64_t Bb = b.ndim() >= 2 ? shape_size(slice(b.shape(), 0, b.ndim() - 2)) : 1;
  const int64_t m = b.ndim() >= 2 ? b.shape(b.ndim() - 1) : 1;
  Array A = reshape(astype(a, rt, Casting::Unsafe, false), {1, P, k});
  Array B = reshape(astype(b, rt, Casting::Unsafe, false), {Bb, k, m});
  const bool direct = out.defined() && !overlaps(out, a, b);
  Array result = direct ? out : Array::empty(rshape, rt);
  // result is C-contiguous (P, Bb, m); the product wants it as (Bb, P, m).
  const int64_t s = static_cast<int64_t>(itemsize(rt));
  Array C = result.view({Bb, P, m}, {m * s, Bb * m * s, s}, 0);
  product_into(A, B, C);
  if (out.defined() && !direct) {
    assign(out, result, Casting::Unsafe, "dot");
    return out;
  }
  return result;
}

Array vdot(const Array& a, const Array& b) {
  OpScope op_scope("vdot");
  Array x = ravel(a), y = ravel(b);
  if (x.size() != y.size())
    throw ValueError(msg("vdot", "cannot reshape array of size " + std::to_string(y.size()) + " into shape (" +
                                     std::to_string(x.size()) + ",)."));
  if (is_complex(x.dtype())) x = ufunc1("conjugate", x);
  return dot(x, y);
}

static Array inner_impl(const Array& a, const Array& b) {
  OpScope op_scope("inner");
  require_cpu(a, "inner");
  require_cpu(b, "inner");
  const int64_t k = a.shape(a.ndim() - 1), kb = b.shape(b.ndim() - 1);
  if (k != kb)
    throw ValueError(msg("inner", "shapes " + compact_shape(a.shape()) + " and " + compact_shape(b.shape()) +
                                      " not aligned: " + std::to_string(k) + " (dim " + std::to_string(a.ndim() - 1) +
                                      ") != " + std::to_string(kb) + " (dim " + std::to_string(b.ndim() - 1) + ")."));
  const DType rt = promote_types(a.dtype(), b.dtype());
  const int64_t P = shape_size(slice(a.shape(), 0, a.ndim() - 1));
  const int64_t Q = shape_size(slice(b.shape(), 0, b.ndim() - 1));
  Array A = reshape(astype(a, rt, Casting::Unsafe, false), {1, P, k});
  Array B = transpose(reshape(astype(b, rt, Casting::Unsafe, false), {1, Q, k}), {0, 2, 1});
  Array result = Array::empty(cat(slice(a.shape(), 0, a.ndim() - 1), slice(b.shape(), 0, b.ndim() - 1)), rt);
  product_into(A, B, reshape(result, {1, P, Q}));
  return result;
}

Array outer(const Array& a, const Array& b, const Array& out) {
  OpScope op_scope("outer");
  Array x = ravel(a), y = ravel(b);
  return multiply_out(expand_dims(x, {1}), expand_dims(y, {0}), out);
}

Array tensordot(const Array& a, const Array& b, const std::vector<int64_t>& axes_a,
                const std::vector<int64_t>& axes_b) {
  OpScope op_scope("tensordot");
  if (axes_a.size() != axes_b.size()) throw ValueError(msg("tensordot", "shape-mismatch for sum."));
  auto norm = [](const std::vector<int64_t>& axes, const Array& x) {
    std::vector<int64_t> r;
    for (int64_t ax : axes) {
      int64_t v = ax < 0 ? ax + x.ndim() : ax;
      if (v < 0 || v >= x.ndim()) throw IndexError(msg("tensordot", "tuple index out of range."));
      if (std::find(r.begin(), r.end(), v) != r.end())
        throw ValueError(msg("tensordot", "duplicate axes are not allowed in tensordot."));
      r.push_back(v);
    }
    return r;
  };
  std::vector<int64_t> sa = norm(axes_a, a), sb = norm(axes_b, b);
  for (size_t i = 0; i < sa.size(); ++i)
    if (a.shape(static_cast<int>(sa[i])) != b.shape(static_cast<int>(sb[i])))
      throw ValueError(msg("tensordot", "shape-mismatch for sum."));
  auto free_axes = [](const std::vector<int64_t>& summed, const Array& x) {
    std::vector<int64_t> r;
    for (int64_t i = 0; i < x.ndim(); ++i)
      if (std::find(summed.begin(), summed.end(), i) == summed.end()) r.push_back(i);
    return r;
  };
  std::vector<int64_t> fa = free_axes(sa, a), fb = free_axes(sb, b);
  Shape ra, rb;
  int64_t P = 1, Q = 1, K = 1;
  for (int64_t i : fa) P *= a.shape(static_cast<int>(i)), ra.push_back(a.shape(static_cast<int>(i)));
  for (int64_t i : fb) Q *= b.shape(static_cast<int>(i)), rb.push_back(b.shape(static_cast<int>(i)));
  for (int64_t i : sa) K *= a.shape(static_cast<int>(i));
  std::vector<int64_t> pa = fa, pb = sb;
  pa.insert(pa.end(), sa.begin(), sa.end());
  pb.insert(pb.end(), fb.begin(), fb.end());
  Array at = reshape(transpose(a, pa), {P, K}), bt = reshape(transpose(b, pb), {K, Q});
  return reshape(dot(at, bt), cat(ra, rb));
}

static Array sum_axes_impl(const Array& a, const std::vector<int64_t>& axes, std::optional<DType> dtype) {
  OpScope op_scope("sum_axes");
  require_cpu(a, "sum");
  std::vector<int> ax = normalize_axes(axes, a.ndim(), "sum");
  std::vector<int64_t> perm;
  Shape oshape;
  for (int i = 0; i < a.ndim(); ++i)
    if (std::find(ax.begin(), ax.end(), i) == ax.end()) perm.push_back(i), oshape.push_back(a.shape(i));
  for (int i : ax) perm.push_back(i);
  const DType rt = dtype ? *dtype : a.dtype();
  Array x = astype(transpose(a, perm), rt, Casting::Unsafe, false);
  Array out = Array::empty(oshape, rt);
  cpu::sum_trailing(x, static_cast<int>(ax.size()), out);
  return out;
}

Array trace(const Array& a, int64_t offset, int64_t axis1, int64_t axis2, std::optional<DType> dtype,
            const Array& out) {
  OpScope op_scope("trace");
  if (a.ndim() < 2) throw ValueError(msg("trace", "diag requires an array of at least two dimensions."));
  Array d = diagonal(a, offset, axis1, axis2);
  Array r = sum_axes(d, {-1}, dtype ? *dtype : sum_dtype(a.dtype()));
  if (out.defined()) {
    assign(out, r, Casting::Unsafe, "trace");
    return out;
  }
  return r;
}

// ---- gradients ----------------------------------------------------------------------------------
// While a tape records, a product is computed untracked and recorded as one node whose VJP is a
// product again (differentiable to any order); tensordot, vdot, outer, trace and einsum's native
// paths are compositions of recorded ops. out= is written by the op's own code, the write recorded.
namespace {
using autograd::Node;
using GradVec = std::vector<Array>;

std::vector<int64_t> iota(int64_t from, int64_t to) {
  std::vector<int64_t> r;
  for (int64_t i = from; i < to; ++i) r.push_back(i);
  return r;
}

// Records `r = name(a, b)`; the inputs that may share memory with out are saved as copies (the
// write into out would otherwise make them stale).
Array record_product(const char* name, const Array& a, const Array& b, const Array& r, const Array& out,
                     autograd::VjpFn vjp, const std::function<void()>& raw_write) {
  Array sa = a, sb = b;
  if (out.defined()) {
    autograd::NoGradGuard ng;
    if (a.may_share_memory(out)) sa = copy(a, 'K');
    if (b.may_share_memory(out)) sb = copy(b, 'K');
  }
  autograd::record(name, {a, b}, {r}, std::move(vjp), {sa, sb});
  return autograd::write_out(r, out, raw_write);
}
}  // namespace

Array matmul(const Array& a, const Array& b, const Array& out, std::optional<DType> dtype) {
  if (!autograd::recording()) return matmul_impl(a, b, out, dtype);
  Array r = autograd::untracked([&] { return matmul_impl(a, b, Array(), dtype); });
  return record_product("matmul", a, b, r, out, [](const Node& n, const GradVec& gs) {
    const Array &a = n.saved(0), &b = n.saved(1);
    const bool a1 = a.ndim() == 1, b1 = b.ndim() == 1;
    Array A = a1 ? expand_dims(a, {0}) : a;
    Array B = b1 ? expand_dims(b, {-1}) : b;
    // The cotangent with the (n, m) core dims the 1-d operands removed.
    Array G = gs[0];
    if (a1 && b1) G = reshape(G, {1, 1});
    else if (a1) G = expand_dims(G, {-2});
    else if (b1) G = expand_dims(G, {-1});
    GradVec r(2);
    if (n.needs_grad(0)) {
      Array ga = autograd::sum_to_shape(matmul(G, swapaxes(B, -1, -2)), A.shape());
      r[0] = a1 ? reshape(ga, a.shape()) : ga;
    }
    if (n.needs_grad(1)) {
      Array gb = autograd::sum_to_shape(matmul(swapaxes(A, -1, -2), G), B.shape());
      r[1] = b1 ? reshape(gb, b.shape()) : gb;
    }
    return r;
  }, [&] { matmul_impl(a, b, out, dtype); });
}

Array dot(const Array& a, const Array& b, const Array& out) {
  if (a.ndim() == 0 || b.ndim() == 0) {  // multiply (a ufunc: records itself)
    OpScope op_scope("dot");
    require_cpu(a, "dot");
    require_cpu(b, "dot");
    return multiply_out(a, b, out);
  }
  if (!autograd::recording()) return dot_impl(a, b, out);
  Array r = autograd::untracked([&] { return dot_impl(a, b, Array()); });
  return record_product("dot", a, b, r, out, [](const Node& n, const GradVec& gs) {
    const Array &a = n.saved(0), &b = n.saved(1), &g = gs[0];
    const int64_t na = a.ndim(), nb = b.ndim(), kb = nb == 1 ? 0 : nb - 2;
    GradVec r(2);
    if (n.needs_grad(0)) {  // g's b-part against b's non-contracted axes
      std::vector<int64_t> bax;
      for (int64_t i = 0; i < nb; ++i)
        if (i != kb) bax.push_back(i);
      r[0] = tensordot(g, b, iota(na - 1, g.ndim()), bax);
    }
    if (n.needs_grad(1)) {  // a's free axes against g's a-part: (k, b's free axes...)
      Array t = tensordot(a, g, iota(0, na - 1), iota(0, na - 1));
      r[1] = nb >= 2 ? moveaxis(t, {0}, {nb - 2}) : t;
    }
    return r;
  }, [&] { dot_impl(a, b, out); });
}

Array inner(const Array& a, const Array& b) {
  if (a.ndim() == 0 || b.ndim() == 0) {
    OpScope op_scope("inner");
    require_cpu(a, "inner");
    require_cpu(b, "inner");
    return multiply_out(a, b, {});
  }
  if (!autograd::recording()) return inner_impl(a, b);
  Array r = autograd::untracked([&] { return inner_impl(a, b); });
  return record_product("inner", a, b, r, Array(), [](const Node& n, const GradVec& gs) {
    const Array &a = n.saved(0), &b = n.saved(1), &g = gs[0];
    const int64_t na1 = a.ndim() - 1, nb1 = b.ndim() - 1;
    GradVec r(2);
    if (n.needs_grad(0)) r[0] = tensordot(g, b, iota(na1, na1 + nb1), iota(0, nb1));
    if (n.needs_grad(1)) r[1] = tensordot(g, a, iota(0, na1), iota(0, na1));
    return r;
  }, [] {});
}

Array sum_axes(const Array& a, const std::vector<int64_t>& axes, std::optional<DType> dtype) {
  if (!autograd::recording()) return sum_axes_impl(a, axes, dtype);
  Array r = autograd::untracked([&] { return sum_axes_impl(a, axes, dtype); });
  std::vector<int64_t> ax;
  for (int v : normalize_axes(axes, a.ndim(), "sum")) ax.push_back(v);
  autograd::record("sum", {a}, {r}, [ax, shape = a.shape()](const Node&, const GradVec& g) {
    return GradVec{autograd::broadcast(expand_dims(g[0], ax), shape)};
  });
  return r;
}

}  // namespace minpy
