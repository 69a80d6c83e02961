"""End-to-end checks of the engine through minpy.numpy (the thorough suites are per family)."""
import numpy
import pytest

import minpy.numpy as mnp
from conftest import assert_same


def test_arithmetic_matches_numpy():
    x = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    a = mnp.array(x)
    assert_same(a + 1, x + 1)
    assert_same(a * a - a / 2, x * x - x / 2)
    assert_same(mnp.exp(a), numpy.exp(x), rtol=1e-6)
    assert_same(a.T + numpy.arange(3, dtype=numpy.float32), x.T + numpy.arange(3, dtype=numpy.float32))


def test_views_alias():
    a = mnp.array(numpy.arange(6.0))
    b = a[1::2]
    b[0] = 42
    assert float(a[1]) == 42
    assert b.base is a


def test_nep50_overflow():
    with pytest.raises(OverflowError):
        mnp.array([1, 2], dtype=mnp.uint8) + 300
    assert (mnp.array([1, 2], dtype=mnp.int32) + 2.5).dtype == numpy.float64


def test_numpy_on_the_left_gives_minpy():
    r = numpy.arange(3) + mnp.array([1, 2, 3])
    assert isinstance(r, mnp.ndarray)
    assert_same(r, numpy.array([1, 3, 5]))


def test_fallback_runs_numpy_on_minpy_arrays():
    x = mnp.array([0.0, 1, 2])
    coeffs = mnp.polyfit(x, 2 * x + 1, 1)
    assert isinstance(coeffs, mnp.ndarray)
    numpy.testing.assert_allclose(numpy.asarray(coeffs), [2, 1], atol=1e-12)
    inv = mnp.linalg.inv(mnp.array([[2.0, 0], [0, 4]]))
    assert_same(inv, numpy.array([[0.5, 0], [0, 0.25]]))


def test_overlapping_inplace_matches_numpy():
    x = numpy.arange(8.0)
    a = mnp.array(x)
    a[1:] += a[:-1]
    x[1:] += x[:-1]
    assert_same(a, x)
