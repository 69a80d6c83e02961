// Entry points of the CPU backend used by the device-neutral op layer (engine/src/ops).
#pragma once
#include "minpy/array.h"
#include "nd_loop.h"

namespace minpy::cpu {

// dst[...] = cast(src[...]); src is broadcast to dst's shape. Any dtype pair.
void copy_cast(const Array& src, const Array& dst);
// The strided loop that casts From -> To elements.
StridedLoop cast_loop(DType from, DType to);
// Writes the byte pattern of one element (already in dst's dtype) to every element of dst.
void fill(const Array& dst, const void* value);

}  // namespace minpy::cpu
