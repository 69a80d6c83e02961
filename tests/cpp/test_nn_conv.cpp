// C++ tests of minpy/nn_conv.h: conv2d and pooling against naive loops, their errors, and their
// gradients through autograd::grad (first order against the explicit backward ops, second order).
#include <gtest/gtest.h>

#include <cmath>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/nn_conv.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"
#include "test_util.h"

using namespace minpy;
using minpy::test::at;

namespace {

template <class T>
Array filled(const Shape& shape, int seed) {
  Array a = Array::empty(shape, dtype_of<T>::value);
  T* p = a.data_as<T>();
  for (int64_t i = 0; i < a.size(); ++i) p[i] = static_cast<T>(((i * 7 + seed * 13) % 11) - 5) / T(4);
  return a;
}

// Naive conv2d in double, straight from the definition.
std::vector<double> naive_conv(const Array& x, const Array& w, const Array& b, const nn::Conv2dOptions& o) {
  const int64_t N = x.shape(0), C = x.shape(1), H = x.shape(2), W = x.shape(3);
  const int64_t F = w.shape(0), Cg = w.shape(1), KH = w.shape(2), KW = w.shape(3), Fg = F / o.groups;
  const int64_t Ho = (H + 2 * o.padding[0] - o.dilation[0] * (KH - 1) - 1) / o.stride[0] + 1;
  const int64_t Wo = (W + 2 * o.padding[1] - o.dilation[1] * (KW - 1) - 1) / o.stride[1] + 1;
  Array xd = astype(x, DType::Float64), wd = astype(w, DType::Float64);
  std::vector<double> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f)
      for (int64_t oh = 0; oh < Ho; ++oh)
        for (int64_t ow = 0; ow < Wo; ++ow) {
          double s = b.defined() ? at(astype(b, DType::Float64), f) : 0.0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                const int64_t ih = oh * o.stride[0] - o.padding[0] + i * o.dilation[0];
                const int64_t iw = ow * o.stride[1] - o.padding[1] + j * o.dilation[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t ci = (f / Fg) * Cg + c;
                s += at(xd, ((n * C + ci) * H + ih) * W + iw) * at(wd, ((f * Cg + c) * KH + i) * KW + j);
              }
          y.push_back(s);
        }
  return y;
}

template <class T>
void expect_conv_matches(const Shape& xs, const Shape& ws, const nn::Conv2dOptions& o, bool bias, double tol) {
  Array x = filled<T>(xs, 1), w = filled<T>(ws, 2);
  Array b = bias ? filled<T>({ws[0]}, 3) : Array();
  Array y = nn::conv2d(x, w, b, o);
  EXPECT_EQ(y.dtype(), dtype_of<T>::value);
  std::vector<double> want = naive_conv(x, w, b, o);
  ASSERT_EQ(static_cast<size_t>(y.size()), want.size());
  Array yd = astype(y, DType::Float64);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(at(yd, static_cast<int64_t>(i)), want[i], tol) << i;
}

nn::Conv2dOptions conv_opts(int64_t s, int64_t p, int64_t d = 1, int64_t g = 1) {
  nn::Conv2dOptions o;
  o.stride = {s, s};
  o.padding = {p, p};
  o.dilation = {d, d};
  o.groups = g;
  return o;
}

nn::Pool2dOptions pool_opts(int64_t k, int64_t s, int64_t p) {
  nn::Pool2dOptions o;
  o.kernel = {k, k};
  o.stride = nn::Pair{s, s};
  o.padding = {p, p};
  return o;
}

}  // namespace

TEST(NnConv, ForwardMatchesNaive) {
  expect_conv_matches<double>({2, 3, 6, 7}, {4, 3, 3, 3}, conv_opts(1, 1), true, 1e-12);
  expect_conv_matches<double>({3, 4, 9, 8}, {6, 2, 3, 2}, conv_opts(2, 1, 2, 2), false, 1e-12);
  expect_conv_matches<float>({2, 3, 8, 8}, {5, 3, 5, 5}, conv_opts(1, 2), true, 1e-4);
  expect_conv_matches<float>({70, 2, 8, 8}, {3, 2, 3, 3}, conv_opts(1, 1), true, 1e-4);  // several chunks
  expect_conv_matches<double>({1, 6, 5, 5}, {6, 1, 3, 3}, conv_opts(1, 1, 1, 6), true, 1e-12);
}

