"""Autograd overhead: forward + backward of a 50-op elementwise chain on 16-element float64 arrays.

Run: python bench/bench_autograd.py
Ratios are peer time / minpy time (> 1: minpy is faster). Peers: HIPS autograd (if installed:
`pip install autograd`) doing the same forward+backward, and plain NumPy doing the forward only.
"""
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import report  # noqa: E402

import minpy.numpy as mnp  # noqa: E402
from minpy.core import grad as minpy_grad  # noqa: E402

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # the peer is optional
    autograd = anp = None


def chain(xp):
    """50 ufunc calls mixing unary, binary and scalar operands."""
    def f(x):
        y = x
        for _ in range(10):
            y = xp.sin(y) * x      # 2
            y = y + 0.5 * x        # 2
            y = xp.tanh(y)         # 1
        return y
    return f


def main():
    x0 = numpy.random.default_rng(0).random(16)
    xm = mnp.array(x0)
    f_minpy = chain(mnp)
    g_minpy = minpy_grad(f_minpy)
    cases = {"minpy": lambda: g_minpy(xm), "numpy": lambda: chain(numpy)(x0)}
    peers = ["numpy"]
    if autograd is not None:
        g_hips = autograd.grad(lambda x: anp.sum(chain(anp)(x)))
        numpy.testing.assert_allclose(numpy.asarray(g_minpy(xm)), g_hips(x0), rtol=1e-10)
        cases["autograd"] = lambda: g_hips(x0)
        peers.insert(0, "autograd")
    else:
        print("(HIPS autograd is not installed: pip install autograd)")
    report("autograd: fwd+bwd, 50-op chain, 16 x f64 (numpy column: forward only)",
           [("grad(chain)(x)", cases)], peers=peers)
    report("forward only, no tape", [("chain(x)", {"minpy": lambda: f_minpy(xm), "numpy": lambda: chain(numpy)(x0)})])


if __name__ == "__main__":
    main()
