#include "minpy/config.h"

#include "minpy/threading.h"

namespace minpy {

BuildInfo build_info() {
  BuildInfo b;
  b.blas = MINPY_BLAS_NAME;
#if defined(__AVX512F__)
  b.simd = "AVX512F";
#elif defined(__AVX2__)
  b.simd = "AVX2";
#elif defined(__SSE4_2__)
  b.simd = "SSE4.2";
#elif defined(__ARM_NEON)
  b.simd = "NEON";
#else
  b.simd = "baseline";
#endif
  b.compiler = __VERSION__;
  b.threads = num_threads();
  b.cuda = false;
  return b;
}

}  // namespace minpy