TEST(NnConv, Errors) {
  Array x = Array::empty({2, 4, 5, 5}, DType::Float64), w = Array::empty({6, 4, 3, 3}, DType::Float64);
  EXPECT_THROW(nn::conv2d(x, Array::empty({6, 3, 3, 3}, DType::Float64)), ValueError);
  EXPECT_THROW(nn::conv2d(x, w, {}, conv_opts(0, 0)), ValueError);
  EXPECT_THROW(nn::conv2d(x, w, {}, conv_opts(1, -1)), ValueError);
  EXPECT_THROW(nn::conv2d(x, w, {}, conv_opts(1, 0, 3)), ValueError);
  EXPECT_THROW(nn::conv2d(x, w, {}, conv_opts(1, 0, 1, 3)), ValueError);
  EXPECT_THROW(nn::conv2d(Array::empty({2, 4, 5, 5}, DType::Int32), w), TypeError);
  EXPECT_THROW(nn::conv2d(x, w, Array::empty({5}, DType::Float64)), ValueError);
  EXPECT_THROW(nn::max_pool2d(x, pool_opts(2, 2, 2)), ValueError);
  EXPECT_THROW(nn::avg_pool2d(x, pool_opts(6, 1, 0)), ValueError);
  EXPECT_THROW(nn::avg_pool2d(Array::empty({2, 4, 5, 5}, DType::Int64), pool_opts(2, 2, 0)), TypeError);
  EXPECT_THROW(nn::conv2d_grad_input(Array::empty({2, 6, 4, 3}, DType::Float64), w, {2, 4, 5, 5}), ValueError);
}

TEST(NnConv, GradientsMatchBackwardOps) {
  const nn::Conv2dOptions o = conv_opts(2, 1);
  Array x = filled<double>({2, 3, 7, 6}, 4), w = filled<double>({4, 3, 3, 3}, 5), b = filled<double>({4}, 6);
  Array y = nn::conv2d(x, w, b, o);
  Array r = filled<double>(y.shape(), 7);
  auto gs = autograd::grad([&](const std::vector<Array>& in) {
    return sum(ufunc2("multiply", nn::conv2d(in[0], in[1], in[2], o), r));
  }, {x, w, b});
  Array gx = nn::conv2d_grad_input(r, w, x.shape(), o), gw = nn::conv2d_grad_weight(r, x, w.shape(), o);
  for (int64_t i = 0; i < x.size(); ++i) EXPECT_NEAR(at(gs[0], i), at(gx, i), 1e-12);
  for (int64_t i = 0; i < w.size(); ++i) EXPECT_NEAR(at(gs[1], i), at(gw, i), 1e-12);
  ReduceOptions ro;
  ro.axis = Axes::of({0, 2, 3});
  Array gb = sum(r, ro);
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(at(gs[2], i), at(gb, i), 1e-12);
  // <conv(x, w), r> == <x, grad_input(r, w)>: the adjoint identity
  double lhs = at(sum(ufunc2("multiply", nn::conv2d(x, w, {}, o), r)));
  double rhs = at(sum(ufunc2("multiply", x, gx)));
  EXPECT_NEAR(lhs, rhs, 1e-9);
}

TEST(NnConv, SecondOrderIsLinear) {
  // f(x) = sum(conv(x, w) * r) is linear in x: d/dw of sum(grad_x f * s) = grad_weight(r, s).
  const nn::Conv2dOptions o = conv_opts(1, 1);
  Array x = filled<double>({1, 2, 5, 5}, 1), w = filled<double>({3, 2, 3, 3}, 2);
  Array r = filled<double>({1, 3, 5, 5}, 3), s = filled<double>({1, 2, 5, 5}, 4);
  auto outer = autograd::grad([&](const std::vector<Array>& in) {
    auto inner = autograd::grad([&](const std::vector<Array>& in2) {
      return sum(ufunc2("multiply", nn::conv2d(in2[0], in2[1], {}, o), r));
    }, {in[0], in[1]});
    return sum(ufunc2("multiply", inner[0], s));
  }, {x, w});
  Array want = nn::conv2d_grad_weight(r, s, w.shape(), o);
  for (int64_t i = 0; i < w.size(); ++i) EXPECT_NEAR(at(outer[1], i), at(want, i), 1e-12);
}

