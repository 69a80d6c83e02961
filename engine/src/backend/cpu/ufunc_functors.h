// One functor per native ufunc: `apply<R>(args...)` gives NumPy's value for one element.
// The loops that instantiate them (which input/output types exist) come from ufunc_loops.inc.
#pragma once
#include <atomic>

#include "scalar_math.h"
#include "vector_math.h"

namespace minpy::cpu {

// Set by kernels that meet a value NumPy rejects (negative integer powers).
inline std::atomic<int> g_kernel_error{0};
enum KernelError { kNone = 0, kNegativeIntPower = 1 };

namespace fn {
using namespace minpy::scalar;

// NumPy's complex arithmetic. The product is what its vectorised loop computes on x86 with FMA3
// (fused multiply-add/sub of the real parts against the rounded imaginary products), with no C99
// Annex G recovery of infinities as std::complex's operator* does; the quotient is Smith's.
template <class C> inline C cmul(C a, C b) {
  return C(std::fma(a.real(), b.real(), -(a.imag() * b.imag())), std::fma(a.real(), b.imag(), a.imag() * b.real()));
}
// The product inside NumPy's npy_cpow (repeated squaring): plain, each product rounded, so an
// overflowing factor gives inf - inf = nan where the fused form above keeps a finite term.
template <class C> inline C cmul_plain(C a, C b) {
  return C(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
}
template <class C> inline C cdiv(C a, C b) {
  using F = typename C::value_type;
  F br = b.real(), bi = b.imag();
  if (std::fabs(br) >= std::fabs(bi)) {
    if (br == 0 && bi == 0) return C(a.real() / std::fabs(br), a.imag() / std::fabs(br));
    F rat = bi / br, scl = F(1) / (br + bi * rat);
    return C((a.real() + a.imag() * rat) * scl, (a.imag() - a.real() * rat) * scl);
  }
  F rat = br / bi, scl = F(1) / (bi + br * rat);
  return C((a.real() * rat + a.imag()) * scl, (a.imag() * rat - a.real()) * scl);
}
// |z| as NumPy's vectorised loop computes it: larger * sqrt(fma(r, r, 1)), r = smaller / larger,
// with an infinite part winning over NaN. (std::hypot rounds differently in the last bit.)
template <class C> inline typename C::value_type cabs(C z) {
  using F = typename C::value_type;
  F re = std::fabs(z.real()), im = std::fabs(z.imag());
  if (std::isinf(re) || std::isinf(im)) return std::numeric_limits<F>::infinity();
  if (std::isnan(re) || std::isnan(im)) return std::numeric_limits<F>::quiet_NaN();
  F larger = std::max(re, im), smaller = std::min(re, im);
  F r = larger == 0 ? F(0) : smaller / larger;
  return std::sqrt(std::fma(r, r, F(1))) * larger;
}
// NumPy's complex power: exact special cases for b == 0, a == 0 and small integral real exponents
// (repeated squaring), the C library's cpow otherwise.
template <class C> inline C cpow(C a, C b) {
  using F = typename C::value_type;
  if (b.real() == 0 && b.imag() == 0) return C(1, 0);
  if (a.real() == 0 && a.imag() == 0) {
    if (b.real() > 0) return C(0, 0);  // NumPy ignores the imaginary part of b here
    cpu::fpstatus::raise_invalid();     // NumPy computes this NaN as inf - inf
    return C(NAN, NAN);
  }
  F br = b.real();
  if (b.imag() == 0 && std::fabs(br) < 100 && br == std::trunc(br)) {
    int64_t n = static_cast<int64_t>(br);
    if (n == 1) return a;
    if (n == 2) return cmul(a, a);
    if (n == 3) return cmul(cmul(a, a), a);
    uint64_t e = static_cast<uint64_t>(n < 0 ? -n : n);
    C acc(1, 0), p = a;
    for (uint64_t mask = 1;; mask <<= 1) {
      if (e & mask) acc = cmul_plain(acc, p);
      if (e < (mask << 1)) break;
      p = cmul_plain(p, p);
    }
    return n < 0 ? cdiv(C(1, 0), acc) : acc;
  }
  return std::pow(a, b);
}

// NumPy's complex expm1 and log1p formulas (NumPy's results, including where they lose precision
// or overflow early, e.g. log1p of huge values goes through hypot and gives inf).
template <class C> inline C cexpm1(C x) {
  auto h = std::sin(x.imag() / 2);
  return C(std::expm1(x.real()) * std::cos(x.imag()) - 2 * h * h, std::exp(x.real()) * std::sin(x.imag()));
}
template <class C> inline C clog1p(C x) {
  auto re = x.real() + 1;
  return C(std::log(std::hypot(re, x.imag())), std::atan2(x.imag(), re));
}

// Real loops of these go through vector_math.h: vectorised kernels for ordinary arguments, the C
// library for the others (so values at special arguments and FP exception flags are the C
// library's). `contig` is the whole-array entry the unary loop uses for contiguous float32/float64;
// `apply` (strided loops, float16) computes the same values one element at a time.
#define MINPY_VMATH_FN(NAME, KERNEL, EXPR_CPLX)                                           \
  struct NAME {                                                                           \
    template <class R, class A> static R apply(A a) {                                     \
      if constexpr (is_cplx<A>) { auto x = a; return R(EXPR_CPLX); }                     \
      else return static_cast<R>(vmath::apply1<vmath::k::KERNEL>(static_cast<calc_t<A>>(a))); \
    }                                                                                     \
    template <class A, class R>                                                           \
      requires(std::is_same_v<A, R> && (std::is_same_v<A, float> || std::is_same_v<A, double>)) \
    static void contig(const A* a, R* r, int64_t n) { vmath::apply_n<vmath::k::KERNEL>(a, r, n); } \
  };
// Helpers that evaluate a real function in float32 for float16 inputs.
#define MINPY_REAL_FN(NAME, EXPR_REAL, EXPR_CPLX)                       \
  struct NAME {                                                         \
    template <class R, class A> static R apply(A a) {                   \
      if constexpr (is_cplx<A>) { auto x = a; return R(EXPR_CPLX); }    \
      else { calc_t<A> x = static_cast<calc_t<A>>(a); return static_cast<R>(EXPR_REAL); } \
    }                                                                   \
  };
MINPY_REAL_FN(sqrt, std::sqrt(x), std::sqrt(x))
MINPY_REAL_FN(cbrt, std::cbrt(x), x)
MINPY_VMATH_FN(exp, Exp, std::exp(x))
MINPY_VMATH_FN(exp2, Exp2, std::exp(x * typename decltype(x)::value_type(M_LN2)))
MINPY_VMATH_FN(expm1, Expm1, cexpm1(x))
MINPY_VMATH_FN(log, Log, std::log(x))
MINPY_VMATH_FN(log2, Log2, std::log(x) * typename decltype(x)::value_type(M_LOG2E))
MINPY_VMATH_FN(log10, Log10, std::log(x) * typename decltype(x)::value_type(M_LOG10E))
MINPY_VMATH_FN(log1p, Log1p, clog1p(x))
MINPY_VMATH_FN(sin, Sin, std::sin(x))
MINPY_VMATH_FN(cos, Cos, std::cos(x))
MINPY_REAL_FN(tan, std::tan(x), std::tan(x))
MINPY_REAL_FN(arcsin, std::asin(x), std::asin(x))
MINPY_REAL_FN(arccos, std::acos(x), std::acos(x))
MINPY_VMATH_FN(arctan, Arctan, std::atan(x))
MINPY_VMATH_FN(sinh, Sinh, std::sinh(x))
MINPY_VMATH_FN(cosh, Cosh, std::cosh(x))
MINPY_VMATH_FN(tanh, Tanh, std::tanh(x))
MINPY_REAL_FN(arcsinh, std::asinh(x), std::asinh(x))
MINPY_REAL_FN(arccosh, std::acosh(x), std::acosh(x))
MINPY_REAL_FN(arctanh, std::atanh(x), std::atanh(x))
MINPY_REAL_FN(rint, std::nearbyint(x), decltype(x)(std::nearbyint(x.real()), std::nearbyint(x.imag())))
// The factors are formed in the argument's precision (float32: pi_f / 180_f), as NumPy does.
MINPY_REAL_FN(deg2rad, x * (static_cast<calc_t<A>>(M_PI) / calc_t<A>(180)), x)
MINPY_REAL_FN(rad2deg, x * (calc_t<A>(180) / static_cast<calc_t<A>>(M_PI)), x)
#undef MINPY_REAL_FN
#undef MINPY_VMATH_FN

// floor/ceil/trunc have integer and bool loops that return the input unchanged.
#define MINPY_ROUNDING_FN(NAME, STD)                                                   \
  struct NAME {                                                                        \
    template <class R, class A> static R apply(A a) {                                  \
      if constexpr (is_flt<A>) return static_cast<R>(STD(static_cast<calc_t<A>>(a)));  \
      else return static_cast<R>(a);                                                   \
    }                                                                                  \
  };
MINPY_ROUNDING_FN(floor, std::floor)
MINPY_ROUNDING_FN(ceil, std::ceil)
MINPY_ROUNDING_FN(trunc, std::trunc)
#undef MINPY_ROUNDING_FN

struct add { template <class R, class A> static R apply(A a, A b) { return wrap_add(a, b); } };
struct subtract { template <class R, class A> static R apply(A a, A b) { return wrap_sub(a, b); } };
struct multiply {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_cplx<A>) return cmul(a, b);
    else return wrap_mul(a, b);
  }
};
struct true_divide {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_cplx<A>) return cdiv(a, b);
    else return a / b;
  }
};
// NumPy reports integer division by zero ("divide by zero encountered in floor_divide", result 0)
// and MIN // -1 (overflow) through the floating-point flags.
template <class A> inline void int_div_flags(A a, A b, bool floor) {
  if (b == 0) [[unlikely]] cpu::fpstatus::raise_divide();
  if constexpr (std::is_signed_v<A>)
    if (floor && b == -1 && a == std::numeric_limits<A>::min()) [[unlikely]] cpu::fpstatus::raise_overflow();
}
struct floor_divide {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_int<A>) { int_div_flags(a, b, true); return int_floordiv(a, b); }
    else return static_cast<R>(float_floor_divide<calc_t<A>>(a, b));
  }
};
struct remainder {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_int<A>) { int_div_flags(a, b, false); return int_mod(a, b); }
    else return static_cast<R>(float_remainder<calc_t<A>>(a, b));
  }
};
struct fmod {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_int<A>) {
      if (b == 0) { cpu::fpstatus::raise_divide(); return 0; }
      if constexpr (std::is_signed_v<A>) if (b == -1) return 0;
      return static_cast<R>(a % b);
    } else return static_cast<R>(std::fmod(static_cast<calc_t<A>>(a), static_cast<calc_t<A>>(b)));
  }
};
struct divmod {
  template <class R, class A> static void apply2(A a, A b, R& q, R& m) {
    if constexpr (is_int<A>) { int_div_flags(a, b, true); q = int_floordiv(a, b); m = int_mod(a, b); }
    else { calc_t<A> qq, mm; float_divmod<calc_t<A>>(a, b, qq, mm); q = static_cast<R>(qq); m = static_cast<R>(mm); }
  }
};
struct power {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_int<A>) {
      if constexpr (std::is_signed_v<A>) if (b < 0) { g_kernel_error = kNegativeIntPower; return 0; }
      return int_pow(a, b);
    } else if constexpr (is_cplx<A>) {
      return cpow(a, b);
    } else {
      calc_t<A> x = static_cast<calc_t<A>>(a), y = static_cast<calc_t<A>>(b);
      // NumPy reports 0 ** -inf as a division by zero (as 0 ** -1); the C library raises nothing.
      // (Compared on the bits: float compares with a NaN operand may raise "invalid" here.) Its
      // float16 loop goes through the C library too: nothing raised.
      if constexpr (!std::is_same_v<A, float16>) {
        using U = std::conditional_t<sizeof(x) == 8, uint64_t, uint32_t>;
        constexpr U kSign = U(1) << (sizeof(U) * 8 - 1);
        if ((std::bit_cast<U>(x) & ~kSign) == 0 &&
            std::bit_cast<U>(y) == std::bit_cast<U>(-std::numeric_limits<calc_t<A>>::infinity())) [[unlikely]]
          cpu::fpstatus::raise_divide();
      }
      return static_cast<R>(std::pow(x, y));
    }
  }
};
struct float_power {
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_cplx<A>) return cpow(a, b);
    else return std::pow(a, b);  // NumPy's float_power is the C library's: 0 ** -inf raises nothing
  }
};
struct negative { template <class R, class A> static R apply(A a) { return wrap_neg(a); } };
struct positive { template <class R, class A> static R apply(A a) { return a; } };
struct conjugate {
  template <class R, class A> static R apply(A a) { if constexpr (is_cplx<A>) return std::conj(a); else return a; }
};
struct absolute {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_cplx<A>) return cabs(a);
    else if constexpr (std::is_same_v<A, bool> || std::is_unsigned_v<A>) return a;
    else if constexpr (is_int<A>) return a < 0 ? wrap_neg(a) : a;
    else return static_cast<R>(std::fabs(static_cast<calc_t<A>>(a)));
  }
};
struct sign {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_cplx<A>) {
      // NumPy 2: z / |z|, with |z| = hypot (so inf beats nan), +-1 or +-1j on one infinite part.
      using F = typename A::value_type;
      F m = std::hypot(a.real(), a.imag());
      if (std::isnan(m)) return R(NAN, NAN);
      if (std::isinf(m)) {
        if (std::isinf(a.real())) {
          if (std::isinf(a.imag())) return R(NAN, NAN);
          return R(a.real() > 0 ? 1 : -1, 0);
        }
        return R(0, a.imag() > 0 ? 1 : -1);
      }
      if (m == 0) return R(0, 0);
      return R(a.real() / m, a.imag() / m);
    } else if constexpr (is_flt<A>) {
      calc_t<A> x = a;
      return static_cast<R>(x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x);
    } else if constexpr (std::is_unsigned_v<A>) return a > 0 ? 1 : 0;
    else return a > 0 ? 1 : a < 0 ? -1 : 0;
  }
};
struct reciprocal {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_int<A>) {
      // NumPy computes 1.0/x and converts: 1/0 = inf becomes INT_MIN for (u)int32/64 on x86 signed
      // conversions, 0 for the narrower and unsigned types.
      if (a == 0) {
        cpu::fpstatus::raise_divide();  // 1.0/0, then inf converted to an integer
        cpu::fpstatus::raise_invalid();
        if constexpr (std::is_signed_v<A> && sizeof(A) >= 4) return std::numeric_limits<A>::min();
        else return 0;
      }
      if constexpr (std::is_signed_v<A>) if (a == -1) return -1;
      return static_cast<R>(1 / a);
    } else if constexpr (is_cplx<A>) {
      using F = typename A::value_type;
      if (std::fabs(a.imag()) <= std::fabs(a.real())) {
        F r = a.imag() / a.real(), d = a.real() + a.imag() * r;
        return R(1 / d, -r / d);
      }
      F r = a.real() / a.imag(), d = a.real() * r + a.imag();
      return R(r / d, F(-1) / d);
    } else return static_cast<R>(A(1) / a);
  }
};
struct square {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_cplx<A>) return cmul(a, a);
    else return wrap_mul(a, a);
  }
};
struct arctan2 {
  template <class R, class A> static R apply(A a, A b) { return static_cast<R>(std::atan2(static_cast<calc_t<A>>(a), static_cast<calc_t<A>>(b))); }
};
struct hypot {
  template <class R, class A> static R apply(A a, A b) { return static_cast<R>(std::hypot(static_cast<calc_t<A>>(a), static_cast<calc_t<A>>(b))); }
};
struct copysign {
  template <class R, class A> static R apply(A a, A b) { return static_cast<R>(std::copysign(static_cast<calc_t<A>>(a), static_cast<calc_t<A>>(b))); }
};
struct logaddexp {
  template <class R, class A> static R apply(A a0, A b0) {
    calc_t<A> a = a0, b = b0;
    if (a == b) return static_cast<R>(a + std::log(calc_t<A>(2)));  // handles infinities of equal sign
    calc_t<A> d = a - b;
    if (d > 0) return static_cast<R>(a + std::log1p(std::exp(-d)));
    if (d <= 0) return static_cast<R>(b + std::log1p(std::exp(d)));
    return static_cast<R>(d);  // NaN
  }
};
struct logaddexp2 {
  template <class R, class A> static R apply(A a0, A b0) {
    calc_t<A> a = a0, b = b0;
    const calc_t<A> log2e = static_cast<calc_t<A>>(M_LOG2E);  // NumPy multiplies by log2(e)
    if (a == b) return static_cast<R>(a + 1);
    calc_t<A> d = a - b;
    if (d > 0) return static_cast<R>(a + log2e * std::log1p(std::exp2(-d)));
    if (d <= 0) return static_cast<R>(b + log2e * std::log1p(std::exp2(d)));
    return static_cast<R>(d);
  }
};
struct heaviside {
  template <class R, class A> static R apply(A a0, A b) {
    calc_t<A> a = a0;
    if (std::isnan(a)) return static_cast<R>(a);
    return a < 0 ? R(0) : a > 0 ? R(1) : b;
  }
};

