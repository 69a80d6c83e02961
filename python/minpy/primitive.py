"""Custom operators with user-defined gradients (MinPy's `minpy.primitive` / `customop`).

    @minpy.core.customop('numpy')          # the function gets NumPy arrays, returns NumPy values
    def sigmoid(x):
        return 1 / (1 + numpy.exp(-x))
    sigmoid.def_grad(lambda ans, x: lambda g: g * ans * (1 - ans))

A custom op is one node of the tape: its body is not differentiated (it runs with recording
suspended); under `grad`, the node's VJP calls the gradient functions registered with `def_grad`
(MinPy's convention: `grad_fn(ans, *args, **kwargs)` returns `lambda g: gradient`). The gradient
functions are called in backward, with the values the forward call saw.

- customop('numpy'): minpy-array arguments arrive as NumPy arrays (zero-copy views), the result
  (an array, a number, or a tuple of them) comes back as minpy arrays; `ans`, `args` and `g` of the
  gradient functions are NumPy values too. Its gradients are not differentiable again: a backward
  pass recorded by an outer `grad` (higher order) through such an op raises TypeError.
- customop('minpy'): arguments stay minpy arrays; gradient functions written with minpy ops are
  recorded by outer tapes, so higher-order derivatives work.

Differentiated arguments are the minpy arrays passed directly (positionally or by keyword);
arrays inside lists or dicts are passed through but get no gradient. A result that is (or shares
memory with) an argument is copied before it is recorded.

An argument that gets a gradient must be given one (`def_grad`, `def_grad_kw`,
`def_multiple_grad`) or declared constant (`def_grad_zero`); otherwise backward raises
NoGradientFuncError (MinPy raises at backward time too; the forward call cannot know whether the
gradient will be asked for).
"""
import numbers

import numpy as _np

from minpy import _core

__all__ = ["Primitive", "customop", "NoGradientFuncError"]


class NoGradientFuncError(ValueError):
    """A gradient was needed through a custom op argument that has no gradient function."""


def _to_numpy(x):
    if isinstance(x, _core.ndarray):
        return _np.asarray(x)
    if type(x) in (list, tuple):
        return type(x)(_to_numpy(v) for v in x)
    if type(x) is dict:
        return {k: _to_numpy(v) for k, v in x.items()}
    return x


def _readonly(a):
    v = _np.asarray(a).view()
    v.flags.writeable = False
    return v


def _to_minpy(x):
    if isinstance(x, _core.ndarray):
        return x
    if isinstance(x, (_np.ndarray, _np.generic, numbers.Number)):
        return _core.asarray(x)
    return x


class Primitive:
    """A callable op with registered gradient functions (one per positional argnum or keyword)."""

    def __init__(self, func, ty="minpy", name=None):
        if ty not in ("numpy", "minpy"):
            raise ValueError(f"[customop] op type must be 'numpy' or 'minpy', not {ty!r}.")
        self._func = func
        self._type = ty
        self._grads = {}      # argnum (int) or keyword (str) -> grad_fn(ans, *args, **kwargs)
        self._multi = []      # (grad_fn, argnums) from def_multiple_grad
        self._name = name or getattr(func, "__name__", "customop")
        self.__name__ = self._name
        self.__doc__ = getattr(func, "__doc__", None)

    @property
    def type(self):
        return self._type

    @property
    def typestr(self):
        return "customized op"

    def __repr__(self):
        return f"<minpy customop {self._name!r} ({self._type})>"

    # ---- gradient registration (each returns self, as in MinPy) ----
    def def_grad(self, func, argnum=0):
        """func(ans, *args, **kwargs) returns `lambda g: gradient of argument argnum`."""
        self._grads[int(argnum)] = func
        return self

    def def_grad_kw(self, func, key):
        """Like def_grad, for the keyword argument `key`."""
        self._grads[str(key)] = func
        return self

    def def_grad_zero(self, argnum=0):
        """Argument argnum gets no gradient (zero)."""
        self._grads[int(argnum)] = None
        return self

    def def_multiple_grad(self, func, argnums):
        """func(ans, *args, **kwargs) returns `lambda g: (gradient per argnum in argnums)`."""
        argnums = tuple(int(i) for i in argnums)
        self._multi.append((func, argnums))
        for i in argnums:
            self._grads.pop(i, None)
        return self

    def gradable(self, bp_args=(), bp_kwargs=()):
        """True when every listed argnum/keyword has a gradient function."""
        return all(self._has_grad(k) for k in list(bp_args) + list(bp_kwargs))

    def _has_grad(self, key):
        return key in self._grads or any(key in nums for _, nums in self._multi)

    # ---- calls ----
    def _forward(self, args, kwargs):
        if self._type == "numpy":
            raw_args, raw_kwargs = _to_numpy(args), _to_numpy(kwargs)
            raw = self._func(*raw_args, **raw_kwargs)
        else:
            raw_args, raw_kwargs = args, kwargs
            raw = self._func(*args, **kwargs)
        return raw, raw_args, raw_kwargs

    def __call__(self, *args, **kwargs):
        return self.call(args, kwargs)

    def call(self, args, kwargs):
        keys = []
        if _core._ag_active():
            keys = [i for i, a in enumerate(args) if isinstance(a, _core.ndarray) and _core._ag_tracked(a)]
            keys += [k for k, v in kwargs.items() if isinstance(v, _core.ndarray) and _core._ag_tracked(v)]
        if not keys:
            raw, _, _ = self._forward(args, kwargs)
            return _wrap_result(raw)
        state = _core._ag_suspend()
        try:
            raw, raw_args, raw_kwargs = self._forward(args, kwargs)
            result = _wrap_result(raw)
            outs = list(result) if type(result) is tuple else [result]
            # An output that is an argument (or shares its memory) is copied, so recording it does
            # not rewrite the argument's history.
            for j, o in enumerate(outs):
                if isinstance(o, _core.ndarray) and any(
                        isinstance(a, _core.ndarray) and _core.may_share_memory(o, a)
                        for a in list(args) + list(kwargs.values())):
                    outs[j] = o = o.copy()
        finally:
            _core._ag_resume(state)
        if type(result) is tuple:
            result = tuple(outs)
        outs = [o for o in outs if isinstance(o, _core.ndarray)]
        inputs = [args[k] if isinstance(k, int) else kwargs[k] for k in keys]
        # The VJP keeps the arguments but not the minpy result: the result holds the node, which
        # holds the VJP (a reference cycle Python's GC cannot see through the engine). Backward
        # gets the inputs and outputs from the engine (saved, version-checked).
        raw_ans = raw if self._type == "numpy" else None
        vjp = _CustomVjp(self, keys, raw_ans, args, kwargs, type(result) is tuple)
        _core._ag_record(self._name, inputs, outs, vjp)
        return result


