// Reductions on the CPU. The layout is simplified once (size-1 axes dropped, reduced axes with
// axes ordered by stride and merged); then either
//  A) the innermost axis is reduced: each output gets whole rows reduced with a vectorised row
//     kernel (pairwise summation for floats, as NumPy does), parallel over outputs; or
//  B) the innermost axis is kept: output rows accumulate input rows (out[j] op= in[i, j]), which is
//     NumPy's order for outer-axis reductions and reads memory sequentially; parallel over column
//     blocks of the output.
#include "reduce_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "minpy/threading.h"
#include "ufunc_functors.h"

namespace minpy::cpu {
namespace {
using namespace minpy::scalar;

// Below this many input elements a reduction runs on the calling thread.
constexpr int64_t kParallelMin = 1 << 16;

template <class T> inline T ld(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T> inline void st(char* p, T v) { std::memcpy(p, &v, sizeof(T)); }

// GCC/Clang vector extensions: portable SIMD for the hot loops the auto-vectoriser leaves scalar
// (independent running sums or extremes kept in an array).
template <class T, int N> struct VecOf { typedef T type __attribute__((vector_size(N * sizeof(T)))); };
template <class T, int N> using Vec = typename VecOf<T, N>::type;
template <class V> inline V vload(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

// ---- NumPy's pairwise summation ---------------------------------------------------------------
// Below 8 values a plain loop; up to 128, eight running sums combined as a tree; above, two halves
// split at a multiple of 8. Same order as NumPy, so float sums agree with it bit for bit.
template <class Acc, bool NanZero, class In>
inline Acc pw_load(In v) {
  Acc x = static_cast<Acc>(v);
  if constexpr (NanZero) if (x != x) x = Acc(0);
  return x;
}

template <class In, class Acc, bool Contig, bool NanZero>
Acc pairwise(const char* p, int64_t n, int64_t s) {
  auto at = [&](int64_t i) -> Acc {
    if constexpr (Contig) return pw_load<Acc, NanZero>(reinterpret_cast<const In*>(p)[i]);
    else return pw_load<Acc, NanZero>(ld<In>(p + i * s));
  };
  if (n < 8) {
    Acc r = Acc(-0.0);
    for (int64_t i = 0; i < n; ++i) r += at(i);
    return r;
  }
  if (n <= 128) {
    Acc r[8];
    int64_t i = 8;
    if constexpr (Contig && std::is_same_v<In, Acc> && std::is_floating_point_v<Acc>) {
      // The eight running sums as one vector: lane j adds a[i + j], NumPy's exact order.
      using V = Vec<Acc, 8>;
      V acc = vload<V>(p);
      if constexpr (NanZero) acc = (acc != acc) ? V{} : acc;
      for (; i < n - n % 8; i += 8) {
        V x = vload<V>(p + i * sizeof(Acc));
        if constexpr (NanZero) x = (x != x) ? V{} : x;
        acc += x;
      }
      for (int j = 0; j < 8; ++j) r[j] = acc[j];
    } else {
      for (int j = 0; j < 8; ++j) r[j] = at(j);
      for (; i < n - n % 8; i += 8)
        for (int j = 0; j < 8; ++j) r[j] += at(i + j);
    }
    Acc res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += at(i);
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise<In, Acc, Contig, NanZero>(p, n2, s) + pairwise<In, Acc, Contig, NanZero>(p + n2 * s, n - n2, s);
}

// Complex pairwise summation: NumPy runs it over the interleaved (real, imag) floats, so lengths
// count floats and each of the eight running sums holds one component.
template <class F, class Load>
void cpairwise(F& rr, F& ri, const char* p, int64_t n, int64_t s, Load load) {
  auto at = [&](int64_t k) { return load(ld<std::complex<F>>(p + k * s)); };  // k: element index
  if (n < 8) {
    rr = F(-0.0);
    ri = F(-0.0);
    for (int64_t i = 0; i < n; i += 2) {
      auto c = at(i / 2);
      rr += c.real();
      ri += c.imag();
    }
    return;
  }
  if (n <= 128) {
    F r[8];
    for (int j = 0; j < 4; ++j) {
      auto c = at(j);
      r[2 * j] = c.real();
      r[2 * j + 1] = c.imag();
    }
    int64_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 4; ++j) {
        auto c = at(i / 2 + j);
        r[2 * j] += c.real();
        r[2 * j + 1] += c.imag();
      }
    rr = (r[0] + r[2]) + (r[4] + r[6]);
    ri = (r[1] + r[3]) + (r[5] + r[7]);
    for (; i < n; i += 2) {
      auto c = at(i / 2);
      rr += c.real();
      ri += c.imag();
    }
    return;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  F r1, i1, r2, i2;
  cpairwise<F>(r1, i1, p, n2, s, load);
  cpairwise<F>(r2, i2, p + (n2 / 2) * s, n - n2, s, load);
  rr = r1 + r2;
  ri = i1 + i2;
}

// The pairwise sum of n values with the top levels of NumPy's recursion run in parallel: the
// leaves are the same sub-sums, combined in the same tree, so the result is unchanged.
template <class Calc, class Leaf>
Calc pairwise_tree(int64_t n, Leaf leaf) {
  constexpr int kDepth = 3;
  struct Piece { int64_t off, n; };
  std::vector<Piece> leaves;
  auto split = [&](auto&& self, int64_t off, int64_t len, int depth) -> void {
    if (depth == 0 || len <= 128) {
      leaves.push_back({off, len});
      return;
    }
    int64_t n2 = len / 2;
    n2 -= n2 % 8;
    self(self, off, n2, depth - 1);
    self(self, off + n2, len - n2, depth - 1);
  };
  split(split, 0, n, kDepth);
  std::vector<Calc> sums(leaves.size());
  parallel_for(static_cast<int64_t>(leaves.size()), 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) sums[i] = leaf(leaves[i].off, leaves[i].n);
  });
  size_t next = 0;
  auto combine = [&](auto&& self, int64_t len, int depth) -> Calc {
    if (depth == 0 || len <= 128) return sums[next++];
    int64_t n2 = len / 2;
    n2 -= n2 % 8;
    Calc l = self(self, n2, depth - 1);
    Calc r = self(self, len - n2, depth - 1);
    return l + r;
  };
  return combine(combine, n, kDepth);
}

// ---- per-op kernels -----------------------------------------------------------------------------
// Each kernel K has: In, Acc, load(In) -> Acc, combine(Acc, Acc), seed(first) (a starting value
// for a partial result), row(acc, p, n, s) (acc op= the n values at p), accum(o, os, p, s, n)
// (o[i] op= p[i]) and exact_parallel (partial results combine to the same value).
template <class InT, class AccT, class D>
struct KernelBase {
  using In = InT;
  using Acc = AccT;
  static constexpr bool exact_parallel = true;
  static Acc seed(const char* first) { return D::load(ld<In>(first)); }
  static Acc row(Acc acc, const char* p, int64_t n, int64_t s) {
    if (s == static_cast<int64_t>(sizeof(In))) {
      const In* a = reinterpret_cast<const In*>(p);
      for (int64_t i = 0; i < n; ++i) acc = D::combine(acc, D::load(a[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) acc = D::combine(acc, D::load(ld<In>(p + i * s)));
    }
    return acc;
  }
  static void accum(char* o, int64_t os, const char* p, int64_t s, int64_t n) {
    if (os == static_cast<int64_t>(sizeof(Acc)) && s == static_cast<int64_t>(sizeof(In))) {
      Acc* out = reinterpret_cast<Acc*>(o);
      const In* a = reinterpret_cast<const In*>(p);
      for (int64_t i = 0; i < n; ++i) out[i] = D::combine(out[i], D::load(a[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) st<Acc>(o + i * os, D::combine(ld<Acc>(o + i * os), D::load(ld<In>(p + i * s))));
    }
  }
  // A row long enough to split across threads; partial results combine in order.
  static Acc row_big(Acc acc, const char* p, int64_t n, int64_t s) {
    if constexpr (!D::exact_parallel) {
      return D::row(acc, p, n, s);
    } else {
      int64_t chunks = std::min<int64_t>(num_threads() * 4, n / (kParallelMin / 4));
      if (chunks < 2) return D::row(acc, p, n, s);
      int64_t per = (n + chunks - 1) / chunks;
      std::vector<Acc> part(chunks);
      parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
          int64_t lo = c * per, len = std::min(n, lo + per) - lo;
          const char* q = p + lo * s;
          part[c] = D::row(D::seed(q), q, len, s);
        }
      });
      for (const Acc& v : part) acc = D::combine(acc, v);
      return acc;
    }
  }
};

template <class T, class D>
struct Identity : KernelBase<T, T, D> {
  static T load(T v) { return v; }
};

template <class T, bool NanAsZero>
struct AddK : KernelBase<T, T, AddK<T, NanAsZero>> {
  using Base = KernelBase<T, T, AddK<T, NanAsZero>>;
  using Calc = calc_t<T>;
  static T load(T v) {
    if constexpr (NanAsZero) if (is_nan(v)) return T(0);
    return v;
  }
  static T combine(T a, T b) { return fn::add::apply<T>(a, b); }
  static T seed(const char*) { return convert<T>(-0.0); }
  static constexpr bool exact_parallel = !is_flt<T> && !is_cplx<T>;
  static Calc pw(const char* p, int64_t n, int64_t s) {
    if constexpr (is_cplx<T>) {
      using F = typename T::value_type;
      F rr, ri;
      cpairwise<F>(rr, ri, p, 2 * n, s, [](T v) { return load(v); });
      return T(rr, ri);
    } else if (s == static_cast<int64_t>(sizeof(T))) {
      return pairwise<T, Calc, true, NanAsZero>(p, n, s);
    } else {
      return pairwise<T, Calc, false, NanAsZero>(p, n, s);
    }
  }
  static T row(T acc, const char* p, int64_t n, int64_t s) {
    if constexpr (is_flt<T> || is_cplx<T>) return static_cast<T>(static_cast<Calc>(acc) + pw(p, n, s));
    else return Base::row(acc, p, n, s);
  }
  static T row_big(T acc, const char* p, int64_t n, int64_t s) {
    if constexpr (is_cplx<T>) {
      // The complex tree splits counts of floats (2n); its leaves hold complex partial sums.
      using F = typename T::value_type;
      T sum = pairwise_tree<T>(2 * n, [&](int64_t off, int64_t len) {
        F rr, ri;
        cpairwise<F>(rr, ri, p + (off / 2) * s, len, s, [](T v) { return load(v); });
        return T(rr, ri);
      });
      return acc + sum;
    } else if constexpr (is_flt<T>) {
      Calc sum = pairwise_tree<Calc>(n, [&](int64_t off, int64_t len) { return pw(p + off * s, len, s); });
      return static_cast<T>(static_cast<Calc>(acc) + sum);
    } else {
      return Base::row_big(acc, p, n, s);
    }
  }
};

template <class T>
struct MulK : Identity<T, MulK<T>> {
  using Base = Identity<T, MulK<T>>;
  static T combine(T a, T b) { return fn::multiply::apply<T>(a, b); }
  static T seed(const char*) { return convert<T>(1); }
  static constexpr bool exact_parallel = !is_flt<T> && !is_cplx<T>;
  static T row(T acc, const char* p, int64_t n, int64_t s) {
    if constexpr (std::is_same_v<T, float16>) {
      // NumPy's half multiply reduce keeps the running product of a row in float32 and rounds
      // once at its end (an intermediate beyond 65504 does not become inf).
      float a = static_cast<float>(acc);
      for (int64_t i = 0; i < n; ++i) a *= static_cast<float>(ld<T>(p + i * s));
      return static_cast<T>(a);
    } else {
      return Base::row(acc, p, n, s);
    }
  }
};

// max/min (NaN propagates) and fmax/fmin (NaN ignored unless all NaN). Float rows keep 16
// independent running extremes so the compiler vectorises them.
template <class T, bool IsMax, bool Prop>
struct ExtK : Identity<T, ExtK<T, IsMax, Prop>> {
  static constexpr bool simple = std::is_floating_point_v<T> || std::is_integral_v<T>;
  static T combine(T m, T x) {
    if constexpr (std::is_floating_point_v<T>) {
      bool take = (IsMax ? (x > m) : (x < m)) | (Prop ? (x != x) : (m != m));
      return take ? x : m;
    } else if constexpr (std::is_integral_v<T>) {
      return (IsMax ? (x > m) : (x < m)) ? x : m;
    } else {
      return fn::extremum<IsMax, Prop>::template apply<T>(m, x);
    }
  }
  static T row(T acc, const char* p, int64_t n, int64_t s) {
    if constexpr (simple && !std::is_same_v<T, bool>) {
      // Four vectors of running extremes, combined in order at the end.
      constexpr int W = 32 / sizeof(T), L = 4 * W;
      using V = Vec<T, W>;
      if (s == static_cast<int64_t>(sizeof(T)) && n >= L) {
        V m[4];
        for (int j = 0; j < 4; ++j) m[j] = vload<V>(p + j * W * sizeof(T));
        int64_t i = L;
        for (; i + L <= n; i += L)
          for (int j = 0; j < 4; ++j) {
            V x = vload<V>(p + (i + j * W) * sizeof(T));
            if constexpr (std::is_floating_point_v<T>) {
              auto take = (IsMax ? (x > m[j]) : (x < m[j])) | (Prop ? (x != x) : (m[j] != m[j]));
              m[j] = take ? x : m[j];
            } else {
              m[j] = (IsMax ? (x > m[j]) : (x < m[j])) ? x : m[j];
            }
          }
        for (int j = 0; j < 4; ++j)
          for (int k = 0; k < W; ++k) acc = combine(acc, m[j][k]);
        const T* a = reinterpret_cast<const T*>(p);
        for (; i < n; ++i) acc = combine(acc, a[i]);
        return acc;
      }
    }
    return Identity<T, ExtK>::row(acc, p, n, s);
  }
};

template <class T>
struct BitAndK : Identity<T, BitAndK<T>> {
  static T combine(T a, T b) { return static_cast<T>(a & b); }
};
template <class T>
struct BitOrK : Identity<T, BitOrK<T>> {
  static T combine(T a, T b) { return static_cast<T>(a | b); }
};
template <class T>
struct BitXorK : Identity<T, BitXorK<T>> {
  static T combine(T a, T b) { return static_cast<T>(a ^ b); }
};

// Truth-value reductions; all/any stop at the first deciding element of a row.
template <class T, int Kind>  // 0 and, 1 or, 2 xor
struct LogicK : KernelBase<T, bool, LogicK<T, Kind>> {
  using Base = KernelBase<T, bool, LogicK<T, Kind>>;
  static bool load(T v) { return fn::truth(v); }
  static bool combine(bool a, bool b) { return Kind == 0 ? (a && b) : Kind == 1 ? (a || b) : (a != b); }
  static bool row(bool acc, const char* p, int64_t n, int64_t s) {
    if constexpr (Kind == 2) {
      return Base::row(acc, p, n, s);
    } else {
      constexpr bool decided = Kind == 1;  // the value that ends the scan
      if (acc == decided) return acc;
      for (int64_t i = 0; i < n; ++i)
        if (load(ld<T>(p + i * s)) == decided) return decided;
      return acc;
    }
  }
};

template <class T>
struct CountK : KernelBase<T, int64_t, CountK<T>> {
  static int64_t load(T v) { return fn::truth(v) ? 1 : 0; }
  static int64_t combine(int64_t a, int64_t b) { return a + b; }
  static int64_t seed(const char*) { return 0; }
};

// ---- the layout driver --------------------------------------------------------------------------
struct Dim {
  int64_t n, is, os;
  bool red;
};

std::vector<Dim> simplify(const Array& in, const Array& out, const std::vector<char>& reduced, const char*& ip) {
  std::vector<Dim> d;
  for (int k = 0; k < in.ndim(); ++k) {
    int64_t n = in.shape(k);
    if (n == 1) continue;
    Dim x{n, in.strides()[k], reduced[k] ? 0 : out.strides()[k], reduced[k] != 0};
    d.push_back(x);
  }
  std::stable_sort(d.begin(), d.end(), [](const Dim& a, const Dim& b) { return std::abs(a.is) > std::abs(b.is); });
  std::vector<Dim> m;
  for (const Dim& x : d) {
    if (!m.empty() && m.back().red == x.red && m.back().is == x.is * x.n && m.back().os == x.os * x.n) {
      m.back().n *= x.n;
      m.back().is = x.is;
      m.back().os = x.os;
    } else {
      m.push_back(x);
    }
  }
  return m;
}

// Walks a set of axes in C order, tracking input and output byte offsets.
struct Odometer {
  const std::vector<Dim>& d;
  std::vector<int64_t> idx;
  int64_t ioff = 0, ooff = 0;
  explicit Odometer(const std::vector<Dim>& dims) : d(dims), idx(dims.size(), 0) {}
  void seek(int64_t flat) {
    ioff = ooff = 0;
    for (int k = static_cast<int>(d.size()) - 1; k >= 0; --k) {
      idx[k] = flat % d[k].n;
      flat /= d[k].n;
      ioff += idx[k] * d[k].is;
      ooff += idx[k] * d[k].os;
    }
  }
  void next() {
    for (int k = static_cast<int>(d.size()) - 1; k >= 0; --k) {
      ioff += d[k].is;
      ooff += d[k].os;
      if (++idx[k] < d[k].n) return;
      ioff -= d[k].n * d[k].is;
      ooff -= d[k].n * d[k].os;
      idx[k] = 0;
    }
  }
};

int64_t count(const std::vector<Dim>& d) {
  int64_t n = 1;
  for (const Dim& x : d) n *= x.n;
  return n;
}

template <class K>
void run(const Array& in, const Array& out, const std::vector<char>& reduced) {
  using Acc = typename K::Acc;
  if (in.size() == 0) return;
  const char* ip = in.data();
  char* op = out.data();
  std::vector<Dim> dims = simplify(in, out, reduced, ip);
  if (dims.empty()) dims.push_back({1, 0, 0, true});
  Dim inner = dims.back();
  dims.pop_back();
  std::vector<Dim> kept, red;
  for (const Dim& x : dims) (x.red ? red : kept).push_back(x);
  int64_t nk = count(kept), nr = count(red);
  int64_t total = in.size();
  bool par = total >= kParallelMin && num_threads() > 1;

  if (inner.red) {
    if (nk == 1) {  // one output value
      Acc acc = ld<Acc>(op);
      if (red.empty()) {
        acc = par ? K::row_big(acc, ip, inner.n, inner.is) : K::row(acc, ip, inner.n, inner.is);
      } else if (par && nr >= 2) {
        // Rows split across threads; each part starts from its first element's seed.
        int64_t chunks = std::min<int64_t>(num_threads() * 4, nr);
        int64_t per = (nr + chunks - 1) / chunks;
        std::vector<Acc> part(chunks);
        parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
          Odometer r(red);
          for (int64_t c = b; c < e; ++c) {
            int64_t lo = c * per, hi = std::min(nr, lo + per);
            r.seek(lo);
            Acc a = K::seed(ip + r.ioff);
            for (int64_t j = lo; j < hi; ++j, r.next()) a = K::row(a, ip + r.ioff, inner.n, inner.is);
            part[c] = a;
          }
        });
        for (const Acc& v : part) acc = K::combine(acc, v);
      } else {
        Odometer r(red);
        for (int64_t j = 0; j < nr; ++j, r.next()) acc = K::row(acc, ip + r.ioff, inner.n, inner.is);
      }
      st<Acc>(op, acc);
      return;
    }
    int64_t per_out = nr * inner.n;
    int64_t grain = par ? std::max<int64_t>(1, (kParallelMin / 4) / per_out) : nk;
    parallel_for(nk, grain, [&](int64_t b, int64_t e) {
      Odometer ko(kept), r(red);
      ko.seek(b);
      for (int64_t k = b; k < e; ++k, ko.next()) {
        char* o = op + ko.ooff;
        const char* i0 = ip + ko.ioff;
        Acc acc = ld<Acc>(o);
        if (red.empty()) {
          acc = K::row(acc, i0, inner.n, inner.is);
        } else {
          r.seek(0);
          for (int64_t j = 0; j < nr; ++j, r.next()) acc = K::row(acc, i0 + r.ioff, inner.n, inner.is);
        }
        st<Acc>(o, acc);
      }
    });
    return;
  }

  // Inner axis kept: output rows accumulate input rows, in column blocks that stay in cache.
  int64_t nb = 1;
  if (par && nk < 4 * num_threads()) nb = std::clamp<int64_t>(inner.n / 64, 1, 4 * num_threads());
  int64_t cb = (inner.n + nb - 1) / nb;
  nb = (inner.n + cb - 1) / cb;
  int64_t tasks = nk * nb;
  int64_t per_task = nr * cb;
  int64_t grain = par ? std::max<int64_t>(1, (kParallelMin / 4) / per_task) : tasks;
  parallel_for(tasks, grain, [&](int64_t b, int64_t e) {
    Odometer ko(kept), r(red);
    for (int64_t t = b; t < e; ++t) {
      int64_t k = t / nb, c0 = (t % nb) * cb, len = std::min(cb, inner.n - c0);
      ko.seek(k);
      char* o = op + ko.ooff + c0 * inner.os;
      const char* i0 = ip + ko.ioff + c0 * inner.is;
      r.seek(0);
      for (int64_t j = 0; j < nr; ++j, r.next()) K::accum(o, inner.os, i0 + r.ioff, inner.is, len);
    }
  });
}

template <class T>
void dispatch(RedOp op, const Array& in, const Array& out, const std::vector<char>& reduced) {
  constexpr bool bitwise_ok = std::is_integral_v<T>;
  constexpr bool nan_ok = is_flt<T> || is_cplx<T>;
  switch (op) {
    case RedOp::Add: return run<AddK<T, false>>(in, out, reduced);
    case RedOp::NanAdd:
      if constexpr (nan_ok) return run<AddK<T, true>>(in, out, reduced);
      else return run<AddK<T, false>>(in, out, reduced);
    case RedOp::Mul: return run<MulK<T>>(in, out, reduced);
    case RedOp::Max: return run<ExtK<T, true, true>>(in, out, reduced);
    case RedOp::Min: return run<ExtK<T, false, true>>(in, out, reduced);
    case RedOp::FMax: return run<ExtK<T, true, false>>(in, out, reduced);
    case RedOp::FMin: return run<ExtK<T, false, false>>(in, out, reduced);
    case RedOp::BitAnd:
      if constexpr (bitwise_ok) return run<BitAndK<T>>(in, out, reduced);
      break;
    case RedOp::BitOr:
      if constexpr (bitwise_ok) return run<BitOrK<T>>(in, out, reduced);
      break;
    case RedOp::BitXor:
      if constexpr (bitwise_ok) return run<BitXorK<T>>(in, out, reduced);
      break;
    case RedOp::And: return run<LogicK<T, 0>>(in, out, reduced);
    case RedOp::Or: return run<LogicK<T, 1>>(in, out, reduced);
    case RedOp::Xor: return run<LogicK<T, 2>>(in, out, reduced);
    case RedOp::CountNonzero: return run<CountK<T>>(in, out, reduced);
  }
}

// ---- argmax / argmin ------------------------------------------------------------------------------
// NumPy's rule: the first NaN wins; otherwise the first strict improvement.
template <class T, bool IsMax>
inline bool better(T v, T best) {
  if constexpr (is_cplx<T>) {
    if (is_nan(best)) return false;
    if (is_nan(v)) return true;
    return IsMax ? cplx_less(best, v) : cplx_less(v, best);
  } else if constexpr (is_flt<T>) {
    using C = calc_t<T>;
    C x = static_cast<C>(v), b = static_cast<C>(best);
    if (b != b) return false;
    return IsMax ? !(x <= b) : !(x >= b);
  } else {
    return IsMax ? (v > best) : (v < best);
  }
}

template <class T, bool IsMax>
int64_t arg_row(const char* p, int64_t n, int64_t s) {
  T best = ld<T>(p);
  int64_t bi = 0;
  if (is_nan(best)) return 0;
  for (int64_t i = 1; i < n; ++i) {
    T v = ld<T>(p + i * s);
    if (better<T, IsMax>(v, best)) {
      best = v;
      bi = i;
      if (is_nan(v)) break;
    }
  }
  return bi;
}

template <class T, bool IsMax>
void arg_run(const Array& in, int axis, const Array& out) {
  int64_t n = in.shape(axis), rs = in.strides()[axis];
  const char* ip = in.data();
  char* op = out.data();
  std::vector<char> reduced(in.ndim(), 0);
  // Kept axes only (the reduced axis is handled here, since its order matters).
  Shape sh = in.shape(), stv = in.strides();
  sh[axis] = 1;
  stv[axis] = 0;
  Array flat = in.view(sh, stv, 0);
  const char* dummy = ip;
  std::vector<Dim> kept = simplify(flat, out, reduced, dummy);
  bool par = in.size() >= kParallelMin && num_threads() > 1;
  bool inner_axis = kept.empty() || std::abs(rs) <= std::abs(kept.back().is);
  if (inner_axis) {
    int64_t nk = count(kept);
    int64_t grain = par ? std::max<int64_t>(1, (kParallelMin / 4) / n) : nk;
    parallel_for(nk, grain, [&](int64_t b, int64_t e) {
      Odometer ko(kept);
      ko.seek(b);
      for (int64_t k = b; k < e; ++k, ko.next()) st<int64_t>(op + ko.ooff, arg_row<T, IsMax>(ip + ko.ioff, n, rs));
    });
    return;
  }
  // The reduced axis is outer: keep the best value per output column and scan input rows.
  Dim inner = kept.back();
  kept.pop_back();
  int64_t nk = count(kept);
  int64_t nb = 1;
  if (par && nk < 4 * num_threads()) nb = std::clamp<int64_t>(inner.n / 64, 1, 4 * num_threads());
  int64_t cb = (inner.n + nb - 1) / nb;
  nb = (inner.n + cb - 1) / cb;
  int64_t tasks = nk * nb;
  int64_t grain = par ? std::max<int64_t>(1, (kParallelMin / 4) / (n * cb)) : tasks;
  parallel_for(tasks, grain, [&](int64_t b, int64_t e) {
    Odometer ko(kept);
    std::vector<T> best(cb);
    std::vector<int64_t> bi(cb);
    for (int64_t t = b; t < e; ++t) {
      int64_t k = t / nb, c0 = (t % nb) * cb, len = std::min(cb, inner.n - c0);
      ko.seek(k);
      const char* i0 = ip + ko.ioff + c0 * inner.is;
      for (int64_t j = 0; j < len; ++j) {
        best[j] = ld<T>(i0 + j * inner.is);
        bi[j] = 0;
      }
      for (int64_t i = 1; i < n; ++i) {
        const char* row = i0 + i * rs;
        for (int64_t j = 0; j < len; ++j) {
          T v = ld<T>(row + j * inner.is);
          if (better<T, IsMax>(v, best[j])) {
            best[j] = v;
            bi[j] = i;
          }
        }
      }
      char* o = op + ko.ooff + c0 * inner.os;
      for (int64_t j = 0; j < len; ++j) st<int64_t>(o + j * inner.os, bi[j]);
    }
  });
}

}  // namespace

DType reduce_acc_dtype(RedOp op, DType in) {
  switch (op) {
    case RedOp::And: case RedOp::Or: case RedOp::Xor: return DType::Bool;
    case RedOp::CountNonzero: return DType::Int64;
    default: return in;
  }
}

bool reduce_supported(RedOp op, DType in) {
  switch (op) {
    case RedOp::BitAnd: case RedOp::BitOr: case RedOp::BitXor: return in == DType::Bool || is_integer(in);
    default: return true;
  }
}

void reduce(RedOp op, const Array& in, const Array& out, const std::vector<char>& reduced) {
  visit_dtype(in.dtype(), [&](auto v) { dispatch<decltype(v)>(op, in, out, reduced); });
}

void arg_reduce(bool is_max, const Array& in, int axis, const Array& out) {
  visit_dtype(in.dtype(), [&](auto v) {
    using T = decltype(v);
    if (is_max) arg_run<T, true>(in, axis, out);
    else arg_run<T, false>(in, axis, out);
  });
}

}  // namespace minpy::cpu
