// CPU kernels of the reduction family: ufunc-style reductions (sum, prod, max, all, ...), arg
// reductions (argmax/argmin) and NumPy's pairwise summation order.
#pragma once
#include <vector>

#include "minpy/array.h"

namespace minpy::cpu {

enum class RedOp : uint8_t {
  Add, Mul, Max, Min, FMax, FMin, BitAnd, BitOr, BitXor,  // accumulate in the input's type
  And, Or, Xor,                                            // truth values, bool result
  NanAdd,                                                  // NaN counts as 0
  CountNonzero,                                            // truth values counted in int64
};

// The dtype the kernel accumulates in and writes for input dtype `in` (bool for And/Or/Xor, int64
// for CountNonzero, `in` otherwise).
DType reduce_acc_dtype(RedOp op, DType in);
// Whether a kernel exists for op on input dtype `in` (e.g. no bitwise ops on floats).
bool reduce_supported(RedOp op, DType in);

// out = op(out, in reduced over the axes flagged in `reduced`). `out` has in's ndim with size 1 on
// the reduced axes, dtype reduce_acc_dtype(op, in.dtype()), and holds the starting values (the
// identity, or the first slice for ops without one). in and out must not overlap.
void reduce(RedOp op, const Array& in, const Array& out, const std::vector<char>& reduced);

// Index of the first maximum (minimum) along `axis`; NaN counts as the extreme. out: int64, in's
// shape with size 1 at `axis`; in.shape(axis) > 0.
void arg_reduce(bool is_max, const Array& in, int axis, const Array& out);

}  // namespace minpy::cpu
