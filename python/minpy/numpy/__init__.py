"""minpy.numpy: NumPy's namespace on minpy's engine.

Native names run C++ kernels; every other NumPy name resolves to a wrapper that runs NumPy on the
same data (see `_fallback`). `np.record_op_stat()` / `np.show_op_stat()` count both kinds of call.
"""
import builtins as _builtins

import numpy as _np

from minpy import _core
from minpy.numpy import _fallback, _ndarray  # noqa: F401  (_ndarray attaches methods)
from minpy.numpy._fallback import (FallbackWarning, fallback_policy, get_fallback_policy,
                                   set_fallback_policy)

ndarray = _core.ndarray

# dtypes and constants are NumPy's own objects, so `a.dtype == np.float32` works both ways.
dtype = _np.dtype
bool_ = _np.bool_
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
float16, float32, float64 = _np.float16, _np.float32, _np.float64
complex64, complex128 = _np.complex64, _np.complex128
intp, uintp, half, single, double = _np.intp, _np.uintp, _np.half, _np.single, _np.double
int_, float_, complex_ = _np.int_, _np.float64, _np.complex128
generic, number, integer, signedinteger, unsignedinteger = (
    _np.generic, _np.number, _np.integer, _np.signedinteger, _np.unsignedinteger)
inexact, floating, complexfloating = _np.inexact, _np.floating, _np.complexfloating
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
finfo, iinfo = _np.finfo, _np.iinfo
issubdtype, isscalar, ndim, shape, size = _np.issubdtype, _np.isscalar, _np.ndim, _np.shape, _np.size
AxisError = _np.exceptions.AxisError
exceptions = _np.exceptions

# ufuncs and their NumPy aliases
globals().update(_core.ufuncs)
divide = true_divide  # noqa: F821
mod = remainder  # noqa: F821
abs = absolute  # noqa: F821
conj = conjugate  # noqa: F821
bitwise_not = invert  # noqa: F821
bitwise_invert = invert  # noqa: F821
bitwise_left_shift = left_shift  # noqa: F821
bitwise_right_shift = right_shift  # noqa: F821
acos, asin, atan, atan2 = arccos, arcsin, arctan, arctan2  # noqa: F821
acosh, asinh, atanh = arccosh, arcsinh, arctanh  # noqa: F821
pow = power  # noqa: F821
degrees, radians = rad2deg, deg2rad  # noqa: F821

result_type = _core.result_type
promote_types = _core.promote_types
can_cast = _core.can_cast
may_share_memory = _core.may_share_memory

from minpy.numpy._creation import *  # noqa: E402,F401,F403
from minpy.numpy._shape import *  # noqa: E402,F401,F403
from minpy.numpy._indexing import *  # noqa: E402,F401,F403
from minpy.numpy._linalg import *  # noqa: E402,F401,F403
from minpy.numpy._linalg import norm as _linalg_norm  # noqa: E402
from minpy.numpy._ranges import *  # noqa: E402,F401,F403
from minpy.numpy import random  # noqa: E402,F401  (np.random: native Philox sampling)
from minpy.numpy._reductions import *  # noqa: E402,F401,F403
from minpy.numpy._shape_ops import *  # noqa: E402,F401,F403
from minpy.numpy._errstate import *  # noqa: E402,F401,F403

# ---- op statistics (MinPy's API) ----


def record_op_stat(on=True):
    """Starts (or stops) counting native and fallback calls per op name."""
    _core.set_record_op_stats(bool(on))
    _fallback._state["recording"] = bool(on)


def reset_op_stat():
    _core.reset_op_stats()
    _fallback._fallback_counts.clear()


def op_stat():
    """{name: (native calls, fallback calls)}."""
    native = _core.op_stats()
    fb = _fallback._fallback_counts
    return {k: (native.get(k, 0), fb.get(k, 0)) for k in sorted(set(native) | set(fb))}


def show_op_stat():
    """Prints a table of native and fallback calls per op name."""
    stats = op_stat()
    width = _builtins.max([len(k) for k in stats] + [8])
    print(f"{'op':<{width}}  {'native':>8}  {'fallback':>8}")
    for name, (n, f) in stats.items():
        print(f"{name:<{width}}  {n:>8}  {f:>8}")
    native = _builtins.sum(v[0] for v in stats.values())
    fallback = _builtins.sum(v[1] for v in stats.values())
    print(f"{'total':<{width}}  {native:>8}  {fallback:>8}")


# ---- fallback for everything else ----
linalg = _fallback.FallbackModule(_np.linalg, "linalg")
linalg.norm = _linalg_norm  # noqa: F821  (native for the common cases, NumPy's otherwise)
fft = _fallback.FallbackModule(_np.fft, "fft")


def __getattr__(name):
    try:
        value = getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'minpy.numpy' has no attribute {name!r}") from None
    if callable(value) and not isinstance(value, type):
        value = _fallback.wrap(name, value)
    globals()[name] = value
    return value
