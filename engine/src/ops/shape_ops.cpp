#include "minpy/shape_ops.h"

#include <algorithm>
#include <limits>

#include "backend/cpu/kernels.h"
#include "backend/cpu/shape_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/indexing.h"
#include "minpy/reductions.h"
#include "minpy/ops.h"
#include "minpy/ufunc.h"
#include "op_stats.h"

namespace minpy {
namespace {

void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

std::string dtype_repr(DType t) { return std::string("dtype('") + dtype_name(t) + "')"; }

// The view of `a` restricted to [start, start + len) along `axis` (start, len already in range).
Array slice_axis(const Array& a, int axis, int64_t start, int64_t len) {
  Shape shape = a.shape();
  shape[axis] = len;
  int64_t off = len > 0 ? start * a.strides()[axis] : 0;
  return a.view(shape, a.strides(), off);
}

int64_t checked_add(int64_t a, int64_t b, const char* op) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw ValueError(msg(op, "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size."));
  return r;
}

// NumPy's `ary.shape[axis]` lookup in split: a bad axis is a tuple IndexError, not an AxisError.
int split_axis(const Array& a, int64_t axis, const char* op) {
  int nd = a.ndim();
  if (axis < -nd || axis >= nd) throw IndexError(msg(op, "tuple index out of range."));
  return static_cast<int>(axis < 0 ? axis + nd : axis);
}

}  // namespace

// ---- joining ----

static Array concatenate_impl(const std::vector<Array>& arrays, std::optional<int64_t> axis_opt, const JoinOptions& opt) {
  OpScope op_scope("concatenate");
  const char* op = "concatenate";
  if (arrays.empty()) throw ValueError(msg(op, "need at least one array to concatenate."));
  if (opt.dtype && opt.out.defined())
    throw TypeError(msg(op, "concatenate() only takes `out` or `dtype` as an argument, but both were provided."));
  for (const Array& x : arrays) require_cpu(x, op);
  // The inputs' shapes as joined: axis=None joins the flattened inputs.
  std::vector<Shape> shapes;
  for (const Array& x : arrays) shapes.push_back(axis_opt ? x.shape() : Shape{x.size()});
  int axis = 0;
  if (axis_opt) {
    if (shapes[0].empty()) throw ValueError(msg(op, "zero-dimensional arrays cannot be concatenated."));
    axis = normalize_axis(*axis_opt, static_cast<int>(shapes[0].size()), op);
  }
  int nd = static_cast<int>(shapes[0].size());
  Shape shape = shapes[0];
  for (size_t i = 1; i < shapes.size(); ++i) {
    const Shape& xs = shapes[i];
    if (static_cast<int>(xs.size()) != nd)
      throw ValueError(msg(op, "all the input arrays must have same number of dimensions, but the array at index 0 has " +
                                   std::to_string(nd) + " dimension(s) and the array at index " + std::to_string(i) +
                                   " has " + std::to_string(xs.size()) + " dimension(s)."));
    for (int d = 0; d < nd; ++d) {
      if (d == axis) continue;
      if (xs[d] != shape[d])
        throw ValueError(msg(op, "all the input array dimensions except for the concatenation axis must match exactly, but "
                                 "along dimension " + std::to_string(d) + ", the array at index 0 has size " +
                                     std::to_string(shape[d]) + " and the array at index " + std::to_string(i) +
                                     " has size " + std::to_string(xs[d]) + "."));
    }
    shape[axis] = checked_add(shape[axis], xs[axis], op);
  }
  shape_size(shape);  // ValueError when the result size overflows
  DType t;
  if (opt.out.defined()) t = opt.out.dtype();
  else if (opt.dtype) t = *opt.dtype;
  else {
    // NumPy's result_type over all inputs at once: pairwise promotion is not associative
    // (uint16, int16, float16 is float32, not float64).
    std::vector<Operand> ops(arrays.begin(), arrays.end());
    t = result_type(ops);
  }
  for (const Array& x : arrays)
    if (!can_cast(x.dtype(), t, opt.casting))
      throw TypeError(msg(op, "Cannot cast array data from " + dtype_repr(x.dtype()) + " to " + dtype_repr(t) +
                                  " according to the rule '" + casting_name(opt.casting) + "'."));
  Array res;
  if (opt.out.defined()) {
    res = opt.out;
    require_cpu(res, op);
    if (res.shape() != shape) throw ValueError(msg(op, "Output array is the wrong shape."));
    if (!res.writeable()) throw ValueError(msg(op, "output array is read-only."));
  } else {
    res = Array::empty(shape, t);
  }
  int64_t pos = 0;
  for (size_t i = 0; i < arrays.size(); ++i) {
    int64_t len = shapes[i][axis];
    if (len > 0) {
      Array src = arrays[i], dst = slice_axis(res, axis, pos, len);
      if (!axis_opt) {
        // axis=None: a contiguous run of the 1-d result is read as the input's shape, so
        // non-contiguous inputs are not flattened into a temporary first.
        if (dst.strides()[0] == static_cast<int64_t>(res.itemsize()))
          dst = dst.view(src.shape(), c_strides(src.shape(), res.itemsize()), 0);
        else
          src = ravel(src);
      }
      // out= may alias an input: read from a private copy then.
      if (opt.out.defined() && src.may_share_memory(res)) src = copy(src, 'K');
      cpu::copy_cast(src, dst);
    }
    pos += len;
  }
  return res;
}

