"""Joining, splitting, reordering and selection ops with NumPy's signatures.

The data movement (concatenate, split, tile, repeat, flip, roll, pad, sort, searchsorted, tril/triu)
runs in C++ (`engine/src/ops/shape_ops.cpp`); the composites here (vstack, diff, meshgrid, clip,
round, ...) are written over those and the native ufuncs, as NumPy writes them.
"""
import builtins
import operator

import numpy as _np

from minpy import _core
from minpy.numpy import _fallback
from minpy.numpy._creation import asarray

__all__ = ["concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "split", "array_split",
           "tile", "repeat", "flip", "fliplr", "flipud", "roll", "pad", "sort", "argsort", "searchsorted",
           "diff", "tril", "triu", "meshgrid", "atleast_1d", "atleast_2d", "atleast_3d", "clip", "round",
           "around"]

_NoValue = _np._NoValue
_uf = _core.ufuncs
ndarray = _core.ndarray


def _normalize_axis(axis, ndim):
    axis = operator.index(axis)
    if not -2**31 <= axis < 2**31:  # NumPy's normalize_axis_index takes a C int
        raise OverflowError("Python int too large to convert to C int")
    if not -ndim <= axis < ndim:
        raise _np.exceptions.AxisError(axis, ndim)
    return axis % ndim if ndim else axis


def _require_sequence(arrays):
    if not hasattr(arrays, "__getitem__"):
        raise TypeError('arrays to stack must be passed as a "sequence" type such as list or tuple.')


# ---- joining ----

def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    if not hasattr(arrays, "__getitem__") and not hasattr(arrays, "__len__"):
        raise TypeError("The first input argument needs to be a sequence")
    return _core._concatenate(arrays, axis, out, dtype, casting)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _require_sequence(arrays)
    return _core._stack(arrays, axis, out, dtype, casting)


def atleast_1d(*arys):
    res = []
    for ary in arys:
        a = asarray(ary)
        res.append(a.reshape(1) if a.ndim == 0 else a)
    return res[0] if len(res) == 1 else tuple(res)


def atleast_2d(*arys):
    res = []
    for ary in arys:
        a = asarray(ary)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a[None, :]
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def atleast_3d(*arys):
    res = []
    for ary in arys:
        a = asarray(ary)
        if a.ndim == 0:
            a = a.reshape(1, 1, 1)
        elif a.ndim == 1:
            a = a[None, :, None]
        elif a.ndim == 2:
            a = a[:, :, None]
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def vstack(tup, *, dtype=None, casting="same_kind"):
    _require_sequence(tup)
    return _core._concatenate(_as_tuple(atleast_2d(*tup)), 0, None, dtype, casting)


def hstack(tup, *, dtype=None, casting="same_kind"):
    _require_sequence(tup)
    arrs = _as_tuple(atleast_1d(*tup))
    axis = 0 if arrs and arrs[0].ndim == 1 else 1
    return _core._concatenate(arrs, axis, None, dtype, casting)


def dstack(tup):
    _require_sequence(tup)
    return _core._concatenate(_as_tuple(atleast_3d(*tup)), 2, None, None, "same_kind")


def column_stack(tup):
    _require_sequence(tup)
    arrays = []
    for v in tup:
        a = asarray(v)
        if a.ndim < 2:
            a = a.reshape(1, -1).T if a.ndim == 1 else a.reshape(1, 1)
        arrays.append(a)
    return _core._concatenate(arrays, 1, None, None, "same_kind")


# ---- splitting (the pieces are views) ----

_I64 = (-(2**63), 2**63 - 1)


def _split_points(ios):
    # Division points slice like Python, so ints beyond int64 clip to the ends.
    if type(ios) in (list, tuple):
        return [builtins.min(builtins.max(operator.index(i), _I64[0]), _I64[1]) for i in ios]
    return ios


def split(ary, indices_or_sections, axis=0):
    return _core._array_split(ary, _split_points(indices_or_sections), axis, True)


def array_split(ary, indices_or_sections, axis=0):
    return _core._array_split(ary, _split_points(indices_or_sections), axis, False)


# ---- tiling and reordering ----

def tile(A, reps):
    try:
        tup = tuple(reps)
    except TypeError:
        tup = (reps,)
    return _core._tile(A, tup)


def repeat(a, repeats, axis=None):
    return _core._repeat(a, repeats, axis)


def flip(m, axis=None):
    return _core._flip(m, axis)


def fliplr(m):
    m = asarray(m)
    if m.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return _core._flip(m, 1)


def flipud(m):
    m = asarray(m)
    if m.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return _core._flip(m, 0)


