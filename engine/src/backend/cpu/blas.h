// The engine's only view of CBLAS: row-major GEMM for the four BLAS types. Which library provides
// it (system OpenBLAS, or the scipy-openblas32 wheel with its prefixed symbols) is hidden in
// blas.cpp, so nothing else includes <cblas.h>.
#pragma once
#include <cstdint>

#include "minpy/dtype.h"

namespace minpy::cpu::blas {

// True for float32/float64/complex64/complex128.
bool supports(DType t);
// The largest dimension or leading dimension a BLAS call accepts (its int is 32 bits).
inline constexpr int64_t kMaxDim = 0x7fffffff;

// C (m x n, row-major, leading dim ldc) = op(A) @ op(B), with op = transpose when trans_*.
// A is m x k after op (row-major storage with leading dim lda), B is k x n after op.
// All pointers are to elements of dtype t. beta 0 overwrites C; beta 1 accumulates into it (the
// convolution's weight gradient sums one product per chunk of the batch).
void gemm(DType t, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a, int64_t lda,
          const void* b, int64_t ldb, void* c, int64_t ldc, double beta = 0.0);

// y = op(A) @ x, A stored row-major as rows x cols (leading dim lda); increments in elements, > 0.
void gemv(DType t, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda, const void* x, int64_t incx,
          void* y, int64_t incy);

}  // namespace minpy::cpu::blas
