// Random sampling: argument validation, shapes and counter bookkeeping; the CPU kernels draw.
#include "minpy/random.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "backend/cpu/random_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

std::array<uint64_t, 4> philox4x64_10(std::array<uint64_t, 4> counter, std::array<uint64_t, 2> key) {
  std::array<uint64_t, 4> out;
  cpu::rng::philox(counter.data(), key, out.data());
  return out;
}

namespace {

using i128 = __int128;

void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

void check_size(const Shape& s, const char* op) {
  for (int64_t v : s)
    if (v < 0) throw ValueError(msg(op, "negative dimensions are not allowed."));
  shape_size(s);  // ValueError when the element count overflows
}

// NumPy's rule: with `size`, every parameter broadcasts to exactly `size`; without, the parameters'
// common broadcast shape.
Shape out_shape(const std::optional<Shape>& size, std::initializer_list<Array> params, const char* op) {
  if (size) {
    check_size(*size, op);
    int k = 1;
    for (const Array& p : params) {
      Shape b;
      bool ok = true;
      try {
        b = broadcast_shapes(p.shape(), *size, op);
      } catch (const ValueError&) {
        ok = false;
      }
      if (!ok || b != *size)
        throw ValueError(msg(op, "shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                                 "between arg 0 with shape " + shape_str(*size) + " and arg " + std::to_string(k) +
                                 " with shape " + shape_str(p.shape()) + "."));
      ++k;
    }
    return *size;
  }
  Shape s;
  for (const Array& p : params) s = broadcast_shapes(s, p.shape(), op);
  return s;
}

// A real parameter as a contiguous float64 array (complex is a TypeError, as NumPy's float()).
Array real_param(const Array& a, const char* op) {
  require_cpu(a, op);
  if (is_complex(a.dtype()))
    throw TypeError(msg(op, "float() argument must be a string or a real number, not 'complex'."));
  return ascontiguousarray(astype(a, DType::Float64, Casting::Unsafe, false));
}

// An integer parameter as a contiguous int64 array; floats truncate toward zero as in NumPy.
Array int_param(const Array& a, const char* op) {
  require_cpu(a, op);
  if (is_complex(a.dtype())) throw TypeError(msg(op, "int() argument must be a real number, not 'complex'."));
  return ascontiguousarray(astype(a, DType::Int64, Casting::Unsafe, false));
}

std::vector<i128> read_i128(const Array& a) {
  Array c = ascontiguousarray(a);
  std::vector<i128> v(static_cast<size_t>(c.size()));
  visit_dtype(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) {
      const T* p = c.data_as<T>();
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<i128>(p[i]);
    }
  });
  return v;
}

bool is_unsigned(DType t) { return kind(t) == Kind::UInt; }

}  // namespace

uint64_t RandomGenerator::reserve(uint64_t blocks) {
  if (blocks > std::numeric_limits<uint64_t>::max() - counter_)
    throw OverflowError(msg("random", "the generator's counter space is exhausted; reseed it."));
  uint64_t base = counter_;
  counter_ += blocks;
  return base;
}

Array RandomGenerator::random(const Shape& size, DType dtype) {
  OpScope op_scope("random.random");
  if (dtype != DType::Float64 && dtype != DType::Float32)
    throw TypeError(msg("random", std::string("Unsupported dtype dtype('") + dtype_name(dtype) + "') for random."));
  check_size(size, "random");
  Array out = Array::empty(size, dtype);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), dtype == DType::Float32 ? 8 : 4));
  cpu::rng::fill_uniform(out, key_, base);
  return out;
}

Array RandomGenerator::standard_normal(const Shape& size, DType dtype) {
  OpScope op_scope("random.standard_normal");
  if (dtype != DType::Float64 && dtype != DType::Float32)
    throw TypeError(msg("standard_normal",
                        std::string("Unsupported dtype dtype('") + dtype_name(dtype) + "') for standard_normal."));
  check_size(size, "standard_normal");
  Array out = Array::empty(size, dtype);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  cpu::rng::fill_normal(out, key_, base);
  return out;
}

