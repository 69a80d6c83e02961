// Python index objects -> engine IndexItems, shared by __getitem__/__setitem__ and ufunc.at.
#pragma once
#include <vector>

#include "convert.h"
#include "minpy/ops.h"

namespace minpy::py {

// Parses a NumPy index (ints, slices, Ellipsis, None, bools, integer/boolean arrays, lists);
// IndexError for anything NumPy rejects.
void parse_index(nb::handle key, std::vector<IndexItem>& items);
// The value of `a[...] = value` as an array; sequences are converted with the target dtype as
// NumPy does (so out-of-range Python ints raise OverflowError).
Array setitem_value(nb::handle value, DType target);

}  // namespace minpy::py
