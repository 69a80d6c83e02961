"""Reductions against NumPy: dtypes x layouts x axis forms x keepdims, dtype=, out=, errors."""
import warnings

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minpy.numpy as mnp
from conftest import ALL_DTYPES, INT_DTYPES, assert_same, raises_like

RNG = numpy.random.default_rng(1234)


def make(dtype, shape, rng=RNG, nan=False):
    dtype = numpy.dtype(dtype)
    n = int(numpy.prod(shape)) if shape else 1
    if dtype == bool:
        x = rng.integers(0, 2, n).astype(bool)
    elif dtype.kind in "iu":
        x = rng.integers(0 if dtype.kind == "u" else -9, 10, n).astype(dtype)
    elif dtype.kind == "f":
        x = (rng.standard_normal(n) * 10).astype(dtype)
    else:
        x = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
    if nan and dtype.kind in "fc" and n:
        x[rng.integers(0, n, max(1, n // 4))] = numpy.nan
    return x.reshape(shape)


# (base shape, view function): contiguous, sliced, transposed, reversed.
LAYOUTS = [
    ((), lambda x: x),
    ((0,), lambda x: x),
    ((7,), lambda x: x),
    ((300,), lambda x: x),
    ((3, 4), lambda x: x),
    ((2, 3, 4), lambda x: x),
    ((0, 3), lambda x: x),
    ((3, 0), lambda x: x),
    ((10,), lambda x: x[::-2]),
    ((6, 5), lambda x: x[::2, 1:]),
    ((4, 5), lambda x: x.T),
    ((3, 4, 5), lambda x: x.transpose(2, 0, 1)[:, ::-1]),
    ((40, 33), lambda x: x[:, ::-1]),
]
LAYOUT_IDS = [f"{s}-{i}" for i, (s, _) in enumerate(LAYOUTS)]


def pair(dtype, layout, nan=False):
    shape, view = layout
    x = make(dtype, shape, nan=nan)
    m = mnp.asarray(x)
    return view(m), view(x)


def axis_forms(ndim):
    forms = [None]
    if ndim >= 1:
        forms += [0, -1, ()]
    if ndim >= 2:
        forms += [(0, 1), (-1, 0), 1]
    if ndim >= 3:
        forms += [(0, 2)]
    return forms


def tol(dtype, op):
    """Float results are compared with a tolerance where the summation order may differ."""
    k = numpy.dtype(dtype).kind
    if k not in "fc" and op not in ("mean", "var", "std", "nanmean"):
        return {}
    size = numpy.dtype(dtype).itemsize // (2 if k == "c" else 1)
    if k not in "fc":
        size = 8
    return {"rtol": {2: 1e-2, 4: 1e-5, 8: 1e-12}[size], "atol": {2: 1e-2, 4: 1e-5, 8: 1e-12}[size]}


def run_both(fm, fn):
    """Calls NumPy first; if it raises, minpy must raise the same class. Else compares."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = fn()
        except Exception as e:  # noqa: BLE001
            # NumPy's private subclasses (_UFuncOutputCastingError) count as their builtin base.
            cls = next(c for c in type(e).__mro__ if c.__module__ == "builtins" or "AxisError" in c.__name__)
            with pytest.raises(cls):
                fm()
            return None, None
        got = fm()
    return got, want


SUMLIKE = ["sum", "prod", "max", "min", "all", "any", "mean", "nansum", "nanmax", "nanmin", "nanmean"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("op", SUMLIKE + ["var", "std", "count_nonzero"])
def test_reduce_matches_numpy(op, layout, dtype):
    m, x = pair(dtype, layout)
    if op == "prod" and x.dtype.kind in "fc":
        m, x = m / 8, x / 8  # keep products in range
    for axis in axis_forms(x.ndim):
        for keepdims in (False, True):
            got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis, keepdims=keepdims),
                                 lambda: getattr(numpy, op)(x, axis=axis, keepdims=keepdims))
            if want is not None:
                assert_same(got, want, **tol(dtype, op))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("op", ["argmax", "argmin", "cumsum", "cumprod"])
def test_single_axis_ops(op, layout, dtype):
    m, x = pair(dtype, layout)
    if op == "cumprod" and x.dtype.kind in "fc":
        m, x = m / 10, x / 10  # long products underflow rather than overflow (inf * inf is ill-defined)
    axes = [None] + list(range(-x.ndim, x.ndim))
    for axis in axes:
        got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis), lambda: getattr(numpy, op)(x, axis=axis))
        if want is not None:
            assert_same(got, want, **(tol(dtype, op) if op == "cumprod" else {}))
    if op.startswith("arg") and x.ndim:
        got, want = run_both(lambda: getattr(mnp, op)(m, axis=-1, keepdims=True),
                             lambda: getattr(numpy, op)(x, axis=-1, keepdims=True))
        if want is not None:
            assert_same(got, want)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin", "nanmax", "nanmin", "nansum", "nanmean", "sum"])
def test_nan_handling(op, dtype):
    for shape in [(50,), (6, 7), (200, 3)]:
        x = make(dtype, shape, nan=True)
        x.reshape(-1)[-1] = numpy.nan  # an all-NaN column/row somewhere for 2-d
        if x.ndim == 2:
            x[:, 0] = numpy.nan
        m = mnp.asarray(x)
        for axis in [None, 0, -1]:
            got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis), lambda: getattr(numpy, op)(x, axis=axis))
            if want is not None:
                assert_same(got, want, **tol(dtype, op))


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "float16"])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 1000, 4099, 100003])
def test_sum_is_numpy_pairwise_exactly(n, dtype):
    """Contiguous sums follow NumPy's pairwise order bit for bit (inner axis and full)."""
    x = make(dtype, (n,)) * 1000
    m = mnp.asarray(x)
    assert_same(mnp.sum(m), numpy.sum(x))
    x2 = make(dtype, (3, n))
    assert_same(mnp.sum(mnp.asarray(x2), axis=1), numpy.sum(x2, axis=1))
    assert_same(mnp.sum(mnp.asarray(x2), axis=0), numpy.sum(x2, axis=0))
    assert_same(mnp.sum(mnp.asarray(x2)[:, ::-1], axis=1), numpy.sum(x2[:, ::-1], axis=1))


def test_large_parallel_sum_matches_numpy_exactly():
    x = RNG.standard_normal(3_000_001)
    m = mnp.asarray(x)
    assert_same(m.sum(), x.sum())
    assert_same(mnp.nansum(m), numpy.nansum(x))
    assert_same(m.max(), x.max())
    assert_same(m.argmin(), x.argmin())
    x2 = x[:3_000_000].reshape(1000, 3000)
    m2 = mnp.asarray(x2)
    assert_same(m2.sum(axis=0), x2.sum(axis=0))
    assert_same(m2.sum(axis=1), x2.sum(axis=1))
    assert_same(m2.mean(axis=0), x2.mean(axis=0))
    assert_same(m2.max(axis=0), x2.max(axis=0))
    assert_same(m2.argmax(axis=0), x2.argmax(axis=0))
    assert_same(m2.T.sum(axis=1), x2.T.sum(axis=1))
    xi = RNG.integers(-100, 100, 2_000_000).astype(numpy.int32)
    assert_same(mnp.asarray(xi).sum(), xi.sum())
    assert_same(mnp.asarray(xi).prod(), xi.prod())
    assert_same(mnp.asarray(xi).any(), xi.any())
    assert_same(mnp.count_nonzero(mnp.asarray(xi)), numpy.count_nonzero(xi))


@pytest.mark.parametrize("src", ["bool", "int8", "uint16", "int32", "float16", "float32", "complex64"])
@pytest.mark.parametrize("dt", ["int64", "float32", "float64", "uint8", "complex128", "bool"])
@pytest.mark.parametrize("op", ["sum", "prod", "mean", "cumsum", "var", "nansum"])
def test_dtype_argument(op, dt, src):
    x = make(src, (4, 5))
    m = mnp.asarray(x)
    for axis in [None, 0]:
        got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis, dtype=dt),
                             lambda: getattr(numpy, op)(x, axis=axis, dtype=dt))
        if want is not None:
            assert_same(got, want, **tol(dt, op))


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "all", "any", "var", "std", "nansum"])
@pytest.mark.parametrize("out_dtype", ["float64", "float32", "int64", "int16"])
def test_out_argument(op, out_dtype):
    x = make("float64", (4, 5)) / 4  # products stay inside int16
    m = mnp.asarray(x)
    for axis, shape in [(0, (5,)), (1, (4,)), (None, ())]:
        o_np = numpy.zeros(shape, out_dtype)
        o_m = mnp.zeros(shape, out_dtype)
        got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis, out=o_m),
                             lambda: getattr(numpy, op)(x, axis=axis, out=o_np))
        if want is not None:
            assert got is o_m
            assert_same(o_m, o_np, **tol(out_dtype, op))
    if op == "nansum":
        return
    # keepdims with out, and the method form
    o_m = mnp.zeros((4, 1))
    o_np = numpy.zeros((4, 1))
    r = getattr(m, op)(axis=1, out=o_m, keepdims=True)
    getattr(x, op)(axis=1, out=o_np, keepdims=True)
    assert r is o_m
    assert_same(o_m, o_np, **tol("float64", op))