Array RandomGenerator::uniform(const Array& low, const Array& high, const std::optional<Shape>& size,
                               bool allow_reversed) {
  OpScope op_scope("random.uniform");
  autograd::no_gradient("random.uniform", {low, high});
  Array lo = real_param(low, "uniform"), hi = real_param(high, "uniform");
  Shape pshape = broadcast_shapes(lo.shape(), hi.shape(), "uniform");
  Array range = ascontiguousarray(ufunc2("subtract", broadcast_to(hi, pshape), broadcast_to(lo, pshape)));
  const double* r = range.data_as<double>();
  for (int64_t i = 0; i < range.size(); ++i) {
    if (!allow_reversed && r[i] < 0) throw ValueError(msg("uniform", "high - low < 0"));
    if (!std::isfinite(r[i]))
      throw OverflowError(msg("uniform", allow_reversed ? "Range exceeds valid bounds" : "high - low range exceeds valid bounds"));
  }
  Shape shape = out_shape(size, {lo, hi}, "uniform");
  Array out = Array::empty(shape, DType::Float64);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  if (range.size() == 1) {
    // One (low, range) pair: the plain uniform kernel then an in-place affine map, same values.
    double l = *lo.data_as<double>(), rg = *r;
    cpu::rng::fill_uniform(out, key_, base);
    double* o = out.data_as<double>();
    for (int64_t i = 0; i < out.size(); ++i) o[i] = l + rg * o[i];
    return out;
  }
  cpu::rng::fill_affine(out, broadcast_to(lo, shape), broadcast_to(range, shape), 'u', key_, base);
  return out;
}

Array RandomGenerator::normal(const Array& loc, const Array& scale, const std::optional<Shape>& size) {
  OpScope op_scope("random.normal");
  autograd::no_gradient("random.normal", {loc, scale});
  Array l = real_param(loc, "normal"), s = real_param(scale, "normal");
  const double* sp = s.data_as<double>();
  for (int64_t i = 0; i < s.size(); ++i)
    if (sp[i] < 0) throw ValueError(msg("normal", "scale < 0"));
  Shape shape = out_shape(size, {l, s}, "normal");
  Array out = Array::empty(shape, DType::Float64);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  if (l.size() == 1 && s.size() == 1) {
    double m = *l.data_as<double>(), sd = *sp;
    cpu::rng::fill_normal(out, key_, base);
    double* o = out.data_as<double>();
    if (m != 0.0 || sd != 1.0)
      for (int64_t i = 0; i < out.size(); ++i) o[i] = m + sd * o[i];
    return out;
  }
  cpu::rng::fill_affine(out, broadcast_to(l, shape), broadcast_to(s, shape), 'n', key_, base);
  return out;
}

Array RandomGenerator::integers(const Array& low, const Array& high, DType dtype, const std::optional<Shape>& size,
                                bool endpoint) {
  OpScope op_scope("random.integers");
  if (!is_integer(dtype) && dtype != DType::Bool)
    throw TypeError(msg("integers", std::string("Unsupported dtype dtype('") + dtype_name(dtype) + "') for integers."));
  require_cpu(low, "integers");
  require_cpu(high, "integers");
  auto as_int = [](const Array& a) {
    if (is_complex(a.dtype())) throw TypeError(msg("integers", "int() argument must be a real number, not 'complex'."));
    return is_floating(a.dtype()) ? astype(a, DType::Int64) : a;
  };
  Array lo_a = as_int(low), hi_a = as_int(high);
  Shape pshape = broadcast_shapes(lo_a.shape(), hi_a.shape(), "integers");
  std::vector<i128> lo = read_i128(broadcast_to(lo_a, pshape)), hi = read_i128(broadcast_to(hi_a, pshape));

  i128 tmin = 0, tmax = 1;
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      tmin = std::numeric_limits<T>::min();
      tmax = std::numeric_limits<T>::max();
    }
  });
  const std::string name = dtype_name(dtype);
  for (i128 v : lo)
    if (v < tmin) throw ValueError(msg("integers", "low is out of bounds for " + name));
  for (i128& v : hi) {
    if (!endpoint) v -= 1;  // inclusive from here on
    if (v > tmax) throw ValueError(msg("integers", "high is out of bounds for " + name));
  }
  bool all_zero_low = true;
  for (i128 v : lo) all_zero_low = all_zero_low && v == 0;
  for (size_t i = 0; i < lo.size(); ++i)
    if (lo[i] > hi[i])
      throw ValueError(msg("integers", endpoint ? "low > high" : all_zero_low ? "high <= 0" : "low >= high"));

  // Bounds as int64 (signed dtypes, bool) or uint64 (unsigned): they fit after the checks above.
  DType wide = is_unsigned(dtype) ? DType::UInt64 : DType::Int64;
  Array lw = Array::empty(pshape, wide), hw = Array::empty(pshape, wide);
  for (size_t i = 0; i < lo.size(); ++i) {
    uint64_t a = static_cast<uint64_t>(lo[i]), b = static_cast<uint64_t>(hi[i]);
    std::memcpy(lw.data() + 8 * i, &a, 8);
    std::memcpy(hw.data() + 8 * i, &b, 8);
  }
  Shape shape = out_shape(size, {lw, hw}, "integers");
  Array out = Array::empty(shape, dtype);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  cpu::rng::fill_integers(out, broadcast_to(lw, shape), broadcast_to(hw, shape), key_, base);
  return out;
}

