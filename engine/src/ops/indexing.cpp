// Basic and advanced indexing, ufunc.at and the selection functions (take, put, nonzero, where...).
// Advanced indexing is planned once (a view for the basic items, per-combination byte offsets for
// the index arrays) and then run by the CPU gather/scatter kernels.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "backend/cpu/indexing_kernels.h"
#include "backend/cpu/kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/indexing.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

namespace {
constexpr int kMaxDims = 64;

void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

std::string out_of_bounds(const std::string& index, int axis, int64_t size) {
  return "index " + index + " is out of bounds for axis " + std::to_string(axis) + " with size " +
         std::to_string(size) + ".";
}

Array int64_scalar_array(int64_t v) {
  Array a = Array::empty({}, DType::Int64);
  *a.data_as<int64_t>() = v;
  return a;
}
}  // namespace

bool is_basic_index(const std::vector<IndexItem>& index) {
  for (const auto& it : index)
    if (it.kind == IndexItem::Kind::Array) return false;
  return true;
}

// Python's slice.indices(): clamps the bounds and gives the number of selected elements.
static int64_t adjust_slice(const IndexItem& s, int64_t len, int64_t& start, int64_t& step) {
  step = s.step;
  if (step == 0) throw ValueError(msg("getitem", "slice step cannot be zero."));
  int64_t lo = step < 0 ? -1 : 0, hi = step < 0 ? len - 1 : len;
  auto clamp = [&](int64_t v) {
    if (v < 0) {
      v += len;
      return v < lo ? lo : v;
    }
    return v > hi ? hi : v;
  };
  start = s.has_start ? clamp(s.start) : (step < 0 ? hi : lo);
  int64_t stop = s.has_stop ? clamp(s.stop) : (step < 0 ? lo : hi);
  if (step < 0) return stop < start ? (start - stop - 1) / (-step) + 1 : 0;
  return start < stop ? (stop - start - 1) / step + 1 : 0;
}

// Number of dimensions of `a` the index consumes; validates ellipses and index array dtypes.
static int consumed_dims(const Array& a, const std::vector<IndexItem>& index, const char* op) {
  int consumed = 0, ellipses = 0;
  for (const auto& it : index) {
    switch (it.kind) {
      case IndexItem::Kind::Int:
      case IndexItem::Kind::Slice: ++consumed; break;
      case IndexItem::Kind::Ellipsis: ++ellipses; break;
      case IndexItem::Kind::NewAxis: break;
      case IndexItem::Kind::Array:
        if (it.array.dtype() == DType::Bool) consumed += it.array.ndim();
        else if (is_integer(it.array.dtype())) ++consumed;
        else throw IndexError(msg(op, "arrays used as indices must be of integer (or boolean) type."));
        break;
    }
  }
  if (ellipses > 1) throw IndexError(msg(op, "an index can only have a single ellipsis ('...')."));
  if (consumed > a.ndim())
    throw IndexError(msg(op, "too many indices for array: array is " + std::to_string(a.ndim()) +
                                 "-dimensional, but " + std::to_string(consumed) + " were indexed."));
  return consumed;
}

static void check_ndim(size_t nd, const char* op) {
  if (nd > static_cast<size_t>(kMaxDims))
    throw IndexError(msg(op, "number of dimensions must be within [0, 64], indexing result would have " +
                                 std::to_string(nd) + "."));
}

static bool has_ellipsis(const std::vector<IndexItem>& index) {
  for (const auto& it : index)
    if (it.kind == IndexItem::Kind::Ellipsis) return true;
  return false;
}

Array basic_index(const Array& a, const std::vector<IndexItem>& index) {
  int consumed = consumed_dims(a, index, "getitem");
  Shape shape, strides;
  int64_t offset = 0;
  int dim = 0;
  for (const auto& it : index) {
    switch (it.kind) {
      case IndexItem::Kind::Int: {
        int64_t i = it.index, n = a.shape(dim);
        if (i < -n || i >= n) throw IndexError(msg("getitem", out_of_bounds(std::to_string(i), dim, n)));
        offset += (i < 0 ? i + n : i) * a.strides()[dim];
        ++dim;
        break;
      }
      case IndexItem::Kind::Slice: {
        int64_t start, step;
        int64_t len = adjust_slice(it, a.shape(dim), start, step);
        if (len > 0) offset += start * a.strides()[dim];
        else step = 1;  // NumPy's empty slices: offset 0, unit step
        shape.push_back(len);
        // wraps like NumPy's (a[::2**62] has one element; its stride is never used)
        strides.push_back(static_cast<int64_t>(static_cast<uint64_t>(a.strides()[dim]) * static_cast<uint64_t>(step)));
        ++dim;
        break;
      }
      case IndexItem::Kind::Ellipsis:
        for (int k = 0; k < a.ndim() - consumed; ++k, ++dim) {
          shape.push_back(a.shape(dim));
          strides.push_back(a.strides()[dim]);
        }
        break;
      case IndexItem::Kind::NewAxis:
        shape.push_back(1);
        strides.push_back(0);
        break;
      case IndexItem::Kind::Array:
        throw NotImplementedError(msg("getitem", "advanced indexing is not handled by basic_index."));
    }
  }
  for (; dim < a.ndim(); ++dim) {
    shape.push_back(a.shape(dim));
    strides.push_back(a.strides()[dim]);
  }
  check_ndim(shape.size(), "getitem");
  Array v = a.view(shape, strides, offset);
  if (autograd::recording()) autograd::record_view("getitem", a, v);  // autograd hook
  return v;
}

