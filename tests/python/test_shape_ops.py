"""Joining, splitting, reordering, sorting and selection ops, differential against NumPy."""
import itertools

import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as mnp
from conftest import ALL_DTYPES, assert_same, raises_like

RNG = numpy.random.default_rng(1234)
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]
LAYOUTS = ["c", "T", "step", "neg"]
SOME_DTYPES = ["bool", "int8", "uint16", "int64", "float16", "float32", "float64", "complex128"]


def values(shape, dtype):
    """Values with ties, and NaN / inf / -0.0 for inexact dtypes."""
    dt = numpy.dtype(dtype)
    n = int(numpy.prod(shape, dtype=numpy.int64))
    if dt.kind == "b":
        v = RNG.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = numpy.iinfo(dt)
        v = RNG.integers(max(info.min, -50), min(info.max, 50), n, endpoint=True).astype(dt)
    else:
        real = numpy.dtype(dt.char.lower()) if dt.kind == "c" else dt
        v = (RNG.integers(-12, 12, n) / 4).astype(real)
        if n >= 4:
            v[RNG.integers(0, n, 3)] = [numpy.nan, numpy.inf, -0.0]
        if dt.kind == "c":
            im = (RNG.integers(-3, 3, n) / 2).astype(real)
            if n >= 5:
                im[RNG.integers(0, n)] = numpy.nan
            v = v + 1j * im
            v = v.astype(dt)
    return v.reshape(shape)


def make(shape, dtype, layout="c"):
    """(minpy, numpy) arrays of `shape` with the same values and the same kind of memory layout."""
    shape = tuple(shape)
    if layout == "T" and len(shape) >= 2:
        base = values(shape[::-1], dtype)
        return mnp.array(base).T, base.T
    if layout == "step" and len(shape) >= 1:
        base = values((shape[0] * 2,) + shape[1:], dtype)
        return mnp.array(base)[::2], base[::2]
    if layout == "neg" and len(shape) >= 1:
        base = values(shape, dtype)
        idx = (slice(None, None, -1),) * len(shape)
        return mnp.array(base)[idx], base[idx]
    base = values(shape, dtype)
    return mnp.array(base), base


def same_or_raises(fn_minpy, fn_numpy):
    """The same result as NumPy, or the same exception class when NumPy raises."""
    try:
        want = fn_numpy()
    except Exception as e:
        # NumPy's private ufunc error subclasses count as their public base (TypeError, ...).
        cls = next(c for c in type(e).__mro__ if c.__module__ in ("builtins", "numpy.exceptions"))
        with pytest.raises(cls):
            fn_minpy()
        return
    assert_same(fn_minpy(), want)


def assert_list_same(got, want):
    assert isinstance(got, list) and len(got) == len(want)
    for g, w in zip(got, want):
        assert_same(g, w)


# ---- concatenate / stack family ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 2), (2, 0, 3)])
def test_concatenate_axes(dtype, layout, shape):
    m1, n1 = make(shape, dtype, layout)
    m2, n2 = make(shape, dtype, "c")
    for axis in list(range(-len(shape), len(shape))) + [None]:
        assert_same(mnp.concatenate([m1, m2, m1], axis=axis), numpy.concatenate([n1, n2, n1], axis=axis))


@pytest.mark.parametrize("d1,d2", list(itertools.combinations(SOME_DTYPES + ["uint64", "int32"], 2)))
def test_concatenate_promotes_like_result_type(d1, d2):
    m1, n1 = make((2, 3), d1)
    m2, n2 = make((1, 3), d2)
    assert_same(mnp.concatenate((m1, m2)), numpy.concatenate((n1, n2)))
    assert_same(mnp.stack((m1[0], m2[0]), axis=1), numpy.stack((n1[0], n2[0]), axis=1))


def test_concatenate_dtype_casting_out():
    m, n = make((2, 3), "float64")
    mi, ni = make((2, 3), "int16")
    assert_same(mnp.concatenate([m, mi], dtype="float32"), numpy.concatenate([n, ni], dtype="float32"))
    with numpy.errstate(invalid="ignore"):
        want = numpy.concatenate([n, ni], dtype=numpy.int8, casting="unsafe")
    assert_same(mnp.concatenate([m, mi], dtype=numpy.int8, casting="unsafe"), want)
    raises_like(lambda: mnp.concatenate([m, mi], dtype="int64"), lambda: numpy.concatenate([n, ni], dtype="int64"))
    raises_like(lambda: mnp.concatenate([mi, mi], dtype="int8", casting="safe"),
                lambda: numpy.concatenate([ni, ni], dtype="int8", casting="safe"))
    out_m, out_n = mnp.zeros((4, 3), "complex64"), numpy.zeros((4, 3), "complex64")
    r = mnp.concatenate([m, mi], out=out_m)
    assert r is out_m
    numpy.concatenate([n, ni], out=out_n)
    assert_same(out_m, out_n)
    # out= also accepts strided views, and is checked for shape and casting.
    big = mnp.zeros((4, 6))
    mnp.concatenate([m, m], out=big[:, ::2])
    assert_same(big[:, ::2], numpy.concatenate([n, n]))
    assert_same(big[:, 1::2], numpy.zeros((4, 3)))
    flat_m, flat_n = mnp.zeros(24), numpy.zeros(24)
    mnp.concatenate([m, m.T], axis=None, out=flat_m[::2])
    numpy.concatenate([n, n.T], axis=None, out=flat_n[::2])
    assert_same(flat_m, flat_n)
    mnp.concatenate([m[::-1], mi.T], axis=None, out=flat_m[12:])
    numpy.concatenate([n[::-1], ni.T], axis=None, out=flat_n[12:])
    assert_same(flat_m, flat_n)
    raises_like(lambda: mnp.concatenate([m, m], out=mnp.zeros((3, 3))),
                lambda: numpy.concatenate([n, n], out=numpy.zeros((3, 3))))
    raises_like(lambda: mnp.concatenate([m, m], out=mnp.zeros((4, 3), "int64")),
                lambda: numpy.concatenate([n, n], out=numpy.zeros((4, 3), "int64")))
    raises_like(lambda: mnp.concatenate([m, m], out=mnp.zeros((4, 3)), dtype="float64"),
                lambda: numpy.concatenate([n, n], out=numpy.zeros((4, 3)), dtype="float64"))


