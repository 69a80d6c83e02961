"""The array object against NumPy: attributes, views and aliasing (a view exactly when NumPy gives
one, checked by writing through it), copies and layouts, astype, Python conversions, repr/str,
the buffer protocol, __array__, pickling and the creation functions."""
import pickle
import warnings

import numpy
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minpy.numpy as mnp

from conftest import ALL_DTYPES, outcome, public_class

CASTINGS = ["no", "equiv", "safe", "same_kind", "unsafe"]






def same(fn_minpy, fn_numpy):
    """Same value (arrays: minpy array with NumPy's dtype, shape and values) or same exception."""
    want, want_exc = outcome(fn_numpy)
    got, got_exc = outcome(fn_minpy)
    if want_exc is not None:
        assert got_exc is not None and isinstance(got_exc, public_class(want_exc)), (got_exc, want_exc)
        return
    assert got_exc is None, got_exc
    check(got, want)


def check(got, want):
    if isinstance(want, numpy.ndarray):
        assert isinstance(got, mnp.ndarray), type(got)
        g = numpy.asarray(got)
        assert (g.dtype, g.shape) == (want.dtype, want.shape)
        numpy.testing.assert_array_equal(g, want)
        if want.dtype.kind in "fc":  # signs of zeros too
            numpy.testing.assert_array_equal(numpy.signbit(g.real), numpy.signbit(want.real))
    elif isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            check(g, w)
    else:
        assert type(got) is type(want), (type(got), type(want))
        assert got == want or (got != got and want != want), (got, want)


def sample(dtype, shape):
    n = int(numpy.prod(shape))
    if dtype == "bool":
        return (numpy.arange(n) % 3 == 0).reshape(shape)
    a = (numpy.arange(n) * 1.37 - 3).astype(dtype)
    return a.reshape(shape)


SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 3), (3, 1, 2)]


# ---- attributes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_attributes(dtype):
    for shape in SHAPES:
        a = sample(dtype, shape)
        m = mnp.array(a)
        for attr in ["shape", "ndim", "size", "itemsize", "nbytes", "dtype"]:
            assert getattr(m, attr) == getattr(a, attr), (attr, shape)
        assert m.strides == numpy.array(a).strides, shape  # a fresh array, as np.array makes
        for attr in ["T", "real", "imag"]:
            check(getattr(m, attr), getattr(a, attr))
        if a.ndim >= 2:
            check(m.mT, a.mT)
        else:
            same(lambda: m.mT, lambda: a.mT)
        assert m.base is None and m.flags.owndata and m.flags.writeable
        assert (m.flags.c_contiguous, m.flags.f_contiguous) == (a.flags.c_contiguous, a.flags.f_contiguous)
    # strides of views: slices with steps, negative steps, transposes
    a = sample(dtype, (4, 6))
    m = mnp.array(a)
    for key in [(slice(None, None, 2), slice(1, None, 3)), (slice(None, None, -1),), (Ellipsis, slice(None, None, -2))]:
        assert m[key].strides == a[key].strides and m[key].shape == a[key].shape
        assert (m[key].flags.c_contiguous, m[key].flags.f_contiguous) == \
               (a[key].flags.c_contiguous, a[key].flags.f_contiguous)
    assert m.T.strides == a.T.strides and m.T.flags.f_contiguous


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_real_imag_setters(dtype):
    for value in [5, 2.5, 1j, [1, 2, 3]]:
        for attr in ["real", "imag"]:
            def run(mod):
                a = mod.array(numpy.arange(6).reshape(2, 3).astype(dtype))
                setattr(a, attr, value)
                return a
            same(lambda: run(mnp), lambda: run(numpy))
    m = mnp.array(numpy.arange(3).astype(dtype))
    a = numpy.arange(3).astype(dtype)
    assert (m.imag.flags.writeable, m.real.flags.writeable) == (a.imag.flags.writeable, a.real.flags.writeable)
    if a.dtype.kind == "c":  # real/imag are views
        m.real[0] = 9
        m.imag[1] = -4
        assert numpy.asarray(m)[:2].tolist() == [9 + 0j, 1 - 4j]


