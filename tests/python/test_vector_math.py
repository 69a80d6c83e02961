"""Vectorised elementary functions (engine/src/backend/cpu/vector_math.h) against NumPy.

Values are checked in ulps against a more precise reference (float64 evaluation for float32,
longdouble for float64), special values exactly against NumPy, and every layout (contiguous,
strided, reversed, in place, float16) against the contiguous result.
"""
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minpy.numpy as mnp
from conftest import assert_same

# Special arguments warn exactly as NumPy does (test_errstate.py checks that); here only values count.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

FUNCS = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tanh", "sinh", "cosh",
         "arctan"]
# Bounds (ulp) asserted here; tests/cpp/test_vector_math.cpp measures the maxima over sweeps.
BOUND = {"float32": 3.0, "float64": 3.0}
HAVE_LD = numpy.finfo(numpy.longdouble).nmant > 52


def ranges(name):
    """Argument ranges where the function is finite and interesting."""
    if name in ("log", "log2", "log10"):
        return [(1e-300, 1e-200), (1e-5, 10.0), (0.5, 2.0), (1e10, 1e300)]
    if name == "log1p":
        return [(-0.999, 1.0), (-1e-6, 1e-6), (1.0, 1e300)]
    if name in ("sin", "cos"):
        return [(-10.0, 10.0), (-1e5, 1e5), (-1e12, 1e12)]
    if name in ("exp", "expm1", "sinh", "cosh"):
        return [(-700.0, 700.0), (-80.0, 80.0), (-1e-3, 1e-3)]
    if name == "exp2":
        return [(-1070.0, 1020.0), (-120.0, 120.0)]
    if name == "tanh":
        return [(-20.0, 20.0), (-1e-3, 1e-3)]
    return [(-1e4, 1e4), (-3.0, 3.0)]


def samples(name, dtype, n=20000, seed=0):
    rng = numpy.random.default_rng(seed)
    parts = [rng.uniform(lo, hi, n) for lo, hi in ranges(name)]
    with numpy.errstate(over="ignore", under="ignore"):
        return numpy.concatenate(parts).astype(dtype)


def reference(name, x):
    """The function at x, computed in a wider type (float64 for float32, longdouble for float64)."""
    wide = numpy.float64 if x.dtype == numpy.float32 else numpy.longdouble
    with numpy.errstate(all="ignore"):
        return getattr(numpy, name)(x.astype(wide))


def ulp_error(got, ref, dtype):
    """|got - ref| in units of the last place of dtype at ref (0 where both are the same inf/nan)."""
    got = numpy.asarray(got)
    with numpy.errstate(over="ignore"):
        ref_r = ref.astype(dtype)
    finite = numpy.isfinite(ref_r)
    assert numpy.array_equal(numpy.isnan(got), numpy.isnan(ref_r))
    assert numpy.array_equal(got[~finite & ~numpy.isnan(ref_r)], ref_r[~finite & ~numpy.isnan(ref_r)])
    spacing = numpy.spacing(numpy.abs(ref_r[finite])).astype(ref.dtype)
    err = numpy.abs(got[finite].astype(ref.dtype) - ref[finite]) / spacing
    return float(err.max()) if err.size else 0.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FUNCS)
def test_ulp_error_within_bound(name, dtype):
    if dtype == "float64" and not HAVE_LD:
        pytest.skip("no extended longdouble for a float64 reference")
    x = samples(name, dtype)
    got = numpy.asarray(getattr(mnp, name)(mnp.array(x)))
    assert got.dtype == x.dtype
    assert ulp_error(got, reference(name, x), dtype) <= BOUND[dtype]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FUNCS)
def test_close_to_numpy(name, dtype):
    x = samples(name, dtype, n=2000, seed=1)
    with numpy.errstate(all="ignore"):
        want = getattr(numpy, name)(x)
    got = getattr(mnp, name)(mnp.array(x))
    # NumPy's own float32 SIMD loops are a few ulp from correctly rounded as well.
    assert_same(got, want, rtol=8 * numpy.finfo(dtype).eps, atol=numpy.finfo(dtype).tiny)


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 10.0, 100.0, 1000.0, -1000.0, numpy.inf, -numpy.inf, numpy.nan,
           5e-324, -5e-324, 1e-310, 2.2250738585072014e-308, 1e-45, 1.1754944e-38, 709.782712893384, 710.0,
           710.4758600739439, 711.0, -745.1332191019411, -746.0, 88.72283, 88.8, 89.5, -103.97, -104.0,
           1024.0, -1074.0, -1075.0, 128.0, -149.0, -150.0, 524288.0, 524287.99, 1e22, 3.4028235e38, 1e300,
           -1e300, 1.5707963267948966, 3.141592653589793, 1e-8, -1e-8]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FUNCS)
