"""arange, linspace, logspace, eye, identity against NumPy (bit for bit)."""
import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as mnp
from conftest import ALL_DTYPES, assert_same, public_class, raises_like

SETTINGS = settings(max_examples=50, deadline=None)
REAL_NUM = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
            "float64", "complex64", "complex128"]


def same_call(fn_name, *args, **kwargs):
    """Both libraries either agree exactly or raise the same exception class."""
    try:
        want = getattr(numpy, fn_name)(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(public_class(e)):
            getattr(mnp, fn_name)(*args, **kwargs)
        return None
    got = getattr(mnp, fn_name)(*args, **kwargs)
    assert_same(got, want)
    return got


@pytest.mark.parametrize("args", [(5,), (0,), (-3,), (2, 9), (9, 2), (2, 9, 3), (9, 2, -2), (0, 1, 0.1), (0.5, 5),
                                  (-3.7, 5, 1.3), (1, 2, 0.3), (10, 0, -0.7), (True,), (0, 10**15, 10**14),
                                  (3.0,), (-5, 5, 3)])
@pytest.mark.parametrize("dtype", [None] + REAL_NUM + ["bool"])
def test_arange_table(args, dtype):
    same_call("arange", *args, dtype=dtype)


@given(st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False, width=64)),
       st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False)),
       st.one_of(st.integers(-7, 7).filter(bool), st.floats(-7, 7, allow_nan=False).filter(lambda x: abs(x) > 1e-3)),
       st.sampled_from([None, "float64", "float32", "float16", "int64", "int32", "int8", "uint8", "complex128"]))
@SETTINGS
def test_arange_hypothesis(start, stop, step, dtype):
    same_call("arange", start, stop, step, dtype=dtype)


@given(st.integers(-2**40, 2**40), st.integers(-2**40, 2**40), st.integers(-2**35, 2**35).filter(bool))
@SETTINGS
def test_arange_int_hypothesis(start, stop, step):
    if abs((stop - start) // step) < 10**5:
        same_call("arange", start, stop, step)


def test_arange_errors_and_special():
    for args, kw in [((0, 5, 0), {}), ((0, 5.0, 0.0), {}), ((0, 5, 0.0), {}), ((3,), {"dtype": bool}),
                     ((300, 301), {"dtype": "int8"}), ((300.5, 301), {"dtype": "int8"}), ((0, numpy.nan), {}),
                     ((numpy.inf,), {}), ((-numpy.inf, 0), {}), ((2,), {"dtype": bool}), ((1, 3), {"dtype": bool})]:
        same_call("arange", *args, **kw)
    # NumPy scalars: integer scalars count as int64, float scalars as float64
    for args in [(numpy.int8(5),), (numpy.float32(1), 5), (numpy.int8(1), numpy.int16(9), numpy.int32(2)),
                 (numpy.float16(0.5), 3), (numpy.bool_(True), 4)]:
        same_call("arange", *args)
    # complex and uint64 arguments go to NumPy, with the same answer
    same_call("arange", 1 + 2j, 5)
    same_call("arange", numpy.uint64(5))
    same_call("arange", 2**63, 2**63 + 3)
    assert_same(mnp.arange(5), numpy.arange(5))
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        mnp.arange(0, 5, 0)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.integers(0, 60), st.booleans(),
       st.sampled_from([None, "float32", "float16", "int64", "int8", "complex128", "uint16"]))
@SETTINGS
def test_linspace_hypothesis(start, stop, num, endpoint, dtype):
    want = numpy.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)
    got = mnp.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)
    assert_same(got, want)


@pytest.mark.parametrize("start,stop", [(0, 1), (1, 0), (-2.5, 7.25), (numpy.float32(0.1), numpy.float32(0.9)),
                                        (numpy.float16(1), 3), (1 + 2j, 3 - 1j), (0, 1e-320), (5, 5),
                                        (numpy.int8(0), 10), (0, numpy.inf)])
