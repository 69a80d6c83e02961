"""minpy.nn.layers, the composed layers: values against NumPy reference formulas, and gradients
(minpy.core.grad) against central finite differences in float64."""
import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad, grad_and_loss
from minpy.nn import layers
from conftest import numeric_grad

RNG = numpy.random.default_rng(7)


def rand(*shape, scale=1.0):
    return RNG.standard_normal(shape) * scale


def as_tuple(v):
    return v if isinstance(v, tuple) else (v,)


def projected(f, args):
    """f's outputs dotted with fixed random weights (a scalar loss whose gradient is non-trivial)."""
    outs = as_tuple(f(*[np.array(a) if isinstance(a, numpy.ndarray) else a for a in args]))
    weights = [RNG.standard_normal(tuple(o.shape)) for o in outs]

    def loss(*a):
        return sum(np.sum(o * w) for o, w in zip(as_tuple(f(*a)), weights))
    return loss


def check_grads(f, args, argnums, rtol=1e-5, atol=1e-7):
    """grad of a random projection of f, w.r.t. each of argnums, equals central differences."""
    loss = projected(f, args)
    got = grad(loss, list(argnums))(*[np.array(a) if isinstance(a, numpy.ndarray) else a for a in args])
    for i, g in zip(argnums, got):
        want = numeric_grad(loss, args, i)
        assert isinstance(g, np.ndarray) and g.shape == numpy.shape(args[i]) and g.dtype == numpy.float64
        numpy.testing.assert_allclose(g.asnumpy(), want, rtol=rtol, atol=atol, err_msg=f"argument {i}")


def check_value(got, want, rtol=1e-12, atol=1e-12):
    for g, w in zip(as_tuple(got), as_tuple(want)):
        assert isinstance(g, np.ndarray)
        assert tuple(g.shape) == numpy.shape(w)
        numpy.testing.assert_allclose(g.asnumpy(), w, rtol=rtol, atol=atol)


# ---- NumPy references ----
def ref_sigmoid(x):
    return 1.0 / (1.0 + numpy.exp(-x))


def ref_rnn_step(x, h, Wx, Wh, b):
    return numpy.tanh(x @ Wx + h @ Wh + b)


def ref_lstm_step(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    a = x @ Wx + h @ Wh + b
    i, f, o, g = (ref_sigmoid(a[:, :H]), ref_sigmoid(a[:, H:2 * H]), ref_sigmoid(a[:, 2 * H:3 * H]),
                  numpy.tanh(a[:, 3 * H:]))
    c2 = f * c + i * g
    return o * numpy.tanh(c2), c2


def ref_gru_step(x, h, Wx, Wh, b, Wxh, Whh, bh):
    H = h.shape[1]
    a = ref_sigmoid(x @ Wx + h @ Wh + b)
    r, z = a[:, :H], a[:, H:]
    hm = numpy.tanh(x @ Wxh + (r * h) @ Whh + bh)
    return z * h + (1 - z) * hm


def ref_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=-1, keepdims=True))


# ---- elementwise and affine ----
def test_affine_value_and_grad():
    x, w, b = rand(4, 5), rand(5, 3), rand(3)
    check_value(layers.affine(np.array(x), np.array(w), np.array(b)), x @ w + b)
    check_grads(layers.affine, [x, w, b], [0, 1, 2])


def test_affine_flattens():
    # CS231n: x (N, d1, d2) is flattened to (N, d1*d2).
    x, w, b = rand(3, 2, 4), rand(8, 5), rand(5)
    check_value(layers.affine(np.array(x), np.array(w), np.array(b)), x.reshape(3, 8) @ w + b)
    check_grads(layers.affine, [x, w, b], [0, 1, 2])


def test_relu():
    x = rand(5, 6)
    x[numpy.abs(x) < 1e-3] = 0.5  # keep finite differences away from the kink
    check_value(layers.relu(np.array(x)), numpy.maximum(x, 0))
    check_grads(layers.relu, [x], [0])
    g = grad(lambda v: np.sum(layers.relu(v)))(np.array(x))
    numpy.testing.assert_array_equal(g.asnumpy(), (x > 0).astype(float))


