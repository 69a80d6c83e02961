"""Indexing and selection functions (take, put, nonzero, where, ...) on minpy's engine."""
import operator as _operator

import numpy as _np

from minpy import _core

__all__ = ["take", "take_along_axis", "put", "nonzero", "argwhere", "flatnonzero", "where", "compress",
           "extract", "place", "putmask"]

_ndarray = _core.ndarray
_NOVALUE = object()


def _arr(a):
    return a if isinstance(a, _ndarray) else _core.asarray(a)


def _to_out(r, out):
    if out is None:
        return r
    out[...] = r
    return out


def _check_index_array(indices):
    # NumPy casts an index array to intp with 'same_kind' (floats raise); lists convert per element.
    dt = getattr(indices, "dtype", None)
    if dt is not None and not isinstance(indices, (list, tuple)) and dt.kind in "fc":
        raise TypeError(f"Cannot cast array data from dtype('{dt}') to dtype('int64') according to the rule "
                        "'same_kind'")


def take(a, indices, axis=None, out=None, mode="raise"):
    try:
        _check_index_array(indices)
    except TypeError:
        # NumPy checks mode= and axis= before it casts the indices: an empty take raises theirs.
        _core.take(_arr(a), _core.asarray([], "int64", False), axis, mode)
        raise
    return _to_out(_core.take(_arr(a), _arr(indices), axis, mode), out)


def take_along_axis(arr, indices, axis=-1):
    if axis is not None:
        axis = _operator.index(axis)  # a float axis is NumPy's TypeError
    return _core.take_along_axis(_arr(arr), _arr(indices), axis)


def put(a, ind, v, mode="raise"):
    # NumPy converts an index array to intp with the 'safe' rule (lists element by element).
    dt = getattr(ind, "dtype", None)
    if isinstance(ind, (_ndarray, _np.ndarray)) and not _np.can_cast(dt, _np.intp, "safe"):
        raise TypeError(f"Cannot cast array data from dtype('{dt}') to dtype('int64') according to the rule 'safe'")
    _core.put(a, _arr(ind), v, mode)


def nonzero(a):
    return _core.nonzero(_arr(a))


def argwhere(a):
    return _core.argwhere(_arr(a))


def flatnonzero(a):
    return _core.flatnonzero(_arr(a))


def where(condition, x=_NOVALUE, y=_NOVALUE):
    if x is _NOVALUE and y is _NOVALUE:
        return nonzero(condition)
    if x is _NOVALUE or y is _NOVALUE:
        raise ValueError("[where] either both or neither of x and y should be given.")
    return _core.where(_arr(condition), x, y)


def compress(condition, a, axis=None, out=None):
    return _to_out(_core.compress(_arr(condition), _arr(a), axis), out)


def extract(condition, arr):
    return _core.extract(_arr(condition), _arr(arr))


def place(arr, mask, vals):
    _core.place(arr, _arr(mask), vals)


def putmask(a, mask, values):
    _core.putmask(a, _arr(mask), values)


# ndarray methods with NumPy's signatures.
def _m_take(self, indices, axis=None, out=None, mode="raise"):
    return take(self, indices, axis, out, mode)


def _m_put(self, indices, values, mode="raise"):
    put(self, indices, values, mode)


def _m_nonzero(self):
    return nonzero(self)


def _m_compress(self, condition, axis=None, out=None):
    return compress(condition, self, axis, out)


for _name, _fn in (("take", _m_take), ("put", _m_put), ("nonzero", _m_nonzero), ("compress", _m_compress)):
    _fn.__name__ = _name
    setattr(_ndarray, _name, _fn)