def roll(a, shift, axis=None):
    return _core._roll(a, shift, axis)


def _as_pairs(x, ndim, as_index=False):
    """NumPy's pad helper: broadcast x to (ndim, 2) pairs (NumPy scalars for 1 or 2 values)."""
    x = _np.array(x)
    if as_index:
        x = _np.round(x).astype(_np.intp, copy=False)
    if x.ndim < 3:
        if x.size == 1:
            x = x.ravel()
            if as_index and x < 0:
                raise ValueError("index can't contain negative values")
            return ((x[0], x[0]),) * ndim
        if x.size == 2 and x.shape != (2, 1):
            x = x.ravel()
            if as_index and (x[0] < 0 or x[1] < 0):
                raise ValueError("index can't contain negative values")
            return ((x[0], x[1]),) * ndim
    if as_index and x.min() < 0:
        raise ValueError("index can't contain negative values")
    return _np.broadcast_to(x, (ndim, 2)).tolist()


def _any_tracked(x):
    if isinstance(x, (list, tuple)):
        return builtins.any(_any_tracked(v) for v in x)
    return isinstance(x, ndarray) and _core._ag_tracked(x)


def pad(array, pad_width, mode="constant", **kwargs):
    if mode != "constant" or isinstance(pad_width, dict):
        return _fallback.call_numpy("pad", _np.pad, (array, pad_width, mode), kwargs)
    unsupported = set(kwargs) - {"constant_values"}
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode 'constant': {unsupported}")
    a = asarray(array)
    if _any_tracked(kwargs.get("constant_values", 0)):
        # The constants are converted to NumPy values below: their gradient would be dropped.
        raise TypeError("[pad] has no gradient in minpy for constant_values: the result would not carry "
                        "their gradient. Use minpy.core.stop_gradient on them to mean a constant.")
    pw = _np.asarray(pad_width)
    if pw.dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    widths = _as_pairs(pw, a.ndim, as_index=True)
    values = _as_pairs(kwargs.get("constant_values", 0), a.ndim)
    return _core._pad_constant(a, widths, values)


# ---- sorting and searching ----

def _stable(kind, stable):
    """True when the sort must be stable; validates `kind` as NumPy does (by its first letter)."""
    if stable is not None:
        if kind is not None:
            raise ValueError("`kind` and `stable` parameters can't be provided at the same time. "
                             "Use only one of them.")
        return bool(stable)
    if kind is None:
        return False
    k = str(kind)[:1].lower()
    if k not in ("q", "h", "m", "s"):
        raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' (got '{kind}')")
    return k in ("m", "s")


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    if order is not None:
        return _fallback.call_numpy("sort", _np.sort, (a, axis, kind, order), {"stable": stable})
    return _core._sort(a, axis, _stable(kind, stable))


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    if order is not None:
        return _fallback.call_numpy("argsort", _np.argsort, (a, axis, kind, order), {"stable": stable})
    _stable(kind, stable)  # validation only: minpy's argsort is always stable
    return _core._argsort(a, axis)


def searchsorted(a, v, side="left", sorter=None):
    if side not in ("left", "right"):
        raise ValueError(f"search side must be one of 'left' or 'right' (got {side!r})")
    if type(v) is int and not -2**63 <= v < 2**64 and getattr(a, "dtype", None) is not None and a.dtype.kind == "c":
        # NumPy searches an object array then: complex and int do not order.
        raise TypeError("'<' not supported between instances of 'complex' and 'int'")
    return _core._searchsorted(a, v, side == "right", sorter)


def diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    a = asarray(a)
    nd = a.ndim
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = _normalize_axis(axis, nd)
    def as_operand(extra):
        extra = asarray(extra)
        if extra.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            extra = _core.broadcast_to(extra, tuple(shape))
        return extra

    combined = [] if prepend is _NoValue else [as_operand(prepend)]
    combined.append(a)
    if append is not _NoValue:
        combined.append(as_operand(append))
    if len(combined) > 1:
        a = _core._concatenate(combined, axis, None, None, "same_kind")
    hi = (slice(None),) * axis + (slice(1, None),)
    lo = (slice(None),) * axis + (slice(None, -1),)
    op = _uf["not_equal"] if a.dtype == _np.bool_ else _uf["subtract"]
    for _ in range(n):
        a = op(a[hi], a[lo])
    return a


def tril(m, k=0):
    return _core._tril(m, k)


