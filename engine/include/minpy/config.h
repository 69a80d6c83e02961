// How this build of the engine was made: which BLAS, which SIMD level, how many threads.
#pragma once
#include <string>

namespace minpy {

struct BuildInfo {
  std::string blas;
  std::string simd;
  std::string compiler;
  int threads;
  bool cuda;
};
BuildInfo build_info();

}  // namespace minpy
