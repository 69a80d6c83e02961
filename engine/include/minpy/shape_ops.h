// Shape, joining and selection ops with NumPy's semantics: concatenate/stack, split, tile, repeat,
// flip, roll, pad (constant), sort/argsort/searchsorted, tril/triu.
#pragma once
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace minpy {

// dtype=, casting= and out= of np.concatenate / np.stack. dtype and out are exclusive.
struct JoinOptions {
  std::optional<DType> dtype;
  Casting casting = Casting::SameKind;
  Array out;  // undefined: allocate
};

// axis = nullopt flattens every input first (NumPy's axis=None).
Array concatenate(const std::vector<Array>& arrays, std::optional<int64_t> axis = 0, const JoinOptions& opt = {});
Array stack(const std::vector<Array>& arrays, int64_t axis = 0, const JoinOptions& opt = {});

// Views of `a` split along `axis` (IndexError for a bad axis, as NumPy's shape[axis] lookup).
std::vector<Array> array_split(const Array& a, int64_t sections, int64_t axis = 0);
std::vector<Array> array_split_at(const Array& a, const std::vector<int64_t>& indices, int64_t axis = 0);
std::vector<Array> split(const Array& a, int64_t sections, int64_t axis = 0);  // equal parts only

Array tile(const Array& a, const std::vector<int64_t>& reps);
// repeats has 1 entry (broadcast) or one per element along axis; axis = nullopt repeats the flattened array.
Array repeat(const Array& a, const std::vector<int64_t>& repeats, std::optional<int64_t> axis);
// A view with negative strides; axes = nullopt flips every axis.
Array flip(const Array& a, const std::optional<std::vector<int64_t>>& axes);
// shifts and axes have equal length (or axes = nullopt with one shift: roll the flattened array).
Array roll(const Array& a, const std::vector<int64_t>& shifts, const std::optional<std::vector<int64_t>>& axes);
// np.pad(mode='constant'): widths[i] = (before, after) per axis; values[i] = 0-d arrays (before, after),
// cast unsafely to a's dtype. Corners take the value of the last padded axis, as NumPy.
Array pad_constant(const Array& a, const std::vector<std::pair<int64_t, int64_t>>& widths,
                   const std::vector<std::array<Array, 2>>& values);

// Sorting. NaNs sort last; complex sorts lexicographically (NaN parts last), as NumPy.
enum class SortKind : uint8_t { Quick, Heap, Stable };
void sort_inplace(const Array& a, int64_t axis = -1, SortKind kind = SortKind::Quick);
Array sort(const Array& a, std::optional<int64_t> axis = -1, SortKind kind = SortKind::Quick);
// Always stable (a valid result for every kind); int64 indices.
Array argsort(const Array& a, std::optional<int64_t> axis = -1, SortKind kind = SortKind::Quick);
// Indices (int64, v's shape) where v would be inserted into the sorted 1-d `a`; sorter may be undefined.
Array searchsorted(const Array& a, const Array& v, bool right = false, const Array& sorter = Array());

// Lower / upper triangle of the last two axes (a 1-d input is first broadcast to (n, n)).
Array tril(const Array& a, int64_t k = 0);
Array triu(const Array& a, int64_t k = 0);

}  // namespace minpy
