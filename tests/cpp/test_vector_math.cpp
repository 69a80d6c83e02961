// Accuracy of the vectorised elementary functions (backend/cpu/vector_math.h) through the ufunc
// loops: float32 over a dense sweep of all bit patterns (every 257th; MINPY_VMATH_EXHAUSTIVE=1 for
// all 2^32) against the double C library, float64 over random and special arguments against the
// long double C library; special values and the FP exception flags NumPy raises.
#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "minpy/fp_errors.h"
#include "minpy/ops.h"
#include "minpy/ufunc.h"

using namespace minpy;

namespace {

struct Fn {
  const char* name;
  double (*ref_d)(double);               // reference for float32
  long double (*ref_ld)(long double);    // reference for float64
  double lo, hi;                         // the interesting range for float64 samples
};
const Fn kFns[] = {
    {"exp", ::exp, ::expl, -750, 750},        {"exp2", ::exp2, ::exp2l, -1080, 1030},
    {"expm1", ::expm1, ::expm1l, -50, 710},   {"log", ::log, ::logl, 0, 4},
    {"log2", ::log2, ::log2l, 0, 4},          {"log10", ::log10, ::log10l, 0, 4},
    {"log1p", ::log1p, ::log1pl, -1, 4},      {"sin", ::sin, ::sinl, -20, 20},
    {"cos", ::cos, ::cosl, -20, 20},          {"tanh", ::tanh, ::tanhl, -25, 25},
    {"sinh", ::sinh, ::sinhl, -712, 712},     {"cosh", ::cosh, ::coshl, -712, 712},
    {"arctan", ::atan, ::atanl, -5, 5},
};

// Error of y in units of the last place of the format T at the exact value ref (0 when both are the
// same NaN/infinity; infinite when y is wrongly non-finite).
template <class T> long double ulp_error(T y, long double ref) {
  if (std::isnan(ref)) return std::isnan(y) ? 0 : INFINITY;
  if (std::isnan(y)) return INFINITY;
  constexpr int kMant = std::numeric_limits<T>::digits;  // 24 or 53
  const long double max = std::numeric_limits<T>::max();
  const long double top_ulp = std::ldexp(1.0L, std::numeric_limits<T>::max_exponent - kMant);
  if (std::fabs(ref) >= max + top_ulp / 2) return (std::isinf(y) && std::signbit(y) == std::signbit(ref)) ? 0 : INFINITY;
  if (std::isinf(y)) return INFINITY;
  int e;
  std::frexp(ref, &e);  // |ref| in [2^(e-1), 2^e)
  e = std::max(e, std::numeric_limits<T>::min_exponent);
  long double ulp = std::ldexp(1.0L, e - kMant);
  return std::fabs(static_cast<long double>(y) - ref) / ulp;
}

template <class T> Array make(const std::vector<T>& v) {
  Array a = Array::empty({static_cast<int64_t>(v.size())}, std::is_same_v<T, float> ? DType::Float32 : DType::Float64);
  std::memcpy(a.data_as<T>(), v.data(), v.size() * sizeof(T));
  return a;
}
template <class T> std::vector<T> run(const char* fn, const std::vector<T>& v) {
  Array r = ufunc1(fn, make(v));
  const T* p = r.data_as<T>();
  return std::vector<T>(p, p + v.size());
}

struct Worst { long double err = 0; double at = 0; };

template <class T> void check(const Fn& f, const std::vector<T>& xs, Worst& w) {
  std::vector<T> ys = run<T>(f.name, xs);
  for (size_t i = 0; i < xs.size(); ++i) {
    long double ref = std::is_same_v<T, float> ? static_cast<long double>(f.ref_d(static_cast<double>(xs[i])))
                                               : f.ref_ld(static_cast<long double>(xs[i]));
    long double err = ulp_error(ys[i], ref);
    if (err > w.err) w = {err, static_cast<double>(xs[i])};
  }
}

// a[::2] of a 1-d array.
Array every_other(const Array& a) {
  int64_t item = a.dtype() == DType::Float32 ? 4 : 8;
  return a.view({(a.shape()[0] + 1) / 2}, {2 * item}, 0);
}

const char* env(const char* k) { return std::getenv(k); }

}  // namespace

