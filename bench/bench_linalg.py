"""matmul: minpy vs NumPy in one process. Prints the time of each and the ratio (NumPy / minpy:
above 1 means minpy is faster). Usage: PYTHONPATH=python python bench/bench_linalg.py"""
import timeit

import numpy

import minpy.numpy as mnp

CASES = [
    ("float32 1024x1024 @ 1024x1024", (1024, 1024), (1024, 1024), "float32"),
    ("float64 1024x1024 @ 1024x1024", (1024, 1024), (1024, 1024), "float64"),
    ("float64 batched (64,64,64) @ (64,64,64)", (64, 64, 64), (64, 64, 64), "float64"),
    ("float32 batched (64,64,64) @ (64,64,64)", (64, 64, 64), (64, 64, 64), "float32"),
    ("int64 256x256 @ 256x256", (256, 256), (256, 256), "int64"),
    ("int32 256x256 @ 256x256", (256, 256), (256, 256), "int32"),
    ("float16 128x128 @ 128x128", (128, 128), (128, 128), "float16"),
    ("float64 (1000,) @ (1000, 1000)", (1000,), (1000, 1000), "float64"),
]


def best(fn, number):
    fn()  # warm up (thread pools, first-touch of memory)
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def main():
    rng = numpy.random.default_rng(0)
    print(f"minpy config: {mnp._core.config()}")
    print(f"{'case':<42} {'numpy ms':>10} {'minpy ms':>10} {'ratio':>7}")
    for name, sa, sb, dt in CASES:
        if numpy.dtype(dt).kind == "i":
            na, nb = rng.integers(-100, 100, sa).astype(dt), rng.integers(-100, 100, sb).astype(dt)
        else:
            na, nb = rng.standard_normal(sa).astype(dt), rng.standard_normal(sb).astype(dt)
        a, b = mnp.asarray(na), mnp.asarray(nb)
        number = 3 if na.size * nb.shape[-1] > 1e8 else 20
        tn = best(lambda: na @ nb, number)
        tm = best(lambda: a @ b, number)
        print(f"{name:<42} {tn * 1e3:10.3f} {tm * 1e3:10.3f} {tn / tm:7.2f}")


if __name__ == "__main__":
    main()
