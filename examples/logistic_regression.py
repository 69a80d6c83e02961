"""Softmax regression with minpy's autograd: write the loss, let `grad_and_loss` differentiate it.

    python examples/logistic_regression.py [--quick]

MinPy's first example (basics/logistic.py), on generated Gaussian clusters: only the loss is written;
the gradient comes from the tape. The result is checked against the hand-derived gradient.
"""
import argparse

import numpy

import minpy.numpy as np
from minpy.core import grad_and_loss


def softmax_loss(w, b, x, labels):
    scores = x.dot(w) + b
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(x.shape[0]), labels])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, dim, classes, steps = (500, 20, 5, 20) if args.quick else (10000, 500, 5, 100)

    rng = numpy.random.default_rng(0)
    centers = rng.standard_normal((classes, dim))
    labels = rng.integers(0, classes, n)
    x = np.array(centers[labels] + 0.8 * rng.standard_normal((n, dim)))
    labels = np.array(labels)
    w, b = np.zeros((dim, classes)), np.zeros(classes)

    step = grad_and_loss(softmax_loss, [0, 1])
    for i in range(steps):
        (dw, db), loss = step(w, b, x, labels)
        w -= 0.5 * dw
        b -= 0.5 * db
        if i % max(1, steps // 5) == 0:
            print(f"step {i:4d}  loss {float(loss):.4f}")

    # the tape's gradient equals the textbook one: x^T (softmax - onehot) / n
    scores = numpy.asarray(x.dot(w) + b)
    probs = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[numpy.arange(n), numpy.asarray(labels)] -= 1
    numpy.testing.assert_allclose(numpy.asarray(step(w, b, x, labels)[0][0]),
                                  numpy.asarray(x).T.dot(probs) / n, rtol=1e-9, atol=1e-12)
    accuracy = float((np.argmax(x.dot(w) + b, axis=1) == labels).mean())
    print(f"training accuracy {accuracy:.3f}; autograd gradient matches the hand-derived one")
    assert accuracy > 0.9


if __name__ == "__main__":
    main()