# ---- views and aliasing -------------------------------------------------------------------------

def _view_facts(mod, f):
    """Result values, shape, flags, whether writing to it changes the base, and base identity."""
    a = mod.array(numpy.arange(24.0).reshape(2, 3, 4))
    v = f(mod, a)
    before = numpy.array(a).copy()
    wrote = False
    if v.size and v.flags.writeable:
        v[(0,) * v.ndim] = -99
        wrote = not numpy.array_equal(numpy.array(a), before)
    return (numpy.array(v).tolist(), v.shape, str(v.dtype), wrote, v.flags.c_contiguous, v.flags.f_contiguous,
            v.flags.owndata, v.flags.writeable, v.base is a, v.base is None)


VIEW_CASES = {
    "slice": lambda m, a: a[:, 1:, ::2],
    "negative steps": lambda m, a: a[::-1, :, ::-2],
    "int index": lambda m, a: a[1, 2],
    "ellipsis": lambda m, a: a[..., 1],
    "newaxis": lambda m, a: a[None, 1, ..., None],
    "empty slice": lambda m, a: a[:, 3:],
    "view of view": lambda m, a: a[1:][::-1].T[1],
    "T": lambda m, a: a.T,
    "transpose(axes)": lambda m, a: a.transpose(1, 0, 2),
    "swapaxes": lambda m, a: a.swapaxes(0, 2),
    "moveaxis": lambda m, a: m.moveaxis(a, 0, -1),
    "mT": lambda m, a: a.mT,
    "reshape view": lambda m, a: a.reshape(6, 4),
    "reshape -1": lambda m, a: a.reshape(-1, 2),
    "reshape copy": lambda m, a: a.T.reshape(6, 4),
    "reshape of slice, view": lambda m, a: a[:, :, ::2].reshape(2, 6),
    "reshape of slice, view 2": lambda m, a: a[:, ::2].reshape(2, 8),
    "reshape of slice, copy": lambda m, a: a[:, :, ::2].reshape(12),
    "reshape F": lambda m, a: a.reshape(4, 6, order="F"),
    "reshape F of T": lambda m, a: a.T.reshape(24, order="F"),
    "reshape copy=True": lambda m, a: a.reshape(6, 4, copy=True),
    "ravel": lambda m, a: a.ravel(),
    "ravel of T": lambda m, a: a.T.ravel(),
    "ravel F of T": lambda m, a: a.T.ravel(order="F"),
    "ravel K of T": lambda m, a: a.T.ravel(order="K"),
    "ravel K of perm": lambda m, a: a.transpose(1, 0, 2).ravel(order="K"),
    "ravel A of T": lambda m, a: a.T.ravel(order="A"),
    "ravel K of reversed": lambda m, a: a[::-1].ravel(order="K"),
    "flatten": lambda m, a: a.flatten(),
    "flatten F": lambda m, a: a.flatten(order="F"),
    "expand_dims": lambda m, a: m.expand_dims(a, (0, 2)),
    "squeeze": lambda m, a: m.squeeze(a[:1, :, :1]),
    "squeeze axis": lambda m, a: a[:1].squeeze(0),
    "broadcast_to": lambda m, a: m.broadcast_to(a[0], (3, 3, 4)),
    "diagonal": lambda m, a: a.diagonal(),
    "diagonal offset": lambda m, a: a.diagonal(1, 1, 2),
    "diagonal negative": lambda m, a: a.diagonal(-1, 2, 0),
    "real": lambda m, a: a.real,
    "imag": lambda m, a: a.imag,
    "copy C": lambda m, a: a.T.copy(),
    "copy F": lambda m, a: a.copy(order="F"),
    "copy K": lambda m, a: a.T.copy(order="K"),
    "copy A": lambda m, a: a.T.copy(order="A"),
    "np.copy": lambda m, a: m.copy(a[:, ::2]),
    "astype copy=False same": lambda m, a: a.astype("float64", copy=False),
    "astype": lambda m, a: a.astype("float64"),
    "astype F": lambda m, a: a.astype("float32", order="F"),
    "ascontiguousarray of T": lambda m, a: m.ascontiguousarray(a.T),
    "ascontiguousarray": lambda m, a: m.ascontiguousarray(a),
    "asarray": lambda m, a: m.asarray(a),
    "array": lambda m, a: m.array(a),
    "array copy=False": lambda m, a: m.array(a, copy=False),
    "array ndmin": lambda m, a: m.array(a[0, 0], ndmin=3, copy=False),
}