@pytest.mark.parametrize("alpha", [0.01, 0.2])
def test_leaky_relu(alpha):
    x = rand(4, 7)
    x[numpy.abs(x) < 1e-3] = -0.5
    check_value(layers.leaky_relu(np.array(x), alpha), numpy.where(x > 0, x, alpha * x))
    check_grads(lambda v: layers.leaky_relu(v, alpha), [x], [0])


def test_sigmoid():
    x = rand(3, 5, scale=3.0)
    check_value(layers.sigmoid(np.array(x)), ref_sigmoid(x), rtol=1e-14, atol=1e-15)
    check_grads(layers.sigmoid, [x], [0])


def test_sigmoid_extremes_do_not_overflow():
    x = numpy.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with numpy.errstate(all="raise"):
        out = layers.sigmoid(np.array(x)).asnumpy()
    assert numpy.all(numpy.isfinite(out))
    numpy.testing.assert_allclose(out, [0, ref_sigmoid(-50.0), 0.5, 1, 1], rtol=1e-14, atol=0)
    g = grad(lambda v: np.sum(layers.sigmoid(v)))(np.array(x)).asnumpy()
    assert numpy.all(numpy.isfinite(g)) and g[2] == 0.25


def test_sigmoid_float32_keeps_dtype():
    out = layers.sigmoid(np.array(rand(3).astype(numpy.float32)))
    assert out.dtype == numpy.float32


def test_tanh():
    x = rand(6, 2)
    check_value(layers.tanh(np.array(x)), numpy.tanh(x), rtol=1e-14)
    check_grads(layers.tanh, [x], [0])


# ---- losses ----
def test_l2_loss_onehot_index_and_regression():
    x = rand(5, 4)
    y = numpy.array([0, 3, 1, 1, 2])
    onehot = numpy.eye(4)[y]
    want = ((x - onehot) ** 2).sum() / 5
    check_value(layers.l2_loss(np.array(x), np.array(y)), want)
    check_value(layers.l2_loss(np.array(x), np.array(onehot)), want)
    check_grads(lambda v: layers.l2_loss(v, np.array(y)), [x], [0])
    # Regression targets: x (N, 1) and y (N,).
    x1, t = rand(6, 1), rand(6)
    check_value(layers.l2_loss(np.array(x1), np.array(t)), ((x1[:, 0] - t) ** 2).sum() / 6)
    check_grads(lambda v, w: layers.l2_loss(v, w), [x1, t], [0, 1])


def test_softmax_cross_entropy():
    p = numpy.exp(ref_log_softmax(rand(4, 5)))
    y = numpy.array([1, 0, 4, 4])
    want = -numpy.log(p[numpy.arange(4), y]).sum() / 4
    check_value(layers.softmax_cross_entropy(np.array(p), np.array(y)), want)
    check_value(layers.softmax_cross_entropy(np.array(p), np.array(numpy.eye(5)[y])), want)
    check_grads(lambda v: layers.softmax_cross_entropy(v, np.array(y)), [p], [0])


def test_float_labels_are_indices():
    x = rand(3, 4)
    y = numpy.array([[2.0], [0.0], [3.0]])  # NDArrayIter-style float labels (N, 1)
    check_value(layers.l2_loss(np.array(x), np.array(y[:, 0])),
                ((x - numpy.eye(4)[[2, 0, 3]]) ** 2).sum() / 3)
    with pytest.raises(ValueError):
        layers.softmax_cross_entropy(np.array(numpy.abs(x)), np.array([1, 2]))


# ---- recurrent ----
N, T, D, H = 3, 4, 5, 6


def test_rnn_step():
    args = [rand(N, D), rand(N, H), rand(D, H, scale=0.4), rand(H, H, scale=0.4), rand(H)]
    check_value(layers.rnn_step(*[np.array(a) for a in args]), ref_rnn_step(*args), rtol=1e-13)
    check_grads(layers.rnn_step, args, range(5))


