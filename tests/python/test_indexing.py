"""Advanced indexing, setitem, ufunc.at and selection functions, differential against NumPy."""
import warnings
import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as mnp
from conftest import ALL_DTYPES, assert_same, raises_like


class _Key:
    def __getitem__(self, key):
        return key


K = _Key()
B3 = numpy.array([True, False, True])
B34 = numpy.arange(12).reshape(3, 4) % 3 == 0
B45 = numpy.arange(20).reshape(4, 5) % 4 == 1

# Index forms over a (3, 4, 5) base; the 4-d base (2, 3, 4, 5) reuses them with a leading axis.
CASES = [
    K[1], K[-1], K[1, 2], K[1, 2, 3], K[1:3], K[::-1], K[::2, 1], K[..., 1], K[None], K[:, None, 1],
    K[[0, 2]], K[[2, 0, 2, 1]], K[[-1, -3]], K[[[0, 1], [2, 0]]], K[numpy.array([1, 2], numpy.int8)],
    K[numpy.array([1], numpy.uint16)], K[numpy.array([0, 1], numpy.uint64)], K[numpy.array(1)],
    K[:, [0, 3]], K[:, :, [4, 0, 4]], K[[0, 1], [1, 2]], K[[0, 1], [1, 2], [3, 4]], K[[0, 1], :, [1, 2]],
    K[[[0], [2]], [1, 3]], K[1, [0, 1]], K[1, :, [0, 1]], K[:, 1, [0, 1]], K[[0, 2], 1, [0, 1]],
    K[[0, 1], ..., [0, 1]], K[..., [0, 1]], K[None, [0, 1]], K[[0, 1], None], K[[0, 1], None, [0, 1]],
    K[1:, [0, 1], ::2], K[::-1, [0, 1], [1, 0]], K[[0, 1], ::-2, [[1], [0]]], K[B3], K[B3, 1], K[B3, :, 2],
    K[:, [True, False, True, False]], K[B34], K[1, B45], K[B3, [0, 1]], K[B34, [0, 4, 1, 2]],
    K[True], K[False], K[..., True], K[1, True], K[[0, 1], True], K[:, True, [0, 1]], K[numpy.True_],
    K[[]], K[[[]]], K[numpy.array([], numpy.int64)], K[[1, -1], [0, -1], [-5, 4]],
    K[numpy.array([[1]]), numpy.array([[0, 1, 2]]), :], K[[0, 0, 0]],
    # errors
    K[3], K[[3]], K[:, [-5]], K[[0, 1], [0, 1, 2]], K[[True, False]], K[B45], K[1.0], K[[1.0]],
    K[numpy.array([1.0])], K["a"], K[..., ...], K[0, 0, 0, 0], K[[0], [0], [0], [0]], K[::0],
    K[B34, B34], K[[0, 1], :, :, None, 0],
]
IDS = [str(i) for i in range(len(CASES))]


def bases():
    """(name, numpy array, minpy array) with the same values and layout kinds."""
    x = numpy.arange(60).reshape(3, 4, 5)
    m = mnp.asarray(x)
    yield "c3", x, m
    big = numpy.arange(2 * 6 * 4 * 10).reshape(6, 4, 2, 10) * 3
    mb = mnp.asarray(big)
    yield "strided", big[::2, :, 1, ::-2], mb[::2, :, 1, ::-2]
    t = numpy.arange(60).reshape(5, 4, 3)
    yield "transposed", t.transpose(2, 1, 0), mnp.asarray(t).transpose(2, 1, 0)


def _mp_key(key):
    """The same key with NumPy index arrays replaced by minpy arrays (0-d ones stay NumPy)."""
    def conv(k):
        if isinstance(k, numpy.ndarray) and k.ndim > 0:
            return mnp.asarray(k)
        return k
    return tuple(conv(k) for k in key) if isinstance(key, tuple) else conv(key)


def _check_get(x, m, key, mkey=None):
    """m[mkey] matches x[key] (mkey: the same index with minpy arrays; NumPy itself would read a
    foreign empty array as an integer index, so the NumPy side always gets NumPy arrays)."""
    mkey = key if mkey is None else mkey
    try:
        want = x[key]
    except Exception as e:
        with pytest.raises(type(e)):
            m[mkey]
        return None
    got = m[mkey]
    assert_same(got, want)
    return want


