"""Type promotion against NumPy: promote_types, result_type, can_cast for every dtype pair and
casting mode, and NEP 50 weak Python scalars (result dtypes and OverflowError) in operators and
ufuncs."""
import itertools
import operator

import numpy
import pytest

import minpy.numpy as mnp

from conftest import ALL_DTYPES, outcome, public_class

CASTINGS = ["no", "equiv", "safe", "same_kind", "unsafe"]
PAIRS = list(itertools.product(ALL_DTYPES, ALL_DTYPES))






@pytest.mark.parametrize("a", ALL_DTYPES)
def test_promote_types_and_result_type_all_pairs(a):
    for b in ALL_DTYPES:
        assert mnp.promote_types(a, b) == numpy.promote_types(a, b), (a, b)
        assert mnp.result_type(a, b) == numpy.result_type(a, b), (a, b)
        # dtype objects, type objects and arrays are all strong
        assert mnp.result_type(numpy.dtype(a), getattr(numpy, b if b != "bool" else "bool_")) == numpy.result_type(a, b)
        assert mnp.result_type(mnp.zeros(2, a), mnp.zeros((), b)) == numpy.result_type(numpy.zeros(2, a), numpy.zeros((), b))


@pytest.mark.parametrize("a", ALL_DTYPES)
def test_can_cast_all_pairs_all_modes(a):
    for b in ALL_DTYPES:
        for casting in CASTINGS:
            assert mnp.can_cast(a, b, casting) == numpy.can_cast(a, b, casting), (a, b, casting)
        assert mnp.can_cast(a, b) == numpy.can_cast(a, b)  # default 'safe'
        assert mnp.can_cast(mnp.zeros(1, a), b, "same_kind") == numpy.can_cast(numpy.zeros(1, a), b, "same_kind")


def test_result_type_several_operands_and_scalars():
    cases = [("int8", "uint8", "float16"), ("bool", "int8"), ("uint64", "int64", "float32"), ("int16", "float16"),
             ("complex64", "float64"), ("uint32", "int8", "bool")]
    for c in cases:
        assert mnp.result_type(*c) == numpy.result_type(*c)
    for scalars in [(1,), (1.0,), (1j,), (True,), (2**63,), (1, 2.0), (True, 1), (1, 1j)]:
        assert mnp.result_type(*scalars) == numpy.result_type(*scalars), scalars
    for dt in ALL_DTYPES:
        for s in [True, 1, -1, 300, 2**40, 2**63, -(2**63) - 1, 2**64, 1.5, 1e300, 1j]:
            got, got_exc = outcome(lambda: mnp.result_type(mnp.zeros(1, dt), s))
            want, want_exc = outcome(lambda: numpy.result_type(numpy.zeros(1, dt), s))
            if want_exc is not None:
                assert isinstance(got_exc, public_class(want_exc)), (dt, s, got_exc, want_exc)
            else:
                assert got == want, (dt, s)


def test_unsupported_dtypes_and_bad_casting_names():
    with pytest.raises(TypeError):
        mnp.promote_types("int8", "U3")
    with pytest.raises(TypeError):
        mnp.promote_types("int8", "not a type")
    with pytest.raises(ValueError):
        mnp.can_cast("int8", "int16", "sometimes")
    with pytest.raises(TypeError):
        mnp.zeros(2).astype("datetime64[s]")


# ---- NEP 50 ------------------------------------------------------------------------------------

SCALARS = {
    "bool": [True, False],
    "int small": [0, 1, 7, 127],
    "int negative": [-1, -128, -129],
    "int large": [128, 255, 256, 2**31, 2**32, 2**63 - 1],
    "int out of range": [2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1, 10**30],
    "float": [0.5, -0.0, 1e300, float("nan"), float("inf")],
    "complex": [1 + 2j, 1e300j],
}
SCALAR_IDS = [(kind, v) for kind, vs in SCALARS.items() for v in vs]


def _maximum(x, y):
    mod = numpy if isinstance(x, numpy.ndarray) or isinstance(y, numpy.ndarray) else mnp
    return mod.maximum(x, y)


