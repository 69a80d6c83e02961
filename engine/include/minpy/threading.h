// One intra-op thread pool shared by all kernels. Work is split only above a grain size, so small
// arrays never pay for a thread hand-off.
#pragma once
#include <cstdint>
#include <functional>

namespace minpy {

int num_threads();
void set_num_threads(int n);  // 1 disables intra-op parallelism

// Runs fn(begin, end) over [0, n) in chunks of at least `grain`, on the pool and the caller.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace minpy