@pytest.mark.parametrize("key", CASES, ids=IDS)
def test_getitem_table(key):
    for name, x, m in bases():
        _check_get(x, m, key)
        _check_get(x, m, key, _mp_key(key))
    x4 = numpy.arange(120).reshape(2, 3, 4, 5)
    m4 = mnp.asarray(x4)
    k4 = (1,) + key if isinstance(key, tuple) else (slice(None), key)
    _check_get(x4, m4, k4)
    _check_get(x4[:, ::-1, :, 1::2], m4[:, ::-1, :, 1::2], k4)


@pytest.mark.parametrize("key", CASES, ids=IDS)
def test_setitem_table(key):
    for name, x0, m0 in bases():
        x, m = x0.copy(), mnp.asarray(x0)
        try:
            shape = x[key].shape
        except Exception as e:
            with pytest.raises(type(e)):
                m[key] = 1
            continue
        vals = numpy.arange(int(numpy.prod(shape))).reshape(shape) * 7 + 1000
        x[key] = vals
        m[key] = mnp.asarray(vals)
        assert_same(m, x)
        x[key] = -3
        m[key] = -3
        assert_same(m, x)
        if len(shape) >= 1:  # broadcast along the last dimension
            row = numpy.arange(shape[-1]) + 500
            x[key] = row
            m[key] = row.tolist()
            assert_same(m, x)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dtypes(dtype):
    x = (numpy.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    m = mnp.asarray(x)
    for key in [K[[1, 0]], K[x.astype(bool)], K[:, [2, 0], 1], K[[0, 1], :, [3, 3]]]:
        assert_same(m[key], x[key])
        x2, m2 = x.copy(), mnp.asarray(x)
        x2[key] = x[0, 0, 1]
        m2[key] = mnp.asarray(x[0, 0, 1])
        assert_same(m2, x2)


def test_results_are_copies_and_basic_views_alias():
    x = numpy.arange(12).reshape(3, 4)
    m = mnp.asarray(x)
    r = m[[0, 1]]
    r[0, 0] = 99
    assert m[0, 0] == 0
    assert m[m > 100].base is None
    v = m[1:, ::2]
    assert v.base is m
    v[0, 1] = 77
    x[1:, ::2][0, 1] = 77
    assert_same(m, x)
    w = m[..., None][1]
    w[2, 0] = -1
    x[1, 2] = -1
    assert_same(m, x)


def test_error_messages():
    m = mnp.asarray(numpy.arange(3))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 3"):
        m[[0, 5]]
    with pytest.raises(IndexError, match="index -4 is out of bounds for axis 1 with size 3"):
        mnp.zeros((2, 3))[:, [-4]]
    with pytest.raises(IndexError, match="arrays used as indices must be of integer"):
        m[numpy.array([1.0])]
    with pytest.raises(IndexError, match="boolean index did not match"):
        m[[True, False]]


def test_setitem_casting_and_overflow():
    raises_like(lambda: mnp.zeros(3, "int8").__setitem__([0], 300),
                lambda: numpy.zeros(3, "int8").__setitem__([0], 300))
    raises_like(lambda: mnp.zeros(3, "int8").__setitem__([0], [300]),
                lambda: numpy.zeros(3, "int8").__setitem__([0], [300]))
    x, m = numpy.zeros(4, "int16"), mnp.zeros(4, "int16")
    x[[1, 2]] = numpy.array([1.7, -2.9])
    m[[1, 2]] = mnp.asarray([1.7, -2.9])
    assert_same(m, x)
    x[x == 0] = 2.5
    m[m == 0] = 2.5
    assert_same(m, x)
    raises_like(lambda: mnp.zeros(3).__setitem__([0, 1], [1, 2, 3]),
                lambda: numpy.zeros(3).__setitem__([0, 1], [1, 2, 3]))


def test_repeated_indices_and_iadd():
    x = numpy.zeros(5)
    m = mnp.zeros(5)
    idx = [0, 1, 1, 3, 1]
    x[idx] = [1, 2, 3, 4, 5]
    m[idx] = [1, 2, 3, 4, 5]
    assert_same(m, x)  # last write wins
    x[idx] += 10
    m[idx] += 10
    assert_same(m, x)  # no accumulation on repeats
    xm = numpy.arange(12).reshape(3, 4)
    mm = mnp.asarray(xm)
    xm[[0, 0, 2], 1:] *= 3
    mm[[0, 0, 2], 1:] *= 3
    assert_same(mm, xm)
    xm[xm > 5] -= 100
    mm[mm > 5] -= 100
    assert_same(mm, xm)


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "maximum", "minimum", "bitwise_or",
                                  "power", "true_divide"])
