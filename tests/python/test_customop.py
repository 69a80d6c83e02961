"""Custom ops (minpy.core.customop, MinPy's def_grad API) and fallback gradients from HIPS autograd.

Oracles: central finite differences of the same function (float64), MinPy's own examples
(sigmoid, softmax cross-entropy), and HIPS autograd's gradients for the fallback functions."""
import gc
import sys
import weakref

import numpy
import pytest

import minpy.numpy as np
from minpy.core import NoGradientFuncError, customop, grad, grad_and_loss
from conftest import numeric_grad as fd_grad

RNG = numpy.random.default_rng(11)

try:
    import autograd as hips
    import autograd.numpy as anp
except ImportError:  # optional dependency: those tests are skipped
    hips = anp = None
needs_hips = pytest.mark.skipif(hips is None, reason="HIPS autograd is not installed (pip install autograd)")




def check(f, *args, argnums=(0,), rtol=1e-5, atol=1e-7):
    got = grad(f, list(argnums))(*[np.array(a) if isinstance(a, numpy.ndarray) else a for a in args])
    for i, gi in zip(argnums, got):
        assert isinstance(gi, np.ndarray)
        assert gi.shape == numpy.shape(args[i])
        numpy.testing.assert_allclose(numpy.asarray(gi), fd_grad(f, args, i), rtol=rtol, atol=atol)


# ---- MinPy's examples ----
@customop("numpy")
def sigmoid(x):
    assert isinstance(x, numpy.ndarray)  # the 'numpy' op sees real NumPy arrays
    return 1.0 / (1.0 + numpy.exp(-x))


sigmoid.def_grad(lambda ans, x: lambda g: g * ans * (1 - ans))


@customop("numpy")
def softmax_loss(x, y):
    """MinPy's customop example: mean softmax cross-entropy of logits x for integer labels y."""
    probs = numpy.exp(x - numpy.max(x, axis=1, keepdims=True))
    probs /= numpy.sum(probs, axis=1, keepdims=True)
    return -numpy.sum(numpy.log(probs[numpy.arange(x.shape[0]), y])) / x.shape[0]


def softmax_loss_grad(ans, x, y):
    def g_fn(g):
        probs = numpy.exp(x - numpy.max(x, axis=1, keepdims=True))
        probs /= numpy.sum(probs, axis=1, keepdims=True)
        probs[numpy.arange(x.shape[0]), y] -= 1
        return g * probs / x.shape[0]
    return g_fn


softmax_loss.def_grad(softmax_loss_grad)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_sigmoid_numpy_op(shape):
    x0 = RNG.uniform(-2, 2, size=shape)
    y = sigmoid(np.array(x0))
    assert isinstance(y, np.ndarray) and y.shape == shape and y.dtype == numpy.float64
    numpy.testing.assert_allclose(numpy.asarray(y), 1 / (1 + numpy.exp(-x0)), rtol=1e-15)
    check(lambda x: sigmoid(x) * x, x0)


def test_softmax_loss_example():
    x0 = RNG.normal(size=(10, 5))
    labels = RNG.integers(0, 5, size=10)
    gs, loss = grad_and_loss(softmax_loss)(np.array(x0), labels)
    p = numpy.exp(x0 - x0.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    numpy.testing.assert_allclose(float(loss), -numpy.log(p[numpy.arange(10), labels]).mean(), rtol=1e-12)
    check(softmax_loss, x0, labels)
    # composed with native ops around it
    check(lambda x: softmax_loss(np.tanh(x) * 2.0, labels) * 3.0, x0)


def test_minpy_op_and_higher_order():
    @customop("minpy")
    def softplus(x):
        assert isinstance(x, np.ndarray)
        return np.log1p(np.exp(x))

    softplus.def_grad(lambda ans, x: lambda g: g / (1.0 + np.exp(-x)))
    x0 = RNG.uniform(-2, 2, size=(4,))
    check(lambda x: softplus(x) * x, x0)
    s = 1 / (1 + numpy.exp(-x0))
    d2 = grad(grad(lambda x: softplus(x)))(np.array(x0))
    numpy.testing.assert_allclose(numpy.asarray(d2), s * (1 - s), rtol=1e-12)
    d3 = grad(grad(grad(lambda x: softplus(x))))(np.array(x0))
    numpy.testing.assert_allclose(numpy.asarray(d3), s * (1 - s) * (1 - 2 * s), rtol=1e-12)


def test_numpy_op_higher_order_raises():
    x = np.array([0.1, 0.2])
    with pytest.raises(TypeError, match="cannot be differentiated again"):
        grad(grad(lambda x: sigmoid(x)))(x)
    # an outer tape that does not track the op's values is fine
    g = grad(lambda w: w * numpy.sum(numpy.asarray(grad(lambda x: sigmoid(x))(x))))(np.array(2.0))
    s = 1 / (1 + numpy.exp(-numpy.array([0.1, 0.2])))
    numpy.testing.assert_allclose(float(g), numpy.sum(s * (1 - s)), rtol=1e-12)


def test_multiple_argnums_and_grad_zero():
    @customop("numpy")
    def f(a, b, c):
        return a * numpy.sin(b) + c

    f.def_grad(lambda ans, a, b, c: lambda g: g * numpy.sin(b), argnum=0)
    f.def_grad(lambda ans, a, b, c: lambda g: g * a * numpy.cos(b), argnum=1)
    f.def_grad_zero(2)
    a0, b0, c0 = RNG.normal(size=(2, 3)), RNG.normal(size=(3,)), RNG.normal(size=(2, 3))
    check(f, a0, b0, c0, argnums=(0, 1))
    ga, gb, gc = grad(f, [0, 1, 2])(np.array(a0), np.array(b0), np.array(c0))
    assert gb.shape == (3,)  # summed over the broadcast axis
    assert numpy.all(numpy.asarray(gc) == 0)  # def_grad_zero


def test_multiple_grad_and_kw():
    @customop("numpy")
    def f(a, b, scale=None):
        return a * b * scale

    f.def_multiple_grad(lambda ans, a, b, scale=None: lambda g: (g * b * scale, g * a * scale), (0, 1))
    f.def_grad_kw(lambda ans, a, b, scale=None: lambda g: g * a * b, "scale")
    a0, b0, s0 = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=3)
    check(lambda a, b: f(a, b, scale=np.array(s0)), a0, b0, argnums=(0, 1))
    check(lambda s: f(np.array(a0), np.array(b0), scale=s), s0)
    assert f.gradable([0, 1], ["scale"]) and not f.gradable([2])