// ---- advanced indexing plan ----
namespace {

// An integer index array applied to dimension `vdim` of the plan's view (`axis` of the original
// array, for messages).
struct AdvIndex {
  int vdim;
  int axis;
  Array idx;
};

struct Plan {
  Array v;  // the array after the basic items; dimensions indexed by arrays are kept whole
  bool advanced = false;
  Shape result_shape;
  std::vector<int64_t> boff;  // byte offsets (relative to v) of each index combination, C order
  cpu::GatherLayout layout;   // the selected elements in result order (boff inside)
};

// Adds idx[b] * stride to boff[b] for every b of the broadcast index shape, checking bounds.
template <class T>
void accumulate_offsets(const Array& idx, const Shape& bshape, int64_t size, int64_t stride, int axis,
                        std::vector<int64_t>& boff, const char* op) {
  Array b = idx.shape() == bshape ? idx : broadcast_to(idx, bshape);
  int nd = b.ndim();
  auto add = [&](T raw, int64_t k) {
    int64_t v;
    if constexpr (std::is_unsigned_v<T>) {
      if (static_cast<uint64_t>(raw) >= static_cast<uint64_t>(size))
        throw IndexError(msg(op, out_of_bounds(std::to_string(raw), axis, size)));
      v = static_cast<int64_t>(raw);
    } else {
      v = static_cast<int64_t>(raw);
      if (v < -size || v >= size) throw IndexError(msg(op, out_of_bounds(std::to_string(v), axis, size)));
      if (v < 0) v += size;
    }
    boff[k] += v * stride;
  };
  int64_t n = static_cast<int64_t>(boff.size());
  if (b.c_contiguous()) {
    const T* p = b.data_as<T>();
    for (int64_t k = 0; k < n; ++k) add(p[k], k);
    return;
  }
  int64_t ctr[kMaxDims] = {};
  const char* base = b.data();
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (int d = 0; d < nd; ++d) off += ctr[d] * b.strides()[d];
    add(*reinterpret_cast<const T*>(base + off), k);
    for (int d = nd - 1; d >= 0; --d) {
      if (++ctr[d] < bshape[d]) break;
      ctr[d] = 0;
    }
  }
}

Plan make_plan(const Array& a, const std::vector<IndexItem>& index, const char* op) {
  Plan p;
  p.layout.itemsize = a.itemsize();
  if (is_basic_index(index)) {
    p.v = basic_index(a, index);
    // Every element of the view, as one "outer" block (used by ufunc.at).
    p.boff = {0};
    p.layout.outer_shape = p.v.shape();
    p.layout.outer_strides = p.v.strides();
    p.layout.boff = p.boff.data();
    p.layout.nb = 1;
    p.result_shape = p.v.shape();
    return p;
  }
  require_cpu(a, op);
  p.advanced = true;
  int consumed = consumed_dims(a, index, op);
  Shape vshape, vstrides;
  int64_t offset = 0;
  int dim = 0;
  std::vector<AdvIndex> advs;
  auto keep = [&](int d) {
    vshape.push_back(a.shape(d));
    vstrides.push_back(a.strides()[d]);
  };
  // Advanced indices are adjacent when no slice, Ellipsis or None stands between them in the key,
  // even an Ellipsis that expands to no dimension (NumPy's rule; a[None, False, ..., 0]).
  int separators = 0;
  std::vector<int> adv_separators;
  for (const auto& it : index) {
    if (it.kind == IndexItem::Kind::Slice || it.kind == IndexItem::Kind::Ellipsis ||
        it.kind == IndexItem::Kind::NewAxis)
      ++separators;
    switch (it.kind) {
      case IndexItem::Kind::Int:
      {
        // Mixed with arrays, an integer is a 0-d index array (it counts for adjacency); NumPy
        // checks its bounds even when the broadcast index is empty.
        int64_t n = a.shape(dim);
        if (it.index < -n || it.index >= n)
          throw IndexError(msg(op, out_of_bounds(std::to_string(it.index), dim, n)));
        advs.push_back({static_cast<int>(vshape.size()), dim, int64_scalar_array(it.index)});
        keep(dim++);
        break;
      }
      case IndexItem::Kind::Slice: {
        int64_t start, step;
        int64_t len = adjust_slice(it, a.shape(dim), start, step);
        if (len > 0) offset += start * a.strides()[dim];
        vshape.push_back(len);
        // Wraps as in basic_index: a huge step selects at most one element, whose stride is never
        // used (a[[0], ::-2**63+1] must not overflow int64).
        vstrides.push_back(static_cast<int64_t>(static_cast<uint64_t>(a.strides()[dim]) * static_cast<uint64_t>(step)));
        ++dim;
        break;
      }
      case IndexItem::Kind::Ellipsis:
        for (int k = 0; k < a.ndim() - consumed; ++k) keep(dim++);
        break;
      case IndexItem::Kind::NewAxis:
        vshape.push_back(1);
        vstrides.push_back(0);
        break;
      case IndexItem::Kind::Array: {
        const Array& arr = it.array;
        require_cpu(arr, op);
        if (arr.dtype() != DType::Bool) {
          if (arr.ndim() == 0) {
            // A 0-d integer array is an integer (bounds checked now) whose result is a copy.
            int64_t n = a.shape(dim);
            visit_dtype(arr.dtype(), [&](auto t) {
              using T = decltype(t);
              if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                T v = *arr.data_as<T>();
                bool bad;
                if constexpr (std::is_unsigned_v<T>) bad = static_cast<uint64_t>(v) >= static_cast<uint64_t>(n);
                else bad = v < -n || v >= n;
                if (bad) throw IndexError(msg(op, out_of_bounds(std::to_string(v), dim, n)));
              }
            });
          }
          advs.push_back({static_cast<int>(vshape.size()), dim, arr});
          keep(dim++);
        } else if (arr.ndim() == 0) {
          // A 0-d boolean adds a length-1 axis indexed by [0] (True) or by nothing (False).
          bool v = *arr.data_as<bool>();
          Array ix = Array::empty({v ? 1 : 0}, DType::Int64);
          if (v) *ix.data_as<int64_t>() = 0;
          advs.push_back({static_cast<int>(vshape.size()), -1, ix});
          vshape.push_back(1);
          vstrides.push_back(0);
        } else {
          // NumPy checks only the boolean dimensions of nonzero length.
          for (int j = 0; j < arr.ndim(); ++j)
            if (arr.shape(j) > 0 && arr.shape(j) != a.shape(dim + j))
              throw IndexError(msg(op, "boolean index did not match indexed array along axis " +
                                           std::to_string(dim + j) + "; size of axis is " +
                                           std::to_string(a.shape(dim + j)) +
                                           " but size of corresponding boolean axis is " +
                                           std::to_string(arr.shape(j)) + "."));
          std::vector<Array> nz = nonzero(arr);
          for (int j = 0; j < arr.ndim(); ++j) {
            advs.push_back({static_cast<int>(vshape.size()), dim, nz[j]});
            keep(dim++);
          }
        }
        break;
      }
    }
    adv_separators.resize(advs.size(), separators);
  }
  for (; dim < a.ndim(); ++dim) keep(dim);
  p.v = a.view(vshape, vstrides, offset);

  Shape bshape = advs[0].idx.shape();
  try {
    for (const auto& ad : advs) bshape = broadcast_shapes(bshape, ad.idx.shape(), op);
  } catch (const ValueError&) {
    std::string shapes;
    for (const auto& ad : advs) shapes += (shapes.empty() ? "" : " ") + shape_str(ad.idx.shape());
    throw IndexError(msg(op, "shape mismatch: indexing arrays could not be broadcast together with shapes " +
                                 shapes + "."));
  }
  bool adjacent = true;
  for (size_t k = 1; k < advs.size(); ++k)
    adjacent &= advs[k].vdim == advs[k - 1].vdim + 1 && adv_separators[k] == adv_separators[k - 1];

  auto& L = p.layout;
  std::vector<bool> is_adv(vshape.size(), false);
  for (const auto& ad : advs) is_adv[ad.vdim] = true;
  if (adjacent) {
    int first = advs.front().vdim, last = advs.back().vdim;
    for (int d = 0; d < first; ++d) {
      L.outer_shape.push_back(vshape[d]);
      L.outer_strides.push_back(vstrides[d]);
    }
    for (size_t d = last + 1; d < vshape.size(); ++d) {
      L.inner_shape.push_back(vshape[d]);
      L.inner_strides.push_back(vstrides[d]);
    }
  } else {
    for (size_t d = 0; d < vshape.size(); ++d)
      if (!is_adv[d]) {
        L.inner_shape.push_back(vshape[d]);
        L.inner_strides.push_back(vstrides[d]);
      }
  }
  p.result_shape = L.outer_shape;
  p.result_shape.insert(p.result_shape.end(), bshape.begin(), bshape.end());
  p.result_shape.insert(p.result_shape.end(), L.inner_shape.begin(), L.inner_shape.end());
  check_ndim(p.result_shape.size(), op);
  shape_size(p.result_shape);  // ValueError when the size overflows

  p.boff.assign(shape_size(bshape), 0);
  for (const auto& ad : advs) {
    int64_t size = vshape[ad.vdim];
    visit_dtype(ad.idx.dtype(), [&](auto t) {
      using T = decltype(t);
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        accumulate_offsets<T>(ad.idx, bshape, size, vstrides[ad.vdim], ad.axis, p.boff, op);
    });
  }
  L.boff = p.boff.data();
  L.nb = static_cast<int64_t>(p.boff.size());
  return p;
}

