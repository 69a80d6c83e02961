#include "blas.h"

#include <cblas.h>

#include <algorithm>
#include <complex>

#include "minpy/threading.h"

// The scipy-openblas32 wheel prefixes every symbol (scipy_cblas_dgemm); its header maps the plain
// names only when told to, so the prefix is applied here, in one place.
#ifdef MINPY_BLAS_PREFIX
#define MINPY_CAT2(a, b) a##b
#define MINPY_CAT(a, b) MINPY_CAT2(a, b)
#define MINPY_BLAS(name) MINPY_CAT(MINPY_BLAS_PREFIX, name)
#else
#define MINPY_BLAS(name) name
#endif

namespace minpy::cpu::blas {

bool supports(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Complex64 || t == DType::Complex128;
}

namespace {

// OpenBLAS runs single-threaded: the engine's pool splits the products instead (below). Two pools
// on the same cores fight: OpenBLAS's workers spin for a while after each call, and the engine's
// elementwise kernels, run between the products of a training step, then share their cores with
// them (the RNN benchmark ran up to 1.5x slower than NumPy's single pool).
void single_threaded_blas() {
  static const bool once = [] {
    MINPY_BLAS(openblas_set_num_threads)(1);
    return true;
  }();
  (void)once;
}

// Products of at least this many multiply-adds per thread are split over the pool (OpenBLAS's own
// threshold for a second thread); smaller ones run on the calling thread.
constexpr double kMinWorkPerThread = 1 << 18;
// Splits are multiples of this many rows or columns (the GEMM kernels' register blocking).
constexpr int64_t kSplitAlign = 32;

// How many parts to split `len` rows or columns of `work` multiply-adds into (1: no split).
int64_t split_parts(double work, int64_t len) {
  if (in_parallel_region()) return 1;
  const int64_t by_work = static_cast<int64_t>(work / kMinWorkPerThread);
  return std::max<int64_t>(1, std::min({static_cast<int64_t>(num_threads()), by_work, len / kSplitAlign}));
}

// Runs part(begin, end) over [0, len) in `parts` aligned pieces on the pool.
template <class F>
void split(int64_t len, int64_t parts, F part) {
  if (parts <= 1) return part(int64_t{0}, len);
  const int64_t per = ((len + parts - 1) / parts + kSplitAlign - 1) / kSplitAlign * kSplitAlign;
  parallel_for(parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p * per, e = std::min(len, b + per);
      if (b < e) part(b, e);
    }
  });
}

const char* at(const void* p, int64_t elements, int64_t isz) { return static_cast<const char*>(p) + elements * isz; }

void gemm_call(DType t, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a, int64_t lda,
               const void* b, int64_t ldb, void* c, int64_t ldc, double beta) {
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  const int M = static_cast<int>(m), N = static_cast<int>(n), K = static_cast<int>(k);
  const int LDA = static_cast<int>(lda), LDB = static_cast<int>(ldb), LDC = static_cast<int>(ldc);
  switch (t) {
    case DType::Float32:
      MINPY_BLAS(cblas_sgemm)(CblasRowMajor, ta, tb, M, N, K, 1.0f, static_cast<const float*>(a), LDA,
                              static_cast<const float*>(b), LDB, static_cast<float>(beta), static_cast<float*>(c), LDC);
      break;
    case DType::Float64:
      MINPY_BLAS(cblas_dgemm)(CblasRowMajor, ta, tb, M, N, K, 1.0, static_cast<const double*>(a), LDA,
                              static_cast<const double*>(b), LDB, beta, static_cast<double*>(c), LDC);
      break;
    case DType::Complex64: {
      const std::complex<float> one(1, 0), bc(static_cast<float>(beta), 0);
      // float pointers convert to both header styles (void* or float* arguments).
      MINPY_BLAS(cblas_cgemm)(CblasRowMajor, ta, tb, M, N, K, reinterpret_cast<const float*>(&one),
                              static_cast<const float*>(a), LDA, static_cast<const float*>(b), LDB,
                              reinterpret_cast<const float*>(&bc), static_cast<float*>(c), LDC);
      break;
    }
    case DType::Complex128: {
      const std::complex<double> one(1, 0), bc(beta, 0);
      MINPY_BLAS(cblas_zgemm)(CblasRowMajor, ta, tb, M, N, K, reinterpret_cast<const double*>(&one),
                              static_cast<const double*>(a), LDA, static_cast<const double*>(b), LDB,
                              reinterpret_cast<const double*>(&bc), static_cast<double*>(c), LDC);
      break;
    }
    default:
      break;
  }
}

