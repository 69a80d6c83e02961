// NumPy's floating-point error reporting ("divide by zero encountered in divide", ...). Float loops
// read the CPU's IEEE status flags around their work (thread-pool workers pass theirs to the
// calling thread) and report the flags raised, with the op's NumPy name, to one handler. The
// engine only detects; what happens (ignore/warn/raise/call/print/log, per np.errstate) is the
// handler's business: the Python bindings install one that follows minpy.numpy.seterr.
#pragma once
#include <type_traits>

namespace minpy::fperr {

// NumPy's bit values (np.seterrcall callbacks receive them).
enum Flag : int { kDivide = 1, kOverflow = 2, kUnderflow = 4, kInvalid = 8 };

// flags != 0; op is NumPy's name for the operation ("divide", "reduce", "cast", "matmul").
// May throw (a Python exception for errstate 'raise').
using Handler = void (*)(int flags, const char* op);
void set_handler(Handler h);

// A plain warning NumPy issues with warnings.warn (RuntimeWarning "Mean of empty slice").
using WarningHandler = void (*)(const char* text);
void set_warning_handler(WarningHandler h);

// Hands `flags` to the handler (nothing when flags == 0, while a Capture or Quiet is active on
// this thread, or without a handler).
void report(int flags, const char* op);
void warn(const char* text);

// The hardware flags of this thread: clear() before a loop, take() after (returns and clears).
void clear();
int take();
// Runs f() and reports the flags it raised as `op`.
template <class F> auto checked(const char* op, F&& f) {
  clear();
  if constexpr (std::is_void_v<decltype(f())>) {
    f();
    report(take(), op);
  } else {
    auto r = f();
    report(take(), op);
    return r;
  }
}

// While alive, reports on this thread are collected here instead of handled (a composite op
// renames them: mean's final division is "scalar divide" in NumPy when the result is 0-d).
class Capture {
 public:
  Capture();
  ~Capture();
  int flags() const { return flags_; }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

 private:
  friend void report(int, const char*);
  int flags_ = 0;
  Capture* prev_;
};

// While alive, reports and warnings on this thread are dropped (gradient computations: a VJP's
// internal arithmetic is not the user's).
class Quiet {
 public:
  Quiet();
  ~Quiet();
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;
};

}  // namespace minpy::fperr