// maximum/minimum propagate NaN; fmax/fmin ignore it. Complex compares lexicographically, with
// NumPy's rules for NaN parts. Ties (0.0 vs -0.0) give what NumPy's loops give: the second operand
// for float32/float64, the first for float16 and complex.
template <bool Max, bool PropagateNan>
struct extremum {
  template <class A> static bool first_wins_cplx(A a, A b) {
    // NumPy's CGE/CLE: a NaN imaginary part only blocks the strict real comparison.
    bool strict = Max ? a.real() > b.real() : a.real() < b.real();
    bool tie = a.real() == b.real() && (Max ? a.imag() >= b.imag() : a.imag() <= b.imag());
    return (strict && !std::isnan(a.imag()) && !std::isnan(b.imag())) || tie;
  }
  template <class R, class A> static R apply(A a, A b) {
    if constexpr (is_cplx<A>) {
      if constexpr (PropagateNan) return (is_nan(a) || first_wins_cplx(a, b)) ? a : b;
      else return (is_nan(b) || first_wins_cplx(a, b)) ? a : b;
    } else if constexpr (is_flt<A>) {
      bool na = is_nan(a), nb = is_nan(b);
      if (na || nb) {
        if constexpr (PropagateNan) return na ? a : b;
        else return na ? b : a;
      }
      calc_t<A> x = a, y = b;
      if constexpr (std::is_same_v<A, float16>) {
        if constexpr (Max) return y > x ? b : a;
        else return y < x ? b : a;
      } else {
        if constexpr (Max) return x > y ? a : b;
        else return x < y ? a : b;
      }
    } else {
      if constexpr (Max) return a < b ? b : a;
      else return b < a ? b : a;
    }
  }
};
struct maximum : extremum<true, true> {};
struct minimum : extremum<false, true> {};
struct fmax : extremum<true, false> {};
struct fmin : extremum<false, false> {};
// clip = min(max(x, lo), hi) with NaN propagation; on ties NumPy keeps the bound (strict
// comparisons) except for float16, whose loop keeps x.
struct clip {
  template <class A> static bool gt(A a, A b) {
    if constexpr (is_cplx<A>) return cplx_less(b, a);
    else return static_cast<calc_t<A>>(a) > static_cast<calc_t<A>>(b);
  }
  template <class R, class A> static R apply(A x, A lo, A hi) {
    if constexpr (std::is_same_v<A, float16>) {
      float t = x;
      if (!(std::isnan(t) || t >= float(lo))) t = lo;
      if (!(std::isnan(t) || t <= float(hi))) t = hi;
      return static_cast<R>(t);
    } else {
      A t = (is_nan(x) || gt(x, lo)) ? x : lo;
      return (is_nan(t) || gt(hi, t)) ? t : hi;
    }
  }
};

