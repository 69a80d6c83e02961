"""minpy vs NumPy on shape/sort ops: prints each op's time and the minpy/NumPy ratio (< 1 is faster).

Usage: PYTHONPATH=python python bench/bench_shape_ops.py
"""
import time

import numpy

import minpy.numpy as mnp


def best(fn, repeat=7):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(10**6)
    halves = (x[: 5 * 10**5], x[5 * 10**5:])
    m = mnp.array(x)
    mhalves = (m[: 5 * 10**5], m[5 * 10**5:])
    sq = rng.standard_normal((2000, 2000))
    msq = mnp.array(sq)
    small = [rng.standard_normal(16) for _ in range(8)]
    msmall = [mnp.array(s) for s in small]
    cases = [
        ("concatenate 2 x 5e5 float64", lambda: mnp.concatenate(mhalves), lambda: numpy.concatenate(halves)),
        ("concatenate 8 x 16 float64 (call overhead)", lambda: mnp.concatenate(msmall),
         lambda: numpy.concatenate(small)),
        ("sort 1e6 float64", lambda: mnp.sort(m), lambda: numpy.sort(x)),
        ("sort 1e6 float64 kind=stable", lambda: mnp.sort(m, kind="stable"), lambda: numpy.sort(x, kind="stable")),
        ("argsort 1e6 float64", lambda: mnp.argsort(m), lambda: numpy.argsort(x)),
        ("argsort 1e6 float64 kind=stable", lambda: mnp.argsort(m, kind="stable"),
         lambda: numpy.argsort(x, kind="stable")),
        ("transpose+copy (2000, 2000) float64", lambda: msq.T.copy(), lambda: sq.T.copy()),
        ("flip+copy (2000, 2000) float64", lambda: mnp.flip(msq).copy(), lambda: numpy.flip(sq).copy()),
        ("roll 1e6 float64", lambda: mnp.roll(m, 12345), lambda: numpy.roll(x, 12345)),
        ("repeat 1e6 float64 x2", lambda: mnp.repeat(m, 2), lambda: numpy.repeat(x, 2)),
        ("tile (2000, 2000) x (1, 2)", lambda: mnp.tile(msq, (1, 2)), lambda: numpy.tile(sq, (1, 2))),
        ("searchsorted 1e5 keys in sorted 1e6", lambda: mnp.searchsorted(ms, mk), lambda: numpy.searchsorted(xs, xk)),
    ]
    xs = numpy.sort(x)
    ms = mnp.array(xs)
    xk = rng.standard_normal(10**5)
    mk = mnp.array(xk)
    print(f"threads: {mnp._core.num_threads()}  numpy {numpy.__version__}")
    print(f"{'op':<44} {'minpy ms':>10} {'numpy ms':>10} {'ratio':>7}")
    for name, fm, fn in cases:
        tm, tn = best(fm), best(fn)
        print(f"{name:<44} {tm * 1e3:>10.3f} {tn * 1e3:>10.3f} {tm / tn:>7.2f}")


if __name__ == "__main__":
    main()
