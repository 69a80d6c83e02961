// Range constructors. Their values must match NumPy's bit for bit, so every product and sum is
// rounded on its own: contracting `start + i * delta` into an FMA would change the last bit.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "minpy/ranges.h"

#include <cmath>
#include <cstring>

#include "backend/cpu/scalar_math.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {
namespace {

bool is_intlike(const Scalar& s) { return s.kind == Scalar::Kind::Bool || s.kind == Scalar::Kind::Int; }

void check_supported(const Scalar& s) {
  if (s.kind == Scalar::Kind::Complex || (s.kind == Scalar::Kind::Int && (s.int_is_uint64 || s.int_too_big)))
    throw NotImplementedError(msg("arange", "complex and beyond-int64 arguments are not native."));
}

double as_double(const Scalar& s) {
  switch (s.kind) {
    case Scalar::Kind::Bool: return s.b ? 1.0 : 0.0;
    case Scalar::Kind::Int: return static_cast<double>(s.i);
    default: return s.f;
  }
}
__int128 as_int(const Scalar& s) { return s.kind == Scalar::Kind::Bool ? (s.b ? 1 : 0) : s.i; }

// ceil(a / b) where a / b is first rounded to the nearest double as Python's int true division
// does (|a| < 2**65, 0 < |b| < 2**64). Exact: q + f (0 < f < 1) rounds to q unless f is at least
// half of q's ulp.
double ceil_int_true_div(__int128 a, __int128 b) {
  if (b < 0) a = -a, b = -b;
  if (a <= 0) return a == 0 ? 0.0 : -1.0;  // only the sign matters to the length
  using U = unsigned __int128;
  const U q = static_cast<U>(a) / static_cast<U>(b), r = static_cast<U>(a) % static_cast<U>(b);
  if (r == 0) return static_cast<double>(q);  // the conversion rounds to nearest, as Python's
  if (q == 0) return 1.0;
  if (q >= (U(1) << 53)) {
    // The doubles here are integers at least 2 apart, so q + f rounds as q + 1/2 does.
    return std::ceil(static_cast<double>(2 * q + 1) / 2);
  }
  int e = 0;
  while ((q >> (e + 1)) != 0) ++e;  // q in [2**e, 2**(e+1)), its ulp 2**(e-52)
  const U scaled = r << (53 - e);   // f < ulp / 2  <=>  r * 2**(53-e) < b
  bool up = scaled > static_cast<U>(b);
  if (scaled == static_cast<U>(b)) up = e == 52 && (q & 1);  // a tie rounds to even
  return static_cast<double>(up ? q + 1 : q);
}

// Python's setitem of a number into an array of dtype t (NumPy converts floats to int first for
// integer dtypes, so out-of-range floats raise OverflowError rather than wrapping).
void put(const Scalar& s, DType t, char* dst) {
  Scalar v = s;
  if (is_integer(t) && v.kind == Scalar::Kind::Float) {
    if (std::isnan(v.f)) throw ValueError(msg("arange", "cannot convert float NaN to integer."));
    if (std::isinf(v.f)) throw OverflowError(msg("arange", "cannot convert float infinity to integer."));
    double tr = std::trunc(v.f);
    if (!(tr >= -9223372036854775808.0 && tr < 9223372036854775808.0))
      throw OverflowError(msg("arange", "Python integer out of bounds for " + std::string(dtype_name(t)) + "."));
    v = Scalar::from_int(static_cast<int64_t>(tr));
  }
  Array a = v.to_array(t, "arange");
  std::memcpy(dst, a.data(), itemsize(t));
}

// NumPy's fill: start + i * (x1 - x0) in the dtype's own arithmetic (float16 in float32).
template <class T>
void fill_range(T* p, int64_t n) {
  if constexpr (std::is_same_v<T, bool>) {
  } else if constexpr (scalar::is_int<T>) {
    using U = uint64_t;
    const U start = static_cast<U>(static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(p[0]));
    const T d = static_cast<T>(static_cast<U>(p[1]) - static_cast<U>(p[0]));
    const U delta = static_cast<U>(static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(d));
    for (int64_t i = 2; i < n; ++i) p[i] = static_cast<T>(start + static_cast<U>(i) * delta);
  } else if constexpr (std::is_same_v<T, float16>) {
    const float start = static_cast<float>(p[0]);
    float delta = static_cast<float>(p[1]);
    delta -= start;
    for (int64_t i = 2; i < n; ++i) p[i] = static_cast<float16>(start + static_cast<float>(i) * delta);
  } else if constexpr (scalar::is_cplx<T>) {
    using R = typename T::value_type;
    const T start = p[0];
    const T delta = p[1] - p[0];
    for (int64_t i = 2; i < n; ++i)
      p[i] = T(start.real() + static_cast<R>(i) * delta.real(), start.imag() + static_cast<R>(i) * delta.imag());
  } else {
    const T start = p[0];
    T delta = p[1];
    delta -= start;
    for (int64_t i = 2; i < n; ++i) p[i] = start + static_cast<T>(i) * delta;
  }
}

}  // namespace

