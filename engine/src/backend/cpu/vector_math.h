// exp and log for float64 written so that the compiler vectorises them (no calls, no branches:
// special cases are selects). Cody-Waite range reduction plus a polynomial; about 1 ulp, checked
// against NumPy in tests/python/test_ufuncs.py. float32/float16 evaluate through these in double.
#pragma once
#include <bit>
#include <cstdint>

namespace minpy::vmath {

// NaN on the bits (no flag; float compares on NaN may be signalling ones under -fno-trapping-math).
inline bool bits_nan(double x) {
  return (std::bit_cast<uint64_t>(x) & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull;
}

inline double exp(double x_in) {
  const bool nan = bits_nan(x_in);
  const double x = nan ? 0.0 : x_in;
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  // The status flags must be NumPy's (np.errstate): NaN is computed as 0 (no compare sees it, so
  // no "invalid"), and +-inf are reduced as 0 so that only finite arguments overflow or underflow
  // (exp(inf) = inf and exp(-inf) = 0 are exact).
  double xc = x > 709.8 ? 709.8 : (x < -745.2 ? -745.2 : x);
  xc = __builtin_fabs(x) == __builtin_inf() ? 0.0 : xc;
  double kd = xc * kLog2e + kShift;
  int64_t k = static_cast<int64_t>(std::bit_cast<uint64_t>(kd) & 0xFFFFFFFFull) - 0x80000000ll;
  kd -= kShift;
  double r = (xc - kd * kLn2Hi) - kd * kLn2Lo;
  // exp(r) on |r| <= ln2/2: Taylor series to r^13 (error below 2^-60 relative).
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // Scale by 2^k in two steps so subnormal results and k = 1024 stay exact.
  int64_t k1 = k / 2, k2 = k - k1;
  double s1 = std::bit_cast<double>(static_cast<uint64_t>(k1 + 1023) << 52);
  double s2 = std::bit_cast<double>(static_cast<uint64_t>(k2 + 1023) << 52);
  double y = p * s1 * s2;
  y = x > 709.782712893384 ? __builtin_inf() : y;
  y = x < -745.1332191019412 ? 0.0 : y;
  return nan ? x_in : y;
}

inline double log(double x_in) {
  const bool nan = bits_nan(x_in);
  const double x = nan ? 1.0 : x_in;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kSqrt2 = 1.4142135623730951;
  // Subnormals are scaled into the normal range first.
  // Flags as NumPy's log raises them: NaN computed as 1 (raises nothing), "divide by zero" for
  // +-0 and "invalid" for negative arguments, each computed only in the lanes it concerns.
  // Subnormals (and +0) are scaled into the normal range without a multiplication (which the
  // compiler may evaluate in every lane, overflowing huge ones): their mantissa bits as an integer
  // are the value times 2^1074, converted exactly.
  uint64_t bits0 = std::bit_cast<uint64_t>(x);
  bool sub = (bits0 >> 52) == 0;
  double xm = static_cast<double>(static_cast<int64_t>(bits0 & 0x000FFFFFFFFFFFFFull));
  uint64_t bits = std::bit_cast<uint64_t>(sub ? xm : x);
  double e = static_cast<double>(static_cast<int64_t>((bits >> 52) & 0x7FF)) - 1023.0 - (sub ? 1074.0 : 0.0);
  double m = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);  // [1, 2)
  double big = m > kSqrt2 ? 1.0 : 0.0;
  m = m * (1.0 - 0.5 * big);
  e = e + big;
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: odd series to s^21.
  double s = (m - 1.0) / (m + 1.0);
  double z = s * s;
  double p = 2.0 / 21.0;
  p = p * z + 2.0 / 19.0;
  p = p * z + 2.0 / 17.0;
  p = p * z + 2.0 / 15.0;
  p = p * z + 2.0 / 13.0;
  p = p * z + 2.0 / 11.0;
  p = p * z + 2.0 / 9.0;
  p = p * z + 2.0 / 7.0;
  p = p * z + 2.0 / 5.0;
  p = p * z + 2.0 / 3.0;
  double ed = e;
  // 2s + s*z*p, with the big term added last for accuracy.
  double y = ed * kLn2Hi + ((ed * kLn2Lo + s * z * p) + 2.0 * s);
  y = x == __builtin_inf() ? x : y;
  // (The operands depend on x so that the compiler cannot fold the flag-raising operations.)
  double zero_div = -1.0 / (x == 0.0 ? __builtin_fabs(x) : 1.0);       // -inf, "divide" where x == 0
  double neg_nan = __builtin_sqrt(x < 0.0 ? x : 1.0);  // NaN, "invalid" where x < 0
  y = x == 0.0 ? zero_div : y;
  y = x < 0.0 ? neg_nan : y;
  return nan ? x_in : y;
}

}  // namespace minpy::vmath
