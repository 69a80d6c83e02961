// Indexing and selection ops with NumPy's semantics: advanced (integer/boolean array) indexing,
// ufunc.at, take/put, nonzero, where, compress. IndexItem and basic_index live in ops.h.
#pragma once
#include <optional>
#include <vector>

#include "minpy/ops.h"

namespace minpy {

// a[index]: a view when every item is basic (basic_index), otherwise a new array. A basic index
// without an ellipsis that selects one element (where NumPy returns a scalar) gives a 0-d copy,
// not a view. Integer items
// mixed with arrays take part in the advanced index (NumPy's rule for where the broadcast index
// dimensions land: in place when the advanced items are adjacent, first otherwise).
Array getitem(const Array& a, const std::vector<IndexItem>& index);
// a[index] = value: value is cast (unsafe) and broadcast to the indexed shape; with repeated
// indices the last write wins.
void setitem(const Array& a, const std::vector<IndexItem>& index, const Array& value);
void setitem(const Array& a, const std::vector<IndexItem>& index, const Scalar& value);
// ufunc.at(a, index, b): unbuffered in-place op, so repeated indices accumulate. b is converted
// as NumPy converts it (a strong array); results are cast back to a's dtype unsafely.
void ufunc_at(const Ufunc& uf, const Array& a, const std::vector<IndexItem>& index, const Array* b);

enum class ClipMode : uint8_t { Raise, Wrap, Clip };
ClipMode clip_mode_from_name(const std::string& name, const char* op);
// np.take; axis nullopt takes from the flattened array.
Array take(const Array& a, const Array& indices, std::optional<int64_t> axis, ClipMode mode = ClipMode::Raise);
Array take_along_axis(const Array& a, const Array& indices, std::optional<int64_t> axis);
// np.put: a.flat[ind] = v with v repeated cyclically.
void put(const Array& a, const Array& indices, const Array& values, ClipMode mode = ClipMode::Raise);
std::vector<Array> nonzero(const Array& a);  // one int64 array per dimension
Array argwhere(const Array& a);              // (N, ndim) int64
Array flatnonzero(const Array& a);
// np.where(cond, x, y): broadcast, NumPy's result_type (weak Python scalars).
Array where(const Array& cond, const Operand& x, const Operand& y);
Array compress(const Array& condition, const Array& a, std::optional<int64_t> axis);
Array extract(const Array& condition, const Array& a);
void place(const Array& a, const Array& mask, const Array& vals);
void putmask(const Array& a, const Array& mask, const Array& values);

}  // namespace minpy
