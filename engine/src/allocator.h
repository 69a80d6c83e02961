// Host memory for array storage. Large blocks are 2 MiB-aligned with transparent huge pages and
// are kept in a bounded cache when freed, so repeated temporaries of the same size (a * b + c in a
// loop) reuse memory instead of paying for fresh page faults every time (MXNet's pooled storage
// did the same).
#pragma once
#include <cstddef>

namespace minpy::host_memory {

void* allocate(size_t nbytes);  // throws std::bad_alloc
void release(void* p, size_t nbytes);
void empty_cache();             // gives every cached block back to the system
size_t cached_bytes();

}  // namespace minpy::host_memory

namespace minpy::block_pool {

// Small fixed-size blocks (array descriptors and the storage of small arrays, with their shared_ptr
// control blocks) from per-thread free lists: small-array code creates and drops several per call,
// and a free-list pop/push is cheaper than malloc/free. Blocks are plain operator-new memory, so
// one freed on another thread just joins that thread's list; each list is bounded, and a thread's
// lists are given back when it exits. Sizes above kMaxBytes go straight to operator new.
constexpr size_t kMaxBytes = 256;
void* allocate(size_t nbytes);               // throws std::bad_alloc
void release(void* p, size_t nbytes) noexcept;  // nbytes as passed to allocate

// For std::allocate_shared.
template <class T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U>
  Allocator(const Allocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(block_pool::allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { block_pool::release(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const Allocator<U>&) const noexcept { return true; }
};

}  // namespace minpy::block_pool
