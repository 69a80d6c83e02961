// VJPs of the reduction, product and selection families through the C++ autograd API.
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/indexing.h"
#include "minpy/linalg.h"
#include "minpy/ops.h"
#include "test_util.h"
#include "minpy/reductions.h"
#include "minpy/shape_ops.h"

using namespace minpy;
namespace ag = minpy::autograd;
using namespace minpy::test;

namespace {
ReduceOptions axis(int64_t ax, bool keepdims = false) {
  ReduceOptions o;
  o.axis = Axes::of({ax});
  o.keepdims = keepdims;
  return o;
}
}  // namespace

TEST(AutogradOps, ProdWithZerosIsTheProductOfTheOthers) {
  Array x = vec({2.0, 0.0, 3.0, 4.0});
  auto g = ag::grad([](const std::vector<Array>& a) { return prod(a[0]); }, {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 0.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 24.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 0.0);
  EXPECT_DOUBLE_EQ(at(g[0], 3), 0.0);
  Array two_zeros = vec({0.0, 5.0, 0.0});
  g = ag::grad([](const std::vector<Array>& a) { return prod(a[0]); }, {two_zeros});
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(at(g[0], i), 0.0);
}

TEST(AutogradOps, MaxSplitsTiesAndSumsOverAxes) {
  Array x = vec({1.0, 3.0, 3.0, 2.0, 0.0, 5.0}, {2, 3});
  auto g = ag::grad([](const std::vector<Array>& a) { return max(a[0], axis(1)); }, {x});
  const double want[] = {0.0, 0.5, 0.5, 0.0, 0.0, 1.0};
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(at(g[0], i), want[i]);
  g = ag::grad([](const std::vector<Array>& a) { return mean(a[0], axis(0, true)); }, {x});
  EXPECT_EQ(g[0].shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(at(g[0], i), 0.5);
}

TEST(AutogradOps, MatmulBatchedBroadcastUnbroadcasts) {
  // a: (2, 1, 2) @ b: (3, 2) -> (2, 1, 3); d sum / d b = sum over batch and rows of a^T.
  Array a = vec({1, 2, 3, 4}, {2, 1, 2}), b = vec({1, 0, 2, 1, 1, 3}, {2, 3});
  auto g = ag::grad([](const std::vector<Array>& v) { return matmul(v[0], v[1]); }, {a, b});
  EXPECT_EQ(g[0].shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(g[1].shape(), (Shape{2, 3}));
  EXPECT_DOUBLE_EQ(at(g[1], 0), 4.0);  // a[0,0,0] + a[1,0,0]
  EXPECT_DOUBLE_EQ(at(g[1], 3), 6.0);  // a[0,0,1] + a[1,0,1]
  EXPECT_DOUBLE_EQ(at(g[0], 0), 3.0);  // row 0 of b summed
  EXPECT_DOUBLE_EQ(at(g[0], 1), 5.0);
}

TEST(AutogradOps, SecondOrderThroughDot) {
  // f(x) = (x . x)^2: grad = 4 (x.x) x; d/dx sum(grad) = 8 x sum(x) + 4 (x.x).
  Array x = vec({1.0, 2.0});
  auto g = ag::grad(
      [](const std::vector<Array>& v) {
        auto inner_g = ag::grad([](const std::vector<Array>& u) {
          Array d = dot(u[0], u[0]);
          return d * d;
        }, {v[0]});
        return sum(inner_g[0]);
      },
      {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 8 * 1 * 3 + 4 * 5);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 8 * 2 * 3 + 4 * 5);
}

TEST(AutogradOps, WhereAndCumsum) {
  Array x = vec({1.0, 2.0, 3.0}), y = vec({4.0, 5.0, 6.0});
  Array c = astype(vec({1.0, 0.0, 1.0}), DType::Bool);
  auto g = ag::grad([c](const std::vector<Array>& v) { return cumsum(where(c, v[0], v[1])); }, {x, y});
  // cumsum's VJP is the reversed cumsum of ones: (3, 2, 1)
  EXPECT_DOUBLE_EQ(at(g[0], 0), 3.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 0.0);
  EXPECT_DOUBLE_EQ(at(g[1], 1), 2.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 1.0);
}

TEST(AutogradOps, NoGradientRaisesOnlyForTrackedFloats) {
  Array x = vec({1.0, 2.0});
  EXPECT_THROW(ag::grad([](const std::vector<Array>& v) {
                 put(v[0], astype(vec({0.0}), DType::Int64), vec({5.0}));
                 return v[0];
               }, {x}),
               TypeError);
  EXPECT_NO_THROW(ag::no_gradient("op", {x}));  // nothing records
  Array z = vec({1.0, 2.0});
  auto g = ag::grad([z](const std::vector<Array>& v) {
    put(z, astype(vec({0.0}), DType::Int64), vec({5.0}));  // untracked: fine
    return v[0] * z;
  }, {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 5.0);
}

TEST(AutogradOps, SumToShapeIsTheNativeSum) {
  Array g = vec({1, 2, 3, 4, 5, 6}, {2, 3});
  Array s = ag::sum_to_shape(g, {1, 3});
  EXPECT_EQ(s.shape(), (Shape{1, 3}));
  EXPECT_DOUBLE_EQ(at(s, 0), 5.0);
  Array t = ag::sum_to_shape(g, {});
  EXPECT_DOUBLE_EQ(at(t), 21.0);
  EXPECT_THROW(ag::sum_to_shape(g, {2}), ValueError);
}

TEST(AutogradOps, ShapeOpsConcatenateSortRepeat) {
  Array x = vec({3.0, 1.0, 2.0}), w = vec({1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  // concatenate([x, 2x]) . w: x gets w[0:3] + 2 w[3:6]
  auto g = ag::grad([w](const std::vector<Array>& v) { return sum(concatenate({v[0], v[0] * v[0]}) * w); }, {x});
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(at(g[0], i), at(w, i) + 2 * at(x, i) * at(w, i + 3));
  // sort: each input gets the weight of the slot it lands in
  Array w3 = vec({1.0, 2.0, 3.0});
  g = ag::grad([w3](const std::vector<Array>& v) { return sum(sort(v[0]) * w3); }, {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 3.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 1.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 2.0);
  // repeat [1, 0, 2]: out = (x0, x2, x2)
  g = ag::grad([w3](const std::vector<Array>& v) { return sum(repeat(v[0], {1, 0, 2}, 0) * w3); }, {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 1.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 0.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 5.0);
  // split pieces are recorded views; pad's gradient is the centre
  g = ag::grad([](const std::vector<Array>& v) {
    auto p = array_split(v[0], 2, 0);
    return sum(p[0]) + sum(p[1] * p[1]) + sum(pad_constant(v[0], {{1, 2}}, {{vec({0.0}), vec({0.0})}}));
  }, {x});
  // pieces (3, 1) and (2,): 1 + 1, 1 + 1, 2 * 2 + 1
  EXPECT_DOUBLE_EQ(at(g[0], 0), 2.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 2.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 5.0);
}

TEST(AutogradOps, SortInPlaceOfATrackedArrayIsARecordedWrite) {
  Array x = vec({3.0, 1.0, 2.0}), w3 = vec({1.0, 2.0, 3.0});
  auto g = ag::grad([w3](const std::vector<Array>& v) {
    Array y = v[0] * Scalar::from_float(1.0);
    sort_inplace(y);
    return sum(y * w3);
  }, {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 3.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 1.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 2.0);
}