def test_concatenate_out_aliasing_input():
    m, n = make((6,), "float64")
    mnp.concatenate([m[3:], m[:3]], out=m)
    numpy.concatenate([n[3:], n[:3]], out=n)
    assert_same(m, n)


def test_concatenate_scalars_lists_and_flatten():
    assert_same(mnp.concatenate([[1, 2], [3.5]]), numpy.concatenate([[1, 2], [3.5]]))
    assert_same(mnp.concatenate([mnp.array(1), 2], axis=None), numpy.concatenate([numpy.array(1), 2], axis=None))
    m, n = make((2, 3), "int32", "T")
    assert_same(mnp.concatenate(m), numpy.concatenate(n))
    assert_same(mnp.concatenate([m, m[:1]], axis=None), numpy.concatenate([n, n[:1]], axis=None))


def test_concatenate_errors():
    a, b = mnp.ones((2, 2)), mnp.ones((2, 3))
    na, nb = numpy.ones((2, 2)), numpy.ones((2, 3))
    with pytest.raises(ValueError, match="along dimension 1, the array at index 0 has size 2 and the array at index 1 has size 3"):
        mnp.concatenate([a, b])
    raises_like(lambda: mnp.concatenate([a, b]), lambda: numpy.concatenate([na, nb]))
    raises_like(lambda: mnp.concatenate([a, mnp.ones(2)]), lambda: numpy.concatenate([na, numpy.ones(2)]))
    raises_like(lambda: mnp.concatenate([a, a], axis=2), lambda: numpy.concatenate([na, na], axis=2))
    raises_like(lambda: mnp.concatenate([a, a], axis=-3), lambda: numpy.concatenate([na, na], axis=-3))
    raises_like(lambda: mnp.concatenate([]), lambda: numpy.concatenate([]))
    raises_like(lambda: mnp.concatenate([mnp.array(1.0)]), lambda: numpy.concatenate([numpy.array(1.0)]))
    raises_like(lambda: mnp.concatenate([a], axis=1.5), lambda: numpy.concatenate([na], axis=1.5))
    raises_like(lambda: mnp.stack([a, b]), lambda: numpy.stack([na, nb]))
    raises_like(lambda: mnp.stack([]), lambda: numpy.stack([]))
    raises_like(lambda: mnp.stack([a, a], axis=3), lambda: numpy.stack([na, na], axis=3))
    raises_like(lambda: mnp.hstack(x for x in [a]), lambda: numpy.hstack(x for x in [na]))
    raises_like(lambda: mnp.vstack([a, mnp.ones(3)]), lambda: numpy.vstack([na, numpy.ones(3)]))


