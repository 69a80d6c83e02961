#include "shape_kernels.h"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstring>
#include <numeric>

#include "minpy/threading.h"
#include "scalar_math.h"

namespace minpy::cpu {
namespace {

using scalar::is_cplx;
using scalar::is_flt;

// NumPy's sort order: NaNs after everything; complex by real then imaginary part, with NaN parts
// last (NumPy's documented [R + Rj, R + nanj, nan + Rj, nan + nanj]).
template <class T>
struct Less {
  bool operator()(const T& a, const T& b) const {
    if constexpr (is_cplx<T>) {
      auto ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
      if (ar < br) return ai == ai || bi != bi;
      if (ar > br) return bi != bi && ai == ai;
      if (ar == br || (ar != ar && br != br)) return ai < bi || (bi != bi && ai == ai);
      return br != br;
    } else if constexpr (is_flt<T>) {
      return a < b || (b != b && a == a);
    } else {
      return a < b;
    }
  }
};

template <class T>
bool is_nan(const T& v) {
  if constexpr (is_flt<T>) return v != v;
  else return false;
}

// Calls make() once per chunk of lanes to get a worker, then worker(ptrs) for every 1-d lane along
// `axis` of the arrays (all of the same shape); ptrs[i] is arrays[i]'s lane start.
template <class Make>
void for_each_lane(const std::vector<Array>& arrays, int axis, Make&& make) {
  const Array& a = arrays[0];
  Shape oshape;
  std::vector<Shape> ostrides(arrays.size());
  for (int d = 0; d < a.ndim(); ++d) {
    if (d == axis) continue;
    oshape.push_back(a.shape(d));
    for (size_t k = 0; k < arrays.size(); ++k) ostrides[k].push_back(arrays[k].strides()[d]);
  }
  int64_t nlanes = shape_size(oshape), len = a.shape(axis);
  if (nlanes == 0 || len == 0) return;
  int nd = static_cast<int>(oshape.size());
  // Threads only pay off when a chunk of lanes holds enough elements.
  int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / len);
  parallel_for(nlanes, grain, [&](int64_t b, int64_t e) {
    auto worker = make();
    std::vector<int64_t> idx(nd);
    int64_t rest = b;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rest % oshape[d];
      rest /= oshape[d];
    }
    char* ptrs[4];
    for (int64_t l = b; l < e; ++l) {
      for (size_t k = 0; k < arrays.size(); ++k) {
        int64_t off = 0;
        for (int d = 0; d < nd; ++d) off += idx[d] * ostrides[k][d];
        ptrs[k] = arrays[k].data() + off;
      }
      worker(ptrs);
      for (int d = nd - 1; d >= 0; --d) {
        if (++idx[d] < oshape[d]) break;
        idx[d] = 0;
      }
    }
  });
}

template <class T>
void sort_values(T* v, int64_t n, bool stable) {
  if constexpr (is_flt<T>) {
    // NaNs to the end first, so the bulk sort can use the plain (faster) comparison.
    T* mid = stable ? std::stable_partition(v, v + n, [](const T& x) { return x == x; })
                    : std::partition(v, v + n, [](const T& x) { return x == x; });
    if (stable) std::stable_sort(v, mid);
    else std::sort(v, mid);
  } else if constexpr (is_cplx<T>) {
    if (stable) std::stable_sort(v, v + n, Less<T>());
    else std::sort(v, v + n, Less<T>());
  } else {
    if (stable) std::stable_sort(v, v + n);
    else std::sort(v, v + n);
  }
}

template <class T>
struct Keyed {
  T v;
  int64_t i;
};

// ---- LSD radix sort for integer and real float keys: stable, O(n) per digit ----
// Keys map to unsigned integers whose order is the value order (NaNs are set aside first).
template <class T>
inline constexpr bool radix_type = !is_cplx<T>;
template <class T>
using ukey_t = std::conditional_t<sizeof(T) == 1, uint8_t,
               std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

template <class T>
ukey_t<T> to_key(T v) {
  using U = ukey_t<T>;
  constexpr U sign = U(U(1) << (sizeof(U) * 8 - 1));
  U u;
  std::memcpy(&u, &v, sizeof(U));
  if constexpr (is_flt<T>) return (u & sign) ? U(~u) : U(u | sign);  // negative floats reverse order
  else if constexpr (std::is_signed_v<T>) return U(u ^ sign);
  else return u;
}

