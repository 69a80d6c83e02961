"""Reductions: minpy vs NumPy side by side in one process; prints times and ratios.

Usage: PYTHONPATH=python python bench/bench_reductions.py
"""
import timeit

import numpy

import minpy.numpy as mnp
from minpy import _core


def best(fn, number, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    rng = numpy.random.default_rng(0)
    x16 = rng.standard_normal(16)
    x7 = rng.standard_normal(10**7)
    x2 = rng.standard_normal((1000, 1000))
    m16, m7, m2 = mnp.asarray(x16), mnp.asarray(x7), mnp.asarray(x2)
    cases = [
        ("a.sum()  16 float64", lambda: m16.sum(), lambda: x16.sum(), 200000),
        ("a.sum()  1e7 float64", lambda: m7.sum(), lambda: x7.sum(), 20),
        ("a.mean(axis=0) (1000,1000)", lambda: m2.mean(axis=0), lambda: x2.mean(axis=0), 50),
        ("a.max()  1e7 float64", lambda: m7.max(), lambda: x7.max(), 20),
    ]
    print(f"minpy threads: {_core.num_threads()}")
    print(f"{'case':<30} {'minpy':>12} {'numpy':>12} {'numpy/minpy':>12}")
    for name, fm, fn, number in cases:
        tm, tn = best(fm, number), best(fn, number)
        print(f"{name:<30} {tm * 1e6:>10.2f}us {tn * 1e6:>10.2f}us {tn / tm:>11.2f}x")


if __name__ == "__main__":
    main()
