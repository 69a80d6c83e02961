// CPU kernels of the shape/sort op family (engine/src/ops/shape_ops.cpp validates and calls these).
#pragma once
#include <cstdint>
#include <vector>

#include "minpy/array.h"

namespace minpy::cpu {

// Sorts every 1-d lane of `a` along `axis` in place (NaNs last, complex lexicographic).
void sort_lanes(const Array& a, int axis, bool stable);
// out (int64, a's shape) receives, per lane along `axis`, the stable sorting permutation of a.
void argsort_lanes(const Array& a, int axis, const Array& out);
// a: 1-d, v: any shape, same dtype; sorter: int64 1-d or undefined; out: int64, v's shape.
// False when the search met a sorter entry outside [0, len(a)).
bool searchsorted(const Array& a, const Array& v, const Array& sorter, bool right, const Array& out);
// out[.., j, ..] = src[.., i, ..] repeated reps[i] times along axis; src is C-contiguous.
void repeat(const Array& src, int axis, const std::vector<int64_t>& reps, const Array& out);
// Zeroes the part of every matrix (last two axes) of C-contiguous out outside the triangle.
void zero_outside_triangle(const Array& out, int64_t k, bool lower);

}  // namespace minpy::cpu
