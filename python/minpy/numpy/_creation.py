"""Array creation."""
import operator as _operator

import numpy as _np

from minpy import _core

__all__ = ["array", "asarray", "asanyarray", "empty", "zeros", "ones", "full", "empty_like",
           "zeros_like", "ones_like", "full_like", "copy", "ascontiguousarray", "asnumpy"]


def _shape(shape):
    """A shape argument as NumPy parses it: bools are TypeErrors, dimensions beyond int64 ValueError."""
    if isinstance(shape, (bool, _np.bool_)):
        raise TypeError(f"expected a sequence of integers or a single integer, got '{shape!r}'")
    dims = (shape,) if hasattr(shape, "__index__") and not isinstance(shape, (tuple, list)) else tuple(shape)
    out = []
    for d in dims:
        if isinstance(d, (bool, _np.bool_)):
            raise TypeError("an integer is required")
        d = _operator.index(d)
        if not -(1 << 63) <= d < (1 << 63):
            raise ValueError("Maximum allowed dimension exceeded")
        out.append(d)
    return tuple(out)


def _parse(object, dtype):
    """NumPy parses nested sequences and scalars directly in `dtype` (so out-of-range Python ints
    raise OverflowError and complex values into real types TypeError, as in NumPy)."""
    if dtype is not None and not isinstance(object, (_core.ndarray, _np.ndarray)):
        return _np.asarray(object, dtype=dtype), None
    return object, dtype


def array(object, dtype=None, *, copy=True, order="K", ndmin=0, like=None):
    object, dtype = _parse(object, dtype)
    a = _core.asarray(object, dtype, copy is True)
    if copy is False and a is not object and not isinstance(object, _core.ndarray):
        raise ValueError("[array] Unable to avoid copy while creating an array as requested.")
    if ndmin > a.ndim:
        a = a.reshape((1,) * (ndmin - a.ndim) + a.shape)
    return a


def asarray(a, dtype=None, order=None, *, copy=None, like=None):
    a, dtype = _parse(a, dtype)
    return _core.asarray(a, dtype, copy is True)


asanyarray = asarray


def asnumpy(a):
    """A NumPy copy of a minpy array (MinPy's name)."""
    return _np.array(a)


def _dtype_or_float(dtype):
    return float if dtype is None else dtype


def _in_order(a, order):
    """`a` (a new C-ordered array) laid out in order 'C' or 'F', owning its data as NumPy's."""
    if order == "F" and a.ndim > 1:
        return a.copy(order="F")
    return a


def empty(shape, dtype=float, order="C", *, like=None):
    return _in_order(_core.empty(_shape(shape), _dtype_or_float(dtype)), order)


def zeros(shape, dtype=float, order="C", *, like=None):
    return _in_order(_core.full(_shape(shape), 0, _dtype_or_float(dtype)), order)


def ones(shape, dtype=float, order="C", *, like=None):
    return _in_order(_core.full(_shape(shape), 1, _dtype_or_float(dtype)), order)


def full(shape, fill_value, dtype=None, order="C", *, like=None):
    if dtype is None:
        # NumPy: the dtype of np.array(fill_value).
        dtype = fill_value.dtype if isinstance(fill_value, _core.ndarray) else _np.asarray(fill_value).dtype
        if dtype.kind == "O":
            # NumPy validates the shape of its object array (8-byte items) before anything else.
            _core.broadcast_to(_core.asarray(0), _shape(shape))
    return _in_order(_core.full(_shape(shape), fill_value, dtype), order)


def _new_like(prototype, dtype, order, shape, fill):
    """NumPy's *_like layout: order 'K' follows the prototype's memory order (same shape only),
    'A' is 'F' for F-contiguous prototypes, else 'C'/'F' as named."""
    p = asarray(prototype)
    dtype = p.dtype if dtype is None else dtype
    new_shape = p.shape if shape is None else _shape(shape)
    order = "K" if order is None else order.upper()
    if order == "A":
        order = "F" if p.flags.f_contiguous and not p.flags.c_contiguous else "C"
    if order == "K":
        if tuple(new_shape) != p.shape or p.ndim < 2 or p.flags.c_contiguous:
            order = "C"
        else:
            a = p.astype(dtype, order="K")  # a new array with the prototype's layout
            if fill is not None:  # NumPy copies the value in (unsafe cast), unlike a.fill's checks
                a[...] = _core.full((), fill, dtype)
            return a
    a = _core.empty(new_shape, dtype) if fill is None else _core.full(new_shape, fill, dtype)
    return _in_order(a, order)


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None):
    return _new_like(prototype, dtype, order, shape, None)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    return _new_like(a, dtype, order, shape, 0)


def ones_like(a, dtype=None, order="K", subok=True, shape=None):
    return _new_like(a, dtype, order, shape, 1)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    if fill_value is None:
        # NumPy copies None in with an unsafe object cast: NaN for inexact dtypes, False for bool,
        # int(None)'s TypeError for integers.
        kind = _np.dtype(asarray(a).dtype if dtype is None else dtype).kind
        if kind in "iu":
            _new_like(a, dtype, order, shape, None)  # NumPy makes the array (shape errors) first
            raise TypeError("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'")
        fill_value = False if kind == "b" else float("nan") if kind == "f" else complex("nan+nanj")
    return _new_like(a, dtype, order, shape, fill_value)


def copy(a, order="K", subok=False):
    return asarray(a).copy(order=order)


def ascontiguousarray(a, dtype=None, *, like=None):
    a = asarray(a, dtype)
    return _core.ascontiguousarray(a if a.ndim else a.reshape(1))
