// Reductions with NumPy's semantics: sum, prod, mean, var, std, max, min, argmax, argmin, all, any,
// cumsum, cumprod, count_nonzero, the nan* variants, and ufunc.reduce / ufunc.accumulate.
// Full reductions return 0-d arrays (where NumPy returns scalars).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "minpy/array.h"

namespace minpy {

// NumPy's axis argument: None (every axis) or a list of axes (may be empty: nothing reduced).
struct Axes {
  bool all = true;
  std::vector<int64_t> list;
  static Axes none() { return {}; }
  static Axes of(std::vector<int64_t> axes) { return {false, std::move(axes)}; }
};

struct ReduceOptions {
  Axes axis;
  bool keepdims = false;
  std::optional<DType> dtype;  // the accumulation and result dtype
  Array out;                   // undefined: a new array; otherwise written (unsafe cast) and returned
};

// ufunc.reduce for the native ufuncs that have a reduction kernel (see has_native_reduce);
// NotImplementedError for the others.
bool has_native_reduce(std::string_view ufunc);
Array reduce(std::string_view ufunc, const Array& a, const ReduceOptions& opt = {});
// ufunc.accumulate along one axis for a native binary ufunc with a same-type loop for the
// accumulation dtype; NotImplementedError otherwise.
Array accumulate(std::string_view ufunc, const Array& a, int64_t axis = 0, std::optional<DType> dtype = {},
                 const Array& out = {});
bool has_native_accumulate(std::string_view ufunc);

Array sum(const Array& a, const ReduceOptions& opt = {});
Array prod(const Array& a, const ReduceOptions& opt = {});
Array max(const Array& a, const ReduceOptions& opt = {});  // ValueError when empty
Array min(const Array& a, const ReduceOptions& opt = {});
Array all(const Array& a, const ReduceOptions& opt = {});
Array any(const Array& a, const ReduceOptions& opt = {});
Array mean(const Array& a, const ReduceOptions& opt = {});
Array var(const Array& a, const ReduceOptions& opt = {}, double ddof = 0);
Array stddev(const Array& a, const ReduceOptions& opt = {}, double ddof = 0);  // np.std
Array nansum(const Array& a, const ReduceOptions& opt = {});
Array nanmean(const Array& a, const ReduceOptions& opt = {});
Array nanmax(const Array& a, const ReduceOptions& opt = {});
Array nanmin(const Array& a, const ReduceOptions& opt = {});
Array count_nonzero(const Array& a, const Axes& axis = {}, bool keepdims = false);
// axis nullopt: over the flattened array.
Array argmax(const Array& a, std::optional<int64_t> axis = {}, bool keepdims = false, const Array& out = {});
Array argmin(const Array& a, std::optional<int64_t> axis = {}, bool keepdims = false, const Array& out = {});
Array cumsum(const Array& a, std::optional<int64_t> axis = {}, std::optional<DType> dtype = {}, const Array& out = {});
Array cumprod(const Array& a, std::optional<int64_t> axis = {}, std::optional<DType> dtype = {}, const Array& out = {});

// The dtype sum/prod/cumsum/cumprod use by default: small integers and bool widen to int64
// (unsigned to uint64), as NumPy's add/multiply reductions do.
DType sum_dtype(DType in);

}  // namespace minpy