// A one-element array of dtype t holding the first element of v (for scalar-like values).
Array first_as(const Array& v, DType t) {
  Array one = Array::empty({}, t);
  cpu::copy_cast(v.view({}, {}, 0), one);
  return one;
}

// The value of a setitem, cast to `t` and laid out C-contiguously in the indexed shape.
Array value_for(const Array& value, const Shape& shape, DType t, bool& scalar, const char* op) {
  require_cpu(value, op);
  Array s = value;
  while (s.ndim() > static_cast<int>(shape.size()) && s.shape(0) == 1)
    s = s.view(Shape(s.shape().begin() + 1, s.shape().end()), Shape(s.strides().begin() + 1, s.strides().end()), 0);
  try {
    s = broadcast_to(s, shape, op);
  } catch (const ValueError&) {
    // NumPy's advanced assignment writes nothing, and accepts an empty value with extra leading
    // axes, when both are empty and the value's trailing axes broadcast to the indexing result
    // (a[False] = zeros((2, 0, 5)) for a result of shape (0, 5)).
    bool empty_ok = value.size() == 0 && shape_size(shape) == 0;
    const int extra = value.ndim() - static_cast<int>(shape.size());
    for (int d = std::max(extra, 0); empty_ok && d < value.ndim(); ++d)
      empty_ok = value.shape(d) == 1 || value.shape(d) == shape[d - extra];
    if (!empty_ok)
      throw ValueError(msg(op, "shape mismatch: value array of shape " + shape_str(value.shape()) +
                                   " could not be broadcast to indexing result of shape " + shape_str(shape) + "."));
    scalar = false;
    return Array::empty(shape, t);
  }
  if (value.size() == 1) {
    scalar = true;
    return first_as(value, t);
  }
  scalar = false;
  Array tmp = Array::empty(shape, t);
  cpu::copy_cast(s, tmp);  // a fresh buffer: the value may overlap the destination
  return tmp;
}

void check_writeable(const Array& a, const char* op) {
  if (!a.writeable()) throw ValueError(msg(op, "assignment destination is read-only."));
}

// Fast path for a[mask] with a mask covering every dimension (the common boolean selection).
bool full_mask(const Array& a, const std::vector<IndexItem>& index) {
  return index.size() == 1 && index[0].kind == IndexItem::Kind::Array && index[0].array.dtype() == DType::Bool &&
         a.ndim() >= 1 && index[0].array.shape() == a.shape() && a.c_contiguous() &&
         index[0].array.c_contiguous() && a.device().type == DeviceType::CPU &&
         index[0].array.device().type == DeviceType::CPU;
}

// Fast path for a[idx] with one integer array on a C-contiguous array: whole rows are copied.
bool axis0_take(const Array& a, const std::vector<IndexItem>& index) {
  return index.size() == 1 && index[0].kind == IndexItem::Kind::Array && is_integer(index[0].array.dtype()) &&
         index[0].array.ndim() >= 1 && a.ndim() >= 1 && a.c_contiguous() && index[0].array.c_contiguous() &&
         a.device().type == DeviceType::CPU && index[0].array.device().type == DeviceType::CPU;
}

