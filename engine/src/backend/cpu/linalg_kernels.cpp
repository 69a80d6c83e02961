#include "linalg_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "blas.h"
#include "minpy/threading.h"
#include "scalar_math.h"

namespace minpy::cpu {
namespace {

// ---- element access and NumPy's accumulation types -------------------------------------------
// Integers accumulate in unsigned types of at least 32 bits: wrapping there and truncating at the
// end gives NumPy's wrapped result with no C++ overflow (uint16 * uint16 would overflow `int`).
template <class T> struct acc_of { using type = T; };
template <> struct acc_of<bool> { using type = uint8_t; };
template <> struct acc_of<int8_t> { using type = uint32_t; };
template <> struct acc_of<uint8_t> { using type = uint32_t; };
template <> struct acc_of<int16_t> { using type = uint32_t; };
template <> struct acc_of<uint16_t> { using type = uint32_t; };
template <> struct acc_of<int32_t> { using type = uint32_t; };
template <> struct acc_of<uint32_t> { using type = uint32_t; };
template <> struct acc_of<int64_t> { using type = uint64_t; };
template <> struct acc_of<uint64_t> { using type = uint64_t; };
template <> struct acc_of<float16> { using type = float; };  // NumPy's half matmul sums in float
template <class T> using acc_t = typename acc_of<T>::type;

template <class T> inline T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T> inline void store(char* p, T v) { std::memcpy(p, &v, sizeof(T)); }

template <class T> inline acc_t<T> to_acc(T v) {
  if constexpr (std::is_same_v<T, bool>) return v ? 1 : 0;
  else if constexpr (std::is_same_v<T, float16>) return static_cast<float>(v);
  else return static_cast<acc_t<T>>(v);
}
template <class T> inline T from_acc(acc_t<T> v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_same_v<T, float16>) return static_cast<float16>(v);
  else return static_cast<T>(v);
}
// acc += a * b, with bool's or-of-ands.
template <class T> inline void madd(acc_t<T>& acc, acc_t<T> a, acc_t<T> b) {
  if constexpr (std::is_same_v<T, bool>) acc |= a & b;
  else acc += a * b;
}

// One matrix: layout of an (rows x cols) operand in bytes.
struct Mat {
  char* p;
  int64_t rows, cols, s0, s1;
};

// ---- generic blocked product (integers, bool, float16; any type when BLAS cannot take it) -------
// B is packed once into a contiguous row-major block of accumulator values, so the inner loop is a
// contiguous multiply-add over a row of C that the compiler vectorizes. Each C element still sums
// its k products in order, as NumPy's loop does (float16 results match bit for bit).
template <class T>
void gemm_generic(const Mat& A, const Mat& B, const Mat& C, bool parallel) {
  using Acc = acc_t<T>;
  const int64_t n = A.rows, k = A.cols, m = B.cols;
  std::vector<Acc> bp(static_cast<size_t>(k * m));
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < m; ++j) bp[kk * m + j] = to_acc(load<T>(B.p + kk * B.s0 + j * B.s1));
  constexpr int64_t kColBlock = 512;  // keeps the accumulator row and the B panel in cache
  auto rows = [&](int64_t i0, int64_t i1) {
    std::vector<Acc> acc(static_cast<size_t>(std::min(m, kColBlock)));
    for (int64_t jb = 0; jb < m; jb += kColBlock) {
      const int64_t jn = std::min(kColBlock, m - jb);
      for (int64_t i = i0; i < i1; ++i) {
        std::fill(acc.begin(), acc.begin() + jn, Acc{});
        const char* arow = A.p + i * A.s0;
        for (int64_t kk = 0; kk < k; ++kk) {
          const Acc av = to_acc(load<T>(arow + kk * A.s1));
          const Acc* brow = bp.data() + kk * m + jb;
          Acc* __restrict ac = acc.data();
          for (int64_t j = 0; j < jn; ++j) madd<T>(ac[j], av, brow[j]);
        }
        char* crow = C.p + i * C.s0 + jb * C.s1;
        for (int64_t j = 0; j < jn; ++j) store<T>(crow + j * C.s1, from_acc<T>(acc[j]));
      }
    }
  };
  if (parallel) {
    const int64_t work = std::max<int64_t>(1, k * m);
    parallel_for(n, std::max<int64_t>(1, (1 << 16) / work), rows);
  } else {
    rows(0, n);
  }
}

// ---- BLAS path ----------------------------------------------------------------------------------
// Whether a matrix can be handed to row-major GEMM as is (trans = false) or transposed; ld in elements.
bool blas_layout(const Mat& M, int64_t isz, bool& trans, int64_t& ld) {
  const int64_t align = isz > 8 ? isz / 2 : isz;
  if (reinterpret_cast<uintptr_t>(M.p) % align != 0) return false;
  const int64_t r = std::max<int64_t>(M.rows, 1), c = std::max<int64_t>(M.cols, 1);
  if ((M.cols == 1 || M.s1 == isz) && (M.rows == 1 || M.s0 % isz == 0)) {
    ld = M.rows == 1 ? c : M.s0 / isz;
    if (ld >= c && ld <= blas::kMaxDim) {
      trans = false;
      return true;
    }
  }
  if ((M.rows == 1 || M.s0 == isz) && (M.cols == 1 || M.s1 % isz == 0)) {
    ld = M.cols == 1 ? r : M.s1 / isz;
    if (ld >= r && ld <= blas::kMaxDim) {
      trans = true;
      return true;
    }
  }
  return false;
}

