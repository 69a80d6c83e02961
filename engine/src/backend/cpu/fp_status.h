// The CPU's floating-point status flags (IEEE 754 exceptions), read and cleared around float loops
// to give NumPy's "divide by zero / overflow / underflow / invalid value encountered in <op>".
// On x86-64 only the SSE control word matters (doubles never go through x87 here) and
// reading it is one instruction, so every ufunc call can afford a check; elsewhere <cfenv>.
#pragma once
#include <cfenv>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

#include "minpy/fp_errors.h"

namespace minpy::cpu::fpstatus {

#if defined(__x86_64__) || defined(_M_X64)
// MXCSR exception bits: IE 0x1, DE 0x2 (denormal operand: not an IEEE flag), ZE 0x4, OE 0x8,
// UE 0x10, PE 0x20 (inexact: never reported). Only IE, ZE, OE and UE are read and cleared.
inline constexpr unsigned kHwMask = 0x1Du;
inline unsigned raw() { return _mm_getcsr() & kHwMask; }
inline void clear_raw() { _mm_setcsr(_mm_getcsr() & ~kHwMask); }
inline void set_raw(unsigned bits) { _mm_setcsr(_mm_getcsr() | (bits & kHwMask)); }
inline unsigned from_flags(int f) {
  return ((f & fperr::kDivide) ? 0x4u : 0) | ((f & fperr::kOverflow) ? 0x8u : 0) |
         ((f & fperr::kUnderflow) ? 0x10u : 0) | ((f & fperr::kInvalid) ? 0x1u : 0);
}
inline int to_flags(unsigned r) {
  return ((r & 0x4u) ? fperr::kDivide : 0) | ((r & 0x8u) ? fperr::kOverflow : 0) |
         ((r & 0x10u) ? fperr::kUnderflow : 0) | ((r & 0x1u) ? fperr::kInvalid : 0);
}
#else
inline constexpr unsigned kHwMask = FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INVALID;
inline unsigned raw() { return static_cast<unsigned>(std::fetestexcept(static_cast<int>(kHwMask))); }
inline void clear_raw() { std::feclearexcept(static_cast<int>(kHwMask)); }
inline void set_raw(unsigned bits) { if (bits) std::feraiseexcept(static_cast<int>(bits)); }
inline unsigned from_flags(int f) {
  return ((f & fperr::kDivide) ? FE_DIVBYZERO : 0) | ((f & fperr::kOverflow) ? FE_OVERFLOW : 0) |
         ((f & fperr::kUnderflow) ? FE_UNDERFLOW : 0) | ((f & fperr::kInvalid) ? FE_INVALID : 0);
}
inline int to_flags(unsigned r) {
  return ((r & FE_DIVBYZERO) ? fperr::kDivide : 0) | ((r & FE_OVERFLOW) ? fperr::kOverflow : 0) |
         ((r & FE_UNDERFLOW) ? fperr::kUnderflow : 0) | ((r & FE_INVALID) ? fperr::kInvalid : 0);
}
#endif

// Clears the flags (a write only when one is set: Python's own float arithmetic leaves them set).
// Reading MXCSR costs about 12 ns here; writing it unconditionally costs more (it stalls the FP
// pipeline), so a ufunc call reads twice (before and after its loop), as NumPy does.
inline void clear() {
  if (raw()) clear_raw();
}
// The flags raised since the last clear, as fperr bits, and clears them.
inline int take() {
  unsigned r = raw();
  if (!r) return 0;
  clear_raw();
  return to_flags(r);
}

// Raising a flag from integer kernels (NumPy reports integer division by zero and INT_MIN // -1
// through the same flags). volatile keeps the compiler from folding the operation away.
inline void raise_divide() {
  volatile double zero = 0.0, one = 1.0;
  volatile double r = one / zero;
  (void)r;
}
inline void raise_overflow() {
  volatile double big = 1e308;
  volatile double r = big * big;
  (void)r;
}
inline void raise_invalid() {
  volatile double zero = 0.0;
  volatile double r = zero / zero;
  (void)r;
}

}  // namespace minpy::cpu::fpstatus
