// Convolution as im2col + GEMM, pooling as direct window loops.
//
// conv2d: a chunk of B samples is unfolded into one column matrix col (C*KH*KW, B*Ho*Wo) (rows:
// channel, kernel row, kernel column; columns: sample, output row, output column), and each group's
// output is ONE BLAS product W_g (F/g, K_g) @ col_g. Chunking the batch into one wide product (rather
// than one small product per sample) keeps BLAS efficient on the small images of the target nets
// (8x8: a per-sample product would be 64 columns wide) and lets BLAS thread the product itself; the
// price is one copy of the output from (F, B, Ho*Wo) into NCHW, which is K times cheaper than the
// product. The memory-bound passes (unfold, fold, copies) are threaded over (sample, channel).
// Backward per chunk: dW_g += gy_g (F/g, B*P) @ col_g^T (accumulated over chunks by BLAS's beta),
// dcol_g = W_g^T @ gy_g into the same buffer, then col2im folds it into dx.
#include "nn_conv_kernels.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>
#include <vector>

#include "blas.h"
#include "minpy/threading.h"

namespace minpy::cpu {
namespace {

// Bytes of column matrix per tile and thread: the tile is unfolded, then read by the product while
// it is still in the core's L2 (measured: 128 KiB beats 512 KiB-4 MiB tiles by 1.5-2x on 3x3 convs of
// 32x32 images, where the product is otherwise limited by re-reading the tile from memory). A tile
// shared by all the threads (see Tiling) grows with the thread count.
constexpr int64_t kTileBytesPerThread = int64_t(128) << 10;
// Elements of memory-bound work below which a parallel_for chunk is not worth a hand-off.
constexpr int64_t kGrain = int64_t(1) << 15;

// Scratch memory for one kernel call, reused across calls on the same thread (the allocation and the
// page faults of a fresh multi-megabyte buffer per call would cost as much as the unfold itself).
// Buffers above kKeepBytes are released after the call. Re-entrant use gets a private buffer.
class Workspace {
 public:
  explicit Workspace(size_t bytes) {
    Slot& s = slot();
    if (s.busy || bytes > kKeepBytes) {
      own_ = alloc(bytes);
      p_ = own_;
      return;
    }
    if (s.cap < bytes) {
      release(s.p);
      s.p = nullptr;
      s.cap = 0;
      s.p = alloc(bytes);
      s.cap = bytes;
    }
    s.busy = true;
    p_ = s.p;
    shared_ = true;
  }
  ~Workspace() {
    if (shared_) slot().busy = false;
    release(own_);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  template <class T>
  T* as() const {
    return reinterpret_cast<T*>(p_);
  }

 private:
  static constexpr size_t kKeepBytes = size_t(64) << 20;
  static constexpr std::align_val_t kAlign{64};
  struct Slot {
    char* p = nullptr;
    size_t cap = 0;
    bool busy = false;
    ~Slot() { release(p); }
  };
  static Slot& slot() {
    thread_local Slot s;
    return s;
  }
  static char* alloc(size_t bytes) { return static_cast<char*>(::operator new(std::max<size_t>(bytes, 64), kAlign)); }
  static void release(char* p) {
    if (p) ::operator delete(p, kAlign);
  }
  char* p_ = nullptr;
  char* own_ = nullptr;
  bool shared_ = false;
};

// The output positions o in [lo, hi) whose input coordinate o*s + off lies in [0, n).
inline void valid_range(int64_t off, int64_t s, int64_t n, int64_t out, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = (n - 1 - off) < 0 ? 0 : std::min(out, (n - 1 - off) / s + 1);
  lo = std::min(lo, hi);
}

// Stride 1 with an output as wide as the input ("same" padding): each column-matrix row is the input
// plane shifted by a constant, so whole runs of rows copy (or fold back) at once.
inline bool shifted_plane(const ConvGeom& g) { return g.sh == 1 && g.sw == 1 && g.Wo == g.W; }

// Unfolds output rows [oh0, oh1) of one input channel (H, W) into its KH*KW rows of the column
// matrix (row stride ld; column (oh - oh0) * Wo + ow).
template <class T>
void im2col_channel(const T* xp, T* col, int64_t ld, const ConvGeom& g, int64_t oh0, int64_t oh1) {
  const int64_t Wo = g.Wo, W = g.W;
  for (int64_t ki = 0; ki < g.KH; ++ki) {
    int64_t oh_lo, oh_hi;
    const int64_t hoff = ki * g.dh - g.ph;
    valid_range(hoff, g.sh, g.H, g.Ho, oh_lo, oh_hi);
    oh_lo = std::clamp(oh_lo, oh0, oh1);
    oh_hi = std::clamp(oh_hi, oh_lo, oh1);
    for (int64_t kj = 0; kj < g.KW; ++kj) {
      T* row = col + (ki * g.KW + kj) * ld;
      int64_t ow_lo, ow_hi;
      const int64_t woff = kj * g.dw - g.pw;
      valid_range(woff, g.sw, W, Wo, ow_lo, ow_hi);
      if (oh_lo > oh0) std::memset(row, 0, sizeof(T) * (oh_lo - oh0) * Wo);
      if (shifted_plane(g) && ow_hi > ow_lo && oh_hi > oh_lo) {
        // The valid rows are one run of the plane shifted by `shift`: one long copy, then the few
        // padding columns of each row (which the run filled with neighbours) are zeroed.
        const int64_t a = (oh_lo - oh0) * Wo + ow_lo, e = (oh_hi - 1 - oh0) * Wo + ow_hi;
        const int64_t shift = (oh0 + hoff) * W + woff;
        std::memcpy(row + a, xp + a + shift, sizeof(T) * (e - a));
        for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
          T* dst = row + (oh - oh0) * Wo;
          for (int64_t ow = 0; ow < ow_lo; ++ow) dst[ow] = T(0);
          for (int64_t ow = ow_hi; ow < Wo; ++ow) dst[ow] = T(0);
        }
        if (oh_hi < oh1) std::memset(row + (oh_hi - oh0) * Wo, 0, sizeof(T) * (oh1 - oh_hi) * Wo);
        continue;
      }
      for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
        T* dst = row + (oh - oh0) * Wo;
        const T* src = xp + (oh * g.sh + hoff) * W;  // the input row; column ow reads src[ow * sw + woff]
        for (int64_t ow = 0; ow < ow_lo; ++ow) dst[ow] = T(0);
        if (g.sw == 1) {
          // A plain loop, not memcpy: rows of small images are a few elements, where the call costs more.
          const T* s = src + woff;
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow] = s[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow] = src[ow * s + woff];
        }
        for (int64_t ow = ow_hi; ow < Wo; ++ow) dst[ow] = T(0);
      }
      if (oh_hi < oh1) std::memset(row + (oh_hi - oh0) * Wo, 0, sizeof(T) * (oh1 - oh_hi) * Wo);
    }
  }
}

