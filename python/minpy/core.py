"""Dynamic autograd (MinPy's API): grad, grad_and_loss, value_and_grad, stop_gradient.

The tape lives in the C++ engine: `grad` pushes a tape, marks the chosen arguments as its leaves,
runs `fun` (native Python control flow is fine: the tape records the ops actually run), pops the
tape and asks the engine for the backward pass. Tapes nest, so grad(grad(f)) works to any order.
Custom ops with their own gradients: `customop` (minpy.primitive).
"""
import functools
import numbers

from minpy import _core
from minpy.primitive import NoGradientFuncError, Primitive, customop

__all__ = ["grad", "grad_and_loss", "value_and_grad", "stop_gradient", "customop", "Primitive",
           "NoGradientFuncError", "numpy_to_minpy", "minpy_to_numpy", "convert_args", "return_numpy"]

stop_gradient = _core.stop_gradient


def _argnums(argnum):
    if isinstance(argnum, numbers.Integral):
        return [int(argnum)], True
    if isinstance(argnum, (list, tuple, range)):
        return [int(i) for i in argnum], False
    raise TypeError(f"[grad] argnum must be an int or a list/tuple/range of ints, not {type(argnum).__name__}.")


def _run(fun, argnum, args, kwargs):
    nums, single = _argnums(argnum)
    grads, loss = _core._ag_run(fun, list(args), kwargs or None, nums)
    return (grads[0] if single else grads), loss


def grad_and_loss(fun, argnum=0):
    """A function returning (gradients, loss) of `fun` w.r.t. positional argument(s) `argnum`.

    An int argnum gives one gradient, a list/tuple/range a list. A non-scalar loss is seeded with
    ones (the gradient of its sum)."""
    def wrapped(*args, **kwargs):
        return _run(fun, argnum, args, kwargs)

    wrapped.__name__ = getattr(fun, "__name__", "fun") + "_grad_and_loss"
    return wrapped


def value_and_grad(fun, argnum=0):
    """Like grad_and_loss, with the value first: (loss, gradients)."""
    def wrapped(*args, **kwargs):
        g, loss = _run(fun, argnum, args, kwargs)
        return loss, g

    wrapped.__name__ = getattr(fun, "__name__", "fun") + "_value_and_grad"
    return wrapped


def grad(fun, argnum=0):
    """A function returning the gradient(s) of `fun` w.r.t. positional argument(s) `argnum`."""
    def wrapped(*args, **kwargs):
        return _run(fun, argnum, args, kwargs)[0]

    wrapped.__name__ = getattr(fun, "__name__", "fun") + "_grad"
    return wrapped


# ---- NumPy interop (MinPy's names) ----
def numpy_to_minpy(var):
    """A NumPy array (or number) as a minpy array; lists, tuples and dicts are converted item by item."""
    import numpy
    from minpy import numpy as mnp
    if isinstance(var, (numpy.ndarray, numpy.generic)):
        return mnp.array(var)
    if type(var) in (list, tuple):
        return type(var)(numpy_to_minpy(v) for v in var)
    if type(var) is dict:
        return {k: numpy_to_minpy(v) for k, v in var.items()}
    return var


def minpy_to_numpy(var):
    """minpy arrays as NumPy arrays (zero-copy views of CPU memory), recursing into lists/tuples/dicts."""
    import numpy
    if isinstance(var, _core.ndarray):
        return numpy.asarray(var)
    if type(var) in (list, tuple):
        return type(var)(minpy_to_numpy(v) for v in var)
    if type(var) is dict:
        return {k: minpy_to_numpy(v) for k, v in var.items()}
    return var


def convert_args(func):
    """Decorator: NumPy arrays among the positional and keyword arguments become minpy arrays."""
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return func(*numpy_to_minpy(args), **numpy_to_minpy(kwargs))
    return wrapped


def return_numpy(func):
    """Decorator: minpy arrays in the result (also inside lists/tuples/dicts) become NumPy arrays."""
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return minpy_to_numpy(func(*args, **kwargs))
    return wrapped
