// One intra-op thread pool shared by all kernels. Work is split only above a grain size, so small
// arrays never pay for a thread hand-off.
#pragma once
#include <cstdint>
#include <functional>

namespace minpy {

int num_threads();
void set_num_threads(int n);  // 1 disables intra-op parallelism

// Runs fn(begin, end) over [0, n) in chunks of at least `grain`, on the pool and the caller.
void parallel_for_impl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
bool in_parallel_region();

// Small ranges run inline, without building a std::function: small-array calls stay cheap.
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  if (n < 2 * grain || num_threads() == 1 || in_parallel_region()) {
    fn(int64_t{0}, n);
    return;
  }
  parallel_for_impl(n, grain, std::function<void(int64_t, int64_t)>(std::forward<F>(fn)));
}

}  // namespace minpy
