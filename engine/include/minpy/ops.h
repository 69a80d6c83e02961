// The engine's public op API, by family. Every function has NumPy's semantics and messages.
#pragma once
#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace minpy {

// ---- copy and cast (ops/copy.cpp) ----
// a converted to dtype; a view-free copy unless copy=false and nothing changes.
Array astype(const Array& a, DType dtype, Casting casting = Casting::Unsafe, bool copy = true);
// A C-contiguous (order='C') or layout-preserving (order='K') copy.
Array copy(const Array& a, char order = 'C');
Array ascontiguousarray(const Array& a);
// dst[...] = src, with broadcasting and casting (checks that dst is writeable).
void assign(const Array& dst, const Array& src, Casting casting = Casting::Unsafe, const char* op = "setitem");
void assign(const Array& dst, const Scalar& value, const char* op = "setitem");

}  // namespace minpy

namespace minpy {

// ---- views (ops/views.cpp): each returns a view whenever NumPy does ----
Array reshape(const Array& a, Shape newshape, char order = 'C');  // one -1 allowed
Array ravel(const Array& a, char order = 'C');
Array transpose(const Array& a, const std::vector<int64_t>& axes = {});  // empty: reverse
Array swapaxes(const Array& a, int64_t axis1, int64_t axis2);
Array moveaxis(const Array& a, const std::vector<int64_t>& source, const std::vector<int64_t>& destination);
Array expand_dims(const Array& a, const std::vector<int64_t>& axes);
Array squeeze(const Array& a, const std::vector<int64_t>& axes = {}, bool all = true);
Array diagonal(const Array& a, int64_t offset = 0, int64_t axis1 = 0, int64_t axis2 = 1);
Array real_part(const Array& a);  // a view for complex, a itself otherwise
Array imag_part(const Array& a);  // a view for complex, read-only zeros otherwise
// NumPy's normalize_axis_tuple: each axis in range, no repeats.
std::vector<int> normalize_axes(const std::vector<int64_t>& axes, int ndim, const char* op);

// ---- indexing (ops/indexing.cpp) ----
struct IndexItem {
  enum class Kind : uint8_t { Int, Slice, Ellipsis, NewAxis, Array } kind = Kind::Int;
  int64_t index = 0;  // Int
  int64_t start = 0, stop = 0, step = 1;
  bool has_start = false, has_stop = false;  // Slice: a missing bound is None
  Array array;  // Array: integer or boolean index array
};
// True when every item is an int, slice, ellipsis or newaxis (the result is a view).
bool is_basic_index(const std::vector<IndexItem>& index);
Array basic_index(const Array& a, const std::vector<IndexItem>& index);

}  // namespace minpy
