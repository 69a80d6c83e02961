"""Numerical ranges: arange, linspace, logspace, eye, identity (C++ kernels, NumPy's arithmetic)."""
import operator

import numpy as _np

from minpy import _core
from minpy.numpy import _fallback

__all__ = ["arange", "linspace", "logspace", "eye", "identity"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _native_number(x):
    """x as a Python bool/int/float the engine takes, or None (complex, uint64, arrays, ...)."""
    if isinstance(x, bool) or type(x) is float:
        return x
    if isinstance(x, int):
        return x if _INT64_MIN <= x <= _INT64_MAX else None
    if isinstance(x, _np.bool_):
        return bool(x)
    if isinstance(x, _np.integer) and x.dtype != _np.uint64:
        # NumPy's arange treats every integer scalar as int64 (uint64 promotes to float64).
        return int(x)
    if isinstance(x, (_np.floating, float)) and x.dtype.itemsize <= 8:
        return float(x)
    return None


_NOSTART = object()


def arange(start=_NOSTART, stop=None, step=None, dtype=None, *, device=None, like=None):
    # NumPy tells an omitted start from an explicit None: arange(None, 5) computes 5 - None, after
    # converting the other arguments; NumPy itself reports that error.
    if stop is None:
        if start is _NOSTART:
            raise TypeError("arange() requires stop to be specified.")
        if start is None:
            return _fallback.call_numpy("arange", _np.arange, (None,), {"step": step, "dtype": dtype})
        start, stop = 0, start
    elif start is None:
        return _fallback.call_numpy("arange", _np.arange, (None, stop, step), {"dtype": dtype})
    elif start is _NOSTART:
        start = 0
    args = (start, stop, step, dtype)
    if step is None:
        step = 1
    vals = [_native_number(v) for v in (start, stop, step)]
    if all(v is not None for v in vals):
        try:
            return _core.arange(vals[0], vals[1], vals[2], dtype)
        except NotImplementedError:
            pass
    kwargs = {} if like is None else {"like": like}
    return _fallback.call_numpy("arange", _np.arange, tuple(a for a in args[:3] if a is not None),
                                dict(kwargs, dtype=dtype))


def _asarray(x, dtype):
    return _core.asarray(x, dtype, False)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"[linspace] Number of samples, {num}, must be non-negative.")
    # NumPy computes in the inexact result type of start and stop (Python numbers are weak).
    dt = _core.result_type(start, stop, 1.0)
    y, step, step_defined = _core.linspace(_asarray(start, dt), _asarray(stop, dt), num, bool(endpoint))
    if axis != 0:
        y = _core.moveaxis(y, 0, axis)
    if dtype is not None:
        if _np.issubdtype(dtype, _np.integer):
            _core.ufuncs["floor"](y, out=y)
        y = y.astype(dtype, copy=False)
    if retstep:
        return y, (step if step_defined else float("nan"))
    return y


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    if not isinstance(base, (float, int)) and _np.ndim(base):
        # A non-scalar base broadcasts with start and stop, which decides where `axis` lands.
        nd = max(_np.ndim(start), _np.ndim(stop), _np.ndim(base))
        start, stop, base = (_core.asarray(a, None, False) for a in (start, stop, base))
        start, stop, base = (a.reshape((1,) * (nd - a.ndim) + a.shape) for a in (start, stop, base))
        base = _core.expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    r = _core.ufuncs["power"](base, y)
    return r if dtype is None else r.astype(dtype, copy=False)


def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, like=None):
    n = operator.index(N)
    m = None if M is None else operator.index(M)
    a = _core.eye(n, m, operator.index(k), _np.float64 if dtype is None else dtype)
    if order == "F":
        a = a.copy(order="F")
    elif order != "C":
        raise ValueError(f"[eye] order must be 'C' or 'F', got {order!r}.")
    return a


def identity(n, dtype=None, *, like=None):
    return eye(n, dtype=dtype)