def test_rnn_sequence():
    x, h0 = rand(N, T, D), rand(N, H)
    Wx, Wh, b = rand(D, H, scale=0.4), rand(H, H, scale=0.4), rand(H)
    h, want = h0, []
    for t in range(T):
        h = ref_rnn_step(x[:, t], h, Wx, Wh, b)
        want.append(h)
    got = layers.rnn(*[np.array(a) for a in (x, h0, Wx, Wh, b)])
    check_value(got, numpy.stack(want, axis=1), rtol=1e-13)
    assert layers.rnn_temporal is layers.rnn
    check_grads(layers.rnn, [x, h0, Wx, Wh, b], range(5))


def test_lstm_step():
    args = [rand(N, D), rand(N, H), rand(N, H), rand(D, 4 * H, scale=0.4), rand(H, 4 * H, scale=0.4),
            rand(4 * H)]
    check_value(layers.lstm_step(*[np.array(a) for a in args]), ref_lstm_step(*args), rtol=1e-13)
    check_grads(layers.lstm_step, args, range(6))


def test_lstm_sequence():
    x, h0 = rand(N, T, D), rand(N, H)
    Wx, Wh, b = rand(D, 4 * H, scale=0.4), rand(H, 4 * H, scale=0.4), rand(4 * H)
    h, c, want = h0, numpy.zeros((N, H)), []
    for t in range(T):
        h, c = ref_lstm_step(x[:, t], h, c, Wx, Wh, b)
        want.append(h)
    got = layers.lstm(*[np.array(a) for a in (x, h0, Wx, Wh, b)])
    check_value(got, numpy.stack(want, axis=1), rtol=1e-13)
    assert layers.lstm_temporal is layers.lstm
    check_grads(layers.lstm, [x, h0, Wx, Wh, b], range(5))


def test_lstm_sequence_with_c0():
    x, h0, c0 = rand(2, 3, D), rand(2, H), rand(2, H)
    Wx, Wh, b = rand(D, 4 * H, scale=0.4), rand(H, 4 * H, scale=0.4), rand(4 * H)
    h, c, want = h0, c0, []
    for t in range(3):
        h, c = ref_lstm_step(x[:, t], h, c, Wx, Wh, b)
        want.append(h)
    f = lambda *a: layers.lstm(*a[:5], c0=a[5])  # noqa: E731
    check_value(f(*[np.array(a) for a in (x, h0, Wx, Wh, b, c0)]), numpy.stack(want, axis=1),
                rtol=1e-13)
    check_grads(f, [x, h0, Wx, Wh, b, c0], [0, 5])


def test_gru_step():
    args = [rand(N, D), rand(N, H), rand(D, 2 * H, scale=0.4), rand(H, 2 * H, scale=0.4), rand(2 * H),
            rand(D, H, scale=0.4), rand(H, H, scale=0.4), rand(H)]
    check_value(layers.gru_step(*[np.array(a) for a in args]), ref_gru_step(*args), rtol=1e-13)
    check_grads(layers.gru_step, args, range(8))


def test_gru_sequence():
    x, h0 = rand(N, T, D), rand(N, H)
    ws = [rand(D, 2 * H, scale=0.4), rand(H, 2 * H, scale=0.4), rand(2 * H), rand(D, H, scale=0.4),
          rand(H, H, scale=0.4), rand(H)]
    h, want = h0, []
    for t in range(T):
        h = ref_gru_step(x[:, t], h, *ws)
        want.append(h)
    got = layers.gru(*[np.array(a) for a in [x, h0] + ws])
    check_value(got, numpy.stack(want, axis=1), rtol=1e-13)
    assert layers.gru_temporal is layers.gru
    check_grads(layers.gru, [x, h0] + ws, range(8))


def test_zero_length_sequence():
    out = layers.rnn(np.zeros((2, 0, 3)), np.zeros((2, 4)), np.zeros((3, 4)), np.zeros((4, 4)),
                     np.zeros(4))
    assert out.shape == (2, 0, 4)


