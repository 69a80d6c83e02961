"""Shared helpers: NumPy is the oracle; every check compares type, dtype, shape and values."""
import warnings

import numpy
import pytest

import minpy.numpy as mnp

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128"]
INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_DTYPES = ["float16", "float32", "float64"]
REAL_DTYPES = ["bool"] + INT_DTYPES + FLOAT_DTYPES


def to_numpy(x):
    """A NumPy view of a minpy array (or the object itself)."""
    if isinstance(x, mnp.ndarray):
        return numpy.asarray(x)
    return x


def assert_same(got, want, *, rtol=None, atol=0.0, check_dtype=True):
    """`got` (minpy) matches `want` (NumPy): array type, shape, dtype and values (NaNs equal).

    Floats are compared exactly unless rtol is given; transcendental ops pass rtol of a few ulps.
    """
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, rtol=rtol, atol=atol, check_dtype=check_dtype)
        return
    if isinstance(want, (numpy.ndarray, numpy.generic)):
        assert isinstance(got, mnp.ndarray), f"expected a minpy array, got {type(got)}"
        g = numpy.asarray(got)
        w = numpy.asarray(want)
        assert g.shape == w.shape, f"shape {g.shape} != {w.shape}"
        if check_dtype:
            assert g.dtype == w.dtype, f"dtype {g.dtype} != {w.dtype}"
        if rtol is None and atol == 0.0:
            numpy.testing.assert_array_equal(g, w, strict=False)
        else:
            numpy.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    else:
        assert type(got) is type(want), f"{type(got)} != {type(want)}"
        assert got == want or (got != got and want != want)


def raises_like(fn_minpy, fn_numpy):
    """Both calls raise, and minpy's exception is an instance of NumPy's exception class."""
    with pytest.raises(Exception) as want:
        fn_numpy()
    with pytest.raises(type(want.value)):
        fn_minpy()


def tol_for(dtype):
    """A relative tolerance of a few ulps for transcendental results of `dtype`."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == "c":
        dtype = numpy.dtype(dtype.char.lower())
    return {2: 2e-3, 4: 4e-6, 8: 1e-13}.get(dtype.itemsize, 0)


def total(y):
    """sum(y) as a Python float (y a minpy/NumPy array, a number, or a tuple/list of them)."""
    if isinstance(y, (tuple, list)):
        return sum(total(v) for v in y)
    return float(numpy.sum(numpy.asarray(y, dtype=numpy.float64)))


def numeric_grad(f, args, i, eps=1e-6):
    """Central differences of sum(f(*args)) w.r.t. args[i]; NumPy arguments are passed as minpy arrays."""
    x = numpy.array(args[i], dtype=numpy.float64)
    g = numpy.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for k in range(flat.size):
        vals = []
        for d in (eps, -eps):
            xp = flat.copy()
            xp[k] += d
            a = [mnp.array(v) if isinstance(v, numpy.ndarray) else v for v in args]
            a[i] = mnp.array(xp.reshape(x.shape))
            vals.append(total(f(*a)))
        gflat[k] = (vals[0] - vals[1]) / (2 * eps)
    return g


def public_class(exc):
    """NumPy's exception class as a user catches it (UFuncTypeError -> TypeError, ...)."""
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins" or cls.__name__ == "AxisError":
            return cls
    return type(exc)


def outcome(fn):
    """(result, None) or (None, exception) of fn(), with NumPy's floating-point warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with numpy.errstate(all="ignore"):
            try:
                return fn(), None
            except Exception as e:  # noqa: BLE001 - the class is what callers compare
                return None, e
