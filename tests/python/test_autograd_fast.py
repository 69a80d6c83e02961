"""First-order backward fast paths (fused VJP loops, in-place accumulation) against the general
path: the same gradient computed while an outer tape records the backward pass (which disables the
fast paths) must agree, for float32/float64, contiguous and strided inputs, scalar operands, ties."""
import numpy
import pytest

import minpy.numpy as np
from minpy import _core
from minpy.core import grad

RNG = numpy.random.default_rng(3)


def both_paths(f, x0):
    fast = numpy.asarray(grad(f)(np.array(x0)))
    tape = _core._ag_push()  # an outer tape tracking x: the inner backward is recorded (general path)
    try:
        x = _core._ag_watch(np.array(x0), tape)
        slow = numpy.asarray(grad(f)(x))
    finally:
        _core._ag_pop(tape)
    return fast, slow


FUNS = {
    "sin": lambda x: np.sin(x) * x, "cos": lambda x: np.cos(x), "tan": lambda x: np.tan(x * 0.5),
    "tanh": lambda x: np.tanh(x) + x, "sinh": lambda x: np.sinh(x), "cosh": lambda x: np.cosh(x),
    "exp": lambda x: np.exp(x) * 2.0, "expm1": lambda x: np.expm1(x), "log": lambda x: np.log(x + 3.0),
    "log1p": lambda x: np.log1p(x + 2.0), "sqrt": lambda x: np.sqrt(x + 3.0), "square": lambda x: np.square(x),
    "reciprocal": lambda x: np.reciprocal(x + 3.0), "negative": lambda x: -x * x,
    "arctan": lambda x: np.arctan(x), "divide": lambda x: (x + 1.0) / (x * x + 2.0),
    "rdivide": lambda x: 2 / (x + 3.0), "max_scalar": lambda x: np.maximum(x, 0.0),
    "max_ties": lambda x: np.maximum(x, np.floor(x)), "min_ties": lambda x: np.minimum(x * 2.0, x + x),
    "max_nan": lambda x: np.maximum(x, np.log1p(x)), "min_nan": lambda x: np.minimum(np.log1p(x), x * 0.5),
    "fmax": lambda x: np.fmax(x, x * 0.5), "chain": lambda x: np.tanh(np.sin(x) * x + 0.5 * x) * x,
}


@pytest.mark.parametrize("name", sorted(FUNS))
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "2d"])
def test_fast_path_matches_general_path(name, dtype, layout):
    x0 = RNG.uniform(-1.5, 1.5, size=(4, 6)).astype(dtype)
    x0[0, :3] = [0.0, 1.0, -1.0]  # exact values: ties for the max/min cases
    if layout == "contiguous":
        x0 = x0.reshape(-1)
    f = FUNS[name]
    if layout == "strided":
        g = lambda x: f(x[:, ::2])  # noqa: E731  (a strided view: the fused loops do not apply)
    else:
        g = f
    fast, slow = both_paths(g, x0)
    assert fast.dtype == slow.dtype == dtype
    tol = 1e-6 if dtype == numpy.float32 else 1e-14
    numpy.testing.assert_allclose(fast, slow, rtol=tol, atol=tol)


def test_accumulation_does_not_touch_shared_buffers():
    """x used many times: its gradient slot is accumulated in place; values the caller can see
    (the seed, arrays passed back by VJPs) must not change."""
    x0 = RNG.normal(size=5)
    seed = np.ones(5)

    def f(x):
        y = x
        for _ in range(5):
            y = y + x * 2.0 + np.sin(x)
        return y

    g = grad(f)(np.array(x0))
    numpy.testing.assert_allclose(numpy.asarray(g), 1 + 5 * (2 + numpy.cos(x0)), rtol=1e-14)
    assert numpy.all(numpy.asarray(seed) == 1)
    g2 = grad(lambda x: x + x + x)(np.array(x0))  # the add rule passes one cotangent to both inputs
    assert numpy.all(numpy.asarray(g2) == 3)
