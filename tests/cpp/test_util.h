// Small float64 array builders shared by the C++ tests.
#pragma once
#include <vector>

#include "minpy/ops.h"

namespace minpy::test {

// A 1-d float64 array of v, reshaped to `shape` when given.
inline Array vec(const std::vector<double>& v, const Shape& shape = {}) {
  Array a = Array::empty({static_cast<int64_t>(v.size())}, DType::Float64);
  for (size_t i = 0; i < v.size(); ++i) a.data_as<double>()[i] = v[i];
  return shape.empty() ? a : reshape(a, shape);
}
inline Array scalar(double v) {
  Array a = Array::empty({}, DType::Float64);
  *a.data_as<double>() = v;
  return a;
}
// Element i (in C order) of a float64 array.
inline double at(const Array& a, int64_t i = 0) { return ascontiguousarray(a).data_as<double>()[i]; }

}  // namespace minpy::test
