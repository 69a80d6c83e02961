"""Neural-network layers (MinPy's `minpy.nn.layers`, CS231n conventions) on minpy arrays.

Every layer is a plain function of minpy arrays, differentiable with `minpy.core.grad` w.r.t. its
floating array arguments. Two kinds:

- Composed layers, written with `minpy.numpy` ops (they are matmul-bound, so composing costs
  little): affine, relu, leaky_relu, sigmoid, tanh, l2_loss, softmax_cross_entropy, the recurrent
  layers (rnn/lstm/gru, step and sequence), temporal_affine and temporal_softmax_loss.
- Layers that delegate to the native ops of `minpy.nn.functional` (one C++ kernel and one VJP
  each): batchnorm, spatial_batchnorm, dropout, conv, max_pool, avg_pool, softmax_loss, svm_loss
  and embedding.

Differences from MinPy (bugs fixed): `dropout` is *inverted* (train: `x * mask / (1 - prob)`,
test: `x`), as its docstring always claimed; `affine` flattens x to (N, D) as CS231n does;
`batchnorm` also takes NCHW input through `spatial_batchnorm` and updates the running
statistics in place; `sigmoid` does not overflow; the recurrent layers stack their steps instead of
growing an array with `append`. `rnn`, `lstm` and `gru` are also available under MinPy's names
`rnn_temporal`, `lstm_temporal` and `gru_temporal`.
"""
import minpy.numpy as np
from minpy.core import stop_gradient

__all__ = ["affine", "relu", "leaky_relu", "sigmoid", "tanh", "batchnorm", "spatial_batchnorm",
           "dropout", "conv", "max_pool", "avg_pool", "softmax_loss", "svm_loss", "l2_loss",
           "softmax_cross_entropy", "rnn_step", "rnn", "rnn_temporal", "lstm_step", "lstm",
           "lstm_temporal", "gru_step", "gru", "gru_temporal", "temporal_affine",
           "temporal_softmax_loss", "embedding"]


def _F():
    # Imported at call time: the native families come from other branches, and the composed
    # layers must keep working (and importing) without them.
    from minpy.nn import functional
    return functional


def _arr(x):
    return x if isinstance(x, np.ndarray) else np.asarray(x)


# ---------------------------------------------------------------------------------------------
# Composed layers
# ---------------------------------------------------------------------------------------------
def affine(x, w, b):
    """Fully connected layer: x (N, d_1, ..., d_k) is flattened to (N, D), then `x @ w + b` with
    w (D, M) and b (M,). Returns (N, M)."""
    x = _arr(x)
    if x.ndim != 2:
        x = x.reshape(x.shape[0], -1)
    return np.dot(x, w) + b


def relu(x):
    """max(0, x) elementwise (the gradient at exactly 0 is 0)."""
    return np.maximum(x, 0)


