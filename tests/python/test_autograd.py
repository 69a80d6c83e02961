"""Autograd (minpy.core.grad & co.) against central finite differences in float64.

The oracle is the derivative of the same function computed by central differences, run without
a tape (the engine ops are already tested against NumPy elsewhere)."""
import math

import numpy
import pytest

import minpy
import minpy.numpy as np
from minpy.core import grad, grad_and_loss, stop_gradient, value_and_grad
from minpy.utils.gradient_checker import quick_grad_check
from conftest import numeric_grad

RNG = numpy.random.default_rng(7)






def check(f, *args, argnums=None, rtol=1e-5, atol=1e-6):
    argnums = list(range(len(args))) if argnums is None else argnums
    got = grad(f, argnums)(*[np.array(a) for a in args])
    for i, gi in zip(argnums, got):
        want = numeric_grad(f, args, i)
        assert isinstance(gi, np.ndarray)
        assert gi.shape == numpy.shape(args[i]), (gi.shape, numpy.shape(args[i]))
        assert gi.dtype == numpy.float64
        numpy.testing.assert_allclose(numpy.asarray(gi), want, rtol=rtol, atol=atol)


def rand(shape, lo, hi):
    return RNG.uniform(lo, hi, size=shape)


# ---- ufuncs ----
UNARY = {  # name: input domain
    "negative": (-2, 2), "positive": (-2, 2), "absolute": (0.2, 2), "reciprocal": (0.5, 2),
    "square": (-2, 2), "sqrt": (0.5, 3), "cbrt": (0.5, 3), "exp": (-2, 2), "exp2": (-2, 2),
    "expm1": (-2, 2), "log": (0.5, 3), "log2": (0.5, 3), "log10": (0.5, 3), "log1p": (-0.5, 3),
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2), "arcsin": (-0.9, 0.9),
    "arccos": (-0.9, 0.9), "arctan": (-3, 3), "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-2, 2),
    "arcsinh": (-2, 2), "arccosh": (1.2, 3), "arctanh": (-0.9, 0.9), "deg2rad": (-90, 90),
    "rad2deg": (-2, 2), "conjugate": (-2, 2),
}
BINARY = {  # name: (domain of x, domain of y)
    "add": ((-2, 2), (-2, 2)), "subtract": ((-2, 2), (-2, 2)), "multiply": ((-2, 2), (-2, 2)),
    "true_divide": ((-2, 2), (0.5, 2)), "remainder": ((0.1, 0.9), (1.5, 2)),
    "fmod": ((0.1, 0.9), (1.5, 2)), "power": ((0.5, 2), (-2, 2)), "float_power": ((0.5, 2), (-2, 2)),
    "arctan2": ((-2, 2), (0.5, 2)), "hypot": ((0.5, 2), (-2, -0.5)), "maximum": ((-2, 2), (-2, 2)),
    "minimum": ((-2, 2), (-2, 2)), "fmax": ((-2, 2), (-2, 2)), "fmin": ((-2, 2), (-2, 2)),
    "copysign": ((0.5, 2), (-2, 2)), "logaddexp": ((-2, 2), (-2, 2)),
    "logaddexp2": ((-2, 2), (-2, 2)),
}
SHAPE_PAIRS = [((), ()), ((), (3,)), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_unary_ufunc_gradients(name, shape):
    lo, hi = UNARY[name]
    check(getattr(np, name), rand(shape, lo, hi))


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_ufunc_gradients_broadcasting(name, shapes):
    (xl, xh), (yl, yh) = BINARY[name]
    check(getattr(np, name), rand(shapes[0], xl, xh), rand(shapes[1], yl, yh))


def test_ufunc_with_python_scalar_operands():
    x = rand((3,), 0.5, 2)
    check(lambda x: 2.0 ** x + x ** 3 - 1.5 / x + np.power(x, 0.5) * 4, x)


def test_divmod_remainder_gradient():
    check(lambda x, y: np.divmod(x, y)[1] * 3 + np.divmod(x, y)[0], rand((4,), 0.1, 0.9), rand((4,), 1.5, 2))


def test_clip_gradients():
    a = numpy.array([-2.0, -0.5, 0.3, 1.7, 2.5])
    check(lambda a, lo, hi: np.clip(a, lo, hi), a, numpy.full(5, -1.0), numpy.full(5, 1.0))
    got = grad(lambda a: np.clip(a, -1.0, 1.0))(np.array([-1.0, 0.0, 1.0]))
    assert numpy.asarray(got).tolist() == [0.0, 1.0, 0.0]  # at a bound: HIPS autograd's convention


def test_heaviside_gradient():
    g0, g1 = grad(lambda x, h: np.heaviside(x, h), [0, 1])(np.array([-1.0, 0.0, 2.0]), np.array([0.5, 0.5, 0.5]))
    assert numpy.asarray(g0).tolist() == [0, 0, 0] and numpy.asarray(g1).tolist() == [0, 1, 0]


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "rint", "sign", "isnan", "isinf", "isfinite",
                                  "signbit", "logical_not"])
