"""The NumPy fallback: functions minpy does not implement run on minpy arrays and give minpy arrays
(NumPy scalars where NumPy gives scalars), views come back as minpy views, out= writes into minpy
memory, the allow/log/warn/raise policies, op statistics, and the __array_ufunc__ /
__array_function__ protocols. Functions here are ones unlikely to become native (polyval, cross,
kron, interp, ...); where a function may become native the test holds either way."""
import contextlib
import io
import warnings

import numpy
import pytest

import minpy.numpy as mnp
from minpy.numpy import _fallback


def assert_minpy(got, want, rtol=1e-12):
    assert isinstance(got, mnp.ndarray), type(got)
    g = numpy.asarray(got)
    assert g.dtype == want.dtype and g.shape == want.shape
    numpy.testing.assert_allclose(g, want, rtol=rtol)


@pytest.fixture
def data():
    x = numpy.linspace(0, 1, 20)
    y = 3 * x**2 - x + 1
    return x, y, mnp.array(x), mnp.array(y)


def test_fallback_functions_return_minpy_arrays(data):
    x, y, mx, my = data
    assert_minpy(mnp.polyfit(mx, my, 2), numpy.polyfit(x, y, 2), rtol=1e-9)
    h, edges = mnp.histogram(mx, bins=4)
    wh, wedges = numpy.histogram(x, bins=4)
    assert_minpy(h, wh)
    assert_minpy(edges, wedges)
    u = numpy.array([3, 1, 3, 2])
    assert_minpy(mnp.unique(mnp.array(u)), numpy.unique(u))
    vals, counts = mnp.unique(mnp.array(u), return_counts=True)
    assert_minpy(vals, numpy.unique(u))
    assert_minpy(counts, numpy.unique(u, return_counts=True)[1])
    m = numpy.array([[2.0, 1.0], [1.0, 3.0]])
    assert_minpy(mnp.linalg.inv(mnp.array(m)), numpy.linalg.inv(m))
    assert_minpy(mnp.fft.fft(mx), numpy.fft.fft(x))
    assert_minpy(mnp.percentile(mx, [10, 50]), numpy.percentile(x, [10, 50]))


def test_fallback_scalars_stay_numpy_scalars(data):
    x, y, mx, my = data
    for got, want in [(mnp.percentile(mx, 50), numpy.percentile(x, 50)), (mnp.median(mx), numpy.median(x)),
                      (numpy.median(mx), numpy.median(x)), (mnp.linalg.det(mnp.array([[2.0, 1], [1, 3]])),
                                                            numpy.linalg.det(numpy.array([[2.0, 1], [1, 3]])))]:
        assert type(got) is type(want) and got == pytest.approx(want)


def test_numpy_functions_on_minpy_arrays_dispatch_through_array_function(data):
    x, y, mx, my = data
    assert_minpy(numpy.polyval(mnp.array([1.0, 2.0]), mx), numpy.polyval([1.0, 2.0], x))
    a, b = numpy.array([1.0, 0, 0]), numpy.array([0.0, 1, 0])
    assert_minpy(numpy.cross(mnp.array(a), mnp.array(b)), numpy.cross(a, b))
    assert_minpy(numpy.kron(mnp.array([1, 2]), mnp.array([1, 1])), numpy.kron([1, 2], [1, 1]))
    assert_minpy(numpy.interp(mnp.array([0.25, 0.5]), mx, my), numpy.interp([0.25, 0.5], x, y))
    # mixed minpy/NumPy arguments
    assert_minpy(numpy.kron(mnp.array([1, 2]), numpy.array([1, 1])), numpy.kron([1, 2], [1, 1]))


def test_fallback_view_of_input_is_a_minpy_view():
    a = mnp.array(numpy.arange(12.0).reshape(3, 4))
    v = mnp.atleast_2d(a[0])  # a view in NumPy
    assert isinstance(v, mnp.ndarray) and v.shape == (1, 4)
    assert v.base is a
    v[0, 1] = 99
    assert float(a[0, 1]) == 99
    # a reversed view through NumPy (np.flip), written through
    f = mnp.flip(a, axis=1)
    assert isinstance(f, mnp.ndarray) and f.base is a
    f[2, 0] = -1
    assert float(a[2, 3]) == -1
    # results that do not view an input are new arrays
    r = mnp.kron(a, a)
    assert r.base is None or r.base is not a