def test_special_values_match_numpy(name, dtype):
    with numpy.errstate(all="ignore"):
        x = numpy.array(SPECIAL * 3, dtype=dtype)  # long enough for the vector loops
        want = getattr(numpy, name)(x)
    got = numpy.asarray(getattr(mnp, name)(mnp.array(x)))
    # Where NumPy gives a NaN, an infinity or a zero, minpy gives exactly that (infinities and zeros
    # with their sign; a NaN's sign bit is not specified and differs between NumPy's own loops).
    exact = ~numpy.isfinite(want) | (want == 0)
    numpy.testing.assert_array_equal(got[exact], want[exact])
    signed = numpy.isinf(want) | (want == 0)
    assert numpy.array_equal(numpy.signbit(got[signed]), numpy.signbit(want[signed]))
    assert numpy.array_equal(numpy.isfinite(got), numpy.isfinite(want))
    numpy.testing.assert_allclose(got[~exact], want[~exact], rtol=8 * numpy.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FUNCS)
def test_layouts_agree(name, dtype):
    x = samples(name, dtype, n=700, seed=2)
    x[::97] = numpy.nan  # blocks with special arguments take the mixed path
    ma = mnp.array(x)
    with numpy.errstate(all="ignore"):
        f = getattr(mnp, name)
        whole = numpy.asarray(f(ma))
        assert_same(f(ma[::3]), whole[::3])
        assert_same(f(ma[::-1]), whole[::-1])
        assert_same(f(mnp.array(x.reshape(-1, 7)).T), whole.reshape(-1, 7).T)
        assert_same(f(mnp.array(x[:1].reshape(()))), whole[:1].reshape(()))
        assert_same(f(mnp.array(x[:0])), whole[:0])
        out = mnp.array(x)
        r = f(out, out=out)
        assert r is out
        assert_same(out, whole)


@pytest.mark.parametrize("name", FUNCS)
def test_float16_close_to_numpy(name):
    x = samples(name, "float64", n=300, seed=3)
    x = x[numpy.abs(x) < 6e4].astype(numpy.float16)
    with numpy.errstate(all="ignore"):
        want = getattr(numpy, name)(x)
    assert_same(getattr(mnp, name)(mnp.array(x)), want, rtol=2e-3, atol=6e-8)


def test_large_arrays_use_threads_consistently():
    x = numpy.random.default_rng(4).uniform(-30, 30, 300001)
    for name in ("exp", "tanh", "sin"):
        got = numpy.asarray(getattr(mnp, name)(mnp.array(x)))
        part = numpy.asarray(getattr(mnp, name)(mnp.array(x[:1000])))
        numpy.testing.assert_array_equal(got[:1000], part)
        assert ulp_error(got, reference(name, x), "float64") <= BOUND["float64"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=70),
       st.sampled_from(FUNCS))
def test_hypothesis_float32(values, name):
    x = numpy.array(values, dtype=numpy.float32)
    got = numpy.asarray(getattr(mnp, name)(mnp.array(x)))
    assert ulp_error(got, reference(name, x), "float32") <= BOUND["float32"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=70),
       st.sampled_from(FUNCS))
def test_hypothesis_float64(values, name):
    if not HAVE_LD:
        pytest.skip("no extended longdouble")
    x = numpy.array(values, dtype=numpy.float64)
    got = numpy.asarray(getattr(mnp, name)(mnp.array(x)))
    assert ulp_error(got, reference(name, x), "float64") <= BOUND["float64"]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FUNCS)
def test_no_flags_numpy_does_not_raise(name, dtype):
    # The vector loops evaluate both sides of their selects in every lane: no lane may raise a flag
    # (overflow in a polynomial of 1/x, say) that NumPy does not raise for the same elements.
    top = 30 if dtype == "float32" else 300
    mags = numpy.logspace(-top, top, 3001)
    x = numpy.concatenate([mags, -mags, samples(name, dtype, n=2000)]).astype(dtype)
    x = x[numpy.random.default_rng(1).permutation(x.size)]
    fn = getattr(mnp, name)
    for chunk in numpy.array_split(x, x.size // 50):
        try:
            with numpy.errstate(all="raise"):
                getattr(numpy, name)(chunk)
        except FloatingPointError:
            continue
        with mnp.errstate(all="raise"):
            fn(mnp.array(chunk))