@pytest.mark.parametrize("case", list(VIEW_CASES))
def test_views_alias_exactly_when_numpy_does(case):
    f = VIEW_CASES[case]
    same(lambda: _view_facts(mnp, f), lambda: _view_facts(numpy, f))


def test_view_errors():
    a = sample("float64", (2, 3, 4))
    m = mnp.array(a)
    for f in [lambda x: x.reshape(5, 5), lambda x: x.reshape(-1, -1), lambda x: x.reshape(-2, 12),
              lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1, 1), lambda x: x.transpose(0, 1, 3),
              lambda x: x.swapaxes(0, 3), lambda x: x.squeeze(0), lambda x: x.squeeze(5), lambda x: x.diagonal(0, 1, 1),
              lambda x: x[0, 0].diagonal(), lambda x: x[0, 0, 0, 0], lambda x: x[5], lambda x: x[..., ...],
              lambda x: x[::0], lambda x: x.reshape(2, 3, 4, order="Q"), lambda x: x.ravel("Z")]:
        same(lambda: f(m), lambda: f(a))
    same(lambda: mnp.expand_dims(m, 4), lambda: numpy.expand_dims(a, 4))
    same(lambda: mnp.expand_dims(m, (0, 0)), lambda: numpy.expand_dims(a, (0, 0)))
    same(lambda: mnp.moveaxis(m, [0, 1], [0]), lambda: numpy.moveaxis(a, [0, 1], [0]))
    same(lambda: mnp.broadcast_to(m, (3, 4)), lambda: numpy.broadcast_to(a, (3, 4)))
    same(lambda: mnp.broadcast_to(m, (2, 2, 4)), lambda: numpy.broadcast_to(a, (2, 2, 4)))


@pytest.mark.parametrize("kind", ["broadcast_to", "diagonal", "imag of real", "flag"])
def test_read_only_arrays_refuse_writes(kind):
    def make(mod):
        a = mod.array(numpy.arange(12.0).reshape(3, 4))
        if kind == "broadcast_to":
            return a, mod.broadcast_to(a[0], (2, 4))
        if kind == "diagonal":
            return a, a.diagonal()
        if kind == "imag of real":
            return a, a.imag
        a.flags.writeable = False
        return a, a
    for write in [lambda v: v.__setitem__(0, 1), lambda v: v.__setitem__(Ellipsis, 1), lambda v: v.fill(3),
                  lambda v: v.__iadd__(1), lambda v: mnp.add(v, 1, out=v) if isinstance(v, mnp.ndarray)
                  else numpy.add(v, 1, out=v)]:
        same(lambda: write(make(mnp)[1]), lambda: write(make(numpy)[1]))
    m = make(mnp)[1]
    assert not m.flags.writeable and memoryview(m).readonly

    def set_writeable(v):
        v.flags.writeable = True  # NumPy 2.4 allows it for all four kinds
        return v.flags.writeable
    same(lambda: set_writeable(make(mnp)[1]), lambda: set_writeable(make(numpy)[1]))


def test_writeable_flag_of_views_follows_the_base():
    for mod in (numpy, mnp):
        a = mod.array(numpy.arange(6.0))
        a.flags.writeable = False
        v = a[1:]
        assert not v.flags.writeable
        with pytest.raises(ValueError):
            v.flags.writeable = True
        a2 = mod.array(numpy.arange(6.0))
        v2 = a2[1:]
        v2.flags.writeable = False
        v2.flags.writeable = True  # allowed: the base is writeable
        assert v2.flags.writeable


# ---- astype ---------------------------------------------------------------------------------------

