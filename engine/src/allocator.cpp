#include "allocator.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace minpy::host_memory {
namespace {

// Blocks from 128 KiB go through the cache: malloc serves them with fresh pages (mmap, or a heap top
// it trimmed), and the page faults of a fresh 256 KiB block cost 10x an add over it (measured:
// `t = a * b; t + c` on 2^15 float64 took 230 us, NumPy 18 us). Cached sizes are rounded to whole
// pages, and from 1 MiB to whole huge pages.
constexpr size_t kCached = size_t(128) << 10;
constexpr size_t kLarge = size_t(1) << 20;
constexpr size_t kPage = size_t(4) << 10;
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kCacheLimit = size_t(1) << 30;  // at most 1 GiB kept for reuse

size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }
size_t rounded(size_t n) {
  return n < kCached ? round_up(n, 64) : n < kLarge ? round_up(n, kPage) : round_up(n, kHugePage);
}

struct Cache {
  std::mutex m;
  std::multimap<size_t, void*> blocks;  // rounded size -> block
  size_t bytes = 0;
};
Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: arrays may be freed during interpreter teardown
  return *c;
}

void* system_alloc(size_t size) {
  void* p = std::aligned_alloc(size >= kLarge ? kHugePage : 64, size);
  if (!p) {
    empty_cache();
    p = std::aligned_alloc(size >= kLarge ? kHugePage : 64, size);
  }
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (size >= kLarge) madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

// Under AddressSanitizer blocks are exact-sized and never cached: rounding up or reusing a freed
// block would hide overflows past an array's end and uses after free.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

void* allocate(size_t nbytes) {
  if constexpr (kSanitized) {
    void* p = nullptr;
    if (posix_memalign(&p, 64, nbytes ? nbytes : 1) != 0) throw std::bad_alloc();
    return p;
  }
  size_t size = rounded(nbytes);
  if (size >= kCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> g(c.m);
    auto it = c.blocks.find(size);
    if (it != c.blocks.end()) {
      void* p = it->second;
      c.blocks.erase(it);
      c.bytes -= size;
      return p;
    }
  }
  return system_alloc(size);
}

void release(void* p, size_t nbytes) {
  if constexpr (kSanitized) {
    std::free(p);
    return;
  }
  size_t size = rounded(nbytes);
  if (size >= kCached) {
    Cache& c = cache();
    std::lock_guard<std::mutex> g(c.m);
    if (c.bytes + size <= kCacheLimit) {
      c.blocks.emplace(size, p);
      c.bytes += size;
      return;
    }
  }
  std::free(p);
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.m);
  for (auto& [size, p] : c.blocks) std::free(p);
  c.blocks.clear();
  c.bytes = 0;
}

size_t cached_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.m);
  return c.bytes;
}

}  // namespace minpy::host_memory

namespace minpy::block_pool {
namespace {

constexpr size_t kGranule = 64;
constexpr size_t kClasses = kMaxBytes / kGranule;
constexpr uint32_t kListCap = 64;  // blocks kept per size class and thread

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;  // AddressSanitizer must see every free (use after free)
#else
constexpr bool kPooled = true;
#endif

struct FreeBlock { FreeBlock* next; };
// Trivially destructible, so it stays usable while other thread_local objects are destroyed.
struct Lists {
  FreeBlock* head[kClasses];
  uint32_t count[kClasses];
  bool drain_registered;
  bool dead;  // the thread is exiting: release() frees instead of keeping
};
// initial-exec: one TLS load per call (a shared library's thread_local otherwise goes through
// __tls_get_addr); these few bytes come from the static TLS space glibc reserves for dlopen.
thread_local constinit Lists tl_lists __attribute__((tls_model("initial-exec"))){};

struct Drain {
  ~Drain() {
    Lists& l = tl_lists;
    l.dead = true;
    for (size_t c = 0; c < kClasses; ++c) {
      while (FreeBlock* b = l.head[c]) {
        l.head[c] = b->next;
        ::operator delete(b, (c + 1) * kGranule);
      }
      l.count[c] = 0;
    }
  }
};
thread_local Drain tl_drain;  // constructed the first time a thread keeps a block

}  // namespace

void* allocate(size_t nbytes) {
  if (!kPooled || nbytes > kMaxBytes || nbytes == 0) return ::operator new(nbytes);
  size_t c = (nbytes - 1) / kGranule;
  Lists& l = tl_lists;
  if (FreeBlock* b = l.head[c]) {
    l.head[c] = b->next;
    --l.count[c];
    return b;
  }
  return ::operator new((c + 1) * kGranule);  // the class size: blocks of a class are interchangeable
}

void release(void* p, size_t nbytes) noexcept {
  if (!kPooled || nbytes > kMaxBytes || nbytes == 0) return ::operator delete(p, nbytes);
  size_t c = (nbytes - 1) / kGranule;
  Lists& l = tl_lists;
  if (l.count[c] < kListCap && !l.dead) {
    if (!l.drain_registered) {
      l.drain_registered = true;
      (void)&tl_drain;  // odr-use: registers its destructor for this thread
    }
    auto* b = static_cast<FreeBlock*>(p);
    b->next = l.head[c];
    l.head[c] = b;
    ++l.count[c];
    return;
  }
  ::operator delete(p, (c + 1) * kGranule);
}

}  // namespace minpy::block_pool