// A contiguous row-major copy of M in `buf`.
Mat pack(const Mat& M, int64_t isz, std::vector<char>& buf) {
  buf.resize(static_cast<size_t>(M.rows * M.cols * isz));
  char* q = buf.data();
  for (int64_t i = 0; i < M.rows; ++i)
    for (int64_t j = 0; j < M.cols; ++j, q += isz) std::memcpy(q, M.p + i * M.s0 + j * M.s1, isz);
  return Mat{buf.data(), M.rows, M.cols, M.cols * isz, isz};
}

void gemm_blas(DType t, const Mat& A0, const Mat& B0, const Mat& C) {
  const int64_t isz = static_cast<int64_t>(itemsize(t));
  const int64_t n = A0.rows, k = A0.cols, m = B0.cols;
  std::vector<char> abuf, bbuf, cbuf;
  Mat A = A0, B = B0;
  bool ta = false, tb = false;
  int64_t lda = 0, ldb = 0;
  if (!blas_layout(A, isz, ta, lda)) {
    A = pack(A, isz, abuf);
    blas_layout(A, isz, ta, lda);
  }
  if (!blas_layout(B, isz, tb, ldb)) {
    B = pack(B, isz, bbuf);
    blas_layout(B, isz, tb, ldb);
  }
  // Vector-matrix and matrix-vector products: GEMV, when the vectors' steps are positive.
  auto inc = [&](int64_t len, int64_t stride, const char* p, int64_t& out) {
    const int64_t align = isz > 8 ? isz / 2 : isz;
    if (reinterpret_cast<uintptr_t>(p) % align != 0) return false;
    out = len == 1 ? 1 : stride / isz;
    return (len == 1 || stride % isz == 0) && out > 0 && out <= blas::kMaxDim;
  };
  int64_t ix = 0, iy = 0;
  if (n == 1 && inc(k, A.s1, A.p, ix) && inc(m, C.s1, C.p, iy)) {
    // C row = op(B)^T a: B stored k x m (no trans) or m x k (trans).
    if (!tb) blas::gemv(t, true, k, m, B.p, ldb, A.p, ix, C.p, iy);
    else blas::gemv(t, false, m, k, B.p, ldb, A.p, ix, C.p, iy);
    return;
  }
  if (m == 1 && inc(k, B.s0, B.p, ix) && inc(n, C.s0, C.p, iy)) {
    if (!ta) blas::gemv(t, false, n, k, A.p, lda, B.p, ix, C.p, iy);
    else blas::gemv(t, true, k, n, A.p, lda, B.p, ix, C.p, iy);
    return;
  }
  bool tc = false;
  int64_t ldc = 0;
  if (blas_layout(C, isz, tc, ldc)) {
    // C^T = B^T A^T when C is column-major: same call with the operands swapped.
    if (!tc) blas::gemm(t, ta, tb, n, m, k, A.p, lda, B.p, ldb, C.p, ldc);
    else blas::gemm(t, !tb, !ta, m, n, k, B.p, ldb, A.p, lda, C.p, ldc);
    return;
  }
  cbuf.resize(static_cast<size_t>(n * m * isz));
  blas::gemm(t, ta, tb, n, m, k, A.p, lda, B.p, ldb, cbuf.data(), std::max<int64_t>(m, 1));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) std::memcpy(C.p + i * C.s0 + j * C.s1, cbuf.data() + (i * m + j) * isz, isz);
}

void zero_fill(const Mat& C, int64_t isz) {
  for (int64_t i = 0; i < C.rows; ++i)
    for (int64_t j = 0; j < C.cols; ++j) std::memset(C.p + i * C.s0 + j * C.s1, 0, isz);
}

}  // namespace

