#include "minpy/shape_ops.h"

#include <algorithm>
#include <limits>

#include "backend/cpu/kernels.h"
#include "backend/cpu/shape_kernels.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
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

Array concatenate(const std::vector<Array>& arrays, std::optional<int64_t> axis_opt, const JoinOptions& opt) {
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
    t = arrays[0].dtype();
    for (const Array& x : arrays) t = promote_types(t, x.dtype());
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

Array tile(const Array& a, const std::vector<int64_t>& reps_in) {
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

Array repeat(const Array& a, const std::vector<int64_t>& repeats, std::optional<int64_t> axis) {
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
  return a.view(a.shape(), strides, a.size() > 0 ? off : 0);
}

Array roll(const Array& a, const std::vector<int64_t>& shifts, const std::optional<std::vector<int64_t>>& axes_opt) {
  OpScope op_scope("roll");
  require_cpu(a, "roll");
  if (!axes_opt) {
    Array flat = ravel(a);
    return reshape(roll(flat, shifts, std::vector<int64_t>(shifts.size(), 0)), a.shape());
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

Array pad_constant(const Array& a, const std::vector<std::pair<int64_t, int64_t>>& widths,
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

void sort_inplace(const Array& a, int64_t axis, SortKind kind) {
  OpScope op_scope("sort");
  require_cpu(a, "sort");
  int ax = normalize_axis(axis, a.ndim(), "sort");
  if (!a.writeable()) throw ValueError(msg("sort", "array is read-only."));
  cpu::sort_lanes(a, ax, kind == SortKind::Stable);
}

Array sort(const Array& a, std::optional<int64_t> axis, SortKind kind) {
  if (!axis) {
    Array flat = copy(a, 'C');
    flat = reshape(flat, {-1});
    sort_inplace(flat, 0, kind);
    return flat;
  }
  normalize_axis(*axis, a.ndim(), "sort");  // validate before copying
  Array r = copy(a, 'C');
  sort_inplace(r, *axis, kind);
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

static Array triangle(const Array& a, int64_t k, bool lower, const char* op) {
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

Array tril(const Array& a, int64_t k) { return triangle(a, k, true, "tril"); }
Array triu(const Array& a, int64_t k) { return triangle(a, k, false, "triu"); }

}  // namespace minpy