// Folds the column rows of output rows [oh0, oh1) of one channel back into its (H, W) plane
// (accumulating: the plane is zeroed before its first band).
// col is scratch: the shifted-plane path zeroes the entries of padding positions in place.
template <class T>
void col2im_channel(T* col, int64_t ld, T* dxp, const ConvGeom& g, int64_t oh0, int64_t oh1) {
  const int64_t Wo = g.Wo, W = g.W;
  for (int64_t ki = 0; ki < g.KH; ++ki) {
    int64_t oh_lo, oh_hi;
    const int64_t hoff = ki * g.dh - g.ph;
    valid_range(hoff, g.sh, g.H, g.Ho, oh_lo, oh_hi);
    oh_lo = std::clamp(oh_lo, oh0, oh1);
    oh_hi = std::clamp(oh_hi, oh_lo, oh1);
    for (int64_t kj = 0; kj < g.KW; ++kj) {
      T* row = col + (ki * g.KW + kj) * ld;
      int64_t ow_lo, ow_hi;
      const int64_t woff = kj * g.dw - g.pw;
      valid_range(woff, g.sw, W, Wo, ow_lo, ow_hi);
      if (shifted_plane(g)) {
        if (ow_hi <= ow_lo || oh_hi <= oh_lo) continue;
        // Zero the padding positions, then add the whole run at once (they add 0 to neighbours).
        for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
          T* r = row + (oh - oh0) * Wo;
          for (int64_t ow = 0; ow < ow_lo; ++ow) r[ow] = T(0);
          for (int64_t ow = ow_hi; ow < Wo; ++ow) r[ow] = T(0);
        }
        const int64_t a = (oh_lo - oh0) * Wo + ow_lo, e = (oh_hi - 1 - oh0) * Wo + ow_hi;
        const int64_t shift = (oh0 + hoff) * W + woff;  // row[i] folds into dxp[i + shift]
        for (int64_t i = a; i < e; ++i) dxp[i + shift] += row[i];
        continue;
      }
      for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
        const T* src = row + (oh - oh0) * Wo;
        T* dst = dxp + (oh * g.sh + hoff) * W;
        if (g.sw == 1) {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow + woff] += src[ow];
        } else {
          const int64_t s = g.sw;
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow * s + woff] += src[ow];
        }
      }
    }
  }
}

// ---- small planes ----
// On small images (the 8x8 digits) the rows above are a few elements long, and the libc memcpy and
// memset calls for them cost more than the data they move: 40% of a conv2d forward was im2col. There
// the plane is first copied into a zero-padded buffer covering every tap position, after which each
// column-matrix row is a plain gather with no bounds logic (and folding back is a plain scatter).
// GCC would turn the short copy loops back into libc calls (loop distribution): not in these.
#if defined(__GNUC__) && !defined(__clang__)
#define MINPY_INLINE_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define MINPY_INLINE_LOOPS
#endif

constexpr int64_t kStagedElems = 4096;  // the padded plane, on the stack

// The padded plane: input rows [-ph, Hp - ph) and columns [-pw, Wp - pw), exactly what the taps
// read. Its geometry is held by value: the kernels' stores (memcpy-based) could otherwise alias a
// ConvGeom behind a reference, and every field would be reloaded after every row.
struct Padded {
  int64_t H, W, Ho, Wo, KH, KW, sh, sw, dh, dw, ph, pw;
  int64_t Hp, Wp;
  explicit Padded(const ConvGeom& g)
      : H(g.H), W(g.W), Ho(g.Ho), Wo(g.Wo), KH(g.KH), KW(g.KW), sh(g.sh), sw(g.sw), dh(g.dh), dw(g.dw), ph(g.ph),
        pw(g.pw), Hp((g.Ho - 1) * g.sh + (g.KH - 1) * g.dh + 1), Wp((g.Wo - 1) * g.sw + (g.KW - 1) * g.dw + 1) {}
};
// Whether a tile of output rows [oh0, oh1) goes through the padded plane: whole images that fit.
inline bool use_staged(const Padded& p, int64_t oh0, int64_t oh1) {
  return oh0 == 0 && oh1 == p.Ho && p.Hp * p.Wp <= kStagedElems;
}

