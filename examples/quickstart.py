"""The same NumPy code run by NumPy and by minpy: only the module passed in differs.

    python examples/quickstart.py [--samples N] [--steps K]

Trains a logistic regression by gradient descent, checks that both libraries agree, prints the
time each took, and prints minpy's op statistics: which calls ran natively and which fell back
to NumPy. Then lets minpy's autograd differentiate the loss and checks it against the
hand-derived gradient the training loop used.
"""
import argparse
import time

import numpy

import minpy
import minpy.numpy as mnp
from minpy.core import grad


def logistic_regression(np, X, y, steps, lr=0.5):
    """Plain NumPy code; `np` is numpy or minpy.numpy."""
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        err = p - y
        w -= lr * (X.T @ err) / X.shape[0]
        b -= lr * float(err.mean())
    accuracy = float(((p > 0.5) == (y > 0.5)).mean())
    loss = float(-(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)).mean())
    return w, loss, accuracy


def mean_log_loss(np, w, X, y):
    """The training loss as a function of w: what autograd differentiates."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    rng = numpy.random.default_rng(0)
    X = rng.standard_normal((args.samples, args.features))
    true_w = rng.standard_normal(args.features)
    y = (X @ true_w + 0.5 * rng.standard_normal(args.samples) > 0).astype(numpy.float64)

    t0 = time.perf_counter()
    w_np, loss_np, acc_np = logistic_regression(numpy, X, y, args.steps)
    t_np = time.perf_counter() - t0

    mnp.record_op_stat()
    Xm, ym = mnp.array(X), mnp.array(y)
    t0 = time.perf_counter()
    w_mp, loss_mp, acc_mp = logistic_regression(mnp, Xm, ym, args.steps)
    t_mp = time.perf_counter() - t0

    diff = float(numpy.max(numpy.abs(numpy.asarray(w_mp) - w_np)))
    print(f"logistic regression, {args.samples} x {args.features}, {args.steps} steps")
    print(f"  numpy : loss {loss_np:.6f}  accuracy {acc_np:.4f}  {t_np:.3f} s")
    print(f"  minpy : loss {loss_mp:.6f}  accuracy {acc_mp:.4f}  {t_mp:.3f} s  ({t_np / t_mp:.2f}x numpy)")
    print(f"  max |w_minpy - w_numpy| = {diff:.2e}")
    print("\nminpy op statistics (native calls run C++ kernels; fallback calls ran NumPy):")
    mnp.show_op_stat()
    # Autograd: the gradient of the loss, from the tape, against the hand-derived formula.
    w = mnp.array(w_np)
    auto = grad(lambda w: mean_log_loss(mnp, w, Xm, ym))(w)
    p = 1.0 / (1.0 + numpy.exp(-(X @ w_np)))
    manual = X.T @ (p - y) / len(y)
    grad_diff = float(numpy.max(numpy.abs(numpy.asarray(auto) - manual)))
    print(f"\nautograd: max |grad(loss)(w) - X.T @ (p - y) / n| = {grad_diff:.2e}")
    print()
    minpy.show_config()
    if diff > 1e-8 or grad_diff > 1e-10:
        raise SystemExit("minpy and NumPy disagree")


if __name__ == "__main__":
    main()
