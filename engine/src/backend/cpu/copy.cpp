#include <array>
#include <cstring>

#include "kernels.h"
#include "scalar_math.h"

namespace minpy::cpu {
namespace {

template <class From, class To>
void cast_kernel(char** args, const int64_t* s, int64_t n) {
  const char* src = args[0];
  char* dst = args[1];
  if (s[0] == sizeof(From) && s[1] == sizeof(To)) {
    const From* a = reinterpret_cast<const From*>(src);
    To* b = reinterpret_cast<To*>(dst);
    for (int64_t i = 0; i < n; ++i) b[i] = scalar::convert<To>(a[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<To*>(dst + i * s[1]) = scalar::convert<To>(*reinterpret_cast<const From*>(src + i * s[0]));
  }
}

// Same-type copies move bytes; sizes 1/2/4/8/16 get typed loops so the compiler vectorises them.
template <size_t N>
void byte_copy_kernel(char** args, const int64_t* s, int64_t n) {
  if (s[0] == N && s[1] == N) {
    std::memmove(args[1], args[0], n * N);
    return;
  }
  for (int64_t i = 0; i < n; ++i) std::memcpy(args[1] + i * s[1], args[0] + i * s[0], N);
}

using Table = std::array<std::array<StridedLoop, kNumDTypes>, kNumDTypes>;
Table make_table() {
  Table t{};
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j)
      visit_dtype(static_cast<DType>(i), [&](auto from) {
        visit_dtype(static_cast<DType>(j), [&](auto to) {
          t[i][j] = &cast_kernel<decltype(from), decltype(to)>;
        });
      });
  return t;
}

StridedLoop same_type_loop(size_t itemsize) {
  switch (itemsize) {
    case 1: return &byte_copy_kernel<1>;
    case 2: return &byte_copy_kernel<2>;
    case 4: return &byte_copy_kernel<4>;
    case 8: return &byte_copy_kernel<8>;
    default: return &byte_copy_kernel<16>;
  }
}

}  // namespace

StridedLoop cast_loop(DType from, DType to) {
  static const Table table = make_table();
  if (from == to) return same_type_loop(itemsize(from));
  return table[static_cast<int>(from)][static_cast<int>(to)];
}

void copy_cast(const Array& src, const Array& dst) {
  Array b = src.shape() == dst.shape() ? src : broadcast_to(src, dst.shape());
  Array ops[2] = {b, dst};
  nd_loop(dst.shape(), 2, ops, cast_loop(src.dtype(), dst.dtype()), 1 << 16);
}

namespace {
template <size_t N>
void fill_kernel(char** args, const int64_t* s, int64_t n) {
  const char* v = args[0];
  for (int64_t i = 0; i < n; ++i) std::memcpy(args[1] + i * s[1], v, N);
}
}  // namespace

void fill(const Array& dst, const void* value) {
  char* ptrs[2] = {const_cast<char*>(static_cast<const char*>(value)), dst.data()};
  Shape strides[2] = {Shape(dst.ndim(), 0), dst.strides()};
  StridedLoop fn;
  switch (dst.itemsize()) {
    case 1: fn = &fill_kernel<1>; break;
    case 2: fn = &fill_kernel<2>; break;
    case 4: fn = &fill_kernel<4>; break;
    case 8: fn = &fill_kernel<8>; break;
    default: fn = &fill_kernel<16>; break;
  }
  nd_loop(dst.shape(), 2, ptrs, strides, fn, 1 << 16);
}

}  // namespace minpy::cpu