// Copies rows a[idx[k]] <-> out[k]; put=true writes into a (out[0] only when out_scalar).
template <class T, size_t N, bool Put = false>
void take_rows(const Array& a, const Array& idx, char* out, int64_t rowbytes, bool out_scalar = false) {
  const T* ip = idx.data_as<T>();
  int64_t n = a.shape(0), m = idx.size();
  char* src = a.data();
  for (int64_t k = 0; k < m; ++k) {
    int64_t v;
    if constexpr (std::is_unsigned_v<T>) {
      if (static_cast<uint64_t>(ip[k]) >= static_cast<uint64_t>(n))
        throw IndexError(msg("getitem", out_of_bounds(std::to_string(ip[k]), 0, n)));
      v = static_cast<int64_t>(ip[k]);
    } else {
      v = static_cast<int64_t>(ip[k]);
      if (v < -n || v >= n) throw IndexError(msg("getitem", out_of_bounds(std::to_string(v), 0, n)));
      if (v < 0) v += n;
    }
    if constexpr (Put) {
      if constexpr (N > 0) std::memcpy(src + v * N, out + (out_scalar ? 0 : k * N), N);
      else std::memcpy(src + v * rowbytes, out + (out_scalar ? 0 : k * rowbytes), rowbytes);
    } else {
      if constexpr (N > 0) std::memcpy(out + k * N, src + v * N, N);
      else std::memcpy(out + k * rowbytes, src + v * rowbytes, rowbytes);
    }
  }
}

}  // namespace

namespace {

Array advanced_getitem(const Array& a, const std::vector<IndexItem>& index) {
  OpScope op_scope("getitem");
  if (full_mask(a, index)) {
    const bool* m = index[0].array.data_as<bool>();
    int64_t n = a.size(), count = cpu::count_true(m, n);
    Array out = Array::empty({count}, a.dtype());
    cpu::mask_copy(a.data(), m, n, out.data(), count, a.itemsize(), false, false);
    return out;
  }
  if (axis0_take(a, index)) {
    const Array& idx = index[0].array;
    Shape shape = idx.shape();
    shape.insert(shape.end(), a.shape().begin() + 1, a.shape().end());
    check_ndim(shape.size(), "getitem");
    Array out = Array::empty(shape, a.dtype());
    // From the shape, not strides[0]: a zero-size "contiguous" array may carry any strides
    // (a (5, 0) slice of a reversed array has strides[0] < 0, a negative memcpy size).
    int64_t rowbytes = static_cast<int64_t>(a.itemsize());
    for (int d = 1; d < a.ndim(); ++d) rowbytes *= a.shape(d);
    if (out.size() == 0 && idx.size() == 0) return out;
    visit_dtype(idx.dtype(), [&](auto t) {
      using T = decltype(t);
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (a.ndim() > 1) take_rows<T, 0>(a, idx, out.data(), rowbytes);
        else switch (a.itemsize()) {
            case 1: take_rows<T, 1>(a, idx, out.data(), 1); break;
            case 2: take_rows<T, 2>(a, idx, out.data(), 2); break;
            case 4: take_rows<T, 4>(a, idx, out.data(), 4); break;
            case 8: take_rows<T, 8>(a, idx, out.data(), 8); break;
            default: take_rows<T, 16>(a, idx, out.data(), 16); break;
          }
      }
    });
    return out;
  }
  Plan p = make_plan(a, index, "getitem");
  Array out = Array::empty(p.result_shape, a.dtype());
  cpu::gather(p.v.data(), out.data(), p.layout);
  return out;
}

// zeros(shape) plus g scattered to `index`, repeated indices accumulating: the VJP of advanced
// getitem. Its own VJP is getitem again, so gradients of any order flow.
Array index_add(const Shape& shape, const std::vector<IndexItem>& index, const Array& g) {
  Array z = autograd::zeros(shape, g.dtype());
  {
    autograd::NoGradGuard no_grad;
    ufunc_at(get_ufunc("add"), z, index, &g);
  }
  if (autograd::recording())
    autograd::record("index_add", {g}, {z}, [index](const autograd::Node&, const std::vector<Array>& gz) {
      return std::vector<Array>{getitem(gz[0], index)};
    });
  return z;
}

}  // namespace

Array getitem(const Array& a, const std::vector<IndexItem>& index) {
  if (is_basic_index(index)) {
    Array v = basic_index(a, index);
    // NumPy returns a scalar (a value, not a view) when a basic index without an ellipsis selects one
    // element. minpy's 0-d result owns a copy too, so `t = a[0]; a[0] = a[1]; a[1] = t` swaps.
    if (v.ndim() == 0 && !has_ellipsis(index)) return copy(v);
    return v;
  }
  if (!autograd::recording()) return advanced_getitem(a, index);
  Array out = autograd::untracked([&] { return advanced_getitem(a, index); });
  autograd::record("getitem", {a}, {out}, [index, shape = a.shape()](const autograd::Node&, const std::vector<Array>& g) {
    return std::vector<Array>{index_add(shape, index, g[0])};
  });
  return out;
}

namespace {
// The raw advanced-index writes (the caller bumps the storage version).
void setitem_raw(const Array& a, const std::vector<IndexItem>& index, const Array& value) {
  OpScope op_scope("setitem");
  if (full_mask(a, index)) {
    bool scalar;
    const bool* m = index[0].array.data_as<bool>();
    int64_t count = cpu::count_true(m, a.size());
    Array src = value_for(value, {count}, a.dtype(), scalar, "setitem");
    cpu::mask_copy(a.data(), m, a.size(), src.data(), count, a.itemsize(), true, scalar);
    return;
  }
  Plan p = make_plan(a, index, "setitem");
  bool scalar;
  Array src = value_for(value, p.result_shape, a.dtype(), scalar, "setitem");
  cpu::scatter(p.v.data(), src.data(), scalar, p.layout);
}

void setitem_raw(const Array& a, const std::vector<IndexItem>& index, const Scalar& value) {
  OpScope op_scope("setitem");
  Array src = value.to_array(a.dtype(), "setitem");
  if (a.ndim() == 1 && axis0_take(a, index)) {
    // a[idx] = scalar on a contiguous vector: write in index order (last write wins).
    const Array& idx = index[0].array;
    visit_dtype(idx.dtype(), [&](auto t) {
      using T = decltype(t);
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) switch (a.itemsize()) {
          case 1: take_rows<T, 1, true>(a, idx, src.data(), 1, true); break;
          case 2: take_rows<T, 2, true>(a, idx, src.data(), 2, true); break;
          case 4: take_rows<T, 4, true>(a, idx, src.data(), 4, true); break;
          case 8: take_rows<T, 8, true>(a, idx, src.data(), 8, true); break;
          default: take_rows<T, 16, true>(a, idx, src.data(), 16, true); break;
        }
    });
    return;
  }
  if (full_mask(a, index)) {
    cpu::mask_copy(a.data(), index[0].array.data_as<bool>(), a.size(), src.data(), 0, a.itemsize(), true, true);
    return;
  }
  Plan p = make_plan(a, index, "setitem");
  cpu::scatter(p.v.data(), src.data(), true, p.layout);
}


