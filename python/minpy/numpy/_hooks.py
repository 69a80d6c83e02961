"""Python functions the C++ bindings call for cases they hand back to Python."""
import numpy as _np

from minpy.numpy import _fallback


def ufunc_fallback(name, *args, **kwargs):
    """A ufunc call with options the engine does not take (where=, NumPy out= arrays, ...)."""
    return _fallback.call_numpy(name, getattr(_np, name), args, kwargs)
