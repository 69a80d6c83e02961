"""Issue 2 figures: per-call cost on small arrays, throughput on 10^7 elements, BLAS matmul, import.

Run: python bench/bench_core.py   (ratio = NumPy time / minpy time; > 1 means minpy is faster)
"""
import os
import subprocess
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import report  # noqa: E402

import minpy  # noqa: E402
import minpy.numpy as mnp  # noqa: E402


def pair(make):
    """make(xp, data) -> zero-arg callable; data are NumPy arrays shared by both."""
    return make


def small_cases():
    a0 = numpy.random.default_rng(0).random(16)
    b0 = numpy.random.default_rng(1).random(16)
    cases = []
    for name, f in [("a + b", lambda xp, a, b: (lambda: a + b)),
                    ("np.exp(a)", lambda xp, a, b: (lambda: xp.exp(a))),
                    ("a.sum()", lambda xp, a, b: (lambda: a.sum())),
                    ("a[3]", lambda xp, a, b: (lambda: a[3])),
                    ("a[1:5]", lambda xp, a, b: (lambda: a[1:5]))]:
        cases.append((f"{name} (16 x f64)", {
            "minpy": f(mnp, mnp.array(a0), mnp.array(b0)),
            "numpy": f(numpy, a0.copy(), b0.copy())}))
    return cases


def large_cases(n=10 ** 7):
    rng = numpy.random.default_rng(0)
    a0, b0, c0 = rng.random(n), rng.random(n), rng.random(n)
    ma, mb, mc = mnp.array(a0), mnp.array(b0), mnp.array(c0)
    return [
        ("a + b (1e7 f64)", {"minpy": lambda: ma + mb, "numpy": lambda: a0 + b0}),
        ("np.exp(a) (1e7 f64)", {"minpy": lambda: mnp.exp(ma), "numpy": lambda: numpy.exp(a0)}),
        ("a * b + c (1e7 f64)", {"minpy": lambda: ma * mb + mc, "numpy": lambda: a0 * b0 + c0}),
        ("a.sum() (1e7 f64)", {"minpy": lambda: ma.sum(), "numpy": lambda: a0.sum()}),
    ]


def matmul_cases(n=1024):
    cases = []
    for dt in ("float32", "float64"):
        rng = numpy.random.default_rng(0)
        a0, b0 = rng.random((n, n)).astype(dt), rng.random((n, n)).astype(dt)
        ma, mb = mnp.array(a0), mnp.array(b0)
        cases.append((f"matmul {n}x{n} {dt}", {"minpy": lambda ma=ma, mb=mb: ma @ mb,
                                               "numpy": lambda a0=a0, b0=b0: a0 @ b0}))
    return cases


def import_time(module):
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(5)]
    return min(runs)


def main():
    minpy.show_config()
    report("per-call cost, 16-element float64 (target: ratio >= 0.83, i.e. <= 1.2x NumPy)", small_cases())
    report("throughput, 10^7 float64 (target: ratio >= 1.5)", large_cases(), min_time=1.0)
    report("BLAS matmul (target: ratio >= 0.9)", matmul_cases(), min_time=1.0)
    t_minpy, t_numpy = import_time("minpy.numpy"), import_time("numpy")
    print(f"\n== import time: minpy.numpy {t_minpy:.3f} s (numpy alone {t_numpy:.3f} s; target <= 0.3 s)")


if __name__ == "__main__":
    main()
