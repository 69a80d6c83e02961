"""The one fallback path: NumPy runs what minpy has not built natively.

Used by `minpy.numpy.__getattr__`, `ndarray.__array_function__` and `ndarray.__array_ufunc__`.
Arguments become NumPy arrays (zero-copy views of CPU arrays), NumPy runs, and array results come
back as minpy arrays; a result that views an input comes back as a view of that input, and out=
arrays are written in place (they are the same memory).
"""
import functools
import warnings

import numpy as _np

from minpy import _core


class FallbackWarning(UserWarning):
    """Issued when a call falls back to NumPy and the fallback policy is 'warn'."""


_POLICIES = ("allow", "log", "warn", "raise")
_state = {"policy": "allow", "recording": False}
_fallback_counts = {}


def set_fallback_policy(policy):
    """'allow' (default), 'log' (print each fallback), 'warn' (FallbackWarning) or 'raise'."""
    if policy not in _POLICIES:
        raise ValueError(f"[set_fallback_policy] policy must be one of {_POLICIES}, not {policy!r}.")
    _state["policy"] = policy


def get_fallback_policy():
    return _state["policy"]


class fallback_policy:
    """Context manager: `with fallback_policy('raise'): ...`."""

    def __init__(self, policy):
        self.policy = policy

    def __enter__(self):
        self.saved = get_fallback_policy()
        set_fallback_policy(self.policy)

    def __exit__(self, *exc):
        set_fallback_policy(self.saved)


def _note(name):
    if _state["recording"]:
        _fallback_counts[name] = _fallback_counts.get(name, 0) + 1
    policy = _state["policy"]
    if policy == "allow":
        return
    text = f"[{name}] has no native minpy implementation; running NumPy's."
    if policy == "raise":
        raise NotImplementedError(text)
    if policy == "warn":
        warnings.warn(text, FallbackWarning, stacklevel=4)
    else:
        print("minpy fallback:", text)


def to_numpy(x, pairs=None):
    """minpy arrays inside x (lists, tuples, dicts too) become zero-copy NumPy views.

    With `pairs`, each (minpy array, its NumPy view) is recorded, to map views back."""
    if isinstance(x, _core.ndarray):
        v = _np.asarray(x)
        if pairs is not None:
            pairs.append((x, v))
        return v
    if type(x) in (list, tuple):
        return type(x)(to_numpy(v, pairs) for v in x)
    if type(x) is dict:
        return {k: to_numpy(v, pairs) for k, v in x.items()}
    return x


def from_numpy(r, pairs=()):
    """NumPy results become minpy arrays; a view of an input stays a view of that input."""
    if isinstance(r, _np.ndarray):
        if r.dtype.kind not in "biufc" or r.dtype.byteorder == ">":
            return r  # a dtype minpy does not hold (str, object, datetime): keep NumPy's array
        base = r
        while isinstance(base, _np.ndarray):
            for orig, view in pairs:
                if r is view:
                    return orig  # NumPy returned the argument itself (e.g. positional out)
                if base is view:
                    offset = r.__array_interface__["data"][0] - orig._data_ptr
                    return _core.view(orig, r.shape, r.strides, offset, r.dtype)
            base = base.base
        return _core.asarray(r)
    if type(r) in (list, tuple):
        return type(r)(from_numpy(v, pairs) for v in r)
    return r


def _any_tracked(x):
    if isinstance(x, _core.ndarray):
        return _core._ag_tracked(x)
    if type(x) in (list, tuple):
        return any(_any_tracked(v) for v in x)
    if type(x) is dict:
        return any(_any_tracked(v) for v in x.values())
    return False


def call_numpy(name, func, args, kwargs):
    """Runs the NumPy callable `func` on minpy arguments and wraps its results."""
    # NumPy would drop the autograd tracking silently: refuse rather than give a wrong gradient.
    # With HIPS autograd installed, its VJP for the same function is recorded instead (minpy._hips).
    if _core._ag_active() and (_any_tracked(args) or _any_tracked(kwargs)):
        from minpy import _hips
        return _hips.call_recorded(name, func, args, kwargs, lambda: _note(name), TypeError(
            f"[np.{name}] has no gradient in minpy: it runs through the NumPy fallback, which autograd "
            "cannot see (and HIPS autograd, if installed, defines no gradient for it). Use native minpy "
            "ops, a minpy.core.customop with a gradient, or minpy.core.stop_gradient."))
    _note(name)
    pairs = []
    np_args = to_numpy(args, pairs)
    np_kwargs = to_numpy(kwargs, pairs)
    result = func(*np_args, **np_kwargs)
    out = kwargs.get("out")
    if out is not None:
        # NumPy returns the out= arrays themselves: give back the caller's objects (minpy arrays,
        # whose memory NumPy wrote through zero-copy views, or the caller's NumPy arrays).
        outs, np_outs = (out, np_kwargs["out"]) if type(out) is tuple else ((out,), (np_kwargs["out"],))

        def back(r):
            for o, no in zip(outs, np_outs):
                if r is no:
                    return o
            return from_numpy(r, pairs)

        return tuple(back(r) for r in result) if type(result) is tuple else back(result)
    return from_numpy(result, pairs)


def wrap(name, func):
    """A minpy-facing wrapper of the NumPy callable `func`."""
    if not callable(func):
        return func

    @functools.wraps(func)
    def fallback(*args, **kwargs):
        return call_numpy(name, func, args, kwargs)

    fallback._minpy_fallback = True
    return fallback


class FallbackModule:
    """A NumPy submodule (linalg, fft, ...) whose functions run through the fallback."""

    def __init__(self, module, prefix):
        self._module = module
        self._prefix = prefix

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if callable(value) and not isinstance(value, type):
            value = wrap(f"{self._prefix}.{name}", value)
        setattr(self, name, value)
        return value

    def __dir__(self):
        return dir(self._module)