def leaky_relu(x, alpha=0.01):
    """x where x > 0, alpha * x elsewhere."""
    x = _arr(x)
    return np.where(x > 0, x, x * alpha)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed from z = exp(-|x|) <= 1 so it neither overflows nor loses
    relative precision in the tails: 1 / (1 + z) for x >= 0, z / (1 + z) for x < 0."""
    x = _arr(x)
    neg = x < 0
    z = np.exp(np.where(neg, x, -x))
    return np.where(neg, z, 1) / (1 + z)


def tanh(x):
    """Hyperbolic tangent elementwise."""
    return np.tanh(x)


def _onehot_like(x, label):
    """`label` as a float array of x's shape: itself when it already has that shape (one-hot or
    soft labels), else integer class indices (N,) turned into one-hot rows."""
    label = _arr(label)
    if tuple(label.shape) == tuple(x.shape):
        return label
    n, c = int(x.shape[0]), int(x.shape[1])
    idx = _index_labels(label, n, "label")
    return (idx.reshape(n, 1) == np.arange(c).reshape(1, c)).astype(x.dtype)


def _index_labels(label, n, op):
    """Integer class indices of shape (n,) from labels of shape (n,) or (n, 1), integer or
    integer-valued floats (NDArrayIter often yields float labels)."""
    label = _arr(label)
    if label.size != n or (label.ndim > 1 and int(label.shape[0]) != n):
        raise ValueError(f"[{op}] labels must have shape ({n},), got {tuple(label.shape)}.")
    label = label.reshape(n)
    if label.dtype.kind == "f":
        label = label.astype(np.int64)
    elif label.dtype.kind not in "iu":
        raise TypeError(f"[{op}] labels must be integers, not {label.dtype}.")
    return label


def l2_loss(x, label):
    """Mean squared error summed over the features: sum((x - y)**2) / N. `label` is either x's
    shape, or class indices (N,) compared with one-hot rows (MinPy), or (N,) targets for x (N, 1)."""
    x = _arr(x)
    n = int(x.shape[0])
    label = _arr(label)
    if tuple(label.shape) != tuple(x.shape):
        if x.ndim == 2 and int(x.shape[1]) == 1 and label.size == n:
            label = label.reshape(n, 1)
        else:
            label = _onehot_like(x, label)
    return np.sum((x - label) ** 2) / n


def softmax_cross_entropy(prob, label):
    """Cross entropy of probabilities `prob` (N, C) (already softmaxed): -sum(onehot * log(prob)) / N.
    `label` is class indices (N,) or one-hot/soft labels (N, C)."""
    prob = _arr(prob)
    n = int(prob.shape[0])
    label = _arr(label)
    if tuple(label.shape) == tuple(prob.shape):
        return -np.sum(np.log(prob) * label) / n
    idx = _index_labels(label, n, "softmax_cross_entropy")
    return -np.sum(np.log(prob[np.arange(n), idx])) / n


def rnn_step(x, prev_h, Wx, Wh, b):
    """One vanilla RNN step: tanh(x @ Wx + prev_h @ Wh + b); x (N, D), prev_h (N, H), Wx (D, H),
    Wh (H, H), b (H,). Returns next_h (N, H)."""
    return np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)


def rnn(x, h0, Wx, Wh, b):
    """A vanilla RNN over a sequence x (N, T, D) from h0 (N, H). Returns the hidden states (N, T, H)."""
    x = _arr(x)
    T = int(x.shape[1])
    h, hs = h0, []
    for t in range(T):
        h = rnn_step(x[:, t, :], h, Wx, Wh, b)
        hs.append(h)
    return _stack_time(hs, x, h0)


rnn_temporal = rnn


def lstm_step(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step. Wx (D, 4H), Wh (H, 4H), b (4H,) hold the input, forget, output and cell
    gates in that order (CS231n). Returns (next_h, next_c), each (N, H)."""
    H = int(prev_h.shape[1])
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    i = sigmoid(a[:, 0:H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:4 * H])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c


def lstm(x, h0, Wx, Wh, b, c0=None):
    """An LSTM over a sequence x (N, T, D) from h0 (N, H) and c0 (zeros by default). Returns the
    hidden states (N, T, H) (the cell states stay internal, as in CS231n)."""
    x = _arr(x)
    T = int(x.shape[1])
    h = h0
    c = np.zeros(tuple(h0.shape), dtype=h0.dtype) if c0 is None else c0
    hs = []
    for t in range(T):
        h, c = lstm_step(x[:, t, :], h, c, Wx, Wh, b)
        hs.append(h)
    return _stack_time(hs, x, h0)


lstm_temporal = lstm


def gru_step(x, prev_h, Wx, Wh, b, Wxh, Whh, bh):
    """One GRU step (MinPy's, after Jozefowicz et al. 2015): the gates
    [r, z] = sigmoid(x @ Wx + prev_h @ Wh + b) with Wx (D, 2H), Wh (H, 2H), b (2H,), the candidate
    h~ = tanh(x @ Wxh + (r * prev_h) @ Whh + bh), and next_h = z * prev_h + (1 - z) * h~."""
    H = int(prev_h.shape[1])
    a = sigmoid(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)
    r = a[:, 0:H]
    z = a[:, H:2 * H]
    h_m = np.tanh(np.dot(x, Wxh) + np.dot(r * prev_h, Whh) + bh)
    return z * prev_h + (1 - z) * h_m


def gru(x, h0, Wx, Wh, b, Wxh, Whh, bh):
    """A GRU over a sequence x (N, T, D) from h0 (N, H). Returns the hidden states (N, T, H)."""
    x = _arr(x)
    T = int(x.shape[1])
    h, hs = h0, []
    for t in range(T):
        h = gru_step(x[:, t, :], h, Wx, Wh, b, Wxh, Whh, bh)
        hs.append(h)
    return _stack_time(hs, x, h0)


gru_temporal = gru


