"""minpy.nn.layers that delegate to the native ops of minpy.nn.functional (batchnorm,
spatial_batchnorm, dropout, conv, max_pool, avg_pool, softmax_loss, svm_loss, embedding): values
against NumPy reference formulas and gradients against central finite differences in float64.

These need the native families (branches nnconv and nnnorm, see NN_API.md); without them every
test here fails at the first call into minpy.nn.functional."""
import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad
from minpy.nn import layers
from conftest import numeric_grad

RNG = numpy.random.default_rng(19)


def rand(*shape, scale=1.0):
    return RNG.standard_normal(shape) * scale


def as_tuple(v):
    return v if isinstance(v, tuple) else (v,)


def mp(a):
    return np.array(a) if isinstance(a, numpy.ndarray) else a


def check_grads(f, args, argnums, rtol=1e-5, atol=1e-7):
    """grad of a random projection of f's first output equals central differences."""
    out = as_tuple(f(*[mp(a) for a in args]))[0]
    weight = RNG.standard_normal(tuple(out.shape))

    def loss(*a):
        return np.sum(as_tuple(f(*a))[0] * weight)
    got = grad(loss, list(argnums))(*[mp(a) for a in args])
    for i, g in zip(argnums, got):
        want = numeric_grad(loss, args, i)
        assert isinstance(g, np.ndarray) and g.shape == numpy.shape(args[i]) and g.dtype == numpy.float64
        numpy.testing.assert_allclose(g.asnumpy(), want, rtol=rtol, atol=atol, err_msg=f"argument {i}")


def check_value(got, want, rtol=1e-12, atol=1e-12):
    assert isinstance(got, np.ndarray), type(got)
    assert tuple(got.shape) == numpy.shape(want)
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=rtol, atol=atol)


# ---- batchnorm ----
def ref_bn(x, gamma, beta, eps, axes):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    shape = [1] * x.ndim
    shape[1] = -1
    return gamma.reshape(shape) * (x - mu) / numpy.sqrt(var + eps) + beta.reshape(shape), \
        x.mean(axis=axes), x.var(axis=axes)


def test_batchnorm_train_value_and_running_stats():
    x, gamma, beta = rand(8, 5) * 2 + 1, rand(5), rand(5)
    rm0, rv0 = rand(5), numpy.abs(rand(5))
    rm, rv = np.array(rm0), np.array(rv0)
    out, rm_out, rv_out = layers.batchnorm(np.array(x), np.array(gamma), np.array(beta), "train",
                                           eps=1e-5, momentum=0.9, running_mean=rm, running_var=rv)
    want, mu, var = ref_bn(x, gamma, beta, 1e-5, (0,))
    check_value(out, want)
    # Updated in place, MinPy's momentum keeps the old statistic.
    assert rm_out is rm and rv_out is rv
    check_value(rm, 0.9 * rm0 + 0.1 * mu)
    check_value(rv, 0.9 * rv0 + 0.1 * var)


def test_batchnorm_default_running_stats_start_at_zero():
    x, gamma, beta = rand(6, 3), rand(3), rand(3)
    out, rm, rv = layers.batchnorm(np.array(x), np.array(gamma), np.array(beta))
    _, mu, var = ref_bn(x, gamma, beta, 1e-5, (0,))
    check_value(rm, 0.1 * mu)
    check_value(rv, 0.1 * var)
    assert rm.dtype == numpy.float64 and rm.shape == (3,)


def test_batchnorm_test_mode():
    x, gamma, beta = rand(4, 3), rand(3), rand(3)
    rm, rv = rand(3), numpy.abs(rand(3)) + 0.5
    out, rm_out, rv_out = layers.batchnorm(np.array(x), np.array(gamma), np.array(beta), "test",
                                           running_mean=np.array(rm), running_var=np.array(rv))
    check_value(out, gamma * (x - rm) / numpy.sqrt(rv + 1e-5) + beta)
    check_value(rm_out, rm, rtol=0, atol=0)  # not updated in test mode
    with pytest.raises(ValueError):
        layers.batchnorm(np.array(x), np.array(gamma), np.array(beta), "test")
    with pytest.raises(ValueError):
        layers.batchnorm(np.array(x), np.array(gamma), np.array(beta), "eval")


def test_batchnorm_grad():
    x, gamma, beta = rand(6, 4), rand(4), rand(4)
    f = lambda a, g, b: layers.batchnorm(a, g, b)[0]  # noqa: E731
    check_grads(f, [x, gamma, beta], [0, 1, 2])