def test_scalar_grad_broadcast_and_tuple_outputs():
    @customop("numpy")
    def two(x):
        return numpy.sum(x ** 2), x * 3.0

    two.def_grad(lambda ans, x: lambda g: 2 * x * g[0] + 3.0 * g[1])
    x0 = RNG.normal(size=4)
    s, t = two(np.array(x0))
    assert isinstance(s, np.ndarray) and s.shape == () and t.shape == (4,)
    check(lambda x: two(x)[0] + two(x)[1] * 2.0, x0)
    check(lambda x: two(x)[1], x0)  # only one output used: the other cotangent is zero

    @customop("numpy")
    def mean(x):
        return numpy.mean(x)

    mean.def_grad(lambda ans, x: lambda g: g / x.size)  # a scalar gradient is broadcast
    check(mean, RNG.normal(size=(2, 3)))


def test_missing_grad_raises_at_backward():
    @customop("numpy")
    def f(x, y):
        return x * y

    f.def_grad(lambda ans, x, y: lambda g: g * y, argnum=0)
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    assert numpy.asarray(grad(f)(x, y)).tolist() == [3.0, 4.0]  # argnum 1 not differentiated: fine
    with pytest.raises(NoGradientFuncError, match="argument 1"):
        grad(f, 1)(x, y)
    assert issubclass(NoGradientFuncError, ValueError)


def test_errors_propagate_and_bad_shapes():
    @customop("numpy")
    def f(x):
        return x * 2.0

    def boom(ans, x):
        def g_fn(g):
            raise ZeroDivisionError("from the user's gradient")
        return g_fn

    f.def_grad(boom)
    with pytest.raises(ZeroDivisionError, match="user's gradient"):
        grad(f)(np.array([1.0]))
    f.def_grad(lambda ans, x: lambda g: numpy.ones(7))
    with pytest.raises(ValueError, match="shape"):
        grad(f)(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="op type"):
        customop("mxnet")(lambda x: x)


def test_in_place_write_after_call_is_refused():
    def fun(x):
        y = x * 1.0
        z = sigmoid(y)
        y += 1.0  # the value sigmoid saw is gone
        return z

    with pytest.raises(ValueError, match="modified in place"):
        grad(fun)(np.array([0.5, 1.0]))


def test_untracked_calls_and_identity_outputs():
    assert numpy.allclose(numpy.asarray(sigmoid(np.array([0.0, 1.0]))), [0.5, 1 / (1 + numpy.exp(-1))])

    @customop("minpy")
    def ident(x):
        return x

    ident.def_grad(lambda ans, x: lambda g: g * 5.0)
    x0 = RNG.normal(size=3)
    # the output aliases the input: it is copied, so x's own gradient path is kept
    check(lambda x: ident(x) + x, x0)


def test_recorded_calls_are_freed():
    """The node's VJP holds the call's arguments; it must die with the arrays (no hidden cycle)."""
    class Tag:
        pass

    @customop("minpy")
    def scaled(x, tag=None):
        return x * x

    scaled.def_grad(lambda ans, x, tag=None: lambda g: 2 * g * x)
    refs = []

    def fun(x):
        tag = Tag()
        refs.append(weakref.ref(tag))
        y = scaled(x, tag=tag)
        return y * 2.0

    g = grad(fun)(np.array([1.0, 2.0]))
    assert numpy.asarray(g).tolist() == [4.0, 8.0]
    gc.collect()
    assert refs[0]() is None