def test_non_differentiable_unary_gives_zero(name):
    x = np.array([-1.3, 0.4, 2.6])
    g = grad(lambda x: getattr(np, name)(x) * 1.0 + x * 0.0)(x)
    assert numpy.asarray(g).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("name", ["less", "greater", "equal", "not_equal", "less_equal", "greater_equal",
                                  "floor_divide", "logical_and", "logical_or", "logical_xor"])
def test_non_differentiable_binary_gives_zero(name):
    x = np.array([-1.3, 0.4, 2.6])
    g = grad(lambda x: getattr(np, name)(x, 0.5) * x)(x)
    want = getattr(numpy, name)(numpy.asarray(x), 0.5).astype(float)
    numpy.testing.assert_array_equal(numpy.asarray(g), want)


def test_abs_at_zero_and_max_ties():
    assert float(grad(np.abs)(0.0)) == 0.0
    gx, gy = grad(np.maximum, [0, 1])(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0]))
    assert numpy.asarray(gx).tolist() == [0.5, 1.0, 0.0] and numpy.asarray(gy).tolist() == [0.5, 0.0, 1.0]
    gx, gy = grad(np.minimum, [0, 1])(2.0, 2.0)
    assert (float(gx), float(gy)) == (0.5, 0.5)


def test_power_exponent_gradient_where_base_not_positive():
    gx, gy = grad(np.power, [0, 1])(np.array([0.0, -2.0, 2.0]), np.array([0.0, 2.0, 3.0]))
    numpy.testing.assert_allclose(numpy.asarray(gx), [0.0, -4.0, 12.0])
    numpy.testing.assert_allclose(numpy.asarray(gy), [0.0, 0.0, 8 * math.log(2)])


def test_astype_gradient_is_cast_back():
    g = grad(lambda x: x.astype(np.float32) * 2.0)(np.array([1.0, 2.0]))
    assert g.dtype == numpy.float64 and numpy.asarray(g).tolist() == [2.0, 2.0]
    g = grad(lambda x: x.astype(np.int64) * x)(np.array([1.5, 2.5]))  # the int cast is a constant
    assert numpy.asarray(g).tolist() == [1.0, 2.0]


def test_integer_inputs_of_ops_get_no_gradient_and_float32_stays_float32():
    k = np.array([1, 2, 3])
    g = grad(lambda x: x * k + k)(np.array([1.0, 1.0, 1.0]))
    assert numpy.asarray(g).tolist() == [1, 2, 3]
    g32 = grad(lambda x: np.sin(x) * 2.0)(np.array([0.0, 1.0], dtype=np.float32))
    assert g32.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.asarray(g32), 2 * numpy.cos([0.0, 1.0]), rtol=1e-6)


# ---- views and indexing ----
VIEWS = {
    "reshape": lambda x: x.reshape(3, 4) * np.arange_like(x, (3, 4)),
    "reshape_F": lambda x: np.reshape(x, (4, 3), order="F") * np.arange_like(x, (4, 3)),
    "ravel_T": lambda x: x.T.ravel() * np.arange_like(x, (12,)),
    "transpose": lambda x: np.transpose(x) * np.arange_like(x, (4, 3)),
    "swapaxes": lambda x: np.swapaxes(np.expand_dims(x, 0), 0, 2) * np.arange_like(x, (4, 3, 1)),
    "moveaxis": lambda x: np.moveaxis(x.reshape(2, 3, 2), 0, -1) * np.arange_like(x, (3, 2, 2)),
    "expand_squeeze": lambda x: np.squeeze(np.expand_dims(x, (0, 2)), 0) * np.arange_like(x, (3, 1, 4)),
    "broadcast_to": lambda x: np.broadcast_to(x[0], (5, 4)) * np.arange_like(x, (5, 4)),
    "diagonal": lambda x: np.diagonal(x, 1) * np.arange_like(x, (3,)),
    "real_imag": lambda x: np.real(x) * 2 + np.imag(x),
    "getitem": lambda x: x[1:, ::-2] * np.arange_like(x, (2, 2)) + x[0, 1] * x[-1, -1] + np.expand_dims(x, 0)[..., 1:, 2],
    "getitem_chain": lambda x: x[::2][1][1:3] * x[1, ::3],
    "copy": lambda x: x.copy() * x + x.astype(np.float64) * 2.0,
}


