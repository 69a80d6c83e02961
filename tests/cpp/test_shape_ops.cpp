// C++ tests of the shape/joining/sorting family: the same semantics as NumPy, without Python.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/shape_ops.h"

using namespace minpy;

namespace {
template <class T>
Array from(const std::vector<T>& v, const Shape& shape) {
  Array a = Array::empty(shape, dtype_of<T>::value);
  for (size_t i = 0; i < v.size(); ++i) a.data_as<T>()[i] = v[i];
  return a;
}
Array iota(const Shape& shape) {
  Array a = Array::empty(shape, DType::Float64);
  for (int64_t i = 0; i < a.size(); ++i) a.data_as<double>()[i] = static_cast<double>(i);
  return a;
}
// Elements in C order, whatever the layout.
template <class T>
std::vector<T> values(const Array& a) {
  Array c = copy(a, 'C');
  return std::vector<T>(c.data_as<T>(), c.data_as<T>() + c.size());
}
}  // namespace

TEST(Concatenate, AxesPromotionAndFlatten) {
  Array a = iota({2, 2});
  Array b = from<int32_t>({7, 8}, {2, 1});
  Array r = concatenate({a, b}, 1);
  EXPECT_EQ(r.shape(), Shape({2, 3}));
  EXPECT_EQ(r.dtype(), DType::Float64);
  EXPECT_EQ(values<double>(r), (std::vector<double>{0, 1, 7, 2, 3, 8}));
  Array f = concatenate({a, b}, std::nullopt);
  EXPECT_EQ(values<double>(f), (std::vector<double>{0, 1, 2, 3, 7, 8}));
  JoinOptions opt;
  opt.dtype = DType::Int8;
  EXPECT_THROW(concatenate({a, a}, 0, opt), TypeError);  // float64 -> int8 is not same_kind
  opt.casting = Casting::Unsafe;
  EXPECT_EQ(concatenate({a, a}, 0, opt).dtype(), DType::Int8);
}

TEST(Concatenate, ErrorsCarryNumPysMessages) {
  try {
    concatenate({iota({2, 2}), iota({2, 3})}, 0);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("along dimension 1, the array at index 0 has size 2 and the array at "
                                         "index 1 has size 3"),
              std::string::npos);
  }
  EXPECT_THROW(concatenate({iota({2}), iota({2})}, 1), AxisError);
  EXPECT_THROW(concatenate({}, 0), ValueError);
  EXPECT_THROW(concatenate({iota({})}, 0), ValueError);
  JoinOptions opt;
  opt.out = iota({3});
  EXPECT_THROW(concatenate({iota({2}), iota({2})}, 0, opt), ValueError);
}

TEST(Stack, NewAxis) {
  Array r = stack({iota({3}), iota({3})}, -1);
  EXPECT_EQ(r.shape(), Shape({3, 2}));
  EXPECT_EQ(values<double>(r), (std::vector<double>{0, 0, 1, 1, 2, 2}));
  EXPECT_THROW(stack({iota({3}), iota({2})}, 0), ValueError);
}

TEST(Split, PiecesAreViews) {
  Array a = iota({6});
  auto parts = split(a, 3, 0);
  ASSERT_EQ(parts.size(), 3u);
  parts[1].data_as<double>()[0] = 42;
  EXPECT_EQ(a.data_as<double>()[2], 42);
  EXPECT_THROW(split(a, 4, 0), ValueError);
  EXPECT_THROW(split(a, 2, 1), IndexError);
  auto uneven = array_split(iota({5}), 3, 0);
  EXPECT_EQ(uneven[0].shape(0), 2);
  EXPECT_EQ(uneven[2].shape(0), 1);
  auto at = array_split_at(iota({5}), {-2, 10}, 0);
  EXPECT_EQ(at[0].shape(0), 3);
  EXPECT_EQ(at[1].shape(0), 2);
  EXPECT_EQ(at[2].shape(0), 0);
}

TEST(TileRepeat, Values) {
  Array a = from<int16_t>({1, 2}, {2});
  EXPECT_EQ(values<int16_t>(tile(a, {2, 2})), (std::vector<int16_t>{1, 2, 1, 2, 1, 2, 1, 2}));
  EXPECT_EQ(values<int16_t>(repeat(a, {2, 3}, 0)), (std::vector<int16_t>{1, 1, 2, 2, 2}));
  EXPECT_EQ(values<int16_t>(repeat(a, {2}, std::nullopt)), (std::vector<int16_t>{1, 1, 2, 2}));
  EXPECT_THROW(repeat(a, {1, 2, 3}, 0), ValueError);
  EXPECT_THROW(repeat(a, {-1}, 0), ValueError);
  EXPECT_THROW(tile(a, {-1}), ValueError);
}