// Short rows move in fixed-size blocks, which compile to a vector load and store each (a loop with
// a run-time trip count of 8 spends more on its set-up than on the move). A copy's last block may
// overlap the one before it: it writes the same values again.
template <int K, class T>
inline void move_block(T* __restrict dst, const T* __restrict src) {
  std::memcpy(dst, src, K * sizeof(T));
}
template <class T>
MINPY_INLINE_LOOPS inline void copy_row(T* __restrict dst, const T* __restrict src, int64_t n) {
  if (n >= 8) {
    for (int64_t i = 0; i + 8 < n; i += 8) move_block<8>(dst + i, src + i);
    move_block<8>(dst + n - 8, src + n - 8);
  } else if (n >= 4) {
    move_block<4>(dst, src);
    move_block<4>(dst + n - 4, src + n - 4);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}
template <class T>
MINPY_INLINE_LOOPS inline void add_row(T* __restrict dst, const T* __restrict src, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) dst[i + j] += src[i + j];
  for (; i < n; ++i) dst[i] += src[i];
}

// Unfolds a whole channel plane (H, W) through the padded buffer into its KH*KW rows (row stride ld).
template <class T>
MINPY_INLINE_LOOPS void im2col_staged(const T* xp, T* col, int64_t ld, const Padded p) {
  alignas(64) T buf[kStagedElems];
  const int64_t c_lo = std::min(p.pw, p.Wp), c_hi = std::min(p.pw + p.W, p.Wp);  // padded columns holding x
  for (int64_t pr = 0; pr < p.Hp; ++pr) {
    T* dst = buf + pr * p.Wp;
    const int64_t r = pr - p.ph;
    if (r < 0 || r >= p.H) {
      for (int64_t pc = 0; pc < p.Wp; ++pc) dst[pc] = T(0);
      continue;
    }
    for (int64_t pc = 0; pc < c_lo; ++pc) dst[pc] = T(0);
    copy_row(dst + c_lo, xp + r * p.W + c_lo - p.pw, c_hi - c_lo);
    for (int64_t pc = c_hi; pc < p.Wp; ++pc) dst[pc] = T(0);
  }
  const int64_t step = p.sh * p.Wp;  // buffer offset from one output row to the next
  for (int64_t ki = 0; ki < p.KH; ++ki)
    for (int64_t kj = 0; kj < p.KW; ++kj) {
      T* d = col + (ki * p.KW + kj) * ld;
      const T* s = buf + ki * p.dh * p.Wp + kj * p.dw;
      if (p.sw == 1) {
        for (int64_t oh = 0; oh < p.Ho; ++oh, d += p.Wo, s += step) copy_row(d, s, p.Wo);
      } else {
        for (int64_t oh = 0; oh < p.Ho; ++oh, d += p.Wo, s += step)
          for (int64_t ow = 0; ow < p.Wo; ++ow) d[ow] = s[ow * p.sw];
      }
    }
}

// Folds a whole channel's column rows into the padded buffer, then writes the plane (H, W) of dx
// (overwriting: positions no tap reads get 0).
template <class T>
MINPY_INLINE_LOOPS void col2im_staged(const T* col, int64_t ld, T* dxp, const Padded p) {
  alignas(64) T buf[kStagedElems];
  for (int64_t i = 0; i < p.Hp * p.Wp; ++i) buf[i] = T(0);
  const int64_t step = p.sh * p.Wp;
  for (int64_t ki = 0; ki < p.KH; ++ki)
    for (int64_t kj = 0; kj < p.KW; ++kj) {
      const T* s = col + (ki * p.KW + kj) * ld;
      T* d = buf + ki * p.dh * p.Wp + kj * p.dw;
      if (p.sw == 1) {
        for (int64_t oh = 0; oh < p.Ho; ++oh, s += p.Wo, d += step) add_row(d, s, p.Wo);
      } else {
        for (int64_t oh = 0; oh < p.Ho; ++oh, s += p.Wo, d += step)
          for (int64_t ow = 0; ow < p.Wo; ++ow) d[ow * p.sw] += s[ow];
      }
    }
  const int64_t c_hi = std::clamp<int64_t>(p.Wp - p.pw, 0, p.W);  // plane columns [0, c_hi) lie in the buffer
  for (int64_t r = 0; r < p.H; ++r) {
    T* dst = dxp + r * p.W;
    const int64_t pr = r + p.ph;
    int64_t c = 0;
    if (pr < p.Hp) {
      copy_row(dst, buf + pr * p.Wp + p.pw, c_hi);
      c = c_hi;
    }
    for (; c < p.W; ++c) dst[c] = T(0);
  }
}

struct Dims {
  int64_t P, KK, Cg, Fg, Kg, Kc;
  explicit Dims(const ConvGeom& g)
      : P(g.Ho * g.Wo), KK(g.KH * g.KW), Cg(g.C / g.groups), Fg(g.F / g.groups), Kg(Cg * KK), Kc(g.C * KK) {}
};