EDGE = [0, 1, -1, 0.5, -0.0, 2.5, -2.5, 127, 128, 255, 256, 65535, 2**31, 2**63, -(2**63), 1e10, -1e10, 1e20,
        -129.7, 3.99, numpy.nan, numpy.inf, -numpy.inf]


def _astype_source(src):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = numpy.array(EDGE).astype(src)
        if numpy.dtype(src).kind == "c":
            a = a + 1j * numpy.array(EDGE[::-1]).astype(numpy.dtype(src).char.lower())
        return a


def _defined(a, dst):
    """Elements whose conversion NumPy defines: float/complex -> int of NaN, inf and out-of-range
    values is undefined in C (NumPy warns and gives whatever the CPU's SIMD conversion gives)."""
    dst = numpy.dtype(dst)
    if a.dtype.kind not in "fc" or dst.kind not in "iu":
        return numpy.ones(a.shape, bool)
    r = numpy.real(a).astype("float64")
    info = numpy.iinfo(dst)
    with numpy.errstate(invalid="ignore"):
        return numpy.isfinite(r) & (r > float(info.min) - 1) & (r < float(info.max) + 1) & \
               (numpy.trunc(r) >= float(info.min)) & (numpy.trunc(r) <= float(info.max))


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_astype_all_pairs(src):
    a = _astype_source(src)
    m = mnp.array(a)
    for dst in ALL_DTYPES:
        for casting in CASTINGS:
            same(lambda: m.astype(dst, casting=casting).dtype, lambda: a.astype(dst, casting=casting).dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = a.astype(dst)
            got = numpy.asarray(m.astype(dst))
            got_rev = numpy.asarray(m[::-2].astype(dst))
        ok = _defined(a, dst)
        assert got.dtype == want.dtype
        numpy.testing.assert_array_equal(got[ok], want[ok], err_msg=f"{src}->{dst}")
        numpy.testing.assert_array_equal(got_rev[ok[::-2]], want[::-2][ok[::-2]])
        if want.dtype.kind == "f":
            numpy.testing.assert_array_equal(numpy.signbit(got[ok]), numpy.signbit(want[ok]))


def test_astype_copy_and_order():
    a = sample("float32", (3, 4))
    m = mnp.array(a)
    assert m.astype("float32", copy=False) is m
    assert m.astype("float32") is not m
    r = m.T.astype("float64", order="C")
    assert r.flags.c_contiguous and numpy.array_equal(numpy.asarray(r), a.T.astype("float64"))
    r = m.astype("int16", order="F")
    assert r.flags.f_contiguous and not r.flags.c_contiguous
    r = m.T.astype("float64")  # order='K' keeps the layout
    assert r.strides == a.T.astype("float64").strides
    with pytest.raises(TypeError):
        m.astype("int8", casting="safe")
    with pytest.raises(ValueError):
        m.astype("int8", casting="bogus")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data())