def test_ufunc_at(name):
    for dtype in ["int8", "int64", "float32", "float64", "complex128", "uint16"]:
        if name == "bitwise_or" and dtype[0] in "fc":
            continue
        x = (numpy.arange(12).reshape(3, 4) % 5 + 1).astype(dtype)
        for idx, b in [([0, 1, 0, 0], 2), ((K[[0, 2, 0]], K[[1, 1, 1]]), numpy.array([2, 3, 1], dtype)),
                       (K[:, [3, 3]], numpy.arange(1, 3)), (K[1:, 2], 1.5), (K[x > 2], 1)]:
            idx = tuple(idx) if isinstance(idx, tuple) and isinstance(idx[0], list) else idx
            xx, mm = x.copy(), mnp.asarray(x)
            try:
                with numpy.errstate(all="ignore"):
                    getattr(numpy, name).at(xx, idx, b)
            except Exception as e:
                with pytest.raises(type(e)):
                    getattr(mnp, name).at(mm, idx, b)
                continue
            getattr(mnp, name).at(mm, idx, b)
            assert_same(mm, xx, rtol=1e-6 if dtype[0] in "fc" else None)


def test_ufunc_at_more():
    x = numpy.zeros(4)
    m = mnp.zeros(4)
    numpy.negative.at(x := numpy.arange(4.0), [0, 0, 1])
    m = mnp.arange(4.0) if hasattr(mnp, "arange") else mnp.asarray(numpy.arange(4.0))
    mnp.negative.at(m, [0, 0, 1])
    assert_same(m, x)
    raises_like(lambda: mnp.add.at(mnp.zeros(3), [0]), lambda: numpy.add.at(numpy.zeros(3), [0]))
    raises_like(lambda: mnp.add.at(mnp.zeros(3), [0, 1], mnp.ones(3)),
                lambda: numpy.add.at(numpy.zeros(3), [0, 1], numpy.ones(3)))
    raises_like(lambda: mnp.add.at(mnp.zeros(3), [5], 1), lambda: numpy.add.at(numpy.zeros(3), [5], 1))
    ro = mnp.broadcast_to(mnp.zeros(3), (2, 3))
    with pytest.raises(ValueError):
        mnp.add.at(ro, [0], 1)
    x8, m8 = numpy.zeros(3, "int8"), mnp.zeros(3, "int8")
    numpy.add.at(x8, [0, 0, 0], 300)
    mnp.add.at(m8, [0, 0, 0], 300)
    assert_same(m8, x8)
    # a histogram: many repeats
    idx = numpy.random.default_rng(0).integers(0, 7, 1000)
    h, hm = numpy.zeros(7, "int64"), mnp.zeros(7, "int64")
    numpy.add.at(h, idx, 1)
    mnp.add.at(hm, mnp.asarray(idx), 1)
    assert_same(hm, h)


def test_overlapping_setitem():
    x = numpy.arange(10)
    m = mnp.asarray(x)
    x[1:] = x[:-1]
    m[1:] = m[:-1]
    assert_same(m, x)
    x[[0, 2, 4, 6]] = x[3:7]
    m[[0, 2, 4, 6]] = m[3:7]
    assert_same(m, x)
    x[x > 3] = x[::-1][x > 3]
    m[m > 3] = m[::-1][m > 3]
    assert_same(m, x)


def test_read_only():
    ro = mnp.broadcast_to(mnp.zeros(3), (2, 3))
    for key in [0, K[:, 1], [0, 1], K[ro > 0]]:
        with pytest.raises(ValueError):
            ro[key] = 1
    with pytest.raises(ValueError):
        mnp.put(ro, [0], 1)