// Comparisons; int64 against uint64 compares exact values (NumPy's qQ loops).
// Complex order is lexicographic, but NumPy's CLT/CLE make any comparison with a NaN part False
// (a NaN imaginary part blocks the strict real comparison too).
template <class C> inline bool cplx_lt(C a, C b) {
  return (a.real() < b.real() && !std::isnan(a.imag()) && !std::isnan(b.imag())) ||
         (a.real() == b.real() && a.imag() < b.imag());
}
template <class C> inline bool cplx_le(C a, C b) {
  return (a.real() < b.real() && !std::isnan(a.imag()) && !std::isnan(b.imag())) ||
         (a.real() == b.real() && a.imag() <= b.imag());
}
template <class A, class B> inline bool cmp_lt(A a, B b) {
  if constexpr (is_cplx<A>) return cplx_lt(a, b);
  else if constexpr (is_int<A> && is_int<B>) return std::cmp_less(a, b);
  else return a < b;
}
template <class A, class B> inline bool cmp_eq(A a, B b) {
  if constexpr (is_int<A> && is_int<B>) return std::cmp_equal(a, b);
  else return a == b;
}
struct equal { template <class R, class A, class B> static R apply(A a, B b) { return cmp_eq(a, b); } };
struct not_equal { template <class R, class A, class B> static R apply(A a, B b) { return !cmp_eq(a, b); } };
struct less { template <class R, class A, class B> static R apply(A a, B b) { return cmp_lt(a, b); } };
struct greater { template <class R, class A, class B> static R apply(A a, B b) { return cmp_lt(b, a); } };
struct less_equal {
  template <class R, class A, class B> static R apply(A a, B b) {
    if constexpr (is_cplx<A>) return cplx_le(a, b);
    else if constexpr (is_int<A> && is_int<B>) return std::cmp_less_equal(a, b);
    else return a <= b;
  }
};
struct greater_equal {
  template <class R, class A, class B> static R apply(A a, B b) { return less_equal::apply<R>(b, a); }
};

