#include <algorithm>
#include <array>
#include <cstring>

#include "kernels.h"
#include "minpy/threading.h"
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

namespace {

// A 2-d copy whose source is contiguous along the other axis than the destination (a transpose):
// copied in square tiles so that both sides stay in cache.
bool copy_transposed_2d(const Array& src, const Array& dst, StridedLoop loop) {
  if (dst.ndim() != 2 || src.ndim() != 2 || dst.size() < (1 << 14)) return false;
  int64_t is = static_cast<int64_t>(src.itemsize()), id = static_cast<int64_t>(dst.itemsize());
  const Shape &ss = src.strides(), &ds = dst.strides();
  if (!(ds[1] == id && ss[0] == is && std::llabs(ss[1]) > is * 16)) return false;
  constexpr int64_t kTile = 32;
  int64_t rows = dst.shape(0), cols = dst.shape(1);
  int64_t row_tiles = (rows + kTile - 1) / kTile;
  auto tiles = [&](auto elem) {
    using T = decltype(elem);
    parallel_for(row_tiles, 4, [&](int64_t t0, int64_t t1) {
      int64_t strides[2] = {ss[1], ds[1]};
      for (int64_t t = t0; t < t1; ++t)
        for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
          int64_t n = std::min(kTile, cols - c0);
          for (int64_t r = t * kTile; r < std::min(rows, (t + 1) * kTile); ++r) {
            char* sp = src.data() + r * ss[0] + c0 * ss[1];
            char* dp = dst.data() + r * ds[0] + c0 * ds[1];
            if constexpr (sizeof(T) == 1) {  // any dtype pair: the generic strided loop
              char* args[2] = {sp, dp};
              loop(args, strides, n);
            } else {  // same dtype: move elements of the right width directly
              T* d = reinterpret_cast<T*>(dp);
              for (int64_t c = 0; c < n; ++c) std::memcpy(d + c, sp + c * ss[1], sizeof(T));
            }
          }
        }
    });
  };
  if (src.dtype() != dst.dtype()) tiles(char{});
  else if (is == 8) tiles(uint64_t{});
  else if (is == 4) tiles(uint32_t{});
  else if (is == 2) tiles(uint16_t{});
  else tiles(char{});
  return true;
}

}  // namespace

void copy_cast(const Array& src, const Array& dst) {
  Array b = src.shape() == dst.shape() ? src : broadcast_to(src, dst.shape());
  StridedLoop loop = cast_loop(src.dtype(), dst.dtype());
  if (copy_transposed_2d(b, dst, loop)) return;
  Array ops[2] = {b, dst};
  nd_loop(dst.shape(), 2, ops, loop, 1 << 16);
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
