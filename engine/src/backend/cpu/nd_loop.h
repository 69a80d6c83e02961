// The strided N-d iteration every CPU elementwise kernel runs on: NumPy's inner-loop design.
// Dimensions are collapsed where all operands allow it; the flat index space is split across
// threads above a grain size, and each piece calls the inner loop one row at a time.
#pragma once
#include <cstdint>

#include "minpy/array.h"

namespace minpy::cpu {

inline constexpr int kMaxOperands = 8;
// args[i] points at operand i's first element; strides[i] is its byte step; n elements.
using StridedLoop = void (*)(char** args, const int64_t* strides, int64_t n);

// Runs fn over `shape` for `nargs` operands with base pointers `ptrs` and per-operand byte strides
// (each strides[i] has shape.size() entries).
void nd_loop(const Shape& shape, int nargs, char* const* ptrs, const int64_t* const* strides, StridedLoop fn,
             int64_t grain = 1 << 15);
void nd_loop(const Shape& shape, int nargs, char* const* ptrs, const Shape* strides, StridedLoop fn,
             int64_t grain = 1 << 15);

// Same, for operands that are arrays already broadcast to `shape`.
void nd_loop(const Shape& shape, int nargs, const Array* arrays, StridedLoop fn, int64_t grain = 1 << 15);

}  // namespace minpy::cpu