@pytest.mark.parametrize("num", [0, 1, 2, 7, 50])
@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace_table(start, stop, num, endpoint):
    want = numpy.linspace(start, stop, num, endpoint=endpoint, retstep=True)
    got = mnp.linspace(start, stop, num, endpoint=endpoint, retstep=True)
    assert_same(got[0], want[0])
    if type(want[1]) is float:
        assert isinstance(got[1], float) and numpy.isnan(got[1]) and numpy.isnan(want[1])
    else:
        assert_same(got[1], want[1])


def test_linspace_arrays_axis_and_errors():
    ns, ne = numpy.array([0.0, 1.0, -3.0]), numpy.array([[2.0], [5.0]])
    for axis in [0, 1, 2, -1]:
        want = numpy.linspace(ns, ne, 6, axis=axis, retstep=True)
        got = mnp.linspace(mnp.asarray(ns), mnp.asarray(ne), 6, axis=axis, retstep=True)
        assert_same(got[0], want[0])
        assert_same(got[1], want[1])
    assert_same(mnp.linspace(numpy.float32([0, 1]), 2, 4), numpy.linspace(numpy.float32([0, 1]), 2, 4))
    raises_like(lambda: mnp.linspace(0, 1, -1), lambda: numpy.linspace(0, 1, -1))
    raises_like(lambda: mnp.linspace(0, 1, 5.0), lambda: numpy.linspace(0, 1, 5.0))
    raises_like(lambda: mnp.linspace(0, 1, 5, axis=2), lambda: numpy.linspace(0, 1, 5, axis=2))


@pytest.mark.parametrize("kw", [{}, {"base": 2.0}, {"endpoint": False}, {"dtype": "float32"}, {"num": 7, "base": 3},
                                {"dtype": "int64", "num": 5}])
def test_logspace(kw):
    # linspace is bit-exact; power may differ from NumPy's SIMD pow by an ulp.
    tol = None if "int" in kw.get("dtype", "") else 1e-15 if kw.get("dtype") is None else 1e-6
    assert_same(mnp.logspace(0, 3, **kw), numpy.logspace(0, 3, **kw), rtol=tol)
    assert_same(mnp.logspace(-2.5, 1.5, **kw), numpy.logspace(-2.5, 1.5, **kw), rtol=tol)


def test_logspace_array_base():
    base = numpy.array([2.0, 10.0])
    for axis in [0, 1, -1]:
        assert_same(mnp.logspace(0, 3, 4, base=mnp.asarray(base), axis=axis),
                    numpy.logspace(0, 3, 4, base=base, axis=axis), rtol=1e-15)
    assert_same(mnp.logspace(numpy.array([0, 1]), 3, 4), numpy.logspace(numpy.array([0, 1]), 3, 4), rtol=1e-15)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("n,m,k", [(3, None, 0), (3, 5, 1), (4, 2, -1), (3, 3, 5), (3, 3, -5), (0, None, 0),
                                   (2, 0, 0), (1, 1, 0), (5, 3, -2)])
def test_eye(dtype, n, m, k):
    assert_same(mnp.eye(n, m, k, dtype=dtype), numpy.eye(n, m, k, dtype=dtype))


def test_eye_identity_misc():
    assert_same(mnp.eye(3), numpy.eye(3))
    assert_same(mnp.identity(4), numpy.identity(4))
    assert_same(mnp.identity(3, dtype="int8"), numpy.identity(3, dtype="int8"))
    f = mnp.eye(3, 4, order="F")
    assert f.flags.f_contiguous
    assert_same(f, numpy.eye(3, 4, order="F"))
    raises_like(lambda: mnp.eye(-1), lambda: numpy.eye(-1))
    raises_like(lambda: mnp.eye(2, -1), lambda: numpy.eye(2, -1))
    raises_like(lambda: mnp.eye(2.5), lambda: numpy.eye(2.5))
    assert_same(mnp.eye(3, k=2**62), numpy.eye(3, k=2**62))
    assert_same(mnp.eye(3, k=-2**62), numpy.eye(3, k=-2**62))


# ---- found by the differential fuzzer (tests/python/fuzz_ops.py) ----

@pytest.mark.parametrize("shape", [True, numpy.True_, (3, True), 10**20, (2, 2**63), -10**20, (2**64, 0), [2, 3],
                                   (3, numpy.int8(2)), 2.5])
