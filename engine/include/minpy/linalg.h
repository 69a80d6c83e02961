// Linear algebra products with NumPy's rules: matmul (the gufunc (n?,k),(k,m?)->(n?,m?)), dot, vdot,
// inner, outer, tensordot and trace. Float and complex products run on BLAS; integers, bool and
// float16 on the engine's own blocked loops (bool: logical or of ands; float16 accumulates in float32).
#pragma once
#include <optional>
#include <vector>

#include "minpy/array.h"

namespace minpy {

// np.matmul(a, b, out=out, dtype=dtype). `out` may be undefined; its dtype may differ (same_kind).
Array matmul(const Array& a, const Array& b, const Array& out = {}, std::optional<DType> dtype = std::nullopt);
// a @= b: NumPy requires a.ndim >= 1, b.ndim >= 2 and a result of a's shape.
Array matmul_inplace(const Array& a, const Array& b);
// np.dot: sum over the last axis of a and the second-to-last of b. `out` must be exactly right.
Array dot(const Array& a, const Array& b, const Array& out = {});
Array vdot(const Array& a, const Array& b);   // flattens; conjugates a
Array inner(const Array& a, const Array& b);  // sum over the last axes of both
Array outer(const Array& a, const Array& b, const Array& out = {});
// np.tensordot with explicit axis lists (the Python layer turns an int into lists).
Array tensordot(const Array& a, const Array& b, const std::vector<int64_t>& axes_a,
                const std::vector<int64_t>& axes_b);
// np.trace: sum along the diagonal (offset, axis1, axis2), in NumPy's sum dtype unless dtype is given.
Array trace(const Array& a, int64_t offset = 0, int64_t axis1 = 0, int64_t axis2 = 1,
            std::optional<DType> dtype = std::nullopt, const Array& out = {});
// Sums `a` over `axes` in dtype (a's dtype when not given); integer sums wrap, bool sums are `any`
// (einsum's semantics, not np.sum's promotion).
Array sum_axes(const Array& a, const std::vector<int64_t>& axes, std::optional<DType> dtype = std::nullopt);

}  // namespace minpy
