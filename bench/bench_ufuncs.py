"""Transcendental ufuncs on contiguous float32/float64 arrays: minpy vs NumPy in one process.

Run: python bench/bench_ufuncs.py [--sizes 100000,10000000] [--funcs exp,log] [--dtypes float32]
(ratio = NumPy time / minpy time; > 1 means minpy is faster). NumPy 2 uses its own SIMD loops
for several of these, so this is the comparison that matters for elementwise-heavy code.
"""
import argparse
import os
import sys

import numpy

sys.path.insert(0, os.path.dirname(__file__))
from harness import report  # noqa: E402

import minpy.numpy as mnp  # noqa: E402

FUNCS = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tanh", "sinh", "cosh",
         "arctan"]


def inputs(name, n, dt, rng):
    """Arguments in the range where the function is usually evaluated (no inf/nan results)."""
    if name in ("log", "log2", "log10"):
        x = rng.uniform(1e-3, 1e3, n)
    elif name == "log1p":
        x = rng.uniform(-0.9, 100, n)
    elif name in ("sin", "cos"):
        x = rng.uniform(-100, 100, n)
    elif name in ("exp", "exp2", "expm1", "sinh", "cosh"):
        x = rng.uniform(-20, 20, n)
    else:
        x = rng.uniform(-10, 10, n)
    return x.astype(dt)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,10000000")
    ap.add_argument("--funcs", default=",".join(FUNCS))
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--min-time", type=float, default=0.2)
    args = ap.parse_args()
    rng = numpy.random.default_rng(0)
    for n in [int(s) for s in args.sizes.split(",")]:
        def cases(n=n):
            # A generator: each case's arrays are made when it runs and dropped after (10^7 x 26).
            for dt in args.dtypes.split(","):
                for name in args.funcs.split(","):
                    a0 = inputs(name, n, dt, rng)
                    ma = mnp.array(a0)
                    fm, fn = getattr(mnp, name), getattr(numpy, name)
                    yield (f"{name} {dt} n={n:.0e}", {"minpy": lambda fm=fm, ma=ma: fm(ma),
                                                      "numpy": lambda fn=fn, a0=a0: fn(a0)})
        report(f"unary ufuncs, {n} elements", cases(), min_time=args.min_time)


if __name__ == "__main__":
    main()