def test_astype_random_values(data):
    src = data.draw(st.sampled_from(ALL_DTYPES))
    dst = data.draw(st.sampled_from(ALL_DTYPES))
    a = data.draw(hnp.arrays(src, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = a.astype(dst)
        got = numpy.asarray(mnp.array(a).astype(dst))
    ok = _defined(a, dst)
    numpy.testing.assert_array_equal(got[ok], want[ok])


# ---- conversions to Python ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_python_conversions(dtype):
    for shape in [(), (1,), (1, 1), (0,), (3,), (2, 2)]:
        a = sample(dtype, shape)
        m = mnp.array(a)
        for f in [int, float, complex, bool, len, operator_index, lambda x: x.item(), lambda x: x.tolist(),
                  lambda x: [numpy.asarray(e).tolist() for e in x], lambda x: 1.5 in x if x.size else True]:
            same(lambda: f(m), lambda: f(a))
    a = sample(dtype, (2, 3))
    m = mnp.array(a)
    for args in [(1,), (1, 2), (-1,), (6,)]:
        same(lambda: m.item(*args), lambda: a.item(*args))


def operator_index(x):
    import operator
    return operator.index(x)


def test_iteration_yields_subarrays():
    m = mnp.array(sample("int16", (3, 2)))
    rows = list(m)
    assert len(rows) == 3 and all(isinstance(r, mnp.ndarray) and r.shape == (2,) for r in rows)
    rows[0][0] = 100
    assert int(m[0, 0]) == 100  # rows are views
    with pytest.raises(TypeError):
        iter(mnp.array(1.0))


# ---- repr / str ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_repr_and_str_are_numpys(dtype):
    for shape in SHAPES + [(1001,), (30, 40), (5, 200)]:
        a = sample(dtype, shape)
        m = mnp.array(a)
        assert repr(m) == repr(a)
        assert str(m) == str(a)
    if dtype[0] in "fc":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            special = numpy.array([numpy.nan, -numpy.inf, -0.0, 1e-300, 1e300]).astype(dtype)
            assert repr(mnp.array(special)) == repr(special)
    assert repr(mnp.array(sample(dtype, (4, 6)))[::2, ::-3]) == repr(sample(dtype, (4, 6))[::2, ::-3])
    assert format(mnp.array(sample(dtype, ())), "") == format(sample(dtype, ()).item(), "")


# ---- buffer protocol, __array__, pickling -------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_buffer_protocol_and_zero_copy(dtype):
    a = sample(dtype, (3, 4))
    for view in [lambda x: x, lambda x: x.T, lambda x: x[::-1, ::2], lambda x: x[1]]:
        m = view(mnp.array(a))
        mv, nv = memoryview(m), memoryview(view(a.copy()))
        assert (mv.format, mv.shape, mv.strides, mv.itemsize, mv.ndim, mv.readonly) == \
               (nv.format, nv.shape, nv.strides, nv.itemsize, nv.ndim, nv.readonly)
        assert (mv.c_contiguous, mv.f_contiguous) == (nv.c_contiguous, nv.f_contiguous)
        x = numpy.asarray(m)  # zero copy: writes are seen both ways
        assert x.dtype == a.dtype and x.shape == m.shape
        one = numpy.ones((), dtype)
        x[(0,) * x.ndim] = one
        assert numpy.asarray(m)[(0,) * x.ndim] == one
        m[(-1,) * m.ndim] = one
        assert x[(-1,) * x.ndim] == one
    ro = mnp.broadcast_to(mnp.array(a)[0], (2, 4))
    assert memoryview(ro).readonly and not numpy.asarray(ro).flags.writeable


def test_dunder_array():
    m = mnp.array(numpy.arange(6.0).reshape(2, 3))
    base = numpy.asarray(m)
    assert numpy.shares_memory(m.__array__(), base)
    assert numpy.shares_memory(m.__array__(copy=False), base)
    assert not numpy.shares_memory(m.__array__(copy=True), base)
    r = m.__array__(numpy.float32)
    assert r.dtype == numpy.float32 and not numpy.shares_memory(r, base)
    assert numpy.shares_memory(m.__array__(numpy.float64, copy=False), base)
    with pytest.raises(ValueError):
        m.__array__(numpy.int64, copy=False)
    with pytest.raises(ValueError):
        numpy.array(m, dtype=numpy.int64, copy=False)
    assert numpy.shares_memory(numpy.asarray(m.T), base)
    assert not numpy.shares_memory(numpy.array(m), base)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_pickle_round_trip(dtype):
    a = sample(dtype, (3, 4))
    for view in [lambda x: x, lambda x: x.T, lambda x: x[::-1, 1::2], lambda x: x[0, 0], lambda x: x[:0]]:
        m = view(mnp.array(a))
        for protocol in [2, pickle.HIGHEST_PROTOCOL]:
            r = pickle.loads(pickle.dumps(m, protocol))
            assert isinstance(r, mnp.ndarray)
            check(r, numpy.asarray(view(a)))  # a[0, 0] is a NumPy scalar, minpy's is 0-d
            assert r.flags.writeable and r.base is None
    import copy
    m = mnp.array(a)
    for c in [copy.copy(m), copy.deepcopy(m)]:
        check(c, a)
        assert not numpy.shares_memory(numpy.asarray(c), numpy.asarray(m))


# ---- creation -------------------------------------------------------------------------------------

def _layout(x):
    return (x.shape, x.strides, str(x.dtype), x.flags.c_contiguous, x.flags.f_contiguous, x.flags.owndata)


SOURCES = [5, 2.5, True, 1 + 2j, [1, 2, 3], [[1, 2], [3, 4]], ((1, 2), (3, 4.5)), [1, 2.5, 3j], [], [[]],
           [True, 2], numpy.arange(6).reshape(2, 3), numpy.arange(6.0).reshape(2, 3).T, numpy.float32(3),
           numpy.int8(-1), [numpy.float32(1), 2], 2**63, -(2**63), [2**63, 1], 300, -1,
           numpy.array([1, 2], ">i4"), numpy.array([1.5, 2], ">f8")]


@pytest.mark.parametrize("dtype", [None] + ALL_DTYPES)
def test_array_and_asarray_from_python_and_numpy(dtype):
    def native(x):  # minpy holds native byte order only ('>i4' becomes int32, values kept)
        return x.astype(x.dtype.newbyteorder("=")) if isinstance(x, numpy.ndarray) else x
    for s in SOURCES:
        same(lambda: mnp.array(s, dtype=dtype), lambda: native(numpy.array(s, dtype=dtype)))
        same(lambda: mnp.asarray(s, dtype=dtype), lambda: native(numpy.asarray(s, dtype=dtype)))
    for s in SOURCES[:12]:
        same(lambda: mnp.array(s, dtype=dtype, ndmin=3), lambda: numpy.array(s, dtype=dtype, ndmin=3))


def test_array_of_minpy_arrays_and_unsupported_objects():
    m = mnp.array([[1, 2], [3, 4]], dtype="int16")
    assert mnp.asarray(m) is m and mnp.array(m, copy=False) is m
    c = mnp.array(m)
    assert c is not m and c.flags.owndata
    check(mnp.array(m, dtype="float32"), numpy.array([[1, 2], [3, 4]], "float32"))
    check(mnp.array([m, m]), numpy.array([[[1, 2], [3, 4]]] * 2, "int16"))
    with pytest.raises(ValueError):
        mnp.array([1, 2], copy=False)
    for bad in [[2**64], ["a"], [None], {"a": 1}]:
        with pytest.raises(TypeError):
            mnp.array(bad)


SHAPE_ARGS = [(), 0, 3, (2, 3), (2, 0), [2, 3], numpy.int64(4), (2, 3, 4)]


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
def test_zeros_ones_empty(fn):
    for shape in SHAPE_ARGS:
        for dtype in [None, float, int, bool, complex] + ALL_DTYPES:
            for order in ["C", "F"]:
                want = getattr(numpy, fn)(shape, dtype=dtype, order=order)
                got = getattr(mnp, fn)(shape, dtype=dtype, order=order)
                assert _layout(got) == _layout(want), (shape, dtype, order)
                if fn != "empty":
                    check(got, want)
    for bad in [-1, (2, -1), (2.5,)]:
        same(lambda: getattr(mnp, fn)(bad), lambda: getattr(numpy, fn)(bad))


def test_full():
    for shape in SHAPE_ARGS[:6]:
        for dtype in [None] + ALL_DTYPES:
            for value in [7, 2.5, True, -1, 1j, 300, [1, 2, 3]]:
                for order in ["C", "F"]:
                    same(lambda: mnp.full(shape, value, dtype=dtype, order=order),
                         lambda: numpy.full(shape, value, dtype=dtype, order=order))
                    same(lambda: _layout(mnp.full(shape, value, dtype=dtype, order=order)),
                         lambda: _layout(numpy.full(shape, value, dtype=dtype, order=order)))


def _prototypes(mod):
    base = mod.array(numpy.arange(24).reshape(2, 3, 4))
    return [mod.array(numpy.arange(6.0).reshape(2, 3)), mod.array(numpy.arange(6.0).reshape(2, 3)).T,
            base[:, ::2].transpose(2, 0, 1), base[::-1], mod.array(numpy.array(3, numpy.int8)), base[:, :0]]


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "full_like"])
def test_like_functions_follow_order(fn):
    for p_np, p_mp in zip(_prototypes(numpy), _prototypes(mnp)):
        for dtype in [None, "int8", "complex64"]:
            for order in ["K", "C", "F", "A"]:
                for shape in [None, (4,), (3, 2)]:
                    args = (2.7,) if fn == "full_like" else ()
                    kw = dict(dtype=dtype, order=order, shape=shape)
                    want = getattr(numpy, fn)(p_np, *args, **kw)
                    got = getattr(mnp, fn)(p_mp, *args, **kw)
                    assert _layout(got) == _layout(want), (p_np.shape, dtype, order, shape)
                    if fn != "empty_like":
                        check(got, want)
    check(mnp.zeros_like([1, 2.5]), numpy.zeros_like([1, 2.5]))