def test_spatial_batchnorm():
    x, gamma, beta = rand(3, 4, 5, 2) * 3 - 1, rand(4), rand(4)
    rm, rv = np.zeros(4), np.ones(4)
    out, _, _ = layers.spatial_batchnorm(np.array(x), np.array(gamma), np.array(beta), "train",
                                         momentum=0.8, running_mean=rm, running_var=rv)
    want, mu, var = ref_bn(x, gamma, beta, 1e-5, (0, 2, 3))
    check_value(out, want)
    check_value(rm, 0.2 * mu)
    check_value(rv, 0.8 + 0.2 * var)
    out_t, _, _ = layers.spatial_batchnorm(np.array(x), np.array(gamma), np.array(beta), "test",
                                           running_mean=rm, running_var=rv)
    check_value(out_t, gamma.reshape(1, 4, 1, 1) * (x - rm.asnumpy().reshape(1, 4, 1, 1))
                / numpy.sqrt(rv.asnumpy().reshape(1, 4, 1, 1) + 1e-5) + beta.reshape(1, 4, 1, 1))
    f = lambda a, g, b: layers.spatial_batchnorm(a, g, b)[0]  # noqa: E731
    check_grads(f, [rand(2, 3, 2, 2), rand(3), rand(3)], [0, 1, 2])
    with pytest.raises(ValueError):
        layers.spatial_batchnorm(np.array(rand(4, 3)), np.array(gamma), np.array(beta))


# ---- dropout (inverted) ----
def test_dropout_train_is_inverted():
    x = numpy.abs(rand(200, 50)) + 0.1
    out = layers.dropout(np.array(x), 0.3, mode="train", seed=1).asnumpy()
    kept = out != 0
    numpy.testing.assert_allclose(out[kept], x[kept] / 0.7, rtol=1e-14)
    assert abs(kept.mean() - 0.7) < 0.02
    # Same seed, same mask; another seed, another mask.
    again = layers.dropout(np.array(x), 0.3, mode="train", seed=1).asnumpy()
    numpy.testing.assert_array_equal(out, again)
    other = layers.dropout(np.array(x), 0.3, mode="train", seed=2).asnumpy()
    assert (other != out).any()


def test_dropout_test_mode_and_edges():
    x = rand(5, 4)
    check_value(layers.dropout(np.array(x), 0.5, mode="test"), x, rtol=0, atol=0)
    check_value(layers.dropout(np.array(x), 0.0, mode="train"), x, rtol=0, atol=0)
    check_value(layers.dropout(np.array(x), 1.0, mode="train"), numpy.zeros_like(x), rtol=0, atol=0)
    with pytest.raises(ValueError):
        layers.dropout(np.array(x), 1.5)
    with pytest.raises(ValueError):
        layers.dropout(np.array(x), 0.5, mode="eval")


def test_dropout_grad_is_the_mask():
    x = rand(6, 7)
    f = lambda a: layers.dropout(a, 0.4, mode="train", seed=3)  # noqa: E731
    mask = (f(np.array(x)).asnumpy() != 0) / 0.6
    g = grad(lambda a: np.sum(f(a)))(np.array(x)).asnumpy()
    numpy.testing.assert_allclose(g, mask, rtol=1e-14)
    check_grads(f, [x], [0])


# ---- convolution and pooling ----
def ref_conv(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho, Wo = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    out = numpy.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = numpy.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + (0 if b is None else b.reshape(1, F, 1, 1))


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 1), (2, 0)])
def test_conv_value(stride, pad):
    x, w, b = rand(2, 3, 7, 6), rand(4, 3, 3, 3), rand(4)
    got = layers.conv(np.array(x), np.array(w), np.array(b), stride=stride, pad=pad)
    check_value(got, ref_conv(x, w, b, stride, pad), rtol=1e-11, atol=1e-11)


def test_conv_grad():
    x, w, b = rand(2, 2, 5, 4), rand(3, 2, 3, 2), rand(3)
    check_grads(lambda a, k, c: layers.conv(a, k, c, stride=2, pad=1), [x, w, b], [0, 1, 2])
    check_grads(lambda a, k: layers.conv(a, k, None), [x, w], [0, 1])


