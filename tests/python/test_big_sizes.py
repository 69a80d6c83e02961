"""Arrays past 2**31 elements, and requests too large to allocate or even to describe."""
import numpy
import pytest

import minpy.numpy as mnp
from conftest import assert_same, raises_like

BIG = 3 * 10**9  # int8 elements: more than 2**31
J = 2**31 + 2**29  # another index past 2**31


def mem_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


needs_memory = pytest.mark.skipif(mem_available() < 8 * 10**9, reason="needs 8 GB of available memory")


@needs_memory
def test_int8_array_past_2_31_elements():
    a = mnp.zeros(BIG, mnp.int8)
    assert a.shape == (BIG,) and a.size == BIG and a.nbytes == BIG
    i = 2**31 + 5
    a[-1] = 7
    a[i] = 9
    a[2**31 - 1] = -3
    a[J + 1] = 100
    assert int(a[-1]) == 7 and int(a[BIG - 1]) == 7
    assert int(a[i]) == 9 and int(a[2**31 - 1]) == -3 and int(a[J + 1]) == 100
    # Slices whose offsets pass 2**31.
    s = a[2**31 - 2: 2**31 + 8]
    assert_same(s, numpy.array([0, -3, 0, 0, 0, 0, 0, 9, 0, 0], numpy.int8))
    s[1] = 1  # a view: writes land in a
    assert int(a[2**31 - 1]) == 1
    t = a[BIG - 3:]
    assert_same(t, numpy.array([0, 0, 7], numpy.int8))
    strided = a[i::2**31]  # i, i + 2**31 (beyond the end: only i)
    assert_same(strided, numpy.array([9], numpy.int8))
    rev = a[::-1]
    assert int(rev[0]) == 7 and int(rev[BIG - 1 - i]) == 9
    a[J: J + 4] = 2  # slice write far past 2**31 (overwrites a[J + 1])
    # Reductions over all 3e9 elements: 1 + 9 + 7 + 4 * 2 = 25.
    assert int(a.sum(dtype=mnp.int64)) == 25
    assert int(a.max()) == 9
    assert int(mnp.argmax(a)) == i
    a[BIG - 1] = -128
    # The NumPy view of the same memory agrees.
    n = numpy.asarray(a)
    assert n.shape == (BIG,) and int(n[i]) == 9 and int(n[-1]) == -128
    del n
    # 2-d views of the same memory: row offsets past 2**31 bytes.
    m = a.reshape(3, 10**9)
    assert int(m[2, -1]) == -128 and int(m[2, i - 2 * 10**9]) == 9
    assert_same(m[:, -2:], numpy.array([[0, 0], [0, 0], [0, -128]], numpy.int8))
    assert_same(m.sum(axis=1, dtype=mnp.int64), numpy.array([0, 0, 25 - 7 - 128]))
    assert_same(m.max(axis=1), numpy.array([0, 0, 9], numpy.int8))
    del m, a


def test_huge_allocation_raises_memory_error():
    # NumPy raises its MemoryError subclass (_ArrayMemoryError); minpy raises MemoryError itself.
    with pytest.raises(MemoryError):
        numpy.empty(10**14, numpy.int8)
    with pytest.raises(MemoryError):
        mnp.empty(10**14, mnp.int8)
    with pytest.raises(MemoryError):
        mnp.empty(2**63 - 1, mnp.int8)
    with pytest.raises(MemoryError):
        mnp.empty((10**7, 10**7), mnp.float64)  # 8e14 bytes: fits int64, not memory
    with pytest.raises(MemoryError):
        mnp.zeros(10**14, mnp.int8)
    # The engine still works afterwards.
    assert_same(mnp.arange(5) + 1, numpy.arange(5) + 1)


