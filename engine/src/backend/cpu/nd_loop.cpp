#include "nd_loop.h"

#include <algorithm>

#include "minpy/threading.h"

namespace minpy::cpu {

void nd_loop(const Shape& shape_in, int nargs, char* const* ptrs, const Shape* strides_in, StridedLoop fn,
             int64_t grain) {
  // Drop size-1 axes, then merge neighbours that are contiguous with each other in every operand.
  Shape shape;
  Shape strides[kMaxOperands];
  for (size_t d = 0; d < shape_in.size(); ++d) {
    if (shape_in[d] == 0) return;
    if (shape_in[d] == 1) continue;
    bool merge = !shape.empty();
    for (int a = 0; a < nargs && merge; ++a)
      merge = strides[a].back() == strides_in[a][d] * shape_in[d];
    if (merge) {
      shape.back() *= shape_in[d];
      for (int a = 0; a < nargs; ++a) strides[a].back() = strides_in[a][d];
    } else {
      shape.push_back(shape_in[d]);
      for (int a = 0; a < nargs; ++a) strides[a].push_back(strides_in[a][d]);
    }
  }
  int nd = static_cast<int>(shape.size());
  if (nd == 0) {
    char* args[kMaxOperands];
    int64_t zero[kMaxOperands] = {};
    for (int a = 0; a < nargs; ++a) args[a] = ptrs[a];
    fn(args, zero, 1);
    return;
  }
  int64_t inner = shape[nd - 1];
  int64_t total = 1;
  for (int64_t s : shape) total *= s;
  int64_t inner_strides[kMaxOperands];
  for (int a = 0; a < nargs; ++a) inner_strides[a] = strides[a][nd - 1];

  parallel_for(total, grain, [&](int64_t begin, int64_t end) {
    // Multi-index of `begin` over the outer axes, and the position inside the first row.
    int64_t idx[64] = {};
    int64_t rest = begin / inner, col = begin % inner;
    for (int d = nd - 2; d >= 0; --d) {
      idx[d] = rest % shape[d];
      rest /= shape[d];
    }
    char* args[kMaxOperands];
    for (int64_t pos = begin; pos < end;) {
      for (int a = 0; a < nargs; ++a) {
        int64_t off = col * inner_strides[a];
        for (int d = 0; d < nd - 1; ++d) off += idx[d] * strides[a][d];
        args[a] = ptrs[a] + off;
      }
      int64_t n = std::min(inner - col, end - pos);
      fn(args, inner_strides, n);
      pos += n;
      col = 0;
      for (int d = nd - 2; d >= 0; --d) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  });
}

void nd_loop(const Shape& shape, int nargs, const Array* arrays, StridedLoop fn, int64_t grain) {
  char* ptrs[kMaxOperands];
  Shape strides[kMaxOperands];
  for (int a = 0; a < nargs; ++a) {
    ptrs[a] = arrays[a].data();
    strides[a] = arrays[a].strides();
  }
  nd_loop(shape, nargs, ptrs, strides, fn, grain);
}

}  // namespace minpy::cpu
