"""Reductions with NumPy's signatures, running the engine's kernels.

Full reductions return 0-d minpy arrays where NumPy returns scalars. `initial=`, `where=` and NumPy
`out=` arrays run NumPy through the fallback path.
"""
import numpy as _np

from minpy import _core
from minpy.numpy import _fallback

__all__ = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "all",
           "any", "cumsum", "cumprod", "count_nonzero", "nansum", "nanmean", "nanmax", "nanmin"]

_NoValue = _np._NoValue


def _opt(v, default=None):
    return default if v is _NoValue else v


def _as_minpy(r):
    if isinstance(r, _np.generic):
        return _core.asarray(r)
    return r


def _numpy_fallback(name, a, **kwargs):
    """Called by the bindings for options the engine does not take."""
    r = _fallback.call_numpy(name, getattr(_np, name), (a,), kwargs)
    out = kwargs.get("out")
    if isinstance(out, tuple) and len(out) == 1:
        out = out[0]
    return out if isinstance(out, _np.ndarray) else _as_minpy(r)


def _ufunc_fallback(name, method, args, kwargs):
    """ufunc.reduce / ufunc.accumulate of a ufunc (or with options) the engine does not run."""
    func = getattr(getattr(_np, name), method)
    r = _fallback.call_numpy(f"{name}.{method}", func, args, kwargs)
    out = kwargs.get("out")
    if isinstance(out, tuple) and len(out) == 1:
        out = out[0]
    return out if isinstance(out, _np.ndarray) else _as_minpy(r)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_sum(a, axis, dtype, out, _opt(keepdims, False), _opt(initial), where)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_prod(a, axis, dtype, out, _opt(keepdims, False), _opt(initial), where)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_nansum(a, axis, dtype, out, _opt(keepdims, False), _opt(initial), where)


def max(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_max(a, axis, None, out, _opt(keepdims, False), _opt(initial), where)


def min(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_min(a, axis, None, out, _opt(keepdims, False), _opt(initial), where)


amax = max
amin = min


def nanmax(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_nanmax(a, axis, None, out, _opt(keepdims, False), _opt(initial), where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return _core._red_nanmin(a, axis, None, out, _opt(keepdims, False), _opt(initial), where)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    return _core._red_mean(a, axis, dtype, out, _opt(keepdims, False), where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    kind = a.dtype.kind if isinstance(a, (_core.ndarray, _np.ndarray)) else _np.asarray(a).dtype.kind
    if kind in "fc":  # NumPy's nanmean keeps inexact inputs inexact
        if dtype is not None and _np.dtype(dtype).kind not in "fc":
            raise TypeError("If a is inexact, then dtype must be inexact")
        if out is not None and getattr(out, "dtype", _np.dtype("f8")).kind not in "fc":
            raise TypeError("If a is inexact, then out must be inexact")
    return _core._red_nanmean(a, axis, dtype, out, _opt(keepdims, False), where)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=_NoValue,
        correction=_NoValue):
    return _core._red_var(a, axis, dtype, out, ddof, _opt(keepdims, False), where, _opt(mean), _opt(correction))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True, mean=_NoValue,
        correction=_NoValue):
    return _core._red_std(a, axis, dtype, out, ddof, _opt(keepdims, False), where, _opt(mean), _opt(correction))


def _var_exact_dtype(a, axis, dtype, out, ddof, keepdims, is_std):
    """var/std with an integer or bool dtype=, as NumPy's _methods._var computes them: the mean and
    the sum of squares in that dtype, each divided by the count and cast back unsafely; a scalar
    result is finished with the dtype's scalar type (std: of sqrt), an array one with sqrt(out=)."""
    from minpy import numpy as mnp
    arr = _core.asarray(a) if not isinstance(a, _core.ndarray) else a
    dt = _np.dtype(dtype)
    axes = tuple(range(arr.ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    rcount = 1
    for ax in axes:
        rcount *= arr.shape[_np._core.multiarray.normalize_axis_index(ax, arr.ndim)]
    arrmean = mnp.sum(arr, axis=axis, dtype=dt, keepdims=True)
    arrmean = mnp.true_divide(arrmean, _np.intp(rcount), out=arrmean, casting="unsafe")
    x = mnp.subtract(arr, arrmean)
    if arr.dtype.kind in "iuf":
        x = mnp.square(x, out=x)
    elif x.dtype.kind == "c":
        x = mnp.add(mnp.square(x.real), mnp.square(x.imag), out=x.real)
    else:
        x = mnp.multiply(x, mnp.conjugate(x), out=x).real
    ret = mnp.sum(x, axis=axis, dtype=dt, out=out, keepdims=keepdims)
    rcount = _np.maximum(_np.intp(rcount) - ddof, 0)
    if out is not None or ret.ndim:
        ret = mnp.true_divide(ret, rcount, out=ret, casting="unsafe")
        return mnp.sqrt(ret, out=ret) if is_std else ret
    r = _np.asarray(ret)[()]
    r = r.dtype.type(r / rcount)
    if is_std:
        r = r.dtype.type(_np.sqrt(r))
    return _core.asarray(r)


def all(a, axis=None, out=None, keepdims=False, *, where=True):
    return _core._red_all(a, axis, out, _opt(keepdims, False), where)


def any(a, axis=None, out=None, keepdims=False, *, where=True):
    return _core._red_any(a, axis, out, _opt(keepdims, False), where)


def argmax(a, axis=None, out=None, *, keepdims=False):
    return _core._red_argmax(a, axis, out, _opt(keepdims, False))


def argmin(a, axis=None, out=None, *, keepdims=False):
    return _core._red_argmin(a, axis, out, _opt(keepdims, False))


def cumsum(a, axis=None, dtype=None, out=None):
    return _core._red_cumsum(a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    return _core._red_cumprod(a, axis, dtype, out)


def count_nonzero(a, axis=None, *, keepdims=False):
    return _core._red_count_nonzero(a, axis, keepdims)
