// Engine exceptions. Each maps to the NumPy/Python exception class of the same name in the bindings.
// Messages follow "[op] Sentence." so the user sees which call failed and why.
#pragma once
#include <stdexcept>
#include <string>

namespace minpy {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ValueError : Error { using Error::Error; };
struct TypeError : Error { using Error::Error; };
struct IndexError : Error { using Error::Error; };
struct AxisError : ValueError { using ValueError::ValueError; };
struct OverflowError : Error { using Error::Error; };
struct ZeroDivisionError : Error { using Error::Error; };
// Raised for an input the engine does not handle natively; the Python layer may fall back to NumPy.
struct NotImplementedError : Error { using Error::Error; };

// Builds "[op] message" for the exception types above.
inline std::string msg(const char* op, const std::string& sentence) {
  return std::string("[") + op + "] " + sentence;
}

}  // namespace minpy
