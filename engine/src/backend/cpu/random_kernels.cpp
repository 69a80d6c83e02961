#include "random_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <unordered_map>
#include <vector>

#include "minpy/threading.h"

namespace minpy::cpu::rng {
namespace {

constexpr int64_t kGrainBlocks = 1 << 11;  // Philox blocks per thread chunk at least
constexpr int64_t kGrainElems = 1 << 13;

inline double u53(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }
inline float u24(uint32_t x) { return static_cast<float>(x >> 8) * 0x1.0p-24f; }

// Basic Box-Muller: u1 in (0, 1] keeps the log finite; no rejection, so a fixed 2 words per pair.
inline void box_muller(uint64_t a, uint64_t b, double& z0, double& z1) {
  double u1 = static_cast<double>((a >> 11) + 1) * 0x1.0p-53;
  double t = 2.0 * std::numbers::pi * u53(b);
  double r = std::sqrt(-2.0 * std::log(u1));
  z0 = r * std::cos(t);
  z1 = r * std::sin(t);
}

inline void primary(uint64_t block, const Key& key, uint64_t out[4]) {
  uint64_t ctr[4] = {block, 0, 0, 0};
  philox(ctr, key, out);
}

// Per-chunk cache of the primary block that element i reads word i % 4 of.
struct WordCache {
  const Key& key;
  uint64_t base;
  uint64_t cached = ~uint64_t(0);
  uint64_t w[4] = {};
  uint64_t word(int64_t i) {
    uint64_t b = base + static_cast<uint64_t>(i) / 4;
    if (b != cached) {
      primary(b, key, w);
      cached = b;
    }
    return w[i & 3];
  }
  // The four normals of element i's block, computed once per block.
  double z[4] = {};
  uint64_t zcached = ~uint64_t(0);
  double normal(int64_t i) {
    uint64_t b = base + static_cast<uint64_t>(i) / 4;
    if (b != zcached) {
      uint64_t v[4];
      primary(b, key, v);
      box_muller(v[0], v[1], z[0], z[1]);
      box_muller(v[2], v[3], z[2], z[3]);
      zcached = b;
    }
    return z[i & 3];
  }
};

// The words element i may use: its primary word first, then its own substream
// {primary block, 1 + i % 4, j, 0}, j = 0, 1, ... (disjoint from every primary counter).
class ElementStream {
 public:
  ElementStream(const Key& key, uint64_t block, uint64_t word, uint64_t first)
      : key_(key), block_(block), word_(word), first_(first) {}
  uint64_t next() {
    if (used_ == 0) {
      used_ = 1;
      return first_;
    }
    uint64_t j = used_++ - 1;
    if ((j & 3) == 0) {
      uint64_t ctr[4] = {block_, 1 + word_, j >> 2, 0};
      philox(ctr, key_, buf_);
    }
    return buf_[j & 3];
  }
  double uniform() { return u53(next()); }

 private:
  const Key& key_;
  uint64_t block_, word_, first_;
  uint64_t used_ = 0;
  uint64_t buf_[4] = {};
};

// Calls body(i, ptrs, cache) for each flat index i of `shape` (C order), ptrs[k] pointing at element
// i of params[k] (arrays broadcast to shape). Chunks go to threads; results depend on i only.
template <int N, class Body>
void for_each_elem(const Shape& shape, const Array* params, const Key& key, uint64_t base, Body&& body) {
  int64_t total = 1;
  for (int64_t s : shape) total *= s;
  if (total == 0) return;
  int nd = static_cast<int>(shape.size());
  parallel_for(total, kGrainElems, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx(nd);
    const char* p[N > 0 ? N : 1];
    int64_t rest = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rest % shape[d];
      rest /= shape[d];
    }
    for (int k = 0; k < N; ++k) {
      p[k] = params[k].data();
      for (int d = 0; d < nd; ++d) p[k] += idx[d] * params[k].strides()[d];
    }
    WordCache cache{key, base};
    for (int64_t i = begin; i < end; ++i) {
      body(i, p, cache);
      for (int d = nd - 1; d >= 0; --d) {
        ++idx[d];
        for (int k = 0; k < N; ++k) p[k] += params[k].strides()[d];
        if (idx[d] < shape[d]) break;
        for (int k = 0; k < N; ++k) p[k] -= params[k].strides()[d] * shape[d];
        idx[d] = 0;
      }
    }
  });
}

// ---- binomial ----