# ---- hypothesis: random index tuples ----
@st.composite
def index_tuples(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    items = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "intarr", "bool", "mask"]))
        if kind == "int":
            items.append(draw(st.integers(-5, 5)))
        elif kind == "slice":
            items.append(slice(draw(st.none() | st.integers(-6, 6)), draw(st.none() | st.integers(-6, 6)),
                               draw(st.none() | st.integers(-3, 3).filter(lambda s: s != 0))))
        elif kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            items.append(Ellipsis)
        elif kind == "intarr":
            ishape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
            vals = draw(st.lists(st.integers(-5, 4), min_size=int(numpy.prod(ishape)),
                                 max_size=int(numpy.prod(ishape))))
            items.append(numpy.array(vals, dtype=draw(st.sampled_from(["int64", "int32", "uint8"])) if
                                     min(vals, default=0) >= 0 else "int64").reshape(ishape))
        elif kind == "bool":
            items.append(draw(st.booleans()))
        else:
            start = draw(st.integers(0, max(len(shape), 0)))
            mshape = shape[start:start + draw(st.integers(1, 2))] or (draw(st.integers(0, 3)),)
            if draw(st.integers(0, 5)) == 0:
                mshape = mshape[:-1] + (mshape[-1] + 1,)
            n = int(numpy.prod(mshape))
            items.append(numpy.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool).reshape(mshape))
    return shape, tuple(items)


@settings(max_examples=50, deadline=None)
@given(index_tuples())
def test_hypothesis_getitem(case):
    shape, key = case
    x = numpy.arange(int(numpy.prod(shape)), dtype="int32").reshape(shape)
    _check_get(x, mnp.asarray(x), key)
    _check_get(x, mnp.asarray(x), key, _mp_key(key))


@settings(max_examples=50, deadline=None)
@given(index_tuples())
def test_hypothesis_setitem(case):
    shape, key = case
    x = numpy.arange(int(numpy.prod(shape)), dtype="float32").reshape(shape)
    m = mnp.asarray(x)
    try:
        rshape = x[key].shape
    except Exception as e:
        with pytest.raises(type(e)):
            m[key] = 0
        return
    vals = numpy.arange(int(numpy.prod(rshape)), dtype="float64").reshape(rshape) + 0.5
    x[key] = vals
    m[key] = mnp.asarray(vals)
    assert_same(m, x)


# ---- selection functions ----
def test_take():
    x = numpy.arange(24).reshape(2, 3, 4)
    m = mnp.asarray(x)
    for args in [([0, 5, -1],), ([[0, 1], [2, 3]], 1), (2, 2), ([], 0), ([1, 7, -9], 2, None, "wrap"),
                 ([1, 7, -9], 2, None, "clip"), ([3], 1), ([0.0, 1.0], 0), ([True, False],)]:
        try:
            want = numpy.take(x, *args)
        except Exception as e:
            with pytest.raises(type(e)):
                mnp.take(m, *args)
            continue
        assert_same(mnp.take(m, *args), want)
        assert_same(m.take(*args), x.take(*args))
    out = mnp.zeros((2, 2, 4), "int64")
    r = mnp.take(m, [1, 0], axis=1, out=out)
    assert r is out
    assert_same(out, numpy.take(x, [1, 0], axis=1))
    raises_like(lambda: mnp.take(mnp.zeros(0), [0], mode="clip"), lambda: numpy.take(numpy.zeros(0), [0], mode="clip"))
    raises_like(lambda: mnp.take(m, [0], axis=3), lambda: numpy.take(x, [0], axis=3))


