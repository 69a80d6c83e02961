"""NumPy's floating-point error handling: seterr, geterr, errstate, seterrcall, geterrcall.

The state lives in a ``contextvars.ContextVar``, as in NumPy 2: each thread (and asyncio task)
has its own, starting from the defaults (divide/over/invalid 'warn', under 'ignore'). The engine
tests the CPU's IEEE status flags after each float loop and, only when one was raised, calls back
into ``_core`` which reads this variable and warns, raises ``FloatingPointError``, calls, prints
or logs with NumPy's messages ("divide by zero encountered in divide"). Every change is mirrored
into NumPy's own state, so names that fall back to NumPy follow the same settings.
"""
import contextvars
import functools

import numpy as _np

from minpy import _core

__all__ = ["seterr", "geterr", "errstate", "seterrcall", "geterrcall"]

_MODES = {"ignore": 0, "warn": 1, "raise": 2, "call": 3, "print": 4, "log": 5}
_NAMES = {v: k for k, v in _MODES.items()}
_KEYS = ("divide", "over", "under", "invalid")  # bit fields 0, 3, 6, 9 of the packed modes
_DEFAULT = (1 | 1 << 3 | 0 << 6 | 1 << 9, None)

_state = contextvars.ContextVar("minpy_errstate", default=_DEFAULT)
_core._set_errstate_var(_state)


def _unpack(modes):
    return {k: _NAMES[(modes >> (3 * i)) & 7] for i, k in enumerate(_KEYS)}


def _pack(d):
    return sum(_MODES[d[k]] << (3 * i) for i, k in enumerate(_KEYS))


def _mode(value):
    if value not in _MODES:
        raise ValueError(f"invalid error mode {value!r}")
    return value


def _updated(modes, all, divide, over, under, invalid):
    d = _unpack(modes)
    if all is not None:
        for k in _KEYS:
            d[k] = _mode(all)
    for k, v in zip(_KEYS, (divide, over, under, invalid)):
        if v is not None:
            d[k] = _mode(v)
    return _pack(d)


def geterr():
    """The current error modes: {'divide', 'over', 'under', 'invalid'} -> mode name."""
    return _unpack(_state.get()[0])


def seterr(all=None, divide=None, over=None, under=None, invalid=None):
    """Sets how floating-point errors are handled; returns the previous settings (a dict)."""
    modes, call = _state.get()
    old = _unpack(modes)
    new = _updated(modes, all, divide, over, under, invalid)
    _state.set((new, call))
    _np.seterr(**_unpack(new))
    return old


def geterrcall():
    """The callable (or object with a write method) used by the 'call' and 'log' modes."""
    return _state.get()[1]


def seterrcall(func):
    """Sets the 'call'-mode function (func(err, flag)) or 'log'-mode object; returns the old one."""
    if func is not None and not callable(func):
        if not hasattr(func, "write") or not callable(func.write):
            raise TypeError("python object must be callable or have a callable write method")
    modes, old = _state.get()
    _state.set((modes, func))
    _np.seterrcall(func)
    return old


class _Unspecified:
    pass


_unspecified = _Unspecified()


class errstate:
    """Context manager and decorator setting floating-point error handling for a block.

    ``with np.errstate(divide='ignore'):`` or ``@np.errstate(all='raise')``. Like NumPy's, an
    instance cannot be entered twice at the same time; the settings apply to the current thread
    (context) only.
    """
    __slots__ = ("_call", "_all", "_divide", "_over", "_under", "_invalid", "_token", "_np_state")

    def __init__(self, *, call=_unspecified, all=None, divide=None, over=None, under=None, invalid=None):
        self._call = call
        self._all, self._divide, self._over, self._under, self._invalid = all, divide, over, under, invalid
        self._token = None

    def __enter__(self):
        if self._token is not None:
            raise TypeError("Cannot enter `np.errstate` twice.")
        modes, call = _state.get()
        new = _updated(modes, self._all, self._divide, self._over, self._under, self._invalid)
        if self._call is not _unspecified:
            call = self._call
        self._np_state = _np.errstate(**_unpack(new), call=call)
        self._np_state.__enter__()
        self._token = _state.set((new, call))

    def __exit__(self, *exc_info):
        _state.reset(self._token)
        self._token = None
        self._np_state.__exit__(*exc_info)

    def __call__(self, func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            # A fresh instance per call: the decorated function may recurse or run in threads.
            with errstate(call=self._call, all=self._all, divide=self._divide, over=self._over,
                          under=self._under, invalid=self._invalid):
                return func(*args, **kwargs)
        return inner