def _arange_like(x, shape):
    return np.array(numpy.arange(1, 1 + math.prod(shape), dtype=float).reshape(shape) / 7.0)


np.arange_like = _arange_like


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_gradients(name):
    check(VIEWS[name], rand((3, 4), -2, 2), rtol=1e-4)


def test_views_of_non_contiguous_inputs():
    check(lambda x: np.sin(x.T[1:, ::2]) * x.T[:-1, 1::2], rand((4, 3), -2, 2))


# ---- in-place writes ----
def test_setitem_into_zeros():
    def f(x):
        y = np.zeros(4)
        for i in range(3):
            y[i] = np.sin(x[i]) * x[i + 1]
        y[3] = 2.0
        return y * y
    check(f, rand((4,), -2, 2))


def test_setitem_slices_and_overwrite():
    def f(x):
        y = x * 1.0
        y[1:3] = x[:2] ** 2
        y[0] = 5.0
        y[-1] *= x[0]
        return y * np.exp(y)
    check(f, rand((4,), -1, 1))


def test_inplace_operators():
    def f(x, w):
        h = x * 1.0
        h += np.tanh(w)
        h *= x
        h -= w
        h /= 2.0 + x * x
        h **= 2
        return h
    check(f, rand((3,), -1, 1), rand((3,), -1, 1))


def test_inplace_with_aliasing_operands():
    def f(x):
        y = x * 1.0
        y *= y
        y += y[::-1]
        return y
    check(f, rand((5,), -1, 1))


def test_ufunc_out_argument():
    def f(x):
        out = np.zeros((2, 3))
        np.multiply(x, x, out=out)
        np.sin(out[0], out=out[1])
        return out
    check(f, rand((2, 3), -1, 1))


def test_view_sees_later_write_to_its_base():
    def f(x):
        y = x * 1.0
        v = y[1:3]          # view taken before the write
        y[2] = x[0] ** 3    # the write reaches v[1]
        return v * 2.0 + y[:2]
    check(f, rand((4,), -1, 1))


def test_write_through_view_reaches_base():
    def f(x):
        y = x * 1.0
        v = y[::2]
        v *= 3.0
        v[0] = np.exp(x[1])
        return y * x
    check(f, rand((5,), -1, 1))


def test_writing_into_the_input_inside_grad():
    def f(x):
        x[0] = 2.0
        x[1] *= x[2]
        return x * x
    x0 = rand((3,), -1, 1)
    g = grad(f)(np.array(x0))
    x1 = x0.copy()
    want = numpy.array([0.0, 2 * x0[1] * x0[2] ** 2, 2 * x0[2] + 2 * x0[1] ** 2 * x0[2]])
    numpy.testing.assert_allclose(numpy.asarray(g), want, rtol=1e-12)
    assert x1[0] != 2.0


def test_stale_saved_value_raises():
    def f(x):
        y = x * 1.0
        z = y * y      # saves y
        y += 1.0       # ... which is now stale
        return z
    with pytest.raises(ValueError, match=r"\[grad\].*modified in place"):
        grad(f)(np.array([1.0, 2.0]))


def test_stale_saved_output_raises():
    def f(x):
        e = np.exp(x)  # exp saves its output
        e += 1.0
        return e
    with pytest.raises(ValueError, match="modified in place"):
        grad(f)(np.array([1.0, 2.0]))


def test_no_error_when_nothing_saved_went_stale():
    def f(x):
        y = x * 1.0
        z = y + y      # add saves nothing
        y += 1.0
        return z * 3.0 + y
    check(f, rand((2,), -1, 1))


def test_fill_inside_grad():
    def f(x):
        y = x * 2.0
        y.fill(3.0)
        return y * x
    g = grad(f)(np.array([1.0, 2.0]))
    assert numpy.asarray(g).tolist() == [3.0, 3.0]


# ---- control flow and higher order ----
def test_control_flow():
    def f(x):
        y = x
        while float(np.abs(y)) < 10.0:
            y = y * 1.5 + np.sin(y)
        if float(y) > 0:
            return y * y
        return -y

    def rec(x, n):
        return x if n == 0 else np.sin(rec(x, n - 1)) * x

    check(f, 0.7)
    check(lambda x: rec(x, 4), rand((3,), -1, 1))


