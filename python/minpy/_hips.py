"""Gradients for NumPy-fallback functions from HIPS autograd (optional dependency).

A function minpy does not implement natively runs through the NumPy fallback, which the tape
cannot see. When HIPS `autograd` is importable and defines a VJP for the same NumPy function
(`autograd.numpy.<name>` is a primitive registered in `autograd.core.primitive_vjps`), a call on
tracked arrays under `grad` runs NumPy as usual and records one node whose VJP is autograd's, run on
NumPy values (e.g. np.linalg.inv, np.linalg.det, np.kron, np.cross, np.sinc).

Limits: only positional minpy-array arguments are differentiated (a tracked array inside a list or
keyword argument refuses, as without autograd); the VJP runs on NumPy arrays, so it cannot be
differentiated again (a higher-order gradient through such a node raises TypeError). Without
autograd, or for a function it has no VJP for, the call raises the fallback's TypeError at once.
Under grad the results are new arrays (a NumPy function returning a view of its input returns a
copy here) and `out=` is refused (it is a keyword argument holding a tracked array, or the write
would go untracked).
"""
import numpy as _np

from minpy import _core

_cache = {"module": None, "map": None}


def _load():
    """(autograd.core, {numpy function: autograd primitive}) or None when autograd is missing."""
    try:
        import autograd.core as agcore
        import autograd.numpy as anp
    except ImportError:
        return None
    if _cache["module"] is not agcore:
        mapping = {}
        for mod in (anp, getattr(anp, "linalg", None), getattr(anp, "fft", None)):
            if mod is None:
                continue
            for value in vars(mod).values():
                raw = getattr(value, "fun", None)
                if raw is not None and value in agcore.primitive_vjps:
                    try:
                        mapping.setdefault(raw, value)
                    except TypeError:  # unhashable
                        pass
        _cache["module"], _cache["map"] = agcore, mapping
    return agcore, _cache["map"]


def _tracked(x):
    return isinstance(x, _core.ndarray) and _core._ag_tracked(x)


def _nested_tracked(x):
    if _tracked(x):
        return True
    if type(x) in (list, tuple):
        return any(_nested_tracked(v) for v in x)
    if type(x) is dict:
        return any(_nested_tracked(v) for v in x.values())
    return False


def _to_minpy(r):
    if isinstance(r, (_np.ndarray, _np.generic)):
        return _core.asarray(r)
    return r


def call_recorded(name, func, args, kwargs, note, error):
    """Runs the NumPy function `func` on args (some tracked) and records autograd's VJP for it.

    `note()` runs just before NumPy does (the fallback policy's hook); `error` is the exception to raise when no gradient is available (autograd missing, no VJP for
    this function, tracked arrays outside the positional arguments)."""
    loaded = _load()
    if loaded is None:
        raise error
    agcore, mapping = loaded
    try:
        prim = mapping.get(func)
    except TypeError:
        prim = None
    if prim is None:
        raise error
    keys = [i for i, a in enumerate(args) if _tracked(a)]
    if (not keys or any(_nested_tracked(a) for i, a in enumerate(args) if i not in keys) or _nested_tracked(kwargs)
            or kwargs.get("out") is not None):
        raise error
    from minpy.numpy._fallback import to_numpy
    note()
    state = _core._ag_suspend()
    try:
        raw_args = to_numpy(tuple(args))
        raw_kwargs = to_numpy(kwargs)
        raw = func(*raw_args, **raw_kwargs)
        try:
            vjp = agcore.primitive_vjps[prim](tuple(keys), raw, raw_args, raw_kwargs)
        except NotImplementedError as e:
            raise TypeError(f"{error} (autograd: {e})") from None
        if isinstance(raw, tuple):
            items = [_to_minpy(r) for r in raw]
            result = type(raw)(*items) if hasattr(raw, "_fields") else tuple(items)
            outs = [r for r in items if isinstance(r, _core.ndarray)]
            shape = [isinstance(r, _core.ndarray) for r in items]
        else:
            result = _to_minpy(raw)
            outs = [result] if isinstance(result, _core.ndarray) else []
            shape = None
    finally:
        _core._ag_resume(state)
    _core._ag_record("np." + name, [args[k] for k in keys], outs, _HipsVjp(name, vjp, raw, shape))
    return result


class _HipsVjp:
    __slots__ = ("name", "vjp", "raw", "shape")

    def __init__(self, name, vjp, raw, shape):
        self.name, self.vjp, self.raw, self.shape = name, vjp, raw, shape

    def __call__(self, gouts, needs, ins, outs):
        if _core._ag_active() and any(_core._ag_tracked(v) for v in list(gouts) + list(ins) + list(outs)):
            raise TypeError(f"[grad] the gradient of np.{self.name} comes from HIPS autograd and runs on NumPy "
                            "arrays: it cannot be differentiated again (higher-order gradient).")
        gs = [_np.asarray(g) for g in gouts]
        if self.shape is None:
            g = gs[0]
            if not isinstance(self.raw, _np.ndarray):
                g = g[()]
        else:  # a tuple result: one cotangent per element (zeros for non-array elements)
            it = iter(gs)
            g = tuple(next(it) if is_arr else _np.zeros_like(r) for is_arr, r in zip(self.shape, self.raw))
        return [None if v is None else _to_minpy(_np.asarray(v)) for v in self.vjp(g)]
