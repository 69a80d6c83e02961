// The intra-op pool under concurrent callers: several threads starting parallel regions at once,
// nested regions, and exceptions thrown inside chunks.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "minpy/threading.h"

namespace minpy {
namespace {

// Sums [0, n) through parallel_for; chunks add their partial sums atomically.
int64_t parallel_sum(int64_t n, int64_t grain) {
  std::atomic<int64_t> total{0};
  parallel_for(n, grain, [&](int64_t b, int64_t e) {
    int64_t s = 0;
    for (int64_t i = b; i < e; ++i) s += i;
    total += s;
  });
  return total.load();
}

struct PoolSize {  // restores the pool size after a test that changes it
  int saved = num_threads();
  ~PoolSize() { set_num_threads(saved); }
};

TEST(Threading, ConcurrentCallersGetEveryChunkOnce) {
  PoolSize restore;
  set_num_threads(4);
  const int64_t n = 100000;
  const int64_t want = n * (n - 1) / 2;
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 6; ++t)
    callers.emplace_back([&, t] {
      for (int rep = 0; rep < 300; ++rep)
        if (parallel_sum(n, 16 + t) != want) ++wrong;
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Threading, NestedRegionsRunInline) {
  PoolSize restore;
  set_num_threads(4);
  std::vector<std::thread> callers;
  std::atomic<int64_t> total{0};
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&] {
      for (int rep = 0; rep < 50; ++rep)
        parallel_for(64, 1, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            EXPECT_TRUE(in_parallel_region());
            total += parallel_sum(1000, 1);  // nested: inline on this thread, no deadlock
          }
        });
    });
  for (auto& c : callers) c.join();
  EXPECT_EQ(total.load(), int64_t(3) * 50 * 64 * (1000 * 999 / 2));
  EXPECT_FALSE(in_parallel_region());
}

TEST(Threading, ChunkExceptionReachesTheCaller) {
  PoolSize restore;
  set_num_threads(4);
  for (int rep = 0; rep < 20; ++rep) {
    EXPECT_THROW(parallel_for(1000, 1,
                              [&](int64_t b, int64_t) {
                                if (b > 500) throw std::runtime_error("chunk failed");
                              }),
                 std::runtime_error);
    EXPECT_FALSE(in_parallel_region());
    EXPECT_EQ(parallel_sum(10000, 1), int64_t(10000) * 9999 / 2);  // the pool still works
  }
}

TEST(Threading, ResizeBetweenRegions) {
  PoolSize restore;
  for (int n : {1, 2, 5, 3}) {
    set_num_threads(n);
    EXPECT_EQ(num_threads(), n);
    EXPECT_EQ(parallel_sum(50000, 8), int64_t(50000) * 49999 / 2);
  }
}

}  // namespace
}  // namespace minpy
