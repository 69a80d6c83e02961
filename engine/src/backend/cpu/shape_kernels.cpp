#include "shape_kernels.h"

#include <algorithm>
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

}  // namespace

void sort_lanes(const Array& a, int axis, bool stable) {
  int64_t len = a.shape(axis), step = a.strides()[axis];
  visit_dtype(a.dtype(), [&](auto tag) {
    // bool sorts as its byte (0 < 1), which avoids std::vector<bool>.
    using T = std::conditional_t<std::is_same_v<decltype(tag), bool>, uint8_t, decltype(tag)>;
    for_each_lane({a}, axis, [&] {
      return [&, buf = std::vector<T>()](char** p) mutable {
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
    using T = decltype(tag);
    for_each_lane({a, out}, axis, [&] {
      return [&, buf = std::vector<Keyed<T>>()](char** p) mutable {
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
template <size_t N>
void copy_chunks(char* d, const char* s, int64_t count, size_t) {
  for (int64_t r = 0; r < count; ++r, d += N) std::memcpy(d, s, N);
}
void copy_chunks_any(char* d, const char* s, int64_t count, size_t chunk) {
  for (int64_t r = 0; r < count; ++r, d += chunk) std::memcpy(d, s, chunk);
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
  auto fn = chunk == 1 ? &copy_chunks<1> : chunk == 2 ? &copy_chunks<2> : chunk == 4 ? &copy_chunks<4>
          : chunk == 8 ? &copy_chunks<8> : chunk == 16 ? &copy_chunks<16> : &copy_chunks_any;
  const char* s = src.data();
  char* d = out.data();
  int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / static_cast<int64_t>(chunk) /
                                           std::max<int64_t>(1, total / std::max<int64_t>(n, 1)));
  parallel_for(outer * n, grain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      int64_t o = k / n, i = k % n;
      fn(d + (o * total + start[i]) * chunk, s + k * chunk, start[i + 1] - start[i], chunk);
    }
  });
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