def test_temporal_affine():
    x, w, b = rand(2, 3, 4), rand(4, 5), rand(5)
    check_value(layers.temporal_affine(np.array(x), np.array(w), np.array(b)), x @ w + b, rtol=1e-13)
    check_grads(layers.temporal_affine, [x, w, b], [0, 1, 2])


def ref_temporal_softmax_loss(x, y, mask):
    n, t, v = x.shape
    lp = ref_log_softmax(x.reshape(n * t, v))
    return -(mask.reshape(-1) * lp[numpy.arange(n * t), y.reshape(-1)]).sum() / n


def test_temporal_softmax_loss():
    x = rand(3, 4, 6, scale=3.0)
    y = RNG.integers(0, 6, size=(3, 4))
    mask = RNG.random((3, 4)) > 0.3
    want = ref_temporal_softmax_loss(x, y, mask)
    check_value(layers.temporal_softmax_loss(np.array(x), np.array(y), np.array(mask)), want,
                rtol=1e-13)
    check_grads(lambda v: layers.temporal_softmax_loss(v, np.array(y), np.array(mask)), [x], [0])
    # No mask: every step counts.
    check_value(layers.temporal_softmax_loss(np.array(x), np.array(y)),
                ref_temporal_softmax_loss(x, y, numpy.ones((3, 4))), rtol=1e-13)


def test_temporal_softmax_loss_large_scores_are_stable():
    x = rand(2, 2, 3) + numpy.array([1000.0, 0.0, -1000.0])
    y = numpy.array([[0, 1], [2, 0]])
    loss = layers.temporal_softmax_loss(np.array(x), np.array(y), np.array(numpy.ones((2, 2))))
    assert numpy.isfinite(float(loss))
    numpy.testing.assert_allclose(float(loss), ref_temporal_softmax_loss(x, y, numpy.ones((2, 2))),
                                  rtol=1e-12)


def test_small_network_end_to_end():
    # affine -> relu -> affine -> l2: gradients w.r.t. every parameter at once (grad_and_loss).
    x, y = rand(6, 4), RNG.integers(0, 3, size=6)
    w1, b1, w2, b2 = rand(4, 5), rand(5), rand(5, 3), rand(3)

    def f(w1, b1, w2, b2):
        return layers.l2_loss(layers.affine(layers.relu(layers.affine(np.array(x), w1, b1)), w2, b2),
                              np.array(y))
    grads, loss = grad_and_loss(f, range(4))(*[np.array(a) for a in (w1, b1, w2, b2)])
    h = numpy.maximum(x @ w1 + b1, 0) @ w2 + b2
    numpy.testing.assert_allclose(float(loss), ((h - numpy.eye(3)[y]) ** 2).sum() / 6, rtol=1e-13)
    for i, g in enumerate(grads):
        numpy.testing.assert_allclose(g.asnumpy(), numeric_grad(f, [w1, b1, w2, b2], i), rtol=1e-5,
                                      atol=1e-7)


def test_module_lists_every_layer():
    for name in layers.__all__:
        assert callable(getattr(layers, name))
    for name in ["affine", "relu", "batchnorm", "spatial_batchnorm", "dropout", "conv", "max_pool",
                 "avg_pool", "softmax_loss", "svm_loss", "l2_loss", "softmax_cross_entropy",
                 "rnn_step", "rnn", "lstm_step", "lstm", "gru_step", "gru", "temporal_affine",
                 "temporal_softmax_loss", "embedding", "sigmoid", "tanh", "leaky_relu"]:
        assert name in layers.__all__


def test_numpy_inputs_and_broadcast_bias():
    # MinPy's tests close over NumPy arrays and use a (N, 1) bias.
    x, b, w = rand(20, 10), rand(20, 1), rand(10, 5)
    out = layers.affine(x, np.array(w), b)
    assert isinstance(out, np.ndarray)
    check_value(out, x @ w + b, rtol=1e-13)
    y = numpy.zeros((20, 5))
    y[:, 0] = 1
    check_grads(lambda v: layers.l2_loss(layers.sigmoid(layers.affine(x, v, b)), y), [w], [0])
    check_value(layers.relu(x), numpy.maximum(x, 0), rtol=0, atol=0)
