#include "minpy/threading.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace minpy {
namespace {

// Workers sleep on a condition variable; a job is a function plus a chunk counter they pull from.
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    stop();
    stopping_ = false;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { loop(); });
  }

  void run(int64_t chunks, const std::function<void(int64_t)>& body) {
    std::unique_lock<std::mutex> busy(run_mutex_);  // one parallel region at a time
    {
      std::lock_guard<std::mutex> g(m_);
      body_ = &body;
      total_ = chunks;
      next_ = 0;
      done_ = 0;
      ++generation_;
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return done_ == total_; });
    body_ = nullptr;
  }

 private:
  void work() {
    int64_t finished = 0;
    for (int64_t c; (c = next_.fetch_add(1)) < total_;) {
      (*body_)(c);
      ++finished;
    }
    if (finished) {
      std::lock_guard<std::mutex> g(m_);
      done_ += finished;
      if (done_ == total_) done_cv_.notify_all();
    }
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stopping_ || (generation_ != seen && body_); });
        if (stopping_) return;
        seen = generation_;
      }
      work();
    }
  }
  void stop() {
    {
      std::lock_guard<std::mutex> g(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex m_, run_mutex_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t)>* body_ = nullptr;
  std::atomic<int64_t> next_{0};
  int64_t total_ = 0, done_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
};

int default_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp<unsigned>(hw, 1, 64));
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

thread_local bool t_in_parallel_region = false;
int g_num_threads = 0;  // cached pool size, read on every parallel_for

}  // namespace

bool in_parallel_region() { return t_in_parallel_region; }
int num_threads() {
  if (!g_num_threads) g_num_threads = pool().size();
  return g_num_threads;
}
void set_num_threads(int n) {
  pool().resize(std::max(1, n));
  g_num_threads = pool().size();
}

void parallel_for_impl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  int threads = num_threads();
  grain = std::max<int64_t>(grain, 1);
  int64_t chunks = std::min<int64_t>(threads * 4, n / grain);
  int64_t per = (n + chunks - 1) / chunks;
  pool().run(chunks, [&](int64_t c) {
    t_in_parallel_region = true;
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
    t_in_parallel_region = false;
  });
}

}  // namespace minpy