@pytest.mark.parametrize("dtype", SOME_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_stack_family(dtype, shape):
    m1, n1 = make(shape, dtype)
    m2, n2 = make(shape, dtype, "neg")
    for axis in range(-len(shape) - 1, len(shape) + 1):
        assert_same(mnp.stack([m1, m2], axis=axis), numpy.stack([n1, n2], axis=axis))
    for fm, fn in [(mnp.vstack, numpy.vstack), (mnp.hstack, numpy.hstack), (mnp.dstack, numpy.dstack),
                   (mnp.column_stack, numpy.column_stack)]:
        try:
            want = fn([n1, n2])
        except ValueError:
            raises_like(lambda: fm([m1, m2]), lambda: fn([n1, n2]))
            continue
        assert_same(fm([m1, m2]), want)
    out_m, out_n = mnp.empty((2,) + shape, "complex128"), numpy.empty((2,) + shape, "complex128")
    mnp.stack([m1, m2], out=out_m)
    numpy.stack([n1, n2], out=out_n)
    assert_same(out_m, out_n)


def test_stack_dtype_casting_and_mixed_inputs():
    assert_same(mnp.vstack([[1, 2], [3, 4]], dtype="float32"), numpy.vstack([[1, 2], [3, 4]], dtype="float32"))
    assert_same(mnp.hstack([[1, 2], [3.5]], dtype="int8", casting="unsafe"),
                numpy.hstack([[1, 2], [3.5]], dtype="int8", casting="unsafe"))
    assert_same(mnp.stack([1, 2.5], dtype="float16"), numpy.stack([1, 2.5], dtype="float16"))
    assert_same(mnp.column_stack([[1, 2], [[3], [4]]]), numpy.column_stack([[1, 2], [[3], [4]]]))
    assert_same(mnp.column_stack([1, 2]), numpy.column_stack([1, 2]))
    raises_like(lambda: mnp.stack([[1.5]], dtype="int64"), lambda: numpy.stack([[1.5]], dtype="int64"))


@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(fn):
    fm, fnp = getattr(mnp, fn), getattr(numpy, fn)
    for shape in [(), (3,), (2, 3), (2, 3, 4), (1, 2, 3, 4)]:
        m, n = make(shape, "int16", "neg")
        r = fm(m)
        assert_same(r, fnp(n))
        assert mnp.may_share_memory(r, m) or m.size == 0
    m1, n1 = make((), "float32")
    m2, n2 = make((2,), "float32")
    assert_same(fm(m1, m2), fnp(n1, n2))
    assert fm() == fnp()


# ---- split ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(6,), (4, 6), (0, 3), (2, 6, 3)])
def test_split_sections_and_indices(layout, shape):
    m, n = make(shape, "float32", layout)
    for axis in range(-len(shape), len(shape)):
        size = shape[axis]
        for sections in [1, 2, 3, 4, 7]:
            assert_list_same(mnp.array_split(m, sections, axis=axis), numpy.array_split(n, sections, axis=axis))
            if size % sections == 0:
                assert_list_same(mnp.split(m, sections, axis=axis), numpy.split(n, sections, axis=axis))
            else:
                raises_like(lambda: mnp.split(m, sections, axis=axis), lambda: numpy.split(n, sections, axis=axis))
        for idx in [[], [1], [2, 2], [1, 3], [3, 1], [-1], [-10, 2, 100], numpy.array([1, 2])]:
            assert_list_same(mnp.split(m, idx, axis=axis), numpy.split(n, idx, axis=axis))
            assert_list_same(mnp.array_split(m, idx, axis=axis), numpy.array_split(n, idx, axis=axis))


def test_split_results_are_views():
    m, n = make((4, 6), "int64")
    parts = mnp.split(m, 3, axis=1)
    for p in parts:
        assert mnp.may_share_memory(p, m)
        assert p.base is m
    parts[1][0, 0] = 999
    assert int(m[0, 2]) == 999
    q = mnp.array_split(m[::-1], [1, 3])
    q[2][...] = -1
    assert_same(m[0], numpy.full(6, -1))


def test_split_errors():
    m, n = make((3,), "float64")
    raises_like(lambda: mnp.split(m, 2), lambda: numpy.split(n, 2))
    with pytest.raises(ValueError, match="array split does not result in an equal division"):
        mnp.split(m, 2)
    raises_like(lambda: mnp.split(m, 0), lambda: numpy.split(n, 0))
    raises_like(lambda: mnp.array_split(m, 0), lambda: numpy.array_split(n, 0))
    raises_like(lambda: mnp.array_split(m, -2), lambda: numpy.array_split(n, -2))
    raises_like(lambda: mnp.array_split(m, 2, axis=1), lambda: numpy.array_split(n, 2, axis=1))
    raises_like(lambda: mnp.split(m, [1], axis=-2), lambda: numpy.split(n, [1], axis=-2))
    raises_like(lambda: mnp.split(mnp.array(1.0), 1), lambda: numpy.split(numpy.array(1.0), 1))


# ---- tile / repeat -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", SOME_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 1, 3)])
def test_tile(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    for reps in [1, 2, 0, (2,), (1, 1), (2, 3), (3, 1, 2), (1, 2, 1, 2), ()]:
        r = mnp.tile(m, reps)
        assert_same(r, numpy.tile(n, reps))
        assert not mnp.may_share_memory(r, m) or r.size == 0
    for reps in [-1, (2, -1), (-1, 1)]:
        try:
            want = numpy.tile(n, reps)
        except ValueError:
            raises_like(lambda: mnp.tile(m, reps), lambda: numpy.tile(n, reps))
            continue
        assert_same(mnp.tile(m, reps), want)  # an empty input absorbs a negative rep


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (3, 4), (2, 3, 2)])
def test_repeat(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    assert_same(mnp.repeat(m, 3), numpy.repeat(n, 3))
    assert_same(mnp.repeat(m, 0), numpy.repeat(n, 0))
    assert_same(m.repeat(2), n.repeat(2))
    for axis in range(-len(shape), len(shape)):
        k = shape[axis]
        reps = list(RNG.integers(0, 4, k))
        assert_same(mnp.repeat(m, 2, axis=axis), numpy.repeat(n, 2, axis=axis))
        assert_same(mnp.repeat(m, reps, axis=axis), numpy.repeat(n, reps, axis=axis))
        assert_same(m.repeat(numpy.array(reps, "uint8"), axis), n.repeat(numpy.array(reps, "uint8"), axis))
    if m.ndim == 0:
        assert_same(mnp.repeat(m, 2, axis=-1), numpy.repeat(n, 2, axis=-1))
        raises_like(lambda: mnp.repeat(m, 2, axis=1), lambda: numpy.repeat(n, 2, axis=1))


def test_repeat_errors():
    m, n = make((3,), "int32")
    raises_like(lambda: mnp.repeat(m, [1, 2]), lambda: numpy.repeat(n, [1, 2]))
    raises_like(lambda: mnp.repeat(m, -1), lambda: numpy.repeat(n, -1))
    raises_like(lambda: mnp.repeat(m, [1, -1, 1]), lambda: numpy.repeat(n, [1, -1, 1]))
    assert_same(mnp.repeat(m, 1.5), numpy.repeat(n, 1.5))  # Python numbers convert by force
    assert_same(mnp.repeat(m, [1, 2.7, 0]), numpy.repeat(n, [1, 2.7, 0]))
    raises_like(lambda: mnp.repeat(m, mnp.array([1.0, 2, 3])), lambda: numpy.repeat(n, numpy.array([1.0, 2, 3])))
    raises_like(lambda: mnp.repeat(m, numpy.array([1, 2, 3], "uint64")),
                lambda: numpy.repeat(n, numpy.array([1, 2, 3], "uint64")))
    raises_like(lambda: mnp.repeat(m, 2, axis=1), lambda: numpy.repeat(n, 2, axis=1))


# ---- flip / roll -----------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", SHAPES)
def test_flip_views(layout, shape):
    m, n = make(shape, "complex64", layout)
    axes = [None] + list(range(-len(shape), len(shape))) + [tuple(range(len(shape)))]
    if len(shape) >= 2:
        axes.append((0, -1))
    for axis in axes:
        r = mnp.flip(m, axis)
        assert_same(r, numpy.flip(n, axis))
        assert r.base is (m.base if m.base is not None else m)
    if len(shape) >= 1:
        assert_same(mnp.flipud(m), numpy.flipud(n))
    else:
        raises_like(lambda: mnp.flipud(m), lambda: numpy.flipud(n))
    if len(shape) >= 2:
        assert_same(mnp.fliplr(m), numpy.fliplr(n))
    else:
        raises_like(lambda: mnp.fliplr(m), lambda: numpy.fliplr(n))
    raises_like(lambda: mnp.flip(m, len(shape)), lambda: numpy.flip(n, len(shape)))


def test_flip_writes_through():
    m = mnp.array(numpy.arange(6.0).reshape(2, 3))
    f = mnp.flip(m)
    assert f.strides == (-24, -8)
    f[0, 0] = 100.0
    assert float(m[1, 2]) == 100.0
    assert mnp.may_share_memory(mnp.fliplr(m), m)
    raises_like(lambda: mnp.flip(m, (0, 0)), lambda: numpy.flip(numpy.ones((2, 3)), (0, 0)))


@pytest.mark.parametrize("dtype", SOME_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", SHAPES)
def test_roll(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    for shift in [0, 1, -2, 7, -100]:
        assert_same(mnp.roll(m, shift), numpy.roll(n, shift))
        for axis in range(-len(shape), len(shape)):
            assert_same(mnp.roll(m, shift, axis=axis), numpy.roll(n, shift, axis=axis))
    if len(shape) >= 2:
        assert_same(mnp.roll(m, (1, -1), (0, 1)), numpy.roll(n, (1, -1), (0, 1)))
        assert_same(mnp.roll(m, (1, 2), (1, 1)), numpy.roll(n, (1, 2), (1, 1)))
        assert_same(mnp.roll(m, 1, (0, 1)), numpy.roll(n, 1, (0, 1)))
        assert_same(mnp.roll(m, (1, 2), 0), numpy.roll(n, (1, 2), 0))
    raises_like(lambda: mnp.roll(m, 1, axis=len(shape)), lambda: numpy.roll(n, 1, axis=len(shape)))


@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4), data=st.data())
def test_roll_hypothesis(shape, data):
    m, n = make(shape, "int32", data.draw(st.sampled_from(LAYOUTS)))
    k = data.draw(st.integers(1, 3))
    axes = tuple(data.draw(st.integers(-len(shape), len(shape) - 1)) for _ in range(k))
    shifts = tuple(data.draw(st.integers(-10, 10)) for _ in range(k))
    assert_same(mnp.roll(m, shifts, axes), numpy.roll(n, shifts, axes))
    assert_same(mnp.roll(m, shifts[0]), numpy.roll(n, shifts[0]))


# ---- pad -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", SOME_DTYPES + ["uint8"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 2), (2, 3, 2)])
def test_pad_constant(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    nd = len(shape)
    widths = [0, 2, (1,), (1, 2), ((1, 2),), [[0, 1]] * nd, [[i, i + 1] for i in range(nd)],
              numpy.array([1, 3])]
    consts = [0, 7, (3,), (1, 2), ((1, 2),), [[i, 10 + i] for i in range(nd)], 2.5, True]
    for w in widths:
        if nd == 0 and isinstance(w, list) and not w:
            continue
        for c in consts:
            try:
                want = numpy.pad(n, w, constant_values=c)
            except (ValueError, TypeError):
                raises_like(lambda: mnp.pad(m, w, constant_values=c), lambda: numpy.pad(n, w, constant_values=c))
                continue
            assert_same(mnp.pad(m, w, constant_values=c), want)
    assert_same(mnp.pad(m, 1), numpy.pad(n, 1))


def test_pad_other_modes_and_errors():
    m, n = make((3, 4), "float64")
    for mode in ["edge", "reflect", "symmetric", "wrap", "maximum", "mean", "linear_ramp"]:
        assert_same(mnp.pad(m, (1, 2), mode=mode), numpy.pad(n, (1, 2), mode=mode))
    assert_same(mnp.pad(m, {0: 1, 1: (0, 2)}), numpy.pad(n, {0: 1, 1: (0, 2)}))
    raises_like(lambda: mnp.pad(m, -1), lambda: numpy.pad(n, -1))
    raises_like(lambda: mnp.pad(m, 1.5), lambda: numpy.pad(n, 1.5))
    raises_like(lambda: mnp.pad(m, ((1, 2), (3, 4), (5, 6))), lambda: numpy.pad(n, ((1, 2), (3, 4), (5, 6))))
    raises_like(lambda: mnp.pad(m, 1, end_values=3), lambda: numpy.pad(n, 1, end_values=3))
    raises_like(lambda: mnp.pad(m, 1, mode="nope"), lambda: numpy.pad(n, 1, mode="nope"))
    mi, ni = make((3, 2), "int8")
    raises_like(lambda: mnp.pad(mi, 1, constant_values=[[1000, 1], [2, 3]]),
                lambda: numpy.pad(ni, 1, constant_values=[[1000, 1], [2, 3]]))
    mu, nu = make((3,), "uint8")
    assert_same(mnp.pad(mu, 1, constant_values=300), numpy.pad(nu, 1, constant_values=300))


# ---- sort / argsort / searchsorted -----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0,), (1,), (9,), (4, 5), (2, 0, 3), (3, 4, 5)])
def test_sort(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    for axis in list(range(-len(shape), len(shape))) + [None]:
        for kind in [None, "stable", "quicksort", "mergesort", "heapsort"]:
            assert_same(mnp.sort(m, axis=axis, kind=kind), numpy.sort(n, axis=axis, kind=kind))
        assert_same(mnp.argsort(m, axis=axis, kind="stable"), numpy.argsort(n, axis=axis, kind="stable"))
        assert_same(mnp.argsort(m, axis=axis, stable=True), numpy.argsort(n, axis=axis, stable=True))


def test_sort_nan_and_complex_order():
    x = numpy.array([3.0, numpy.nan, -numpy.inf, 1.0, numpy.nan, numpy.inf, -2.0, 1.0])
    assert_same(mnp.sort(mnp.array(x)), numpy.sort(x))
    assert_same(mnp.argsort(mnp.array(x)), numpy.argsort(x, kind="stable"))
    nan = numpy.nan
    c = numpy.array([complex(nan, 1), complex(1, nan), complex(1, 2), complex(nan, nan), complex(1, -1),
                     complex(-1, 5), complex(nan, 0), complex(1, nan), complex(0, nan)])
    assert_same(mnp.sort(mnp.array(c)), numpy.sort(c))
    assert_same(mnp.argsort(mnp.array(c)), numpy.argsort(c, kind="stable"))
    h = numpy.array([1.5, nan, -0.5, 65504, -65504, nan], "float16")
    assert_same(mnp.sort(mnp.array(h)), numpy.sort(h))


def test_sort_inplace_method_on_views():
    base_n = values((4, 6), "float64")
    base_m = mnp.array(base_n)
    v_m, v_n = base_m[::-1, ::2], base_n[::-1, ::2]
    assert v_m.sort() is None
    v_n.sort()
    assert_same(base_m, base_n)
    v_m.sort(axis=0, kind="stable")
    v_n.sort(axis=0, kind="stable")
    assert_same(base_m, base_n)
    t_m, t_n = base_m.T, base_n.T
    t_m.sort(0)
    t_n.sort(0)
    assert_same(base_m, base_n)
    assert_same(base_m.argsort(axis=None), base_n.argsort(axis=None, kind="stable"))


def test_sort_errors():
    m, n = make((), "float64")
    raises_like(lambda: mnp.sort(m), lambda: numpy.sort(n))
    assert_same(mnp.sort(m, axis=None), numpy.sort(n, axis=None))
    assert_same(mnp.argsort(m), numpy.argsort(n))
    raises_like(lambda: mnp.argsort(m, axis=5), lambda: numpy.argsort(n, axis=5))
    m, n = make((3, 4), "float64")
    raises_like(lambda: mnp.sort(m, axis=2), lambda: numpy.sort(n, axis=2))
    raises_like(lambda: mnp.sort(m, kind="foo"), lambda: numpy.sort(n, kind="foo"))
    raises_like(lambda: mnp.sort(m, kind="stable", stable=True), lambda: numpy.sort(n, kind="stable", stable=True))
    raises_like(lambda: m.sort(axis=-3), lambda: n.sort(axis=-3))
    ro = mnp.broadcast_to(m[0], (2, 4))
    with pytest.raises(ValueError):
        ro.sort()


@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 6), min_size=1, max_size=3), data=st.data())
def test_sort_hypothesis(shape, data):
    dtype = data.draw(st.sampled_from(["int8", "uint32", "float32", "float64", "complex64"]))
    m, n = make(shape, dtype, data.draw(st.sampled_from(LAYOUTS)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    assert_same(mnp.sort(m, axis), numpy.sort(n, axis))
    assert_same(mnp.argsort(m, axis), numpy.argsort(n, axis, kind="stable"))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_sort_long_lanes_exact(dtype):
    """Lanes long enough for the radix path: ties, signed zeros, NaNs, infinities, extremes."""
    n = values((3, 1500), dtype)
    dt = numpy.dtype(dtype)
    if dt.kind in "iu":
        info = numpy.iinfo(dt)
        n[0, :4] = [info.min, info.max, 0, info.min]
    elif dt.kind == "f":
        n[0, :6] = [-0.0, 0.0, numpy.nan, -numpy.nan, -numpy.inf, numpy.finfo(dt).tiny]
        n[1, ::3] = -0.0
        n[1, 1::3] = 0.0
    m = mnp.array(n)
    for axis in [-1, 0, None]:
        got, want = mnp.sort(m, axis=axis, kind="stable"), numpy.sort(n, axis=axis, kind="stable")
        assert_same(got, want)
        if dt.kind == "f":
            assert (numpy.signbit(numpy.asarray(got)) == numpy.signbit(want)).all()
        assert_same(mnp.argsort(m, axis=axis), numpy.argsort(n, axis=axis, kind="stable"))
        assert_same(mnp.sort(m[:, ::-2], axis=axis), numpy.sort(n[:, ::-2], axis=axis))


def test_sort_large_parallel_lanes():
    n = RNG.standard_normal((64, 5000))
    n[3, 7] = numpy.nan
    m = mnp.array(n)
    assert_same(mnp.sort(m, axis=1), numpy.sort(n, axis=1))
    assert_same(mnp.sort(m, axis=0), numpy.sort(n, axis=0))
    assert_same(mnp.argsort(m, axis=1), numpy.argsort(n, axis=1, kind="stable"))
    big = RNG.integers(0, 1000, 200_000)
    assert_same(mnp.sort(mnp.array(big)), numpy.sort(big))
    assert_same(mnp.argsort(mnp.array(big)), numpy.argsort(big, kind="stable"))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_searchsorted(dtype):
    a_n = numpy.sort(values((12,), dtype))
    a_m = mnp.array(a_n)
    v_n = values((3, 5), dtype)
    v_m = mnp.array(v_n)
    for side in ["left", "right"]:
        assert_same(mnp.searchsorted(a_m, v_m, side=side), numpy.searchsorted(a_n, v_n, side=side))
        assert_same(a_m.searchsorted(v_m[0], side), a_n.searchsorted(v_n[0], side))
        assert_same(mnp.searchsorted(a_m[::-1][::-1], v_m.T, side), numpy.searchsorted(a_n, v_n.T, side))
        assert_same(mnp.searchsorted(a_m, v_m[:0], side), numpy.searchsorted(a_n, v_n[:0], side))
        assert_same(mnp.searchsorted(a_m[:0], v_m, side), numpy.searchsorted(a_n[:0], v_n, side))
    unsorted_n = values((10,), dtype)
    sorter_n = numpy.argsort(unsorted_n, kind="stable")
    for side in ["left", "right"]:
        assert_same(mnp.searchsorted(mnp.array(unsorted_n), v_m, side, sorter=mnp.array(sorter_n)),
                    numpy.searchsorted(unsorted_n, v_n, side, sorter=sorter_n))
        assert_same(mnp.searchsorted(mnp.array(unsorted_n), v_m, side, sorter=sorter_n.astype("int16")),
                    numpy.searchsorted(unsorted_n, v_n, side, sorter=sorter_n.astype("int16")))


def test_searchsorted_mixed_types_and_errors():
    a_n = numpy.array([1, 2, 3], "int8")
    a_m = mnp.array(a_n)
    for v in [0, 2, 1000, 1.5, -2.5, [1.5, 2], numpy.float32(2.5), True]:
        assert_same(mnp.searchsorted(a_m, v), numpy.asarray(numpy.searchsorted(a_n, v)))
    raises_like(lambda: mnp.searchsorted(mnp.ones((2, 2)), 1), lambda: numpy.searchsorted(numpy.ones((2, 2)), 1))
    raises_like(lambda: mnp.searchsorted(a_m, 1, side="x"), lambda: numpy.searchsorted(a_n, 1, side="x"))
    raises_like(lambda: mnp.searchsorted(a_m, 1, sorter=[0.0, 1, 2]),
                lambda: numpy.searchsorted(a_n, 1, sorter=numpy.array([0.0, 1, 2])))
    raises_like(lambda: mnp.searchsorted(a_m, 1, sorter=[0, 1]), lambda: numpy.searchsorted(a_n, 1, sorter=[0, 1]))
    raises_like(lambda: mnp.searchsorted(a_m, 1, sorter=[0, 5, 1]),
                lambda: numpy.searchsorted(a_n, 1, sorter=[0, 5, 1]))
    raises_like(lambda: mnp.searchsorted(a_m, 1, sorter=[0, -1, 2]),
                lambda: numpy.searchsorted(a_n, 1, sorter=[0, -1, 2]))
    # Like NumPy, only the visited sorter entries are checked.
    assert_same(mnp.searchsorted(a_m, 1, sorter=[0, 1, 5]), numpy.asarray(numpy.searchsorted(a_n, 1, sorter=[0, 1, 5])))


# ---- diff, tril/triu, meshgrid -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0,), (5,), (3, 4), (2, 3, 4)])
def test_diff(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    with numpy.errstate(all="ignore"):
        for axis in range(-len(shape), len(shape)):
            for k in [1, 2, 5]:
                assert_same(mnp.diff(m, k, axis), numpy.diff(n, k, axis))
        assert_same(mnp.diff(m, prepend=0), numpy.diff(n, prepend=0))
        extra_n = numpy.zeros(shape[:-1] + (2,), dtype)
        assert_same(mnp.diff(m, append=mnp.array(extra_n), prepend=1),
                    numpy.diff(n, append=extra_n, prepend=1))
    assert mnp.diff(m, 0) is m


def test_diff_errors():
    raises_like(lambda: mnp.diff(mnp.array(3)), lambda: numpy.diff(numpy.array(3)))
    raises_like(lambda: mnp.diff(mnp.ones(3), -1), lambda: numpy.diff(numpy.ones(3), -1))
    raises_like(lambda: mnp.diff(mnp.ones(3), axis=1), lambda: numpy.diff(numpy.ones(3), axis=1))
    raises_like(lambda: mnp.diff(mnp.ones(3), prepend=[[1]]), lambda: numpy.diff(numpy.ones(3), prepend=[[1]]))


@pytest.mark.parametrize("dtype", SOME_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0,), (4,), (3, 5), (5, 3), (2, 3, 4), (2, 0, 3)])
def test_tril_triu(dtype, layout, shape):
    m, n = make(shape, dtype, layout)
    for k in [-10, -2, -1, 0, 1, 3, 10, 2**62, -(2**62)]:
        assert_same(mnp.tril(m, k), numpy.tril(n, k))
        assert_same(mnp.triu(m, k=k), numpy.triu(n, k=k))
    raises_like(lambda: mnp.tril(mnp.array(1)), lambda: numpy.tril(numpy.array(1)))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("copy", [False, True])
def test_meshgrid(indexing, sparse, copy):
    xs_n = [values((3,), "float32"), values((4,), "int16"), values((2,), "float64")]
    xs_m = [mnp.array(x) for x in xs_n]
    for k in range(4):
        got = mnp.meshgrid(*xs_m[:k], indexing=indexing, sparse=sparse, copy=copy)
        want = numpy.meshgrid(*xs_n[:k], indexing=indexing, sparse=sparse, copy=copy)
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
    raises_like(lambda: mnp.meshgrid([1], indexing="x"), lambda: numpy.meshgrid([1], indexing="x"))


# ---- clip / round ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_clip(dtype):
    m, n = make((3, 4), dtype, "T")
    if numpy.dtype(dtype).kind == "c":
        bounds = [(-1, 1)]
    else:
        bounds = [(-1, 1), (None, 2), (-2, None), (None, None), (2, -2), (1.5, 3), (-1000, 1000),
                  (numpy.array([0, 1, 2, 3], dtype), 3)]
    with numpy.errstate(all="ignore"):
        for lo, hi in bounds:
            same_or_raises(lambda: mnp.clip(m, lo, hi), lambda: numpy.clip(n, lo, hi))
            same_or_raises(lambda: m.clip(lo, hi), lambda: n.clip(lo, hi))
            same_or_raises(lambda: m.clip(min=lo), lambda: n.clip(min=lo))
            same_or_raises(lambda: mnp.clip(m, min=lo, max=hi), lambda: numpy.clip(n, min=lo, max=hi))


def test_clip_out_and_errors():
    m, n = make((5,), "float64")
    out_m, out_n = mnp.zeros(5, "float32"), numpy.zeros(5, "float32")
    r = mnp.clip(m, 0, 1, out=out_m, casting="unsafe")
    numpy.clip(n, 0, 1, out=out_n, casting="unsafe")
    assert r is out_m
    assert_same(out_m, out_n)
    mi, ni = make((5,), "int64")
    same_or_raises(lambda: mnp.clip(mi, 0.5, 1, out=mi), lambda: numpy.clip(ni, 0.5, 1, out=ni))
    raises_like(lambda: mnp.clip(m, 1, max=2), lambda: numpy.clip(n, 1, max=2))
    raises_like(lambda: mnp.clip(m, a_max=1), lambda: numpy.clip(n, a_max=1))
    raises_like(lambda: mnp.clip(m, 1, 2, min=0), lambda: numpy.clip(n, 1, 2, min=0))
    mnp.clip(m, 0, 1, out=m)
    numpy.clip(n, 0, 1, out=n)
    assert_same(m, n)


@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d != "bool"])
@pytest.mark.parametrize("decimals", [-3, -1, 0, 1, 2, 5])
def test_round(dtype, decimals):
    n = values((4, 5), dtype)
    if numpy.dtype(dtype).kind in "fc":
        with numpy.errstate(all="ignore"):
            n = (n * 1.37).astype(dtype)
    elif numpy.dtype(dtype).itemsize > 1:
        n = (n * 37).astype(dtype)
    m = mnp.array(n)
    with numpy.errstate(all="ignore"):
        assert_same(mnp.round(m, decimals), numpy.round(n, decimals))
        assert_same(mnp.around(m[::-1].T, decimals), numpy.around(n[::-1].T, decimals))
        assert_same(m.round(decimals), n.round(decimals))
        out_m, out_n = mnp.zeros((4, 5), dtype), numpy.zeros((4, 5), dtype)
        # NumPy refuses an integer out= for negative decimals (true_divide's output cast).
        same_or_raises(lambda: mnp.round(m, decimals, out=out_m), lambda: numpy.round(n, decimals, out=out_n))
        assert_same(out_m, out_n)
    r = mnp.round(m, decimals)
    assert not mnp.may_share_memory(r, m)


