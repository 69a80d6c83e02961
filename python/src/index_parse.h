// Python index objects -> engine IndexItems, shared by __getitem__/__setitem__ and ufunc.at.
#pragma once
#include <vector>

#include "convert.h"
#include "minpy/ops.h"

namespace minpy::py {

// Parses a NumPy index (ints, slices, Ellipsis, None, bools, integer/boolean arrays, lists);
// IndexError for anything NumPy rejects.
// ndim (when known) orders NumPy's errors: too many indices before a zero slice step.
void parse_index(nb::handle key, std::vector<IndexItem>& items, int ndim = -1);
// The value of `a[...] = value` as an array; sequences are converted with the target dtype as
// NumPy does (so out-of-range Python ints raise OverflowError).
Array setitem_value(nb::handle value, DType target);
// NumPy's rules for storing one Python/NumPy scalar into an element of `target` (setitem, fill,
// put): a Python complex into a real dtype is a TypeError; a float (Python's, or a NumPy float
// scalar into a signed dtype, except under advanced indexing where NumPy casts it) into an integer
// dtype goes through int(): NaN is a ValueError, infinities and values outside the dtype's range
// are OverflowError. Everything else casts.
void check_scalar_assign(nb::handle value, DType target, const char* op, bool advanced = false);

}  // namespace minpy::py