// Bounds asserted (measured maxima are printed): float32 kernels evaluate in float arithmetic; the
// bounds sit above their maxima over all 2^32 arguments (tools/vmath_exhaustive.cpp: exp2 0.88,
// exp 1.10, log2 1.15, log10 0.95, log1p 0.96, arctan 1.22, sin/cos 1.54, cosh 1.54, sinh 1.62,
// expm1 1.62, log 1.97, tanh 2.50); float64 exp, exp2 and log within 2 ulp, the others within 3
// (all measure below 2.5).
TEST(VectorMath, Float32SweepWithinBound) {
  const uint64_t step = env("MINPY_VMATH_EXHAUSTIVE") ? 1 : 257;
  const char* only = env("MINPY_VMATH_ONLY");
  for (const Fn& f : kFns) {
    if (only && std::string(only) != f.name) continue;
    Worst w;
    std::vector<float> xs;
    xs.reserve(1 << 20);
    for (uint64_t b = 0; b < (1ull << 32); b += step) {
      uint32_t u = static_cast<uint32_t>(b);
      float x;
      std::memcpy(&x, &u, 4);
      xs.push_back(x);
      if (xs.size() == (1u << 20)) { check(f, xs, w); xs.clear(); }
    }
    check(f, xs, w);
    std::printf("  float32 %-7s max %.3Lf ulp (at %.9g)\n", f.name, w.err, w.at);
    const std::string nm = f.name;
    long double bound = nm == "exp2" ? 1.0L
                        : (nm == "exp" || nm == "log2" || nm == "log10" || nm == "log1p" || nm == "arctan") ? 1.5L
                        : nm == "tanh" ? 3.0L
                                       : 2.0L;
    EXPECT_LE(w.err, bound) << f.name << " at " << w.at;
  }
}

TEST(VectorMath, Float64SamplesWithinBound) {
  std::mt19937_64 rng(12345);
  const size_t n = env("MINPY_VMATH_EXHAUSTIVE") ? (1u << 24) : (1u << 17);
  for (const Fn& f : kFns) {
    std::vector<double> xs;
    // Random bit patterns (all magnitudes), the interesting range, and near 0.
    for (size_t i = 0; i < n; ++i) {
      uint64_t u = rng();
      double x;
      std::memcpy(&x, &u, 8);
      xs.push_back(x);
    }
    std::uniform_real_distribution<double> in(f.lo, f.hi), small(-1e-3, 1e-3);
    for (size_t i = 0; i < n; ++i) xs.push_back(in(rng));
    for (size_t i = 0; i < n / 4; ++i) xs.push_back(small(rng));
    // sin/cos: the arguments nearest to multiples of pi/2 up to the vector reduction's limit and
    // beyond it (the C library's reduction), where cancellation is worst.
    if (f.name[0] == 's' || f.name[0] == 'c') {
      std::uniform_int_distribution<int64_t> kd(1, 1 << 22);
      for (size_t i = 0; i < n / 4; ++i) {
        double x = static_cast<double>(kd(rng) * (3.14159265358979323846264338327950288L / 2));
        xs.push_back(x);
        xs.push_back(std::nextafter(x, 0.0));
        xs.push_back(std::nextafter(x, 1e300));
      }
      std::uniform_real_distribution<double> huge(-1e300, 1e300);
      for (size_t i = 0; i < n / 8; ++i) xs.push_back(huge(rng));
    }
    Worst w;
    check(f, xs, w);
    std::printf("  float64 %-7s max %.3Lf ulp (at %.17g)\n", f.name, w.err, w.at);
    const std::string nm = f.name;
    long double bound = (nm == "exp" || nm == "exp2" || nm == "log") ? 2.0L : 3.0L;
    EXPECT_LE(w.err, bound) << f.name << " at " << w.at;
  }
}

