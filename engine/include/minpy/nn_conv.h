// Convolution and pooling on NCHW images (PyTorch's F.conv2d / max_pool2d / avg_pool2d semantics).
//
// Inputs are float32 or float64 and keep their dtype (float16 is computed in float32 and cast back;
// mixed float inputs are promoted); integer, bool and complex inputs raise TypeError. A 3-d input
// (C, H, W) is one unbatched image. Every op records its gradient on active tapes; the backward
// kernels are ops of their own (conv2d_grad_input/_weight, avg_pool2d_backward, max_pool2d_backward)
// that record in turn, so derivatives of any order work.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "minpy/array.h"

namespace minpy::nn {

using Pair = std::array<int64_t, 2>;

struct Conv2dOptions {
  Pair stride{1, 1};    // > 0
  Pair padding{0, 0};   // >= 0, zero padding
  Pair dilation{1, 1};  // > 0
  int64_t groups = 1;   // > 0, divides C and F
};

// x (N, C, H, W), weight (F, C / groups, KH, KW), bias (F,) or undefined -> (N, F, Ho, Wo) with
// Ho = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1 (ValueError when the kernel exceeds the padded input).
Array conv2d(const Array& x, const Array& weight, const Array& bias = {}, const Conv2dOptions& opt = {});
// The VJPs of conv2d: d(sum(gy * conv2d(x, w)))/dx for an input of shape x_shape, and .../dw for a
// weight of shape w_shape. Each is linear in both arguments and records itself.
Array conv2d_grad_input(const Array& gy, const Array& weight, const Shape& x_shape, const Conv2dOptions& opt = {});
Array conv2d_grad_weight(const Array& gy, const Array& x, const Shape& w_shape, const Conv2dOptions& opt = {});

struct Pool2dOptions {
  Pair kernel{1, 1};              // > 0
  std::optional<Pair> stride;     // > 0; defaults to kernel
  Pair padding{0, 0};             // >= 0 and at most half the kernel
  Pair dilation{1, 1};            // > 0; max_pool2d only (avg_pool2d requires (1, 1))
  bool ceil_mode = false;         // output length rounded up (PyTorch's rule, below)
  bool count_include_pad = true;  // avg_pool2d: zero padding counts in the divisor
};
// Output length per axis (PyTorch's pooling_output_shape): with e = d * (k - 1) + 1,
// (in + 2 * p - e) / s + 1 rounded down, or up with ceil_mode, in which case a last window that
// would start at or beyond in + p (in the right padding) is dropped. A result < 1 is a ValueError.
// With ceil_mode the last window may run past the padded input.

// Max over each window; padding never wins (PyTorch's -inf padding). Ties: the first maximum in
// row-major window order gets the gradient. A dilated window can miss the input entirely (all
// its taps in the padding): its output is -inf, its index -1, and it passes no gradient.
Array max_pool2d(const Array& x, const Pool2dOptions& opt);
// The pooled values and, per output, the flat position (h * W + w) of its maximum in the input
// plane (-1 for a window with no input element).
std::pair<Array, Array> max_pool2d_with_indices(const Array& x, const Pool2dOptions& opt);
// The VJP of max_pool2d: gy scattered (added) to the positions in `indices` (-1: dropped), shape x_shape.
Array max_pool2d_backward(const Array& gy, const Array& indices, const Shape& x_shape, const Pool2dOptions& opt);
// Mean over each window. The divisor is PyTorch's: with count_include_pad, the window clipped to
// the padded input (KH * KW except for ceil_mode's last windows); without, the number of input
// elements in the window.
Array avg_pool2d(const Array& x, const Pool2dOptions& opt);
Array avg_pool2d_backward(const Array& gy, const Shape& x_shape, const Pool2dOptions& opt);

}  // namespace minpy::nn