def test_round_bool_and_halfway():
    b_n = numpy.array([True, False])
    assert_same(mnp.round(mnp.array(b_n)), numpy.round(b_n))
    same_or_raises(lambda: mnp.round(mnp.array(b_n), 1), lambda: numpy.round(b_n, 1))
    x = numpy.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 0.375, 1e300, numpy.nan, -numpy.inf])
    for d in [0, 1, 2, 3, -1]:
        assert_same(mnp.round(mnp.array(x), d), numpy.round(x, d))
    assert_same(mnp.round(mnp.array([15, 25, 35], "uint8"), -1), numpy.round(numpy.array([15, 25, 35], "uint8"), -1))
    raises_like(lambda: mnp.round(mnp.ones(2), 1.5), lambda: numpy.round(numpy.ones(2), 1.5))


# ---- hypothesis: joins ---------------------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4), data=st.data())
def test_concatenate_hypothesis(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 4))
    ms, ns = [], []
    for _ in range(k):
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 3))
        m, n = make(s, data.draw(st.sampled_from(["int16", "float32", "uint8"])), data.draw(st.sampled_from(LAYOUTS)))
        ms.append(m)
        ns.append(n)
    assert_same(mnp.concatenate(ms, axis), numpy.concatenate(ns, axis))
    assert_same(mnp.concatenate(ms, None), numpy.concatenate(ns, None))


