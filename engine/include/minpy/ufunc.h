// Universal functions: NumPy's elementwise ops with its loop selection, NEP 50 promotion of Python
// scalars, broadcasting, casting and out= rules. One registry entry per ufunc.
#pragma once
#include <complex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "minpy/array.h"

namespace minpy {

// A Python scalar: "weak" under NEP 50, it takes the dtype of the arrays it meets.
struct Scalar {
  enum class Kind : uint8_t { Bool, Int, Float, Complex } kind = Kind::Float;
  bool b = false;
  int64_t i = 0;           // Int that fits int64
  uint64_t u = 0;          // Int that fits uint64 only (int_is_uint64)
  bool int_is_uint64 = false;
  bool int_too_big = false;  // beyond uint64: usable only as a float (value in f)
  double f = 0;
  std::complex<double> c;

  static Scalar from_bool(bool v) { Scalar s; s.kind = Kind::Bool; s.b = v; return s; }
  static Scalar from_int(int64_t v) { Scalar s; s.kind = Kind::Int; s.i = v; s.f = double(v); return s; }
  static Scalar from_float(double v) { Scalar s; s.kind = Kind::Float; s.f = v; return s; }
  static Scalar from_complex(std::complex<double> v) { Scalar s; s.kind = Kind::Complex; s.c = v; return s; }
  // The dtype NumPy gives this scalar alone (int64, float64, complex128, bool).
  DType default_dtype() const;
  // This scalar as a 0-d array of `dtype`; OverflowError when an integer does not fit.
  Array to_array(DType dtype, const char* op) const;
  std::string repr() const;
};

using Operand = std::variant<Array, Scalar>;

struct UfuncLoop;
struct Ufunc {
  std::string name;
  int nin = 0, nout = 0;
  std::vector<const UfuncLoop*> loops;  // NumPy's order
  bool is_comparison = false;
  int id = -1;  // index into the registry's per-ufunc tables
};

const std::vector<DType>& loop_types(const UfuncLoop* loop);  // inputs then outputs
const Ufunc& get_ufunc(std::string_view name);  // ValueError for an unknown name
const Ufunc* find_ufunc(std::string_view name);
std::vector<std::string> ufunc_names();

struct UfuncOptions {
  std::vector<Array> out;             // empty, or nout entries (undefined Array = allocate)
  std::optional<DType> dtype;         // NumPy's dtype=: the loop's output type
  Casting casting = Casting::SameKind;
};

// The dtypes NumPy would use for this call: loop input types then output types.
std::vector<DType> resolve_ufunc_types(const Ufunc& uf, const std::vector<Operand>& inputs,
                                       std::optional<DType> dtype = std::nullopt);
std::vector<Array> call_ufunc(const Ufunc& uf, const std::vector<Operand>& inputs,
                              const UfuncOptions& options = {});

// NumPy's result_type over arrays (strong) and Python scalars (weak).
DType result_type(const std::vector<Operand>& operands);

// C++ conveniences with NumPy's names.
Array ufunc1(std::string_view name, const Operand& a);
Array ufunc2(std::string_view name, const Operand& a, const Operand& b);
inline Array operator+(const Array& a, const Operand& b) { return ufunc2("add", a, b); }
inline Array operator-(const Array& a, const Operand& b) { return ufunc2("subtract", a, b); }
inline Array operator*(const Array& a, const Operand& b) { return ufunc2("multiply", a, b); }
inline Array operator/(const Array& a, const Operand& b) { return ufunc2("true_divide", a, b); }

}  // namespace minpy
