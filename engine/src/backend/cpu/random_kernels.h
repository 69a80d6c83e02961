// CPU kernels of minpy/random.h. Every element's value depends only on (key, base block, element
// index), never on how the work is split across threads; see random.h for the stream layout.
#pragma once
#include <array>
#include <cstdint>

#include "minpy/array.h"

namespace minpy::cpu::rng {

using Key = std::array<uint64_t, 2>;

// Philox4x64-10: out = bijection_key(ctr).
inline void philox(const uint64_t ctr_in[4], const Key& key_in, uint64_t out[4]) {
  constexpr uint64_t M0 = 0xD2E7470EE14C6C93ULL, M1 = 0xCA5A826395121157ULL;
  constexpr uint64_t W0 = 0x9E3779B97F4A7C15ULL, W1 = 0xBB67AE8584CAA73BULL;
  uint64_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
  uint64_t k0 = key_in[0], k1 = key_in[1];
  for (int r = 0; r < 10; ++r) {
    if (r) {
      k0 += W0;
      k1 += W1;
    }
    unsigned __int128 p0 = static_cast<unsigned __int128>(M0) * c0;
    unsigned __int128 p1 = static_cast<unsigned __int128>(M1) * c2;
    uint64_t hi0 = static_cast<uint64_t>(p0 >> 64), lo0 = static_cast<uint64_t>(p0);
    uint64_t hi1 = static_cast<uint64_t>(p1 >> 64), lo1 = static_cast<uint64_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// Primary blocks a call of n elements reserves when each block serves `per_block` elements.
inline uint64_t blocks_for(int64_t n, int per_block) {
  return static_cast<uint64_t>((n + per_block - 1) / per_block);
}

// Element-wise kernels: `out` is a fresh C-contiguous array; parameter arrays are already broadcast
// to out's shape (zero strides) and have the dtypes named below.
void fill_uniform(const Array& out, const Key& key, uint64_t base);   // float32: 8/block, float64: 4/block
void fill_normal(const Array& out, const Key& key, uint64_t base);    // float32/float64, 4/block
// out = a + b * X with X uniform (kind 'u') or standard normal (kind 'n'); a, b float64; out float64.
void fill_affine(const Array& out, const Array& a, const Array& b, char kind, const Key& key, uint64_t base);
// low, high: int64 or uint64 (both the same), inclusive bounds, already validated; 4/block.
void fill_integers(const Array& out, const Array& low, const Array& high, const Key& key, uint64_t base);
// n int64 >= 0, p float64 in [0, 1]; out int64; 4/block.
void fill_binomial(const Array& out, const Array& n, const Array& p, const Key& key, uint64_t base);
// out int64 (any shape, contiguous); cdf contiguous float64 of length m >= 1 with cdf[m-1] > 0.
void fill_choice_cdf(const Array& out, const Array& cdf, const Key& key, uint64_t base);

// Sequential draws from consecutive primary blocks, one 64-bit word at a time.
class SeqStream {
 public:
  SeqStream(const Key& key, uint64_t first_block) : key_(key), next_block_(first_block) {}
  uint64_t next() {
    if (pos_ == 4) {
      uint64_t ctr[4] = {next_block_++, 0, 0, 0};
      philox(ctr, key_, buf_);
      pos_ = 0;
    }
    return buf_[pos_++];
  }
  uint64_t next_block() const { return next_block_; }  // the first block not touched

 private:
  Key key_;
  uint64_t next_block_;
  uint64_t buf_[4] = {};
  int pos_ = 4;
};

// Lemire's unbiased bounded integer in [0, s), s >= 1, drawing words from `next()`.
template <class Stream>
inline uint64_t bounded(uint64_t s, Stream& st) {
  uint64_t x = st.next();
  unsigned __int128 m = static_cast<unsigned __int128>(x) * s;
  uint64_t l = static_cast<uint64_t>(m);
  if (l < s) {
    uint64_t t = (0 - s) % s;  // 2^64 mod s: the values of l that would bias the result
    while (l < t) {
      x = st.next();
      m = static_cast<unsigned __int128>(x) * s;
      l = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

// Fisher-Yates: writes k distinct values of [0, n) in random order to dst (k <= n). A full
// permutation when k == n. Sparse (hash map) when k is much smaller than n, so memory is O(k).
void fisher_yates(int64_t* dst, int64_t n, int64_t k, SeqStream& st);
// out row i = src row perm[i]; src and out C-contiguous with the same shape and dtype.
void gather_rows(const Array& src, const int64_t* perm, const Array& out);

}  // namespace minpy::cpu::rng