def _stack_time(hs, x, h0):
    if not hs:  # T == 0
        return np.zeros((int(x.shape[0]), 0, int(h0.shape[1])), dtype=h0.dtype)
    return np.stack(hs, axis=1)


def temporal_affine(x, w, b):
    """The same affine map at every time step: x (N, T, D), w (D, M), b (M,) -> (N, T, M)."""
    x = _arr(x)
    N, T, D = (int(s) for s in x.shape)
    M = int(w.shape[1])
    return (np.dot(x.reshape(N * T, D), w) + b).reshape(N, T, M)


def temporal_softmax_loss(x, y, mask=None):
    """Softmax cross entropy at every time step, summed over the steps where `mask` is true and
    averaged over the minibatch: x (N, T, V) scores, y (N, T) indices in [0, V), mask (N, T)
    (all true when None). Returns a scalar."""
    x = _arr(x)
    N, T, V = (int(s) for s in x.shape)
    x_flat = x.reshape(N * T, V)
    y = _arr(y)
    if y.size != N * T:
        raise ValueError(f"[temporal_softmax_loss] y must have shape ({N}, {T}), got {tuple(y.shape)}.")
    y_flat = _index_labels(y.reshape(N * T), N * T, "temporal_softmax_loss")
    # The shift is a constant for the gradient (it cancels exactly), so it is not differentiated.
    shifted = x_flat - stop_gradient(np.max(x_flat, axis=1, keepdims=True))
    log_prob = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    picked = log_prob[np.arange(N * T), y_flat]
    if mask is not None:
        picked = picked * _arr(mask).reshape(N * T).astype(x.dtype)
    return -np.sum(picked) / N


# ---------------------------------------------------------------------------------------------
# Layers delegating to the native ops (minpy.nn.functional)
# ---------------------------------------------------------------------------------------------
def _per_channel(v, C, op, name):
    v = _arr(v)
    if v.ndim == 1:
        return v
    if v.size != C:
        raise ValueError(f"[{op}] {name} must have {C} values (shape ({C},)), got shape {tuple(v.shape)}.")
    return v.reshape(C)


def _batchnorm(op, x, gamma, beta, mode, eps, momentum, running_mean, running_var):
    if mode not in ("train", "test"):
        raise ValueError(f'[{op}] Invalid forward batchnorm mode "{mode}" (expected "train" or "test").')
    x = _arr(x)
    C = int(x.shape[1])
    if mode == "test" and (running_mean is None or running_var is None):
        raise ValueError(f"[{op}] mode 'test' needs running_mean and running_var.")
    # MinPy's own tests pass gamma and beta as (1, D): any shape holding C values is accepted.
    gamma, beta = _per_channel(gamma, C, op, "gamma"), _per_channel(beta, C, op, "beta")
    # Running statistics given as NumPy arrays become minpy arrays (updated and returned).
    running_mean = np.zeros(C, dtype=x.dtype) if running_mean is None else _arr(running_mean)
    running_var = np.zeros(C, dtype=x.dtype) if running_var is None else _arr(running_var)
    # MinPy's momentum keeps the old statistic (running = momentum * running + (1 - momentum) *
    # batch); the native op's momentum weights the batch statistic, as PyTorch's does.
    out = _F().batch_norm(x, gamma, beta, running_mean, running_var, training=(mode == "train"),
                          momentum=1.0 - momentum, eps=eps)
    return out, running_mean, running_var


def batchnorm(x, gamma, beta, mode="train", eps=1e-5, momentum=0.9, running_mean=None,
              running_var=None):
    """Batch normalisation of x (N, D) (or NCHW; see spatial_batchnorm) with gamma, beta (D,).

    'train' normalises with the batch mean and biased variance and updates running_mean and
    running_var IN PLACE: running = momentum * running + (1 - momentum) * batch_stat. Missing
    running arrays start at zeros. 'test' normalises with the running arrays (required).
    Returns (out, running_mean, running_var)."""
    x = _arr(x)
    if x.ndim not in (2, 4):
        raise ValueError(f"[batchnorm] x must be (N, D) or (N, C, H, W), got shape {tuple(x.shape)}.")
    return _batchnorm("batchnorm", x, gamma, beta, mode, eps, momentum, running_mean, running_var)


