// C++ tests of the linalg and range API: products against naive loops, NumPy's dtype and error rules.
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/errors.h"
#include "minpy/linalg.h"
#include "minpy/ops.h"
#include "minpy/ranges.h"

using namespace minpy;

namespace {

template <class T>
Array filled(const Shape& shape, int seed) {
  Array a = Array::empty(shape, dtype_of<T>::value);
  T* p = a.data_as<T>();
  for (int64_t i = 0; i < a.size(); ++i) p[i] = static_cast<T>(static_cast<int>((i * 7 + seed * 3) % 9) - 4);
  return a;
}

// Element (i, j) of a 2-d array of T, through its strides.
template <class T>
T at(const Array& a, int64_t i, int64_t j) {
  return *reinterpret_cast<const T*>(a.data() + i * a.strides()[0] + j * a.strides()[1]);
}

template <class T>
void expect_naive_product(const Array& a, const Array& b, const Array& c) {
  ASSERT_EQ(c.shape(), Shape({a.shape(0), b.shape(1)}));
  for (int64_t i = 0; i < a.shape(0); ++i)
    for (int64_t j = 0; j < b.shape(1); ++j) {
      T s = 0;
      for (int64_t k = 0; k < a.shape(1); ++k) s += at<T>(a, i, k) * at<T>(b, k, j);
      EXPECT_EQ(at<T>(c, i, j), s) << i << "," << j;
    }
}

}  // namespace

TEST(Matmul, BlasAndLoopsMatchNaiveProduct) {
  Array a = filled<double>({5, 7}, 1), b = filled<double>({7, 3}, 2);
  expect_naive_product<double>(a, b, matmul(a, b));
  Array ai = filled<int64_t>({5, 7}, 1), bi = filled<int64_t>({7, 3}, 2);
  expect_naive_product<int64_t>(ai, bi, matmul(ai, bi));
  // transposed and strided operands
  Array at_ = transpose(filled<float>({7, 5}, 3)), bt = transpose(filled<float>({3, 7}, 4));
  expect_naive_product<float>(at_, bt, matmul(at_, bt));
  Array as = basic_index(filled<int32_t>({5, 14}, 5), {IndexItem{IndexItem::Kind::Slice, 0, 0, 0, 1, false, false, {}},
                                                       IndexItem{IndexItem::Kind::Slice, 0, 0, 0, 2, false, false, {}}});
  Array bs = filled<int32_t>({7, 4}, 6);
  expect_naive_product<int32_t>(as, bs, matmul(as, bs));
}

TEST(Matmul, DtypesFollowNumPy) {
  EXPECT_EQ(matmul(filled<int8_t>({2, 3}, 0), filled<uint8_t>({3, 2}, 1)).dtype(), DType::Int16);
  EXPECT_EQ(matmul(filled<int64_t>({2, 3}, 0), filled<float>({3, 2}, 1)).dtype(), DType::Float64);
  EXPECT_EQ(matmul(filled<bool>({2, 3}, 0), filled<bool>({3, 2}, 1)).dtype(), DType::Bool);
  // int8 products wrap like NumPy's: 100 * 100 * 2 = 20000 = 32 (mod 256)
  Array a = Array::empty({1, 2}, DType::Int8), b = Array::empty({2, 1}, DType::Int8);
  a.data_as<int8_t>()[0] = a.data_as<int8_t>()[1] = 100;
  b.data_as<int8_t>()[0] = b.data_as<int8_t>()[1] = 100;
  EXPECT_EQ(matmul(a, b).data_as<int8_t>()[0], static_cast<int8_t>(20000 % 256));
}

TEST(Matmul, OneDimensionalAndBatchedShapes) {
  Array v = filled<double>({4}, 0), m = filled<double>({3, 4, 2}, 1);
  EXPECT_EQ(matmul(v, v).shape(), Shape({}));
  EXPECT_EQ(matmul(v, m).shape(), Shape({3, 2}));
  EXPECT_EQ(matmul(filled<double>({2, 1, 5, 4}, 2), m).shape(), Shape({2, 3, 5, 2}));
  EXPECT_EQ(matmul(filled<double>({0, 4}, 2), filled<double>({4, 0}, 2)).shape(), Shape({0, 0}));
  Array z = matmul(filled<int16_t>({2, 0}, 0), filled<int16_t>({0, 3}, 0));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(z.data_as<int16_t>()[i], 0);
}

