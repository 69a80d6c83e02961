// Numerical ranges with NumPy's exact arithmetic: arange, linspace, eye.
#pragma once
#include <optional>

#include "minpy/array.h"
#include "minpy/ufunc.h"

namespace minpy {

// np.arange(start, stop, step, dtype): length ceil((stop - start) / step) as Python computes it;
// element 0 is start, element 1 is start + step, the rest start + i * (e1 - e0) in the dtype.
// Scalars must be Bool/Int/Float; without dtype the result is int64 for integers, else float64.
Array arange(const Scalar& start, const Scalar& stop, const Scalar& step, std::optional<DType> dtype = std::nullopt);

// np.linspace core: start and stop already in the (inexact) working dtype and broadcastable.
// Returns y of shape (num,) + broadcast shape with y[i] = i * step + start (NumPy's formula and
// rounding), the last row set to stop when endpoint; and step (shape of the broadcast, NaN if undefined).
struct LinspaceResult {
  Array y;
  Array step;
  bool step_defined = true;
};
LinspaceResult linspace(const Array& start, const Array& stop, int64_t num, bool endpoint);

// np.eye(N, M, k, dtype): ones on the k-th diagonal.
Array eye(int64_t n, std::optional<int64_t> m = std::nullopt, int64_t k = 0, DType dtype = DType::Float64);

}  // namespace minpy
