"""Temporary elision: in `a * b + c` the sum may be written into the product's buffer, as NumPy
does, but only when nothing else can see that buffer. Results must be NumPy's in every case."""
import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad

N = 1 << 18  # 2 MiB of float64: above the elision threshold
RNG = numpy.random.default_rng(0)


def address(x):
    return numpy.asarray(x).__array_interface__["data"][0]


def temporary(make, seen):
    """make()'s result, returned with no other reference left; its buffer address goes to seen."""
    t = make()
    seen.append(address(t))
    return t


@pytest.fixture
def abc():
    a0, b0, c0 = RNG.random(N), RNG.random(N), RNG.random(N)
    return (a0, b0, c0), (np.array(a0), np.array(b0), np.array(c0))


def test_result_is_written_into_the_temporary(abc):
    (a0, b0, c0), (a, b, c) = abc
    seen = []
    r = temporary(lambda: a * b, seen) + c
    assert address(r) == seen[0]
    numpy.testing.assert_array_equal(numpy.asarray(r), a0 * b0 + c0)
    r = c - temporary(lambda: a * b, seen)  # the temporary on the right
    assert address(r) == seen[1]
    numpy.testing.assert_array_equal(numpy.asarray(r), c0 - a0 * b0)
    r = 2.0 / temporary(lambda: a + b, seen)  # reflected, with a Python scalar
    assert address(r) == seen[2]
    numpy.testing.assert_array_equal(numpy.asarray(r), 2.0 / (a0 + b0))
    numpy.testing.assert_array_equal(numpy.asarray(a * b + c * a - b / c), a0 * b0 + c0 * a0 - b0 / c0)


def test_named_arrays_are_never_written(abc):
    (a0, b0, c0), (a, b, c) = abc
    t = a * b
    r = t + c
    assert r is not t and address(r) != address(t)
    numpy.testing.assert_array_equal(numpy.asarray(t), a0 * b0)
    u = t
    del t
    r = u + c
    numpy.testing.assert_array_equal(numpy.asarray(u), a0 * b0)


def test_shared_buffers_are_never_written(abc):
    (a0, b0, c0), (a, b, c) = abc
    seen = []
    base = a * b
    r = base[:] + c  # a temporary view: its buffer is base's
    numpy.testing.assert_array_equal(numpy.asarray(base), a0 * b0)
    view_holder = []
    r = temporary(lambda: view_holder.append((t := a * b)[::2]) or t, seen) + c
    assert address(r) != seen[0]  # a view of the temporary still exists
    numpy.testing.assert_array_equal(numpy.asarray(view_holder[0]), (a0 * b0)[::2])
    exported = []
    r = temporary(lambda: exported.append(memoryview(t := a * b)) or t, seen) + c
    assert address(r) != seen[1]
    numpy.testing.assert_array_equal(numpy.asarray(exported[0]), a0 * b0)
    numpy.testing.assert_array_equal(numpy.asarray(r), a0 * b0 + c0)


def test_no_elision_when_the_result_differs_in_dtype_or_shape(abc):
    (a0, b0, c0), (a, b, c) = abc
    seen = []
    i0 = RNG.integers(0, 100, N, dtype=numpy.int32)
    i = np.array(i0)
    r = temporary(lambda: i * 2, seen) + 2.5  # int32 -> float64
    assert r.dtype == numpy.float64 and address(r) != seen[0]
    numpy.testing.assert_array_equal(numpy.asarray(r), i0 * 2 + 2.5)
    row = np.array(a0[: N // 4]).reshape(1, -1)
    r = temporary(lambda: row * 2.0, seen) + np.array(b0).reshape(4, -1)  # broadcast to a larger shape
    assert r.shape == (4, N // 4) and address(r) != seen[1]
    numpy.testing.assert_array_equal(numpy.asarray(r), a0[: N // 4].reshape(1, -1) * 2.0 + b0.reshape(4, -1))
    r = temporary(lambda: a * b, seen) > c  # comparisons give bool
    numpy.testing.assert_array_equal(numpy.asarray(r), a0 * b0 > c0)
    u8 = np.array(numpy.full(N, 200, numpy.uint8))
    with pytest.raises(OverflowError):
        temporary(lambda: u8 + 1, seen) + 300  # the ordinary call's error


def test_small_arrays_are_not_elided():
    a = np.arange(10.0)
    seen = []
    r = temporary(lambda: a * 2, seen) + 1
    assert address(r) != seen[0]
    numpy.testing.assert_array_equal(numpy.asarray(r), numpy.arange(10.0) * 2 + 1)


def test_gradients_are_not_affected(abc):
    # exp's VJP reads its saved output: writing the product into it would corrupt the gradient
    (a0, _, _), (a, _, _) = abc
    x = np.array(a0 * 0.1)
    g = grad(lambda x: (np.exp(x) * 2.0 + x).sum())(x)
    numpy.testing.assert_allclose(numpy.asarray(g), 2.0 * numpy.exp(a0 * 0.1) + 1.0, rtol=1e-12)


def test_errstate_applies_to_elided_calls(abc):
    (a0, b0, _), (a, b, _) = abc
    z = np.zeros(N)
    with np.errstate(divide="raise"):
        with pytest.raises(FloatingPointError):
            (a * b) / z
    with np.errstate(divide="ignore"):
        r = (a * b) / z
    assert numpy.isinf(numpy.asarray(r)).all()