// The work is cut into tiles whose column matrix is about kColTarget elements: several whole samples
// when an image is small, or a band of output rows of one sample when it is large. Tiles form tasks
// that touch disjoint samples: one tile of whole images, or all the bands of one image (the bands of
// an image overlap in dx). With at least two tasks per thread, threads take whole tasks ("outer"): each
// thread unfolds into its own L2-sized buffer and runs single-threaded products, and no parallel region
// is entered per tile. Otherwise the tiles run in order, each one parallel inside, sized for all the
// threads together.
struct Tiling {
  int64_t samples;  // samples per tile (> 1 only with whole images)
  int64_t rows;     // output rows per tile
  int64_t tasks;
  bool outer;
  int64_t parts = 1, per_part = 0;  // outer: contiguous runs of tasks, one thread each
  Tiling(const ConvGeom& g, const Dims& d, int64_t itemsize) {
    const int threads = in_parallel_region() ? 1 : std::max(1, num_threads());
    plan(g, d, itemsize, 1);
    if (threads > 1 && samples > 1 && tasks >= 2 * threads && tasks < 4 * threads) {
      // Few tiles of several small images for the threads to own: smaller ones, shared out evenly
      // (64 samples of 4x4 made 5 tiles: 3 on one thread, 2 on the other).
      samples = std::max<int64_t>(1, (g.N + 4 * threads - 1) / (4 * threads));
      tasks = (g.N + samples - 1) / samples;
    }
    outer = threads > 1 && tasks >= 2 * threads;
    if (!outer) {
      plan(g, d, itemsize, threads);
      per_part = tasks;
      return;
    }
    per_part = (tasks + 4 * threads - 1) / (4 * threads);  // a few parts per thread balance the load
    parts = (tasks + per_part - 1) / per_part;
  }
  void plan(const ConvGeom& g, const Dims& d, int64_t itemsize, int sharing) {
    const int64_t kColTarget = kTileBytesPerThread * sharing / itemsize;
    const int64_t per_row = std::max<int64_t>(1, d.Kc * g.Wo);
    const int64_t per_sample = per_row * std::max<int64_t>(1, g.Ho);
    if (per_sample <= kColTarget) {
      samples = std::min(kColTarget / per_sample, std::max<int64_t>(1, blas::kMaxDim / std::max<int64_t>(1, d.P)));
      samples = std::max<int64_t>(1, std::min(samples, g.N));
      rows = g.Ho;
    } else {
      samples = 1;
      rows = std::clamp<int64_t>(kColTarget / per_row, 1, g.Ho);
    }
    tasks = (g.N + samples - 1) / samples;
  }
  int64_t max_cols(const ConvGeom& g) const { return samples * rows * g.Wo; }
};

// Visits every tile: f(part, n0, nb, oh0, oh1). The tiles of a part run in order on one thread.
template <class F>
void for_tiles(const ConvGeom& g, const Tiling& t, F&& f) {
  auto run_part = [&](int64_t part) {
    const int64_t end = std::min(t.tasks, (part + 1) * t.per_part);
    for (int64_t task = part * t.per_part; task < end; ++task) {
      const int64_t n0 = task * t.samples, nb = std::min(t.samples, g.N - n0);
      for (int64_t oh0 = 0; oh0 < g.Ho; oh0 += t.rows) f(part, n0, nb, oh0, std::min(g.Ho, oh0 + t.rows));
    }
  };
  if (!t.outer) return run_part(0);
  parallel_for(t.parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) run_part(p);
  });
}

// Unfolds the tile into col (row stride cols = nb * (oh1 - oh0) * Wo).
template <class T>
void unfold_tile(const ConvGeom& g, const Dims& d, const T* x, int64_t n0, int64_t nb, int64_t oh0, int64_t oh1,
                 T* col) {
  const int64_t pt = (oh1 - oh0) * g.Wo, ld = nb * pt, HW = g.H * g.W;
  const Padded pp(g);
  const bool staged = use_staged(pp, oh0, oh1);
  parallel_for(nb * g.C, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, d.KK * pt)), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t bi = i / g.C, c = i % g.C;
      const T* xp = x + ((n0 + bi) * g.C + c) * HW;
      T* dst = col + c * d.KK * ld + bi * pt;
      if (staged) im2col_staged(xp, dst, ld, pp);
      else im2col_channel(xp, dst, ld, g, oh0, oh1);
    }
  });
}

template <class T>
void conv_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  const Dims d(g);
  const DType t = dtype_of<T>::value;
  if (g.N == 0 || g.F == 0 || d.P == 0) return;
  if (d.Kg == 0) {  // no input channels: the bias alone
    parallel_for(g.N * g.F, std::max<int64_t>(1, kGrain / d.P), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) std::fill(y + i * d.P, y + (i + 1) * d.P, b ? b[i % g.F] : T(0));
    });
    return;
  }
  const Tiling tl(g, d, sizeof(T));
  const int64_t mc = tl.max_cols(g);
  const size_t scratch = sizeof(T) * static_cast<size_t>(d.Kc * mc + (tl.samples > 1 ? g.F * mc : 0));
  for_tiles(g, tl, [&](int64_t, int64_t n0, int64_t nb, int64_t oh0, int64_t oh1) {
    Workspace ws(scratch);  // the thread's own buffer, kept across calls
    T* col = ws.as<T>();
    T* tmp = col + d.Kc * mc;
    const int64_t pt = (oh1 - oh0) * g.Wo, ld = nb * pt;
    unfold_tile(g, d, x, n0, nb, oh0, oh1, col);
    // One sample: the product writes the band of the sample's NCHW block itself (row stride P).
    T* out = nb == 1 ? y + n0 * g.F * d.P + oh0 * g.Wo : tmp;
    const int64_t ldo = nb == 1 ? d.P : ld;
    for (int64_t grp = 0; grp < g.groups; ++grp)
      blas::gemm(t, false, false, d.Fg, ld, d.Kg, w + grp * d.Fg * d.Kg, d.Kg, col + grp * d.Kg * ld, ld,
                 out + grp * d.Fg * ldo, ldo);
    if (nb == 1 && !b) return;
    parallel_for(nb * g.F, std::max<int64_t>(1, kGrain / pt), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t bi = i / g.F, f = i % g.F;
        T* dst = y + ((n0 + bi) * g.F + f) * d.P + oh0 * g.Wo;
        const T bv = b ? b[f] : T(0);
        if (nb == 1) {
          for (int64_t p = 0; p < pt; ++p) dst[p] += bv;
        } else {
          const T* src = tmp + f * ld + bi * pt;
          for (int64_t p = 0; p < pt; ++p) dst[p] = src[p] + bv;
        }
      }
    });
  });
}

