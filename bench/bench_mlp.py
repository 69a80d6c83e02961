"""One MLP training step with minpy.core.grad vs the same step hand-written in NumPy.

MLP 784-256-10 (ReLU), batch 256, mean softmax cross-entropy, plain SGD update; float32 and
float64. minpy differentiates the forward pass; the NumPy peer runs the forward pass and the
hand-derived backward pass (the same math, same op order where it matters).

Run: python bench/bench_mlp.py
Prints per variant: time per step (ratio NumPy / minpy: above 1 means minpy is faster; target
>= 1/1.1) and peak resident memory (VmHWM of a fresh subprocess per variant, reset after a warm-up step,
minus the resident size then, under a fixed malloc mmap threshold so freed buffers leave; tracemalloc cannot see minpy's allocations). Target: minpy <= 1.5x NumPy.

The minpy step needs VJPs for dot, sum, max (reductions/linalg); the gradients are checked against
the NumPy step before timing, and a build without them reports that instead of a time.
"""
import json
import os
import subprocess
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import best_time, fmt  # noqa: E402

N, D, H, C = 256, 784, 256, 10
LR = 0.1


def make_data(dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((N, D)).astype(dtype)
    labels = rng.integers(0, C, size=N)
    onehot = numpy.zeros((N, C), dtype=dtype)
    onehot[numpy.arange(N), labels] = 1
    params = [(rng.standard_normal((D, H)) * 0.05).astype(dtype), numpy.zeros(H, dtype),
              (rng.standard_normal((H, C)) * 0.05).astype(dtype), numpy.zeros(C, dtype)]
    return x, onehot, params


# ---- NumPy: forward + hand-written backward ----
def numpy_step(params, x, onehot):
    w1, b1, w2, b2 = params
    a = numpy.dot(x, w1) + b1
    h = numpy.maximum(a, 0)
    s = numpy.dot(h, w2) + b2
    z = s - numpy.max(s, axis=1, keepdims=True)
    e = numpy.exp(z)
    se = numpy.sum(e, axis=1, keepdims=True)
    loss = -numpy.sum(onehot * (z - numpy.log(se))) / N
    ds = (e / se - onehot) / N            # d loss / d s
    dw2 = numpy.dot(h.T, ds)
    db2 = numpy.sum(ds, axis=0)
    da = numpy.dot(ds, w2.T) * (a > 0)
    dw1 = numpy.dot(x.T, da)
    db1 = numpy.sum(da, axis=0)
    for p, g in zip(params, (dw1, db1, dw2, db2)):
        p -= LR * g
    return loss, [dw1, db1, dw2, db2]


# ---- minpy: forward only, gradients from the tape ----
def minpy_loss(np, stop_gradient):
    def loss(w1, b1, w2, b2, x, onehot):
        h = np.maximum(np.dot(x, w1) + b1, 0)
        s = np.dot(h, w2) + b2
        z = s - stop_gradient(np.max(s, axis=1, keepdims=True))  # a constant shift (softmax-invariant)
        lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        return -np.sum(onehot * (z - lse)) / N
    return loss


def minpy_stepper():
    import minpy.numpy as np
    from minpy.core import grad_and_loss, stop_gradient
    g_and_l = grad_and_loss(minpy_loss(np, stop_gradient), [0, 1, 2, 3])

    def step(params, x, onehot):
        grads, loss = g_and_l(*params, x, onehot)
        for p, g in zip(params, grads):
            p -= LR * g
        return loss, grads
    return step, np


def check_minpy(dtype):
    """None when minpy's gradients match the NumPy step's, else the reason they cannot be used."""
    step, np = minpy_stepper()
    x, onehot, params = make_data(dtype)
    want_loss, want = numpy_step([p.copy() for p in params], x, onehot)
    try:
        loss, got = step([np.array(p) for p in params], np.array(x), np.array(onehot))
    except Exception as e:  # e.g. "[np.dot] has no gradient" on a build without the VJPs
        return f"{type(e).__name__}: {e}"
    tol = 1e-4 if dtype == numpy.float32 else 1e-10
    if not numpy.allclose(float(loss), want_loss, rtol=tol):
        return f"loss {float(loss)} != {want_loss}"
    for k, (g, w) in enumerate(zip(got, want)):
        if not numpy.allclose(numpy.asarray(g), w, rtol=tol * 10, atol=tol * 1e-2):
            return f"gradient {k} differs from the hand-written one (max |diff| {numpy.abs(numpy.asarray(g) - w).max():.3g})"
    return None


def child(variant, dtype_name, steps):
    """Runs `steps` steps of one variant; prints JSON with its memory high-water mark."""
    dtype = numpy.dtype(dtype_name).type
    step, np = minpy_stepper()  # both variants import both libraries: same baseline
    x, onehot, params = make_data(dtype)
    if variant == "minpy":
        params, x, onehot = [np.array(p) for p in params], np.array(x), np.array(onehot)
    else:
        step = numpy_step
    step(params, x, onehot)  # one-time costs (thread pools, caches) land in the baseline
    before = rss("VmRSS")
    reset_hwm()
    for _ in range(steps):
        step(params, x, onehot)
    print(json.dumps({"hwm": rss("VmHWM"), "before": before}))


def reset_hwm():
    """Resets VmHWM to the current resident size (Linux >= 4.0), so it measures the steps only."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # then the high-water mark also covers the imports and setup


def rss(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def peak_memory(variant, dtype_name, steps=5):
    # A fixed mmap threshold: large buffers go back to the OS when freed, so the resident size
    # follows live memory (glibc's adaptive threshold would keep freed step buffers resident).
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072", MALLOC_TRIM_THRESHOLD_="131072")
    out = subprocess.run([sys.executable, __file__, "--child", variant, dtype_name, str(steps)], check=True,
                         capture_output=True, text=True, env=env).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return max(r["hwm"] - r["before"], 0)


def main():
    import minpy  # noqa: F401
    print(f"\n== MLP {D}-{H}-{C}, batch {N}: one SGD step (grad of softmax cross-entropy)")
    print(f"{'dtype':<10}{'minpy':>12}{'numpy':>12}{'ratio':>8}{'minpy peak':>14}{'numpy peak':>14}{'ratio':>8}")
    for dtype in (numpy.float32, numpy.float64):
        name = numpy.dtype(dtype).name
        x, onehot, params = make_data(dtype)
        t_np = best_time(lambda: numpy_step(params, x, onehot))
        m_np = peak_memory("numpy", name)
        problem = check_minpy(dtype)
        if problem:
            print(f"{name:<10}{'-':>12}{fmt(t_np):>12}{'-':>8}{'-':>14}{m_np / 2**20:>11.1f} MB{'-':>8}")
            print(f"  minpy step unavailable on this build: {problem[:300]}")
            continue
        step, np = minpy_stepper()
        mp = [np.array(p) for p in params]
        mx, mo = np.array(x), np.array(onehot)
        t_mp = best_time(lambda: step(mp, mx, mo))
        m_mp = peak_memory("minpy", name)
        print(f"{name:<10}{fmt(t_mp):>12}{fmt(t_np):>12}{t_np / t_mp:>7.2f}x"
              f"{m_mp / 2**20:>11.1f} MB{m_np / 2**20:>11.1f} MB{m_mp / max(m_np, 1):>7.2f}x", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
