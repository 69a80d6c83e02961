// CPU kernels of advanced indexing: gathers and scatters by byte offsets. They move elements by
// size only (no dtype), so one instantiation per item size serves every dtype.
#pragma once
#include <cstdint>

#include "minpy/array.h"

namespace minpy::cpu {

// The element layout an advanced index selects, in the result's C order:
//   for o in outer (strided dims of the source), for b in boff (offsets of the index
//   combinations), for q in inner (strided dims): element at base + o + boff[b] + q.
struct GatherLayout {
  Shape outer_shape, outer_strides;
  const int64_t* boff = nullptr;
  int64_t nb = 0;
  Shape inner_shape, inner_strides;
  size_t itemsize = 0;
};

// dst (C-contiguous, |outer|*nb*|inner| elements) = the selected elements of src.
void gather(const char* src, char* dst, const GatherLayout& L);
// The selected elements of dst = src (C-contiguous in the same order); src_step 0 repeats one
// element. Writes happen in order along b, so the last of repeated indices wins.
void scatter(char* dst, const char* src, bool src_scalar, const GatherLayout& L);
// out = cond ? x : y elementwise; all four already broadcast to out's shape, x/y/out same dtype.
void where(const Array& cond, const Array& x, const Array& y, const Array& out);
// Masked copy over C-contiguous a and mask (n elements): to_a=false packs the `count` selected
// elements of a into flat; to_a=true writes flat (or its one element, flat_scalar) into them.
void mask_copy(char* a, const bool* m, int64_t n, char* flat, int64_t count, size_t itemsize, bool to_a,
               bool flat_scalar);
// Positions of true elements of a C-contiguous bool array, as flat indices.
int64_t count_true(const bool* p, int64_t n);

}  // namespace minpy::cpu
