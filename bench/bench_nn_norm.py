"""minpy.nn.functional normalisation / loss ops: forward + backward against NumPy written by hand
(CS231n-style forward and backward passes) and PyTorch CPU when importable.

Run: python bench/bench_nn_norm.py
Ratios are peer time / minpy time (> 1: minpy is faster). minpy runs grad() of the op w.r.t. every
differentiable argument with the output seeded with ones; the peers compute the same gradients for
an upstream gradient of ones.
"""
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import report  # noqa: E402

import minpy.numpy as mnp  # noqa: E402
from minpy.core import grad  # noqa: E402
from minpy.nn import functional as F  # noqa: E402

try:
    import torch
    import torch.nn.functional as TF
    torch.set_num_threads(max(1, os.cpu_count() or 1))
except Exception:  # the peer is optional
    torch = None

SHAPES = [(256, 512), (64, 32, 16, 16)]


# ---- NumPy by hand ----
def np_batch_norm(x, gamma, beta, eps=1e-5):
    axes = tuple(d for d in range(x.ndim) if d != 1)
    cs = [1] * x.ndim
    cs[1] = -1
    mu = x.mean(axis=axes, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=axes, keepdims=True)
    inv = 1.0 / numpy.sqrt(var + eps)
    xhat = xc * inv
    out = xhat * gamma.reshape(cs) + beta.reshape(cs)
    dout = numpy.ones_like(out)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma.reshape(cs)
    dx = inv * (dxhat - dxhat.mean(axis=axes, keepdims=True) - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True))
    return out, dx, dgamma, dbeta


def np_layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    inv = 1.0 / numpy.sqrt((xc * xc).mean(-1, keepdims=True) + eps)
    xhat = xc * inv
    out = xhat * gamma + beta
    dout = numpy.ones_like(out)
    lead = tuple(range(x.ndim - 1))
    dbeta, dgamma = dout.sum(axis=lead), (dout * xhat).sum(axis=lead)
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(-1, keepdims=True) - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    return out, dx, dgamma, dbeta


def np_cross_entropy(x, y):
    m = x.max(axis=1, keepdims=True)
    e = numpy.exp(x - m)
    s = e.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = (numpy.log(s[:, 0]) + m[:, 0] - x[numpy.arange(n), y]).mean()
    dx = e / s
    dx[numpy.arange(n), y] -= 1
    return loss, dx / n


def shape_cases(rng, shape, dtype):
    """The three cases for one shape (a function, so each lambda keeps its own arrays)."""
    cases = []
    C, D = shape[1], shape[-1]
    x = rng.standard_normal(shape).astype(dtype)
    g, b = rng.standard_normal(C).astype(dtype), rng.standard_normal(C).astype(dtype)
    xm, gm, bm = mnp.array(x), mnp.array(g), mnp.array(b)
    bn = grad(lambda x, g, b: F.batch_norm(x, g, b), [0, 1, 2])
    numpy.testing.assert_allclose(numpy.asarray(bn(xm, gm, bm)[1]), np_batch_norm(x, g, b)[2], rtol=1e-3, atol=1e-3)
    fns = {"minpy": lambda: bn(xm, gm, bm), "numpy": lambda: np_batch_norm(x, g, b)}
    if torch is not None:
        tx, tg, tb = (torch.tensor(v, requires_grad=True) for v in (x, g, b))

        def t_bn():
            out = TF.batch_norm(tx, None, None, tg, tb, training=True)
            return torch.autograd.grad(out, [tx, tg, tb], torch.ones_like(out))
        fns["torch"] = t_bn
    cases.append((f"batch_norm {shape}", fns))

    # layer_norm over the last axis
    lg, lb = rng.standard_normal(D).astype(dtype), rng.standard_normal(D).astype(dtype)
    lgm, lbm = mnp.array(lg), mnp.array(lb)
    ln = grad(lambda x, g, b: F.layer_norm(x, g, b), [0, 1, 2])
    numpy.testing.assert_allclose(numpy.asarray(ln(xm, lgm, lbm)[1]), np_layer_norm(x, lg, lb)[2], rtol=1e-3, atol=1e-3)
    fns = {"minpy": lambda: ln(xm, lgm, lbm), "numpy": lambda: np_layer_norm(x, lg, lb)}
    if torch is not None:
        tlx, tlg, tlb = (torch.tensor(v, requires_grad=True) for v in (x, lg, lb))

        def t_ln():
            out = TF.layer_norm(tlx, (D,), tlg, tlb)
            return torch.autograd.grad(out, [tlx, tlg, tlb], torch.ones_like(out))
        fns["torch"] = t_ln
    cases.append((f"layer_norm {shape}", fns))

    # cross entropy on the (N, rest) flattening
    x2 = x.reshape(shape[0], -1)
    y = rng.integers(0, x2.shape[1], size=shape[0])
    x2m, ym = mnp.array(x2), mnp.array(y)
    ce = grad(lambda x: F.softmax_cross_entropy(x, ym))
    numpy.testing.assert_allclose(numpy.asarray(ce(x2m)), np_cross_entropy(x2, y)[1], rtol=1e-3, atol=1e-6)
    fns = {"minpy": lambda: ce(x2m), "numpy": lambda: np_cross_entropy(x2, y)}
    if torch is not None:
        tx2, ty = torch.tensor(x2, requires_grad=True), torch.tensor(y)
        fns["torch"] = lambda: torch.autograd.grad(TF.cross_entropy(tx2, ty), [tx2])
    cases.append((f"softmax_cross_entropy {x2.shape}", fns))
    return cases


def main():
    rng = numpy.random.default_rng(0)
    peers = ["numpy"] + (["torch"] if torch is not None else [])
    if torch is None:
        print("(PyTorch is not importable: numpy only)")
    for dtype in ("float32", "float64"):
        cases = [c for shape in SHAPES for c in shape_cases(rng, shape, dtype)]
        report(f"nn.functional fwd+bwd, {dtype}", cases, peers=peers)


if __name__ == "__main__":
    main()