def spatial_batchnorm(x, gamma, beta, mode="train", eps=1e-5, momentum=0.9, running_mean=None,
                      running_var=None):
    """Batch normalisation of images x (N, C, H, W) per channel (statistics over N, H and W);
    gamma, beta and the running arrays are (C,). Same modes and return value as batchnorm."""
    x = _arr(x)
    if x.ndim != 4:
        raise ValueError(f"[spatial_batchnorm] x must be (N, C, H, W), got shape {tuple(x.shape)}.")
    return _batchnorm("spatial_batchnorm", x, gamma, beta, mode, eps, momentum, running_mean,
                      running_var)


def dropout(x, prob, mode="train", seed=None):
    """INVERTED dropout: in 'train' mode each element is dropped with probability `prob` and the
    kept ones are scaled by 1 / (1 - prob), so the expected value is x and 'test' mode returns x
    unchanged. (MinPy's own dropout was not inverted despite its docstring: it multiplied by
    1 - prob at test time instead.) `seed` makes the mask reproducible."""
    if mode not in ("train", "test"):
        raise ValueError(f'[dropout] Invalid mode "{mode}" (expected "train" or "test").')
    return _F().dropout(_arr(x), p=prob, training=(mode == "train"), seed=seed)


def conv(x, w, b, stride=1, pad=0):
    """2-D convolution (CS231n's conv_forward): x (N, C, H, W), w (F, C, HH, WW), b (F,) or None,
    zero padding `pad` and `stride` (ints or (h, w) pairs). Returns (N, F, H', W') with
    H' = (H + 2 * pad - HH) // stride + 1."""
    return _F().conv2d(_arr(x), _arr(w), None if b is None else _arr(b), stride=stride, padding=pad)


def _pool_args(pool_height, pool_width, stride):
    ph = pool_height
    pw = pool_height if pool_width is None else pool_width
    if isinstance(ph, (tuple, list)):
        if pool_width is not None:
            raise TypeError("[pool] Give the window as pool_height=(h, w) or as two ints, not both.")
        kernel = tuple(ph)
    else:
        kernel = (ph, pw)
    return kernel, (kernel if stride is None else stride)


def max_pool(x, pool_height=2, pool_width=None, stride=None, pad=0):
    """Max pooling of x (N, C, H, W) over pool_height x pool_width windows (pool_width defaults to
    pool_height; pool_height may also be an (h, w) pair); `stride` defaults to the window (CS231n's
    pool_param {'pool_height', 'pool_width', 'stride'}). Padding counts as -inf."""
    kernel, stride = _pool_args(pool_height, pool_width, stride)
    return _F().max_pool2d(_arr(x), kernel, stride=stride, padding=pad)


def avg_pool(x, pool_height=2, pool_width=None, stride=None, pad=0):
    """Average pooling, arguments as max_pool; zero padding counts in the divisor."""
    kernel, stride = _pool_args(pool_height, pool_width, stride)
    return _F().avg_pool2d(_arr(x), kernel, stride=stride, padding=pad)


def softmax_loss(x, label):
    """Softmax cross entropy of scores x (N, C), averaged over N. `label`: class indices (N,)
    (integers, or integer-valued floats) or one-hot/soft labels of x's shape."""
    x = _arr(x)
    F = _F()
    n = int(x.shape[0])
    label = _arr(label)
    if x.ndim == 2 and tuple(label.shape) == tuple(x.shape):
        return -np.sum(F.log_softmax(x, axis=1) * label.astype(x.dtype)) / n
    return F.softmax_cross_entropy(x, _index_labels(label, n, "softmax_loss"), reduction="mean")


def svm_loss(x, y, delta=1.0):
    """CS231n's multiclass hinge loss of scores x (N, C) with class indices y (N,):
    sum_{j != y_i} max(0, x_ij - x_iy_i + delta), averaged over N."""
    x = _arr(x)
    return _F().svm_loss(x, _index_labels(y, int(x.shape[0]), "svm_loss"), delta=delta,
                         reduction="mean")


def embedding(x, W):
    """Word embedding (CS231n's word_embedding_forward): integer indices x of any shape into the
    rows of W (V, D) -> x.shape + (D,). The gradient w.r.t. W adds up repeated indices."""
    x = _arr(x)
    if x.dtype.kind == "f" and isinstance(x, np.ndarray):
        if not bool(np.all(x == np.floor(x))):
            raise TypeError("[embedding] indices must be integers.")
        x = x.astype(np.int64)
    return _F().embedding(x, _arr(W))