def test_higher_order_scalars():
    f = lambda x: np.sin(x) * x ** 3
    x = 0.9
    s, c = math.sin(x), math.cos(x)
    d1 = 3 * x ** 2 * s + x ** 3 * c
    d2 = 6 * x * s + 6 * x ** 2 * c - x ** 3 * s
    d3 = 6 * s + 18 * x * c - 9 * x ** 2 * s - x ** 3 * c
    assert float(grad(f)(x)) == pytest.approx(d1, rel=1e-12)
    assert float(grad(grad(f))(x)) == pytest.approx(d2, rel=1e-12)
    assert float(grad(grad(grad(f)))(x)) == pytest.approx(d3, rel=1e-12)
    g4 = grad(grad(grad(grad(np.exp))))
    assert float(g4(0.3)) == pytest.approx(math.exp(0.3), rel=1e-12)


def test_grad_inside_grad_with_closure():
    def outer(y):
        inner = grad(lambda x: np.sin(x * y) * x)  # d/dx = cos(xy)*xy + sin(xy)
        return inner(1.3) * y
    check(outer, 0.7)


def test_higher_order_through_views_and_setitem():
    def f(x):
        y = np.zeros(2)
        y[0] = x[0] * x[1]
        y[1] = np.sin(x[1])
        return y[0] * y[1]
    hx = grad(lambda x: grad(f)(x)[1])(np.array([0.5, 0.8]))  # d/dx of d f / d x1
    a, b = 0.5, 0.8
    want = [math.sin(b) + b * math.cos(b), 2 * a * math.cos(b) - a * b * math.sin(b)]
    numpy.testing.assert_allclose(numpy.asarray(hx), want, rtol=1e-12)


# ---- API ----
def test_argnum_forms_and_unused_inputs():
    f = lambda x, y, z: x * y * 2.0
    x, y, z = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0])
    assert numpy.asarray(grad(f)(x, y, z)).tolist() == [6.0, 8.0]
    for argnum in ([0, 2], (0, 2), range(0, 3, 2)):
        gs = grad(f, argnum)(x, y, z)
        assert isinstance(gs, list) and len(gs) == 2
        assert numpy.asarray(gs[1]).tolist() == [0.0] and gs[1].shape == (1,)
    assert numpy.asarray(grad(f, 1)(x, y, z)).tolist() == [2.0, 4.0]
    assert numpy.asarray(grad(f, -2)(x, y, z)).tolist() == [2.0, 4.0]


def test_grad_and_loss_and_value_and_grad():
    f = lambda x: x * x * 3.0
    g, loss = grad_and_loss(f)(np.array([2.0]))
    assert numpy.asarray(g).tolist() == [12.0] and numpy.asarray(loss).tolist() == [12.0]
    loss, g = value_and_grad(f)(np.array([2.0]))
    assert numpy.asarray(g).tolist() == [12.0] and numpy.asarray(loss).tolist() == [12.0]
    assert minpy.grad is grad


def test_numpy_inputs_python_floats_and_ints():
    g = grad(lambda x: x * x)(numpy.array([1.0, 3.0]))
    assert isinstance(g, np.ndarray) and numpy.asarray(g).tolist() == [2.0, 6.0]
    g = grad(lambda x: x * x)(1.5)
    assert isinstance(g, np.ndarray) and g.shape == () and float(g) == 3.0
    g = grad(lambda x: x * x)(numpy.array([1, 2]))  # integers become float64
    assert g.dtype == numpy.float64 and numpy.asarray(g).tolist() == [2.0, 4.0]
    g = grad(lambda x: 3.0)(np.array([1.0, 2.0]))  # output independent of x
    assert numpy.asarray(g).tolist() == [0.0, 0.0]


def test_non_scalar_output_is_seeded_with_ones():
    g = grad(lambda x: np.sin(x) * 2.0)(np.array([[0.0, 1.0], [2.0, 3.0]]))
    numpy.testing.assert_allclose(numpy.asarray(g), 2 * numpy.cos([[0.0, 1.0], [2.0, 3.0]]))


def test_stop_gradient():
    g = grad(lambda x: x * stop_gradient(x * 3.0))(np.array([2.0]))
    assert numpy.asarray(g).tolist() == [6.0]