TEST(FlipRoll, NegativeStridesAndShifts) {
  Array a = iota({2, 3});
  Array f = flip(a, std::nullopt);
  EXPECT_EQ(f.strides(), Shape({-24, -8}));
  EXPECT_EQ(values<double>(f), (std::vector<double>{5, 4, 3, 2, 1, 0}));
  EXPECT_TRUE(f.may_share_memory(a));
  EXPECT_EQ(values<double>(roll(a, {1}, std::nullopt)), (std::vector<double>{5, 0, 1, 2, 3, 4}));
  EXPECT_EQ(values<double>(roll(a, {-1, 1}, std::vector<int64_t>{1, 0})), (std::vector<double>{4, 5, 3, 1, 2, 0}));
  EXPECT_THROW(roll(a, {1}, std::vector<int64_t>{2}), AxisError);
}

TEST(Pad, ConstantCornersTakeTheLastAxisValue) {
  Array a = from<int32_t>({5}, {1, 1});
  std::vector<std::array<Array, 2>> vals = {{Scalar::from_int(1).to_array(DType::Int64, "t"),
                                             Scalar::from_int(2).to_array(DType::Int64, "t")},
                                            {Scalar::from_int(3).to_array(DType::Int64, "t"),
                                             Scalar::from_float(4.9).to_array(DType::Float64, "t")}};
  Array r = pad_constant(a, {{1, 0}, {1, 1}}, vals);
  EXPECT_EQ(r.shape(), Shape({2, 3}));
  EXPECT_EQ(values<int32_t>(r), (std::vector<int32_t>{3, 1, 4, 3, 5, 4}));
  EXPECT_THROW(pad_constant(a, {{-1, 0}, {0, 0}}, vals), ValueError);
}

TEST(Sort, NaNsLastAndStableArgsort) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  Array a = from<double>({3, nan, 1, 2, nan, 1}, {6});
  auto s = values<double>(sort(a, -1));
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[3], 3);
  EXPECT_TRUE(std::isnan(s[4]) && std::isnan(s[5]));
  EXPECT_EQ(values<int64_t>(argsort(a, -1)), (std::vector<int64_t>{2, 5, 3, 0, 1, 4}));
  Array c = from<complex128>({{1, nan}, {nan, 0}, {1, 2}, {0, 5}}, {4});
  auto cs = values<complex128>(sort(c, 0));
  EXPECT_EQ(cs[0], complex128(0, 5));
  EXPECT_EQ(cs[1], complex128(1, 2));
  EXPECT_TRUE(std::isnan(cs[2].imag()) && std::isnan(cs[3].real()));
  Array m = iota({3, 2});
  Array t = transpose(m);  // sort along a strided axis, in place
  sort_inplace(flip(t, std::vector<int64_t>{1}), 1, SortKind::Stable);
  // The flipped rows read ascending, so the underlying rows of m.T now descend.
  EXPECT_EQ(values<double>(m), (std::vector<double>{4, 5, 2, 3, 0, 1}));
  EXPECT_THROW(sort(iota({}), -1), AxisError);
}

TEST(SearchSorted, SidesAndSorter) {
  Array a = from<int64_t>({1, 2, 2, 3}, {4});
  Array v = from<double>({2, 2.5, 0, 9}, {4});
  EXPECT_EQ(values<int64_t>(searchsorted(a, v, false)), (std::vector<int64_t>{1, 3, 0, 4}));
  EXPECT_EQ(values<int64_t>(searchsorted(a, v, true)), (std::vector<int64_t>{3, 3, 0, 4}));
  Array u = from<int64_t>({3, 1, 2}, {3});
  Array perm = from<int64_t>({1, 2, 0}, {3});
  EXPECT_EQ(values<int64_t>(searchsorted(u, from<int64_t>({2}, {1}), false, perm)), (std::vector<int64_t>{1}));
  EXPECT_THROW(searchsorted(u, from<int64_t>({2}, {1}), false, from<int64_t>({7, 7, 7}, {3})), ValueError);
  EXPECT_THROW(searchsorted(iota({2, 2}), v), ValueError);
}

TEST(Triangles, TrilTriu) {
  Array a = iota({3, 3});
  EXPECT_EQ(values<double>(tril(a, 0)), (std::vector<double>{0, 0, 0, 3, 4, 0, 6, 7, 8}));
  EXPECT_EQ(values<double>(triu(a, 1)), (std::vector<double>{0, 1, 2, 0, 0, 5, 0, 0, 0}));
  EXPECT_EQ(tril(iota({4}), 0).shape(), Shape({4, 4}));
  EXPECT_EQ(values<double>(tril(a, std::numeric_limits<int64_t>::max())), values<double>(a));
  EXPECT_THROW(tril(iota({}), 0), TypeError);
}
