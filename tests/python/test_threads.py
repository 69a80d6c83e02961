"""Several Python threads in the engine at once: the GIL is released around large kernels, the
intra-op pool takes regions from concurrent callers, and autograd tapes are per thread."""
import sys
import threading

import numpy
import pytest

import minpy.core
import minpy.numpy as mnp
from minpy import _core

N = 1 << 18  # well above the GIL-release threshold (1 << 16 elements)
THREADS = 4


def run_threads(fn, n=THREADS):
    """fn(i) in n threads started together; returns their results, re-raising the first error."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def body(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as e:  # noqa: BLE001 - reported in the main thread
            errors.append(e)

    ts = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "a thread hung (deadlock?)"
    if errors:
        raise errors[0]
    return results


def inputs(i):
    rng = numpy.random.default_rng(100 + i)
    x = rng.standard_normal(N)
    m = rng.standard_normal((300, 300))
    idx = rng.integers(0, N, N)
    return mnp.asarray(x), mnp.asarray(m), mnp.asarray(idx)


def workload(i):
    """Many kinds of large calls; returns NumPy copies of the results."""
    x, m, idx = inputs(i)
    out = []
    for _ in range(3):
        y = mnp.sin(x) * 2.0 + x                       # ufunc calls (tp_call and operators)
        out.append(y)
        out.append(mnp.sum(y.reshape(512, -1), axis=0))  # reductions
        out.append(x.max())
        out.append(m @ m)                              # matmul
        out.append(mnp.dot(m, m[0]))
        out.append(mnp.sort(x))                        # sort
        out.append(x.astype(mnp.float32))              # astype
        out.append(x[::-1].copy())                     # copy
        out.append(x[idx])                             # advanced indexing
        out.append(mnp.concatenate([x, y]))            # concatenate
        out.append(mnp.cumsum(x))
        z = mnp.zeros(N)
        z[idx] = x                                     # advanced setitem
        z += 1.0                                       # in-place ufunc
        out.append(z)
        out.append(mnp.where(x > 0, x, y))
    return [numpy.array(numpy.asarray(o)) for o in out]


def loss(x):
    return mnp.sum(mnp.tanh(x) * x + mnp.exp(-x * x) * 0.5)


def grad_workload(i):
    x, _, _ = inputs(i)
    g = minpy.core.grad(loss)
    return [numpy.array(numpy.asarray(g(x))) for _ in range(3)]


def test_ops_in_threads_match_single_thread():
    want = [workload(i) for i in range(THREADS)]
    got = run_threads(workload)
    for w, g in zip(want, got):
        assert len(w) == len(g)
        for a, b in zip(w, g):
            numpy.testing.assert_array_equal(b, a)


def test_grad_in_threads_matches_single_thread():
    want = [grad_workload(i) for i in range(THREADS)]
    got = run_threads(grad_workload)
    for i, (w, g) in enumerate(zip(want, got)):
        x = numpy.asarray(inputs(i)[0])
        t = numpy.tanh(x)
        numpy.testing.assert_allclose(w[0], (1 - t * t) * x + t - x * numpy.exp(-x * x), rtol=1e-12, atol=1e-12)
        for a, b in zip(w, g):
            numpy.testing.assert_array_equal(b, a)


def test_tapes_are_per_thread():
    """Thread A holds a tape open while thread B computes (and differentiates) on its own: B's ops
    are not recorded on A's tape and A's gradient ignores them."""
    a_recording, b_done = threading.Event(), threading.Event()
    seen = {}

    def a_fun(x):
        y = mnp.tanh(x)
        a_recording.set()
        assert b_done.wait(60)
        seen["a_active"] = _core._ag_active()
        return mnp.sum(y * 3.0)

    def thread_a():
        x = mnp.asarray(numpy.linspace(-2, 2, N))
        seen["ga"] = numpy.array(numpy.asarray(minpy.core.grad(a_fun)(x)))

    def thread_b():
        assert a_recording.wait(60)
        seen["b_active"] = _core._ag_active()
        z = mnp.asarray(numpy.linspace(0, 1, N))
        w = mnp.exp(z) * 2.0
        seen["b_tracked"] = _core._ag_tracked(w)
        seen["gb"] = numpy.array(numpy.asarray(minpy.core.grad(lambda v: mnp.sum(v * v))(z)))
        b_done.set()

    ts = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts)
    assert seen["a_active"] is True
    assert seen["b_active"] is False
    assert seen["b_tracked"] is False
    x = numpy.linspace(-2, 2, N)
    numpy.testing.assert_allclose(seen["ga"], 3.0 * (1 - numpy.tanh(x) ** 2), rtol=1e-12)
    numpy.testing.assert_array_equal(seen["gb"], 2.0 * numpy.linspace(0, 1, N))


@pytest.mark.parametrize("op", ["ufunc", "sum", "matmul", "sort", "astype", "take", "concatenate", "random"])
def test_large_calls_release_the_gil(op):
    """With a huge switch interval the GIL changes hands only when released: the main thread gets to
    stop the worker's loop early only if the calls inside it release the GIL."""
    x = mnp.asarray(numpy.random.default_rng(0).standard_normal(1 << 20))
    m = mnp.asarray(numpy.random.default_rng(1).standard_normal((400, 400)))
    idx = mnp.asarray(numpy.arange(1 << 20)[::-1].copy())
    gen = mnp.random.default_rng(5)
    calls = {
        "ufunc": lambda: mnp.sin(x),
        "sum": lambda: x.sum(),
        "matmul": lambda: m @ m,
        "sort": lambda: mnp.sort(x),
        "astype": lambda: x.astype(mnp.float32),
        "take": lambda: x[idx],
        "concatenate": lambda: mnp.concatenate([x, x]),
        "random": lambda: gen.random(1 << 20),
    }
    call = calls[op]
    limit = 100
    stop, started = threading.Event(), threading.Event()
    count = [0]

    def worker():
        started.set()
        while count[0] < limit and not stop.is_set():
            call()
            count[0] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=worker)
        t.start()
        started.wait()
        stop.set()  # runs only once the worker lets the GIL go
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert count[0] < limit