def test_out_errors_and_cumsum_out():
    x = make("float64", (2, 3))
    m = mnp.asarray(x)
    raises_like(lambda: mnp.sum(m, axis=1, out=mnp.zeros((1, 2))), lambda: numpy.sum(x, axis=1, out=numpy.zeros((1, 2))))
    raises_like(lambda: mnp.sum(m, axis=1, out=mnp.zeros(3)), lambda: numpy.sum(x, axis=1, out=numpy.zeros(3)))
    o = mnp.zeros((2, 3), "float32")
    assert mnp.cumsum(m, axis=1, out=o) is o
    assert_same(o, numpy.cumsum(x, axis=1).astype("float32"))
    o = mnp.zeros(2, "int64")
    assert mnp.argmax(m, axis=1, out=o) is o
    assert_same(o, numpy.argmax(x, axis=1))
    # in-place accumulate on the input itself
    y = x.copy()
    my = mnp.asarray(y.copy())
    numpy.cumsum(y, axis=0, out=y)
    mnp.cumsum(my, axis=0, out=my)
    assert_same(my, y)


def test_errors():
    x = make("float64", (2, 3))
    m = mnp.asarray(x)
    for op in ["sum", "max", "mean", "var", "all", "count_nonzero", "nanmean"]:
        raises_like(lambda: getattr(mnp, op)(m, axis=2), lambda: getattr(numpy, op)(x, axis=2))
        raises_like(lambda: getattr(mnp, op)(m, axis=-3), lambda: getattr(numpy, op)(x, axis=-3))
        raises_like(lambda: getattr(mnp, op)(m, axis=(0, 0)), lambda: getattr(numpy, op)(x, axis=(0, 0)))
        raises_like(lambda: getattr(mnp, op)(m, axis=(1, -1)), lambda: getattr(numpy, op)(x, axis=(1, -1)))
        raises_like(lambda: getattr(mnp, op)(m, axis=1.0), lambda: getattr(numpy, op)(x, axis=1.0))
    for op in ["argmax", "argmin", "cumsum", "cumprod"]:
        raises_like(lambda: getattr(mnp, op)(m, axis=2), lambda: getattr(numpy, op)(x, axis=2))
    e = numpy.zeros((0, 3))
    me = mnp.asarray(e)
    for op in ["max", "min", "nanmax", "nanmin", "argmax", "argmin"]:
        raises_like(lambda: getattr(mnp, op)(me), lambda: getattr(numpy, op)(e))
        raises_like(lambda: getattr(mnp, op)(me, axis=0), lambda: getattr(numpy, op)(e, axis=0))
    with pytest.raises(ValueError, match="zero-size array to reduction operation maximum which has no identity"):
        mnp.max(me)
    raises_like(lambda: mnp.bitwise_and.reduce(m), lambda: numpy.bitwise_and.reduce(x))
    raises_like(lambda: mnp.var(m, ddof=1, correction=1), lambda: numpy.var(x, ddof=1, correction=1))


