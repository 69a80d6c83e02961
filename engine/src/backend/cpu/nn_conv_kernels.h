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

// One 2-d pooling window geometry: x (N, C, H, W), y (N, C, Ho, Wo). Every window holds at least
// one element of x (padding is at most half the kernel).
struct PoolGeom {
  int64_t N, C, H, W;
  int64_t KH, KW;
  int64_t Ho, Wo;
  int64_t sh, sw, ph, pw;
};

// y = max over each window (padding never wins); idx (may be null) gets the position in the
// (H, W) plane of the first maximum (a NaN counts as the maximum).
void max_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y, int64_t* idx);
// dx = 0, then dx[plane + idx] += gy for every output (the max-pool VJP).
void max_pool2d_scatter(DType t, const PoolGeom& g, const void* gy, const int64_t* idx, void* dx);
// out[o] = c[plane + idx[o]] (the VJP of the scatter).
void max_pool2d_gather(DType t, const PoolGeom& g, const void* c, const int64_t* idx, void* out);
// y = sum over each window / (KH * KW) (zero padding counted in the divisor).
void avg_pool2d_forward(DType t, const PoolGeom& g, const void* x, void* y);
// dx = the VJP of avg_pool2d_forward at gy.
void avg_pool2d_backward(DType t, const PoolGeom& g, const void* gy, void* dx);

}  // namespace minpy::cpu
