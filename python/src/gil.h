// Releasing the GIL around engine work on large arrays, so other Python threads run meanwhile.
#pragma once
#include <nanobind/nanobind.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace minpy::py {

// From this many elements a call releases the GIL: below it the release and re-acquire (and the
// thread hand-off they may cause) cost more than the work they would let overlap.
constexpr int64_t kReleaseGilElements = int64_t(1) << 16;

// Releases the GIL for its lifetime when `elements` is large. Only wrap engine calls whose inputs
// were converted beforehand: nothing inside may touch a Python object. (Engine state that holds
// Python objects, the Python custom-op VJP, takes the GIL itself when it runs or is destroyed.)
class ReleaseGilIfLarge {
 public:
  explicit ReleaseGilIfLarge(int64_t elements) {
    if (elements >= kReleaseGilElements) release_.emplace();
  }

 private:
  std::optional<nanobind::gil_scoped_release> release_;
};

// f() with the GIL released when `elements` is large (f's result is made before the GIL returns).
template <class F>
auto nogil_if_large(int64_t elements, F&& f) {
  ReleaseGilIfLarge nogil(elements);
  return f();
}

// The product of a shape, saturating (the engine reports bad shapes; this only sizes the work).
inline int64_t shape_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d <= 0) return 0;
    if (n > (int64_t(1) << 62) / d) return int64_t(1) << 62;
    n *= d;
  }
  return n;
}

// The larger of the element counts of the defined arrays among `arrays`.
inline int64_t max_elements(std::initializer_list<const Array*> arrays) {
  int64_t n = 0;
  for (const Array* a : arrays)
    if (a && a->defined() && a->size() > n) n = a->size();
  return n;
}

// The element count of the broadcast of the array operands (and outs): what a ufunc call loops over.
// Shape mismatches are left to the engine (this only sizes the work); saturates instead of overflowing.
// Allocation-free: it runs on every ufunc call, small ones included.
inline int64_t ufunc_elements(const std::vector<Operand>& ins, const std::vector<Array>& outs = {}) {
  int64_t largest = 0;
  const Array* arrays[8];
  int n = 0;
  bool more = false;  // more array operands than fit in `arrays`: the largest size is used
  auto add = [&](const Array& a) {
    if (!a.defined()) return;
    largest = std::max(largest, a.size());
    if (n < 8) arrays[n++] = &a;
    else more = true;
  };
  for (const Operand& o : ins)
    if (auto* a = std::get_if<Array>(&o)) add(*a);
  for (const Array& a : outs) add(a);
  if (largest >= kReleaseGilElements || n < 2 || more) return largest;
  // Broadcasting can make the result larger than every operand ((N, 1) + (1, N)).
  int nd = 0;
  for (int i = 0; i < n; ++i) nd = std::max(nd, arrays[i]->ndim());
  int64_t total = 1;
  for (int k = 1; k <= nd; ++k) {  // k-th dimension from the end
    int64_t d = 1;
    for (int i = 0; i < n; ++i) {
      int ai = arrays[i]->ndim() - k;
      if (ai >= 0 && arrays[i]->shape(ai) != 1) d = arrays[i]->shape(ai);
    }
    if (d <= 0) return 0;
    if (total > (int64_t(1) << 62) / d) return int64_t(1) << 62;
    total *= d;
  }
  return total;
}

}  // namespace minpy::py
