#include "indexing_kernels.h"

#include <algorithm>
#include <cstring>

#include "minpy/threading.h"
#include "nd_loop.h"

namespace minpy::cpu {
namespace {

// Drops size-1 dims and merges neighbours contiguous with each other, so most inner subspaces
// become one strided row.
void collapse(const Shape& shape_in, const Shape& strides_in, Shape& shape, Shape& strides) {
  shape.clear();
  strides.clear();
  for (size_t d = 0; d < shape_in.size(); ++d) {
    if (shape_in[d] == 1) continue;
    if (!shape.empty() && strides.back() == strides_in[d] * shape_in[d]) {
      shape.back() *= shape_in[d];
      strides.back() = strides_in[d];
    } else {
      shape.push_back(shape_in[d]);
      strides.push_back(strides_in[d]);
    }
  }
}

int64_t unravel_offset(int64_t i, const Shape& shape, const Shape& strides) {
  int64_t off = 0;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    off += (i % shape[d]) * strides[d];
    i /= shape[d];
  }
  return off;
}

template <size_t N, bool ToSel>
inline void move(char* sel, char*& flat, int64_t fstep) {
  if constexpr (ToSel) std::memcpy(sel, flat, N);
  else std::memcpy(flat, sel, N);
  flat += fstep;
}

// Walks elements [begin, end) of the (outer, b) space; ToSel copies flat -> selected positions.
template <size_t N, bool ToSel>
void walk(char* sel, char* flat, bool flat_scalar, const GatherLayout& L, const Shape& ish, const Shape& ist,
          int64_t ninner, int64_t begin, int64_t end) {
  int64_t fstep = flat_scalar ? 0 : static_cast<int64_t>(N);
  char* f = flat + (flat_scalar ? 0 : begin * ninner * static_cast<int64_t>(N));
  int nd = static_cast<int>(ish.size());
  if (nd == 0 && L.outer_shape.empty()) {
    // The common a[idx] / a[idx] = v: one element per index combination.
    for (int64_t b = begin; b < end; ++b) move<N, ToSel>(sel + L.boff[b], f, fstep);
    return;
  }
  int64_t cur_o = -1, ooff = 0;
  for (int64_t i = begin; i < end; ++i) {
    int64_t o = i / L.nb, b = i - o * L.nb;
    if (o != cur_o) {
      cur_o = o;
      ooff = unravel_offset(o, L.outer_shape, L.outer_strides);
    }
    char* s = sel + ooff + L.boff[b];
    if (nd == 0) {
      move<N, ToSel>(s, f, fstep);
    } else if (nd == 1) {
      int64_t st = ist[0];
      if (st == static_cast<int64_t>(N) && !flat_scalar) {
        if constexpr (ToSel) std::memcpy(s, f, ninner * N);
        else std::memcpy(f, s, ninner * N);
        f += ninner * N;
      } else {
        for (int64_t k = 0; k < ninner; ++k) move<N, ToSel>(s + k * st, f, fstep);
      }
    } else {
      int64_t idx[64] = {};
      int64_t last = ish[nd - 1], lst = ist[nd - 1];
      for (int64_t r = 0; r < ninner / last; ++r) {
        int64_t off = 0;
        for (int d = 0; d < nd - 1; ++d) off += idx[d] * ist[d];
        for (int64_t k = 0; k < last; ++k) move<N, ToSel>(s + off + k * lst, f, fstep);
        for (int d = nd - 2; d >= 0; --d) {
          if (++idx[d] < ish[d]) break;
          idx[d] = 0;
        }
      }
    }
  }
}

template <size_t N, bool ToSel>
void run(char* sel, char* flat, bool flat_scalar, const GatherLayout& L) {
  int64_t nouter = shape_size(L.outer_shape), ninner = shape_size(L.inner_shape);
  if (nouter == 0 || L.nb == 0 || ninner == 0) return;
  Shape ish, ist;
  collapse(L.inner_shape, L.inner_strides, ish, ist);
  int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / ninner);
  if constexpr (ToSel) {
    // Scatters split only the outer dims: positions along b may repeat and must be written in
    // order (last wins), while distinct outer positions never collide.
    int64_t per = L.nb;
    parallel_for(nouter, std::max<int64_t>(1, grain / per), [&](int64_t b0, int64_t b1) {
      walk<N, ToSel>(sel, flat, flat_scalar, L, ish, ist, ninner, b0 * per, b1 * per);
    });
  } else {
    parallel_for(nouter * L.nb, grain, [&](int64_t b0, int64_t b1) {
      walk<N, ToSel>(sel, flat, flat_scalar, L, ish, ist, ninner, b0, b1);
    });
  }
}