template <class T>
void conv_backward(const ConvGeom& g, const T* gy, const T* x, const T* w, T* dx, T* dw, T* db) {
  const Dims d(g);
  const DType t = dtype_of<T>::value;
  if (db) {  // sum over samples and positions; float32 accumulates in double
    using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;
    parallel_for(g.F, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, g.N * d.P)), [&](int64_t f0, int64_t f1) {
      for (int64_t f = f0; f < f1; ++f) {
        Acc s = 0;
        for (int64_t n = 0; n < g.N; ++n) {
          const T* p = gy + (n * g.F + f) * d.P;
          // Eight running sums (one vector), not one: a single chain of dependent adds is
          // latency-bound, 4x slower.
          T lanes[8] = {};
          int64_t k = 0;
          for (; k + 8 <= d.P; k += 8)
            for (int j = 0; j < 8; ++j) lanes[j] += p[k + j];
          T part = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
          for (; k < d.P; ++k) part += p[k];
          s += part;
        }
        db[f] = static_cast<T>(s);
      }
    });
  }
  if (!dx && !dw) return;
  if (g.N == 0 || g.F == 0 || d.Kg == 0) {  // empty products: zero gradients
    const int64_t nx = g.N * g.C * g.H * g.W, nw = g.F * d.Kg;
    if (dx && nx > 0) std::memset(dx, 0, sizeof(T) * static_cast<size_t>(nx));
    if (dw && nw > 0) std::memset(dw, 0, sizeof(T) * static_cast<size_t>(nw));
    return;
  }
  const Tiling tl(g, d, sizeof(T));
  const int64_t mc = tl.max_cols(g);
  const int64_t HW = g.H * g.W;
  // dw: part 0 accumulates into dw itself, every other part into its own buffer, summed at the end.
  const int64_t nw = g.F * d.Kg;
  // Scratch: the column matrix, gy of a tile as (F, cols) and as (cols, F), one tile's dW^T.
  const size_t scratch = sizeof(T) * static_cast<size_t>(d.Kc * mc + 2 * g.F * mc + nw);
  std::vector<T> partial(dw ? static_cast<size_t>((tl.parts - 1) * nw) : 0);
  std::vector<char> first(static_cast<size_t>(tl.parts), 1);
  for_tiles(g, tl, [&](int64_t part, int64_t n0, int64_t nb, int64_t oh0, int64_t oh1) {
    Workspace ws(scratch);
    T* col = ws.as<T>();
    T* gyt = col + d.Kc * mc;
    const int64_t pt = (oh1 - oh0) * g.Wo, ld = nb * pt;
    // gy of the tile as (F, ld): the band of one sample in place (row stride P), or several
    // samples gathered into the forward product's layout.
    const T* gc = gy + n0 * g.F * d.P + oh0 * g.Wo;
    int64_t ldg = d.P;
    // With threads owning tiles of whole images, gy also as (cols, F) (see dW below).
    T* gyT = dw && tl.outer && nb > 1 ? gyt + g.F * mc : nullptr;
    if (nb > 1) {
      parallel_for(nb * g.F, std::max<int64_t>(1, kGrain / pt), [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t bi = i / g.F, f = i % g.F;
          const T* src = gy + ((n0 + bi) * g.F + f) * d.P;
          copy_row(gyt + f * ld + bi * pt, src, pt);
          if (gyT)
            for (int64_t p = 0; p < pt; ++p) gyT[(bi * pt + p) * g.F + f] = src[p];
        }
      });
      gc = gyt;
      ldg = ld;
    }
    if (dw) {
      unfold_tile(g, d, x, n0, nb, oh0, oh1, col);
      T* dwp = part == 0 ? dw : partial.data() + (part - 1) * nw;
      if (gyT) {
        // dW_g^T (Kg, Fg) = col_g @ gy_g^T for the small products of whole small images. Computed
        // as gy_g @ col_g^T accumulating (beta = 1), it ran in OpenBLAS's general kernel, packing
        // both operands on every tile (a third of the backward); from gy transposed and with
        // beta = 0 it runs in the small-matrix kernel. The tile's dW is then added, transposed back.
        T* dwt = gyT + g.F * mc;
        for (int64_t grp = 0; grp < g.groups; ++grp)
          blas::gemm(t, false, false, d.Kg, d.Fg, ld, col + grp * d.Kg * ld, ld, gyT + grp * d.Fg, g.F,
                     dwt + grp * d.Fg * d.Kg, d.Fg);
        for (int64_t grp = 0; grp < g.groups; ++grp) {
          T* dst = dwp + grp * d.Fg * d.Kg;
          const T* src = dwt + grp * d.Fg * d.Kg;
          for (int64_t f = 0; f < d.Fg; ++f)
            for (int64_t k = 0; k < d.Kg; ++k)
              dst[f * d.Kg + k] = (first[part] ? T(0) : dst[f * d.Kg + k]) + src[k * d.Fg + f];
        }
      } else {
        for (int64_t grp = 0; grp < g.groups; ++grp)
          blas::gemm(t, false, true, d.Fg, d.Kg, ld, gc + grp * d.Fg * ldg, ldg, col + grp * d.Kg * ld, ld,
                     dwp + grp * d.Fg * d.Kg, d.Kg, first[part] ? 0.0 : 1.0);
      }
      first[part] = 0;
    }
    if (dx) {
      for (int64_t grp = 0; grp < g.groups; ++grp)
        blas::gemm(t, true, false, d.Kg, ld, d.Fg, w + grp * d.Fg * d.Kg, d.Kg, gc + grp * d.Fg * ldg, ldg,
                   col + grp * d.Kg * ld, ld);
      const Padded pp(g);
      const bool staged = use_staged(pp, oh0, oh1);
      parallel_for(nb * g.C, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, d.KK * pt)), [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t bi = i / g.C, c = i % g.C;
          T* plane = dx + ((n0 + bi) * g.C + c) * HW;
          T* cc = col + c * d.KK * ld + bi * pt;
          if (staged) {
            col2im_staged(cc, ld, plane, pp);
            continue;
          }
          if (oh0 == 0) std::memset(plane, 0, sizeof(T) * HW);
          col2im_channel(cc, ld, plane, g, oh0, oh1);
        }
      });
    }
  });
  if (dw)  // parts in order: the same sum for the same thread count
    for (int64_t p = 1; p < tl.parts; ++p) {
      const T* src = partial.data() + (p - 1) * nw;
      for (int64_t i = 0; i < nw; ++i) dw[i] += src[i];
    }
}


