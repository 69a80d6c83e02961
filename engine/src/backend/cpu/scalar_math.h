// Scalar semantics of NumPy's ufuncs, one functor per ufunc, for every type NumPy has a loop for.
// Integer arithmetic wraps (through unsigned types, so no C++ undefined behaviour); float16 is
// computed in float32 and rounded once, as NumPy does.
#pragma once
#include <bit>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "minpy/dtype.h"
#include "fp_status.h"

namespace minpy::scalar {

template <class T> inline constexpr bool is_cplx = false;
template <class T> inline constexpr bool is_cplx<std::complex<T>> = true;
template <class T> inline constexpr bool is_int = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T> inline constexpr bool is_flt = std::is_floating_point_v<T> || std::is_same_v<T, float16>;
// float16 computes in float32.
template <class T> using calc_t = std::conditional_t<std::is_same_v<T, float16>, float, T>;

template <class T> struct real_of { using type = T; };
template <class T> struct real_of<std::complex<T>> { using type = T; };

// Conversion between any two element types with NumPy's (x86) results and no undefined behaviour.
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (is_cplx<From>) {
    if constexpr (is_cplx<To>) return To(static_cast<typename To::value_type>(v.real()),
                                         static_cast<typename To::value_type>(v.imag()));
    else if constexpr (std::is_same_v<To, bool>) return v.real() != 0 || v.imag() != 0;
    else return convert<To>(v.real());
  } else if constexpr (is_cplx<To>) {
    return To(convert<typename To::value_type>(v), 0);
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (is_flt<From> && is_int<To>) {
    // Out-of-range values and NaN raise the invalid flag as x86's conversions do for NumPy
    // ("invalid value encountered in cast"): types below 64 bits other than uint32 convert through
    // int32, int64 and uint32 through int64.
    double d = static_cast<double>(v);
    if constexpr (std::is_same_v<To, uint64_t>) {
      if (d >= 0 && d < 18446744073709551616.0) return static_cast<uint64_t>(d);
      if (d >= 18446744073709551616.0) {  // x86: (d - 2^63) converts to INT64_MIN, xor 2^63 gives 0
        cpu::fpstatus::raise_invalid();
        return 0;
      }
      if (d < 0 && d >= -9223372036854775808.0) return static_cast<uint64_t>(static_cast<int64_t>(d));
      cpu::fpstatus::raise_invalid();
      return uint64_t(1) << 63;
    } else {
      // x86 converts out-of-range and NaN to INT64_MIN; narrower types keep the low bits.
      bool in64 = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
      int64_t i = in64 ? static_cast<int64_t>(d) : INT64_MIN;
      if constexpr (sizeof(To) < 4 || (sizeof(To) == 4 && std::is_signed_v<To>)) {
        if (!(d >= -2147483648.0 && d < 2147483648.0)) {
          cpu::fpstatus::raise_invalid();
          return static_cast<To>(INT32_MIN);  // the int32 conversion's result, truncated
        }
      } else {
        if (!in64) cpu::fpstatus::raise_invalid();
      }
      return static_cast<To>(i);
    }
  } else if constexpr (std::is_same_v<To, float16>) {
    if constexpr (std::is_same_v<From, bool>) return float16(v ? 1.0f : 0.0f);
    else {
      double d = static_cast<double>(v);
      float16 r = static_cast<float16>(d);
      // The conversion routine raises no flag; NumPy reports "overflow encountered in cast".
      if constexpr (is_flt<From>)
        if (std::isinf(static_cast<float>(r)) && std::fabs(d) < __builtin_inf()) [[unlikely]] cpu::fpstatus::raise_overflow();
      return r;
    }
  } else if constexpr (std::is_same_v<From, float16>) {
    return convert<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

// ---- arithmetic -------------------------------------------------------------------------------
template <class T> inline T wrap_add(T a, T b) {
  if constexpr (is_int<T>) return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) + static_cast<std::make_unsigned_t<T>>(b));
  else if constexpr (std::is_same_v<T, bool>) return a || b;
  else return a + b;
}
template <class T> inline T wrap_sub(T a, T b) {
  if constexpr (is_int<T>) return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) - static_cast<std::make_unsigned_t<T>>(b));
  else return a - b;
}
template <class T> inline T wrap_mul(T a, T b) {
  if constexpr (is_int<T>) {
    using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else if constexpr (std::is_same_v<T, bool>) return a && b;
  else return a * b;
}
template <class T> inline T wrap_neg(T a) {
  if constexpr (is_int<T>) return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(a));
  else return -a;
}