Array RandomGenerator::binomial(const Array& n, const Array& p, const std::optional<Shape>& size) {
  OpScope op_scope("random.binomial");
  Array na = int_param(n, "binomial"), pa = real_param(p, "binomial");
  const int64_t* np_ = na.data_as<int64_t>();
  for (int64_t i = 0; i < na.size(); ++i)
    if (np_[i] < 0) throw ValueError(msg("binomial", "n < 0"));
  const double* pp = pa.data_as<double>();
  for (int64_t i = 0; i < pa.size(); ++i)
    if (!(pp[i] >= 0.0 && pp[i] <= 1.0)) throw ValueError(msg("binomial", "p < 0, p > 1 or p is NaN"));
  Shape shape = out_shape(size, {na, pa}, "binomial");
  Array out = Array::empty(shape, DType::Int64);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  cpu::rng::fill_binomial(out, broadcast_to(na, shape), broadcast_to(pa, shape), key_, base);
  return out;
}

Array RandomGenerator::choice_cdf(const Array& cdf, const Shape& size) {
  OpScope op_scope("random.choice");
  Array c = real_param(cdf, "choice");
  if (c.ndim() != 1 || c.size() == 0) throw ValueError(msg("choice", "the cumulative distribution must be 1-d and non-empty."));
  const double* cp = c.data_as<double>();
  for (int64_t i = 0; i < c.size(); ++i)
    if (!(cp[i] >= (i ? cp[i - 1] : 0.0)) || !std::isfinite(cp[i]))
      throw ValueError(msg("choice", "the cumulative distribution must be finite, non-negative and non-decreasing."));
  if (!(cp[c.size() - 1] > 0)) throw ValueError(msg("choice", "probabilities do not sum to 1"));
  check_size(size, "choice");
  Array out = Array::empty(size, DType::Int64);
  uint64_t base = reserve(cpu::rng::blocks_for(out.size(), 4));
  cpu::rng::fill_choice_cdf(out, c, key_, base);
  return out;
}

Array RandomGenerator::sample_without_replacement(int64_t n, int64_t k) {
  OpScope op_scope("random.choice");
  if (n < 0 || k < 0 || k > n)
    throw ValueError(msg("choice", "Cannot take a larger sample than population when replace is False"));
  Array out = Array::empty({k}, DType::Int64);
  cpu::rng::SeqStream st(key_, counter_);
  cpu::rng::fisher_yates(out.data_as<int64_t>(), n, k, st);
  counter_ = st.next_block();
  return out;
}

Array RandomGenerator::permutation(int64_t n) {
  OpScope op_scope("random.permutation");
  if (n < 0) n = 0;
  Array out = Array::empty({n}, DType::Int64);
  cpu::rng::SeqStream st(key_, counter_);
  cpu::rng::fisher_yates(out.data_as<int64_t>(), n, n, st);
  counter_ = st.next_block();
  return out;
}

Array RandomGenerator::permutation(const Array& x) {
  OpScope op_scope("random.permutation");
  autograd::no_gradient("random.permutation", {x});
  require_cpu(x, "permutation");
  if (x.ndim() == 0) throw IndexError(msg("permutation", "x must be an integer or at least 1-dimensional"));
  int64_t rows = x.shape(0);
  std::vector<int64_t> perm(static_cast<size_t>(rows));
  cpu::rng::SeqStream st(key_, counter_);
  cpu::rng::fisher_yates(perm.data(), rows, rows, st);
  counter_ = st.next_block();
  Array src = ascontiguousarray(x);
  Array out = Array::empty(x.shape(), x.dtype());
  cpu::rng::gather_rows(src, perm.data(), out);
  return out;
}

void RandomGenerator::shuffle(const Array& x) {
  OpScope op_scope("random.shuffle");
  autograd::no_gradient("random.shuffle", {x});
  autograd::NoGradGuard no_grad;
  require_cpu(x, "shuffle");
  if (x.ndim() == 0) throw TypeError(msg("shuffle", "len() of unsized object"));
  if (!x.writeable()) throw ValueError(msg("shuffle", "assignment destination is read-only."));
  int64_t rows = x.shape(0);
  std::vector<int64_t> perm(static_cast<size_t>(rows));
  cpu::rng::SeqStream st(key_, counter_);
  cpu::rng::fisher_yates(perm.data(), rows, rows, st);
  counter_ = st.next_block();
  Array src = copy(x, 'C');
  if (x.c_contiguous()) {
    ++x.storage()->version;
    cpu::rng::gather_rows(src, perm.data(), x);
  } else {
    Array out = Array::empty(x.shape(), x.dtype());
    cpu::rng::gather_rows(src, perm.data(), out);
    assign(x, out, Casting::Unsafe, "shuffle");
  }
}

}  // namespace minpy
