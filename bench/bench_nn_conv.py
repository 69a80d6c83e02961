"""minpy.nn.functional conv2d / max_pool2d vs PyTorch CPU on the target nets' shapes.

Run: python bench/bench_nn_conv.py [--quick] [--threads N]   (ratio = torch time / minpy time; > 1 means minpy is
faster, 0.67 is the 1.5x target). Both libraries run with the same thread count (--threads sets
minpy's pool and torch; set OPENBLAS_NUM_THREADS=N too, for the BLAS minpy calls).
"""
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import report  # noqa: E402

import minpy  # noqa: E402,F401
import minpy.numpy as mnp  # noqa: E402
from minpy import _core  # noqa: E402
from minpy.core import grad  # noqa: E402
from minpy.nn import functional as F  # noqa: E402

if "--threads" in sys.argv:
    _core.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
try:
    import torch
    import torch.nn.functional as TF
    torch.set_num_threads(_core.num_threads())
except ImportError:
    torch = None

# (name, x shape, weight shape, padding)
CONV_SHAPES = [
    ("digits N=64 1->16 8x8 k3", (64, 1, 8, 8), (16, 1, 3, 3), 1),
    ("digits N=256 16->32 8x8 k3", (256, 16, 8, 8), (32, 16, 3, 3), 1),
    ("cifar N=64 3->32 32x32 k5", (64, 3, 32, 32), (32, 3, 5, 5), 2),
    ("cifar N=64 32->32 32x32 k3", (64, 32, 32, 32), (32, 32, 3, 3), 1),
]
POOL_SHAPES = [
    ("digits N=256 C=32 8x8 k2", (256, 32, 8, 8)),
    ("cifar N=64 C=32 32x32 k2", (64, 32, 32, 32)),
]


def data(shape, dtype, seed):
    return numpy.random.default_rng(seed).standard_normal(shape).astype(dtype)


def conv_cases(dtype, with_grad):
    cases = []
    for name, xs, ws, pad in CONV_SHAPES:
        x0, w0, b0 = data(xs, dtype, 0), data(ws, dtype, 1) * 0.1, data(ws[0], dtype, 2)
        mx, mw, mb = mnp.array(x0), mnp.array(w0), mnp.array(b0)
        if with_grad:
            g = grad(lambda x, w, b: F.conv2d(x, w, b, padding=pad).sum(), [0, 1, 2])
            fns = {"minpy": lambda g=g, mx=mx, mw=mw, mb=mb: g(mx, mw, mb)}
            if torch is not None:
                tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x0, w0, b0))

                def tstep(tx=tx, tw=tw, tb=tb, pad=pad):
                    for t in (tx, tw, tb):
                        t.grad = None
                    TF.conv2d(tx, tw, tb, padding=pad).sum().backward()
                fns["torch"] = tstep
        else:
            fns = {"minpy": lambda mx=mx, mw=mw, mb=mb, pad=pad: F.conv2d(mx, mw, mb, padding=pad)}
            if torch is not None:
                tx, tw, tb = (torch.from_numpy(a) for a in (x0, w0, b0))
                fns["torch"] = lambda tx=tx, tw=tw, tb=tb, pad=pad: TF.conv2d(tx, tw, tb, padding=pad)
        cases.append((f"{name} {dtype[-2:]}", fns))
    return cases


def pool_cases(dtype):
    cases = []
    for name, xs in POOL_SHAPES:
        x0 = data(xs, dtype, 3)
        mx = mnp.array(x0)
        g = grad(lambda x: F.max_pool2d(x, 2).sum())
        fns = {"minpy": lambda g=g, mx=mx: g(mx)}
        if torch is not None:
            tx = torch.from_numpy(x0).requires_grad_()

            def tstep(tx=tx):
                tx.grad = None
                TF.max_pool2d(tx, 2).sum().backward()
            fns["torch"] = tstep
        cases.append((f"max_pool fwd+bwd {name} {dtype[-2:]}", fns))
        cases.append((f"max_pool fwd {name} {dtype[-2:]}", {
            "minpy": lambda mx=mx: F.max_pool2d(mx, 2),
            **({"torch": lambda tx=torch.from_numpy(x0): TF.max_pool2d(tx, 2)} if torch is not None else {})}))
    return cases


