// Error of the float32 kernels of engine/src/backend/cpu/vector_math.h over every float32 argument
// (all 2^32 bit patterns), in ulps against the double C library's value (unrounded: a correctly
// rounded float32 result measures up to 0.5). Arguments a kernel leaves to the C library
// (its special() set) are skipped: their float32 result is the double C library's value rounded.
// Too slow for CI (about half a minute per function on two cores); tests/cpp/test_vector_math.cpp
// checks every 257th pattern through the ufunc loops. Built with the engine's flags (same code):
//   ninja -C build/dev vmath_exhaustive && build/dev/vmath_exhaustive [name ...]
// VMATH_REF=kernel compares with the float64 kernels instead (within 2.5 double ulp; faster).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "backend/cpu/vector_math.h"

using namespace minpy::vmath;

namespace {

struct Worst { double err = 0; float at = 0; };

// |y - ref| in float32 ulps at ref (ref finite: ordinary arguments have float-range results).
double ulps(float y, double ref) {
  uint64_t b = std::bit_cast<uint64_t>(ref);
  int64_t e = static_cast<int64_t>((b >> 52) & 0x7FF) - 1023;
  e = e < -126 ? -126 : e;  // subnormal float results: ulp 2^-149
  double inv_ulp = std::bit_cast<double>(static_cast<uint64_t>(23 - e + 1023) << 52);
  return std::fabs(static_cast<double>(y) - ref) * inv_ulp;
}

template <class K> Worst scan(uint64_t b0, uint64_t b1, double (*ref_fn)(double)) {
  constexpr int kB = 4096;
  std::vector<float> x(kB), y(kB);
  std::vector<double> r(kB), err(kB);
  Worst w;
  for (uint64_t s = b0; s < b1; s += kB) {
    const int m = static_cast<int>(std::min<uint64_t>(kB, b1 - s));
    for (int i = 0; i < m; ++i) {
      float v = std::bit_cast<float>(static_cast<uint32_t>(s + i));
      x[i] = K::special(v) ? 1.0f : v;  // 1: ordinary for every kernel (its error is counted once more)
    }
    for (int i = 0; i < m; ++i) y[i] = lean<K>(x[i]);  // what apply_n runs for ordinary arguments
    if (ref_fn) for (int i = 0; i < m; ++i) r[i] = ref_fn(static_cast<double>(x[i]));
    else for (int i = 0; i < m; ++i) r[i] = K::template eval<true>(static_cast<double>(x[i]));
    double mx = 0;
    for (int i = 0; i < m; ++i) { err[i] = ulps(y[i], r[i]); mx = mx > err[i] ? mx : err[i]; }
    if (!(mx <= w.err))
      for (int i = 0; i < m; ++i)
        if (!(err[i] <= w.err)) w = {std::isnan(err[i]) ? INFINITY : err[i], x[i]};
  }
  return w;
}

template <class K> void run(const char* name, double (*libm)(double), const std::vector<std::string>& only,
                            bool kernel_ref, int& fails) {
  if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) return;
  const auto t0 = std::chrono::steady_clock::now();
  const int nt = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Worst> ws(nt);
  std::vector<std::thread> ts;
  const uint64_t total = 1ull << 32;
  for (int t = 0; t < nt; ++t)
    ts.emplace_back([&, t] { ws[t] = scan<K>(total * t / nt, total * (t + 1) / nt, kernel_ref ? nullptr : libm); });
  for (auto& th : ts) th.join();
  Worst w;
  for (const Worst& v : ws) if (!(v.err <= w.err)) w = v;
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("float32 %-7s max %.4f ulp at %.9g (%a)  [%.0f s]\n", name, w.err, w.at, w.at, dt);
  std::fflush(stdout);
  if (!(w.err <= 2.5)) ++fails;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> only(argv + 1, argv + argc);
  const char* ref = std::getenv("VMATH_REF");
  const bool kernel_ref = ref && std::string(ref) == "kernel";
  int fails = 0;
  run<k::Exp>("exp", ::exp, only, kernel_ref, fails);
  run<k::Exp2>("exp2", ::exp2, only, kernel_ref, fails);
  run<k::Expm1>("expm1", ::expm1, only, kernel_ref, fails);
  run<k::Log>("log", ::log, only, kernel_ref, fails);
  run<k::Log2>("log2", ::log2, only, kernel_ref, fails);
  run<k::Log10>("log10", ::log10, only, kernel_ref, fails);
  run<k::Log1p>("log1p", ::log1p, only, kernel_ref, fails);
  run<k::Sin>("sin", ::sin, only, kernel_ref, fails);
  run<k::Cos>("cos", ::cos, only, kernel_ref, fails);
  run<k::Tanh>("tanh", ::tanh, only, kernel_ref, fails);
  run<k::Sinh>("sinh", ::sinh, only, kernel_ref, fails);
  run<k::Cosh>("cosh", ::cosh, only, kernel_ref, fails);
  run<k::Arctan>("arctan", ::atan, only, kernel_ref, fails);
  return fails ? 1 : 0;
}
