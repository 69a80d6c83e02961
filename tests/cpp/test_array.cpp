// C++ tests of the engine API: the same semantics as the Python package, without Python.
#include <gtest/gtest.h>

#include "minpy/errors.h"
#include "minpy/ops.h"

using namespace minpy;

namespace {
Array arange_f64(int64_t n) {
  Array a = Array::empty({n}, DType::Float64);
  for (int64_t i = 0; i < n; ++i) a.data_as<double>()[i] = static_cast<double>(i);
  return a;
}
}  // namespace

TEST(DType, PromotionFollowsNumPy) {
  EXPECT_EQ(promote_types(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(promote_types(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(promote_types(DType::Int16, DType::Float16), DType::Float32);
  EXPECT_EQ(promote_types(DType::Float32, DType::Complex64), DType::Complex64);
  EXPECT_EQ(promote_types(DType::Float64, DType::Complex64), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Bool, DType::UInt16), DType::UInt16);
  EXPECT_TRUE(can_cast(DType::Int32, DType::Float64, Casting::Safe));
  EXPECT_FALSE(can_cast(DType::Float64, DType::Int64, Casting::SameKind));
  EXPECT_TRUE(can_cast(DType::UInt64, DType::Int8, Casting::SameKind));
}

TEST(Array, ViewsAliasStorage) {
  Array a = arange_f64(6);
  Array v = basic_index(a, {IndexItem{IndexItem::Kind::Slice, 0, 1, 0, 2, true, false, {}}});
  ASSERT_EQ(v.shape(), Shape({3}));
  v.data_as<double>()[0] = 42;  // v[0] is a[1]
  EXPECT_EQ(a.data_as<double>()[1], 42);
  EXPECT_EQ(v.base().impl(), a.impl());
}

TEST(Array, ReshapeIsAViewWhenContiguous) {
  Array a = arange_f64(12);
  Array r = reshape(a, {3, -1});
  EXPECT_EQ(r.shape(), Shape({3, 4}));
  EXPECT_EQ(r.storage(), a.storage());
  Array t = transpose(r);
  EXPECT_TRUE(t.f_contiguous());
  Array flat = reshape(t, {12});  // needs a copy
  EXPECT_NE(flat.storage(), a.storage());
  EXPECT_EQ(flat.data_as<double>()[1], 4.0);
}

TEST(Ufunc, AddBroadcastsAndPromotesWeakScalars) {
  Array a = reshape(arange_f64(6), {2, 3});
  Array b = arange_f64(3);
  Array c = a + b;
  EXPECT_EQ(c.shape(), Shape({2, 3}));
  EXPECT_EQ(c.data_as<double>()[5], 5.0 + 2.0);
  Array i8 = astype(a, DType::Int8);
  EXPECT_EQ(ufunc2("add", i8, Scalar::from_int(3)).dtype(), DType::Int8);
  EXPECT_EQ(ufunc2("add", i8, Scalar::from_float(2.5)).dtype(), DType::Float64);
  EXPECT_THROW(ufunc2("add", astype(a, DType::UInt8), Scalar::from_int(300)), OverflowError);
  EXPECT_EQ(ufunc2("true_divide", i8, i8).dtype(), DType::Float64);
  EXPECT_EQ(ufunc1("sqrt", i8).dtype(), DType::Float16);
}

TEST(Ufunc, ErrorsCarryTheOpName) {
  Array a = arange_f64(3), b = arange_f64(4);
  try {
    (void)(a + b);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[add] operands could not be broadcast", 0), 0u);
  }
  EXPECT_THROW(normalize_axis(3, 2, "sum"), AxisError);
}
