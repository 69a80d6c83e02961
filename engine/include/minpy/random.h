// Random sampling: a counter-based Philox4x64-10 generator (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC'11) and NumPy's distributions on top of it.
//
// Why counter-based: every output is a pure function of (key, counter), so element i of a call is
// computed from block (base + i / k) no matter which thread computes it. Results are reproducible per
// seed, identical for any thread count, and large arrays fill in parallel. The stream is not NumPy's.
//
// Stream layout (the contract the tests pin down):
//   * key = 128 bits from the seed; the generator's state is (key, counter), counter = the index of
//     the next unused primary block. A block is philox4x64_10({block, 0, 0, 0}, key): 4 x 64 bits.
//   * A call producing n values reserves ceil(n / per_block) primary blocks and advances the counter.
//   * float64 uniform: one 64-bit word -> top 53 bits * 2^-53 in [0, 1); 4 values per block.
//     float32 uniform: each 32-bit half -> top 24 bits * 2^-24 in [0, 1); 8 values per block.
//   * normal: Box-Muller (basic form, no rejection), words (2j, 2j+1) -> 2 normals; 4 per block.
//     float32 normals are the float64 ones rounded.
//   * Values that may need more bits than one word (bounded integers rejected by Lemire's method,
//     binomial) take word i % 4 of primary block base + i / 4 first, then element i's own
//     substream: blocks philox({primary block, 1 + i % 4, j, 0}), j = 0, 1, ... Substream counters
//     never collide with primary ones (word 1 of a primary counter is always 0).
//   * Sequential algorithms (Fisher-Yates permutation/shuffle, sampling without replacement) read
//     primary blocks in order, one word at a time, and reserve what they used.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "minpy/array.h"

namespace minpy {

// One Philox4x64-10 block: the bijection of the Random123 paper (10 rounds).
std::array<uint64_t, 4> philox4x64_10(std::array<uint64_t, 4> counter, std::array<uint64_t, 2> key);

class RandomGenerator {
 public:
  static constexpr const char* kAlgorithm = "Philox4x64-10";

  // key = {seed, 0}: Philox is a keyed bijection, so any key gives an independent stream.
  explicit RandomGenerator(uint64_t seed = 0) : key_{seed, 0} {}
  RandomGenerator(uint64_t key0, uint64_t key1, uint64_t counter = 0) : key_{key0, key1}, counter_(counter) {}

  std::array<uint64_t, 2> key() const { return key_; }
  uint64_t counter() const { return counter_; }
  void set_state(uint64_t key0, uint64_t key1, uint64_t counter) {
    key_ = {key0, key1};
    counter_ = counter;
  }

  // Uniform [0, 1) of dtype float32 or float64 (TypeError otherwise).
  Array random(const Shape& size, DType dtype = DType::Float64);
  // Standard normal of dtype float32 or float64.
  Array standard_normal(const Shape& size, DType dtype = DType::Float64);
  // low + (high - low) * U, float64; parameters broadcast (to `size` when given). A non-finite range
  // is an OverflowError; high < low is a ValueError unless allow_reversed (NumPy's legacy API).
  Array uniform(const Array& low, const Array& high, const std::optional<Shape>& size = std::nullopt,
                bool allow_reversed = true);
  // loc + scale * N(0, 1), float64; ValueError "scale < 0".
  Array normal(const Array& loc, const Array& scale, const std::optional<Shape>& size = std::nullopt);
  // Integers in [low, high) (or [low, high] with endpoint) of an integer or bool dtype, unbiased
  // (Lemire's multiply-and-reject). low/high: integer arrays; NumPy's bound checks and messages.
  Array integers(const Array& low, const Array& high, DType dtype = DType::Int64,
                 const std::optional<Shape>& size = std::nullopt, bool endpoint = false);
  // Binomial(n, p) as int64: inversion for n*min(p,1-p) < 10, else Hormann's BTRD (exact rejection).
  Array binomial(const Array& n, const Array& p, const std::optional<Shape>& size = std::nullopt);
  // Indices drawn with probabilities given by a 1-d non-decreasing cumulative sum `cdf` (float64):
  // i such that cdf[i-1] <= u * cdf[last] < cdf[i], so zero-probability entries are never drawn.
  Array choice_cdf(const Array& cdf, const Shape& size);
  // k distinct values of [0, n) in random order (partial Fisher-Yates), int64 of shape {k}.
  Array sample_without_replacement(int64_t n, int64_t k);
  // A random permutation of [0, n) (empty for n <= 0), int64.
  Array permutation(int64_t n);
  // A shuffled copy of x along axis 0 (IndexError for 0-d, as NumPy).
  Array permutation(const Array& x);
  // Shuffles x in place along axis 0 (TypeError for 0-d, ValueError when read-only).
  void shuffle(const Array& x);

 private:
  // Reserves `blocks` primary blocks and returns the index of the first.
  uint64_t reserve(uint64_t blocks);

  std::array<uint64_t, 2> key_;
  uint64_t counter_ = 0;
};

}  // namespace minpy
