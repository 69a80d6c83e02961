// C++ tests of advanced indexing and the selection ops (NumPy's results written out by hand).
#include <gtest/gtest.h>

#include "minpy/errors.h"
#include "minpy/indexing.h"

using namespace minpy;

namespace {
Array iota(const Shape& shape) {
  Array a = Array::empty(shape, DType::Int64);
  for (int64_t i = 0; i < a.size(); ++i) a.data_as<int64_t>()[i] = i;
  return a;
}
Array ints(const std::vector<int64_t>& v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  Array a = Array::empty(shape, DType::Int64);
  for (size_t i = 0; i < v.size(); ++i) a.data_as<int64_t>()[i] = v[i];
  return a;
}
Array bools(const std::vector<bool>& v) {
  Array a = Array::empty({static_cast<int64_t>(v.size())}, DType::Bool);
  for (size_t i = 0; i < v.size(); ++i) a.data_as<bool>()[i] = v[i];
  return a;
}
IndexItem arr(const Array& a) {
  IndexItem it;
  it.kind = IndexItem::Kind::Array;
  it.array = a;
  return it;
}
IndexItem all() {
  IndexItem it;
  it.kind = IndexItem::Kind::Slice;
  return it;
}
IndexItem at(int64_t i) {
  IndexItem it;
  it.kind = IndexItem::Kind::Int;
  it.index = i;
  return it;
}
std::vector<int64_t> values(const Array& a) {
  Array c = copy(a);
  return std::vector<int64_t>(c.data_as<int64_t>(), c.data_as<int64_t>() + c.size());
}
}  // namespace

TEST(Indexing, IntegerArrayGathersACopy) {
  Array a = iota({3, 4});
  Array r = getitem(a, {arr(ints({2, 0, -1}))});
  EXPECT_EQ(r.shape(), Shape({3, 4}));
  EXPECT_EQ(values(r)[0], 8);
  EXPECT_EQ(values(r)[4], 0);
  EXPECT_EQ(values(r)[8], 8);
  EXPECT_NE(r.storage(), a.storage());
}

TEST(Indexing, AdvancedAxesPlacement) {
  Array a = iota({2, 3, 4});
  // Adjacent advanced indices stay in place: a[:, [0, 1], [1, 2]] -> (2, 2).
  EXPECT_EQ(getitem(a, {all(), arr(ints({0, 1})), arr(ints({1, 2}))}).shape(), Shape({2, 2}));
  // Separated by a slice: the broadcast dims go first: a[[0, 1], :, [1, 2]] -> (2, 3).
  Array r = getitem(a, {arr(ints({0, 1})), all(), arr(ints({1, 2}))});
  EXPECT_EQ(r.shape(), Shape({2, 3}));
  EXPECT_EQ(values(r), (std::vector<int64_t>{1, 5, 9, 14, 18, 22}));
  // An integer counts as advanced: a[0, :, [0, 1]] -> (2, 3).
  EXPECT_EQ(getitem(a, {at(0), all(), arr(ints({0, 1}))}).shape(), Shape({2, 3}));
}

TEST(Indexing, BooleanMaskAndErrors) {
  Array a = iota({3});
  EXPECT_EQ(values(getitem(a, {arr(bools({true, false, true}))})), (std::vector<int64_t>{0, 2}));
  EXPECT_THROW(getitem(a, {arr(bools({true, false}))}), IndexError);
  EXPECT_THROW(getitem(a, {arr(ints({5}))}), IndexError);
  try {
    getitem(a, {arr(ints({0, 5}))});
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("index 5 is out of bounds for axis 0 with size 3"), std::string::npos);
  }
  Array f = Array::empty({1}, DType::Float64);
  EXPECT_THROW(getitem(a, {arr(f)}), IndexError);
  EXPECT_THROW(getitem(iota({2, 3}), {arr(ints({0, 1})), arr(ints({0, 1, 2}))}), IndexError);
}