def test_take_along_axis():
    x = numpy.random.default_rng(1).random((3, 4, 5))
    m = mnp.asarray(x)
    for axis in [0, 1, 2, -1]:
        idx = numpy.argsort(x, axis=axis)
        assert_same(mnp.take_along_axis(m, mnp.asarray(idx), axis), numpy.take_along_axis(x, idx, axis))
        i1 = numpy.take(idx, [0], axis=axis)
        assert_same(mnp.take_along_axis(m, i1, axis), numpy.take_along_axis(x, i1, axis))
    flat = numpy.array([5, 0, 59])
    assert_same(mnp.take_along_axis(m, flat, None), numpy.take_along_axis(x, flat, None))
    raises_like(lambda: mnp.take_along_axis(m, numpy.zeros((3, 4), int), 0),
                lambda: numpy.take_along_axis(x, numpy.zeros((3, 4), int), 0))
    raises_like(lambda: mnp.take_along_axis(m, numpy.zeros((3, 4, 5)), 0),
                lambda: numpy.take_along_axis(x, numpy.zeros((3, 4, 5)), 0))


def test_put():
    for mode in ["raise", "wrap", "clip"]:
        for ind, v in [([0, 2, 2], [9, 8, 7]), ([1, -1, 30], [5]), ([[0, 1]], [4, 5, 6]), ([3], [])]:
            x = numpy.arange(12).reshape(3, 4)
            m = mnp.asarray(x)
            try:
                numpy.put(x, ind, v, mode=mode)
            except Exception as e:
                with pytest.raises(type(e)):
                    mnp.put(m, ind, v, mode=mode)
                continue
            mnp.put(m, ind, v, mode=mode)
            assert_same(m, x)
    x = numpy.arange(12).reshape(3, 4).T
    m = mnp.asarray(numpy.arange(12).reshape(3, 4)).T
    x.put([0, 1, 5], [-1, -2, -3])
    m.put([0, 1, 5], [-1, -2, -3])
    assert_same(m, x)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_nonzero_argwhere(dtype):
    rng = numpy.random.default_rng(2)
    for shape in [(7,), (3, 4), (2, 3, 4), (0, 3), (5,)]:
        x = (rng.integers(0, 3, shape) * (rng.random(shape) > 0.3)).astype(dtype)
        m = mnp.asarray(x)
        assert_same(mnp.nonzero(m), numpy.nonzero(x))
        assert_same(m.nonzero(), x.nonzero())
        assert_same(mnp.argwhere(m), numpy.argwhere(x))
        assert_same(mnp.flatnonzero(m), numpy.flatnonzero(x))
        assert_same(mnp.where(m), numpy.where(x))
        if x.ndim == 2:
            assert_same(mnp.nonzero(m.T), numpy.nonzero(x.T))
    assert_same(mnp.argwhere(mnp.asarray(3)), numpy.argwhere(numpy.array(3)))
    assert_same(mnp.flatnonzero(mnp.asarray(0)), numpy.flatnonzero(numpy.array(0)))
    raises_like(lambda: mnp.nonzero(mnp.asarray(1)), lambda: numpy.nonzero(numpy.array(1)))


@pytest.mark.parametrize("xd", ["bool", "int8", "uint8", "int64", "float16", "float32", "complex64"])
@pytest.mark.parametrize("yv", [0, 300, -1, 2.5, True, 1j, "int16", "float64", "uint64"])
def test_where(xd, yv):
    c = numpy.array([[True], [False]])
    x = (numpy.arange(3) + 1).astype(xd)
    y = numpy.array([7, 0, 1]).astype(yv) if isinstance(yv, str) else yv
    with numpy.errstate(all="ignore"):
        want = numpy.where(c, x, y)
    got = mnp.where(mnp.asarray(c), mnp.asarray(x), mnp.asarray(y) if isinstance(y, numpy.ndarray) else y)
    assert_same(got, want)
    assert_same(mnp.where(mnp.asarray(x), 1, 2.0), numpy.where(x, 1, 2.0))
    raises_like(lambda: mnp.where(mnp.asarray([True, False]), mnp.asarray(x), 1),
                lambda: numpy.where([True, False], x, 1))
    raises_like(lambda: mnp.where(mnp.asarray(c), x), lambda: numpy.where(c, x))