Array arange_shaped(const Shape& shape) {
  Array r = Array::empty(shape, DType::Int64);
  int64_t* p = r.data_as<int64_t>();
  for (int64_t i = 0; i < r.size(); ++i) p[i] = i;
  return r;
}

// For a[index] = v: true where element k of the indexed shape is the write that lands (the last of
// repeated indices), found by writing positions with the same code and reading them back.
Array landing_writes(const Shape& shape, const std::vector<IndexItem>& index, const Shape& result_shape) {
  autograd::NoGradGuard ng;
  Array pos = Array::empty(shape, DType::Int64);
  Array ids = arange_shaped(result_shape);
  setitem_raw(pos, index, ids);
  return ufunc2("equal", advanced_getitem(pos, index), ids);
}

// a copy of `a` with a[index] = value, recorded: d a = g with the indexed elements zeroed, d value =
// g[index] on the writes that land, summed back to value's shape. Both are differentiable again.
Array functional_setitem(const Array& a, const std::vector<IndexItem>& index, const Array& value) {
  Array out;
  {
    autograd::NoGradGuard ng;
    out = copy(a, 'C');
    setitem_raw(out, index, value);
  }
  if (autograd::recording())
    autograd::record("setitem", {a, value}, {out}, [index, vshape = value.shape(), ashape = a.shape()](
                                                       const autograd::Node& n, const std::vector<Array>& g) {
      std::vector<Array> r(2);
      if (n.needs_grad(0)) r[0] = functional_setitem(g[0], index, autograd::zeros({}, g[0].dtype()));
      if (n.needs_grad(1)) {
        Array gv = getitem(g[0], index);
        gv = ufunc2("multiply", gv, landing_writes(ashape, index, gv.shape()));
        // setitem drops the value's leading length-1 axes beyond the indexed shape, then broadcasts.
        Shape stripped = vshape;
        while (stripped.size() > static_cast<size_t>(gv.ndim()) && stripped[0] == 1) stripped.erase(stripped.begin());
        r[1] = reshape(autograd::sum_to_shape(gv, stripped), vshape);
      }
      return r;
    });
  return out;
}

// a[index] = value while a tape records: the write is recorded as a's new value (a functional
// setitem of its old value) when a or the value is tracked.
void setitem_recorded(const Array& a, const std::vector<IndexItem>& index, const Array& value,
                      const std::function<void()>& raw) {
  bool fl = is_floating(a.dtype());
  bool tracked = fl && (autograd::is_tracked(a) || (is_floating(value.dtype()) && autograd::is_tracked(value)));
  if (!tracked) {
    autograd::NoGradGuard ng;
    raw();
    ++a.storage()->version;
    return;
  }
  Array anew = functional_setitem(a, index, value);
  autograd::assign_recorded(a, &anew, [&] {
    raw();
    ++a.storage()->version;
  });
}
}  // namespace

void setitem(const Array& a, const std::vector<IndexItem>& index, const Array& value) {
  check_writeable(a, "setitem");
  if (is_basic_index(index)) return assign(basic_index(a, index), value, Casting::Unsafe, "setitem");
  if (autograd::recording())
    return setitem_recorded(a, index, value, [&] { setitem_raw(a, index, value); });
  setitem_raw(a, index, value);
  ++a.storage()->version;
}

void setitem(const Array& a, const std::vector<IndexItem>& index, const Scalar& value) {
  check_writeable(a, "setitem");
  if (is_basic_index(index)) return assign(basic_index(a, index), value, "setitem");
  if (autograd::recording()) {
    Array v = value.to_array(a.dtype(), "setitem");
    return setitem_recorded(a, index, v, [&] { setitem_raw(a, index, value); });
  }
  setitem_raw(a, index, value);
  ++a.storage()->version;
}

// ---- ufunc.at ----
static void ufunc_at_raw(const Ufunc& uf, const Array& a, const std::vector<IndexItem>& index, const Array* b);

void ufunc_at(const Ufunc& uf, const Array& a, const std::vector<IndexItem>& index, const Array* b) {
  if (!autograd::recording()) {
    ufunc_at_raw(uf, a, index, b);
    ++a.storage()->version;
    return;
  }
  // add.at / subtract.at are recorded as a +- (b scattered with repeated indices accumulating);
  // other ufuncs have no gradient here.
  bool tracked = is_floating(a.dtype()) &&
                 (autograd::is_tracked(a) || (b && is_floating(b->dtype()) && autograd::is_tracked(*b)));
  if (!tracked || (uf.name != "add" && uf.name != "subtract") || !b) {
    std::string name = uf.name + ".at";
    autograd::no_gradient(name.c_str(), b ? std::vector<Array>{a, *b} : std::vector<Array>{a});
    autograd::NoGradGuard ng;
    ufunc_at_raw(uf, a, index, b);
    ++a.storage()->version;
    return;
  }
  Array anew;
  {
    Shape rshape;
    {
      autograd::NoGradGuard ng;
      rshape = make_plan(a, index, "at").result_shape;
    }
    Array bb;
    try {
      bb = autograd::broadcast(*b, rshape);
    } catch (const ValueError&) {
      throw ValueError(msg("at", "array is not broadcastable to correct shape"));
    }
    anew = ufunc2(uf.name, a, index_add(a.shape(), index, bb));
  }
  autograd::assign_recorded(a, &anew, [&] {
    ufunc_at_raw(uf, a, index, b);
    ++a.storage()->version;
  });
}

