// C++ autograd API: grad / vjp on engine ops, nesting (higher order), in-place writes and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "test_util.h"

using namespace minpy;
namespace ag = minpy::autograd;
using namespace minpy::test;


TEST(Autograd, GradOfUfuncChain) {
  Array x = vec({0.5, 1.0, 2.0});
  Array value;
  auto g = ag::grad([](const std::vector<Array>& a) { return ufunc1("sin", a[0]) * a[0]; }, {x}, &value);
  ASSERT_EQ(g.size(), 1u);
  for (int i = 0; i < 3; ++i) {
    double xi = at(x, i);
    EXPECT_NEAR(at(g[0], i), std::cos(xi) * xi + std::sin(xi), 1e-14);
    EXPECT_NEAR(at(value, i), std::sin(xi) * xi, 1e-14);
  }
  EXPECT_FALSE(ag::recording());
}

TEST(Autograd, BroadcastingAndUnusedInputs) {
  Array x = vec({1.0, 2.0, 3.0}), y = scalar(4.0), z = vec({7.0});
  auto g = ag::grad([](const std::vector<Array>& a) { return a[0] * a[1]; }, {x, y, z});
  EXPECT_EQ(g[1].shape(), Shape{});
  EXPECT_DOUBLE_EQ(at(g[1]), 6.0);  // summed over the broadcast axis
  EXPECT_DOUBLE_EQ(at(g[0], 2), 4.0);
  EXPECT_EQ(g[2].shape(), Shape{1});
  EXPECT_DOUBLE_EQ(at(g[2]), 0.0);
}

TEST(Autograd, VjpWithCotangent) {
  Array x = vec({1.0, 2.0});
  auto r = ag::vjp([](const std::vector<Array>& a) { return a[0] * a[0]; }, {x});
  auto g = r.backward(vec({10.0, 100.0}));
  EXPECT_DOUBLE_EQ(at(g[0], 0), 20.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 400.0);
  auto g2 = r.backward(vec({1.0, 1.0}));  // the recorded graph can be reused
  EXPECT_DOUBLE_EQ(at(g2[0], 1), 4.0);
}

TEST(Autograd, SecondAndThirdOrder) {
  ag::Function f = [](const std::vector<Array>& a) { return ufunc1("exp", a[0] * a[0]); };
  ag::Function df = [f](const std::vector<Array>& a) { return ag::grad(f, a)[0]; };
  ag::Function d2f = [df](const std::vector<Array>& a) { return ag::grad(df, a)[0]; };
  double x = 0.7, e = std::exp(x * x);
  EXPECT_NEAR(at(df({scalar(x)})), 2 * x * e, 1e-12);
  EXPECT_NEAR(at(d2f({scalar(x)})), (2 + 4 * x * x) * e, 1e-12);
  EXPECT_NEAR(at(ag::grad(d2f, {scalar(x)})[0]), (12 * x + 8 * x * x * x) * e, 1e-11);
}

TEST(Autograd, ViewsAndSetitem) {
  Array x = vec({1.0, 2.0, 3.0, 4.0});
  auto g = ag::grad(
      [](const std::vector<Array>& a) {
        Array y = ag::zeros({2}, DType::Float64);
        IndexItem lo{IndexItem::Kind::Slice, 0, 0, 2, 1, true, true, {}};
        IndexItem hi{IndexItem::Kind::Slice, 0, 2, 4, 1, true, true, {}};
        assign(y, basic_index(a[0], {lo}) * basic_index(a[0], {hi}));  // y = x[:2] * x[2:]
        return transpose(reshape(y, {2, 1})) * Scalar::from_float(2.0);
      },
      {x});
  EXPECT_DOUBLE_EQ(at(g[0], 0), 6.0);
  EXPECT_DOUBLE_EQ(at(g[0], 1), 8.0);
  EXPECT_DOUBLE_EQ(at(g[0], 2), 2.0);
  EXPECT_DOUBLE_EQ(at(g[0], 3), 4.0);
}

TEST(Autograd, InPlaceUfuncAndStaleSavedValue) {
  Array x = vec({1.0, 2.0});
  auto g = ag::grad(
      [](const std::vector<Array>& a) {
        Array h = a[0] * Scalar::from_float(1.0);
        UfuncOptions opt;
        opt.out = {h};
        call_ufunc(get_ufunc("add"), {h, ufunc1("exp", a[0])}, opt);  // h += exp(x)
        return h;
      },
      {x});
  EXPECT_NEAR(at(g[0], 1), 1 + std::exp(2.0), 1e-14);
  EXPECT_THROW(ag::grad(
                   [](const std::vector<Array>& a) {
                     Array y = a[0] * Scalar::from_float(1.0);
                     Array z = y * y;  // saves y
                     assign(y, Scalar::from_float(0.0));
                     return z;
                   },
                   {x}),
               ValueError);
  EXPECT_FALSE(ag::recording());
}

TEST(Autograd, NoRecordingWithoutTape) {
  Array x = vec({1.0});
  Array y = ufunc1("sin", x);
  EXPECT_EQ(y.impl()->grad_meta, nullptr);
  EXPECT_FALSE(ag::is_tracked(y));
}

TEST(Autograd, RegisterCustomUfuncRule) {
  // Families can (re)register rules; here a rule for floor that passes the gradient straight through.
  ag::register_ufunc_vjp("floor", {false, false, [](const ag::UfuncVjpArgs& a) { return std::vector<Array>{a.g[0]}; }});
  auto g = ag::grad([](const std::vector<Array>& a) { return ufunc1("floor", a[0]); }, {vec({1.5})});
  EXPECT_DOUBLE_EQ(at(g[0]), 1.0);
  ag::register_ufunc_vjp("floor", {false, false, [](const ag::UfuncVjpArgs&) { return std::vector<Array>{Array()}; }});
}