def test_results_are_minpy_0d_arrays():
    m = mnp.asarray(numpy.arange(6.0))
    for r in [m.sum(), m.max(), m.mean(), m.argmax(), mnp.all(m), m.var(), mnp.count_nonzero(m)]:
        assert isinstance(r, mnp.ndarray) and r.ndim == 0
    assert float(m.sum()) == 15.0


@pytest.mark.parametrize("ddof", [0, 1, 2, 1.5, 10])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "bool", "complex64", "complex128"])
def test_var_std_ddof(dtype, ddof):
    x = make(dtype, (5, 4))
    m = mnp.asarray(x)
    for op in ["var", "std"]:
        for axis in [None, 0, 1]:
            got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis, ddof=ddof),
                                 lambda: getattr(numpy, op)(x, axis=axis, ddof=ddof))
            assert_same(got, want, **tol(dtype, op))
    assert_same(mnp.std(m, correction=1), numpy.std(x, correction=1), **tol(dtype, "std"))


UFUNC_REDUCE = ["add", "multiply", "maximum", "minimum", "fmax", "fmin", "logical_and", "logical_or",
                "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "subtract", "true_divide"]


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "int64", "float32", "float64", "complex128"])
@pytest.mark.parametrize("name", UFUNC_REDUCE)
def test_ufunc_reduce_and_accumulate(name, dtype):
    x = make(dtype, (3, 4))
    if dtype.startswith(("float", "complex")):
        x = x / 4
    m = mnp.asarray(x)
    uf_m, uf_np = getattr(mnp, name), getattr(numpy, name)
    for kwargs in [{}, {"axis": 1}, {"axis": None}, {"axis": (0, 1)}, {"axis": 0, "keepdims": True}]:
        got, want = run_both(lambda: uf_m.reduce(m, **kwargs), lambda: uf_np.reduce(x, **kwargs))
        if want is not None:
            assert_same(got, want, **tol(dtype, name))
    for axis in [0, 1, -1]:
        got, want = run_both(lambda: uf_m.accumulate(m, axis=axis), lambda: uf_np.accumulate(x, axis=axis))
        if want is not None:
            assert_same(got, want, **tol(dtype, name))
    if name in ("add", "multiply"):
        assert_same(uf_m.reduce(m, axis=0, dtype="float64"), uf_np.reduce(x, axis=0, dtype="float64"))
        assert_same(uf_m.accumulate(m, dtype="float32"), uf_np.accumulate(x, dtype="float32"))