def test_compress_extract_place_putmask():
    x = numpy.arange(12).reshape(3, 4)
    m = mnp.asarray(x)
    for cond, axis in [([1, 0, 1], 0), ([True, False], 1), ([0, 1, 1, 0, 1], None), ([[1]], 0),
                       ([0, 0, 0, 1], 0)]:
        try:
            want = numpy.compress(cond, x, axis)
        except Exception as e:
            with pytest.raises(type(e)):
                mnp.compress(cond, m, axis)
            continue
        assert_same(mnp.compress(cond, m, axis), want)
        assert_same(m.compress(cond, axis), x.compress(cond, axis))
    assert_same(mnp.extract(m % 3 == 0, m), numpy.extract(x % 3 == 0, x))
    for vals in [[10, 20], [5], []]:
        for fn in ["place", "putmask"]:
            xx, mm = x.copy(), mnp.asarray(x)
            try:
                getattr(numpy, fn)(xx, xx % 5 == 1, vals)
            except Exception as e:
                with pytest.raises(type(e)):
                    getattr(mnp, fn)(mm, mm % 5 == 1, vals)
                continue
            getattr(mnp, fn)(mm, mm % 5 == 1, vals)
            assert_same(mm, xx)
    raises_like(lambda: mnp.putmask(mnp.zeros(3), mnp.asarray([True]), 1),
                lambda: numpy.putmask(numpy.zeros(3), [True], 1))


# ---- found by the differential fuzzer (tests/python/fuzz_ops.py) ----

def test_advanced_getitem_zero_size_rows_with_negative_strides():
    """a[int_array] on a (5, 0) view of a reversed array: rows have no bytes (once a negative
    memcpy size from strides[0] and heap corruption)."""
    a = numpy.zeros((5, 1), "uint16")[::-1, ::-1][:, 0:0]
    m = mnp.zeros((5, 1), "uint16")[::-1, ::-1][:, 0:0]
    for idx in ([3, 3], numpy.array([0, -1], "int8"), numpy.array([], "int64")):
        assert_same(m[mnp.array(numpy.asarray(idx))], a[numpy.asarray(idx)])
    raises_like(lambda: m[mnp.array([7])], lambda: a[numpy.array([7])])


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint8", "uint32", "uint64", "float32", "bool", "complex64"])
@pytest.mark.parametrize("value", [numpy.nan, numpy.inf, -numpy.inf, 1e30, 300.0, -1.0, 255.9, -0.5, 1j, 2.5 + 0j,
                                   numpy.float64(numpy.inf), numpy.float32(numpy.nan), numpy.float64(-5.0),
                                   numpy.float32(1e10), numpy.complex128(1j)])
def test_setitem_and_fill_python_scalar_rules(dtype, value):
    """NumPy stores a Python float into an integer dtype through int() (NaN: ValueError, inf and
    out-of-range: OverflowError) and a Python complex into a real dtype not at all (TypeError)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in (1, slice(None), [0, 2]):
            a, m = numpy.zeros(3, dtype), mnp.zeros(3, dtype)

            def np_set():
                a[key] = value

            def mp_set():
                m[key] = value
            try:
                np_set()
            except Exception:  # noqa: BLE001
                raises_like(mp_set, np_set)
                continue
            mp_set()
            if not (numpy.dtype(dtype).kind == "u" and isinstance(value, numpy.floating)):
                assert_same(m, a)  # NumPy float scalars into unsigned dtypes are C casts: no values
        a, m = numpy.zeros(3, dtype), mnp.zeros(3, dtype)
        try:
            a.fill(value)
        except Exception:  # noqa: BLE001
            raises_like(lambda: m.fill(value), lambda: a.fill(value))


def test_setitem_bad_value_after_bad_index():
    raises_like(lambda: mnp.zeros(3, "int64").__setitem__(7, numpy.nan),
                lambda: numpy.zeros(3, "int64").__setitem__(7, numpy.nan))


@pytest.mark.parametrize("key", [2**63, -2**63 - 1, 2**64, (0, 2**63), (0, 2**64), numpy.uint64(2**63),
                                 (slice(None), 2**63)])
def test_getitem_huge_python_ints(key):
    """[2**63, 2**64) fails NumPy's C-long conversion (OverflowError); beyond that IndexError."""
    raises_like(lambda: mnp.zeros((5, 5))[key], lambda: numpy.zeros((5, 5))[key])
    raises_like(lambda: mnp.zeros((5, 5)).__setitem__(key, 1), lambda: numpy.zeros((5, 5)).__setitem__(key, 1))