// Exact results NumPy gives at exact arguments, through the vector loop (a long contiguous array)
// and the per-element path (strided): log2(2^k) = k, log10(10^k) = k for the powers of 10 float32
// holds, exp2(k) = 2^k, and the zeros and ones of the others.
TEST(VectorMath, Float32ExactCases) {
  struct Case { const char* fn; std::vector<float> x, want; };
  std::vector<Case> cases(3);
  cases[0].fn = "log2";
  cases[1].fn = "log10";
  cases[2].fn = "exp2";
  for (int k = -149; k <= 127; ++k) {
    cases[0].x.push_back(std::ldexp(1.0f, k));
    cases[0].want.push_back(static_cast<float>(k));
    cases[2].x.push_back(static_cast<float>(k));
    cases[2].want.push_back(std::ldexp(1.0f, k));
  }
  float p10 = 1.0f;
  for (int k = 0; k <= 10; ++k, p10 *= 10.0f) {
    cases[1].x.push_back(p10);  // 10^k exactly (5^10 < 2^24)
    cases[1].want.push_back(static_cast<float>(k));
  }
  cases.push_back({"sin", {0.0f, -0.0f}, {0.0f, -0.0f}});
  cases.push_back({"cos", {0.0f, -0.0f}, {1.0f, 1.0f}});
  cases.push_back({"sinh", {0.0f, -0.0f}, {0.0f, -0.0f}});
  cases.push_back({"cosh", {0.0f, -0.0f}, {1.0f, 1.0f}});
  cases.push_back({"arctan", {0.0f, -0.0f}, {0.0f, -0.0f}});
  cases.push_back({"expm1", {0.0f, -0.0f}, {0.0f, -0.0f}});
  cases.push_back({"log1p", {0.0f, -0.0f}, {0.0f, -0.0f}});
  for (const Case& c : cases) {
    for (int strided = 0; strided < 2; ++strided) {
      std::vector<float> xs;
      for (int rep = 0; rep < 40; ++rep)  // long enough for whole vector blocks
        for (float v : c.x) xs.insert(xs.end(), {v, v});
      Array a = make(xs);
      Array in = strided ? every_other(a) : a;
      Array r = ufunc1(c.fn, in);
      const float* y = r.data_as<float>();
      for (size_t i = 0; i < static_cast<size_t>(r.shape()[0]); ++i) {
        size_t j = strided ? i % c.x.size() : (i / 2) % c.x.size();
        float want = c.want[j];
        ASSERT_EQ(std::memcmp(&y[i], &want, 4), 0) << c.fn << "(" << c.x[j] << ") = " << y[i] << ", want " << want
                                                   << (strided ? " strided" : "");
      }
    }
  }
}

// Special arguments give the C library's value exactly (sign of zero, infinities, NaN), through the
// contiguous loop and a strided one (the per-element path).
TEST(VectorMath, SpecialValuesExact) {
  const double dmin = std::numeric_limits<double>::min(), dden = std::numeric_limits<double>::denorm_min();
  std::vector<double> sp = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 10.0, 100.0, 1000.0, 1e-300, dmin, -dmin, dden, -dden,
                            INFINITY, -INFINITY, NAN, -NAN, 709.782712893384, 709.7827128933841, -745.1332191019411,
                            -745.1332191019412, 710.4758600739439, 710.475860073944, 1024.0, -1074.0, -1075.0,
                            88.72283, 88.72284, 89.41598, 89.416, -103.97208, 1e300, -1e300, 0x1p19, -0x1p19,
                            std::nextafter(0x1p19, 0.0), 0x1p19 + 1, 1e22, 3.14159265358979312, 1.5707963267948966};
  for (const Fn& f : kFns) {
    for (int dt = 0; dt < 2; ++dt) {
      for (int strided = 0; strided < 2; ++strided) {
        std::vector<double> xs;
        for (double v : sp) xs.insert(xs.end(), {v, v});  // strided takes every other element
        Array a = make(xs);
        if (dt == 0) a = astype(a, DType::Float32);
        Array in = strided ? every_other(a) : a;
        Array r = astype(ufunc1(f.name, in), DType::Float64);
        Array x64 = astype(in, DType::Float64);
        for (size_t i = 0; i < (strided ? sp.size() : xs.size()); ++i) {
          double x = x64.data_as<double>()[i], y = r.data_as<double>()[i];
          long double ref = dt == 0 ? static_cast<long double>(static_cast<float>(f.ref_d(x))) : f.ref_ld(x);
          if (dt == 1) ref = static_cast<double>(ref);
          SCOPED_TRACE(std::string(f.name) + (dt ? " f64 " : " f32 ") + (strided ? "strided " : "") + std::to_string(x));
          if (std::isnan(ref)) { EXPECT_TRUE(std::isnan(y)); continue; }
          if (std::isinf(ref) || ref == 0) {
            EXPECT_EQ(y, ref);
            EXPECT_EQ(std::signbit(y), std::signbit(ref));
            continue;
          }
          if (dt == 0) EXPECT_LE(ulp_error(static_cast<float>(y), ref), 3.0L);
          else EXPECT_LE(ulp_error(y, ref), 3.0L);
        }
      }
    }
  }
}