template <class T>
T from_key(ukey_t<T> k) {
  using U = ukey_t<T>;
  constexpr U sign = U(U(1) << (sizeof(U) * 8 - 1));
  U u;
  if constexpr (is_flt<T>) u = (k & sign) ? U(k ^ sign) : U(~k);
  else if constexpr (std::is_signed_v<T>) u = U(k ^ sign);
  else u = k;
  T v;
  std::memcpy(&v, &u, sizeof(U));
  return v;
}

// Below this lane length comparison sorts win over the histogram passes.
inline constexpr int64_t kRadixMin = 512;

// Per-thread buffers of the radix sorts, reused across the lanes a thread handles.
template <class U>
struct RadixScratch {
  std::vector<U> keys, ktmp;
  std::vector<int64_t> idx, itmp, nan_idx;
  std::vector<int64_t> hist;
};

// Sorts keys[0, n) (and idx alongside when with_idx) in place; stable.
template <class U, bool with_idx>
void radix_sort(RadixScratch<U>& s, int64_t n) {
  constexpr int kBits = sizeof(U) == 1 ? 8 : 11, kBuckets = 1 << kBits;
  constexpr int kPasses = (sizeof(U) * 8 + kBits - 1) / kBits;
  s.ktmp.resize(n);
  if (with_idx) s.itmp.resize(n);
  s.hist.assign(kPasses * kBuckets, 0);
  U* k = s.keys.data();
  U* kt = s.ktmp.data();
  int64_t* ix = s.idx.data();
  int64_t* it = s.itmp.data();
  int64_t* h = s.hist.data();
  for (int64_t i = 0; i < n; ++i) {
    U x = k[i];
    for (int p = 0; p < kPasses; ++p) ++h[p * kBuckets + ((x >> (p * kBits)) & (kBuckets - 1))];
  }
  bool swapped = false;
  for (int p = 0; p < kPasses; ++p) {
    int64_t* hp = h + p * kBuckets;
    int shift = p * kBits;
    if (hp[(k[0] >> shift) & (kBuckets - 1)] == n) continue;  // every key has this digit
    int64_t sum = 0;
    for (int b = 0; b < kBuckets; ++b) {
      int64_t c = hp[b];
      hp[b] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; ++i) {
      U x = k[i];
      int64_t pos = hp[(x >> shift) & (kBuckets - 1)]++;
      kt[pos] = x;
      if constexpr (with_idx) it[pos] = ix[i];
    }
    std::swap(k, kt);
    if constexpr (with_idx) std::swap(ix, it);
    swapped = !swapped;
  }
  if (swapped) {
    std::memcpy(s.keys.data(), k, n * sizeof(U));
    if constexpr (with_idx) std::memcpy(s.idx.data(), ix, n * sizeof(int64_t));
  }
}

// Sorts one lane (len elements, byte step) by radix: NaNs keep their bits and go last in order.
template <class T>
void radix_sort_values(char* lane, int64_t len, int64_t step, RadixScratch<ukey_t<T>>& s) {
  s.keys.resize(len);
  std::vector<T> nans;
  // -0.0 and +0.0 are equal to a sort: both get +0.0's key, and the zeros' signs are put back in
  // their original order, which is what a stable comparison sort produces.
  std::vector<uint8_t> zero_signs;
  const ukey_t<T> zero_key = to_key(T(0));
  int64_t m = 0;
  for (int64_t i = 0; i < len; ++i) {
    T v;
    std::memcpy(&v, lane + i * step, sizeof(T));
    if (is_nan(v)) {
      nans.push_back(v);
      continue;
    }
    if constexpr (is_flt<T>) {
      if (v == T(0)) {
        zero_signs.push_back(std::signbit(static_cast<float>(v)));
        v = T(0);
      }
    }
    s.keys[m++] = to_key(v);
  }
  radix_sort<ukey_t<T>, false>(s, m);
  size_t z = 0;
  for (int64_t i = 0; i < m; ++i) {
    T v = from_key<T>(s.keys[i]);
    if constexpr (is_flt<T>) {
      if (s.keys[i] == zero_key && zero_signs[z++]) v = -v;
    }
    std::memcpy(lane + i * step, &v, sizeof(T));
  }
  for (size_t j = 0; j < nans.size(); ++j) std::memcpy(lane + (m + j) * step, &nans[j], sizeof(T));
}