Array arange(const Scalar& start, const Scalar& stop, const Scalar& step, std::optional<DType> dtype) {
  OpScope op_scope("arange");
  check_supported(start);
  check_supported(stop);
  check_supported(step);
  const bool all_int = is_intlike(start) && is_intlike(stop) && is_intlike(step);
  // NumPy computes the length on Python objects: ceil((stop - start) / step) with Python's
  // correctly rounded true division, so (2**62 - 10) / 1 is 2**62 before the ceil.
  double c = 0;
  if (all_int) {
    const __int128 diff = as_int(stop) - as_int(start), st = as_int(step);
    if (st == 0) throw ZeroDivisionError(msg("arange", "division by zero."));
    c = ceil_int_true_div(diff, st);
  } else {
    const double st = as_double(step);
    if (st == 0) throw ZeroDivisionError(msg("arange", "float division by zero."));
    // int - int stays an exact Python int, rounded once when divided by the float step.
    const double diff = is_intlike(start) && is_intlike(stop) ? static_cast<double>(as_int(stop) - as_int(start))
                                                               : as_double(stop) - as_double(start);
    const double q = diff / st;
    c = std::ceil(q);
    // A quotient that underflows to 0 (an infinite or enormous step) still gives start, as NumPy.
    if (q == 0 && diff != 0 && (diff > 0) == (st > 0)) c = 1;
  }
  if (std::isnan(c)) throw ValueError(msg("arange", "arange: cannot compute length."));
  if (!(c >= -9223372036854775808.0 && c <= 9223372036854775808.0))
    throw ValueError(msg("arange", "Maximum allowed size exceeded."));
  // NumPy accepts a ceil of exactly 2**63 and converts it to intp, which is INT64_MIN on x86-64:
  // an empty result (np.arange(0, 2**63 - 1) is empty there).
  const int64_t len = c > 0 && c < 9223372036854775808.0 ? static_cast<int64_t>(c) : 0;
  const DType t = dtype ? *dtype : (all_int ? DType::Int64 : DType::Float64);
  // NumPy allocates before it checks the bool length (a huge bool range is its size error).
  Array out = Array::empty({len}, t);
  if (t == DType::Bool && len > 2)
    throw TypeError(msg("arange", "arange() is only supported for booleans when the result has at most length 2."));
  if (len == 0) return out;
  char* p = out.data();
  put(start, t, p);
  if (len == 1) return out;
  // The second element is start + step computed on Python numbers, then stored.
  Scalar next;
  if (all_int) {
    const __int128 v = as_int(start) + as_int(step);
    if (v >= INT64_MIN && v <= INT64_MAX) next = Scalar::from_int(static_cast<int64_t>(v));
    else if (is_integer(t)) throw OverflowError(msg("arange", "Python integer out of bounds for " + std::string(dtype_name(t)) + "."));
    else next = Scalar::from_float(static_cast<double>(v));
  } else {
    next = Scalar::from_float(as_double(start) + as_double(step));
  }
  put(next, t, p + itemsize(t));
  if (len == 2) return out;
  visit_dtype(t, [&](auto v) { fill_range(reinterpret_cast<decltype(v)*>(p), len); });
  return out;
}