def triu(m, k=0):
    return _core._triu(m, k)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    ndim = len(xi)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    s0 = (1,) * ndim
    output = [asarray(x).reshape(s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        output[0] = output[0].reshape((1, -1) + s0[2:])
        output[1] = output[1].reshape((-1, 1) + s0[2:])
    if not sparse:
        shape = _np.broadcast_shapes(*(o.shape for o in output))
        output = tuple(_core.broadcast_to(o, shape) for o in output)
    if copy:
        output = tuple(o.copy() for o in output)
    return output


# ---- clip and round ----

def _clip(a, min=None, max=None, out=None, **kwargs):
    a = asarray(a)
    if a.dtype.kind in "iu":
        # Python ints beyond the dtype's range clip nothing (NEP 50: no value-based promotion).
        if type(min) is int and min <= _np.iinfo(a.dtype).min:
            min = None
        if type(max) is int and max >= _np.iinfo(a.dtype).max:
            max = None
    if min is None and max is None:
        if a.dtype == _np.bool_:
            # NumPy's positive has no bool loop (its resolver refuses the cast to int8).
            raise TypeError("[clip] ufunc 'positive' did not contain a loop with signature matching types "
                            "<class 'numpy.dtypes.BoolDType'> -> None")
        return _uf["positive"](a, out=out, **kwargs)
    if min is None:
        return _uf["minimum"](a, max, out=out, **kwargs)
    if max is None:
        return _uf["maximum"](a, min, out=out, **kwargs)
    return _uf["clip"](a, min, max, out=out, **kwargs)


def clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue, **kwargs):
    if a_min is _NoValue and a_max is _NoValue:
        a_min = None if min is _NoValue else min
        a_max = None if max is _NoValue else max
    elif a_min is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_min'")
    elif a_max is _NoValue:
        raise TypeError("clip() missing 1 required positional argument: 'a_max'")
    elif min is not _NoValue or max is not _NoValue:
        raise ValueError("Passing `min` or `max` keyword argument when `a_min` and `a_max` are "
                         "provided is forbidden.")
    return _clip(a, a_min, a_max, out=out, **kwargs)


def _power_of_ten(n):
    # NumPy's power_of_ten: the same products, so the scale factor is bit-identical.
    ret = 1.0
    while n >= 4:
        ret *= 1e4
        n -= 4
    while n > 0:
        ret *= 10.0
        n -= 1
    return ret


def round(a, decimals=0, out=None):
    """NumPy's algorithm: scale by 10**decimals, round half to even (rint), scale back."""
    a = asarray(a)
    decimals = operator.index(decimals)
    kind = a.dtype.kind
    if kind == "c":
        if out is None:
            out = _core.empty(a.shape, a.dtype)
        round(a.real, decimals, out.real)
        round(a.imag, decimals, out.imag)
        return out
    if decimals >= 0:
        if kind in "iu":
            if out is None:
                return a.copy()
            out[...] = a
            return out
        if decimals == 0:
            return _uf["rint"](a, out=out)
        op1, op2 = _uf["multiply"], _uf["true_divide"]
    else:
        op1, op2 = _uf["true_divide"], _uf["multiply"]
        decimals = -decimals
    as_int = out is None and kind in "iu"
    if out is None:
        out = _core.empty(a.shape, _np.float64 if as_int else a.dtype)
    f = _power_of_ten(decimals)
    ret = op1(a, f, out=out)
    _uf["rint"](ret, out=ret)
    op2(ret, f, out=ret)
    return ret.astype(a.dtype) if as_int else ret


around = round


# ---- ndarray methods ----

def _m_sort(self, axis=-1, kind=None, order=None, *, stable=None):
    if order is not None:
        _fallback.call_numpy("sort", _np.ndarray.sort, (self, axis, kind, order), {"stable": stable})
        return
    _core._sort_inplace(self, axis, _stable(kind, stable))


def _m_argsort(self, axis=-1, kind=None, order=None, *, stable=None):
    return argsort(self, axis, kind, order, stable=stable)


def _m_repeat(self, repeats, axis=None):
    return _core._repeat(self, repeats, axis)


def _m_clip(self, min=None, max=None, out=None, **kwargs):
    return _clip(self, min, max, out=out, **kwargs)


def _m_round(self, decimals=0, out=None):
    return round(self, decimals, out)


def _m_searchsorted(self, v, side="left", sorter=None):
    return searchsorted(self, v, side, sorter)


for _name, _fn in (("sort", _m_sort), ("argsort", _m_argsort), ("repeat", _m_repeat), ("clip", _m_clip),
                   ("round", _m_round), ("searchsorted", _m_searchsorted)):
    _fn.__name__ = _name
    _fn.__qualname__ = "ndarray." + _name
    setattr(ndarray, _name, _fn)
del _name, _fn
