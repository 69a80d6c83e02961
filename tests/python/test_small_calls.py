"""The per-call fast paths of small-array code: a[int], a[slice] and a[tuple of ints and slices]
built directly in the ndarray's mp_subscript slot, full integer indexing as a 0-d copy (NumPy's
scalars are values, not views), the pooled wrappers and descriptors. Differential against NumPy."""
import gc
import sys
import threading

import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as mnp
from minpy.core import grad
from conftest import ALL_DTYPES, assert_same, numeric_grad, raises_like


class _Key:
    def __getitem__(self, key):
        return key


K = _Key()


def base_arrays(dtype="float64"):
    """(name, NumPy array) over layouts: 1-d, 2-d, 3-d, non-contiguous, negative strides, transposed."""
    a = numpy.arange(60).astype(dtype)
    return [("1d", a[:16].copy()), ("2d", a[:20].reshape(4, 5).copy()), ("3d", a.reshape(3, 4, 5).copy()),
            ("step", a[::3]), ("neg", a[::-2]), ("T", a[:20].reshape(4, 5).T), ("negT", a.reshape(3, 4, 5)[::-1, :, ::-2])]


KEYS = [K[3], K[-1], K[0], K[1:5], K[::-1], K[::2], K[5:1:-2], K[5:5], K[3:3:7], K[-100:100], K[::2 ** 62],
        K[::-2 ** 62], K[1, 2], K[-1, -2], K[:, 1], K[1, :], K[::-1, 2], K[1:3, ::2], K[1, 2, 3], K[:, :, 1],
        K[0, ::-1, 1], K[2 ** 40], K[-2 ** 70], K[(1,)], K[1, 2, 3, 4], K[1:2, 3:4, 0:1], K[:0, 1]]


def same_result(got, want, base_mp, base_np):
    """Values as NumPy; a view exactly when NumPy's result is a view (a NumPy scalar is a value)."""
    if isinstance(want, numpy.generic):
        assert isinstance(got, mnp.ndarray) and got.shape == () and got.dtype == want.dtype
        assert_same(got, numpy.asarray(want))
        assert got.base is None and got._owndata  # a value: owns a copy
        return
    assert_same(got, want)
    if base_np.size:  # (the strides of empty bases differ already: minpy's new empty arrays have zeros)
        assert got.strides == want.strides
    assert numpy.shares_memory(numpy.asarray(got), numpy.asarray(base_mp)) == numpy.shares_memory(want, base_np)
    # same element 0 relative to the base's element 0 (offset as NumPy's view)
    if want.size:
        assert (numpy.asarray(got).ctypes.data - numpy.asarray(base_mp).ctypes.data ==
                want.ctypes.data - base_np.ctypes.data)


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
@pytest.mark.parametrize("layout", range(7))
def test_basic_keys_like_numpy(layout, key):
    name, x = base_arrays()[layout]
    m = mnp.array(x) if x.flags.c_contiguous else None
    if m is None:  # rebuild the same non-contiguous view over a minpy base
        full = mnp.arange(60).astype("float64")
        m = {"step": lambda: full[::3], "neg": lambda: full[::-2], "T": lambda: full[:20].reshape(4, 5).T,
             "negT": lambda: full.reshape(3, 4, 5)[::-1, :, ::-2]}[name]()
        assert_same(m, x)
    try:
        want = x[key]
    except Exception:  # noqa: BLE001 - the class is compared by raises_like
        raises_like(lambda: m[key], lambda: x[key])
        return
    same_result(m[key], want, m, x)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_element_copy_dtypes(dtype):
    x = (numpy.arange(12) % 5).astype(dtype).reshape(3, 4)
    m = mnp.array(x)
    for key in (K[1, 2], K[-1, -1], K[0, 3]):
        same_result(m[key], x[key], m, x)
    same_result(m[1], x[1], m, x)
    same_result(m[1][2], x[1][2], m, x)


def test_scalar_index_is_a_value():
    # NumPy's a[i] is a scalar: later writes to a do not change it, so the classic swap works
    a = mnp.array([1, 2, 3])
    t = a[0]
    a[0] = a[1]
    a[1] = t
    assert a.tolist() == [2, 1, 3]
    m = mnp.array([[1.0, 2.0], [3.0, 4.0]])
    v = m[0, 1]
    m[0, 1] = 9.0
    assert float(v) == 2.0
    v += 1  # a writeable 0-d array of its own: m is unchanged
    assert float(v) == 3.0 and float(m[0, 1]) == 9.0
    # a[...] and a[i, ...] stay views, as in NumPy (0-d arrays, not scalars)
    e = a[1, ...]
    assert e.shape == () and e.base is a
    a[1] = 7
    assert int(e) == 7
    z = mnp.array(5.0)
    assert z[()].base is None and z[...].base is z
    numpy_z = numpy.array(5.0)
    assert isinstance(numpy_z[()], numpy.generic) and numpy_z[...].base is numpy_z


def test_views_alias_and_keep_base():
    a = mnp.arange(16.0)
    s = a[1:5]
    assert s.base is a and s[1:3].base is a
    s[0] = 100.0
    assert float(a[1]) == 100.0
    m = mnp.arange(12.0).reshape(3, 4)
    col = m[:, 1]
    assert col.base is m.base and col.strides == (32,)
    col[2] = -1.0
    assert float(m[2, 1]) == -1.0
    row = m[1]
    assert row._c_contiguous and row.base is m.base


