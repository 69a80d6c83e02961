"""Python functions the C++ bindings call for cases they hand back to Python."""
import numpy as _np

from minpy import _core
from minpy.numpy import _fallback


def _as_minpy(r):
    if isinstance(r, _np.generic):
        return _core.asarray(r)
    return r


def getitem(a, key):
    """Advanced indexing (integer/boolean arrays, lists): NumPy semantics via the fallback path."""
    return _as_minpy(_fallback.call_numpy("getitem", _np.ndarray.__getitem__, (a, key), {}))


def setitem(a, key, value):
    if isinstance(value, _core.ndarray):
        value = _np.asarray(value)
    _fallback.call_numpy("setitem", _np.ndarray.__setitem__, (a, key, value), {})


def ufunc_fallback(name, *args, **kwargs):
    """A ufunc call with options the engine does not take (where=, NumPy out= arrays, ...)."""
    return _fallback.call_numpy(name, getattr(_np, name), args, kwargs)
