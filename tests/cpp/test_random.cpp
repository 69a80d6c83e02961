// C++ tests of minpy/random.h: Philox known answers, the stream layout, reproducibility across
// thread counts, ranges and argument validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "minpy/errors.h"
#include "minpy/ops.h"
#include "minpy/random.h"
#include "minpy/threading.h"

using namespace minpy;

namespace {
Array scalar_i64(int64_t v) {
  Array a = Array::empty({}, DType::Int64);
  *a.data_as<int64_t>() = v;
  return a;
}
Array scalar_f64(double v) {
  Array a = Array::empty({}, DType::Float64);
  *a.data_as<double>() = v;
  return a;
}
Array vec_f64(std::initializer_list<double> v) {
  Array a = Array::empty({static_cast<int64_t>(v.size())}, DType::Float64);
  int i = 0;
  for (double x : v) a.data_as<double>()[i++] = x;
  return a;
}
bool same_bytes(const Array& a, const Array& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}
}  // namespace

TEST(Philox, KnownAnswerVectors) {
  // Random123 (Salmon et al., SC'11) kat_vectors for philox4x64-10.
  using C = std::array<uint64_t, 4>;
  EXPECT_EQ(philox4x64_10({0, 0, 0, 0}, {0, 0}),
            (C{0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL}));
  const uint64_t m = ~uint64_t(0);
  EXPECT_EQ(philox4x64_10({m, m, m, m}, {m, m}),
            (C{0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL}));
  EXPECT_EQ(philox4x64_10({0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL},
                          {0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL}),
            (C{0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL, 0x57bd43b5e52b7fe6ULL}));
}

TEST(Random, UniformLayoutIs53BitsOfEachWord) {
  RandomGenerator g(12345);
  Array u = g.random({10});
  EXPECT_EQ(g.counter(), 3u);  // ceil(10 / 4) blocks
  for (int i = 0; i < 10; ++i) {
    auto w = philox4x64_10({static_cast<uint64_t>(i / 4), 0, 0, 0}, {12345, 0});
    EXPECT_EQ(u.data_as<double>()[i], static_cast<double>(w[i % 4] >> 11) * 0x1.0p-53);
  }
  Array f = g.random({9}, DType::Float32);
  EXPECT_EQ(g.counter(), 5u);  // ceil(9 / 8) more blocks
  auto w = philox4x64_10({3, 0, 0, 0}, {12345, 0});
  EXPECT_EQ(f.data_as<float>()[0], static_cast<float>((w[0] >> 32) >> 8) * 0x1.0p-24f);
  EXPECT_EQ(f.data_as<float>()[1], static_cast<float>((w[0] & 0xffffffffu) >> 8) * 0x1.0p-24f);
}

TEST(Random, ReproducibleAndSeedDependent) {
  RandomGenerator a(7), b(7), c(8);
  EXPECT_TRUE(same_bytes(a.random({100}), b.random({100})));
  EXPECT_TRUE(same_bytes(a.standard_normal({33}), b.standard_normal({33})));
  EXPECT_FALSE(same_bytes(a.random({100}), c.random({100})));
  RandomGenerator d(1, 2, 0), e(1, 2, 0);
  d.random({5});
  e.set_state(1, 2, d.counter());
  EXPECT_TRUE(same_bytes(d.random({8}), e.random({8})));
}

TEST(Random, IndependentOfThreadCount) {
  int saved = num_threads();
  auto draw = [] {
    RandomGenerator g(99);
    std::vector<Array> out;
    out.push_back(g.random({100003}));
    out.push_back(g.random({100005}, DType::Float32));
    out.push_back(g.standard_normal({100007}));
    out.push_back(g.normal(vec_f64({0.0, 5.0, -5.0}), scalar_f64(2.0), Shape{40001, 3}));
    out.push_back(g.integers(scalar_i64(-3), scalar_i64(1000), DType::Int16, Shape{100001}));
    out.push_back(g.binomial(scalar_i64(300), scalar_f64(0.4), Shape{100001}));
    out.push_back(g.permutation(5000));
    return out;
  };
  set_num_threads(1);
  auto one = draw();
  set_num_threads(3);
  auto three = draw();
  set_num_threads(saved);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(same_bytes(one[i], three[i])) << "draw " << i;
}