def test_fallback_names_raise_under_grad():
    with pytest.raises(TypeError, match=r"\[np.polyval\] has no gradient"):
        grad(lambda x: np.polyval(x, 2.0))(np.array([1.0, 2.0]))
    # Advanced indexing is native and differentiable: repeated indices accumulate.
    g = grad(lambda x: x[[0, 1, 1]] * x[[0, 1, 1]])(np.array([1.0, 2.0]))
    assert numpy.asarray(g).tolist() == [2.0, 8.0]
    # Untracked arrays still use the fallback inside grad.
    g = grad(lambda x: x * np.polyval(np.array([1.0, 2.0]), 2.0))(np.array([1.0]))
    assert numpy.asarray(g).tolist() == [4.0]
    # And everything works again after an error inside grad.
    assert float(grad(lambda x: x * x)(2.0)) == 4.0


def test_no_tracking_outside_grad():
    x = np.array([1.0, 2.0])
    grad(lambda v: v * x)(np.array([1.0, 1.0]))
    assert not minpy._core._ag_active()
    assert not minpy._core._ag_tracked(x * 2.0)


def test_quick_grad_check():
    assert quick_grad_check(lambda x: np.sin(x) * x, numpy.array([0.3, 1.2, -0.7]), verbose=False,
                            rs=numpy.random.RandomState(0))
    with pytest.raises(AssertionError, match="Check failed"):
        quick_grad_check(lambda x: stop_gradient(x) * x, numpy.array([0.3, 1.2]), verbose=False,
                         rs=numpy.random.RandomState(0))


def test_recurrence_through_setitem():
    def f(x):
        y = np.zeros(5)
        y[0] = x[0]
        for i in range(1, 5):
            y[i] = np.sin(y[i - 1]) * x[1] + y[i - 1] ** 2
        return y
    check(f, rand((2,), -0.8, 0.8))


def _naive_conv(x, w, b, pad=1, stride=1):
    """CS231n's conv_forward_naive, written exactly as students write it (item assignment in loops)."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out


def test_naive_convolution_loop_gradients_match_finite_differences():
    rng = numpy.random.default_rng(7)
    x0 = rng.standard_normal((1, 2, 4, 4))
    w0 = rng.standard_normal((2, 2, 3, 3))
    b0 = rng.standard_normal(2)
    dout = rng.standard_normal((1, 2, 4, 4))

    def loss(x, w, b):
        return np.sum(_naive_conv(x, w, b) * dout)

    gx, gw, gb = grad(loss, argnum=[0, 1, 2])(np.array(x0), np.array(w0), np.array(b0))
    for k, (g, base) in enumerate([(gx, x0), (gw, w0), (gb, b0)]):
        want = numpy.zeros_like(base)
        for idx in numpy.ndindex(base.shape):
            plus, minus = [a.copy() for a in (x0, w0, b0)], [a.copy() for a in (x0, w0, b0)]
            plus[k][idx] += 1e-6
            minus[k][idx] -= 1e-6
            want[idx] = (float(loss(*map(np.array, plus))) - float(loss(*map(np.array, minus)))) / 2e-6
        numpy.testing.assert_allclose(numpy.asarray(g), want, rtol=1e-6, atol=1e-8)


def test_numpy_interop_decorators():
    import numpy
    from minpy.core import convert_args, grad_and_loss, minpy_to_numpy, numpy_to_minpy, return_numpy

    @convert_args
    def step(x, w, b=None):
        assert isinstance(x, np.ndarray) and isinstance(w, np.ndarray) and isinstance(b, np.ndarray)
        return np.tanh(x.dot(w) + b).sum()

    x, w, b = numpy.ones((2, 3)), numpy.full((3, 4), 0.1), numpy.zeros(4)
    assert float(step(x, w, b=b)) == pytest.approx(8 * numpy.tanh(0.3))
    grads, loss = return_numpy(grad_and_loss(lambda w: step(x, w, b=b)))(np.array(w))
    assert type(grads) is numpy.ndarray and grads.shape == (3, 4)
    numpy.testing.assert_allclose(grads, numpy.full((3, 4), 2 * (1 - numpy.tanh(0.3) ** 2)))
    nested = numpy_to_minpy({"a": [numpy.arange(3)], "b": 1.5})
    assert isinstance(nested["a"][0], np.ndarray) and nested["b"] == 1.5
    back = minpy_to_numpy(nested)
    assert type(back["a"][0]) is numpy.ndarray and back["a"][0].tolist() == [0, 1, 2]
