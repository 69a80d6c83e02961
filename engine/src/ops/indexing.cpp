#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

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

Array basic_index(const Array& a, const std::vector<IndexItem>& index) {
  int consumed = 0, ellipses = 0;
  for (const auto& it : index) {
    if (it.kind == IndexItem::Kind::Int || it.kind == IndexItem::Kind::Slice) ++consumed;
    if (it.kind == IndexItem::Kind::Ellipsis) ++ellipses;
  }
  if (ellipses > 1) throw IndexError(msg("getitem", "an index can only have a single ellipsis ('...')."));
  if (consumed > a.ndim())
    throw IndexError(msg("getitem", "too many indices for array: array is " + std::to_string(a.ndim()) +
                                        "-dimensional, but " + std::to_string(consumed) + " were indexed."));
  Shape shape, strides;
  int64_t offset = 0;
  int dim = 0;
  auto take_int = [&](int64_t i) {
    int64_t n = a.shape(dim);
    if (i < -n || i >= n)
      throw IndexError(msg("getitem", "index " + std::to_string(i) + " is out of bounds for axis " +
                                          std::to_string(dim) + " with size " + std::to_string(n) + "."));
    offset += (i < 0 ? i + n : i) * a.strides()[dim];
    ++dim;
  };
  for (const auto& it : index) {
    switch (it.kind) {
      case IndexItem::Kind::Int: take_int(it.index); break;
      case IndexItem::Kind::Slice: {
        int64_t start, step;
        int64_t len = adjust_slice(it, a.shape(dim), start, step);
        if (len > 0) offset += start * a.strides()[dim];
        shape.push_back(len);
        strides.push_back(a.strides()[dim] * step);
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
  Array v = a.view(shape, strides, offset);
  if (autograd::recording()) autograd::record_view("getitem", a, v);  // autograd hook
  return v;
}

}  // namespace minpy
