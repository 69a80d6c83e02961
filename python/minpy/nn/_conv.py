"""conv2d and pooling (native): PyTorch's F.conv2d / max_pool2d / avg_pool2d on NCHW images.

float32 and float64 are computed natively and keep their dtype; float16 is computed in float32 and
cast back; integer, bool and complex inputs raise TypeError. A 3-d input (C, H, W) is one unbatched
image. Every op is differentiable with minpy.core.grad (native backward kernels, any order).
"""
import numbers

from numpy import bool_ as _np_bool

from minpy import _core

__all__ = ["conv2d", "max_pool2d", "avg_pool2d"]


def _pair(value, name, op):
    """An int or a pair of ints as a tuple of two Python ints (TypeError otherwise)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"[{op}] {name} must be an int or a pair of ints, got {value!r}.")


def _int(value, name, op):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise TypeError(f"[{op}] {name} must be an int, got {value!r}.")


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation: x (N, C, H, W), weight (F, C // groups, KH, KW), bias (F,) or None
    -> (N, F, Ho, Wo), Ho = (H + 2*ph - dh*(KH-1) - 1) // sh + 1. Zero padding."""
    sh, sw = _pair(stride, "stride", "conv2d")
    ph, pw = _pair(padding, "padding", "conv2d")
    dh, dw = _pair(dilation, "dilation", "conv2d")
    return _core._nn_conv2d(x, weight, bias, sh, sw, ph, pw, dh, dw, _int(groups, "groups", "conv2d"))


def _bool(value, name, op):
    """A bool (PyTorch's parsers take no other type: not even 0/1)."""
    if isinstance(value, (bool, _np_bool)):
        return bool(value)
    raise TypeError(f"[{op}] {name} must be a bool, got {value!r}.")


def _pool_args(kernel_size, stride, padding, op):
    kh, kw = _pair(kernel_size, "kernel_size", op)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", op)
    ph, pw = _pair(padding, "padding", op)
    return kh, kw, sh, sw, ph, pw


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max over each window (stride defaults to kernel_size; padding is -inf padding, at most half
    the kernel; window taps `dilation` apart). ceil_mode rounds the output size up as PyTorch does
    (a last window that would start in the right padding is dropped). The gradient goes to the first
    maximum of each window; a dilated window holding no input element gives -inf and no gradient."""
    dh, dw = _pair(dilation, "dilation", "max_pool2d")
    return _core._nn_max_pool2d(x, *_pool_args(kernel_size, stride, padding, "max_pool2d"), dh, dw,
                                _bool(ceil_mode, "ceil_mode", "max_pool2d"))


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over each window (stride defaults to kernel_size). With count_include_pad the zero
    padding counts in the divisor (windows that ceil_mode lets run past the padded input count only
    up to its edge); without it the divisor is the number of input elements in the window."""
    return _core._nn_avg_pool2d(x, *_pool_args(kernel_size, stride, padding, "avg_pool2d"),
                                _bool(ceil_mode, "ceil_mode", "avg_pool2d"),
                                _bool(count_include_pad, "count_include_pad", "avg_pool2d"))