inline bool truth(auto v) { return scalar::convert<bool>(v); }
struct logical_and { template <class R, class A> static R apply(A a, A b) { return truth(a) && truth(b); } };
struct logical_or { template <class R, class A> static R apply(A a, A b) { return truth(a) || truth(b); } };
struct logical_xor { template <class R, class A> static R apply(A a, A b) { return truth(a) != truth(b); } };
struct logical_not { template <class R, class A> static R apply(A a) { return !truth(a); } };
struct bitwise_and { template <class R, class A> static R apply(A a, A b) { return static_cast<R>(a & b); } };
struct bitwise_or { template <class R, class A> static R apply(A a, A b) { return static_cast<R>(a | b); } };
struct bitwise_xor { template <class R, class A> static R apply(A a, A b) { return static_cast<R>(a ^ b); } };
struct invert {
  template <class R, class A> static R apply(A a) {
    if constexpr (std::is_same_v<A, bool>) return !a;
    else return static_cast<R>(~a);
  }
};
struct left_shift { template <class R, class A> static R apply(A a, A b) { return shift_left(a, b); } };
struct right_shift { template <class R, class A> static R apply(A a, A b) { return shift_right(a, b); } };
struct isnan { template <class R, class A> static R apply(A a) { return is_nan(a); } };
struct isinf {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_cplx<A>) return std::isinf(a.real()) || std::isinf(a.imag());
    else if constexpr (is_flt<A>) return std::isinf(static_cast<calc_t<A>>(a));
    else return false;
  }
};
struct isfinite {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_cplx<A>) return std::isfinite(a.real()) && std::isfinite(a.imag());
    else if constexpr (is_flt<A>) return std::isfinite(static_cast<calc_t<A>>(a));
    else return true;
  }
};
struct signbit {
  template <class R, class A> static R apply(A a) {
    if constexpr (is_flt<A>) return std::signbit(static_cast<calc_t<A>>(a));
    else if constexpr (std::is_signed_v<A>) return a < 0;
    else return false;
  }
};

}  // namespace fn
}  // namespace minpy::cpu