// The flags NumPy's loops raise (overflow, invalid, divide by zero) and no others, for arguments
// that raise one and for ordinary arguments (including NaN) that must raise none.
TEST(VectorMath, FloatingPointFlags) {
  struct Case { const char* fn; double x; int flag; };
  const Case cases[] = {
      {"exp", 800, FE_OVERFLOW},   {"exp", INFINITY, 0},       {"exp", -INFINITY, 0},     {"exp", NAN, 0},
      {"exp", 1.0, 0},             {"exp2", 2000, FE_OVERFLOW}, {"exp2", INFINITY, 0},    {"expm1", 800, FE_OVERFLOW},
      {"expm1", INFINITY, 0},      {"expm1", -INFINITY, 0},    {"log", 0.0, FE_DIVBYZERO}, {"log", -0.0, FE_DIVBYZERO},
      {"log", -1.0, FE_INVALID},   {"log", -INFINITY, FE_INVALID}, {"log", NAN, 0},       {"log", INFINITY, 0},
      {"log2", 0.0, FE_DIVBYZERO}, {"log10", -2.0, FE_INVALID}, {"log1p", -1.0, FE_DIVBYZERO},
      {"log1p", -2.0, FE_INVALID}, {"log1p", NAN, 0},          {"log1p", INFINITY, 0},    {"sin", INFINITY, FE_INVALID},
      {"cos", -INFINITY, FE_INVALID}, {"sin", NAN, 0},         {"sin", 1e10, 0},          {"cos", 3.0, 0},
      {"tanh", INFINITY, 0},       {"tanh", NAN, 0},           {"sinh", 800, FE_OVERFLOW}, {"sinh", -800, FE_OVERFLOW},
      {"cosh", -800, FE_OVERFLOW}, {"sinh", INFINITY, 0},      {"cosh", NAN, 0},          {"arctan", INFINITY, 0},
      {"arctan", NAN, 0},
  };
  // The ufunc reads the hardware flags around its loop and reports them (NumPy's bit values) to
  // the errstate machinery; a Capture collects them here.
  auto numpy_bits = [](int fe) {
    return (fe & FE_DIVBYZERO ? fperr::kDivide : 0) | (fe & FE_OVERFLOW ? fperr::kOverflow : 0) |
           (fe & FE_INVALID ? fperr::kInvalid : 0);
  };
  for (const Case& c : cases) {
    for (int dt = 0; dt < 2; ++dt) {
      for (int strided = 0; strided < 2; ++strided) {
        Array a = make(std::vector<double>(64, c.x));
        if (dt == 0) a = astype(a, DType::Float32);
        Array in = strided ? every_other(a) : a;
        fperr::Capture captured;
        Array r = ufunc1(c.fn, in);
        int got = captured.flags() & ~fperr::kUnderflow;
        EXPECT_EQ(got, numpy_bits(c.flag)) << c.fn << "(" << c.x << ") " << (dt ? "f64" : "f32") << (strided ? " strided" : "");
      }
    }
  }
}

// In place (out aliases the input) gives the same values, including blocks with arguments left to
// the C library.
TEST(VectorMath, InPlaceMatches) {
  std::vector<double> v;
  for (int i = 0; i < 3000; ++i) v.push_back(i % 7 == 0 ? 1e7 + i : (i - 1500) * 0.37);
  for (const char* fn : {"sin", "cos", "exp", "log1p"}) {
    Array a = make(v);
    Array expect = ufunc1(fn, a);
    UfuncOptions opt;
    opt.out = {a};
    call_ufunc(get_ufunc(fn), {a}, opt);
    for (size_t i = 0; i < v.size(); ++i) {
      double e = expect.data_as<double>()[i], g = a.data_as<double>()[i];
      if (std::isnan(e)) EXPECT_TRUE(std::isnan(g));
      else EXPECT_EQ(e, g) << fn << " " << v[i];
    }
  }
}
