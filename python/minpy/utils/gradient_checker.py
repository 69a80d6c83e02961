"""Gradient checks by central finite differences (MinPy's minpy.utils.gradient_checker)."""
import numpy as _np

from minpy import _core
from minpy.core import grad

EPS, RTOL, ATOL = 1e-4, 1e-4, 1e-6

__all__ = ["quick_grad_check"]


def _as_float(v):
    return float(_np.sum(_np.asarray(v, dtype=_np.float64)))


def quick_grad_check(fun, arg, verbose=True, eps=EPS, rtol=RTOL, atol=ATOL, rs=None):
    """Checks the gradient of `fun` w.r.t. its (only) argument in one random direction.

    Compares the directional derivative from `minpy.core.grad` with the central difference
    (f(x + eps*v) - f(x - eps*v)) / (2*eps) in float64. A non-scalar output counts as its sum (the
    gradient is seeded with ones). Raises AssertionError when they differ; prints the two numbers
    when verbose."""
    rs = _np.random.RandomState() if rs is None else rs
    x = _np.array(_np.asarray(arg), dtype=_np.float64)
    v = rs.randn(*x.shape)
    v = v / max(_np.sqrt(_np.sum(v * v)), 1e-300)
    analytic = _as_float(_np.sum(_np.asarray(grad(fun)(_core.asarray(x))) * v))
    plus = _as_float(fun(_core.asarray(x + eps * v)))
    minus = _as_float(fun(_core.asarray(x - eps * v)))
    numeric = (plus - minus) / (2 * eps)
    if not _np.isclose(numeric, analytic, rtol=rtol, atol=atol):
        raise AssertionError(f"Check failed! nd={numeric}, ad={analytic}")
    if verbose:
        print(f"Gradient projection OK (numeric grad: {numeric}, analytic grad: {analytic})")
    return True