def test_fallback_out_writes_into_minpy_arrays():
    o = mnp.zeros(4)
    r = mnp.cumsum(mnp.array([1.0, 2, 3, 4]), out=o)
    assert r is o and numpy.asarray(o).tolist() == [1, 3, 6, 10]
    o2 = mnp.zeros(3)
    r = numpy.cross(mnp.array([1.0, 0, 0]), mnp.array([0.0, 1, 0]))
    mnp.copyto(o2, r)
    assert numpy.asarray(o2).tolist() == [0, 0, 1]
    # a NumPy out array stays the NumPy object
    n = numpy.zeros(4)
    assert mnp.cumsum(mnp.array([1.0, 1, 1, 1]), out=n) is n and n.tolist() == [1, 2, 3, 4]
    # ufunc methods through __array_ufunc__ with out=
    o3 = mnp.zeros(3)
    r = numpy.add.accumulate(mnp.array([1.0, 2, 3]), out=o3)
    assert r is o3 and numpy.asarray(o3).tolist() == [1, 3, 6]


def test_array_ufunc_methods_fall_back():
    m = mnp.array([1.0, 2.0, 3.0])
    assert_minpy(numpy.add.outer(m, m), numpy.add.outer([1.0, 2, 3], [1.0, 2, 3]))
    assert_minpy(numpy.multiply.outer(m, mnp.array([1, 2])), numpy.multiply.outer([1.0, 2, 3], [1, 2]))
    assert_minpy(numpy.add.accumulate(m), numpy.add.accumulate([1.0, 2, 3]))
    r = numpy.add.reduce(mnp.array(numpy.ones((2, 3))), axis=0)
    assert_minpy(r, numpy.ones(3) * 2)
    at = mnp.array([1.0, 2.0, 3.0])
    numpy.add.at(at, [0, 0], 1)  # in place through the zero-copy view
    assert numpy.asarray(at).tolist() == [3, 2, 3]
    # ufunc __call__ on minpy arrays runs the native ufunc; NumPy arrays on the left give minpy
    assert isinstance(numpy.sin(m), mnp.ndarray)
    assert isinstance(numpy.arange(3.0) + m, mnp.ndarray)
    # ufunc options the engine does not take (where=) go through NumPy with the same result
    w = numpy.array([True, False, True])
    got = mnp.add(m, 1, where=mnp.array(w), out=mnp.zeros(3))
    assert numpy.asarray(got).tolist() == [2.0, 0.0, 4.0]


def test_policies():
    assert mnp.get_fallback_policy() == "allow"
    with mnp.fallback_policy("raise"):
        assert mnp.get_fallback_policy() == "raise"
        with pytest.raises(NotImplementedError):
            mnp.polyval([1, 2], 3)
        with pytest.raises(NotImplementedError):
            numpy.kron(mnp.array([1]), mnp.array([2]))
        mnp.add(mnp.ones(2), 1)  # native calls are unaffected
    assert mnp.get_fallback_policy() == "allow"
    with mnp.fallback_policy("warn"):
        with pytest.warns(mnp.FallbackWarning, match="polyval"):
            mnp.polyval([1, 2], 3)
    with mnp.fallback_policy("log"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            mnp.polyval([1, 2], 3)
        assert "polyval" in buf.getvalue()
    with mnp.fallback_policy("allow"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                mnp.polyval([1, 2], 3)
            assert buf.getvalue() == ""
    with pytest.raises(ValueError):
        mnp.set_fallback_policy("sometimes")
    # the context manager restores the policy when the block raises
    with pytest.raises(ZeroDivisionError):
        with mnp.fallback_policy("raise"):
            1 / 0
    assert mnp.get_fallback_policy() == "allow"
    mnp.set_fallback_policy("warn")
    try:
        assert _fallback.get_fallback_policy() == "warn"
    finally:
        mnp.set_fallback_policy("allow")


def test_op_statistics_count_native_and_fallback_calls():
    mnp.reset_op_stat()
    mnp.record_op_stat()
    try:
        x = mnp.array([1.0, 2.0])
        mnp.add(x, x)
        x + 1
        mnp.sqrt(x)
        mnp.polyval([1, 2], x)
        numpy.kron(x, x)
        stats = mnp.op_stat()
        assert stats["add"] == (2, 0)
        assert stats["sqrt"] == (1, 0)
        assert stats["polyval"] == (0, 1)
        assert stats["kron"] == (0, 1)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            mnp.show_op_stat()
        lines = buf.getvalue().splitlines()
        assert lines[0].split() == ["op", "native", "fallback"]
        rows = {l.split()[0]: l.split()[1:] for l in lines[1:]}
        assert rows["add"] == ["2", "0"] and rows["polyval"] == ["0", "1"]
        total = rows["total"]
        assert int(total[0]) == sum(v[0] for v in stats.values())
        assert int(total[1]) == sum(v[1] for v in stats.values())
    finally:
        mnp.record_op_stat(False)
        mnp.reset_op_stat()
    mnp.polyval([1, 2], 3)  # not recording: nothing counted
    assert mnp.op_stat().get("polyval", (0, 0)) == (0, 0)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError):
        mnp.this_is_not_a_numpy_function
    with pytest.raises(AttributeError):
        mnp.linalg.not_a_function
