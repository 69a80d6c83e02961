// CPU kernels of the linalg family: batched matrix products and trailing-axis sums.
#pragma once
#include "minpy/array.h"

namespace minpy::cpu {

// C[..., n, m] = A[..., n, k] @ B[..., k, m]. All three have the same ndim >= 2, the same batch
// shape (broadcast already, zero strides allowed) and the same dtype. C may have any strides but
// must not overlap A or B. BLAS types go to GEMM; the rest use blocked loops with NumPy's
// accumulation (integers wrap, bool is or-of-ands, float16 accumulates in float32).
void matmul(const Array& a, const Array& b, const Array& c);

// out[...] = sum of x over its last `naxes` axes; x and out have the same dtype, out has shape
// x.shape[:-naxes]. Integer sums wrap, bool sums are logical or, float16 accumulates in float32.
void sum_trailing(const Array& x, int naxes, const Array& out);

}  // namespace minpy::cpu
