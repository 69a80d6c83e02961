"""Per-call cost of indexing, minpy vs NumPy, side by side in one process (ratio > 1: minpy slower).

Run: PYTHONPATH=python python bench/bench_indexing.py
"""
import timeit

import numpy

import minpy.numpy as mnp


def per_call(fn, min_time=0.2):
    n = 1
    while True:
        t = timeit.timeit(fn, number=n)
        if t >= min_time:
            return t / n
        n *= 4


def main():
    rng = numpy.random.default_rng(0)
    print(f"{'case':<32}{'numpy us':>12}{'minpy us':>12}{'ratio':>8}")
    for label, n in [("small", 100), ("large", 1_000_000)]:
        x = rng.random(n)
        m = mnp.asarray(x)
        idx = rng.integers(0, n, n // 10)
        midx = mnp.asarray(idx)
        mask = x > 0.5
        mmask = mnp.asarray(mask)
        x2 = x.reshape(-1, 10)
        m2 = m.reshape(-1, 10)
        rows = rng.integers(0, x2.shape[0], max(1, x2.shape[0] // 10))
        mrows = mnp.asarray(rows)
        cases = [
            ("a[3]", lambda: x[3], lambda: m[3]),
            ("a[1:5]", lambda: x[1:5], lambda: m[1:5]),
            ("a[idx_array]", lambda: x[idx], lambda: m[midx]),
            ("a[mask]", lambda: x[mask], lambda: m[mmask]),
            ("a2[rows, :]", lambda: x2[rows], lambda: m2[mrows]),
            ("a[idx_array] = 1.0", lambda: x.__setitem__(idx, 1.0), lambda: m.__setitem__(midx, 1.0)),
            ("a[mask] = 0.0", lambda: x.__setitem__(mask, 0.0), lambda: m.__setitem__(mmask, 0.0)),
            ("take(a, idx)", lambda: numpy.take(x, idx), lambda: mnp.take(m, midx)),
            ("add.at(a, idx, 1)", lambda: numpy.add.at(x, idx, 1.0), lambda: mnp.add.at(m, midx, 1.0)),
            ("nonzero(mask)", lambda: numpy.nonzero(mask), lambda: mnp.nonzero(mmask)),
            ("where(mask, a, 0)", lambda: numpy.where(mask, x, 0.0), lambda: mnp.where(mmask, m, 0.0)),
        ]
        for name, fn_np, fn_mp in cases:
            tn, tm = per_call(fn_np), per_call(fn_mp)
            print(f"{label + ' ' + name:<32}{tn * 1e6:>12.2f}{tm * 1e6:>12.2f}{tm / tn:>8.2f}")


if __name__ == "__main__":
    main()