def _wrap_result(raw):
    if type(raw) is tuple:
        return tuple(_to_minpy(r) for r in raw)
    return _to_minpy(raw)


class _CustomVjp:
    """The VJP of one recorded custom-op call (called by the engine in backward)."""

    __slots__ = ("op", "keys", "raw_ans", "args", "kwargs", "tuple_out")

    def __init__(self, op, keys, raw_ans, args, kwargs, tuple_out):
        self.op, self.keys, self.raw_ans, self.args, self.kwargs = op, keys, raw_ans, args, kwargs
        self.tuple_out = tuple_out

    def __call__(self, gouts, needs, ins, outs):
        op = self.op
        numpy_op = op._type == "numpy"
        args, kwargs = list(self.args), dict(self.kwargs)
        for k, v in zip(self.keys, ins):  # the values the forward call saw
            if isinstance(k, int):
                args[k] = v
            else:
                kwargs[k] = v
        if numpy_op:
            if _core._ag_active() and any(_core._ag_tracked(v) for v in list(gouts) + list(ins) + list(outs)):
                raise TypeError(f"[grad] the gradient of customop('numpy') '{op._name}' runs on NumPy arrays and "
                                "cannot be differentiated again (higher-order gradient); write the op and its "
                                "gradient with minpy ops and use customop('minpy').")
            args, kwargs = _to_numpy(args), _to_numpy(kwargs)
            ans = self.raw_ans
            gs = [_readonly(g) for g in gouts]  # cotangents may be shared with other nodes
            if not self.tuple_out and not isinstance(ans, _np.ndarray):
                gs[0] = gs[0][()]  # a scalar result gets a scalar cotangent
        else:
            ans = tuple(outs) if self.tuple_out else outs[0]
            gs = list(gouts)
        g = tuple(gs) if self.tuple_out else gs[0]
        wanted = {k for k, need in zip(self.keys, needs) if need}
        result = {}
        for func, nums in op._multi:
            if any(k in wanted for k in nums):
                vals = tuple(func(ans, *args, **kwargs)(g))
                for k, v in zip(nums, vals):
                    result[k] = v
        for k in wanted:
            if k in result:
                continue
            if k not in op._grads:
                what = f"argument {k}" if isinstance(k, int) else f"keyword argument {k!r}"
                raise NoGradientFuncError(
                    f"[grad] customop '{op._name}' has no gradient function for {what}; register one with "
                    f"def_grad(grad_fn, argnum) / def_grad_kw(grad_fn, key), or def_grad_zero(argnum) for a "
                    f"constant argument.")
            func = op._grads[k]
            if func is not None:
                result[k] = func(ans, *args, **kwargs)(g)
        return [None if result.get(k) is None else _to_minpy(result[k]) for k in self.keys]


def customop(op_type):
    """Decorator: the function becomes a Primitive of type 'numpy' or 'minpy' (see the module docs)."""
    def wrap(func):
        return Primitive(func, op_type)
    return wrap