def test_copy_and_ascontiguousarray():
    for p_np, p_mp in zip(_prototypes(numpy), _prototypes(mnp)):
        for order in ["K", "C", "F", "A"]:
            want, got = numpy.copy(p_np, order=order), mnp.copy(p_mp, order=order)
            assert _layout(got) == _layout(want), (p_np.shape, order)
            check(got, want)
        want, got = numpy.ascontiguousarray(p_np), mnp.ascontiguousarray(p_mp)
        assert _layout(got)[:5] == _layout(want)[:5]
        check(got, want)
        check(mnp.ascontiguousarray(p_mp, dtype="float32"), numpy.ascontiguousarray(p_np, dtype="float32"))
    m = mnp.zeros((2, 3))
    assert mnp.ascontiguousarray(m) is m


# Fuzzer finds (issue 5): fill packs one element (sequences are the element conversion's error),
# full checks the shape of an object fill before refusing the dtype, and full_like(a, None) is
# NaN/False/int(None)'s TypeError.
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint64", "float16", "float64", "complex64"])
@pytest.mark.parametrize("value", [[1], [[1], [2, 3]], (1,), [], numpy.array([1]), numpy.array([1, 2]), numpy.array(5)])
def test_fill_with_sequences(dtype, value):
    def run(lib):
        a = lib.zeros(3, dtype)
        a.fill(value if lib is numpy or not isinstance(value, numpy.ndarray) else mnp.asarray(value))
        return a
    same(lambda: run(mnp), lambda: run(numpy))


