// CPU kernels of the convolution/pooling family (minpy/nn_conv.h). The op layer validates shapes,
// dtypes (float32/float64 only here) and hands over C-contiguous host buffers.
#pragma once
#include <cstdint>

#include "minpy/dtype.h"

namespace minpy::cpu {

// One 2-d convolution: x (N, C, H, W), w (F, C / groups, KH, KW), y (N, F, Ho, Wo).
struct ConvGeom {
  int64_t N, C, H, W;
  int64_t F, KH, KW;
  int64_t Ho, Wo;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t groups;
};

// y = conv(x, w) + b (b may be null).
void conv2d_forward(DType t, const ConvGeom& g, const void* x, const void* w, const void* b, void* y);
// The gradients of sum(gy * conv(x, w) + b) that are asked for (non-null): dx needs w, dw needs x.
// All outputs are overwritten.
void conv2d_backward(DType t, const ConvGeom& g, const void* gy, const void* x, const void* w, void* dx, void* dw,
                     void* db);

// One 2-d pooling window geometry: x (N, C, H, W), y (N, C, Ho, Wo); window (oh, ow) has taps
// (oh * sh - ph + ki * dh, ow * sw - pw + kj * dw). Without dilation every window holds at least
// one element of x (padding is at most half the kernel, and ceil_mode's last window starts inside
// the input); a dilated one may hold none.
struct PoolGeom {
  int64_t N, C, H, W;
  int64_t KH, KW;
  int64_t Ho, Wo;
  int64_t sh, sw, ph, pw;
  int64_t dh, dw;
  bool count_include_pad;  // avg: the divisor counts padding (clipped to the padded input)
};
// Only dilation leaves windows without an input element (their max-pool index is -1).
inline bool may_have_empty_windows(const PoolGeom& g) { return g.dh > 1 || g.dw > 1; }

// y = max over each window (padding never wins); idx (may be null) gets the position in the
// (H, W) plane of the first maximum (a NaN counts as the maximum), or -1 (y = -inf) for a window
// with no element of x.
void max_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y, int64_t* idx);
// dx = 0, then dx[plane + idx] += gy for every output with idx >= 0 (the max-pool VJP).
void max_pool2d_scatter(DType t, const PoolGeom& g, const void* gy, const int64_t* idx, void* dx);
// out[o] = c[plane + idx[o]], or 0 where idx[o] < 0 (the VJP of the scatter).
void max_pool2d_gather(DType t, const PoolGeom& g, const void* c, const int64_t* idx, void* out);
// y = sum over each window / its divisor (PyTorch's: see count_include_pad).
void avg_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y);
// dx = the VJP of avg_pool2d_forward at gy.
void avg_pool2d_backward(DType t, const PoolGeom& g, const void* gy, void* dx);

}  // namespace minpy::cpu