def test_fallback_options():
    x = make("float64", (3, 4))
    m = mnp.asarray(x)
    assert_same(mnp.sum(m, initial=5.0), numpy.sum(x, initial=5.0))
    w = numpy.array([True, False, True, True])
    assert_same(mnp.sum(m, axis=1, where=w), numpy.sum(x, axis=1, where=w))
    assert_same(m.max(axis=0, initial=100.0), x.max(axis=0, initial=100.0))
    assert_same(mnp.mean(m, where=w), numpy.mean(x, where=w))
    assert_same(mnp.add.reduce(m, initial=1.0), numpy.add.reduce(x, initial=1.0))
    assert_same(mnp.max(mnp.zeros((0,)), initial=3.0), numpy.max(numpy.zeros((0,)), initial=3.0))
    o = numpy.zeros(4)
    r = mnp.sum(m, axis=0, out=o)
    numpy.testing.assert_array_equal(o, x.sum(axis=0))
    assert r is o


def test_python_inputs_and_methods():
    assert_same(mnp.sum([1, 2, 3]), numpy.sum([1, 2, 3]))
    assert_same(mnp.max([[1.5, 2.0], [0.5, 7.0]], axis=0), numpy.max([[1.5, 2.0], [0.5, 7.0]], axis=0))
    assert_same(mnp.amax(mnp.asarray([1, 5])), numpy.amax(numpy.array([1, 5])))
    assert_same(mnp.amin(mnp.asarray([1, 5])), numpy.amin(numpy.array([1, 5])))
    x = make("int16", (3, 4))
    m = mnp.asarray(x)
    assert_same(m.sum(0), x.sum(0))
    assert_same(m.max(1), x.max(1))
    assert_same(m.cumprod(1), x.cumprod(1))
    assert_same(m.argmin(0), x.argmin(0))
    assert_same(m.mean(0, "float32"), x.mean(0, "float32"))
    assert_same(m.any(0), x.any(0))
    # NumPy functions on minpy arrays dispatch to minpy
    assert_same(numpy.sum(m, axis=0), numpy.sum(x, axis=0))


@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=0, max_size=4),
       data=st.data(),
       dtype=st.sampled_from(["int32", "uint8", "float64", "float32", "bool", "complex128"]),
       op=st.sampled_from(["sum", "prod", "max", "min", "mean", "any", "all", "var", "nansum", "argmax"]))