def test_numpy_functions_dispatch_to_native_ops():
    """np.<fn>(minpy array) runs minpy's native op (no fallback) and returns minpy arrays."""
    m, n = make((3, 4), "float64", "T")
    mnp.record_op_stat(True)
    mnp.reset_op_stat()
    try:
        with mnp.fallback_policy("raise"):
            assert_same(numpy.concatenate([m, m]), numpy.concatenate([n, n]))
            assert_same(numpy.sort(m, axis=0), numpy.sort(n, axis=0))
            assert_same(numpy.flip(m), numpy.flip(n))
            assert_same(numpy.pad(m, 1), numpy.pad(n, 1))
            assert_same(numpy.clip(m, 0, 1), numpy.clip(n, 0, 1))
        stats = mnp.op_stat()
        for name in ("concatenate", "sort", "flip", "pad"):
            assert stats[name][0] >= 1 and stats[name][1] == 0
        assert_same(mnp.pad(m, 1, mode="edge"), numpy.pad(n, 1, mode="edge"))
        assert mnp.op_stat()["pad"][1] == 1  # the non-constant mode went to NumPy
    finally:
        mnp.record_op_stat(False)


# ---- fuzzer findings (tools/fuzz.py --strict) ------------------------------------------------------

_AXIS_VALUES = [True, numpy.True_, 1.0, "0", 2**31, -2**31 - 1, -2**63, 2**63, 5, numpy.int64(1)]