@pytest.mark.parametrize("key", [K[[0, 1], -1, ::-(10**30)], K[[1], ::2**63 - 1], K[::-(2**63), [0]],
                                 K[..., 10**20::-(10**20), [[0], [1]]], K[[0], 5:0:-(2**62)]])
def test_huge_slice_steps_with_index_arrays(key):
    """A slice step near 2**63 beside an index array (the advanced path's view stride wraps like the
    basic one's instead of overflowing int64: found by the fuzzer under UBSan)."""
    a = numpy.arange(2 * 3 * 4, dtype=numpy.int32).reshape(2, 3, 4)[:, ::-1, ::2]
    m = mnp.array(a)
    assert_same(m[key], a[key])
    n, mm = a.copy(), mnp.array(a)
    n[key] = -7
    mm[key] = -7
    assert_same(mm, n)


@pytest.mark.parametrize("key", [(0, 1, slice(None, None, 0), 1), (slice(None, None, 0),), (slice(1, 2, 0), None, 0),
                                 (Ellipsis, slice(None, None, 0)), (0, 0, 0, slice(0, 0, 0))])
def test_zero_slice_step_after_index_count(key):
    """NumPy counts the indices (too many: IndexError) before a zero step (ValueError)."""
    for shape in ((2, 3), ()):
        raises_like(lambda: mnp.zeros(shape)[key], lambda: numpy.zeros(shape)[key])
        raises_like(lambda: mnp.zeros(shape).__setitem__(key, 1), lambda: numpy.zeros(shape).__setitem__(key, 1))


@pytest.mark.parametrize("key", [(None, False, Ellipsis, 0), (0, Ellipsis, [0]), ([0], None, [0]), (True, Ellipsis, 0),
                                 ([0], 0, [0]), (Ellipsis, [0], 0)])
def test_advanced_indices_separated_by_an_empty_ellipsis(key):
    """An Ellipsis (even one expanding to no axis) or None between advanced indices moves the
    broadcast index dimensions first, as in NumPy (found by hypothesis: a[None, False, ..., 0])."""
    for shape in ((1,), (2, 1), (1, 2, 1)):
        a = numpy.arange(numpy.prod(shape)).reshape(shape)
        try:
            want = a[key]
        except IndexError:
            raises_like(lambda: mnp.array(a)[key], lambda: a[key])
            continue
        assert_same(mnp.array(a)[key], want)
        m, n = mnp.array(a), a.copy()
        m[key] = 7
        n[key] = 7
        assert_same(m, n)


# ---- fuzzer findings (tools/fuzz.py --strict) ------------------------------------------------------

@pytest.mark.parametrize("axis", [0, -1, 1, True, 1.0, "0", 2**31, 2**63])
def test_take_compress_axis(axis):
    """0-d arrays are 1-d for take/compress with axis 0/-1; bad axis types/values as NumPy."""
    for x in (numpy.array(5.0), numpy.arange(6.0).reshape(2, 3)):
        for name, want_fn, got_fn in [
                ("take", lambda: numpy.take(x, [0, 0], axis=axis), lambda: mnp.take(mnp.asarray(x), [0, 0], axis=axis)),
                ("compress", lambda: numpy.compress([True], x, axis=axis),
                 lambda: mnp.compress([True], mnp.asarray(x), axis=axis))]:
            try:
                want = want_fn()
            except Exception:
                raises_like(got_fn, want_fn)
                continue
            assert_same(got_fn(), want)


@pytest.mark.parametrize("indices", [[0.0, 1.5], numpy.array([0.0]), numpy.array([], "float64"),
                                     numpy.array([1], "uint64"), numpy.array([1 + 0j]), [True]])
def test_take_index_cast(indices):
    """Index arrays cast to intp with 'same_kind' (float arrays raise); lists convert per element."""
    x = numpy.arange(3.0)
    mi = mnp.asarray(indices) if isinstance(indices, numpy.ndarray) else indices
    try:
        want = numpy.take(x, indices)
    except TypeError:
        raises_like(lambda: mnp.take(mnp.asarray(x), mi), lambda: numpy.take(x, indices))
        return
    assert_same(mnp.take(mnp.asarray(x), mi), want)