Array stack(const std::vector<Array>& arrays, int64_t axis, const JoinOptions& opt) {
  OpScope op_scope("stack");
  if (arrays.empty()) throw ValueError(msg("stack", "need at least one array to stack."));
  for (const Array& x : arrays)
    if (x.shape() != arrays[0].shape()) throw ValueError(msg("stack", "all input arrays must have the same shape."));
  int ax = normalize_axis(axis, arrays[0].ndim() + 1, "stack");
  std::vector<Array> expanded;
  expanded.reserve(arrays.size());
  for (const Array& x : arrays) expanded.push_back(expand_dims(x, {ax}));
  return concatenate(expanded, ax, opt);
}

// ---- splitting (views) ----

std::vector<Array> array_split_at(const Array& a, const std::vector<int64_t>& indices, int64_t axis) {
  OpScope op_scope("array_split");
  int ax = split_axis(a, axis, "array_split");
  int64_t n = a.shape(ax);
  // Each piece is a[st:end] along axis, with Python's slice clipping of the division points.
  auto clip = [n](int64_t x) { return x < 0 ? std::max<int64_t>(x + n, 0) : std::min(x, n); };
  std::vector<int64_t> points;
  points.push_back(0);
  points.insert(points.end(), indices.begin(), indices.end());
  points.push_back(n);
  std::vector<Array> out;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    int64_t st = clip(points[i]), end = clip(points[i + 1]);
    out.push_back(slice_axis(a, ax, st, std::max<int64_t>(0, end - st)));
    if (autograd::recording()) autograd::record_view("split", a, out.back());  // autograd hook
  }
  return out;
}

std::vector<Array> array_split(const Array& a, int64_t sections, int64_t axis) {
  int ax = split_axis(a, axis, "array_split");
  if (sections <= 0) throw ValueError(msg("array_split", "number sections must be larger than 0."));
  int64_t n = a.shape(ax), each = n / sections, extras = n % sections;
  std::vector<int64_t> points;
  int64_t pos = 0;
  for (int64_t i = 0; i + 1 < sections; ++i) {
    pos += each + (i < extras ? 1 : 0);
    points.push_back(pos);
  }
  return array_split_at(a, points, ax);
}

std::vector<Array> split(const Array& a, int64_t sections, int64_t axis) {
  int ax = split_axis(a, axis, "split");
  if (sections == 0) throw ZeroDivisionError(msg("split", "integer modulo by zero."));
  if (sections < 0 || a.shape(ax) % sections != 0)
    throw ValueError(msg("split", "array split does not result in an equal division."));
  return array_split(a, sections, ax);
}

