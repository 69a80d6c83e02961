"""The demo's conv net written twice more, as the yardsticks `train_digits.py` times minpy against:
plain NumPy with a hand-written backward pass (what a CS231n student writes), and PyTorch.

Architecture (all three): conv 3x3 (1 -> 16, pad 1) - ReLU - max pool 2 - conv 3x3 (16 -> 32, pad 1)
- ReLU - max pool 2 - affine 128 -> 64 - ReLU - affine 64 -> 10 - softmax cross-entropy; Adam.
Parameters are a dict of NumPy arrays named as in the minpy model (conv1_w, conv1_b, ..., fc2_b).
"""
import time

import numpy

ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


# ---- plain NumPy, hand-written backward ----
def _im2col(x, k, pad):
    """(N, C, H, W) -> (N*H*W, C*k*k) patches of a stride-1 'same' convolution."""
    n, c, h, w = x.shape
    xp = numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = numpy.empty((n, h, w, c, k, k), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, :, :, i, j] = xp[:, :, i:i + h, j:j + w].transpose(0, 2, 3, 1)
    return cols.reshape(n * h * w, c * k * k)


def _col2im(dcols, shape, k, pad):
    n, c, h, w = shape
    dcols = dcols.reshape(n, h, w, c, k, k)
    dxp = numpy.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=dcols.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + w] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, pad:pad + h, pad:pad + w]


def _conv_forward(x, w, b):
    f, _, k, _ = w.shape
    n, _, h, wd = x.shape
    cols = _im2col(x, k, k // 2)
    out = cols.dot(w.reshape(f, -1).T) + b
    return out.reshape(n, h, wd, f).transpose(0, 3, 1, 2), cols


def _conv_backward(dout, x_shape, cols, w):
    f, _, k, _ = w.shape
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dw = d2.T.dot(cols).reshape(w.shape)
    db = d2.sum(axis=0)
    dx = _col2im(d2.dot(w.reshape(f, -1)), x_shape, k, k // 2)
    return dx, dw, db


def _pool_forward(x):
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    first_max = windows.argmax(axis=-1)  # the gradient goes to the first maximum of each window
    return numpy.take_along_axis(windows, first_max[..., None], axis=-1)[..., 0], first_max


def _pool_backward(dout, first_max):
    n, c, h2, w2 = dout.shape
    dwin = (numpy.arange(4) == first_max[..., None]) * dout[..., None]
    return dwin.reshape(n, c, h2, w2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, 2 * h2, 2 * w2)


def numpy_loss_and_grads(p, x, y):
    a1, cols1 = _conv_forward(x, p["conv1_w"], p["conv1_b"])
    r1 = numpy.maximum(a1, 0)
    p1, win1 = _pool_forward(r1)
    a2, cols2 = _conv_forward(p1, p["conv2_w"], p["conv2_b"])
    r2 = numpy.maximum(a2, 0)
    p2, win2 = _pool_forward(r2)
    flat = p2.reshape(p2.shape[0], -1)
    a3 = flat.dot(p["fc1_w"]) + p["fc1_b"]
    r3 = numpy.maximum(a3, 0)
    scores = r3.dot(p["fc2_w"]) + p["fc2_b"]
    n = x.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[numpy.arange(n), y].mean()
    g = {}
    dscores = numpy.exp(log_probs)
    dscores[numpy.arange(n), y] -= 1
    dscores /= n
    g["fc2_w"], g["fc2_b"] = r3.T.dot(dscores), dscores.sum(axis=0)
    da3 = dscores.dot(p["fc2_w"].T) * (a3 > 0)
    g["fc1_w"], g["fc1_b"] = flat.T.dot(da3), da3.sum(axis=0)
    dp2 = da3.dot(p["fc1_w"].T).reshape(p2.shape)
    da2 = _pool_backward(dp2, win2) * (a2 > 0)
    dp1, g["conv2_w"], g["conv2_b"] = _conv_backward(da2, p1.shape, cols2, p["conv2_w"])
    da1 = _pool_backward(dp1, win1) * (a1 > 0)
    _, g["conv1_w"], g["conv1_b"] = _conv_backward(da1, x.shape, cols1, p["conv1_w"])
    return loss, g


def numpy_predict(p, x):
    a1, _ = _conv_forward(x, p["conv1_w"], p["conv1_b"])
    p1, _ = _pool_forward(numpy.maximum(a1, 0))
    a2, _ = _conv_forward(p1, p["conv2_w"], p["conv2_b"])
    p2, _ = _pool_forward(numpy.maximum(a2, 0))
    r3 = numpy.maximum(p2.reshape(p2.shape[0], -1).dot(p["fc1_w"]) + p["fc1_b"], 0)
    return (r3.dot(p["fc2_w"]) + p["fc2_b"]).argmax(axis=1)


def train_numpy(params, data, epochs, batch_size, lr, seed=0):
    """Adam training in plain NumPy; returns (seconds per epoch, final test accuracy)."""
    x_train, y_train, x_test, y_test = data
    p = {k: numpy.array(v, dtype=numpy.float64) for k, v in params.items()}
    m = {k: numpy.zeros_like(v) for k, v in p.items()}
    v = {k: numpy.zeros_like(w) for k, w in p.items()}
    rng = numpy.random.default_rng(seed)
    t, start = 0, time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for i in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[i:i + batch_size]
            _, g = numpy_loss_and_grads(p, x_train[idx], y_train[idx])
            t += 1
            for k in p:
                m[k] = ADAM_BETAS[0] * m[k] + (1 - ADAM_BETAS[0]) * g[k]
                v[k] = ADAM_BETAS[1] * v[k] + (1 - ADAM_BETAS[1]) * g[k] ** 2
                mhat = m[k] / (1 - ADAM_BETAS[0] ** t)
                vhat = v[k] / (1 - ADAM_BETAS[1] ** t)
                p[k] -= lr * mhat / (numpy.sqrt(vhat) + ADAM_EPS)
        numpy_predict(p, x_train)  # the per-epoch accuracy pass the minpy Solver makes too
        numpy_predict(p, x_test)
    seconds = (time.perf_counter() - start) / epochs
    return seconds, float((numpy_predict(p, x_test) == y_test).mean())


# ---- PyTorch ----
def train_torch(params, data, epochs, batch_size, lr, seed=0):
    """The same net and Adam in PyTorch (CPU, float32: its fast path); returns (seconds per epoch, test accuracy)."""
    import torch
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    with torch.no_grad():
        for layer, name in ((net[0], "conv1"), (net[3], "conv2")):
            layer.weight.copy_(torch.from_numpy(numpy.asarray(params[name + "_w"], dtype=numpy.float32)))
            layer.bias.copy_(torch.from_numpy(numpy.asarray(params[name + "_b"], dtype=numpy.float32)))
        for layer, name in ((net[7], "fc1"), (net[9], "fc2")):  # minpy's affine weights are (in, out)
            layer.weight.copy_(torch.from_numpy(numpy.asarray(params[name + "_w"], dtype=numpy.float32).T))
            layer.bias.copy_(torch.from_numpy(numpy.asarray(params[name + "_b"], dtype=numpy.float32)))
    opt = torch.optim.Adam(net.parameters(), lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS)
    x_train, y_train, x_test, y_test = (torch.from_numpy(numpy.ascontiguousarray(a)) for a in data)
    gen = numpy.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.from_numpy(gen.permutation(len(x_train)))
        for i in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            net(x_train)
            net(x_test)
    seconds = (time.perf_counter() - start) / epochs
    with torch.no_grad():
        acc = (net(x_test).argmax(dim=1) == y_test).double().mean().item()
    return seconds, acc