EXPRESSIONS = {
    "a + s": lambda a, s: a + s,
    "s + a": lambda a, s: s + a,
    "a * s": lambda a, s: a * s,
    "a - s": lambda a, s: a - s,
    "a / s": lambda a, s: a / s,
    "a // s": lambda a, s: a // s,
    "a < s": lambda a, s: a < s,
    "s == a": lambda a, s: s == a,
    "maximum(a, s)": _maximum,
    "a & s": lambda a, s: a & s,
}


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_nep50_weak_python_scalars(dtype):
    """For every dtype x Python scalar kind: the result dtype and values of operators/ufuncs, or
    the exception class (OverflowError for ints that do not fit the loop type)."""
    a_np = numpy.array([1, 0, 3], dtype)
    for (kind, s), (name, expr) in itertools.product(SCALAR_IDS, EXPRESSIONS.items()):
        want, want_exc = outcome(lambda: expr(a_np, s))
        got, got_exc = outcome(lambda: expr(mnp.array(a_np), s))
        where = (dtype, kind, s, name)
        if want_exc is not None:
            assert got_exc is not None and isinstance(got_exc, public_class(want_exc)), (where, got_exc, want_exc)
            continue
        assert got_exc is None, (where, got_exc)
        assert isinstance(got, mnp.ndarray), where
        g = numpy.asarray(got)
        assert g.dtype == want.dtype, (where, g.dtype, want.dtype)
        numpy.testing.assert_array_equal(g, want, err_msg=str(where))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_nep50_inplace_with_python_scalars(dtype):
    """In place the array's dtype wins; a scalar the loop cannot hold raises OverflowError, a float
    into an int array TypeError (same_kind)."""
    for (kind, s) in SCALAR_IDS:
        for op in [operator.iadd, operator.imul, operator.isub]:
            def run(mod):
                x = mod.array(numpy.array([1, 0, 3], dtype))
                op(x, s)
                return x
            want, want_exc = outcome(lambda: run(numpy))
            got, got_exc = outcome(lambda: run(mnp))
            if want_exc is not None:
                assert isinstance(got_exc, public_class(want_exc)), (dtype, s, op, got_exc, want_exc)
            else:
                assert got_exc is None, (dtype, s, op, got_exc)
                numpy.testing.assert_array_equal(numpy.asarray(got), want)
                assert got.dtype == want.dtype


def test_numpy_scalars_and_0d_arrays_are_strong():
    a = mnp.array([1, 2], "int8")
    assert (a + numpy.int64(1)).dtype == numpy.int64
    assert (a + numpy.float32(1)).dtype == numpy.float32
    assert (a + mnp.array(1)).dtype == numpy.int64  # a 0-d array is strong, as in NumPy 2
    assert (mnp.array([1.0], "float32") + numpy.float64(1)).dtype == numpy.float64
    assert (mnp.array([1.0], "float16") + 1.0).dtype == numpy.float16
    assert (mnp.array([1], "uint8") + 1j).dtype == numpy.complex128
    assert (mnp.array([1.0], "float32") + 1j).dtype == numpy.complex64
    with pytest.raises(OverflowError):
        mnp.array([1], "uint8") + (-1)
    with pytest.raises(OverflowError):
        mnp.array([True]) + 2**63
    # a too-large int is fine where the loop is float (true division) or only compared
    assert (mnp.array([1], "int8") / 1000).dtype == numpy.float64
    assert numpy.asarray(mnp.array([1], "int8") < 1000).tolist() == [True]
    assert numpy.asarray(mnp.array([1], "uint64") > -1).tolist() == [True]


def test_result_type_of_three_dtypes_is_not_pairwise():
    """Pairwise promotion is not associative; NumPy's result is order independent
    (int8, uint8, float16 -> float16, not float32)."""
    for ts in itertools.product(ALL_DTYPES, repeat=3):
        assert mnp.result_type(*ts) == numpy.result_type(*ts), ts
    a, b, c = (mnp.zeros(2, "int8"), mnp.zeros(2, "uint8"), mnp.zeros(2, "float16"))
    assert mnp.clip(a, b, c).dtype == numpy.clip(numpy.zeros(2, "int8"), numpy.zeros(2, "uint8"),
                                                 numpy.zeros(2, "float16")).dtype == numpy.float16
