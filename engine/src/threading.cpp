#include "minpy/threading.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

#include "backend/cpu/fp_status.h"

namespace minpy {
namespace {

thread_local bool t_pool_worker = false;  // set on the pool's own threads

// Workers sleep on a condition variable; a job is a function plus a chunk counter they pull from.
// Each region's state lives in its own Job on the caller's stack, and a worker joins a job only under
// the lock and is counted until it leaves it: a slow worker can never take a chunk of (or count
// towards) a later region, and run() returns only once no worker still touches its job.
// Regions from several caller threads (Python threads with the GIL released) take turns on
// run_mutex_; a region never waits on another region while holding it (nested parallel_for runs
// inline, see in_parallel_region), so the turns cannot deadlock.
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    std::lock_guard<std::mutex> busy(run_mutex_);  // never while a region runs
    stop();
    stopping_ = false;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { loop(); });
  }

  void run(int64_t chunks, const std::function<void(int64_t)>& body) {
    std::lock_guard<std::mutex> busy(run_mutex_);  // one parallel region at a time
    Job job;
    job.body = &body;
    job.total = chunks;
    {
      std::lock_guard<std::mutex> g(m_);
      job_ = &job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    job.done.fetch_add(work(job), std::memory_order_acq_rel);
    {
      std::lock_guard<std::mutex> g(m_);
      job_ = nullptr;  // late workers no longer join
    }
    auto finished = [&] {
      return job.done.load(std::memory_order_acquire) == job.total && job.active.load(std::memory_order_acquire) == 0;
    };
    spin_until(finished);
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, finished);
    lk.unlock();
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  struct Job {
    const std::function<void(int64_t)>* body = nullptr;
    int64_t total = 0;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};  // chunks finished
    std::atomic<int> active{0};    // workers inside work() for this job (joined under m_)
    std::exception_ptr error;      // the first exception a chunk threw (under m_)
  };

  // Waiting threads spin this long before they sleep: the regions of a training step come every few
  // tens of microseconds, and a futex sleep and wake-up costs about as much as a region's work.
  static constexpr auto kSpin = std::chrono::microseconds(50);
  template <class Pred>
  static void spin_until(Pred ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (!ready()) {
      for (int i = 0; i < 16; ++i) cpu_relax();
      if (std::chrono::steady_clock::now() > until) return;
    }
  }
  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  // Runs chunks until none are left; returns how many it ran. A throwing chunk counts as run (its
  // exception is kept for the caller): an exception escaping a worker would terminate the process.
  int64_t work(Job& job) {
    int64_t finished = 0;
    for (int64_t c; (c = job.next.fetch_add(1)) < job.total;) {
      try {
        (*job.body)(c);
      } catch (...) {
        std::lock_guard<std::mutex> g(m_);
        if (!job.error) job.error = std::current_exception();
      }
      ++finished;
    }
    return finished;
  }
  void loop() {
    t_pool_worker = true;
    uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      Job* job;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stopping_ || generation_.load(std::memory_order_relaxed) != seen; });
        if (stopping_) return;
        seen = generation_.load(std::memory_order_relaxed);
        job = job_;
        if (job) job->active.fetch_add(1, std::memory_order_relaxed);
      }
      if (!job) continue;  // that region ended before this worker came: wait for the next one
      job->done.fetch_add(work(*job), std::memory_order_acq_rel);
      // The job lives on the caller's stack: after this decrement it may be gone.
      if (job->active.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> g(m_);  // the caller either sees the counts or is waiting
        done_cv_.notify_all();
      }
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
  Job* job_ = nullptr;  // the running region (under m_)
  std::atomic<uint64_t> generation_{0};  // bumped under m_ when a region starts; read by spinning workers
  bool stopping_ = false;
};

int default_threads() {
  unsigned n = 0;
#if defined(__linux__)
  cpu_set_t cpus;  // the CPUs this process may run on (taskset, container cpusets), as NumPy's BLAS counts
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) n = static_cast<unsigned>(CPU_COUNT(&cpus));
#endif
  if (n == 0) n = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp<unsigned>(n, 1, 64));
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

thread_local bool t_in_parallel_region = false;
std::atomic<int> g_num_threads{0};  // cached pool size, read on every parallel_for (any thread)

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
  // Floating-point status flags are per thread: a worker hands the ones its chunk raised to the
  // caller (which checks its own flags after the region, for NumPy's errstate warnings).
  std::atomic<unsigned> worker_fp{0};
  pool().run(chunks, [&](int64_t c) {
    struct InRegion {  // reset even when fn throws
      InRegion() { t_in_parallel_region = true; }
      ~InRegion() { t_in_parallel_region = false; }
    } in_region;
    if (t_pool_worker) cpu::fpstatus::clear();
    int64_t b = c * per, e = std::min(n, b + per);
    if (b < e) fn(b, e);
    if (t_pool_worker) {
      if (unsigned f = cpu::fpstatus::raw()) {
        worker_fp.fetch_or(f, std::memory_order_relaxed);
        cpu::fpstatus::clear_raw();
      }
    }
  });
  if (unsigned f = worker_fp.load(std::memory_order_relaxed)) cpu::fpstatus::set_raw(f);
}

}  // namespace minpy