// Python-style integer floor division and modulo; division by zero gives 0 (NumPy warns).
template <class T> inline T int_floordiv(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return wrap_neg(a);  // avoids INT_MIN / -1
    T q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  } else {
    return a / b;
  }
}
template <class T> inline T int_mod(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return 0;
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    return a % b;
  }
}
// A NaN test on the bits: raises no floating-point flag whatever the compiler makes of compares
// (the ufunc loops are compiled with -fno-trapping-math).
template <class T> inline bool quiet_isnan(T x) {
  if constexpr (sizeof(T) == 8) return (std::bit_cast<uint64_t>(x) & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull;
  else if constexpr (sizeof(T) == 4) return (std::bit_cast<uint32_t>(x) & 0x7FFFFFFFu) > 0x7F800000u;
  else return std::isnan(static_cast<float>(x));
}

// Float floor division and modulo with Python's rules (sign of the divisor, exact quotient rounding),
// for float and double (float16 computes in float), raising exactly NumPy's flags: floor_divide is
// a / b when b == 0, else divmod's quotient; remainder is fmod(a, b) when b == 0, else divmod's
// modulo (NumPy's remainder never forms the quotient: max % tiny does not overflow); divmod forms
// both. The ufunc loops are compiled with -fno-trapping-math, so the compiler may both drop an
// operation whose value is unused and evaluate one from a branch not taken, and -O1 and -O3 differ
// in which they do (fmod(a, 0) dropped at -O3 but run at -O1 raised "invalid" in floor_divide). So
// no operation's value goes unused, and the general case runs on inputs made harmless in the special
// cases (NaN, b == 0, infinite a: then 0 and 1), so it raises nothing there even when evaluated for
// them; the special cases' own operations (a / b, fmod(a, b)) raise, on the other inputs, no flag the
// general case does not raise too.
namespace divmod_detail {
template <class T> inline bool special(T a, T b) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  constexpr U kAbs = ~U(0) >> 1;
  constexpr U kInf = std::bit_cast<U>(std::numeric_limits<T>::infinity());
  U ua = std::bit_cast<U>(a) & kAbs, ub = std::bit_cast<U>(b) & kAbs;
  return ua >= kInf || ub > kInf || ub == 0;  // a infinite or NaN, b NaN or zero
}
// Python's modulo for finite a and b != 0 (b may be infinite) from fmod_ab = fmod(a, b): exact,
// raises nothing.
template <class T> inline T mod_general(T b, T fmod_ab) {
  T mod = fmod_ab;
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(T(0), b);
  }
  return mod;
}
// Python's floor division for finite a and b != 0 (b may be infinite), from fmod_ab = fmod(a, b).
// Raises overflow when the quotient overflows, underflow when it is zero and a / b underflows.
template <class T> inline T div_general(T a, T b, T fmod_ab) {
  T div = (a - fmod_ab) / b;
  if (fmod_ab != 0 && (b < 0) != (fmod_ab < 0)) div -= T(1);
  if (div != 0) {
    T floordiv = std::floor(div);
    if (div - floordiv > T(0.5)) floordiv += T(1);
    return floordiv;
  }
  return std::copysign(T(0), a / b);
}
// The NaN x86 arithmetic returns for a NaN operand (a's if a is one), chosen without arithmetic: an
// a + b the compiler evaluated for other inputs could overflow.
template <class T> inline T nan_of(T a, T b) { return quiet_isnan(a) ? a : b; }
template <class T> inline void harmless(bool sp, T a, T b, T& sa, T& sb) {
  sa = sp ? T(0) : a;
  sb = sp ? T(1) : b;
}
}  // namespace divmod_detail

template <class T> inline T float_floor_divide(T a, T b) {
  using namespace divmod_detail;
  bool sp = special(a, b);
  T sa, sb;
  harmless(sp, a, b, sa, sb);
  T q = div_general(sa, sb, std::fmod(sa, sb));
  if (sp) [[unlikely]] {
    if (quiet_isnan(a) || quiet_isnan(b)) return nan_of(a, b);  // NaN in, NaN out, no "invalid"
    if (b == 0) return a / b;  // +-inf (divide by zero) or NaN (0 / 0: invalid)
    return std::fmod(a, b);    // infinite a: NaN, "invalid"
  }
  return q;
}
template <class T> inline T float_remainder(T a, T b) {
  using namespace divmod_detail;
  bool sp = special(a, b);
  T sa, sb;
  harmless(sp, a, b, sa, sb);
  T m = mod_general(sb, std::fmod(sa, sb));
  if (sp) [[unlikely]] {
    if (quiet_isnan(a) || quiet_isnan(b)) return nan_of(a, b);
    return std::fmod(a, b);  // b == 0 or infinite a: NaN, "invalid"
  }
  return m;
}
template <class T> inline void float_divmod(T a, T b, T& floordiv, T& mod) {
  using namespace divmod_detail;
  bool sp = special(a, b);
  T sa, sb;
  harmless(sp, a, b, sa, sb);
  T f = std::fmod(sa, sb);
  T q = div_general(sa, sb, f), m = mod_general(sb, f);
  if (sp) [[unlikely]] {
    if (quiet_isnan(a) || quiet_isnan(b)) {
      floordiv = mod = nan_of(a, b);
      return;
    }
    mod = std::fmod(a, b);            // NaN, "invalid"
    floordiv = b == 0 ? a / b : mod;  // b == 0: a / b's flags too; infinite a: NaN
    return;
  }
  floordiv = q;
  mod = m;
}

template <class T> inline T int_pow(T base, T exp) {
  using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;
  U result = 1, b = static_cast<U>(base);
  auto e = exp;
  while (e > 0) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
    e >>= 1;
  }
  return static_cast<T>(result);
}

template <class T> inline T shift_left(T a, T b) {
  if (b < 0 || static_cast<uint64_t>(b) >= sizeof(T) * 8) return 0;
  return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) << b);
}
template <class T> inline T shift_right(T a, T b) {
  if (b < 0 || static_cast<uint64_t>(b) >= sizeof(T) * 8) return (std::is_signed_v<T> && a < 0) ? T(-1) : T(0);
  return static_cast<T>(a >> b);
}

// NumPy orders complex numbers lexicographically (real, then imaginary).
template <class T> inline bool cplx_less(T a, T b) {
  return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
}
template <class T> inline bool is_nan(T v) {
  if constexpr (is_cplx<T>) return std::isnan(v.real()) || std::isnan(v.imag());
  else if constexpr (is_flt<T>) return std::isnan(static_cast<calc_t<T>>(v));
  else return false;
}

}  // namespace minpy::scalar