def test_hypothesis_random_axes(shape, data, dtype, op):
    x = make(dtype, tuple(shape), rng=numpy.random.default_rng(data.draw(st.integers(0, 2**31))))
    if data.draw(st.booleans()) and x.ndim >= 2:
        x = x.swapaxes(0, -1)
    if op == "argmax":
        axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim else None
    else:
        axis = data.draw(st.one_of(st.none(), st.lists(st.integers(0, max(x.ndim - 1, 0)), unique=True,
                                                       max_size=x.ndim).map(tuple)))
    keepdims = data.draw(st.booleans())
    m = mnp.asarray(numpy.array(x, order="C"))
    if m.ndim >= 2 and not x.flags.c_contiguous:  # the same transposed layout
        m = mnp.asarray(numpy.array(x.swapaxes(0, -1), order="C")).swapaxes(0, -1)
    got, want = run_both(lambda: getattr(mnp, op)(m, axis=axis, keepdims=keepdims),
                         lambda: getattr(numpy, op)(x, axis=axis, keepdims=keepdims))
    if want is not None:
        assert_same(got, want, **tol(dtype, op))


def test_integer_overflow_wraps_like_numpy():
    x = numpy.array([2**62, 2**62, 2**62], dtype=numpy.int64)
    assert_same(mnp.sum(mnp.asarray(x)), numpy.sum(x))
    assert_same(mnp.prod(mnp.asarray(x)), numpy.prod(x))
    u = numpy.array([2**63, 2**63, 5], dtype=numpy.uint64)
    assert_same(mnp.sum(mnp.asarray(u)), numpy.sum(u))
    assert_same(mnp.cumsum(mnp.asarray(u)), numpy.cumsum(u))
    for dt in INT_DTYPES:
        i = numpy.iinfo(dt)
        x = numpy.array([i.max, i.min, i.max], dtype=dt)
        m = mnp.asarray(x)
        for op in ["sum", "prod", "max", "min", "argmin", "cumsum", "mean"]:
            assert_same(getattr(mnp, op)(m), getattr(numpy, op)(x))


# ---- found by the differential fuzzer (tests/python/fuzz_ops.py) ----

@pytest.mark.parametrize("axis", [[0], [0, 1], True, numpy.True_, (0, True), 2**63, -2**63, 2**40, -2**31 - 1, 1.0])
@pytest.mark.parametrize("name", ["sum", "max", "argmax", "cumsum", "count_nonzero", "mean", "std", "all"])
def test_axis_argument_types(name, axis):
    """Axes are ints that fit a C int (or tuples of them): lists and bools are TypeErrors,
    > int64 OverflowError, > int32 ValueError, as NumPy parses them."""
    a = numpy.arange(6.0).reshape(2, 3)
    raises_like(lambda: getattr(mnp, name)(mnp.array(a), axis=axis), lambda: getattr(numpy, name)(a, axis=axis))


def test_nanmean_inexact_input_needs_inexact_dtype_and_out():
    a = numpy.array([1.0, numpy.nan])
    raises_like(lambda: mnp.nanmean(mnp.array(a), dtype="int64"), lambda: numpy.nanmean(a, dtype="int64"))
    raises_like(lambda: mnp.nanmean(mnp.array(a), out=mnp.zeros((), "int64")),
                lambda: numpy.nanmean(a, out=numpy.zeros((), "int64")))
    ai = numpy.array([1, 2], "int32")
    assert_same(mnp.nanmean(mnp.array(ai), dtype="int64"), numpy.nanmean(ai, dtype="int64"))


@pytest.mark.parametrize("axis", [0, -1, 1, (0,), None])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "any", "all", "argmax", "argmin", "cumsum", "cumprod",
                                  "count_nonzero", "nanmax", "nansum", "mean", "std"])
def test_zero_d_plain_axis(name, axis):
    """NumPy's ufunc reductions take axis 0 or -1 on a 0-d array as axis=None (not mean/var/std)."""
    for v in (numpy.array(5.0), numpy.array(True), numpy.array(3, "int8")):
        try:
            want = getattr(numpy, name)(v, axis=axis)
        except Exception:  # noqa: BLE001
            raises_like(lambda: getattr(mnp, name)(mnp.array(v), axis=axis), lambda: getattr(numpy, name)(v, axis=axis))
            continue
        assert_same(getattr(mnp, name)(mnp.array(v), axis=axis), want)


# ---- fuzzer findings (tools/fuzz.py --strict) ------------------------------------------------------