void gemv_call(DType t, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda, const void* x,
               int64_t incx, void* y, int64_t incy) {
  const CBLAS_TRANSPOSE ta = trans ? CblasTrans : CblasNoTrans;
  const int M = static_cast<int>(rows), N = static_cast<int>(cols), LDA = static_cast<int>(lda);
  const int IX = static_cast<int>(incx), IY = static_cast<int>(incy);
  switch (t) {
    case DType::Float32:
      MINPY_BLAS(cblas_sgemv)(CblasRowMajor, ta, M, N, 1.0f, static_cast<const float*>(a), LDA,
                              static_cast<const float*>(x), IX, 0.0f, static_cast<float*>(y), IY);
      break;
    case DType::Float64:
      MINPY_BLAS(cblas_dgemv)(CblasRowMajor, ta, M, N, 1.0, static_cast<const double*>(a), LDA,
                              static_cast<const double*>(x), IX, 0.0, static_cast<double*>(y), IY);
      break;
    case DType::Complex64: {
      const std::complex<float> one(1, 0), zero(0, 0);
      MINPY_BLAS(cblas_cgemv)(CblasRowMajor, ta, M, N, reinterpret_cast<const float*>(&one),
                              static_cast<const float*>(a), LDA, static_cast<const float*>(x), IX,
                              reinterpret_cast<const float*>(&zero), static_cast<float*>(y), IY);
      break;
    }
    case DType::Complex128: {
      const std::complex<double> one(1, 0), zero(0, 0);
      MINPY_BLAS(cblas_zgemv)(CblasRowMajor, ta, M, N, reinterpret_cast<const double*>(&one),
                              static_cast<const double*>(a), LDA, static_cast<const double*>(x), IX,
                              reinterpret_cast<const double*>(&zero), static_cast<double*>(y), IY);
      break;
    }
    default:
      break;
  }
}

}  // namespace

// The output is split along its longer side; each part is an independent single-threaded call.
void gemm(DType t, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a, int64_t lda,
          const void* b, int64_t ldb, void* c, int64_t ldc, double beta) {
  single_threaded_blas();
  const int64_t isz = static_cast<int64_t>(itemsize(t));
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  char* cp = static_cast<char*>(c);
  if (m >= n) {
    split(m, split_parts(work, m), [&](int64_t r0, int64_t r1) {
      gemm_call(t, trans_a, trans_b, r1 - r0, n, k, at(a, trans_a ? r0 : r0 * lda, isz), lda, b, ldb,
                cp + r0 * ldc * isz, ldc, beta);
    });
  } else {
    split(n, split_parts(work, n), [&](int64_t c0, int64_t c1) {
      gemm_call(t, trans_a, trans_b, m, c1 - c0, k, a, lda, at(b, trans_b ? c0 * ldb : c0, isz), ldb, cp + c0 * isz,
                ldc, beta);
    });
  }
}

// Split along y.
void gemv(DType t, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda, const void* x, int64_t incx,
          void* y, int64_t incy) {
  single_threaded_blas();
  const int64_t isz = static_cast<int64_t>(itemsize(t));
  const double work = static_cast<double>(rows) * static_cast<double>(cols);
  char* yp = static_cast<char*>(y);
  const int64_t len = trans ? cols : rows;
  split(len, split_parts(work, len), [&](int64_t i0, int64_t i1) {
    if (trans)
      gemv_call(t, true, rows, i1 - i0, at(a, i0, isz), lda, x, incx, yp + i0 * incy * isz, incy);
    else
      gemv_call(t, false, i1 - i0, cols, at(a, i0 * lda, isz), lda, x, incx, yp + i0 * incy * isz, incy);
  });
}

}  // namespace minpy::cpu::blas