// ---- tile, repeat ----

static Array tile_impl(const Array& a, const std::vector<int64_t>& reps_in) {
  OpScope op_scope("tile");
  require_cpu(a, "tile");
  int nd = std::max<int>(a.ndim(), static_cast<int>(reps_in.size()));
  Shape shape(nd - a.ndim(), 1), strides(nd - a.ndim(), 0);
  shape.insert(shape.end(), a.shape().begin(), a.shape().end());
  strides.insert(strides.end(), a.strides().begin(), a.strides().end());
  std::vector<int64_t> reps(nd - reps_in.size(), 1);
  reps.insert(reps.end(), reps_in.begin(), reps_in.end());
  // NumPy only rejects a negative rep that would make a negative size (an empty input's 0-length
  // axes absorb it).
  for (int d = 0; d < nd; ++d)
    if (reps[d] < 0 && (a.size() > 0 || shape[d] != 0))
      throw ValueError(msg("tile", "negative dimensions are not allowed."));
  // Result = the input broadcast over an interleaved (rep, size) shape, copied, then merged.
  Shape ishape, istrides, oshape;
  for (int d = 0; d < nd; ++d) {
    ishape.push_back(std::max<int64_t>(reps[d], 0));
    istrides.push_back(0);
    ishape.push_back(shape[d]);
    istrides.push_back(strides[d]);
    int64_t s;
    if (__builtin_mul_overflow(reps[d], shape[d], &s)) throw ValueError(msg("tile", "array is too big."));
    oshape.push_back(s);
  }
  shape_size(ishape);
  Array out = Array::empty(ishape, a.dtype());
  if (out.size() > 0) cpu::copy_cast(a.view(ishape, istrides, 0), out);
  return out.view(oshape, c_strides(oshape, a.itemsize()), 0);
}

static Array repeat_impl(const Array& a, const std::vector<int64_t>& repeats, std::optional<int64_t> axis) {
  OpScope op_scope("repeat");
  require_cpu(a, "repeat");
  Array src = a;
  int ax = 0;
  // NumPy repeats a 0-d array as if it had shape (1,), whatever the axis.
  if (!axis || a.ndim() == 0) src = ravel(a);
  if (axis) ax = normalize_axis(*axis, src.ndim(), "repeat");
  int64_t n = src.shape(ax);
  if (repeats.size() != 1 && static_cast<int64_t>(repeats.size()) != n)
    throw ValueError(msg("repeat", "operands could not be broadcast together with shape (" + std::to_string(n) +
                                       ",) (" + std::to_string(repeats.size()) + ",)."));
  int64_t total = 0;
  for (int64_t r : repeats)
    if (r < 0)
      throw ValueError(msg("repeat", repeats.size() == 1 ? "negative dimensions are not allowed."
                                                          : "repeats may not contain negative values."));
  if (repeats.size() == 1) {
    if (__builtin_mul_overflow(repeats[0], n, &total)) throw ValueError(msg("repeat", "array is too big."));
  } else {
    for (int64_t r : repeats) total = checked_add(total, r, "repeat");
  }
  Shape shape = src.shape();
  shape[ax] = total;
  shape_size(shape);
  Array out = Array::empty(shape, src.dtype());
  cpu::repeat(ascontiguousarray(src), ax, repeats, out);
  return out;
}

// ---- flip, roll, pad ----