// ---- pooling ----
// Planes (n, c) are independent: threads split them.
template <class F>
void for_planes(const PoolGeom& g, F&& body) {
  const int64_t work = std::max<int64_t>(1, g.Ho * g.Wo * g.KH * g.KW);
  parallel_for(g.N * g.C, std::max<int64_t>(1, kGrain / work), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) body(p);
  });
}

// One output row of a max pool: the maxima tap by tap (window row, window column) over the whole
// row: branch-free updates over contiguous outputs, not a short unpredictable scan per window (3-10x
// faster on 2x2 pools). With positions, a second pass over the taps in reverse order records the
// last tap (so, the first in window order) equal to the maximum, or that is NaN when the maximum is
// NaN; its updates are independent across the row, unlike a running (max, position) pair.
// Dilated is a template parameter so that the undilated pool compiles to the same loops as before
// dilation existed (measured: a runtime dilation changed the vectorisation and cost 5-10% there).
template <bool Dilated, class T>
inline void max_row(const PoolGeom& g, const T* xp, int64_t oh, T* __restrict yr, int64_t* __restrict ir) {
  const int64_t Wo = g.Wo;
  const int64_t dh = Dilated ? g.dh : 1, dw = Dilated ? g.dw : 1;
  std::fill(yr, yr + Wo, -std::numeric_limits<T>::infinity());
  for (int64_t ki = 0; ki < g.KH; ++ki) {
    const int64_t ih = oh * g.sh - g.ph + ki * dh;
    if (ih < 0 || ih >= g.H) continue;
    const T* __restrict xr = xp + ih * g.W;
    for (int64_t kj = 0; kj < g.KW; ++kj) {
      int64_t lo, hi;
      const int64_t woff = kj * dw - g.pw;
      valid_range(woff, g.sw, g.W, Wo, lo, hi);
      for (int64_t ow = lo; ow < hi; ++ow) {
        const T v = xr[ow * g.sw + woff], best = yr[ow];
        yr[ow] = ((v > best) | (v != v)) ? v : best;  // a NaN wins and stays
      }
    }
  }
  if (!ir) return;
  if (Dilated) std::fill(ir, ir + Wo, int64_t(-1));  // windows no tap reaches (see PoolGeom)
  for (int64_t ki = g.KH - 1; ki >= 0; --ki) {
    const int64_t ih = oh * g.sh - g.ph + ki * dh;
    if (ih < 0 || ih >= g.H) continue;
    const T* __restrict xr = xp + ih * g.W;
    for (int64_t kj = g.KW - 1; kj >= 0; --kj) {
      int64_t lo, hi;
      const int64_t woff = kj * dw - g.pw;
      valid_range(woff, g.sw, g.W, Wo, lo, hi);
      for (int64_t ow = lo; ow < hi; ++ow) {
        const int64_t iw = ow * g.sw + woff;
        const T v = xr[iw];
        ir[ow] = ((v == yr[ow]) | (v != v)) ? ih * g.W + iw : ir[ow];
      }
    }
  }
}

// Dilated (a compile-time flag here too): the planes' loops of the undilated pool stay as they were.
template <bool Dilated, class T>
void max_forward_planes(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  const int64_t HW = g.H * g.W, P = g.Ho * g.Wo;
  for_planes(g, [&](int64_t pl) {
    for (int64_t oh = 0; oh < g.Ho; ++oh)
      max_row<Dilated>(g, x + pl * HW, oh, y + pl * P + oh * g.Wo, idx ? idx + pl * P + oh * g.Wo : nullptr);
  });
}

// The 2x2 stride-2 pool without padding (the nets' pool) by output rows, the four taps of a window
// together: on small planes the tap-by-tap rows of max_row are a few elements long, and their set-up
// cost 10x the work (92 us for 64x32x4x4 float64). The same result: the first maximum in window
// order, a NaN counting as the maximum (the first NaN wins).
inline bool is_plain_2x2(const PoolGeom& g) {
  return g.KH == 2 && g.KW == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 &&
         2 * g.Ho <= g.H && 2 * g.Wo <= g.W;
}
// take ? v : m as a bit blend: GCC compiles a float select into branches where it does not
// vectorise (the short rows of small images), and random data mispredicts them (measured 10x).
template <class T>
inline T pick(bool take, T v, T m) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  const U mask = U(0) - U(take);
  return std::bit_cast<T>((std::bit_cast<U>(v) & mask) | (std::bit_cast<U>(m) & ~mask));
}

