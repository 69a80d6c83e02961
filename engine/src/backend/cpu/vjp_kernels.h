// Fused elementwise loops for first-order VJPs (autograd/vjp_ufunc.cpp): one pass and one output
// allocation instead of a chain of ufunc calls, for C-contiguous float32/float64 operands of one
// shape (or scalar constants).
#pragma once
#include <cstdint>

#include "minpy/threading.h"

namespace minpy::cpu {

// An operand of a fused loop: a contiguous array or a constant.
template <class T>
struct FusedSrc {
  const T* p = nullptr;
  T c{};
  T operator[](int64_t i) const { return p ? p[i] : c; }
};

// out[i] = f(a[i], b[i], c[i]).
template <class T, class F>
void fused_map3(T* out, int64_t n, FusedSrc<T> a, FusedSrc<T> b, FusedSrc<T> c, F f) {
  parallel_for(n, 32768, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) out[i] = f(a[i], b[i], c[i]);
  });
}

// acc[i] += g[i] (gradient accumulation into a buffer backward owns).
template <class T>
void fused_accumulate(T* acc, const T* g, int64_t n) {
  parallel_for(n, 32768, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) acc[i] += g[i];
  });
}

}  // namespace minpy::cpu