namespace {

// The working types of linspace: T stored, C computed in (float32 for float16), each op rounded to T.
template <class T>
void linspace_t(const Array& S, const Array& E, int64_t num, bool endpoint, const Array& y, const Array& step,
                bool& step_defined) {
  using C = std::conditional_t<std::is_same_v<T, float16>, float, T>;
  auto rnd = [](C v) -> C { return static_cast<C>(static_cast<T>(v)); };
  const int64_t div = endpoint ? num - 1 : num;
  const int64_t m = step.size();
  const int nd = step.ndim();
  auto elem = [&](const Array& a, int64_t e) -> C {
    int64_t off = 0, rest = e;
    for (int d = nd - 1; d >= 0; --d) {
      off += (rest % a.shape(d)) * a.strides()[d];
      rest /= a.shape(d);
    }
    T v;
    std::memcpy(&v, a.data() + off, sizeof(T));
    return static_cast<C>(v);
  };
  std::vector<C> s(m), e(m), delta(m), st(m);
  bool any_zero = false;
  for (int64_t j = 0; j < m; ++j) {
    s[j] = elem(S, j);
    e[j] = elem(E, j);
    delta[j] = rnd(e[j] - s[j]);
    if (div > 0) {
      if constexpr (scalar::is_cplx<C>) st[j] = C(rnd(delta[j]).real() / static_cast<typename C::value_type>(div),
                                                  rnd(delta[j]).imag() / static_cast<typename C::value_type>(div));
      else st[j] = delta[j] / static_cast<C>(div);
      st[j] = rnd(st[j]);
      any_zero = any_zero || st[j] == C(0);
    }
  }
  step_defined = div > 0;
  T* sp = step.data_as<T>();
  for (int64_t j = 0; j < m; ++j) sp[j] = div > 0 ? static_cast<T>(st[j]) : static_cast<T>(NAN);
  T* yp = y.data_as<T>();
  // Complex products by a real i are done per component (i has no imaginary part).
  auto mul = [&](C a, C b) -> C {
    if constexpr (scalar::is_cplx<C>) return C(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
    else return a * b;
  };
  for (int64_t i = 0; i < num; ++i) {
    const C yi = rnd(static_cast<C>(static_cast<double>(i)));
    for (int64_t j = 0; j < m; ++j) {
      C v;
      if (div > 0 && any_zero) {
        C q;
        if constexpr (scalar::is_cplx<C>) q = C(yi.real() / static_cast<typename C::value_type>(div), yi.imag() / static_cast<typename C::value_type>(div));
        else q = yi / static_cast<C>(div);
        v = rnd(mul(rnd(q), delta[j]));
      } else if (div > 0) {
        v = rnd(mul(yi, st[j]));
      } else {
        v = rnd(mul(yi, delta[j]));
      }
      v = rnd(v + s[j]);
      if (endpoint && num > 1 && i == num - 1) v = e[j];
      yp[i * m + j] = static_cast<T>(v);
    }
  }
}

}  // namespace

LinspaceResult linspace(const Array& start, const Array& stop, int64_t num, bool endpoint) {
  OpScope op_scope("linspace");
  autograd::no_gradient("linspace", {start, stop});
  if (num < 0)
    throw ValueError(msg("linspace", "Number of samples, " + std::to_string(num) + ", must be non-negative."));
  if (start.dtype() != stop.dtype() || !is_inexact(start.dtype()))
    throw TypeError(msg("linspace", "start and stop must share one inexact dtype."));
  Shape b = broadcast_shapes(start.shape(), stop.shape(), "linspace");
  Array S = broadcast_to(start, b, "linspace"), E = broadcast_to(stop, b, "linspace");
  Shape ys = b;
  ys.insert(ys.begin(), num);
  LinspaceResult r;
  r.y = Array::empty(ys, start.dtype());
  r.step = Array::empty(b, start.dtype());
  visit_dtype(start.dtype(), [&](auto v) {
    using T = decltype(v);
    if constexpr (scalar::is_flt<T> || scalar::is_cplx<T>) linspace_t<T>(S, E, num, endpoint, r.y, r.step, r.step_defined);
  });
  return r;
}

Array eye(int64_t n, std::optional<int64_t> m_opt, int64_t k, DType dtype) {
  OpScope op_scope("eye");
  const int64_t m = m_opt ? *m_opt : n;
  if (n < 0 || m < 0) throw ValueError(msg("eye", "negative dimensions are not allowed."));
  Array out = Array::empty({n, m}, dtype);
  assign(out, Scalar::from_int(0), "eye");
  visit_dtype(dtype, [&](auto v) {
    using T = decltype(v);
    T* p = out.data_as<T>();
    const T one = scalar::convert<T>(int64_t(1));
    if (k >= m || k <= -n) return;  // no diagonal inside (and no overflow in i + k below)
    for (int64_t i = std::max<int64_t>(0, -k); i < n && i + k < m; ++i) p[i * m + i + k] = one;
  });
  return out;
}

}  // namespace minpy