@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("in_dtype", ["int16", "uint32", "float64", "bool", "complex64"])
@pytest.mark.parametrize("dtype", ["int32", "uint8", "uint64", "bool"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (None, True), (0, False), ((0, 1), False)])
@pytest.mark.parametrize("ddof", [0, 1, 1.5])
def test_var_std_exact_dtype(fn, in_dtype, dtype, axis, keepdims, ddof):
    """An integer/bool dtype=: NumPy's mean and sum of squares in that dtype, divided and cast back
    unsafely; a scalar std through the dtype's scalar type, an array std raises (sqrt into int)."""
    x = (numpy.arange(12).reshape(3, 4) * 7 % 5 - 1).astype(in_dtype)
    def run(lib, a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(lib, fn)(a, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof)
    try:
        want = run(numpy, x)
    except TypeError:
        with pytest.raises(TypeError):
            run(mnp, mnp.asarray(x))
        return
    assert_same(run(mnp, mnp.asarray(x)), want)


def test_var_exact_dtype_out():
    x = numpy.array([1.5, 4.0, 7.25])
    want_out, got_out = numpy.zeros((), "uint64"), mnp.zeros((), "uint64")
    want = numpy.var(x, dtype="uint64", out=want_out)
    got = mnp.var(mnp.asarray(x), dtype="uint64", out=got_out)
    assert got is got_out
    assert_same(got, want)


@pytest.mark.parametrize("shape,axis", [((5, 0, 0, 2), 2), ((1, 0, 0), 2), ((0, 0), 1), ((0, 3), (0, 1)), ((0, 3), 1)])
def test_max_empty_reduced_axis(shape, axis):
    """NumPy raises on an empty reduced axis even when the result is empty too."""
    x = numpy.zeros(shape, "uint16")
    for fn in ("max", "min", "nanmax"):
        try:
            want = getattr(numpy, fn)(x, axis=axis)
        except ValueError:
            raises_like(lambda: getattr(mnp, fn)(mnp.asarray(x), axis=axis), lambda: getattr(numpy, fn)(x, axis=axis))
            continue
        assert_same(getattr(mnp, fn)(mnp.asarray(x), axis=axis), want)


@pytest.mark.parametrize("out_dtype", ["uint8", "int32", "bool", "uint32", "int64", "float64", "uint64", "complex64"])
@pytest.mark.parametrize("fn", ["argmax", "argmin"])
def test_argmax_out_dtype(fn, out_dtype):
    """Any out= dtype that casts safely to intp takes the indices (cast); others raise TypeError."""
    x = numpy.array([3.0, 9.0, -1.0, 9.0])
    wo, go = numpy.zeros((), out_dtype), mnp.zeros((), out_dtype)
    if not numpy.can_cast(out_dtype, numpy.intp):
        raises_like(lambda: getattr(mnp, fn)(mnp.asarray(x), out=go), lambda: getattr(numpy, fn)(x, out=wo))
        return
    want = getattr(numpy, fn)(x, out=wo)
    got = getattr(mnp, fn)(mnp.asarray(x), out=go)
    assert got is go
    assert_same(got, want)
    # the shape is checked before the dtype, as NumPy does
    raises_like(lambda: getattr(mnp, fn)(mnp.asarray(x), out=mnp.zeros(2, "uint64")),
                lambda: getattr(numpy, fn)(x, out=numpy.zeros(2, "uint64")))


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_nanmean_axis_forms(dtype):
    """nanmean of an inexact array parses the axis like a ufunc reduction (0 on 0-d, ValueError
    beyond a C int); of an integer array like mean (AxisError, OverflowError)."""
    z = numpy.array(5, dtype)
    for ax in (0, -1, 2**31):
        try:
            want = numpy.nanmean(z, axis=ax)
        except Exception:
            raises_like(lambda: mnp.nanmean(mnp.asarray(z), axis=ax), lambda: numpy.nanmean(z, axis=ax))
            continue
        assert_same(mnp.nanmean(mnp.asarray(z), axis=ax), want)


@pytest.mark.parametrize("make", [lambda x: x.reshape(5, 5, 5).transpose(1, 0, 2), lambda x: x.reshape(5, 5, 5),
                                  lambda x: x.reshape(25, 5).T, lambda x: x[::2]])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_prod_float16_running_product_in_float32(make, axis):
    # Fuzzer find (issue 5): NumPy keeps a row's running half product in float32 (an
    # intermediate beyond 65504 is not inf), so zeros and tiny factors later in the row count.
    vals = numpy.array([300, 250, 0.004, 0.002, -3, 2, 0.5, 100, 0, 7] * 13, "float16")[:125]
    a = make(vals)
    with numpy.errstate(all="ignore"):
        want = numpy.prod(a, axis=axis)
    assert_same(mnp.prod(make(mnp.asarray(vals)), axis=axis), want)