Array flip(const Array& a, const std::optional<std::vector<int64_t>>& axes) {
  OpScope op_scope("flip");
  std::vector<int> ax;
  if (axes) ax = normalize_axes(*axes, a.ndim(), "flip");
  else for (int d = 0; d < a.ndim(); ++d) ax.push_back(d);
  Shape strides = a.strides();
  int64_t off = 0;
  for (int d : ax) {
    if (a.shape(d) > 0) off += (a.shape(d) - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Array v = a.view(a.shape(), strides, a.size() > 0 ? off : 0);
  if (autograd::recording()) autograd::record_view("flip", a, v);  // autograd hook
  return v;
}

static Array roll_impl(const Array& a, const std::vector<int64_t>& shifts, const std::optional<std::vector<int64_t>>& axes_opt) {
  OpScope op_scope("roll");
  require_cpu(a, "roll");
  if (!axes_opt) {
    Array flat = ravel(a);
    return reshape(roll_impl(flat, shifts, std::vector<int64_t>(shifts.size(), 0)), a.shape());
  }
  std::vector<int64_t> sh = shifts, axes = *axes_opt;
  if (sh.size() == 1 && axes.size() != 1) sh.assign(axes.size(), shifts[0]);
  else if (axes.size() == 1 && sh.size() != 1) axes.assign(sh.size(), (*axes_opt)[0]);
  if (sh.size() != axes.size())
    throw ValueError(msg("roll", "'shift' and 'axis' should be scalars or 1D sequences of the same length."));
  int nd = a.ndim();
  std::vector<int64_t> net(nd, 0);  // net shift per axis, mod its length (repeated axes add up)
  for (size_t i = 0; i < axes.size(); ++i) {
    int d = normalize_axis(axes[i], nd, "roll");
    int64_t n = a.shape(d);
    if (n == 0) continue;
    int64_t s = sh[i] % n;
    if (s < 0) s += n;
    net[d] = (net[d] + s) % n;
  }
  Array out = Array::empty(a.shape(), a.dtype());
  if (a.size() == 0) return out;
  std::vector<int> rolled;
  for (int d = 0; d < nd; ++d)
    if (net[d] != 0) rolled.push_back(d);
  // Each rolled axis splits into two blocks; copy every combination of blocks.
  for (uint64_t mask = 0; mask < (uint64_t(1) << rolled.size()); ++mask) {
    Array src = a, dst = out;
    for (size_t j = 0; j < rolled.size(); ++j) {
      int d = rolled[j];
      int64_t n = a.shape(d), s = net[d];
      if (mask >> j & 1) {
        src = slice_axis(src, d, n - s, s);
        dst = slice_axis(dst, d, 0, s);
      } else {
        src = slice_axis(src, d, 0, n - s);
        dst = slice_axis(dst, d, s, n - s);
      }
    }
    cpu::copy_cast(src, dst);
  }
  return out;
}

static Array pad_constant_impl(const Array& a, const std::vector<std::pair<int64_t, int64_t>>& widths,
                               const std::vector<std::array<Array, 2>>& values) {
  OpScope op_scope("pad");
  require_cpu(a, "pad");
  int nd = a.ndim();
  if (static_cast<int>(widths.size()) != nd || static_cast<int>(values.size()) != nd)
    throw ValueError(msg("pad", "pad_width and constant_values need one (before, after) pair per axis."));
  Shape shape = a.shape();
  for (int d = 0; d < nd; ++d) {
    auto [before, after] = widths[d];
    if (before < 0 || after < 0) throw ValueError(msg("pad", "index can't contain negative values."));
    shape[d] = checked_add(checked_add(shape[d], before, "pad"), after, "pad");
  }
  shape_size(shape);
  Array out = Array::empty(shape, a.dtype());
  if (out.size() == 0) return out;
  Array center = out;
  for (int d = 0; d < nd; ++d) center = slice_axis(center, d, widths[d].first, a.shape(d));
  if (a.size() > 0) cpu::copy_cast(a, center);
  for (int d = 0; d < nd; ++d) {
    // NumPy's region of interest: full extent on axes <= d, the original extent on later axes,
    // so later axes overwrite the corners.
    Array roi = out;
    for (int e = d + 1; e < nd; ++e) roi = slice_axis(roi, e, widths[e].first, a.shape(e));
    int64_t before = widths[d].first, after = widths[d].second;
    for (int side = 0; side < 2; ++side) {
      int64_t len = side == 0 ? before : after;
      if (len == 0 || roi.size() == 0) continue;
      Array region = slice_axis(roi, d, side == 0 ? 0 : shape[d] - after, len);
      const Array& v = values[d][side];
      if (v.size() != 1) throw ValueError(msg("pad", "constant_values must be scalars."));
      Array cast = astype(reshape(v, {}), a.dtype(), Casting::Unsafe, true);
      cpu::fill(region, cast.data());
    }
  }
  return out;
}

// ---- sorting ----

static void sort_lanes_raw(const Array& a, int64_t axis, SortKind kind) {
  OpScope op_scope("sort");
  require_cpu(a, "sort");
  int ax = normalize_axis(axis, a.ndim(), "sort");
  if (!a.writeable()) throw ValueError(msg("sort", "array is read-only."));
  ++a.storage()->version;  // an in-place write (autograd checks saved values)
  cpu::sort_lanes(a, ax, kind == SortKind::Stable);
}

static Array sort_impl(const Array& a, std::optional<int64_t> axis, SortKind kind) {
  if (!axis) {
    Array flat = copy(a, 'C');
    flat = reshape(flat, {-1});
    sort_lanes_raw(flat, 0, kind);
    return flat;
  }
  normalize_axis(*axis, a.ndim(), "sort");  // validate before copying
  Array r = copy(a, 'C');
  sort_lanes_raw(r, *axis, kind);
  return r;
}

Array argsort(const Array& a, std::optional<int64_t> axis, SortKind) {
  OpScope op_scope("argsort");
  require_cpu(a, "argsort");
  Array src = a;
  int ax = 0;
  // NumPy argsorts a 0-d array as if it had shape (1,).
  if (!axis || a.ndim() == 0) src = reshape(a, {-1});
  if (axis) ax = normalize_axis(*axis, src.ndim(), "argsort");
  Array out = Array::empty(src.shape(), DType::Int64);
  cpu::argsort_lanes(src, ax, out);
  return out;
}

Array searchsorted(const Array& a, const Array& v, bool right, const Array& sorter) {
  OpScope op_scope("searchsorted");
  require_cpu(a, "searchsorted");
  require_cpu(v, "searchsorted");
  if (a.ndim() != 1)
    throw ValueError(msg("searchsorted", a.ndim() == 0 ? "object of too small depth for desired array."
                                                       : "object too deep for desired array."));
  DType t = promote_types(a.dtype(), v.dtype());
  Array ac = astype(a, t, Casting::Unsafe, false);
  Array vc = ascontiguousarray(astype(v, t, Casting::Unsafe, false));
  Array perm;
  if (sorter.defined()) {
    require_cpu(sorter, "searchsorted");
    if (!is_integer(sorter.dtype())) throw TypeError(msg("searchsorted", "sorter must only contain integers."));
    if (sorter.ndim() > 1) throw ValueError(msg("searchsorted", "object too deep for desired array."));
    if (sorter.size() != a.size()) throw ValueError(msg("searchsorted", "sorter.size must equal a.size."));
    // uint64 entries beyond int64 become negative here and fail the range check.
    perm = ascontiguousarray(astype(reshape(sorter, {-1}), DType::Int64, Casting::Unsafe, false));
  }
  Array out = Array::empty(v.shape(), DType::Int64);
  if (v.size() > 0 && !cpu::searchsorted(ac, vc, perm, right, out))
    throw ValueError(msg("searchsorted", "Sorter index out of range."));
  return out;
}

// ---- triangles ----

static Array triangle_impl(const Array& a, int64_t k, bool lower, const char* op) {
  OpScope op_scope(op);
  require_cpu(a, op);
  if (a.ndim() == 0) throw TypeError(msg(op, "the input must have at least one dimension."));
  Array src = a.ndim() == 1 ? broadcast_to(a, {a.shape(0), a.shape(0)}) : a;
  Array out = Array::empty(src.shape(), a.dtype());
  if (out.size() == 0) return out;
  cpu::copy_cast(src, out);
  int64_t m = out.shape(out.ndim() - 2), n = out.shape(out.ndim() - 1);
  cpu::zero_outside_triangle(out, std::clamp<int64_t>(k, -m - 1, n + 1), lower);
  return out;
}


// ---- gradients ----------------------------------------------------------------------------------
// While a tape records, each op is computed untracked and recorded as one node whose VJP is written
// with recorded engine ops (slices, reshapes, sums, rolls, gathers), so gradients of any order flow.
// split and flip return views (record_view); stack/vstack/... compose recorded views with
// concatenate. Integer results (argsort, searchsorted) have nothing to record.
namespace {
using autograd::Node;
using GradVec = std::vector<Array>;

// g[..., start:start+len, ...] along axis: a recorded view.
Array slice_recorded(const Array& g, int axis, int64_t start, int64_t len) {
  std::vector<IndexItem> idx(static_cast<size_t>(axis) + 1);
  for (auto& it : idx) it.kind = IndexItem::Kind::Slice;
  idx.back().start = start;
  idx.back().stop = start + len;
  idx.back().has_start = idx.back().has_stop = true;
  return basic_index(g, idx);
}

// The per-axis net shifts of roll (each in [0, n)); axis = nullopt: the flattened array's one shift.
std::vector<int64_t> net_shifts(const Shape& shape, const std::vector<int64_t>& shifts,
                                const std::optional<std::vector<int64_t>>& axes_opt) {
  if (!axes_opt) {
    int64_t n = shape_size(shape), net = 0;
    if (n == 0) return {0};
    for (int64_t s : shifts) net = (net + ((s % n) + n) % n) % n;
    return {net};
  }
  std::vector<int64_t> sh = shifts, axes = *axes_opt;
  if (sh.size() == 1 && axes.size() != 1) sh.assign(axes.size(), shifts[0]);
  else if (axes.size() == 1 && sh.size() != 1) axes.assign(sh.size(), (*axes_opt)[0]);
  int nd = static_cast<int>(shape.size());
  std::vector<int64_t> net(nd, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int d = normalize_axis(axes[i], nd, "roll");
    int64_t n = shape[d];
    if (n == 0) continue;
    net[d] = (net[d] + ((sh[i] % n) + n) % n) % n;
  }
  return net;
}

// The sum of each run of `repeats` slices of g along axis (repeat's VJP): n slices. Its own VJP is
// repeat again, so higher orders flow.
Array repeat_sum(const Array& g, const std::vector<int64_t>& repeats, int ax, int64_t n) {
  Shape shape = g.shape();
  shape[ax] = n;
  Array z;
  {
    autograd::NoGradGuard ng;
    if (repeats.size() == 1 && repeats[0] > 0) {
      // Uniform repeats: split the axis into (n, r) and sum the r copies.
      Shape split = g.shape();
      split[ax] = n;
      split.insert(split.begin() + ax + 1, repeats[0]);
      ReduceOptions o;
      o.axis = Axes::of({ax + 1});
      z = sum(reshape(g, split), o);
    } else {
      z = autograd::zeros(shape, g.dtype());
      if (g.size() > 0) {
        // Per-element repeats: scatter-add each slice to the element it repeats.
        Array seg = Array::empty({g.shape(ax)}, DType::Int64);
        int64_t* p = seg.data_as<int64_t>();
        for (int64_t i = 0, k = 0; i < n; ++i)
          for (int64_t r = 0; r < repeats[i]; ++r) p[k++] = i;
        std::vector<IndexItem> idx(static_cast<size_t>(ax) + 1);
        for (auto& it : idx) it.kind = IndexItem::Kind::Slice;
        idx.back().kind = IndexItem::Kind::Array;
        idx.back().array = seg;
        ufunc_at(get_ufunc("add"), z, idx, &g);
      }
    }
  }
  if (autograd::recording())
    autograd::record("repeat_sum", {g}, {z}, [repeats, ax](const Node&, const GradVec& gz) {
      return GradVec{repeat(gz[0], repeats, ax)};
    });
  return z;
}

Array triangle(const Array& a, int64_t k, bool lower, const char* op) {
  if (!autograd::recording()) return triangle_impl(a, k, lower, op);
  Array r = autograd::untracked([&] { return triangle_impl(a, k, lower, op); });
  // The kept entries pass their gradient through (a 1-d input was broadcast over rows: summed back).
  autograd::record(op, {a}, {r}, [k, lower, op, shape = a.shape()](const Node&, const GradVec& g) {
    return GradVec{autograd::sum_to_shape(triangle(g[0], k, lower, op), shape)};
  });
  return r;
}
}  // namespace

Array concatenate(const std::vector<Array>& arrays, std::optional<int64_t> axis, const JoinOptions& opt) {
  // dtype= with out= is refused by the op itself (the fresh value below would not see out=).
  if (!autograd::recording() || (opt.dtype && opt.out.defined())) return concatenate_impl(arrays, axis, opt);
  // The value is computed fresh in out's dtype (same checks), recorded, then written into out.
  JoinOptions fresh = opt;
  if (opt.out.defined()) {
    fresh.out = Array();
    fresh.dtype = opt.out.dtype();
  }
  Array r = autograd::untracked([&] { return concatenate_impl(arrays, axis, fresh); });
  std::vector<Shape> shapes;
  for (const Array& x : arrays) shapes.push_back(x.shape());
  int ax = axis ? normalize_axis(*axis, arrays[0].ndim(), "concatenate") : 0;
  // Each input's gradient is its slice of g along the axis (of the flattened g for axis=None).
  autograd::record("concatenate", arrays, {r}, [shapes, ax, flat = !axis](const Node& n, const GradVec& g) {
    GradVec res(shapes.size());
    int64_t pos = 0;
    for (size_t i = 0; i < shapes.size(); ++i) {
      int64_t len = flat ? shape_size(shapes[i]) : shapes[i][ax];
      if (n.needs_grad(i)) {
        Array gi = slice_recorded(g[0], ax, pos, len);
        res[i] = flat ? reshape(gi, shapes[i]) : gi;
      }
      pos += len;
    }
    return res;
  });
  return autograd::write_out(r, opt.out, [&] { concatenate_impl(arrays, axis, opt); });
}

Array tile(const Array& a, const std::vector<int64_t>& reps) {
  if (!autograd::recording()) return tile_impl(a, reps);
  Array r = autograd::untracked([&] { return tile_impl(a, reps); });
  // tile = broadcast over an interleaved (rep, size) shape: the VJP sums the rep axes.
  int nd = std::max<int>(a.ndim(), static_cast<int>(reps.size()));
  Shape ishape;
  std::vector<int64_t> rep_axes;
  for (int d = 0; d < nd; ++d) {
    int ri = d - (nd - static_cast<int>(reps.size())), ai = d - (nd - a.ndim());
    rep_axes.push_back(2 * d);
    ishape.push_back(ri >= 0 ? std::max<int64_t>(reps[ri], 0) : 1);
    ishape.push_back(ai >= 0 ? a.shape(ai) : 1);
  }
  autograd::record("tile", {a}, {r}, [ishape, rep_axes, shape = a.shape()](const Node&, const GradVec& g) {
    ReduceOptions o;
    o.axis = Axes::of(rep_axes);
    return GradVec{reshape(sum(reshape(g[0], ishape), o), shape)};
  });
  return r;
}

Array repeat(const Array& a, const std::vector<int64_t>& repeats, std::optional<int64_t> axis) {
  if (!autograd::recording()) return repeat_impl(a, repeats, axis);
  Array r = autograd::untracked([&] { return repeat_impl(a, repeats, axis); });
  // The (validated) axis of the repeated array: a 0-d input or axis=None repeats the flattened input.
  int ax = 0;
  if (axis && a.ndim() > 0) ax = normalize_axis(*axis, a.ndim(), "repeat");
  int64_t n = (!axis || a.ndim() == 0) ? a.size() : a.shape(ax);
  autograd::record("repeat", {a}, {r}, [repeats, ax, n, shape = a.shape()](const Node&, const GradVec& g) {
    return GradVec{reshape(repeat_sum(g[0], repeats, ax, n), shape)};
  });
  return r;
}

Array roll(const Array& a, const std::vector<int64_t>& shifts, const std::optional<std::vector<int64_t>>& axes) {
  if (!autograd::recording()) return roll_impl(a, shifts, axes);
  Array r = autograd::untracked([&] { return roll_impl(a, shifts, axes); });
  // The VJP rolls back by the net shift of each axis.
  std::vector<int64_t> back = net_shifts(a.shape(), shifts, axes), back_axes;
  Shape shape = a.shape();
  if (axes) {
    for (int d = 0; d < a.ndim(); ++d) {
      back[d] = shape[d] - back[d];
      back_axes.push_back(d);
    }
  } else {
    back[0] = a.size() - back[0];
  }
  autograd::record("roll", {a}, {r}, [back, back_axes, flat = !axes](const Node&, const GradVec& g) {
    if (flat) return GradVec{roll(g[0], back, std::nullopt)};
    if (back.empty()) return GradVec{g[0]};
    return GradVec{roll(g[0], back, back_axes)};
  });
  return r;
}

Array pad_constant(const Array& a, const std::vector<std::pair<int64_t, int64_t>>& widths,
                   const std::vector<std::array<Array, 2>>& values) {
  if (!autograd::recording()) return pad_constant_impl(a, widths, values);
  // The constant values are cast into the result: a tracked one would lose its gradient.
  std::vector<Array> vals;
  for (const auto& p : values) vals.insert(vals.end(), p.begin(), p.end());
  autograd::no_gradient("pad", vals);
  Array r = autograd::untracked([&] { return pad_constant_impl(a, widths, values); });
  // The VJP is the centre of the padded gradient.
  autograd::record("pad", {a}, {r}, [widths, shape = a.shape()](const Node&, const GradVec& g) {
    Array c = g[0];
    for (int d = 0; d < static_cast<int>(shape.size()); ++d) c = slice_recorded(c, d, widths[d].first, shape[d]);
    return GradVec{c};
  });
  return r;
}

Array sort(const Array& a, std::optional<int64_t> axis, SortKind kind) {
  if (!autograd::recording() || !is_floating(a.dtype())) {
    autograd::NoGradGuard ng;  // the copy inside is not a gradient path either
    return sort_impl(a, axis, kind);
  }
  Array r, inv;
  int ax = 0;
  {
    autograd::NoGradGuard ng;
    r = sort_impl(a, axis, kind);
    if (axis) ax = normalize_axis(*axis, a.ndim(), "sort");
    // sorted = a gathered by the argsort permutation; its inverse gathers the gradient back. Ties
    // and NaNs are ordered by the same rule as sort, so any permutation giving r is valid.
    Array perm = argsort(a, axis, SortKind::Stable);
    inv = argsort(perm, ax, SortKind::Stable);
  }
  autograd::record("sort", {a}, {r}, [inv, ax, flat = !axis, shape = a.shape()](const Node&, const GradVec& g) {
    Array ga = take_along_axis(g[0], inv, ax);
    return GradVec{flat ? reshape(ga, shape) : ga};
  });
  return r;
}

void sort_inplace(const Array& a, int64_t axis, SortKind kind) {
  if (!autograd::recording() || !is_floating(a.dtype())) return sort_lanes_raw(a, axis, kind);
  // Recorded as the write a[...] = sort(a): the sorted value is recorded functionally, then the
  // write machinery records the in-place update (of a, or of the tracked array a views).
  require_cpu(a, "sort");
  normalize_axis(axis, a.ndim(), "sort");
  if (!a.writeable()) throw ValueError(msg("sort", "array is read-only."));
  Array s = sort(a, axis, kind);
  assign(a, s, Casting::Unsafe, "sort");
}

Array tril(const Array& a, int64_t k) { return triangle(a, k, true, "tril"); }
Array triu(const Array& a, int64_t k) { return triangle(a, k, false, "triu"); }

}  // namespace minpy
