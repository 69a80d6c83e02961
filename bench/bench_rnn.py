"""MinPy's RNN benchmark grid: a vanilla tanh RNN unrolled 50 steps, forward + backward.

As MinPy's `examples/perf/rnn`: the same (B, 256) input at every step, h_t = tanh(x Wx + h_{t-1} Wh + b),
an affine layer to 10 outputs on the last state and an L2 loss. minpy writes only the forward pass
(a Python loop) and differentiates it with `minpy.core.grad_and_loss`; the NumPy peer is the
hand-written backpropagation through time of the same computation.

Run: python bench/bench_rnn.py [--dtype float32|float64] [--quick]
Prints time per step for batch {32, 128} x hidden {512, 1024}; ratio = NumPy / minpy (target: minpy
at most 1.1x NumPy's time, i.e. ratio >= 0.91).
"""
import argparse
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import best_time, fmt  # noqa: E402

STEPS, D_IN, D_OUT = 50, 256, 10


def make_problem(batch, hidden, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((batch, D_IN)).astype(dtype)
    target = rng.standard_normal((batch, D_OUT)).astype(dtype)
    params = [(rng.standard_normal(s) * scale).astype(dtype) for s, scale in (
        ((D_IN, hidden), 1 / D_IN ** 0.5), ((hidden, hidden), 1 / hidden ** 0.5), ((hidden,), 0.0),
        ((hidden, D_OUT), 1 / hidden ** 0.5), ((D_OUT,), 0.0))]
    return x, target, params


def numpy_bptt(params, x, target):
    """Forward and hand-written backward; returns (loss, grads)."""
    wx, wh, b, wy, by = params
    batch = x.shape[0]
    hs = [numpy.zeros((batch, wh.shape[0]), dtype=x.dtype)]
    for _ in range(STEPS):
        hs.append(numpy.tanh(x.dot(wx) + hs[-1].dot(wh) + b))
    y = hs[-1].dot(wy) + by
    diff = y - target
    loss = numpy.sum(diff * diff) / batch
    dy = 2 * diff / batch
    dwy, dby = hs[-1].T.dot(dy), dy.sum(axis=0)
    dh = dy.dot(wy.T)
    dwx, dwh, db = numpy.zeros_like(wx), numpy.zeros_like(wh), numpy.zeros_like(b)
    for t in range(STEPS, 0, -1):
        da = dh * (1 - hs[t] * hs[t])
        dwx += x.T.dot(da)
        dwh += hs[t - 1].T.dot(da)
        db += da.sum(axis=0)
        dh = da.dot(wh.T)
    return loss, [dwx, dwh, db, dwy, dby]


def minpy_bptt():
    import minpy.numpy as np
    from minpy.core import grad_and_loss

    def loss(wx, wh, b, wy, by, x, target):
        h = np.zeros((x.shape[0], wh.shape[0]), dtype=x.dtype)
        for _ in range(STEPS):
            h = np.tanh(x.dot(wx) + h.dot(wh) + b)
        diff = h.dot(wy) + by - target
        return np.sum(diff * diff) / x.shape[0]

    step = grad_and_loss(loss, range(5))
    return lambda params, x, target: step(*params, x, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--quick", action="store_true", help="one small case, short timing")
    args = parser.parse_args()
    import minpy.numpy as mnp
    run_minpy = minpy_bptt()
    grid = [(8, 64)] if args.quick else [(32, 512), (32, 1024), (128, 512), (128, 1024)]
    print(f"== RNN {STEPS} steps, input {D_IN}, {args.dtype}: forward + backward per step "
          "(ratio = NumPy / minpy)")
    print(f"{'batch x hidden':<18}{'minpy':>12}{'numpy':>12}{'ratio':>8}")
    for batch, hidden in grid:
        x, target, params = make_problem(batch, hidden, args.dtype)
        m_params = [mnp.array(p) for p in params]
        m_x, m_target = mnp.array(x), mnp.array(target)
        # the two implementations must agree before they are timed
        ref_loss, ref_grads = numpy_bptt(params, x, target)
        grads, loss = run_minpy(m_params, m_x, m_target)
        tol = 1e-3 if args.dtype == "float32" else 1e-9
        numpy.testing.assert_allclose(float(loss), ref_loss, rtol=tol)
        for g, r in zip(grads, ref_grads):
            numpy.testing.assert_allclose(numpy.asarray(g), r, rtol=tol, atol=tol * numpy.abs(r).max())
        min_time = 0.05 if args.quick else 1.0
        t_m = best_time(lambda: run_minpy(m_params, m_x, m_target), min_time, repeat=3)
        t_n = best_time(lambda: numpy_bptt(params, x, target), min_time, repeat=3)
        print(f"{f'{batch} x {hidden}':<18}{fmt(t_m):>12}{fmt(t_n):>12}{t_n / t_m:>7.2f}x", flush=True)


if __name__ == "__main__":
    main()
