"""A custom operator with its own gradient (MinPy's `customop`), used inside a differentiated model.

    python examples/custom_op.py [--quick]

`customop('numpy')` runs a NumPy function as one node of minpy's tape; `def_grad` gives its
vector-Jacobian product. Here: a numerically careful softplus, log(1 + e^x), whose gradient is the
logistic sigmoid, trained in a small logistic model and checked against finite differences.
"""
import argparse

import numpy

import minpy.numpy as np
from minpy.core import customop, grad
from minpy.utils.gradient_checker import quick_grad_check


@customop("numpy")
def softplus(x):
    return numpy.logaddexp(0, x)  # no overflow for large x, unlike log(1 + exp(x))


def _softplus_grad(ans, x):
    return lambda g: g / (1 + numpy.exp(-x))  # d/dx log(1 + e^x) = sigmoid(x)


softplus.def_grad(_softplus_grad)


def loss(w, x, y):
    """Logistic loss written with the custom op: mean softplus(-y * x.w), labels y in {-1, +1}."""
    return np.mean(softplus(-y * x.dot(w)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, dim, steps = (200, 10, 30) if args.quick else (5000, 50, 200)
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((n, dim))
    y = numpy.sign(x.dot(rng.standard_normal(dim)) + 0.1 * rng.standard_normal(n))
    x, y = np.array(x), np.array(y)

    w = np.array(rng.standard_normal(dim) * 0.01)
    assert quick_grad_check(lambda v: loss(v, x, y), w, verbose=False, eps=1e-6, rtol=1e-5, atol=1e-8)
    print("custom op gradient agrees with finite differences")

    dloss = grad(loss)
    for i in range(steps):
        w -= 1.0 * dloss(w, x, y)
    accuracy = float((np.sign(x.dot(w)) == y).mean())
    print(f"final loss {float(loss(w, x, y)):.4f}, training accuracy {accuracy:.3f}")
    assert accuracy > 0.9
    # huge margins: softplus stays finite where log(1 + exp(x)) would overflow
    print("softplus(1000) =", float(softplus(np.array(1000.0))))


if __name__ == "__main__":
    main()
