"""Python-level methods of minpy.numpy.ndarray (the type itself is defined in C++)."""
import numpy as _np

from minpy import _core
from minpy.numpy import _fallback

ndarray = _core.ndarray


def _method(fn):
    setattr(ndarray, fn.__name__, fn)
    return fn


class _Flags:
    """NumPy's a.flags, for the flags minpy arrays have."""

    def __init__(self, a):
        self._a = a

    c_contiguous = property(lambda self: self._a._c_contiguous)
    f_contiguous = property(lambda self: self._a._f_contiguous)
    owndata = property(lambda self: self._a._owndata)
    writeable = property(lambda self: self._a._writeable,
                         lambda self, v: setattr(self._a, "_writeable", bool(v)))
    aligned = property(lambda self: True)
    contiguous = c_contiguous
    fortran = property(lambda self: self._a._f_contiguous and not self._a._c_contiguous)

    _KEYS = {"C_CONTIGUOUS": "c_contiguous", "C": "c_contiguous", "F_CONTIGUOUS": "f_contiguous",
             "F": "f_contiguous", "OWNDATA": "owndata", "O": "owndata", "WRITEABLE": "writeable",
             "W": "writeable", "ALIGNED": "aligned", "A": "aligned"}

    def __getitem__(self, key):
        return getattr(self, self._KEYS[key])

    def __setitem__(self, key, value):
        setattr(self, self._KEYS[key], value)

    def __repr__(self):
        return "\n".join(f"  {k} : {self[k]}" for k in
                         ("C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE", "ALIGNED")) + "\n"


ndarray.flags = property(lambda self: _Flags(self))


@_method
def asnumpy(self):
    """A NumPy copy of this array."""
    return _np.array(self)


@_method
def __array__(self, dtype=None, copy=None):
    a = _np.asarray(memoryview(self))
    if dtype is not None and _np.dtype(dtype) != a.dtype:
        if copy is False:
            raise ValueError("[__array__] Unable to avoid copy while creating an array as requested.")
        return a.astype(dtype)  # already a new array
    if copy:
        a = a.copy()
    return a


@_method
def __repr__(self):
    return repr(_np.asarray(self))


@_method
def __str__(self):
    return str(_np.asarray(self))


@_method
def __format__(self, spec):
    if self.ndim == 0:
        return format(self._item0(), spec)
    return format(_np.asarray(self), spec)


@_method
def item(self, *args):
    if args:
        return _np.asarray(self).item(*args)
    if self.size != 1:
        raise ValueError("[item] can only convert an array of size 1 to a Python scalar.")
    return self._item0()


@_method
def tolist(self):
    return _np.asarray(self).tolist()


@_method
def __iter__(self):
    if self.ndim == 0:
        raise TypeError("[iter] iteration over a 0-d array.")
    return (self[i] for i in range(self.shape[0]))


@_method
def __contains__(self, value):
    return bool((self == value).any()) if hasattr(ndarray, "any") else value in _np.asarray(self)


@_method
def __copy__(self):
    return self.copy()


@_method
def __deepcopy__(self, memo):
    return self.copy()


def _rebuild(data, dtype, shape):
    return _core.asarray(_np.frombuffer(data, dtype=dtype).reshape(shape))


@_method
def __reduce__(self):
    return (_rebuild, (_np.ascontiguousarray(self).tobytes(), self.dtype.str, self.shape))


@_method
def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
    """NumPy ufuncs on minpy arrays (numpy_array + minpy_array) give minpy arrays."""
    native = _core.ufuncs.get(ufunc.__name__)
    if method == "__call__" and native is not None:
        return native(*inputs, **kwargs)
    out = kwargs.get("out")
    if out is not None and not isinstance(out, tuple):
        kwargs["out"] = (out,)
    return _fallback.call_numpy(ufunc.__name__, getattr(ufunc, method), inputs, kwargs)


@_method
def __array_function__(self, func, types, args, kwargs):
    """np.<function>(minpy_array) runs minpy's version when there is one, else NumPy's."""
    import minpy.numpy as mnp

    mine = getattr(mnp, func.__name__, None) if func.__module__ == "numpy" else None
    if mine is not None and not getattr(mine, "_minpy_fallback", False) and mine is not func:
        return mine(*args, **kwargs)
    return _fallback.call_numpy(func.__name__, func, args, kwargs)


def _fallback_method(name):
    np_method = getattr(_np.ndarray, name)

    def method(self, *args, **kwargs):
        return _fallback.call_numpy(f"ndarray.{name}", np_method, (self,) + args, kwargs)

    method.__name__ = name
    return method


@_method
def __getattr__(self, name):
    """Methods of numpy.ndarray that minpy has no native version of run NumPy's (fallback)."""
    if name.startswith("__") or not hasattr(_np.ndarray, name):
        raise AttributeError(f"'minpy.numpy.ndarray' object has no attribute {name!r}")
    value = getattr(_np.ndarray, name)
    if callable(value):
        method = _fallback_method(name)
        setattr(ndarray, name, method)  # later calls find it directly
        return method.__get__(self)
    return getattr(_np.asarray(self), name)


# Operators without a native version yet go through the fallback too.
for _name in ("__matmul__", "__rmatmul__", "__imatmul__"):
    if _name not in ndarray.__dict__:
        setattr(ndarray, _name, _fallback_method(_name))