TEST(Random, RangesAndMoments) {
  RandomGenerator g(3);
  const int64_t n = 200000;
  Array u = g.random({n});
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = u.data_as<double>()[i];
    ASSERT_TRUE(v >= 0.0 && v < 1.0);
    sum += v;
  }
  EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  Array z = g.standard_normal({n});
  double s1 = 0, s2 = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = z.data_as<double>()[i];
    s1 += v;
    s2 += v * v;
  }
  EXPECT_NEAR(s1 / n, 0.0, 5 / std::sqrt(double(n)));
  EXPECT_NEAR(s2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  Array k = g.integers(scalar_i64(-2), scalar_i64(3), DType::Int8, Shape{n});
  std::set<int> seen;
  for (int64_t i = 0; i < n; ++i) seen.insert(k.data_as<int8_t>()[i]);
  EXPECT_EQ(seen, (std::set<int>{-2, -1, 0, 1, 2}));
  Array full = g.integers(scalar_i64(INT64_MIN), scalar_i64(INT64_MAX), DType::Int64, Shape{1000}, true);
  EXPECT_EQ(full.size(), 1000);
  Array b = g.binomial(scalar_i64(1000), scalar_f64(0.3), Shape{n});
  double bs = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = b.data_as<int64_t>()[i];
    ASSERT_TRUE(v >= 0 && v <= 1000);
    bs += static_cast<double>(v);
  }
  EXPECT_NEAR(bs / n, 300.0, 5 * std::sqrt(210.0 / n));
}

TEST(Random, PermutationAndShuffle) {
  RandomGenerator g(5);
  Array p = g.permutation(1000);
  std::set<int64_t> s(p.data_as<int64_t>(), p.data_as<int64_t>() + 1000);
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_EQ(*s.begin(), 0);
  EXPECT_EQ(*s.rbegin(), 999);
  Array x = Array::empty({50, 2}, DType::Int32);
  for (int i = 0; i < 100; ++i) x.data_as<int32_t>()[i] = i;
  g.shuffle(x);
  std::set<int> rows;
  for (int r = 0; r < 50; ++r) {
    int a = x.data_as<int32_t>()[2 * r], b = x.data_as<int32_t>()[2 * r + 1];
    EXPECT_EQ(b, a + 1);  // rows move whole
    rows.insert(a);
  }
  EXPECT_EQ(rows.size(), 50u);
  Array k = g.sample_without_replacement(1'000'000'000, 20);  // sparse path
  std::set<int64_t> ks(k.data_as<int64_t>(), k.data_as<int64_t>() + 20);
  EXPECT_EQ(ks.size(), 20u);
}

TEST(Random, ValidationMatchesNumPy) {
  RandomGenerator g(1);
  EXPECT_THROW(g.random({-1}), ValueError);
  EXPECT_THROW(g.random({3}, DType::Int32), TypeError);
  EXPECT_THROW(g.normal(scalar_f64(0), scalar_f64(-1)), ValueError);
  EXPECT_THROW(g.uniform(scalar_f64(0), scalar_f64(INFINITY)), OverflowError);
  EXPECT_THROW(g.uniform(scalar_f64(2), scalar_f64(1), std::nullopt, false), ValueError);
  EXPECT_THROW(g.integers(scalar_i64(5), scalar_i64(5)), ValueError);
  EXPECT_THROW(g.integers(scalar_i64(0), scalar_i64(300), DType::Int8), ValueError);
  EXPECT_THROW(g.integers(scalar_i64(-1), scalar_i64(3), DType::UInt8), ValueError);
  EXPECT_THROW(g.integers(scalar_i64(0), scalar_i64(3), DType::Float64), TypeError);
  EXPECT_THROW(g.binomial(scalar_i64(-1), scalar_f64(0.5)), ValueError);
  EXPECT_THROW(g.binomial(scalar_i64(1), scalar_f64(NAN)), ValueError);
  EXPECT_THROW(g.normal(vec_f64({0, 1}), scalar_f64(1), Shape{3}), ValueError);  // shape mismatch
  EXPECT_THROW(g.permutation(scalar_f64(1)), IndexError);
  EXPECT_THROW(g.shuffle(scalar_f64(1)), TypeError);
  EXPECT_THROW(g.sample_without_replacement(3, 4), ValueError);
  uint64_t before = g.counter();
  EXPECT_THROW(g.normal(scalar_f64(0), scalar_f64(-1), Shape{10}), ValueError);
  EXPECT_EQ(g.counter(), before);  // a rejected call consumes nothing
}