static void ufunc_at_raw(const Ufunc& uf, const Array& a, const std::vector<IndexItem>& index, const Array* b) {
  const char* op = "at";
  OpScope op_scope(uf.name + ".at");
  if (uf.nout != 1) throw ValueError(msg(op, "Only single output ufuncs supported with at."));
  if (uf.nin == 2 && !b) throw ValueError(msg(op, "second operand needed for ufunc"));
  if (uf.nin == 1 && b) throw ValueError(msg(op, "second operand provided when ufunc is unary"));
  if (uf.nin > 2) throw ValueError(msg(op, "Only unary and binary ufuncs supported with at."));
  check_writeable(a, op);
  require_cpu(a, op);
  Plan p = make_plan(a, index, op);
  const auto& L = p.layout;
  int64_t n = shape_size(p.result_shape);
  // Byte offsets (relative to v) of every selected element, in result order.
  std::vector<int64_t> offs;
  offs.reserve(n);
  {
    int64_t nouter = shape_size(L.outer_shape), ninner = shape_size(L.inner_shape);
    std::vector<int64_t> inner;
    inner.reserve(ninner);
    for (int64_t q = 0; q < ninner; ++q) {
      int64_t off = 0, r = q;
      for (int d = static_cast<int>(L.inner_shape.size()) - 1; d >= 0; --d) {
        off += (r % L.inner_shape[d]) * L.inner_strides[d];
        r /= L.inner_shape[d];
      }
      inner.push_back(off);
    }
    for (int64_t o = 0; o < nouter; ++o) {
      int64_t ooff = 0, r = o;
      for (int d = static_cast<int>(L.outer_shape.size()) - 1; d >= 0; --d) {
        ooff += (r % L.outer_shape[d]) * L.outer_strides[d];
        r /= L.outer_shape[d];
      }
      for (int64_t k = 0; k < L.nb; ++k)
        for (int64_t q : inner) offs.push_back(ooff + L.boff[k] + q);
    }
  }
  Array bvals;
  if (b) {
    require_cpu(*b, op);
    Array s;
    try {
      s = broadcast_to(*b, p.result_shape, op);
    } catch (const ValueError&) {
      throw ValueError(msg(op, "array is not broadcastable to correct shape"));
    }
    bvals = Array::empty(p.result_shape, b->dtype());
    cpu::copy_cast(s, bvals);
  }
  if (n == 0) return;
  // Rounds: the r-th occurrence of each position goes to round r, so every round has distinct
  // positions (one vectorised ufunc call) and each position sees its updates in order.
  std::vector<int32_t> round(n, 0);
  int32_t rounds = 1;
  {
    auto [mn, mx] = std::minmax_element(offs.begin(), offs.end());
    int64_t g = static_cast<int64_t>(a.itemsize());
    int64_t span = (*mx - *mn) / g + 1;
    if (span <= 32 * n + (int64_t(1) << 22)) {
      std::vector<int32_t> seen(span, 0);
      for (int64_t i = 0; i < n; ++i) rounds = std::max(rounds, (round[i] = seen[(offs[i] - *mn) / g]++) + 1);
    } else {
      std::unordered_map<int64_t, int32_t> seen;
      for (int64_t i = 0; i < n; ++i) rounds = std::max(rounds, (round[i] = seen[offs[i]]++) + 1);
    }
  }
  char* base = p.v.data();
  size_t isz = a.itemsize();
  for (int32_t r = 0; r < rounds; ++r) {
    std::vector<int64_t> sel_offs, bidx;
    const std::vector<int64_t>* so = &offs;
    if (rounds > 1) {
      for (int64_t i = 0; i < n; ++i)
        if (round[i] == r) {
          sel_offs.push_back(offs[i]);
          bidx.push_back(i);
        }
      so = &sel_offs;
    }
    int64_t m = static_cast<int64_t>(so->size());
    cpu::GatherLayout G;
    G.boff = so->data();
    G.nb = m;
    G.itemsize = isz;
    Array cur = Array::empty({m}, a.dtype());
    cpu::gather(base, cur.data(), G);
    std::vector<Operand> ins{cur};
    if (b) {
      Array bv = bvals.view({m}, {static_cast<int64_t>(bvals.itemsize())}, 0);
      if (rounds > 1) {
        bv = Array::empty({m}, bvals.dtype());
        std::vector<int64_t> bo(m);
        for (int64_t k = 0; k < m; ++k) bo[k] = bidx[k] * static_cast<int64_t>(bvals.itemsize());
        cpu::GatherLayout BG;
        BG.boff = bo.data();
        BG.nb = m;
        BG.itemsize = bvals.itemsize();
        cpu::gather(bvals.data(), bv.data(), BG);
      }
      ins.push_back(bv);
    }
    Array res = call_ufunc(uf, ins)[0];
    cpu::copy_cast(res, cur);  // back to a's dtype, unsafely (as NumPy's ufunc.at)
    cpu::scatter(base, cur.data(), false, G);
  }
}

// ---- selection functions ----
ClipMode clip_mode_from_name(const std::string& name, const char* op) {
  if (name == "raise") return ClipMode::Raise;
  if (name == "wrap") return ClipMode::Wrap;
  if (name == "clip") return ClipMode::Clip;
  throw ValueError(msg(op, "clipmode must be one of 'clip', 'raise', or 'wrap' (got '" + name + "')."));
}

// Integer indices as a C-contiguous int64 array, wrapped or clipped into [0, n) unless mode=raise.
static Array index_array(const Array& indices, int64_t n, ClipMode mode, const char* op) {
  require_cpu(indices, op);
  if (is_complex(indices.dtype()))
    throw TypeError(msg(op, std::string("Cannot cast array data from dtype('") + dtype_name(indices.dtype()) +
                                "') to dtype('int64') according to the rule 'safe'."));
  Array idx = indices.dtype() == DType::Int64 ? ascontiguousarray(indices) : astype(indices, DType::Int64);
  if (mode == ClipMode::Raise) return idx;
  if (n == 0 && idx.size() > 0) throw IndexError(msg(op, "cannot do a non-empty take from an empty axes."));
  if (idx.storage() == indices.storage()) idx = copy(idx);
  int64_t* p = idx.data_as<int64_t>();
  for (int64_t i = 0; i < idx.size(); ++i) {
    if (mode == ClipMode::Wrap) {
      int64_t r = p[i] % n;
      p[i] = r < 0 ? r + n : r;
    } else {
      p[i] = p[i] < 0 ? 0 : (p[i] >= n ? n - 1 : p[i]);
    }
  }
  return idx;
}

