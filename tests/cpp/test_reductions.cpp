// C++ tests of the reduction API: NumPy's values, dtypes, shapes and errors without Python.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"

using namespace minpy;

namespace {
Array iota(const Shape& shape, DType t = DType::Float64) {
  Array a = Array::empty(shape, DType::Float64);
  for (int64_t i = 0; i < a.size(); ++i) a.data_as<double>()[i] = static_cast<double>(i);
  return astype(a, t);
}
double d0(const Array& a) { return astype(a, DType::Float64).data_as<double>()[0]; }
ReduceOptions axes(std::vector<int64_t> ax, bool keepdims = false) {
  ReduceOptions o;
  o.axis = Axes::of(std::move(ax));
  o.keepdims = keepdims;
  return o;
}
}  // namespace

TEST(Reductions, SumShapesAndDtypes) {
  Array a = iota({3, 4});
  Array s = sum(a);
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(d0(s), 66.0);
  Array s0 = sum(a, axes({0}));
  ASSERT_EQ(s0.shape(), (Shape{4}));
  EXPECT_EQ(s0.data_as<double>()[3], 3.0 + 7.0 + 11.0);
  Array s1 = sum(a, axes({-1}, true));
  ASSERT_EQ(s1.shape(), (Shape{3, 1}));
  EXPECT_EQ(s1.data_as<double>()[2], 8.0 + 9 + 10 + 11);
  EXPECT_EQ(sum(iota({5}, DType::Int8)).dtype(), DType::Int64);
  EXPECT_EQ(sum(iota({5}, DType::UInt16)).dtype(), DType::UInt64);
  EXPECT_EQ(sum(iota({5}, DType::Bool)).dtype(), DType::Int64);
  EXPECT_EQ(mean(iota({5}, DType::Int32)).dtype(), DType::Float64);
  EXPECT_EQ(mean(iota({5}, DType::Float16)).dtype(), DType::Float16);
  EXPECT_EQ(var(iota({5}, DType::Complex64)).dtype(), DType::Float32);
}

TEST(Reductions, PairwiseOrderAndStridedRows) {
  // 0.1 summed 1000 times: the pairwise result differs from the naive loop; NumPy gives this value.
  Array a = Array::empty({1000}, DType::Float64);
  for (int i = 0; i < 1000; ++i) a.data_as<double>()[i] = 0.1;
  EXPECT_EQ(d0(sum(a)), 100.00000000000001);  // np.full(1000, 0.1).sum(); a naive loop gives 99.9999999999986
  // Outer-axis reduction of a transposed view equals the inner-axis one.
  Array b = iota({50, 70});
  Array bt = transpose(b);
  Array r1 = sum(b, axes({0})), r2 = sum(bt, axes({1}));
  for (int j = 0; j < 70; ++j) EXPECT_EQ(r1.data_as<double>()[j], r2.data_as<double>()[j]);
}

TEST(Reductions, MaxMinArgNaN) {
  Array a = iota({6});
  a.data_as<double>()[2] = std::nan("");
  a.data_as<double>()[4] = std::nan("");
  EXPECT_TRUE(std::isnan(d0(max(a))));
  EXPECT_EQ(d0(nanmax(a)), 5.0);
  EXPECT_EQ(d0(nanmin(a)), 0.0);
  EXPECT_EQ(argmax(a).data_as<int64_t>()[0], 2);
  EXPECT_EQ(argmin(a).data_as<int64_t>()[0], 2);
  EXPECT_NEAR(d0(nanmean(a)), (0 + 1 + 3 + 5) / 4.0, 1e-15);
  EXPECT_EQ(d0(nansum(a)), 9.0);
  Array b = iota({4, 3});
  Array am = argmax(b, 0);
  ASSERT_EQ(am.shape(), (Shape{3}));
  EXPECT_EQ(am.data_as<int64_t>()[1], 3);
}

TEST(Reductions, LogicalAndCount) {
  Array a = iota({2, 3}, DType::Int32);  // 0..5
  EXPECT_FALSE(all(a).data_as<bool>()[0]);
  EXPECT_TRUE(any(a).data_as<bool>()[0]);
  Array c = count_nonzero(a, Axes::of({0}));
  EXPECT_EQ(c.dtype(), DType::Int64);
  EXPECT_EQ(c.data_as<int64_t>()[0], 1);
  EXPECT_EQ(c.data_as<int64_t>()[1], 2);
}

TEST(Reductions, CumulativeAndVar) {
  Array a = iota({2, 3}, DType::Int16);
  Array cs = cumsum(a, 1);
  EXPECT_EQ(cs.dtype(), DType::Int64);
  EXPECT_EQ(cs.data_as<int64_t>()[5], 3 + 4 + 5);
  Array cp = cumprod(iota({4}, DType::Float64) + Scalar::from_int(1));
  EXPECT_EQ(cp.data_as<double>()[3], 24.0);
  Array v = var(iota({4}), {}, 1);
  EXPECT_NEAR(d0(v), 5.0 / 3.0, 1e-15);
  EXPECT_NEAR(d0(stddev(iota({4}))), std::sqrt(1.25), 1e-15);
}

TEST(Reductions, Errors) {
  Array a = iota({2, 3});
  EXPECT_THROW(sum(a, axes({2})), AxisError);
  EXPECT_THROW(sum(a, axes({0, 0})), ValueError);
  Array e = Array::empty({0, 3}, DType::Float64);
  EXPECT_THROW(max(e), ValueError);
  EXPECT_THROW(argmax(e), ValueError);
  EXPECT_EQ(max(e, axes({1})).size(), 0);
  EXPECT_EQ(d0(sum(e)), 0.0);
  ReduceOptions o;
  o.out = Array::empty({2}, DType::Float64);
  o.axis = Axes::of({0});
  EXPECT_THROW(sum(a, o), ValueError);
  EXPECT_THROW(reduce("bitwise_and", a), TypeError);
  EXPECT_THROW(reduce("subtract", a), NotImplementedError);
}

TEST(Reductions, LargeParallelMatchesSequentialForIntegers) {
  int64_t n = 3'000'000;
  Array a = Array::empty({n}, DType::Int64);
  int64_t want = 0;
  for (int64_t i = 0; i < n; ++i) {
    a.data_as<int64_t>()[i] = (i * 7919) % 1001 - 500;
    want += a.data_as<int64_t>()[i];
  }
  EXPECT_EQ(sum(a).data_as<int64_t>()[0], want);
  EXPECT_EQ(max(a).data_as<int64_t>()[0], 500);
  EXPECT_EQ(argmin(a).data_as<int64_t>()[0], std::find(a.data_as<int64_t>(), a.data_as<int64_t>() + n, -500) - a.data_as<int64_t>());
}