template <class T>
void radix_argsort(const char* lane, int64_t len, int64_t step, char* out, int64_t ostep,
                   RadixScratch<ukey_t<T>>& s) {
  s.keys.resize(len);
  s.idx.resize(len);
  s.nan_idx.clear();
  int64_t m = 0;
  for (int64_t i = 0; i < len; ++i) {
    T v;
    std::memcpy(&v, lane + i * step, sizeof(T));
    if (is_nan(v)) {
      s.nan_idx.push_back(i);
    } else {
      if constexpr (is_flt<T>) {
        if (v == T(0)) v = T(0);  // -0.0 ties with +0.0
      }
      s.keys[m] = to_key(v);
      s.idx[m++] = i;
    }
  }
  radix_sort<ukey_t<T>, true>(s, m);
  for (int64_t i = 0; i < m; ++i) std::memcpy(out + i * ostep, &s.idx[i], 8);
  for (size_t j = 0; j < s.nan_idx.size(); ++j) std::memcpy(out + (m + j) * ostep, &s.nan_idx[j], 8);
}

}  // namespace

void sort_lanes(const Array& a, int axis, bool stable) {
  int64_t len = a.shape(axis), step = a.strides()[axis];
  visit_dtype(a.dtype(), [&](auto tag) {
    // bool sorts as its byte (0 < 1), which avoids std::vector<bool>.
    using T = std::conditional_t<std::is_same_v<decltype(tag), bool>, uint8_t, decltype(tag)>;
    for_each_lane({a}, axis, [&] {
      return [&, buf = std::vector<T>(), scratch = RadixScratch<ukey_t<T>>()](char** p) mutable {
        if constexpr (radix_type<T>) {
          if (len >= kRadixMin) {
            radix_sort_values<T>(p[0], len, step, scratch);
            return;
          }
        }
        if (step == static_cast<int64_t>(sizeof(T))) {
          sort_values(reinterpret_cast<T*>(p[0]), len, stable);
          return;
        }
        // Strided lane: gather, sort contiguously, scatter back.
        buf.resize(len);
        for (int64_t i = 0; i < len; ++i) std::memcpy(&buf[i], p[0] + i * step, sizeof(T));
        sort_values(buf.data(), len, stable);
        for (int64_t i = 0; i < len; ++i) std::memcpy(p[0] + i * step, &buf[i], sizeof(T));
      };
    });
  });
}

void argsort_lanes(const Array& a, int axis, const Array& out) {
  int64_t len = a.shape(axis), step = a.strides()[axis], ostep = out.strides()[axis];
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = std::conditional_t<std::is_same_v<decltype(tag), bool>, uint8_t, decltype(tag)>;
    for_each_lane({a, out}, axis, [&] {
      return [&, buf = std::vector<Keyed<T>>(), scratch = RadixScratch<ukey_t<T>>()](char** p) mutable {
        if constexpr (radix_type<T>) {
          if (len >= kRadixMin) {
            radix_argsort<T>(p[0], len, step, p[1], ostep, scratch);
            return;
          }
        }
        buf.resize(len);
        for (int64_t i = 0; i < len; ++i) {
          std::memcpy(&buf[i].v, p[0] + i * step, sizeof(T));
          buf[i].i = i;
        }
        auto first = buf.begin(), last = buf.end();
        if constexpr (is_flt<T>) {
          last = std::stable_partition(first, last, [](const Keyed<T>& k) { return !is_nan(k.v); });
          std::stable_sort(first, last, [](const Keyed<T>& x, const Keyed<T>& y) { return x.v < y.v; });
        } else {
          std::stable_sort(first, last, [](const Keyed<T>& x, const Keyed<T>& y) { return Less<T>()(x.v, y.v); });
        }
        if (ostep == 8) {
          int64_t* o = reinterpret_cast<int64_t*>(p[1]);
          for (int64_t i = 0; i < len; ++i) o[i] = buf[i].i;
        } else {
          for (int64_t i = 0; i < len; ++i) std::memcpy(p[1] + i * ostep, &buf[i].i, 8);
        }
      };
    });
  });
}

