// C++ custom ops (autograd::register_op / call_op): forward + VJP as one recorded node, grad/vjp of
// C++ callables using them, higher order through a VJP written with engine ops, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "test_util.h"

using namespace minpy;
namespace ag = minpy::autograd;
using namespace minpy::test;

namespace {
Scalar F(double v) { return Scalar::from_float(v); }

// softplus(x) = log(1 + exp(x)); d/dx = sigmoid(x), written with engine ops (differentiable again).
std::shared_ptr<const ag::Op> softplus() {
  static auto op = ag::register_op(
      "test_softplus", [](const std::vector<Array>& in) { return std::vector<Array>{ufunc1("log1p", ufunc1("exp", in[0]))}; },
      [](const ag::OpVjpArgs& a) {
        Array sig = ufunc2("true_divide", F(1.0), ufunc2("add", F(1.0), ufunc1("exp", ufunc1("negative", a.inputs[0]))));
        return std::vector<Array>{a.g[0] * sig};
      });
  return op;
}
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// A two-input, two-output op: (a*b, a+b), VJP from the inputs only.
void register_pair() {
  ag::register_op(
      "test_pair", [](const std::vector<Array>& in) { return std::vector<Array>{in[0] * in[1], in[0] + in[1]}; },
      [](const ag::OpVjpArgs& a) {
        std::vector<Array> r(2);
        if (a.needs[0]) r[0] = a.g[0] * a.inputs[1] + a.g[1];
        if (a.needs[1]) r[1] = a.g[0] * a.inputs[0] + a.g[1];
        return r;
      });
}
}  // namespace

TEST(CustomOp, ForwardWithoutTapeIsPlain) {
  Array y = (*softplus())({vec({0.0, 1.0})})[0];
  EXPECT_NEAR(at(y, 1), std::log1p(std::exp(1.0)), 1e-15);
  EXPECT_EQ(y.impl()->grad_meta, nullptr);
  EXPECT_EQ(ag::find_op("test_softplus"), softplus());
  EXPECT_STREQ(softplus()->name(), "test_softplus");
}

TEST(CustomOp, GradOfCallableUsingIt) {
  softplus();
  Array x = vec({-1.0, 0.5, 2.0});
  Array value;
  auto g = ag::grad([](const std::vector<Array>& a) { return ag::call_op("test_softplus", {a[0] * a[0]})[0] * a[0]; },
                    {x}, &value);
  for (int i = 0; i < 3; ++i) {
    double xi = at(x, i), sp = std::log1p(std::exp(xi * xi));
    EXPECT_NEAR(at(value, i), sp * xi, 1e-14);
    EXPECT_NEAR(at(g[0], i), sigmoid(xi * xi) * 2 * xi * xi + sp, 1e-13);
  }
}

TEST(CustomOp, FiniteDifferences) {
  softplus();
  auto f = [](const std::vector<Array>& a) { return ufunc1("sin", (*softplus())({a[0] / F(3.0)})[0]); };
  Array x = vec({-0.7, 0.1, 1.3});
  auto g = ag::grad(f, {x});
  for (int i = 0; i < 3; ++i) {
    const double eps = 1e-6;
    Array xp = copy(x), xm = copy(x);
    xp.data_as<double>()[i] += eps;
    xm.data_as<double>()[i] -= eps;
    double fd = (at(f({xp}), i) - at(f({xm}), i)) / (2 * eps);
    EXPECT_NEAR(at(g[0], i), fd, 1e-8);
  }
}

TEST(CustomOp, HigherOrderThroughTheVjp) {
  softplus();
  ag::Function f = [](const std::vector<Array>& a) { return ag::call_op("test_softplus", {a[0]})[0]; };
  ag::Function df = [f](const std::vector<Array>& a) { return ag::grad(f, a)[0]; };
  Array x = vec({-0.5, 0.3});
  auto d2 = ag::grad(df, {x});
  for (int i = 0; i < 2; ++i) {
    double s = sigmoid(at(x, i));
    EXPECT_NEAR(at(d2[0], i), s * (1 - s), 1e-14);
  }
}

TEST(CustomOp, MultipleInputsOutputsAndVjp) {
  register_pair();
  Array a = vec({1.0, 2.0}), b = vec({3.0, 5.0});
  auto r = ag::vjp(
      [](const std::vector<Array>& in) {
        auto o = ag::call_op("test_pair", {in[0], in[1]});
        return o[0] * F(2.0) + o[1];
      },
      {a, b});
  auto g = r.backward(vec({1.0, 10.0}));
  EXPECT_DOUBLE_EQ(at(g[0], 0), 2 * 3.0 + 1);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 10 * (2 * 5.0 + 1));
  EXPECT_DOUBLE_EQ(at(g[1], 1), 10 * (2 * 2.0 + 1));
  // only the second output used: the first one's cotangent is zeros
  auto g2 = ag::grad([](const std::vector<Array>& in) { return ag::call_op("test_pair", in)[1]; }, {a, b});
  EXPECT_DOUBLE_EQ(at(g2[0], 0), 1.0);
  EXPECT_DOUBLE_EQ(at(g2[1], 1), 1.0);
}

TEST(CustomOp, ScalarGradientIsBroadcast) {
  ag::register_op(
      "test_total", [](const std::vector<Array>& in) { return std::vector<Array>{ag::sum_to_shape(in[0], {})}; },
      [](const ag::OpVjpArgs& a) { return std::vector<Array>{a.g[0]}; });  // 0-d gradient for a (3,) input
  auto g = ag::grad([](const std::vector<Array>& in) { return ag::call_op("test_total", in)[0] * F(4.0); },
                    {vec({1.0, 2.0, 3.0})});
  ASSERT_EQ(g[0].shape(), Shape{3});
  EXPECT_DOUBLE_EQ(at(g[0], 2), 4.0);
}

TEST(CustomOp, Errors) {
  EXPECT_THROW(ag::call_op("test_no_such_op", {vec({1.0})}), ValueError);
  ag::register_op("test_nograd", [](const std::vector<Array>& in) { return std::vector<Array>{in[0] * F(2.0)}; }, nullptr);
  EXPECT_THROW(ag::grad([](const std::vector<Array>& in) { return ag::call_op("test_nograd", in)[0]; }, {vec({1.0})}),
               TypeError);
  ag::register_op(
      "test_badshape", [](const std::vector<Array>& in) { return std::vector<Array>{in[0] * F(2.0)}; },
      [](const ag::OpVjpArgs&) { return std::vector<Array>{vec({1.0, 2.0, 3.0})}; });
  EXPECT_THROW(ag::grad([](const std::vector<Array>& in) { return ag::call_op("test_badshape", in)[0]; },
                        {vec({1.0, 2.0})}),
               ValueError);
  // the saved input was written in place after the call
  softplus();
  EXPECT_THROW(ag::grad(
                   [](const std::vector<Array>& in) {
                     Array y = in[0] * F(1.0);
                     Array z = ag::call_op("test_softplus", {y})[0];
                     assign(y, F(0.0));
                     return z;
                   },
                   {vec({1.0})}),
               ValueError);
  EXPECT_FALSE(ag::recording());
}