def _axis_calls(lib):
    a = lib.zeros((2, 3))
    return {
        # C-level axis (PyArray_AxisConverter): bools TypeError, beyond a C int ValueError
        "concatenate": lambda ax: lib.concatenate([a, a], axis=ax),
        "repeat": lambda ax: lib.repeat(a, 1, axis=ax),
        "argsort": lambda ax: lib.argsort(a, axis=ax),
        "a.repeat": lambda ax: a.repeat(1, axis=ax),
        "squeeze": lambda ax: lib.squeeze(lib.zeros((1, 3)), ax),
        # Python-level axis (normalize_axis_index): bools are ints, beyond a C int OverflowError
        "stack": lambda ax: lib.stack([a, a], axis=ax),
        "sort": lambda ax: lib.sort(a, axis=ax),
        "a.sort": lambda ax: a.copy().sort(axis=ax),
        "flip": lambda ax: lib.flip(a, axis=ax),
        "roll": lambda ax: lib.roll(a, 1, axis=ax),
        "diff": lambda ax: lib.diff(a, axis=ax),
        "swapaxes": lambda ax: lib.swapaxes(a, 0, ax),
        "diagonal": lambda ax: lib.diagonal(a, 0, 0, ax),
    }


@pytest.mark.parametrize("name", sorted(_axis_calls(numpy)))
@pytest.mark.parametrize("ax", _AXIS_VALUES, ids=repr)
def test_axis_argument_classes(name, ax):
    want_fn, got_fn = _axis_calls(numpy)[name], _axis_calls(mnp)[name]
    try:
        want = want_fn(ax)
    except Exception:
        raises_like(lambda: got_fn(ax), lambda: want_fn(ax))
        return
    assert_same(got_fn(ax), want)