Array take(const Array& a, const Array& indices, std::optional<int64_t> axis, ClipMode mode) {
  OpScope op_scope("take");
  Array src = axis ? a : ravel(a);
  int ax = axis ? normalize_axis(*axis, a.ndim(), "take") : 0;
  Array idx = index_array(indices, src.shape(ax), mode, "take");
  std::vector<IndexItem> items(ax, IndexItem{IndexItem::Kind::Slice, 0, 0, 0, 1, false, false, {}});
  IndexItem it;
  it.kind = IndexItem::Kind::Array;
  it.array = idx;
  items.push_back(it);
  return getitem(src, items);
}

Array take_along_axis(const Array& a, const Array& indices, std::optional<int64_t> axis) {
  OpScope op_scope("take_along_axis");
  if (!is_integer(indices.dtype())) throw IndexError(msg("take_along_axis", "`indices` must be an integer array."));
  Array arr = a;
  int ax = 0;
  if (!axis) {
    if (indices.ndim() != 1)
      throw ValueError(msg("take_along_axis", "when axis=None, `indices` must have a single dimension."));
    arr = ravel(a);
  } else {
    ax = normalize_axis(*axis, a.ndim(), "take_along_axis");
    if (indices.ndim() != a.ndim())
      throw ValueError(msg("take_along_axis", "`indices` and `arr` must have the same number of dimensions."));
  }
  std::vector<IndexItem> items;
  for (int d = 0; d < arr.ndim(); ++d) {
    IndexItem it;
    it.kind = IndexItem::Kind::Array;
    if (d == ax) {
      it.array = indices;
    } else {
      // arange(n) shaped to broadcast along dimension d only.
      int64_t n = arr.shape(d);
      Array r = Array::empty({n}, DType::Int64);
      for (int64_t i = 0; i < n; ++i) r.data_as<int64_t>()[i] = i;
      Shape sh(arr.ndim(), 1), st(arr.ndim(), 0);
      sh[d] = n;
      st[d] = 8;
      it.array = r.view(sh, st, 0);
    }
    items.push_back(it);
  }
  return getitem(arr, items);
}

// Byte offsets of the flat (C-order) positions of `a`, produced incrementally.
namespace {
struct FlatWalker {
  const Array& a;
  int64_t ctr[kMaxDims] = {};
  int64_t off = 0;
  int64_t pos = 0;
  explicit FlatWalker(const Array& arr) : a(arr) {}
  int64_t offset_of(int64_t i) const {
    int64_t o = 0;
    for (int d = a.ndim() - 1; d >= 0; --d) {
      o += (i % a.shape(d)) * a.strides()[d];
      i /= a.shape(d);
    }
    return o;
  }
  void advance() {  // to flat position pos + 1
    ++pos;
    for (int d = a.ndim() - 1; d >= 0; --d) {
      off += a.strides()[d];
      if (++ctr[d] < a.shape(d)) return;
      off -= ctr[d] * a.strides()[d];
      ctr[d] = 0;
    }
  }
};

Array flat_bool(const Array& m) {
  Array b = m.dtype() == DType::Bool ? m : astype(m, DType::Bool);
  return ascontiguousarray(b);
}
}  // namespace

void put(const Array& a, const Array& indices, const Array& values, ClipMode mode) {
  OpScope op_scope("put");
  autograd::no_gradient("put", {a, values});
  autograd::NoGradGuard ng;
  ++a.storage()->version;
  require_cpu(a, "put");
  check_writeable(a, "put");
  int64_t n = a.size();
  Array idx = index_array(indices, n, mode == ClipMode::Raise ? mode : (n == 0 ? ClipMode::Raise : mode), "put");
  if (n == 0 && idx.size() > 0) throw IndexError(msg("put", "cannot replace elements of an empty array."));
  require_cpu(values, "put");
  Array vals = ascontiguousarray(values.dtype() == a.dtype() ? values : astype(values, a.dtype()));
  if (vals.may_share_memory(a)) vals = copy(vals);
  int64_t nv = vals.size();
  if (nv == 0) return;
  const int64_t* ip = idx.data_as<int64_t>();
  int64_t ni = idx.size();
  for (int64_t i = 0; i < ni; ++i)
    if (ip[i] < -n || ip[i] >= n) throw IndexError(msg("put", out_of_bounds(std::to_string(ip[i]), 0, n)));
  FlatWalker w(a);
  size_t isz = a.itemsize();
  bool contig = a.c_contiguous();
  for (int64_t i = 0; i < ni; ++i) {
    int64_t j = ip[i] < 0 ? ip[i] + n : ip[i];
    int64_t off = contig ? j * static_cast<int64_t>(isz) : w.offset_of(j);
    std::memcpy(a.data() + off, vals.data() + (i % nv) * isz, isz);
  }
}

std::vector<Array> nonzero(const Array& a) {
  OpScope op_scope("nonzero");
  require_cpu(a, "nonzero");
  if (a.ndim() == 0)
    throw ValueError(msg("nonzero", "Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead."));
  Array m = flat_bool(a);
  const bool* p = m.data_as<bool>();
  int64_t n = m.size(), nnz = cpu::count_true(p, n);
  int nd = a.ndim();
  std::vector<Array> out;
  std::vector<int64_t*> ptr;
  for (int d = 0; d < nd; ++d) {
    out.push_back(Array::empty({nnz}, DType::Int64));
    ptr.push_back(out.back().data_as<int64_t>());
  }
  if (nd == 1) {
    // Branch-free: write every position, advance on true; stop once all nnz are written.
    int64_t k = 0;
    const unsigned char* pb = reinterpret_cast<const unsigned char*>(p);
    for (int64_t i = 0; k < nnz; ++i) {
      ptr[0][k] = i;
      k += pb[i] != 0;
    }
    return out;
  }
  int64_t ctr[kMaxDims] = {};
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (p[i]) {
      for (int d = 0; d < nd; ++d) ptr[d][k] = ctr[d];
      ++k;
    }
    for (int d = nd - 1; d >= 0; --d) {
      if (++ctr[d] < a.shape(d)) break;
      ctr[d] = 0;
    }
  }
  return out;
}

