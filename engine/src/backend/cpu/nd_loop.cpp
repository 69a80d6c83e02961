#include "nd_loop.h"

#include <algorithm>

#include "minpy/threading.h"

namespace minpy::cpu {

namespace {
constexpr int kMaxDims = 64;  // NumPy's limit too
}

void nd_loop(const Shape& shape_in, int nargs, char* const* ptrs, const int64_t* const* strides_in,
             StridedLoop fn, int64_t grain) {
  // Drop size-1 axes, then merge neighbours that are contiguous with each other in every operand.
  // Fixed-size arrays: small calls must not allocate.
  int64_t shape[kMaxDims];
  int64_t strides[kMaxOperands][kMaxDims];
  int nd = 0;
  for (size_t d = 0; d < shape_in.size(); ++d) {
    if (shape_in[d] == 0) return;
    if (shape_in[d] == 1) continue;
    bool merge = nd > 0;
    for (int a = 0; a < nargs && merge; ++a) merge = strides[a][nd - 1] == strides_in[a][d] * shape_in[d];
    if (merge) {
      shape[nd - 1] *= shape_in[d];
      for (int a = 0; a < nargs; ++a) strides[a][nd - 1] = strides_in[a][d];
    } else {
      shape[nd] = shape_in[d];
      for (int a = 0; a < nargs; ++a) strides[a][nd] = strides_in[a][d];
      ++nd;
    }
  }
  char* args[kMaxOperands];
  int64_t inner_strides[kMaxOperands] = {};
  for (int a = 0; a < nargs; ++a) args[a] = ptrs[a];
  if (nd == 0) {
    fn(args, inner_strides, 1);
    return;
  }
  for (int a = 0; a < nargs; ++a) inner_strides[a] = strides[a][nd - 1];
  int64_t inner = shape[nd - 1];
  int64_t total = 1;
  for (int d = 0; d < nd; ++d) total *= shape[d];
  if (nd == 1 && total < 2 * grain) {
    fn(args, inner_strides, total);
    return;
  }

  parallel_for(total, grain, [&](int64_t begin, int64_t end) {
    // Multi-index of `begin` over the outer axes, and the position inside the first row.
    int64_t idx[kMaxDims] = {};
    int64_t rest = begin / inner, col = begin % inner;
    for (int d = nd - 2; d >= 0; --d) {
      idx[d] = rest % shape[d];
      rest /= shape[d];
    }
    char* row_args[kMaxOperands];
    for (int64_t pos = begin; pos < end;) {
      for (int a = 0; a < nargs; ++a) {
        int64_t off = col * inner_strides[a];
        for (int d = 0; d < nd - 1; ++d) off += idx[d] * strides[a][d];
        row_args[a] = ptrs[a] + off;
      }
      int64_t n = std::min(inner - col, end - pos);
      fn(row_args, inner_strides, n);
      pos += n;
      col = 0;
      for (int d = nd - 2; d >= 0; --d) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  });
}

void nd_loop(const Shape& shape, int nargs, char* const* ptrs, const Shape* strides, StridedLoop fn,
             int64_t grain) {
  const int64_t* st[kMaxOperands];
  for (int a = 0; a < nargs; ++a) st[a] = strides[a].data();
  nd_loop(shape, nargs, ptrs, st, fn, grain);
}

void nd_loop(const Shape& shape, int nargs, const Array* arrays, StridedLoop fn, int64_t grain) {
  char* ptrs[kMaxOperands];
  const int64_t* st[kMaxOperands];
  for (int a = 0; a < nargs; ++a) {
    ptrs[a] = arrays[a].data();
    st[a] = arrays[a].strides().data();
  }
  nd_loop(shape, nargs, ptrs, st, fn, grain);
}

}  // namespace minpy::cpu