# ---- fallback gradients from HIPS autograd ----
def hips_check(f_minpy, f_hips, x0, rtol=1e-10):
    got = grad(f_minpy)(np.array(x0))
    want = hips.grad(lambda x: anp.sum(f_hips(x)))(x0)
    numpy.testing.assert_allclose(numpy.asarray(got), want, rtol=rtol, atol=1e-12)


@needs_hips
def test_hips_linalg():
    a0 = RNG.normal(size=(3, 3)) + 3 * numpy.eye(3)
    hips_check(lambda a: np.linalg.det(a), anp.linalg.det, a0)
    hips_check(lambda a: np.linalg.inv(a) * a, lambda a: anp.linalg.inv(a) * a, a0)
    hips_check(lambda a: np.linalg.slogdet(a)[1] * 2.0, lambda a: anp.linalg.slogdet(a)[1] * 2.0, a0)
    numpy.testing.assert_allclose(numpy.asarray(grad(lambda a: np.linalg.det(a))(np.array(a0))),
                                  fd_grad(lambda a: np.linalg.det(a), [a0], 0), rtol=1e-6)


@needs_hips
def test_hips_kron_cross_sinc():
    a0, b0 = RNG.normal(size=(2, 2)), RNG.normal(size=(2, 3))
    hips_check(lambda a: np.kron(a, np.array(b0)), lambda a: anp.kron(a, b0), a0)
    g = grad(lambda a, b: np.kron(a, b) * 2.0, [0, 1])(np.array(a0), np.array(b0))
    for i, gi in enumerate(g):
        numpy.testing.assert_allclose(numpy.asarray(gi), fd_grad(lambda a, b: np.kron(a, b) * 2.0, [a0, b0], i),
                                      rtol=1e-6)
    u0, v0 = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    hips_check(lambda u: np.cross(u, np.array(v0)) ** 2, lambda u: anp.cross(u, v0) ** 2, u0)
    x0 = RNG.uniform(0.2, 2, size=5)
    hips_check(lambda x: np.sinc(x) * x, lambda x: anp.sinc(x) * x, x0)


@needs_hips
def test_hips_higher_order_and_unsupported():
    a = np.array(RNG.normal(size=(2, 2)) + 2 * numpy.eye(2))
    with pytest.raises(TypeError, match="cannot be differentiated again"):
        grad(grad(lambda a: np.linalg.det(a)))(a)
    with pytest.raises(TypeError, match=r"\[np.linalg.eigvals\] has no gradient"):
        grad(lambda a: np.linalg.eigvals(a))(a)
    with pytest.raises(TypeError, match=r"has no gradient"):  # tracked array inside a list
        grad(lambda a: np.block([[a, a]]))(a)


def test_no_hips_raises_at_forward(monkeypatch):
    """Without HIPS autograd (simulated), the fallback refuses tracked inputs at the call."""
    import minpy._hips as _hips
    monkeypatch.setitem(sys.modules, "autograd", None)  # `import autograd` raises ImportError
    monkeypatch.setitem(sys.modules, "autograd.core", None)
    monkeypatch.setitem(sys.modules, "autograd.numpy", None)
    assert _hips._load() is None
    reached = []

    def fun(a):
        r = np.linalg.det(a)
        reached.append(True)
        return r

    with pytest.raises(TypeError, match=r"\[np.linalg.det\] has no gradient"):
        grad(fun)(np.array(numpy.eye(2)))
    assert not reached  # raised at the forward call, not in backward
    # untracked calls still fall back
    assert float(np.linalg.det(np.array(numpy.eye(2)))) == 1.0


@needs_hips
def test_hips_path_follows_the_fallback_policy():
    from minpy.numpy._fallback import FallbackWarning, fallback_policy
    a = np.array(numpy.eye(2) * 2.0)
    with fallback_policy("warn"), pytest.warns(FallbackWarning, match="linalg.det"):
        g = grad(lambda a: np.linalg.det(a))(a)
    numpy.testing.assert_allclose(numpy.asarray(g), numpy.eye(2) * 2.0)
    with fallback_policy("raise"), pytest.raises(NotImplementedError):
        grad(lambda a: np.linalg.det(a))(a)


def test_numpy_grad_gets_read_only_cotangent():
    @customop("numpy")
    def f(x):
        return x * 2.0

    def bad(ans, x):
        def g_fn(g):
            g *= 2.0  # the cotangent may be shared with other nodes: refused
            return g
        return g_fn

    f.def_grad(bad)
    with pytest.raises(ValueError, match="read-only"):
        grad(lambda x: f(x) + x)(np.array([1.0, 2.0]))