// One output row: windows (r0[2j], r0[2j+1], r1[2j], r1[2j+1]) in that order; k is the position of
// r0[0] in the plane. The maxima (a NaN wins), then the positions in reverse tap order (the first
// tap equal to the maximum, or the first NaN), as max_row does. kWo: the row length when known at
// compile time (the 8x8 and 4x4 digits planes), so that rows shorter than a vector still vectorise.
template <int kWo, class T>
inline void max_row_2x2(const T* __restrict r0, const T* __restrict r1, int64_t k, int64_t W, int64_t row,
                        T* __restrict y, int64_t* __restrict idx) {
  const int64_t Wo = kWo ? kWo : row;
  auto wins = [](T v, T m) { return (v > m) | (v != v); };
  for (int64_t j = 0; j < Wo; ++j) {
    T m = r0[2 * j];
    m = pick(wins(r0[2 * j + 1], m), r0[2 * j + 1], m);
    m = pick(wins(r1[2 * j], m), r1[2 * j], m);
    m = pick(wins(r1[2 * j + 1], m), r1[2 * j + 1], m);
    y[j] = m;
  }
  if (!idx) return;
  auto first = [](T v, T m) { return (v == m) | (v != v); };
  for (int64_t j = 0; j < Wo; ++j) {
    const T m = y[j];
    int64_t at = k + W + 2 * j + 1;
    at = pick(first(r1[2 * j], m), k + W + 2 * j, at);
    at = pick(first(r0[2 * j + 1], m), k + 2 * j + 1, at);
    at = pick(first(r0[2 * j], m), k + 2 * j, at);
    idx[j] = at;
  }
}
template <class T>
void max_forward_2x2(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  const int64_t W = g.W, Ho = g.Ho, Wo = g.Wo, HW = g.H * g.W, P = Ho * Wo;
  auto planes = [=](auto row_kernel) {
    for_planes(g, [=](int64_t pl) {
      const T* xp = x + pl * HW;
      for (int64_t oh = 0; oh < Ho; ++oh) {
        const int64_t k = 2 * oh * W;
        row_kernel(xp + k, xp + k + W, k, W, Wo, y + pl * P + oh * Wo, idx ? idx + pl * P + oh * Wo : nullptr);
      }
    });
  };
  if (Wo == 2) planes(max_row_2x2<2, T>);
  else if (Wo == 4) planes(max_row_2x2<4, T>);
  else planes(max_row_2x2<0, T>);
}

template <class T>
void max_forward(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  if (is_plain_2x2(g)) max_forward_2x2(g, x, y, idx);
  else if (may_have_empty_windows(g)) max_forward_planes<true>(g, x, y, idx);
  else max_forward_planes<false>(g, x, y, idx);
}

// Holes: positions may be -1 (dilated geometries only): the scatter skips them, the gather reads 0.
template <bool Holes, class T>
void max_scatter_planes(const PoolGeom& g, const T* gy, const int64_t* idx, T* dx) {
  const int64_t HW = g.H * g.W, P = g.Ho * g.Wo;
  const int64_t work = std::max<int64_t>(1, HW + P);
  parallel_for(g.N * g.C, std::max<int64_t>(1, kGrain / work), [&](int64_t p0, int64_t p1) {
    std::memset(dx + p0 * HW, 0, sizeof(T) * (p1 - p0) * HW);  // one call for all the part's planes
    for (int64_t pl = p0; pl < p1; ++pl) {
      T* dp = dx + pl * HW;
      const T* gp = gy + pl * P;
      const int64_t* ip = idx + pl * P;
      for (int64_t o = 0; o < P; ++o)
        if (!Holes || ip[o] >= 0) dp[ip[o]] += gp[o];
    }
  });
}

template <class T>
void max_scatter(const PoolGeom& g, const T* gy, const int64_t* idx, T* dx) {
  if (may_have_empty_windows(g)) max_scatter_planes<true>(g, gy, idx, dx);
  else max_scatter_planes<false>(g, gy, idx, dx);
}

template <bool Holes, class T>
void max_gather_planes(const PoolGeom& g, const T* c, const int64_t* idx, T* out) {
  const int64_t HW = g.H * g.W, P = g.Ho * g.Wo;
  for_planes(g, [&](int64_t pl) {
    const T* cp = c + pl * HW;
    T* op = out + pl * P;
    const int64_t* ip = idx + pl * P;
    for (int64_t o = 0; o < P; ++o) op[o] = !Holes || ip[o] >= 0 ? cp[ip[o]] : T(0);
  });
}

template <class T>
void max_gather(const PoolGeom& g, const T* c, const int64_t* idx, T* out) {
  if (may_have_empty_windows(g)) max_gather_planes<true>(g, c, idx, out);
  else max_gather_planes<false>(g, c, idx, out);
}

// The divisor of avg windows along one axis, per output position: PyTorch's (the window clipped to
// the padded input with count_include_pad, else to the input). Returns whether every window has
// the full count k (then one reciprocal serves all outputs, the default path).
inline bool avg_counts(int64_t out, int64_t k, int64_t s, int64_t p, int64_t n, bool include_pad,
                       std::vector<int64_t>& cnt) {
  cnt.resize(static_cast<size_t>(out));
  bool full = true;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - p, end = std::min(start + k, n + p);
    cnt[o] = include_pad ? end - start : std::min(end, n) - std::max<int64_t>(start, 0);
    full = full && cnt[o] == k;
  }
  return full;
}

