#include "minpy/fp_errors.h"

#include <atomic>

#include "backend/cpu/fp_status.h"
#include "minpy/threading.h"

namespace minpy::fperr {
namespace {
std::atomic<Handler> g_handler{nullptr};
std::atomic<WarningHandler> g_warning_handler{nullptr};
thread_local Capture* t_capture = nullptr;
thread_local int t_quiet = 0;
}  // namespace

void set_handler(Handler h) { g_handler = h; }
void set_warning_handler(WarningHandler h) { g_warning_handler = h; }

void report(int flags, const char* op) {
  if (!flags || t_quiet) return;
  if (t_capture) {
    t_capture->flags_ |= flags;
    return;
  }
  // Inside a parallel region (an op run per chunk) the handler, which may need the GIL, must not
  // run: the flags go back to the hardware and travel to the region's caller with the others.
  if (in_parallel_region()) {
    cpu::fpstatus::set_raw(cpu::fpstatus::from_flags(flags));
    return;
  }
  if (Handler h = g_handler.load(std::memory_order_relaxed)) h(flags, op);
}

void warn(const char* text) {
  if (t_quiet) return;
  if (WarningHandler h = g_warning_handler.load(std::memory_order_relaxed)) h(text);
}

void clear() { cpu::fpstatus::clear(); }
int take() { return cpu::fpstatus::take(); }

Capture::Capture() : prev_(t_capture) { t_capture = this; }
Capture::~Capture() { t_capture = prev_; }
Quiet::Quiet() { ++t_quiet; }
Quiet::~Quiet() { --t_quiet; }

}  // namespace minpy::fperr