template <bool ToSel>
void dispatch(char* sel, char* flat, bool flat_scalar, const GatherLayout& L) {
  switch (L.itemsize) {
    case 1: return run<1, ToSel>(sel, flat, flat_scalar, L);
    case 2: return run<2, ToSel>(sel, flat, flat_scalar, L);
    case 4: return run<4, ToSel>(sel, flat, flat_scalar, L);
    case 8: return run<8, ToSel>(sel, flat, flat_scalar, L);
    default: return run<16, ToSel>(sel, flat, flat_scalar, L);
  }
}

template <size_t N>
void where_loop(char** args, const int64_t* s, int64_t n) {
  const char *c = args[0], *x = args[1], *y = args[2];
  char* o = args[3];
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(o + i * s[3], *reinterpret_cast<const bool*>(c + i * s[0]) ? x + i * s[1] : y + i * s[2], N);
}

}  // namespace

void gather(const char* src, char* dst, const GatherLayout& L) {
  dispatch<false>(const_cast<char*>(src), dst, false, L);
}

void scatter(char* dst, const char* src, bool src_scalar, const GatherLayout& L) {
  dispatch<true>(dst, const_cast<char*>(src), src_scalar, L);
}

void where(const Array& cond, const Array& x, const Array& y, const Array& out) {
  Array ops[4] = {cond, x, y, out};
  StridedLoop fn;
  switch (out.itemsize()) {
    case 1: fn = &where_loop<1>; break;
    case 2: fn = &where_loop<2>; break;
    case 4: fn = &where_loop<4>; break;
    case 8: fn = &where_loop<8>; break;
    default: fn = &where_loop<16>; break;
  }
  nd_loop(out.shape(), 4, ops, fn, 1 << 15);
}

namespace {
template <size_t N>
void masked_copy(char* a, const bool* m, int64_t n, char* flat, int64_t count, bool to_a, bool flat_scalar) {
  if (to_a && flat_scalar) {
    // Branch-free select: every element is rewritten with either itself or the value.
    const unsigned char* mb = reinterpret_cast<const unsigned char*>(m);
    for (int64_t i = 0; i < n; ++i) {
      char cur[N];
      std::memcpy(cur, a + i * N, N);
      std::memcpy(a + i * N, mb[i] ? flat : cur, N);
    }
    return;
  }
  if (to_a) {
    int64_t fstep = flat_scalar ? 0 : static_cast<int64_t>(N);
    for (int64_t i = 0; i < n; ++i)
      if (m[i]) {
        std::memcpy(a + i * N, flat, N);
        flat += fstep;
      }
    return;
  }
  // Branch-free compaction: always copy, advance by the mask; stops once `count` are written.
  // Bytes are read as bytes: a bool array viewed over other data may hold values other than 0/1.
  const unsigned char* mb = reinterpret_cast<const unsigned char*>(m);
  int64_t k = 0;
  for (int64_t i = 0; k < count; ++i) {
    std::memcpy(flat + k * N, a + i * N, N);
    k += mb[i] != 0;
  }
}
}  // namespace

void mask_copy(char* a, const bool* m, int64_t n, char* flat, int64_t count, size_t itemsize, bool to_a,
               bool flat_scalar) {
  switch (itemsize) {
    case 1: return masked_copy<1>(a, m, n, flat, count, to_a, flat_scalar);
    case 2: return masked_copy<2>(a, m, n, flat, count, to_a, flat_scalar);
    case 4: return masked_copy<4>(a, m, n, flat, count, to_a, flat_scalar);
    case 8: return masked_copy<8>(a, m, n, flat, count, to_a, flat_scalar);
    default: return masked_copy<16>(a, m, n, flat, count, to_a, flat_scalar);
  }
}

int64_t count_true(const bool* p, int64_t n) {
  const unsigned char* b = reinterpret_cast<const unsigned char*>(p);
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) c += b[i] != 0;
  return c;
}

}  // namespace minpy::cpu