TEST(Matmul, ErrorsAreNumPys) {
  Array a = filled<double>({2, 3}, 0);
  EXPECT_THROW(matmul(a, a), ValueError);
  EXPECT_THROW(matmul(a, Array::empty({}, DType::Float64)), ValueError);
  EXPECT_THROW(matmul(filled<double>({2, 3, 4}, 0), filled<double>({3, 4, 5}, 0)), ValueError);
  EXPECT_THROW(matmul(a, transpose(a), Array::empty({2, 2}, DType::Int64)), TypeError);
  EXPECT_THROW(matmul_inplace(filled<double>({3}, 0), filled<double>({3}, 0)), ValueError);
  EXPECT_THROW(dot(a, a), ValueError);
  EXPECT_THROW(tensordot(a, a, {1}, {1, 0}), ValueError);
}

TEST(Matmul, OutAliasingInputIsSafe) {
  Array a = filled<int64_t>({3, 3}, 1);
  Array expect = matmul(a, a);
  matmul(a, a, a);
  for (int64_t i = 0; i < 9; ++i) EXPECT_EQ(a.data_as<int64_t>()[i], expect.data_as<int64_t>()[i]);
}

TEST(Linalg, DotTensordotTrace) {
  Array a = filled<double>({2, 3, 4}, 0), b = filled<double>({5, 4, 6}, 1);
  EXPECT_EQ(dot(a, b).shape(), Shape({2, 3, 5, 6}));
  EXPECT_EQ(tensordot(a, b, {2}, {1}).shape(), Shape({2, 3, 5, 6}));
  Array sq = filled<int8_t>({3, 3}, 2);
  Array t = trace(sq);
  EXPECT_EQ(t.dtype(), DType::Int64);
  int64_t s = 0;
  for (int i = 0; i < 3; ++i) s += sq.data_as<int8_t>()[i * 4];
  EXPECT_EQ(t.data_as<int64_t>()[0], s);
}

TEST(Ranges, ArangeUsesNumPysFill) {
  Array a = arange(Scalar::from_float(0), Scalar::from_float(1), Scalar::from_float(0.1));
  ASSERT_EQ(a.shape(), Shape({10}));
  const double delta = (0.0 + 0.1) - 0.0;
  for (int i = 2; i < 10; ++i) EXPECT_EQ(a.data_as<double>()[i], 0.0 + i * delta);
  Array b = arange(Scalar::from_float(-3.7), Scalar::from_int(5), Scalar::from_float(1.3), DType::Int8);
  ASSERT_EQ(b.size(), 7);
  EXPECT_EQ(b.data_as<int8_t>()[0], -3);
  EXPECT_EQ(b.data_as<int8_t>()[6], 3);
  EXPECT_EQ(arange(Scalar::from_int(0), Scalar::from_int(10), Scalar::from_int(3)).dtype(), DType::Int64);
  EXPECT_THROW(arange(Scalar::from_int(0), Scalar::from_int(1), Scalar::from_int(0)), ZeroDivisionError);
  EXPECT_THROW(arange(Scalar::from_int(0), Scalar::from_int(3), Scalar::from_int(1), DType::Bool), TypeError);
}

TEST(Ranges, LinspaceEndsOnStopAndEye) {
  Array s = Scalar::from_float(0).to_array(DType::Float64, "t"), e = Scalar::from_float(1).to_array(DType::Float64, "t");
  LinspaceResult r = linspace(s, e, 7, true);
  EXPECT_EQ(r.y.data_as<double>()[6], 1.0);
  EXPECT_EQ(r.step.data_as<double>()[0], 1.0 / 6);
  EXPECT_THROW(linspace(s, e, -1, true), ValueError);
  Array i = eye(3, 4, 1, DType::Int32);
  for (int64_t r_ = 0; r_ < 3; ++r_)
    for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(i.data_as<int32_t>()[r_ * 4 + c], c == r_ + 1 ? 1 : 0);
  EXPECT_THROW(eye(-1), ValueError);
}