// The per-output divisors of an avg pool: uniform (KH * KW everywhere) or rows[oh] * cols[ow].
struct AvgDivisors {
  std::vector<int64_t> rows, cols;
  bool uniform;
  explicit AvgDivisors(const PoolGeom& g) {
    const bool fr = avg_counts(g.Ho, g.KH, g.sh, g.ph, g.H, g.count_include_pad, rows);
    const bool fc = avg_counts(g.Wo, g.KW, g.sw, g.pw, g.W, g.count_include_pad, cols);
    uniform = fr && fc;
  }
  // The divisor of output (oh, ow) in T (a window without input elements divides 0 by 1: 0).
  template <class T>
  T at(int64_t oh, int64_t ow) const {
    const int64_t d = rows[oh] * cols[ow];
    return d > 0 ? static_cast<T>(d) : T(1);
  }
};

template <class T>
void avg_forward(const PoolGeom& g, const T* x, T* y) {
  const int64_t HW = g.H * g.W, P = g.Ho * g.Wo, Wo = g.Wo;
  const AvgDivisors dv(g);
  const T inv = T(1) / static_cast<T>(g.KH * g.KW);
  for_planes(g, [&](int64_t pl) {
    const T* xp = x + pl * HW;
    for (int64_t oh = 0; oh < g.Ho; ++oh) {
      T* yr = y + pl * P + oh * Wo;
      std::fill(yr, yr + Wo, T(0));
      for (int64_t ki = 0; ki < g.KH; ++ki) {
        const int64_t ih = oh * g.sh - g.ph + ki;
        if (ih < 0 || ih >= g.H) continue;
        const T* xr = xp + ih * g.W;
        for (int64_t kj = 0; kj < g.KW; ++kj) {
          int64_t lo, hi;
          const int64_t woff = kj - g.pw;
          valid_range(woff, g.sw, g.W, Wo, lo, hi);
          for (int64_t ow = lo; ow < hi; ++ow) yr[ow] += xr[ow * g.sw + woff];
        }
      }
      if (dv.uniform) {
        for (int64_t ow = 0; ow < Wo; ++ow) yr[ow] *= inv;
      } else {  // divided, as PyTorch does, by the window's own count
        for (int64_t ow = 0; ow < Wo; ++ow) yr[ow] /= dv.at<T>(oh, ow);
      }
    }
  });
}

template <class T>
void avg_backward(const PoolGeom& g, const T* gy, T* dx) {
  const int64_t HW = g.H * g.W, P = g.Ho * g.Wo, Wo = g.Wo;
  const AvgDivisors dv(g);
  const T inv = dv.uniform ? T(1) / static_cast<T>(g.KH * g.KW) : T(1);
  for_planes(g, [&](int64_t pl) {
    T* dp = dx + pl * HW;
    std::memset(dp, 0, sizeof(T) * HW);
    std::vector<T> scaled(dv.uniform ? 0 : static_cast<size_t>(Wo));
    for (int64_t oh = 0; oh < g.Ho; ++oh) {
      const T* gr = gy + pl * P + oh * Wo;
      if (!dv.uniform) {  // each output's share gy / count, then spread with weight 1
        for (int64_t ow = 0; ow < Wo; ++ow) scaled[ow] = gr[ow] / dv.at<T>(oh, ow);
        gr = scaled.data();
      }
      for (int64_t ki = 0; ki < g.KH; ++ki) {
        const int64_t ih = oh * g.sh - g.ph + ki;
        if (ih < 0 || ih >= g.H) continue;
        T* dr = dp + ih * g.W;
        for (int64_t kj = 0; kj < g.KW; ++kj) {
          int64_t lo, hi;
          const int64_t woff = kj - g.pw;
          valid_range(woff, g.sw, g.W, Wo, lo, hi);
          for (int64_t ow = lo; ow < hi; ++ow) dr[ow * g.sw + woff] += gr[ow] * inv;
        }
      }
    }
  });
}


// float32 or float64 (the op layer computes float16 in float32).
template <class F>
void visit_float(DType t, F&& f) {
  if (t == DType::Float32) f(float{});
  else f(double{});
}

}  // namespace

void conv2d_forward(DType t, const ConvGeom& g, const void* x, const void* w, const void* b, void* y) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    conv_forward<T>(g, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(b), static_cast<T*>(y));
  });
}

void conv2d_backward(DType t, const ConvGeom& g, const void* gy, const void* x, const void* w, void* dx, void* dw,
                     void* db) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    conv_backward<T>(g, static_cast<const T*>(gy), static_cast<const T*>(x), static_cast<const T*>(w),
                     static_cast<T*>(dx), static_cast<T*>(dw), static_cast<T*>(db));
  });
}

void max_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y, int64_t* idx) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    max_forward<T>(g, static_cast<const T*>(x), static_cast<T*>(y), idx);
  });
}

void max_pool2d_scatter(DType t, const PoolGeom& g, const void* gy, const int64_t* idx, void* dx) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    max_scatter<T>(g, static_cast<const T*>(gy), idx, static_cast<T*>(dx));
  });
}

void max_pool2d_gather(DType t, const PoolGeom& g, const void* c, const int64_t* idx, void* out) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    max_gather<T>(g, static_cast<const T*>(c), idx, static_cast<T*>(out));
  });
}

void avg_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    avg_forward<T>(g, static_cast<const T*>(x), static_cast<T*>(y));
  });
}

void avg_pool2d_backward(DType t, const PoolGeom& g, const void* gy, void* dx) {
  visit_float(t, [&](auto v) {
    using T = decltype(v);
    avg_backward<T>(g, static_cast<const T*>(gy), static_cast<T*>(dx));
  });
}

}  // namespace minpy::cpu