def test_stack_promotes_all_inputs_at_once():
    """Pairwise promotion is not associative: uint16, int16, float16 is float32 (not float64)."""
    xs = [numpy.ones((), "uint16"), numpy.ones((), "int16"), numpy.ones((), "float16")]
    assert_same(mnp.stack([mnp.asarray(x) for x in xs]), numpy.stack(xs))
    xs1 = [x.reshape(1) for x in xs]
    assert_same(mnp.concatenate([mnp.asarray(x) for x in xs1]), numpy.concatenate(xs1))


@pytest.mark.parametrize("shape", [(), (3,), (0,), (2, 3)])
def test_transpose_wrong_axes_count(shape):
    x = numpy.zeros(shape)
    for axes in [(), (0,), (1, 0)]:
        try:
            want = numpy.transpose(x, axes)
        except ValueError:
            raises_like(lambda: mnp.transpose(mnp.asarray(x), axes), lambda: numpy.transpose(x, axes))
            raises_like(lambda: mnp.asarray(x).transpose(axes), lambda: x.transpose(axes))
            continue
        assert_same(mnp.transpose(mnp.asarray(x), axes), want)


@pytest.mark.parametrize("axis", [0, -1, 1, (0,)])
def test_squeeze_0d_axis(axis):
    """A single int axis 0 or -1 on a 0-d array is accepted (a tuple is not)."""
    z = numpy.array(5.0)
    try:
        want = numpy.squeeze(z, axis)
    except Exception:
        raises_like(lambda: mnp.squeeze(mnp.asarray(z), axis), lambda: numpy.squeeze(z, axis))
        return
    assert_same(mnp.squeeze(mnp.asarray(z), axis), want)


@pytest.mark.parametrize("v", [10**30, 2**64, -2**63 - 1, 5])
@pytest.mark.parametrize("dtype", ["complex128", "complex64", "float64"])
def test_searchsorted_wide_python_int(v, dtype):
    # Fuzzer find (issue 5): NumPy searches an object array; complex and int do not order.
    a = numpy.array([1, 2, 3], dtype)
    same_or_raises(lambda: mnp.searchsorted(mnp.asarray(a), v, side="right"),
                   lambda: numpy.searchsorted(a, v, side="right"))
    same_or_raises(lambda: mnp.asarray(a).searchsorted(v), lambda: a.searchsorted(v))