def ref_pool(x, kh, kw, stride, op):
    N, C, H, W = x.shape
    Ho, Wo = (H - kh) // stride + 1, (W - kw) // stride + 1
    out = numpy.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = op(x[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw],
                                 axis=(2, 3))
    return out


def distinct(*shape):
    n = int(numpy.prod(shape))
    return (RNG.permutation(n) * 0.37 - n * 0.15).reshape(shape)


def test_max_pool():
    x = distinct(2, 3, 6, 8)
    check_value(layers.max_pool(np.array(x)), ref_pool(x, 2, 2, 2, numpy.max), rtol=0, atol=0)
    check_value(layers.max_pool(np.array(x), 3, 2, 1), ref_pool(x, 3, 2, 1, numpy.max), rtol=0, atol=0)
    check_value(layers.max_pool(np.array(x), (3, 2), stride=1), ref_pool(x, 3, 2, 1, numpy.max),
                rtol=0, atol=0)
    check_grads(lambda a: layers.max_pool(a, 2, 2, 2), [distinct(1, 2, 4, 4)], [0])
    check_grads(lambda a: layers.max_pool(a, 3, stride=1), [distinct(2, 1, 5, 5)], [0])


def test_avg_pool():
    x = rand(2, 3, 6, 4)
    check_value(layers.avg_pool(np.array(x)), ref_pool(x, 2, 2, 2, numpy.mean), rtol=1e-14)
    check_value(layers.avg_pool(np.array(x), 3, 2, 1), ref_pool(x, 3, 2, 1, numpy.mean), rtol=1e-14)
    check_grads(lambda a: layers.avg_pool(a, 2, 3, 1), [rand(1, 2, 4, 5)], [0])


# ---- losses ----
def ref_log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True))


def test_softmax_loss_index_and_onehot():
    x = rand(5, 4, scale=3.0)
    y = numpy.array([0, 3, 3, 1, 2])
    want = -ref_log_softmax(x)[numpy.arange(5), y].mean()
    check_value(layers.softmax_loss(np.array(x), np.array(y)), want)
    check_value(layers.softmax_loss(np.array(x), np.array(numpy.eye(4)[y])), want)
    # NDArrayIter-style float labels, (N,) or (N, 1).
    check_value(layers.softmax_loss(np.array(x), np.array(y.astype(float).reshape(5, 1))), want)
    check_grads(lambda a: layers.softmax_loss(a, np.array(y)), [x], [0])
    check_grads(lambda a: layers.softmax_loss(a, np.array(numpy.eye(4)[y])), [x], [0])
    g = grad(lambda a: layers.softmax_loss(a, np.array(y)))(np.array(x)).asnumpy()
    numpy.testing.assert_allclose(g, (numpy.exp(ref_log_softmax(x)) - numpy.eye(4)[y]) / 5, rtol=1e-12,
                                  atol=1e-15)


def test_softmax_loss_bad_labels():
    x = np.array(rand(3, 4))
    with pytest.raises(IndexError):
        layers.softmax_loss(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError):
        layers.softmax_loss(x, np.array([0, 1]))


def test_svm_loss():
    x = rand(6, 5)
    y = RNG.integers(0, 5, size=6)
    margins = numpy.maximum(0, x - x[numpy.arange(6), y][:, None] + 1.0)
    margins[numpy.arange(6), y] = 0
    check_value(layers.svm_loss(np.array(x), np.array(y)), margins.sum() / 6)
    margins2 = numpy.maximum(0, x - x[numpy.arange(6), y][:, None] + 0.5)
    margins2[numpy.arange(6), y] = 0
    check_value(layers.svm_loss(np.array(x), np.array(y), delta=0.5), margins2.sum() / 6)
    # Keep finite differences away from the hinge's kinks.
    xs = distinct(4, 5) * 0.3
    ys = numpy.array([1, 0, 4, 2])
    check_grads(lambda a: layers.svm_loss(a, np.array(ys)), [xs], [0])


# ---- embedding ----
def test_embedding():
    W = rand(7, 3)
    idx = numpy.array([[0, 3, 3], [6, 1, 0]])
    check_value(layers.embedding(np.array(idx), np.array(W)), W[idx], rtol=0, atol=0)
    g = grad(lambda w: np.sum(layers.embedding(np.array(idx), w)))(np.array(W)).asnumpy()
    counts = numpy.bincount(idx.ravel(), minlength=7)[:, None] * numpy.ones((1, 3))
    numpy.testing.assert_array_equal(g, counts)
    check_grads(lambda w: layers.embedding(np.array(idx), w), [W], [0])
    with pytest.raises(IndexError):
        layers.embedding(np.array([7]), np.array(W))