@pytest.mark.parametrize("shape", [(1 << 24,), (3, 5, 1 << 21), (1 << 21, 9)])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, -1)])
def test_integer_reductions_cast_in_blocks(shape, axis):
    # Large integer inputs reduced in a wider dtype are cast block by block (no 8x copy).
    if axis == (0, -1) and len(shape) == 1:
        axis = (0,)
    x = numpy.random.default_rng(len(shape)).integers(-128, 128, shape, dtype=numpy.int8)
    m = mnp.asarray(x)
    assert_same(m.sum(axis=axis), x.sum(axis=axis))
    assert_same(m.sum(axis=axis, dtype=mnp.int64), x.sum(axis=axis, dtype=numpy.int64))
    assert_same(m.prod(axis=axis, dtype=mnp.int16), x.prod(axis=axis, dtype=numpy.int16))
    assert_same(m.max(axis=axis, keepdims=True), x.max(axis=axis, keepdims=True))
    assert_same(mnp.sum(m[::-1], axis=axis, keepdims=True), numpy.sum(x[::-1], axis=axis, keepdims=True))
    assert_same(mnp.sum(m.T, axis=axis, dtype=mnp.uint32), numpy.sum(x.T, axis=axis, dtype=numpy.uint32))


@pytest.mark.parametrize("shape", [(2**40, 2**40), (2**62, 4), (2**31, 2**31, 2**2), (2**21,) * 3,
                                   (3, 2**62), (2**63 - 1, 2)])
def test_shape_product_overflow_raises_value_error(shape):
    raises_like(lambda: mnp.empty(shape), lambda: numpy.empty(shape))
    raises_like(lambda: mnp.empty(shape, mnp.int8), lambda: numpy.empty(shape, numpy.int8))
    raises_like(lambda: mnp.zeros(shape), lambda: numpy.zeros(shape))
    raises_like(lambda: mnp.ones(shape, mnp.int8), lambda: numpy.ones(shape, numpy.int8))
    raises_like(lambda: mnp.full(shape, 1), lambda: numpy.full(shape, 1))


@pytest.mark.parametrize("shape", [(2**40, 2**40), (2**62, 4), (-1, 2**40, 2**40), (2**40, 2**40, 0),
                                   (0, 2**40, 2**40)])
def test_reshape_to_overflowing_shape_raises_value_error(shape):
    for src in (numpy.arange(10), numpy.ones((3, 0)), numpy.ones(1)):
        raises_like(lambda: mnp.asarray(src).reshape(shape), lambda: src.reshape(shape))
        raises_like(lambda: mnp.reshape(mnp.asarray(src), shape), lambda: numpy.reshape(src, shape))


@pytest.mark.parametrize("shape", [(2**40, 2**40), (2**62, 4), (2**40, 2**40, 0), (2**31, 2**31, 2**2)])
def test_broadcast_to_overflowing_shape_raises_value_error(shape):
    for src in (numpy.ones(1), numpy.float64(2.0), numpy.ones((1, 1))):
        raises_like(lambda: mnp.broadcast_to(mnp.asarray(src), shape), lambda: numpy.broadcast_to(src, shape))


def test_broadcasting_ops_with_overflowing_shapes_raise():
    x = numpy.ones((1, 1))
    raises_like(lambda: mnp.broadcast_arrays(mnp.asarray(x), mnp.empty((2**40, 1, 0)), mnp.empty((2**40, 0))),
                lambda: numpy.broadcast_arrays(x, numpy.empty((2**40, 1, 0)), numpy.empty((2**40, 0))))
    raises_like(lambda: mnp.add(mnp.empty((2**40, 1, 0)), mnp.empty((2**40, 0))),
                lambda: numpy.add(numpy.empty((2**40, 1, 0)), numpy.empty((2**40, 0))))


def test_large_but_valid_views_of_small_data():
    # A 2**62-element broadcast view of one element is fine (no memory behind it).
    v = mnp.broadcast_to(mnp.asarray(numpy.int8(3)), (2**31, 2**31))
    w = numpy.broadcast_to(numpy.int8(3), (2**31, 2**31))
    assert v.shape == w.shape and v.strides == w.strides
    assert int(v[2**31 - 1, 2**31 - 1]) == 3
    assert_same(v[-2:, -3:], w[-2:, -3:])
