"""minpy.numpy.random vs numpy.random: time per call and the ratio (NumPy time / minpy time, so > 1
means minpy is faster). Usage: PYTHONPATH=python python bench/bench_random.py [n]"""
import sys
import time

import numpy

import minpy.numpy as mnp
from minpy import _core


def best(fn, repeat=5):
    fn()
    t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10**7
    rs, gen = numpy.random.RandomState(0), numpy.random.default_rng(0)
    mrs, mgen = mnp.random, mnp.random.default_rng(0)
    cases = [
        ("rand (legacy)", lambda: mrs.rand(n), lambda: rs.rand(n)),
        ("randn (legacy)", lambda: mrs.randn(n), lambda: rs.randn(n)),
        ("Generator.random f64", lambda: mgen.random(n), lambda: gen.random(n)),
        ("Generator.random f32", lambda: mgen.random(n, dtype=numpy.float32), lambda: gen.random(n, dtype=numpy.float32)),
        ("Generator.standard_normal", lambda: mgen.standard_normal(n), lambda: gen.standard_normal(n)),
        ("randint(0, 100)", lambda: mrs.randint(0, 100, n), lambda: rs.randint(0, 100, n)),
        ("Generator.integers(0, 100)", lambda: mgen.integers(0, 100, n), lambda: gen.integers(0, 100, n)),
        ("binomial(100, 0.3)", lambda: mrs.binomial(100, 0.3, n // 10), lambda: rs.binomial(100, 0.3, n // 10)),
        ("permutation", lambda: mrs.permutation(n // 10), lambda: rs.permutation(n // 10)),
    ]
    print(f"n = {n}, minpy threads = {_core.num_threads()}")
    print(f"{'op':<28} {'minpy ms':>10} {'numpy ms':>10} {'ratio':>7}")
    for name, m, np_ in cases:
        tm, tn = best(m), best(np_)
        print(f"{name:<28} {tm * 1e3:>10.2f} {tn * 1e3:>10.2f} {tn / tm:>7.2f}")


if __name__ == "__main__":
    main()
