// Data types with NumPy's names, sizes, promotion (numpy.promote_types) and casting rules.
#pragma once
#include <complex>
#include <cstdint>
#include <string>

namespace minpy {

enum class DType : uint8_t {
  Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64,
  Float16, Float32, Float64, Complex64, Complex128
};
inline constexpr int kNumDTypes = 14;

enum class Kind : uint8_t { Bool, UInt, Int, Float, Complex };  // NumPy's "kind" order for same_kind
enum class Casting : uint8_t { No, Equiv, Safe, SameKind, Unsafe };

using float16 = _Float16;
using complex64 = std::complex<float>;
using complex128 = std::complex<double>;

size_t itemsize(DType t);
Kind kind(DType t);
const char* dtype_name(DType t);          // "float64"
char dtype_char(DType t);                 // NumPy type character: '?', 'b', 'd', ...
DType dtype_from_name(const std::string& name);  // accepts names and type characters; TypeError otherwise
inline bool is_integer(DType t) { return kind(t) == Kind::Int || kind(t) == Kind::UInt; }
inline bool is_floating(DType t) { return kind(t) == Kind::Float; }
inline bool is_complex(DType t) { return kind(t) == Kind::Complex; }
inline bool is_inexact(DType t) { return is_floating(t) || is_complex(t); }

DType promote_types(DType a, DType b);
bool can_cast(DType from, DType to, Casting casting);
Casting casting_from_name(const std::string& name);
const char* casting_name(Casting c);
DType real_dtype(DType t);     // complex128 -> float64; others unchanged
DType complex_dtype(DType t);  // float32 -> complex64; float64 -> complex128

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct dtype_of<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct dtype_of<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct dtype_of<float16> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<complex64> { static constexpr DType value = DType::Complex64; };
template <> struct dtype_of<complex128> { static constexpr DType value = DType::Complex128; };

// Calls f(T{}) with T the C++ type of `t`. The one place that maps runtime dtypes to types.
template <class F>
decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(bool{});
    case DType::Int8: return f(int8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Float16: return f(float16{});
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Complex64: return f(complex64{});
    case DType::Complex128: return f(complex128{});
  }
  return f(double{});
}

}  // namespace minpy