// log(k!) minus its Stirling approximation (k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2.
double stirling_tail(int64_t k) {
  static const std::array<double, 10> small = [] {
    std::array<double, 10> t{};
    for (int i = 0; i < 10; ++i) {
      double x = i + 1.0;
      t[i] = std::lgamma(x) - ((i + 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi));
    }
    return t;
  }();
  if (k < 10) return small[k];
  double x = static_cast<double>(k) + 1.0, r = 1.0 / (x * x);
  return (1.0 / 12 - (1.0 / 360 - r / 1260) * r) / x;
}

// Inversion (sequential search from 0 with the pmf recurrence); used when n * p < 10, p <= 1/2.
// The search is cut at np + 10 sd (probability < 1e-20) and restarted, which also guards rounding.
int64_t binomial_inversion(int64_t n, double p, ElementStream& st) {
  double q = 1.0 - p, s = p / q, a = (static_cast<double>(n) + 1.0) * s;
  double r0 = std::pow(q, static_cast<double>(n));
  double np = static_cast<double>(n) * p;
  int64_t bound = std::min<int64_t>(n, static_cast<int64_t>(np + 10.0 * std::sqrt(np * q + 1.0)));
  for (;;) {
    double u = st.uniform(), r = r0;
    int64_t x = 0;
    while (u > r) {
      u -= r;
      if (++x > bound) break;
      r *= a / static_cast<double>(x) - s;
    }
    if (x <= bound) return x;
  }
}

// BTRD: W. Hormann, "The generation of binomial random variates", J. Stat. Comput. Simul. 46 (1993).
// Transformed rejection with squeeze; exact for n * p >= 10, p <= 1/2.
int64_t binomial_btrd(int64_t n, double p, ElementStream& st) {
  const double dn = static_cast<double>(n), q = 1.0 - p, np = dn * p, npq = np * q, spq = std::sqrt(npq);
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = np + 0.5;
  const double alpha = (2.83 + 5.1 / b) * spq, vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
  const int64_t m = static_cast<int64_t>(std::floor((dn + 1.0) * p));
  const double r = p / q, nr = (dn + 1.0) * r;
  for (;;) {
    double v = st.uniform(), u;
    if (v <= urvr) {
      u = v / vr - 0.43;
      double kd = std::floor((2.0 * a / (0.5 - std::fabs(u)) + b) * u + c);
      if (kd >= 0 && kd <= dn) return static_cast<int64_t>(kd);
      continue;
    }
    if (v >= vr) {
      u = st.uniform() - 0.5;
    } else {
      u = v / vr - 0.93;
      u = (u > 0 ? 0.5 : -0.5) - u;
      v = st.uniform() * vr;
    }
    double us = 0.5 - std::fabs(u);
    double kd = std::floor((2.0 * a / us + b) * u + c);
    if (!(kd >= 0 && kd <= dn)) continue;  // also rejects us == 0 (inf/nan)
    int64_t k = static_cast<int64_t>(kd);
    v = v * alpha / (a / (us * us) + b);
    int64_t km = k > m ? k - m : m - k;
    if (km <= 15) {
      // Recursive pmf ratio f(k) / f(m) = prod (nr / i - r).
      double f = 1.0;
      if (m < k) {
        for (int64_t i = m + 1; i <= k; ++i) f *= nr / static_cast<double>(i) - r;
      } else if (m > k) {
        for (int64_t i = k + 1; i <= m; ++i) v *= nr / static_cast<double>(i) - r;
      }
      if (v <= f) return k;
      continue;
    }
    // Squeeze on log(v), then the exact test with Stirling-corrected log factorials.
    double dkm = static_cast<double>(km);
    v = std::log(v);
    double rho = (dkm / npq) * (((dkm / 3.0 + 0.625) * dkm + 1.0 / 6.0) / npq + 0.5);
    double t = -dkm * dkm / (2.0 * npq);
    if (v < t - rho) return k;
    if (v > t + rho) continue;
    double dm = static_cast<double>(m), dk = static_cast<double>(k);
    double nm = dn - dm + 1.0, nk = dn - dk + 1.0;
    double h = (dm + 0.5) * std::log((dm + 1.0) / (r * nm)) + stirling_tail(m) + stirling_tail(n - m);
    if (v <= h + (dn + 1.0) * std::log(nm / nk) + (dk + 0.5) * std::log(nk * r / (dk + 1.0)) -
                 stirling_tail(k) - stirling_tail(n - k))
      return k;
  }
}

