#include "minpy/dtype.h"

#include <array>

#include "minpy/errors.h"

namespace minpy {
namespace {

struct Info {
  const char* name;
  char chr;
  size_t size;
  Kind kind;
};
constexpr std::array<Info, kNumDTypes> kInfo = {{
    {"bool", '?', 1, Kind::Bool},        {"int8", 'b', 1, Kind::Int},
    {"int16", 'h', 2, Kind::Int},        {"int32", 'i', 4, Kind::Int},
    {"int64", 'q', 8, Kind::Int},        {"uint8", 'B', 1, Kind::UInt},
    {"uint16", 'H', 2, Kind::UInt},      {"uint32", 'I', 4, Kind::UInt},
    {"uint64", 'Q', 8, Kind::UInt},      {"float16", 'e', 2, Kind::Float},
    {"float32", 'f', 4, Kind::Float},    {"float64", 'd', 8, Kind::Float},
    {"complex64", 'F', 8, Kind::Complex}, {"complex128", 'D', 16, Kind::Complex},
}};
const Info& info(DType t) { return kInfo[static_cast<int>(t)]; }

DType int_of(Kind k, size_t size) {
  static constexpr DType s[] = {DType::Int8, DType::Int16, DType::Int32, DType::Int64};
  static constexpr DType u[] = {DType::UInt8, DType::UInt16, DType::UInt32, DType::UInt64};
  int i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
  return k == Kind::Int ? s[i] : u[i];
}
// The smallest float that holds every value of an integer type, as NumPy promotes.
DType float_for_int(DType t) {
  size_t s = itemsize(t);
  return s == 1 ? DType::Float16 : s == 2 ? DType::Float32 : DType::Float64;
}
DType wider_float(DType a, DType b) { return itemsize(a) >= itemsize(b) ? a : b; }

}  // namespace

size_t itemsize(DType t) { return info(t).size; }
Kind kind(DType t) { return info(t).kind; }
const char* dtype_name(DType t) { return info(t).name; }
char dtype_char(DType t) { return info(t).chr; }

DType dtype_from_name(const std::string& name) {
  for (int i = 0; i < kNumDTypes; ++i) {
    const Info& in = kInfo[i];
    if (name == in.name || (name.size() == 1 && name[0] == in.chr)) return static_cast<DType>(i);
  }
  if (name == "l") return DType::Int64;
  if (name == "L") return DType::UInt64;
  if (name == "float" || name == "double") return DType::Float64;
  if (name == "int") return DType::Int64;
  if (name == "complex") return DType::Complex128;
  if (name == "half") return DType::Float16;
  if (name == "single") return DType::Float32;
  throw TypeError(msg("dtype", "data type '" + name + "' is not supported."));
}

DType real_dtype(DType t) {
  if (t == DType::Complex64) return DType::Float32;
  if (t == DType::Complex128) return DType::Float64;
  return t;
}
DType complex_dtype(DType t) {
  if (t == DType::Float16 || t == DType::Float32 || t == DType::Complex64) return DType::Complex64;
  return DType::Complex128;
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  Kind ka = kind(a), kb = kind(b);
  if (ka == Kind::Bool) return b;
  if (kb == Kind::Bool) return a;
  bool ia = is_integer(a), ib = is_integer(b);
  if (ia && ib) {
    if (ka == kb) return itemsize(a) >= itemsize(b) ? a : b;
    DType s = ka == Kind::Int ? a : b, u = ka == Kind::Int ? b : a;
    if (itemsize(s) > itemsize(u)) return s;
    if (itemsize(u) == 8) return DType::Float64;
    return int_of(Kind::Int, itemsize(u) * 2);
  }
  // At least one is inexact: work with the float precision each side needs.
  auto as_float = [](DType t) {
    if (is_integer(t)) return float_for_int(t);
    return real_dtype(t);
  };
  DType f = wider_float(as_float(a), as_float(b));
  if (is_complex(a) || is_complex(b)) return complex_dtype(f);
  return f;
}

bool can_cast(DType from, DType to, Casting casting) {
  switch (casting) {
    case Casting::No:
    case Casting::Equiv: return from == to;
    case Casting::Safe: return promote_types(from, to) == to;
    case Casting::SameKind:
      return promote_types(from, to) == to || static_cast<int>(kind(from)) <= static_cast<int>(kind(to));
    case Casting::Unsafe: return true;
  }
  return false;
}

Casting casting_from_name(const std::string& name) {
  if (name == "no") return Casting::No;
  if (name == "equiv") return Casting::Equiv;
  if (name == "safe") return Casting::Safe;
  if (name == "same_kind") return Casting::SameKind;
  if (name == "unsafe") return Casting::Unsafe;
  throw ValueError(msg("casting", "casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe'."));
}
const char* casting_name(Casting c) {
  static const char* names[] = {"no", "equiv", "safe", "same_kind", "unsafe"};
  return names[static_cast<int>(c)];
}

}  // namespace minpy