void matmul(const Array& a, const Array& b, const Array& c) {
  const int nd = c.ndim();
  const int nb = nd - 2;
  const int64_t n = a.shape(nd - 2), k = a.shape(nd - 1), m = b.shape(nd - 1);
  const DType t = c.dtype();
  const int64_t isz = static_cast<int64_t>(itemsize(t));
  if (n == 0 || m == 0 || c.size() == 0) return;
  int64_t nbatch = 1;
  for (int d = 0; d < nb; ++d) nbatch *= c.shape(d);
  const bool use_blas = blas::supports(t) && n <= blas::kMaxDim && m <= blas::kMaxDim && k <= blas::kMaxDim;

  auto matrices = [&](int64_t batch, Mat& A, Mat& B, Mat& C) {
    int64_t oa = 0, ob = 0, oc = 0, rest = batch;
    for (int d = nb - 1; d >= 0; --d) {
      int64_t i = rest % c.shape(d);
      rest /= c.shape(d);
      oa += i * a.strides()[d];
      ob += i * b.strides()[d];
      oc += i * c.strides()[d];
    }
    A = Mat{a.data() + oa, n, k, a.strides()[nd - 2], a.strides()[nd - 1]};
    B = Mat{b.data() + ob, k, m, b.strides()[nd - 2], b.strides()[nd - 1]};
    C = Mat{c.data() + oc, n, m, c.strides()[nd - 2], c.strides()[nd - 1]};
  };
  const int64_t per = n * m * std::max<int64_t>(k, 1);
  // Small matrices in a batch: one matrix per task (BLAS runs single-threaded at these sizes);
  // large ones: one at a time, each parallel inside (BLAS threads, or our row split).
  const bool batch_parallel = nbatch > 1 && per < (1 << 18);
  auto one = [&](int64_t batch, bool inner_parallel) {
    Mat A, B, C;
    matrices(batch, A, B, C);
    if (k == 0) return zero_fill(C, isz);
    if (use_blas) return gemm_blas(t, A, B, C);
    visit_dtype(t, [&](auto v) { gemm_generic<decltype(v)>(A, B, C, inner_parallel); });
  };
  if (batch_parallel) {
    parallel_for(nbatch, std::max<int64_t>(1, (1 << 16) / per), [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) one(i, false);
    });
  } else {
    for (int64_t i = 0; i < nbatch; ++i) one(i, true);
  }
}

// ---- sums over trailing axes (trace, einsum) -----------------------------------------------------
namespace {

// NumPy's pairwise summation for floating types (blocks of 8 partial sums below 128 elements,
// halving above), so long float sums round like np.sum's.
template <class T, class Acc>
Acc pairwise(const char* p, int64_t n, int64_t s) {
  if (n < 8) {
    Acc r = Acc(0);
    for (int64_t i = 0; i < n; ++i) r += to_acc(load<T>(p + i * s));
    return r;
  }
  if (n <= 128) {
    Acc r[8];
    for (int j = 0; j < 8; ++j) r[j] = to_acc(load<T>(p + j * s));
    int64_t i = 8;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += to_acc(load<T>(p + (i + j) * s));
    Acc res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += to_acc(load<T>(p + i * s));
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise<T, Acc>(p, n2, s) + pairwise<T, Acc>(p + n2 * s, n - n2, s);
}

template <class T>
void sum_trailing_t(const Array& x, int naxes, const Array& out) {
  using Acc = acc_t<T>;
  const int nd = x.ndim(), no = nd - naxes;
  int64_t nout = 1, ninner = 1;
  for (int d = 0; d < no; ++d) nout *= x.shape(d);
  for (int d = no; d < nd; ++d) ninner *= x.shape(d);
  const int64_t last = naxes > 0 ? x.shape(nd - 1) : 1;
  const int64_t last_s = naxes > 0 ? x.strides()[nd - 1] : 0;
  parallel_for(nout, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(ninner, 1)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      int64_t xo = 0, oo = 0, rest = o;
      for (int d = no - 1; d >= 0; --d) {
        int64_t i = rest % x.shape(d);
        rest /= x.shape(d);
        xo += i * x.strides()[d];
        oo += i * out.strides()[d];
      }
      const char* base = x.data() + xo;
      Acc acc{};
      if (ninner == 0) {
      } else if (naxes == 1 && (scalar::is_flt<T> || scalar::is_cplx<T>)) {
        // np.sum starts from the first element and adds the pairwise sum of the rest.
        acc = to_acc(load<T>(base));
        acc += pairwise<T, Acc>(base + last_s, last - 1, last_s);
      } else {
        // Odometer over the leading summed axes; the last one is a strided row.
        std::vector<int64_t> idx(static_cast<size_t>(std::max(naxes - 1, 0)), 0);
        for (int64_t row = 0; row < ninner / last; ++row) {
          int64_t off = 0;
          for (int d = 0; d < naxes - 1; ++d) off += idx[d] * x.strides()[no + d];
          const char* p = base + off;
          for (int64_t i = 0; i < last; ++i) {
            if constexpr (std::is_same_v<T, bool>) acc |= to_acc(load<T>(p + i * last_s));
            else acc += to_acc(load<T>(p + i * last_s));
          }
          for (int d = naxes - 2; d >= 0; --d) {
            if (++idx[d] < x.shape(no + d)) break;
            idx[d] = 0;
          }
        }
      }
      store<T>(out.data() + oo, from_acc<T>(acc));
    }
  });
}

}  // namespace

void sum_trailing(const Array& x, int naxes, const Array& out) {
  visit_dtype(x.dtype(), [&](auto v) { sum_trailing_t<decltype(v)>(x, naxes, out); });
}

}  // namespace minpy::cpu