int64_t binomial_one(int64_t n, double p, ElementStream& st) {
  if (n == 0 || p == 0.0) return 0;
  if (p == 1.0) return n;
  bool flip = p > 0.5;
  double pp = flip ? 1.0 - p : p;  // exact for p in (1/2, 1]
  int64_t x = static_cast<double>(n) * pp < 10.0 ? binomial_inversion(n, pp, st) : binomial_btrd(n, pp, st);
  return flip ? n - x : x;
}

}  // namespace

void fill_uniform(const Array& out, const Key& key, uint64_t base) {
  int64_t n = out.size();
  if (out.dtype() == DType::Float32) {
    float* o = out.data_as<float>();
    parallel_for(static_cast<int64_t>(blocks_for(n, 8)), kGrainBlocks, [&](int64_t b0, int64_t b1) {
      uint64_t w[4];
      for (int64_t b = b0; b < b1; ++b) {
        primary(base + b, key, w);
        int64_t i0 = b * 8;
        if (i0 + 8 <= n) {
          for (int j = 0; j < 4; ++j) {
            o[i0 + 2 * j] = u24(static_cast<uint32_t>(w[j] >> 32));
            o[i0 + 2 * j + 1] = u24(static_cast<uint32_t>(w[j]));
          }
        } else {
          for (int j = 0; j < 8 && i0 + j < n; ++j)
            o[i0 + j] = u24(static_cast<uint32_t>(j & 1 ? w[j / 2] : w[j / 2] >> 32));
        }
      }
    });
    return;
  }
  double* o = out.data_as<double>();
  parallel_for(static_cast<int64_t>(blocks_for(n, 4)), kGrainBlocks, [&](int64_t b0, int64_t b1) {
    uint64_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      primary(base + b, key, w);
      int64_t i0 = b * 4;
      for (int j = 0; j < 4 && i0 + j < n; ++j) o[i0 + j] = u53(w[j]);
    }
  });
}

void fill_normal(const Array& out, const Key& key, uint64_t base) {
  int64_t n = out.size();
  bool f32 = out.dtype() == DType::Float32;
  char* o = out.data();
  parallel_for(static_cast<int64_t>(blocks_for(n, 4)), kGrainBlocks / 4, [&](int64_t b0, int64_t b1) {
    uint64_t w[4];
    double z[4];
    for (int64_t b = b0; b < b1; ++b) {
      primary(base + b, key, w);
      box_muller(w[0], w[1], z[0], z[1]);
      box_muller(w[2], w[3], z[2], z[3]);
      int64_t i0 = b * 4;
      for (int j = 0; j < 4 && i0 + j < n; ++j) {
        if (f32) reinterpret_cast<float*>(o)[i0 + j] = static_cast<float>(z[j]);
        else reinterpret_cast<double*>(o)[i0 + j] = z[j];
      }
    }
  });
}

void fill_affine(const Array& out, const Array& a, const Array& b, char kind, const Key& key, uint64_t base) {
  double* o = out.data_as<double>();
  Array params[2] = {a, b};
  if (kind == 'u') {
    for_each_elem<2>(out.shape(), params, key, base, [&](int64_t i, const char* const* p, WordCache& c) {
      double lo = *reinterpret_cast<const double*>(p[0]), range = *reinterpret_cast<const double*>(p[1]);
      o[i] = lo + range * u53(c.word(i));
    });
  } else {
    for_each_elem<2>(out.shape(), params, key, base, [&](int64_t i, const char* const* p, WordCache& c) {
      double loc = *reinterpret_cast<const double*>(p[0]), scale = *reinterpret_cast<const double*>(p[1]);
      o[i] = loc + scale * c.normal(i);
    });
  }
}

