"""One conv-net training step (forward + backward) in minpy vs PyTorch CPU, same shapes, one process.

Net: conv3x3(F1, pad 1) - relu - maxpool2 - conv3x3(F2, pad 1) - relu - maxpool2 - affine(H) - relu
- affine(10) - softmax cross-entropy. minpy writes the forward pass with `minpy.nn.functional` and
differentiates it with `minpy.core.grad`; PyTorch runs loss.backward(). Gradients are compared
before timing.

Run: python bench/bench_nn_train.py [--quick]
Prints time per step; ratio = PyTorch / minpy (target: minpy within 1.5x of PyTorch, ratio >= 0.67).
"""
import argparse
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import best_time, fmt  # noqa: E402

CASES = {  # name: (batch, channels, size, F1, F2, hidden)
    "digits 64x1x8x8": (64, 1, 8, 16, 32, 64),
    "cifar 64x3x32x32": (64, 3, 32, 32, 64, 256),
}


def make_params(c, size, f1, f2, hidden, dtype, rng):
    flat = f2 * (size // 4) ** 2
    shapes = {"w1": (f1, c, 3, 3), "b1": (f1,), "w2": (f2, f1, 3, 3), "b2": (f2,),
              "w3": (flat, hidden), "b3": (hidden,), "w4": (hidden, 10), "b4": (10,)}
    return {k: (rng.standard_normal(s) * (0.1 if len(s) > 1 else 0.01)).astype(dtype)
            for k, s in shapes.items()}


def minpy_step():
    import minpy.nn.functional as F
    import minpy.numpy as np
    from minpy.core import grad_and_loss

    def loss(w1, b1, w2, b2, w3, b3, w4, b4, x, y):
        h = F.max_pool2d(np.maximum(F.conv2d(x, w1, b1, padding=1), 0), 2)
        h = F.max_pool2d(np.maximum(F.conv2d(h, w2, b2, padding=1), 0), 2)
        h = np.maximum(h.reshape(h.shape[0], -1).dot(w3) + b3, 0)
        return F.softmax_cross_entropy(h.dot(w4) + b4, y)

    return grad_and_loss(loss, range(8))


def torch_step(torch):
    fn = torch.nn.functional

    def step(params, x, y):
        for p in params.values():
            p.grad = None
        h = fn.max_pool2d(fn.relu(fn.conv2d(x, params["w1"], params["b1"], padding=1)), 2)
        h = fn.max_pool2d(fn.relu(fn.conv2d(h, params["w2"], params["b2"], padding=1)), 2)
        h = fn.relu(h.reshape(h.shape[0], -1) @ params["w3"] + params["b3"])
        loss = fn.cross_entropy(h @ params["w4"] + params["b4"], y)
        loss.backward()
        return loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    import minpy.numpy as mnp
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: minpy times only")
    m_step = minpy_step()
    print(f"== conv-net training step, {args.dtype} (ratio = PyTorch / minpy)")
    print(f"{'case':<22}{'minpy':>12}{'pytorch':>12}{'ratio':>8}")
    for name, (n, c, size, f1, f2, hidden) in CASES.items():
        if args.quick:
            n = 8
        rng = numpy.random.default_rng(0)
        params = make_params(c, size, f1, f2, hidden, args.dtype, rng)
        x = rng.standard_normal((n, c, size, size)).astype(args.dtype)
        y = rng.integers(0, 10, n)
        m_params = [mnp.array(v) for v in params.values()]
        m_x, m_y = mnp.array(x), mnp.array(y)
        grads, loss = m_step(*m_params, m_x, m_y)
        min_time = 0.05 if args.quick else 1.0
        t_m = best_time(lambda: m_step(*m_params, m_x, m_y), min_time, repeat=3)
        line = f"{name:<22}{fmt(t_m):>12}"
        if torch is not None:
            t_params = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
            t_x, t_y = torch.from_numpy(x), torch.from_numpy(y)
            t_run = torch_step(torch)
            t_loss = t_run(t_params, t_x, t_y)
            tol = 2e-3 if args.dtype == "float32" else 1e-8
            numpy.testing.assert_allclose(float(loss), t_loss.item(), rtol=tol)
            for g, p in zip(grads, t_params.values()):
                ref = p.grad.numpy()
                numpy.testing.assert_allclose(numpy.asarray(g), ref, rtol=tol, atol=tol * numpy.abs(ref).max())
            t_t = best_time(lambda: t_run(t_params, t_x, t_y), min_time, repeat=3)
            line += f"{fmt(t_t):>12}{t_t / t_m:>7.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
