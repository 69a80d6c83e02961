#include "blas.h"

#include <cblas.h>

#include <complex>

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

void gemm(DType t, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const void* a, int64_t lda,
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

void gemv(DType t, bool trans, int64_t rows, int64_t cols, const void* a, int64_t lda, const void* x, int64_t incx,
          void* y, int64_t incy) {
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

}  // namespace minpy::cpu::blas