@pytest.mark.parametrize("dtype,ind,value", [
    ("int64", numpy.array([1], "uint64"), 5), ("int64", numpy.array([], "float64"), 5), ("int64", [1.0], 5),
    ("uint8", [0], -196), ("uint8", [0], 300), ("int64", [0], float("nan")), ("int64", [0], 1 + 2j),
    ("float64", [0], 1 + 2j), ("int8", [0], 2**70), ("int8", [0], numpy.int64(300)), ("int8", [0], 2.5),
    ("uint8", numpy.array([5], "uint64"), 1)])
def test_put_casts(dtype, ind, value):
    """put: index arrays cast with 'safe'; Python scalar values convert like np.asarray(v, a.dtype)."""
    for shape in [(3,), (0,)]:
        want_a, got_a = numpy.zeros(shape, dtype), mnp.zeros(shape, dtype)
        mind = mnp.asarray(ind) if isinstance(ind, numpy.ndarray) else ind
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                numpy.put(want_a, ind, value)
        except Exception:
            raises_like(lambda: mnp.put(got_a, mind, value), lambda: numpy.put(numpy.zeros(shape, dtype), ind, value))
            continue
        mnp.put(got_a, mind, value)
        assert_same(got_a, want_a)


# Fuzzer finds (issue 5): take checks mode= and axis= before casting the indices; put converts a
# Python scalar value even into an empty array when there are no indices.
@pytest.mark.parametrize("shape,kw", [((4,), {"mode": "bogus"}), ((4,), {"axis": 100}), ((4,), {"axis": -2**63}),
                                      ((3, 3), {"axis": -3}), ((), {"axis": 100, "mode": "raise"}),
                                      ((3, 3), {"axis": 1, "mode": "bogus"}), ((4,), {"axis": True}),
                                      ((4,), {"axis": 0})])
def test_take_argument_order(shape, kw):
    a = numpy.zeros(shape, "uint8")
    raises_like(lambda: mnp.take(mnp.asarray(a), mnp.asarray(numpy.array([])), **kw),
                lambda: numpy.take(a, numpy.array([]), **kw))


@pytest.mark.parametrize("shape,dtype,ind,value", [((3, 3, 0), "uint16", [], -120), ((0,), "uint32", [], -1.5),
                                                   ((0,), "float16", [], -3 + 2j), ((0,), "uint8", [], float("nan")),
                                                   ((0,), "uint8", [0], 300), ((3,), "uint16", [], -120)])
def test_put_empty_converts_value(shape, dtype, ind, value):
    a = numpy.zeros(shape, dtype)
    raises_like(lambda: mnp.put(mnp.asarray(a), mnp.asarray(numpy.array(ind, "int64")), value),
                lambda: numpy.put(a, numpy.array(ind, "int64"), value))


@pytest.mark.parametrize("shape,index,vshape", [
    ((5,), (False,), (2, 0, 5)), ((5, 4), (numpy.array([], "int64"),), (3, 0, 4)), ((0, 3, 5), True, (3, 1, 0, 3, 1)),
    ((5,), (numpy.array([], "int64"),), (4, 0)),
    # ... but not when the value has elements or the shapes do not broadcast.
    ((5,), (False,), (2, 1, 5)), ((5,), (numpy.array([], "int64"),), (0, 7)), ((5,), (numpy.array([1, 2]),), (4, 0)),
    ((5, 4), (False, 1), (3, 0, 5)), ((2, 1), (numpy.zeros((1, 0, 3), "int64"),), (0,)),
    ((6,), (numpy.array([], "int64"), None), (0,)), ((2, 4), (slice(1, 2, -1), numpy.array([False, False, True, False])), (0,)),
])
def test_setitem_empty_value_extra_axes(shape, index, vshape):
    a, v = numpy.zeros(shape), numpy.zeros(vshape)
    m = mnp.asarray(a)
    try:
        a[index] = v
    except ValueError:
        with pytest.raises(ValueError):
            m[index] = mnp.asarray(v)
        return
    m[index] = mnp.asarray(v)
    assert_same(m, a)
