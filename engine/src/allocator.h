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