TEST(NnConv, PoolsAndTies) {
  Array x = test::vec({1, 1, 0, 1, 1, 0, 2, 0, 2}, {1, 1, 3, 3});
  nn::Pool2dOptions o = pool_opts(2, 1, 0);
  auto [y, idx] = nn::max_pool2d_with_indices(x, o);
  EXPECT_EQ(y.shape(), Shape({1, 1, 2, 2}));
  const int64_t* ip = idx.data_as<int64_t>();
  EXPECT_EQ(ip[0], 0);  // first of four equal maxima
  EXPECT_EQ(ip[1], 1);
  EXPECT_EQ(ip[2], 6);
  EXPECT_EQ(ip[3], 8);
  auto g = autograd::grad([&](const std::vector<Array>& in) { return sum(nn::max_pool2d(in[0], o)); }, {x});
  const double want[] = {1, 1, 0, 0, 0, 0, 1, 0, 1};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(at(g[0], i), want[i]) << i;
  Array a = nn::avg_pool2d(x, pool_opts(3, 1, 1));  // zero padding counts: the corner sees 4 of 9
  EXPECT_NEAR(at(a, 0), 4.0 / 9.0, 1e-15);
  Array ga = nn::avg_pool2d_backward(test::vec({1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 3, 3}), {1, 1, 3, 3},
                                     pool_opts(3, 1, 1));
  EXPECT_NEAR(at(ga, 4), 1.0, 1e-15);  // the centre is in all nine windows
  EXPECT_NEAR(at(ga, 0), 4.0 / 9.0, 1e-15);
}

TEST(NnConv, PoolOptions) {
  // x = 0..24 in a 5x5 plane.
  std::vector<double> v(25);
  for (int i = 0; i < 25; ++i) v[i] = i;
  Array x = test::vec(v, {1, 1, 5, 5});
  // ceil_mode: 5 = 2 * 2 + 1 gives a third window (starting at 4, past the input's last pair).
  nn::Pool2dOptions o = pool_opts(2, 2, 0);
  o.ceil_mode = true;
  Array y = nn::max_pool2d(x, o);
  EXPECT_EQ(y.shape(), Shape({1, 1, 3, 3}));
  EXPECT_EQ(at(y, 8), 24.0);
  Array a = nn::avg_pool2d(x, o);  // the last window holds one element: divisor 1 (clipped at 5 + 0)
  EXPECT_NEAR(at(a, 8), 24.0, 1e-15);
  EXPECT_NEAR(at(a, 2), (4.0 + 9.0) / 2.0, 1e-15);
  // count_include_pad=false: the corner of a 3x3 window with padding 1 divides by its 4 elements.
  nn::Pool2dOptions q = pool_opts(3, 1, 1);
  q.count_include_pad = false;
  Array b = nn::avg_pool2d(x, q);
  EXPECT_NEAR(at(b, 0), (0.0 + 1 + 5 + 6) / 4.0, 1e-15);
  EXPECT_NEAR(at(b, 12), 12.0, 1e-15);
  // the backward op is the adjoint: <avg(x), r> == <x, avg_backward(r)>
  Array r = filled<double>({1, 1, 5, 5}, 3);
  Array gb = nn::avg_pool2d_backward(r, {1, 1, 5, 5}, q);
  double lhs = 0, rhs = 0;
  for (int i = 0; i < 25; ++i) lhs += at(b, i) * at(r, i), rhs += v[i] * at(gb, i);
  EXPECT_NEAR(lhs, rhs, 1e-10);
  // dilation 2, kernel 2: taps two apart; (5 - 3) / 1 + 1 = 3 outputs per axis.
  nn::Pool2dOptions d = pool_opts(2, 1, 0);
  d.dilation = {2, 2};
  auto [ym, idx] = nn::max_pool2d_with_indices(x, d);
  EXPECT_EQ(ym.shape(), Shape({1, 1, 3, 3}));
  EXPECT_EQ(at(ym, 0), 12.0);
  EXPECT_EQ(idx.data_as<int64_t>()[0], 12);
  // a dilated window with no input element: -inf, index -1
  Array one = test::vec({3.0}, {1, 1, 1, 1});
  nn::Pool2dOptions e = pool_opts(2, 1, 1);
  e.dilation = {2, 2};
  auto [ye, ie] = nn::max_pool2d_with_indices(one, e);
  EXPECT_TRUE(std::isinf(at(ye, 0)) && at(ye, 0) < 0);
  EXPECT_EQ(ie.data_as<int64_t>()[0], -1);
  // errors: avg has no dilation; padding over half the kernel; ceil_mode cannot make room for nothing
  EXPECT_THROW(nn::avg_pool2d(x, d), ValueError);
  nn::Pool2dOptions bad = pool_opts(2, 1, 2);
  bad.dilation = {3, 3};
  EXPECT_THROW(nn::max_pool2d(x, bad), ValueError);
  nn::Pool2dOptions big = pool_opts(8, 2, 0);
  big.ceil_mode = true;
  EXPECT_THROW(nn::max_pool2d(x, big), ValueError);
  big.kernel = {6, 6};  // 5 + 2 - 1 - 6 >= 0 with ceil: one output
  EXPECT_EQ(nn::max_pool2d(x, big).shape(), Shape({1, 1, 1, 1}));
}