@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "full"])
def test_shape_argument_types(name, shape):
    args = (shape, 1) if name == "full" else (shape,)
    try:
        want = getattr(numpy, name)(*args)
    except Exception:  # noqa: BLE001
        raises_like(lambda: getattr(mnp, name)(*args), lambda: getattr(numpy, name)(*args))
        return
    got = getattr(mnp, name)(*args)
    assert got.shape == want.shape and got.dtype == want.dtype


@pytest.mark.parametrize("shape", [True, (True,), 10**20, (2, -2**63 - 1), (6, 2**64)])
def test_reshape_broadcast_to_transpose_shape_types(shape):
    a = numpy.zeros(6)
    raises_like(lambda: mnp.zeros(6).reshape(shape), lambda: a.reshape(shape))
    raises_like(lambda: mnp.broadcast_to(mnp.zeros(1), shape), lambda: numpy.broadcast_to(numpy.zeros(1), shape))
    raises_like(lambda: mnp.zeros((2, 3)).transpose(0, 2**63), lambda: numpy.zeros((2, 3)).transpose(0, 2**63))
    raises_like(lambda: mnp.zeros(6).reshape(2, 3, order="K"), lambda: a.reshape(2, 3, order="K"))
    raises_like(lambda: mnp.zeros((1, 3)).squeeze(axis=[0]), lambda: numpy.zeros((1, 3)).squeeze(axis=[0]))


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1j, 2.5, 1e30])
@pytest.mark.parametrize("dtype", ["uint8", "int64", "float32"])
def test_full_like_casts_the_value_unsafely(value, dtype):
    """full_like copies its value in with an unsafe cast (unlike a[...] = value), also when it
    keeps a transposed prototype's layout."""
    import warnings
    for proto in (numpy.zeros((2, 3)), numpy.zeros((2, 3)).T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = numpy.full_like(proto, value, dtype=dtype)
            got = mnp.full_like(mnp.array(proto), value, dtype=dtype)
        assert got.shape == want.shape and got.dtype == want.dtype
        if numpy.isfinite(value) and not (numpy.dtype(dtype).kind in "iu" and abs(value) > 255):
            assert_same(got, want)


# Fuzzer finds (issue 5): NumPy's length is ceil of the correctly rounded (stop - start) / step, a
# ceil of exactly 2**63 is an empty range (its intp conversion on x86-64), the size errors come
# before the bool length check, and an explicit start=None is subtracted like any number.
@pytest.mark.parametrize("args,kw", [
    ((-3, 2**62, 2**62), {}), ((0, 2**60 + 1, 2**60 - 1), {}), ((0, 2**63 - 1), {}), ((2**62, 0.0, -0.5), {}),
    ((10, 2**62), {"dtype": "int16"}), ((5, 2**62), {"dtype": "uint16"}), ((True, 2**62), {"dtype": "float16"}),
    ((2**62,), {"dtype": "bool"}), ((5, 2**62), {"dtype": "bool"}), ((-0.5, 2**62, True), {"dtype": "bool"}),
    ((3,), {"dtype": "bool"}), ((-2**62, 2**62 + 1, 0.5), {}), ((None, 0.0, None), {"dtype": "uint16"}),
    ((None, float("nan")), {}), ((None, 5), {}), ((None,), {}), ((None, None, 2), {}), ((5, None, None), {}),
    ((), {"stop": 5}), ((), {"start": None, "stop": 3}), ((1, 2**53 + 7, 3), {"dtype": "int8"}),
    ((0, 10, float("inf")), {}), ((0, -10, float("inf")), {}), ((0, 1e-300, 1e300), {}), ((5, 5, float("inf")), {}),
    ((0, 2e300, 1e-300), {}), ((0, float("inf")), {}), ((None, [[1], [2, 3]]), {}), ((None, [1, 2]), {}),
    ((None, None, 2), {"dtype": "int8"}),
])
def test_arange_lengths_and_size_errors(args, kw):
    same_call("arange", *args, **kw)

