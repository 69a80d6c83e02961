"""Normalisation, dropout, softmax, losses and embedding (native).

Every op runs a C++ kernel (engine/src/ops/nn_norm.cpp) and records one node on the autograd tape;
first-order gradients use fused native backward kernels, grad of grad the same formulas written with
engine ops. float32 and float64 run natively; float16 is computed in float32 and cast back.
Integer or bool data arrays raise TypeError; labels and indices must be integer arrays.
"""
import operator

import numpy as _np

from minpy import _core
from minpy.numpy import random as _random

__all__ = ["batch_norm", "layer_norm", "dropout", "softmax", "log_softmax", "softmax_cross_entropy",
           "svm_loss", "embedding"]

_ndarray = _core.ndarray


def _real(v, name, op):
    """v as a Python float (a real number; TypeError otherwise, as PyTorch)."""
    if isinstance(v, (bool, _np.bool_)) or not isinstance(v, (int, float, _np.integer, _np.floating)):
        raise TypeError(f"[{op}] {name} must be a real number, got {type(v).__name__}.")
    return float(v)


def _axis(axis, op):
    try:
        return operator.index(axis)
    except TypeError:
        raise TypeError(f"[{op}] axis must be an integer, got {type(axis).__name__}.") from None


def _reduction(reduction, op):
    if not isinstance(reduction, str):
        raise TypeError(f"[{op}] reduction must be a string ('mean', 'sum' or 'none').")
    return reduction


def batch_norm(x, gamma, beta, running_mean=None, running_var=None, training=True, momentum=0.1, eps=1e-5):
    """Batch normalisation over every axis but 1 of x (N, C) or (N, C, H, W).

    training: the batch mean and biased variance normalise x; running_mean/running_var (C,), when
    given, are updated in place: ``running = (1 - momentum) * running + momentum * batch_stat``
    (biased variance, as CS231n/MinPy; PyTorch keeps the unbiased one). Not training: the running
    arrays normalise x (required). Differentiable w.r.t. x, gamma and beta (and, in eval mode, the
    running arrays, which then act as ordinary inputs).
    """
    return _core.nn_batch_norm(x, gamma, beta, running_mean, running_var, bool(training),
                               _real(momentum, "momentum", "batch_norm"), _real(eps, "eps", "batch_norm"))


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    """Normalises x over its last axis; gamma, beta (D,) scale and shift when given."""
    return _core.nn_layer_norm(x, gamma, beta, _real(eps, "eps", "layer_norm"))


def dropout(x, p=0.5, training=True, seed=None):
    """Inverted dropout: ``x * mask / (1 - p)`` with mask ~ Bernoulli(1 - p).

    The mask comes from minpy's generator: a fresh one seeded with `seed` (reproducible), or the
    global ``minpy.numpy.random`` stream. Identity (x itself) when not training or p == 0; zeros
    when p == 1; p outside [0, 1] is a ValueError. The gradient reuses the same mask.
    """
    p = _real(p, "p", "dropout")
    if not isinstance(x, _ndarray):
        x = _core.asarray(x)
    if _np.dtype(x.dtype).kind != "f":
        raise TypeError(f"[dropout] x must be a floating array (float16, float32 or float64), got {x.dtype}.")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"[dropout] dropout probability has to be between 0 and 1, but got {p}.")
    if not training or p == 0.0:
        return x
    if seed is None:
        gen = _random._global._bitgen
    else:
        k0, k1 = (int(v) for v in _np.random.SeedSequence(seed).generate_state(2, _np.uint64))
        gen = _core.Philox(k0, k1, 0)
    udtype = _np.float64 if _np.dtype(x.dtype) == _np.float64 else _np.float32
    u = gen.random(tuple(x.shape), udtype)
    return _core.nn_dropout_with_uniform(x, u, p)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along axis, computed with the maximum subtracted (no overflow)."""
    return _core.nn_softmax(x, _axis(axis, "softmax"))


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along axis, numerically stable."""
    return _core.nn_log_softmax(x, _axis(axis, "log_softmax"))


def softmax_cross_entropy(logits, labels, reduction="mean"):
    """-log_softmax(logits)[i, labels[i]] for logits (N, C) and integer labels (N,) in [0, C).

    reduction: 'mean' (a 0-d array), 'sum', or 'none' (the (N,) per-row losses).
    """
    return _core.nn_softmax_cross_entropy(logits, labels, _reduction(reduction, "softmax_cross_entropy"))


def svm_loss(x, labels, delta=1.0, reduction="mean"):
    """CS231n multiclass hinge loss: sum_{j != y_i} max(0, x_ij - x_iy_i + delta) per row."""
    return _core.nn_svm_loss(x, labels, _real(delta, "delta", "svm_loss"), _reduction(reduction, "svm_loss"))


def embedding(indices, weight):
    """weight[indices] for weight (V, D) and integer indices of any shape in [0, V).

    The gradient w.r.t. weight sums the cotangent rows of repeated indices.
    """
    return _core.nn_embedding(indices, weight)