bool searchsorted(const Array& a, const Array& v, const Array& sorter, bool right, const Array& out) {
  int64_t n = a.shape(0), astep = a.strides()[0];
  const char* abase = a.data();
  const int64_t* perm = sorter.defined() ? sorter.data_as<int64_t>() : nullptr;
  int64_t sstep = sorter.defined() ? sorter.strides()[0] / 8 : 0;
  int64_t* o = out.data_as<int64_t>();  // C-contiguous
  std::atomic<bool> bad{false};
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* vv = v.data_as<T>();  // C-contiguous
    Less<T> lt;
    parallel_for(v.size(), 1 << 12, [&](int64_t b, int64_t e) {
      for (int64_t k = b; k < e && !bad.load(std::memory_order_relaxed); ++k) {
        T key = vv[k];
        int64_t lo = 0, hi = n;
        while (lo < hi) {
          int64_t mid = lo + (hi - lo) / 2;
          int64_t j = mid;
          if (perm) {
            // Like NumPy, only the sorter entries the search visits are checked.
            j = perm[mid * sstep];
            if (j < 0 || j >= n) {
              bad = true;
              return;
            }
          }
          T x;
          std::memcpy(&x, abase + j * astep, sizeof(T));
          if (right ? !lt(key, x) : lt(x, key)) lo = mid + 1;
          else hi = mid;
        }
        o[k] = lo;
      }
    });
  });
  return !bad;
}

namespace {
// Copies source chunks k in [b, e) (k = outer * n + i) to their repeated places in the output.
// N is the chunk size in bytes when known at compile time (0: use `chunk`), so the common
// one-element chunks compile to plain moves.
template <size_t N>
void repeat_range(char* d, const char* s, const int64_t* start, int64_t n, int64_t total, size_t chunk,
                  int64_t b, int64_t e) {
  const size_t c = N ? N : chunk;
  int64_t o = b / n, i = b % n;
  for (int64_t k = b; k < e; ++k) {
    char* dp = d + (o * total + start[i]) * static_cast<int64_t>(c);
    const char* sp = s + k * static_cast<int64_t>(c);
    for (int64_t r = start[i + 1] - start[i]; r > 0; --r, dp += c) std::memcpy(dp, sp, c);
    if (++i == n) {
      i = 0;
      ++o;
    }
  }
}
}  // namespace

void repeat(const Array& src, int axis, const std::vector<int64_t>& reps, const Array& out) {
  int64_t outer = 1, n = src.shape(axis), inner = 1;
  for (int d = 0; d < axis; ++d) outer *= src.shape(d);
  for (int d = axis + 1; d < src.ndim(); ++d) inner *= src.shape(d);
  size_t chunk = static_cast<size_t>(inner) * src.itemsize();
  if (out.size() == 0 || chunk == 0) return;
  // Output position of each source index, so any (outer, i) pair can run on any thread.
  std::vector<int64_t> start(n + 1, 0);
  for (int64_t i = 0; i < n; ++i) start[i + 1] = start[i] + (reps.size() == 1 ? reps[0] : reps[i]);
  int64_t total = start[n];
  auto fn = chunk == 1 ? &repeat_range<1> : chunk == 2 ? &repeat_range<2> : chunk == 4 ? &repeat_range<4>
          : chunk == 8 ? &repeat_range<8> : chunk == 16 ? &repeat_range<16> : &repeat_range<0>;
  const char* s = src.data();
  char* d = out.data();
  // Grain in source chunks, sized so each piece writes about 64 KiB.
  int64_t per_chunk = static_cast<int64_t>(chunk) * std::max<int64_t>(1, total / std::max<int64_t>(n, 1));
  int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / per_chunk);
  parallel_for(outer * n, grain, [&](int64_t b, int64_t e) { fn(d, s, start.data(), n, total, chunk, b, e); });
}

void zero_outside_triangle(const Array& out, int64_t k, bool lower) {
  int nd = out.ndim();
  int64_t m = out.shape(nd - 2), n = out.shape(nd - 1);
  int64_t rows = out.size() / std::max<int64_t>(n, 1);
  if (out.size() == 0) return;
  size_t isz = out.itemsize();
  char* base = out.data();
  // k is clamped by the caller to [-m - 1, n + 1], so i + k cannot overflow.
  parallel_for(rows, std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t i = r % m;
      char* row = base + r * n * isz;
      if (lower) {
        int64_t from = std::clamp<int64_t>(i + k + 1, 0, n);
        std::memset(row + from * isz, 0, (n - from) * isz);
      } else {
        int64_t to = std::clamp<int64_t>(i + k, 0, n);
        std::memset(row, 0, to * isz);
      }
    }
  });
}

}  // namespace minpy::cpu
