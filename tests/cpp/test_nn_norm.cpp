// The nn normalisation / loss family through the C++ API: values, errors and gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/nn_norm.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"
#include "test_util.h"

using namespace minpy;
namespace ag = minpy::autograd;
using namespace minpy::test;

namespace {
Array ints(const std::vector<int64_t>& v) {
  Array a = Array::empty({static_cast<int64_t>(v.size())}, DType::Int64);
  for (size_t i = 0; i < v.size(); ++i) a.data_as<int64_t>()[i] = v[i];
  return a;
}
}  // namespace

TEST(NnNorm, SoftmaxRowsSumToOneWithExtremeLogits) {
  Array x = vec({1e4, -1e4, 0.0, 1.0, 2.0, 3.0}, {2, 3});
  Array y = nn::softmax(x);
  EXPECT_DOUBLE_EQ(at(y, 0), 1.0);
  EXPECT_DOUBLE_EQ(at(y, 1), 0.0);
  double s = at(y, 3) + at(y, 4) + at(y, 5);
  EXPECT_NEAR(s, 1.0, 1e-15);
  EXPECT_NEAR(at(y, 5), std::exp(2.0) / (1 + std::exp(1.0) + std::exp(2.0)), 1e-15);
  Array l = nn::log_softmax(x, 1);
  EXPECT_DOUBLE_EQ(at(l, 1), -2e4);
}

TEST(NnNorm, CrossEntropyAndItsGradient) {
  Array x = vec({0.0, 0.0, 0.0, 0.0}, {2, 2});
  Array y = ints({0, 1});
  EXPECT_NEAR(at(nn::softmax_cross_entropy(x, y)), std::log(2.0), 1e-15);
  auto g = ag::grad([&](const std::vector<Array>& a) { return nn::softmax_cross_entropy(a[0], y, nn::Reduction::Sum); },
                    {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), -0.5);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 0.5);
  EXPECT_THROW(nn::softmax_cross_entropy(x, ints({0, 2})), IndexError);
  EXPECT_THROW(nn::softmax_cross_entropy(x, ints({0})), ValueError);
  EXPECT_THROW(nn::softmax_cross_entropy(x, x), TypeError);
}

TEST(NnNorm, BatchNormTrainsAndUpdatesRunningStats) {
  Array x = vec({1.0, 10.0, 3.0, 30.0}, {2, 2});  // channel 0: 1, 3; channel 1: 10, 30
  Array rm = vec({0.0, 0.0}), rv = vec({1.0, 1.0});
  Array out = nn::batch_norm(x, {}, {}, rm, rv, true, 0.5, 0.0);
  EXPECT_DOUBLE_EQ(at(out, 0), -1.0);
  EXPECT_DOUBLE_EQ(at(out, 3), 1.0);
  EXPECT_DOUBLE_EQ(at(rm, 0), 1.0);    // 0.5 * 0 + 0.5 * 2
  EXPECT_DOUBLE_EQ(at(rv, 1), 50.5);   // 0.5 * 1 + 0.5 * 100
  Array ev = nn::batch_norm(x, {}, {}, vec({2.0, 20.0}), vec({1.0, 100.0}), false, 0.1, 0.0);
  EXPECT_DOUBLE_EQ(at(ev, 1), -1.0);
  EXPECT_THROW(nn::batch_norm(x, {}, {}, {}, {}, false), ValueError);
  EXPECT_THROW(nn::batch_norm(vec({1.0, 2.0}), {}, {}, {}, {}), ValueError);
}

TEST(NnNorm, LayerNormGradientOfSumIsZero) {
  // sum(layer_norm(x)) is constant in x (each row sums to 0): its gradient vanishes.
  Array x = vec({1.0, 2.0, 4.0, -1.0, 0.5, 3.0}, {2, 3});
  auto g = ag::grad([](const std::vector<Array>& a) { return sum(nn::layer_norm(a[0])); }, {x});
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(at(g[0], i), 0.0, 1e-12);
}

TEST(NnNorm, EmbeddingGathersAndAccumulates) {
  Array w = vec({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {3, 2});
  Array idx = ints({2, 0, 2});
  Array e = nn::embedding(idx, w);
  EXPECT_EQ(e.shape(), (Shape{3, 2}));
  EXPECT_DOUBLE_EQ(at(e, 0), 5.0);
  auto g = ag::grad([&](const std::vector<Array>& a) { return sum(nn::embedding(idx, a[0])); }, {w});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 1.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 0.0);
  EXPECT_DOUBLE_EQ(at(g[0], 4), 2.0);
  EXPECT_THROW(nn::embedding(ints({3}), w), IndexError);
  EXPECT_THROW(nn::embedding(ints({-1}), w), IndexError);
}

TEST(NnNorm, DropoutIsReproducibleAndScales) {
  Array x = ag::ones({1000}, DType::Float64);
  RandomGenerator g1(7), g2(7);
  Array a = nn::dropout(x, 0.25, g1), b = nn::dropout(x, 0.25, g2);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(at(a, i), at(b, i));
    double v = at(a, i);
    EXPECT_TRUE(v == 0.0 || std::abs(v - 1.0 / 0.75) < 1e-15);
    kept += v != 0.0;
  }
  EXPECT_GT(kept, 650);
  EXPECT_LT(kept, 850);
  EXPECT_EQ(nn::dropout(x, 0.5, g1, false).impl(), x.impl());
  EXPECT_THROW(nn::dropout(x, 1.5, g1), ValueError);
}