@pytest.mark.parametrize("args", [((2**63 - 1, 2**63 - 1), -2**63 - 1), (2**63 - 1, 10**30), (-1, 2**64),
                                  ((2**63 - 1, 0), numpy.int32(1), "bool"), ((2, 0), numpy.zeros(3))])
def test_full_shape_checked_first(args):
    same(lambda: mnp.full(*args), lambda: numpy.full(*args))


@pytest.mark.parametrize("dtype", [None, "float16", "float64", "complex64", "bool", "int64", "uint32"])
@pytest.mark.parametrize("proto", ["float32", "int64"])
def test_full_like_none(dtype, proto):
    a = numpy.arange(6, dtype=proto).reshape(2, 3).T
    same(lambda: mnp.full_like(mnp.asarray(a), None, dtype=dtype), lambda: numpy.full_like(a, None, dtype=dtype))
    same(lambda: mnp.full_like(mnp.asarray(a), None, dtype=dtype, shape=-1),
         lambda: numpy.full_like(a, None, dtype=dtype, shape=-1))


@pytest.mark.parametrize("make", [lambda x: x.reshape(5, 6).T, lambda x: x.reshape(5, 6), lambda x: x.reshape(5, 6)[:, ::2],
                                  lambda x: x.reshape(2, 3, 5).transpose(2, 1, 0), lambda x: x.reshape(30, 1).T])
@pytest.mark.parametrize("shape", [-1, (3, 10), (10, 3)])
def test_reshape_order_a(make, shape):
    # Fuzzer find (issue 5): 'A' reads Fortran order from a Fortran-contiguous array.
    a = numpy.arange(30, dtype="uint16")
    same(lambda: make(mnp.asarray(a)).reshape(shape, order="A"), lambda: make(a).reshape(shape, order="A"))
