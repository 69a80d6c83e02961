"""Leak/flatness tests: many small ops and many gradient steps must leave the process's resident
memory flat. A leaked array, tape node, Python wrapper or reference cycle per op shows up here as
megabytes of growth (10^5 iterations x even 200 bytes = 20 MB), while allocator noise stays small.
The bound is generous on purpose: it must only catch growth that scales with the iteration count."""
import gc
import os

import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc (Linux)")

MB = 1 << 20
BOUND = 20 * MB  # growth allowed after warm-up


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def growth(step, iters, warmup):
    """Bytes of RSS growth over `iters` calls of step(i), measured after `warmup` calls (which fill
    caches, free lists and the allocator's arenas)."""
    for i in range(warmup):
        step(i)
    gc.collect()
    before = rss()
    for i in range(iters):
        step(i)
    gc.collect()
    return rss() - before


def small_ops_step():
    a = np.arange(16, dtype=np.float64)
    b = np.ones(16) * 0.5
    c = np.arange(16, dtype=np.int32).reshape(4, 4)

    def step(i):
        x = a + b
        y = np.exp(x * 0.01)
        z = y[1:12:3]
        s = x.sum() + y.max() + c.sum(axis=0)[1] + c.T[2, ::-1].mean()
        w = c[c > 3]                    # advanced indexing (boolean mask)
        v = a.copy()
        v[2:5] = z[:3]                  # in-place write through a view
        t = np.where(x > 4.0, x, -x).astype(np.float32)
        return s, w, t
    return step


def test_small_ops_rss_flat():
    step = small_ops_step()
    g = growth(step, iters=100_000, warmup=5_000)
    assert g < BOUND, f"RSS grew by {g / MB:.1f} MB over 10^5 small-op iterations"


def test_small_ops_step_is_sane():
    # the loop above must really compute (a leak test of no-ops could not fail)
    s, w, t = small_ops_step()(0)
    a = numpy.arange(16.0)
    x = a + 0.5
    y = numpy.exp(x * 0.01)
    c = numpy.arange(16, dtype=numpy.int32).reshape(4, 4)
    want = x.sum() + y.max() + c.sum(axis=0)[1] + c.T[2, ::-1].mean()
    assert float(s) == pytest.approx(want)
    assert numpy.asarray(w).tolist() == c[c > 3].tolist()
    assert numpy.asarray(t).dtype == numpy.float32


def indexing_step():
    a = np.arange(16, dtype=np.float64)
    m = np.arange(20, dtype=np.int32).reshape(4, 5)

    def step(i):
        # the mp_subscript fast paths: 0-d copies, views, tuple keys (wrappers and descriptors pooled)
        return a[i % 16], a[1:5], a[::-3], m[i % 4], m[:, 2], m[1, i % 5], m[1:3, ::2], a[-1]
    return step


def test_indexing_rss_flat():
    step = indexing_step()
    assert [float(v) for v in step(3)[:1]] == [3.0] and step(0)[4].tolist() == [2, 7, 12, 17]
    g = growth(step, iters=100_000, warmup=5_000)
    assert g < BOUND, f"RSS grew by {g / MB:.1f} MB over 10^5 indexing iterations"


def mlp_step():
    rng = numpy.random.default_rng(0)
    x = np.array(rng.standard_normal((8, 16)))
    y = np.array(rng.standard_normal((8, 4)))
    params = [np.array(rng.standard_normal((16, 32)) * 0.1), np.array(numpy.zeros(32)),
              np.array(rng.standard_normal((32, 4)) * 0.1), np.array(numpy.zeros(4))]

    def loss(w1, b1, w2, b2):
        h = np.tanh(np.matmul(x, w1) + b1)
        out = np.matmul(h, w2) + b2
        return np.sum((out - y) ** 2) / 8.0

    g = grad(loss, argnum=[0, 1, 2, 3])
    losses = []

    def step(i):
        grads = g(*params)
        for k in range(4):
            params[k] -= 0.01 * grads[k]  # in-place update: the versions of saved arrays move on
        if i % 100 == 0:
            losses.append(float(loss(*params)))
    return step, losses


def test_mlp_grad_steps_rss_flat():
    step, losses = mlp_step()
    g = growth(step, iters=5_000, warmup=500)
    assert g < BOUND, f"RSS grew by {g / MB:.1f} MB over 5000 MLP gradient steps"
    assert losses[-1] < losses[0]  # the steps really trained



def test_mid_sized_temporaries_reuse_their_pages():
    # Two live 256 KiB temporaries per step: malloc served them with fresh pages each time (its
    # heap top trimmed), 60 page faults a step, 10x the add itself. The engine's cache keeps them.
    import resource
    a, b, c = (np.array(numpy.random.default_rng(i).random(1 << 15)) for i in range(3))

    def step():
        t = a * b
        return t + c
    for _ in range(20):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(500):
        step()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 500