TEST(Indexing, SetitemLastWriteWinsAndAtAccumulates) {
  Array a = Array::empty({4}, DType::Int64);
  assign(a, Scalar::from_int(0));
  setitem(a, {arr(ints({1, 1, 3}))}, ints({5, 6, 7}));
  EXPECT_EQ(values(a), (std::vector<int64_t>{0, 6, 0, 7}));
  Array b = ints({1});
  ufunc_at(get_ufunc("add"), a, {arr(ints({0, 0, 0}))}, &b);
  EXPECT_EQ(values(a)[0], 3);
  EXPECT_THROW(setitem(a, {arr(ints({0, 1}))}, ints({1, 2, 3})), ValueError);
}

TEST(Indexing, SelectionFunctions) {
  Array a = iota({2, 3});
  EXPECT_EQ(values(take(a, ints({4, -1}), std::nullopt)), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(values(take(a, ints({3, -4}), 1, ClipMode::Wrap)), (std::vector<int64_t>{0, 2, 3, 5}));
  EXPECT_EQ(values(take(a, ints({7}), 1, ClipMode::Clip)), (std::vector<int64_t>{2, 5}));
  auto nz = nonzero(a);
  ASSERT_EQ(nz.size(), 2u);
  EXPECT_EQ(values(nz[0]), (std::vector<int64_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(values(nz[1]), (std::vector<int64_t>{1, 2, 0, 1, 2}));
  EXPECT_EQ(argwhere(a).shape(), Shape({5, 2}));
  Array w = where(nonzero(a)[0].size() ? astype(a, DType::Bool) : a, Array(a), Scalar::from_int(-1));
  EXPECT_EQ(values(w), (std::vector<int64_t>{-1, 1, 2, 3, 4, 5}));
  Array p = copy(a);
  put(p, ints({0, 5}), ints({9}));
  EXPECT_EQ(values(p), (std::vector<int64_t>{9, 1, 2, 3, 4, 9}));
  EXPECT_THROW(put(p, ints({6}), ints({1})), IndexError);
  EXPECT_EQ(values(compress(bools({false, true}), a, 0)), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_THROW(nonzero(Array::empty({}, DType::Int64)), ValueError);
}

TEST(Indexing, FullIntegerIndexIsACopyEllipsisAView) {
  // NumPy returns a scalar (a value) for a[1, 2]: minpy's 0-d result owns a copy of the element.
  Array a = iota({3, 4});
  Array e = getitem(a, {at(1), at(2)});
  EXPECT_EQ(e.ndim(), 0);
  EXPECT_TRUE(e.owns_data());
  EXPECT_NE(e.storage(), a.storage());
  EXPECT_EQ(*e.data_as<int64_t>(), 6);
  a.data_as<int64_t>()[6] = 100;
  EXPECT_EQ(*e.data_as<int64_t>(), 6);
  // with an ellipsis the 0-d result is a view, as NumPy's a[1, 2, ...]
  IndexItem ell;
  ell.kind = IndexItem::Kind::Ellipsis;
  Array v = getitem(a, {at(1), at(2), ell});
  EXPECT_EQ(v.ndim(), 0);
  EXPECT_EQ(v.storage(), a.storage());
  EXPECT_EQ(*v.data_as<int64_t>(), 100);
  // a row stays a view
  Array r = getitem(a, {at(1)});
  EXPECT_EQ(r.storage(), a.storage());
  EXPECT_EQ(r.base().impl(), a.impl());
}

TEST(Indexing, EmptyAndHugeStepSlicesLikeNumPy) {
  Array a = iota({16});
  IndexItem s;
  s.kind = IndexItem::Kind::Slice;
  s.has_start = s.has_stop = true;
  s.start = 3, s.stop = 3, s.step = 7;  // empty: NumPy gives offset 0 and a unit step
  Array v = getitem(a, {s});
  EXPECT_EQ(v.shape(), Shape{0});
  EXPECT_EQ(v.strides(), Shape{8});
  EXPECT_EQ(v.offset(), 0);
  IndexItem h;
  h.kind = IndexItem::Kind::Slice;
  h.step = int64_t(1) << 62;  // one element; the stride wraps as NumPy's (no signed overflow)
  Array w = getitem(a, {h});
  EXPECT_EQ(w.shape(), Shape{1});
  EXPECT_EQ(w.strides(), Shape{0});
}
