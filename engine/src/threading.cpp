#include "minpy/threading.h"

#include <algorithm>
#include <atomic>
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
      ++generation_;
    }
    cv_.notify_all();
    int64_t finished = work(job);
    std::unique_lock<std::mutex> lk(m_);
    job.done += finished;
    job_ = nullptr;  // late workers no longer join
    done_cv_.wait(lk, [&] { return job.done == job.total && job.active == 0; });
    lk.unlock();
    if (job.error) std::rethrow_exception(job.error);
  }

 private:
  struct Job {
    const std::function<void(int64_t)>* body = nullptr;
    int64_t total = 0;
    std::atomic<int64_t> next{0};
    int64_t done = 0;  // chunks finished (under m_)
    int active = 0;    // workers inside work() for this job (under m_)
    std::exception_ptr error;  // the first exception a chunk threw (under m_)
  };

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
      Job* job;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stopping_ || (generation_ != seen && job_); });
        if (stopping_) return;
        seen = generation_;
        job = job_;
        ++job->active;
      }
      int64_t finished = work(*job);
      std::lock_guard<std::mutex> g(m_);
      job->done += finished;
      if (--job->active == 0 && job->done == job->total) done_cv_.notify_all();
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
  uint64_t generation_ = 0;
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