def net_cases(dtype, n=128):
    """One SGD step of a digits conv net: conv3x3(1->16)-relu-pool2-conv3x3(16->32)-relu-pool2-fc(128->10),
    softmax cross-entropy, plain SGD on every parameter."""
    rng = numpy.random.default_rng(5)
    x0 = rng.standard_normal((n, 1, 8, 8)).astype(dtype)
    y0 = rng.integers(0, 10, n)
    shapes = [(16, 1, 3, 3), (16,), (32, 16, 3, 3), (32,), (128, 10), (10,)]
    p0 = [(rng.standard_normal(s) * 0.1).astype(dtype) for s in shapes]
    lr = 0.01
    onehot = numpy.eye(10, dtype=dtype)[y0]

    def loss(x, w1, b1, w2, b2, w3, b3):
        h = F.max_pool2d(mnp.maximum(F.conv2d(x, w1, b1, padding=1), 0), 2)
        h = F.max_pool2d(mnp.maximum(F.conv2d(h, w2, b2, padding=1), 0), 2)
        s = h.reshape(h.shape[0], -1) @ w3 + b3
        m = s.max(axis=1, keepdims=True)
        lse = mnp.log(mnp.exp(s - m).sum(axis=1, keepdims=True)) + m
        return -((s - lse) * monehot).sum() / s.shape[0]

    mx, monehot = mnp.array(x0), mnp.array(onehot)
    mp = [mnp.array(p) for p in p0]
    g = grad(loss, list(range(1, 7)))

    def mstep():
        gs = g(mx, *mp)
        for p, gp in zip(mp, gs):
            p -= lr * gp
    fns = {"minpy": mstep}
    if torch is not None:
        tx, ty = torch.from_numpy(x0), torch.from_numpy(y0)
        tp = [torch.from_numpy(p.copy()).requires_grad_() for p in p0]

        def tstep():
            w1, b1, w2, b2, w3, b3 = tp
            h = TF.max_pool2d(torch.relu(TF.conv2d(tx, w1, b1, padding=1)), 2)
            h = TF.max_pool2d(torch.relu(TF.conv2d(h, w2, b2, padding=1)), 2)
            out = TF.cross_entropy(h.reshape(h.shape[0], -1) @ w3 + b3, ty)
            for p in tp:
                p.grad = None
            out.backward()
            with torch.no_grad():
                for p in tp:
                    p -= lr * p.grad
        fns["torch"] = tstep
    return [(f"digits net SGD step N={n} {dtype[-2:]}", fns)]


def main():
    quick = "--quick" in sys.argv
    peers = ("torch",)
    t = 0.1 if quick else 0.3
    print(f"threads: minpy {_core.num_threads()}, torch {torch.get_num_threads() if torch else '-'}; "
          f"BLAS: {_core.config()['blas']}")
    rows = []
    rows += report("conv2d forward", conv_cases("float32", False) + ([] if quick else conv_cases("float64", False)),
                   peers, t)
    rows += report("conv2d forward + backward (minpy.core.grad w.r.t. x, w, b)",
                   conv_cases("float32", True) + ([] if quick else conv_cases("float64", True)), peers, t)
    rows += report("max_pool2d", pool_cases("float32") + ([] if quick else pool_cases("float64")), peers, t)
    rows += report("training step", net_cases("float32") + net_cases("float32", 256) +
                   ([] if quick else net_cases("float64")), peers, t)
    if torch is not None:
        ratios = [r["torch"] / r["minpy"] for _, r in rows if "torch" in r]
        print(f"\ngeometric mean ratio (torch/minpy): {numpy.exp(numpy.mean(numpy.log(ratios))):.2f}; "
              f"worst {min(ratios):.2f}")


if __name__ == "__main__":
    main()
