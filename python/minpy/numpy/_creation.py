"""Array creation."""
import numpy as _np

from minpy import _core

__all__ = ["array", "asarray", "asanyarray", "empty", "zeros", "ones", "full", "empty_like",
           "zeros_like", "ones_like", "full_like", "copy", "ascontiguousarray", "asnumpy"]


def _shape(shape):
    return (shape,) if isinstance(shape, int) or hasattr(shape, "__index__") and not isinstance(shape, (tuple, list)) else tuple(shape)


def array(object, dtype=None, *, copy=True, order="K", ndmin=0, like=None):
    a = _core.asarray(object, dtype, copy is True)
    if copy is False and a is not object and not isinstance(object, _core.ndarray):
        raise ValueError("[array] Unable to avoid copy while creating an array as requested.")
    if ndmin > a.ndim:
        a = a.reshape((1,) * (ndmin - a.ndim) + a.shape)
    return a


def asarray(a, dtype=None, order=None, *, copy=None, like=None):
    return _core.asarray(a, dtype, copy is True)


asanyarray = asarray


def asnumpy(a):
    """A NumPy copy of a minpy array (MinPy's name)."""
    return _np.array(a)


def empty(shape, dtype=float, order="C", *, like=None):
    a = _core.empty(_shape(shape), dtype)
    return a if order != "F" else a.T.copy().T if False else _fortran(a)


def _fortran(a):
    return a.copy(order="F")


def zeros(shape, dtype=float, order="C", *, like=None):
    a = _core.full(_shape(shape), 0, dtype)
    return a if order == "C" else _fortran(a)


def ones(shape, dtype=float, order="C", *, like=None):
    a = _core.full(_shape(shape), 1, dtype)
    return a if order == "C" else _fortran(a)


def full(shape, fill_value, dtype=None, order="C", *, like=None):
    a = _core.full(_shape(shape), fill_value, dtype)
    return a if order == "C" else _fortran(a)


def _like_shape(a, shape):
    return a.shape if shape is None else _shape(shape)


def empty_like(prototype, dtype=None, order="K", subok=True, shape=None):
    p = asarray(prototype)
    return _core.empty(_like_shape(p, shape), p.dtype if dtype is None else dtype)


def zeros_like(a, dtype=None, order="K", subok=True, shape=None):
    p = asarray(a)
    return _core.full(_like_shape(p, shape), 0, p.dtype if dtype is None else dtype)


def ones_like(a, dtype=None, order="K", subok=True, shape=None):
    p = asarray(a)
    return _core.full(_like_shape(p, shape), 1, p.dtype if dtype is None else dtype)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    p = asarray(a)
    return _core.full(_like_shape(p, shape), fill_value, p.dtype if dtype is None else dtype)


def copy(a, order="K", subok=False):
    return asarray(a).copy(order=order)


def ascontiguousarray(a, dtype=None, *, like=None):
    a = asarray(a, dtype)
    return _core.ascontiguousarray(a if a.ndim else a.reshape(1))