# ---- MinPy's tests/unittest/test_layers.py (without its two MXNet subtests) ----
def test_minpy_test_layers_port():
    from minpy.utils import gradient_checker
    rng = numpy.random.RandomState(42)
    qc = lambda f, a: gradient_checker.quick_grad_check(f, a, verbose=False, rs=rng)  # noqa: E731

    # affine + softmax_loss with NumPy closures and a (20, 1) bias
    x, b = rng.randn(20, 10), rng.randn(20, 1)
    fake_y = numpy.zeros([20, 5])
    fake_y[:, 0] = 1
    assert qc(lambda w: layers.softmax_loss(layers.affine(x, w, b), fake_y), rng.randn(10, 5))

    fake_y = numpy.zeros([2, 5])
    fake_y[:, 0] = 1
    assert qc(lambda v: layers.softmax_loss(layers.relu(v), fake_y), rng.randn(2, 5))

    # batchnorm with (1, D) gamma and beta
    x, gamma, beta = rng.randn(20, 40), rng.randn(1, 40), rng.randn(1, 40)
    fake_y = numpy.zeros([20, 40])
    fake_y[:, 0] = 1
    assert qc(lambda g: layers.softmax_loss(layers.batchnorm(x, g, beta)[0], fake_y), gamma)
    assert qc(lambda bb: layers.softmax_loss(layers.batchnorm(x, gamma, bb)[0], fake_y), beta)
    g = grad(lambda g: layers.softmax_loss(layers.batchnorm(x, g, beta)[0], fake_y))(np.array(gamma))
    assert g.shape == (1, 40)

    # softmax_loss with float index labels
    lbl = numpy.zeros([20])
    assert qc(lambda v: layers.softmax_loss(v, lbl), rng.randn(20, 10))


# ---- the Solver with native layers (MinPy's examples/nn/mlp_bn_dropout.py pattern) ----
def test_solver_with_batchnorm_dropout_softmax():
    from minpy.nn import io
    from minpy.nn.model import ModelBase
    from minpy.nn.solver import Solver

    class Net(ModelBase):
        def __init__(self):
            super().__init__()
            self.add_param(name="w1", shape=(2, 16)).add_param(name="b1", shape=(16,)) \
                .add_param(name="gamma", shape=(16,), init_rule="constant", init_config={"value": 1.0}) \
                .add_param(name="beta", shape=(16,), init_rule="constant") \
                .add_param(name="w2", shape=(16, 3)).add_param(name="b2", shape=(3,)) \
                .add_aux_param(name="running_mean", value=None) \
                .add_aux_param(name="running_var", value=None)

        def forward(self, X, mode):
            h = layers.relu(layers.affine(X, self.params["w1"], self.params["b1"]))
            if mode == "train" or self.aux_params["running_mean"] is not None:
                h, self.aux_params["running_mean"], self.aux_params["running_var"] = layers.batchnorm(
                    h, self.params["gamma"], self.params["beta"], mode=mode,
                    running_mean=self.aux_params["running_mean"],
                    running_var=self.aux_params["running_var"])
            h = layers.dropout(h, 0.2, mode=mode)
            return layers.affine(h, self.params["w2"], self.params["b2"])

        def loss(self, predict, y):
            return layers.softmax_loss(predict, y)

    r = numpy.random.default_rng(3)
    centers = numpy.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    y = r.integers(0, 3, size=400)
    x = centers[y] + r.standard_normal((400, 2)) * 0.7
    numpy.random.seed(0)
    model = Net()
    solver = Solver(model, io.NDArrayIter(x[:300], y[:300], batch_size=50, shuffle=True),
                    io.NDArrayIter(x[300:], y[300:], batch_size=50), update_rule="adam",
                    optim_config={"learning_rate": 1e-2}, num_epochs=5, verbose=False)
    solver.init()
    solver.train()
    assert solver.val_acc_history[-1] >= 0.9
    assert numpy.mean(solver.loss_history[-5:]) < numpy.mean(solver.loss_history[:5])
    assert model.aux_params["running_mean"].shape == (16,)
    assert float(np.sum(np.abs(model.aux_params["running_var"]))) > 0