def test_small_calls_keep_working_across_threads():
    """Small arrays (no GIL release) and large ones mixed in threads: still correct."""
    def fn(i):
        a = mnp.arange(10.0) + i
        b = mnp.arange(float(N)) * i
        return float(a.sum()), float(b.sum())
    got = run_threads(fn, 8)
    for i, (s, t) in enumerate(got):
        assert s == 45.0 + 10 * i
        assert t == float(numpy.sum(numpy.arange(float(N)) * i))


def test_random_generators_in_threads():
    """Own generators per thread give the sequential streams; one shared generator hands each call
    its own block of the stream (calls are serialised), so the draws are the sequential draws in
    some order of the calls."""
    def own(i):
        g = mnp.random.default_rng(10 + i)
        return [numpy.array(numpy.asarray(g.random(N))) for _ in range(3)]
    want = [own(i) for i in range(THREADS)]
    got = run_threads(own)
    for w, g in zip(want, got):
        for a, b in zip(w, g):
            numpy.testing.assert_array_equal(b, a)

    seq = mnp.random.default_rng(7)
    sequential = [numpy.array(numpy.asarray(seq.random(N))) for _ in range(THREADS * 3)]
    shared = mnp.random.default_rng(7)
    got = run_threads(lambda i: [numpy.array(numpy.asarray(shared.random(N))) for _ in range(3)])
    calls = sorted((c for per_thread in got for c in per_thread), key=lambda c: c[0])
    for a, b in zip(sorted(sequential, key=lambda c: c[0]), calls):
        numpy.testing.assert_array_equal(b, a)


def test_python_custom_op_gradients_in_threads():
    """A Python custom op's VJP calls back into Python (taking the GIL) from backward passes running
    in several threads, mixed with large ops that release the GIL."""
    @minpy.core.customop("numpy")
    def scaled_sigmoid(x):
        return 1.0 / (1.0 + numpy.exp(-x))

    scaled_sigmoid.def_grad(lambda ans, x: lambda g: g * ans * (1 - ans))

    def f(x):
        return mnp.sum(scaled_sigmoid(mnp.sin(x)) * x)

    def work(i):
        x, _, _ = inputs(i)
        return [numpy.array(numpy.asarray(minpy.core.grad(f)(x))) for _ in range(2)]

    want = [work(i) for i in range(THREADS)]
    got = run_threads(work)
    for i, (w, g) in enumerate(zip(want, got)):
        x = numpy.asarray(inputs(i)[0])
        s = 1 / (1 + numpy.exp(-numpy.sin(x)))
        numpy.testing.assert_allclose(w[0], s * (1 - s) * numpy.cos(x) * x + s, rtol=1e-10, atol=1e-12)
        for a, b in zip(w, g):
            numpy.testing.assert_array_equal(b, a)