void fill_integers(const Array& out, const Array& low, const Array& high, const Key& key, uint64_t base) {
  // Nothing to draw; the bounds may be empty arrays (randint([], [])), so reading them is out of bounds.
  if (out.size() == 0) return;
  Array params[2] = {low, high};
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) {
      T* o = out.data_as<T>();
      bool scalar_bounds = true;
      for (const Array& a : params)
        for (int64_t s : a.strides()) scalar_bounds = scalar_bounds && s == 0;
      if (scalar_bounds) {
        // One (low, high) for all elements: a plain loop over blocks, same values as below.
        uint64_t lo, hi;
        std::memcpy(&lo, low.data(), 8);
        std::memcpy(&hi, high.data(), 8);
        const uint64_t range = hi - lo;
        int64_t n = out.size();
        parallel_for(static_cast<int64_t>(blocks_for(n, 4)), kGrainBlocks, [&](int64_t b0, int64_t b1) {
          uint64_t w[4];
          for (int64_t b = b0; b < b1; ++b) {
            primary(base + b, key, w);
            for (int64_t j = 0; j < 4 && b * 4 + j < n; ++j) {
              uint64_t x;
              if (range == ~uint64_t(0)) x = w[j];
              else if (range == 0) x = 0;
              else {
                ElementStream st(key, base + b, static_cast<uint64_t>(j), w[j]);
                x = bounded(range + 1, st);
              }
              o[b * 4 + j] = static_cast<T>(lo + x);
            }
          }
        });
        return;
      }
      // Bounds are stored as int64 or uint64; both are read as their 64-bit two's complement pattern,
      // so high - low (mod 2^64) is the range for either signedness.
      for_each_elem<2>(out.shape(), params, key, base, [&](int64_t i, const char* const* p, WordCache& c) {
        uint64_t lo, hi;
        std::memcpy(&lo, p[0], 8);
        std::memcpy(&hi, p[1], 8);
        uint64_t range = hi - lo, x;
        if (range == ~uint64_t(0)) {
          x = c.word(i);
        } else if (range == 0) {
          x = 0;  // no randomness needed, but element i still owns its word (the layout is fixed)
        } else {
          ElementStream st(key, base + static_cast<uint64_t>(i) / 4, static_cast<uint64_t>(i & 3), c.word(i));
          x = bounded(range + 1, st);
        }
        o[i] = static_cast<T>(lo + x);  // in [low, high] by construction, so the narrowing is exact
      });
    }
  });
}

void fill_binomial(const Array& out, const Array& n, const Array& p, const Key& key, uint64_t base) {
  int64_t* o = out.data_as<int64_t>();
  Array params[2] = {n, p};
  for_each_elem<2>(out.shape(), params, key, base, [&](int64_t i, const char* const* ptr, WordCache& c) {
    int64_t nn = *reinterpret_cast<const int64_t*>(ptr[0]);
    double pp = *reinterpret_cast<const double*>(ptr[1]);
    ElementStream st(key, base + static_cast<uint64_t>(i) / 4, static_cast<uint64_t>(i & 3), c.word(i));
    o[i] = binomial_one(nn, pp, st);
  });
}

void fill_choice_cdf(const Array& out, const Array& cdf, const Key& key, uint64_t base) {
  int64_t* o = out.data_as<int64_t>();
  const double* c = cdf.data_as<double>();
  int64_t m = cdf.size();
  double total = c[m - 1];
  // The last index with positive probability: where a rounded-up target would land.
  int64_t last = std::lower_bound(c, c + m, total) - c;
  for_each_elem<0>(out.shape(), nullptr, key, base, [&](int64_t i, const char* const*, WordCache& wc) {
    double target = u53(wc.word(i)) * total;
    int64_t k = std::upper_bound(c, c + m, target) - c;
    o[i] = k > last ? last : k;
  });
}

void fisher_yates(int64_t* dst, int64_t n, int64_t k, SeqStream& st) {
  if (k <= 0) return;
  if (k * 16 >= n) {
    std::vector<int64_t> a(n);
    for (int64_t i = 0; i < n; ++i) a[i] = i;
    for (int64_t i = 0; i < k; ++i) {
      int64_t j = i + static_cast<int64_t>(bounded(static_cast<uint64_t>(n - i), st));
      std::swap(a[i], a[j]);
    }
    std::memcpy(dst, a.data(), k * sizeof(int64_t));
    return;
  }
  // The same swaps on a virtual identity array: only displaced entries are stored.
  std::unordered_map<int64_t, int64_t> moved;
  moved.reserve(static_cast<size_t>(2 * k));
  auto at = [&](int64_t x) {
    auto it = moved.find(x);
    return it == moved.end() ? x : it->second;
  };
  for (int64_t i = 0; i < k; ++i) {
    int64_t j = i + static_cast<int64_t>(bounded(static_cast<uint64_t>(n - i), st));
    int64_t vi = at(i), vj = at(j);
    dst[i] = vj;
    moved[j] = vi;
  }
}

void gather_rows(const Array& src, const int64_t* perm, const Array& out) {
  int64_t rows = out.shape(0);
  if (rows == 0 || out.nbytes() == 0) return;
  size_t row_bytes = static_cast<size_t>(out.nbytes() / rows);
  const char* s = src.data();
  char* o = out.data();
  int64_t grain = std::max<int64_t>(1, (1 << 16) / static_cast<int64_t>(row_bytes));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) std::memcpy(o + r * row_bytes, s + perm[r] * row_bytes, row_bytes);
  });
}

}  // namespace minpy::cpu::rng