def test_read_only_views_stay_read_only():
    b = mnp.broadcast_to(mnp.arange(4.0), (3, 4))
    for v in (b[1], b[:, 2], b[1:2], b[1, 1:3]):
        assert not v._writeable
        with pytest.raises(ValueError):
            v[...] = 0.0
    e = b[1, 2]  # a copy is writeable, as NumPy's scalar is a new value
    e += 1.0
    assert float(e) == 3.0


def test_bad_slices_raise_like_numpy():
    x = numpy.arange(20.0).reshape(4, 5)
    m = mnp.array(x)
    for key in (K[::0], K[1:2:0], K[1.0:3], K[1, ::0], K[:, 1.5], K[1, 2, 3], K[4], K[0, -6]):
        raises_like(lambda: m[key], lambda: x[key])
    x = numpy.arange(10.0)
    m = mnp.array(x)
    raises_like(lambda: m[numpy.int64(20)], lambda: x[numpy.int64(20)])
    raises_like(lambda: m[True, 2, 3], lambda: x[True, 2, 3])


def test_other_key_types_take_the_general_path():
    x = numpy.arange(20.0).reshape(4, 5)
    m = mnp.array(x)
    for key in (K[numpy.int64(1)], K[True], K[None, 1], K[..., 1], K[[0, 2]], K[1, [0, 2]],
                K[numpy.int8(-1), numpy.uint16(2)], K[()]):
        want = x[key]
        got = m[key]
        if isinstance(want, numpy.generic):
            assert got.shape == () and got.base is None
            assert_same(got, numpy.asarray(want))
        else:
            assert_same(got, want)


@settings(max_examples=50, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
       data=st.data())
def test_random_int_slice_tuples(shape, data):
    x = numpy.arange(int(numpy.prod(shape))).astype("float64").reshape(shape)
    m = mnp.array(x)
    item = st.one_of(st.integers(-7, 7), st.builds(slice, st.none() | st.integers(-7, 7),
                                                    st.none() | st.integers(-7, 7),
                                                    st.none() | st.sampled_from([-3, -1, 1, 2, 5])))
    key = tuple(data.draw(st.lists(item, min_size=1, max_size=len(shape))))
    if len(key) == 1 and data.draw(st.booleans()):
        key = key[0]
    try:
        want = x[key]
    except IndexError:
        with pytest.raises(IndexError):
            m[key]
        return
    same_result(m[key], want, m, x)


def test_refcounts_do_not_drift():
    a = mnp.arange(16.0)
    m = mnp.arange(16.0).reshape(4, 4)
    key_slice, key_tuple = slice(1, 5), (slice(None), 1)
    gc.collect()
    before = [sys.getrefcount(o) for o in (a, m, key_slice, key_tuple)]
    for _ in range(1000):
        a[3], a[1:5], a[key_slice], m[1], m[key_tuple], m[1, 2], m[-1]
        v = a[2:9]
        del v
    gc.collect()
    assert [sys.getrefcount(o) for o in (a, m, key_slice, key_tuple)] == before
    # a live view keeps one reference to its base's wrapper chain (the base array), not to a's wrapper
    v = a[1:5]
    assert v.base is a
    del a
    gc.collect()
    assert float(v[0]) == 1.0  # the data outlives the base's Python object


def test_wrapper_identity_and_reuse():
    a = mnp.arange(8.0)
    v = a[2:6]
    assert v.base is a and v.base.base is None
    ids = {id(a[1:3]) for _ in range(10)}  # pooled wrappers are reused: still distinct live objects
    w1, w2 = a[1:3], a[1:3]
    assert w1 is not w2 and w1.base is a and w2.base is a
    assert len(ids) >= 1


def test_arrays_cross_threads():
    # descriptors come from per-thread free lists: freeing on another thread, and threads that exit
    # with blocks in their lists, must be safe
    made = []
    lock = threading.Lock()

    def worker(k):
        local = mnp.arange(16.0) + k
        items = [local[i] for i in range(16)] + [local[1:5], local[::2]]
        with lock:
            made.append((k, items))

    for rnd in range(5):
        ts = [threading.Thread(target=worker, args=(rnd * 4 + j,)) for j in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert len(made) == 20
    for k, items in made:
        assert [float(x) for x in items[:16]] == [float(i + k) for i in range(16)]
        assert items[16].tolist() == [float(i + k) for i in range(1, 5)]
    made.clear()  # freed on this thread
    gc.collect()
    # and the other way round: made here, dropped in a thread
    arrs = [mnp.arange(4.0)[i] for i in range(4)] + [mnp.ones(3)[1:]]
    t = threading.Thread(target=arrs.clear)
    t.start()
    t.join()
    assert arrs == []


def test_gradients_through_fast_path_keys():
    x = numpy.arange(12.0).reshape(3, 4) / 7.0

    def f(a):
        return a[1, 2] * 3.0 + (a[:, 1] ** 2).sum() + a[2][::-2].sum() + mnp.exp(a[0, 1:3]).sum()

    g = grad(f)(mnp.array(x))
    numpy.testing.assert_allclose(numpy.asarray(g), numeric_grad(f, [x], 0), rtol=1e-6, atol=1e-8)