Array argwhere(const Array& a) {
  OpScope op_scope("argwhere");
  if (a.ndim() == 0) {
    Array m = flat_bool(a);
    return Array::empty({*m.data_as<bool>() ? 1 : 0, 0}, DType::Int64);
  }
  std::vector<Array> nz = nonzero(a);
  int64_t nnz = nz[0].size();
  int nd = a.ndim();
  Array out = Array::empty({nnz, nd}, DType::Int64);
  int64_t* o = out.data_as<int64_t>();
  for (int d = 0; d < nd; ++d) {
    const int64_t* s = nz[d].data_as<int64_t>();
    for (int64_t k = 0; k < nnz; ++k) o[k * nd + d] = s[k];
  }
  return out;
}

Array flatnonzero(const Array& a) { return nonzero(ravel(a))[0]; }

static Array where_impl(const Array& cond, const Operand& x, const Operand& y);

Array where(const Array& cond, const Operand& x, const Operand& y) {
  if (!autograd::recording()) return where_impl(cond, x, y);
  Array out = autograd::untracked([&] { return where_impl(cond, x, y); });
  // d x = g where cond, d y = g elsewhere; cond (a selector) gets none. Saved as a bool copy.
  std::vector<Array> ins;
  std::vector<int> which;
  for (int i = 0; i < 2; ++i)
    if (const Array* arr = std::get_if<Array>(i == 0 ? &x : &y)) {
      ins.push_back(*arr);
      which.push_back(i);
    }
  if (ins.empty() || !is_floating(out.dtype())) return out;
  Array c = autograd::untracked([&] { return astype(cond, DType::Bool); });
  autograd::record("where", ins, {out}, [c, which](const autograd::Node& n, const std::vector<Array>& g) {
    std::vector<Array> r(which.size());
    Scalar zero = Scalar::from_float(0.0);
    for (size_t k = 0; k < which.size(); ++k)
      if (n.needs_grad(k)) r[k] = which[k] == 0 ? where(c, g[0], zero) : where(c, zero, g[0]);
    return r;
  });
  return out;
}

static Array where_impl(const Array& cond, const Operand& x, const Operand& y) {
  OpScope op_scope("where");
  require_cpu(cond, "where");
  // NumPy's where takes the weak scalar's kind but not its value (300 with int8 gives int8 and
  // wraps), so type resolution sees a zero of the same kind.
  bool strong = std::holds_alternative<Array>(x) || std::holds_alternative<Array>(y);
  auto kind_only = [&](const Operand& o) -> Operand {
    const Scalar* s = std::get_if<Scalar>(&o);
    if (strong && s && s->kind == Scalar::Kind::Int) return Scalar::from_int(0);
    return o;
  };
  DType t = result_type({kind_only(x), kind_only(y)});
  auto as_typed = [&](const Operand& o) -> Array {
    if (const Array* arr = std::get_if<Array>(&o)) {
      require_cpu(*arr, "where");
      return arr->dtype() == t ? *arr : astype(*arr, t);
    }
    const Scalar& s = std::get<Scalar>(o);
    if (s.kind == Scalar::Kind::Int) {
      // NumPy converts a Python int through a C integer and then casts it (wrapping).
      if (s.int_too_big) throw OverflowError(msg("where", "Python int too large to convert to C long"));
      Array i = s.int_is_uint64 ? s.to_array(DType::UInt64, "where") : s.to_array(DType::Int64, "where");
      return astype(i, t);
    }
    return s.to_array(t, "where");
  };
  Array xa = as_typed(x), ya = as_typed(y);
  Array c = cond.dtype() == DType::Bool ? cond : astype(cond, DType::Bool);
  Shape sh;
  try {
    sh = broadcast_shapes(broadcast_shapes(c.shape(), xa.shape(), "where"), ya.shape(), "where");
  } catch (const ValueError&) {
    throw ValueError(msg("where", "operands could not be broadcast together with shapes " + shape_str(c.shape()) +
                                      " " + shape_str(xa.shape()) + " " + shape_str(ya.shape()) + "."));
  }
  Array out = Array::empty(sh, t);
  cpu::where(broadcast_to(c, sh), broadcast_to(xa, sh), broadcast_to(ya, sh), out);
  return out;
}

Array compress(const Array& condition, const Array& a, std::optional<int64_t> axis) {
  OpScope op_scope("compress");
  if (condition.ndim() != 1) throw ValueError(msg("compress", "condition must be a 1-d array."));
  return take(a, nonzero(condition)[0], axis, ClipMode::Raise);
}

Array extract(const Array& condition, const Array& a) {
  OpScope op_scope("extract");
  return take(ravel(a), nonzero(ravel(condition))[0], std::nullopt, ClipMode::Raise);
}

// Writes vals (cycled) to the flat positions of a where mask is true; `by_position` cycles by the
// flat position (putmask) instead of by the count of true elements so far (place).
static void masked_write(const Array& a, const Array& mask, const Array& values, bool by_position, const char* op) {
  autograd::no_gradient(op, {a, values});
  autograd::NoGradGuard ng;
  ++a.storage()->version;
  require_cpu(a, op);
  check_writeable(a, op);
  if (mask.size() != a.size()) throw ValueError(msg(op, std::string(op) + ": mask and data must be the same size."));
  Array m = flat_bool(mask);
  require_cpu(values, op);
  Array vals = ascontiguousarray(values.dtype() == a.dtype() ? values : astype(values, a.dtype()));
  if (vals.may_share_memory(a)) vals = copy(vals);
  int64_t nv = vals.size(), n = a.size();
  const bool* mp = m.data_as<bool>();
  if (nv == 0) {
    if (!by_position && cpu::count_true(mp, n) > 0) throw ValueError(msg(op, "Cannot insert from an empty array!"));
    return;
  }
  size_t isz = a.itemsize();
  FlatWalker w(a);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i, w.advance()) {
    if (!mp[i]) continue;
    int64_t src = by_position ? i % nv : k++ % nv;
    std::memcpy(a.data() + w.off, vals.data() + src * isz, isz);
  }
}

void place(const Array& a, const Array& mask, const Array& vals) {
  OpScope op_scope("place");
  masked_write(a, mask, vals, false, "place");
}

void putmask(const Array& a, const Array& mask, const Array& values) {
  OpScope op_scope("putmask");
  masked_write(a, mask, values, true, "putmask");
}

}  // namespace minpy
