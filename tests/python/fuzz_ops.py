"""Differential fuzzing of minpy's native ops against NumPy (a library, not a test file).

A call is `(op, args, kwargs)`: `op` names what to run (`"add"` is `lib.add`, `"a.sum"` the method
of the first argument, `"op.iadd"` the operator, `"getitem"`/`"setitem"` indexing), and the
arguments hold `Arr` specs that become a NumPy array for the oracle and a minpy array with the same
values, dtype and layout (slices with big/negative steps, transposes) for minpy. `check_call` runs
both, compares result, dtype, shape, aliasing and the arguments' state afterwards (out=, in-place
writes, setitem), or the exception classes, and raises `Mismatch` otherwise.

Every call is drawn by `gen_call(d)` through a small `Draw` interface, so the same generators serve
hypothesis (`calls()`, for tests/python/test_fuzz.py), a seeded `random.Random` (`RandomDraw`, for
the long run in tools/fuzz.py) and raw fuzzer bytes (`BytesDraw`, tools/fuzz_parsers.py). The
`repr` of a call is a line of Python that reproduces it: `check_call('add', (Arr(...), 3), {})`.
"""
import math
import operator
import re
import random
import warnings

import numpy

import minpy.numpy as mnp
from conftest import ALL_DTYPES, public_class, tol_for

# ---------------------------------------------------------------------------------------------
# drawing


class Draw:
    """The choices a generator makes; subclasses decide where they come from."""

    def int(self, lo, hi):  # inclusive
        raise NotImplementedError

    def coin(self, p=0.5):
        return self.int(0, 999) < int(p * 1000)

    def choice(self, seq):
        seq = list(seq)
        return seq[self.int(0, len(seq) - 1)]

    def weighted(self, pairs):
        total = sum(w for w, _ in pairs)
        r = self.int(0, total - 1)
        for w, v in pairs:
            if r < w:
                return v
            r -= w
        return pairs[-1][1]


class RandomDraw(Draw):
    def __init__(self, seed):
        self.r = random.Random(seed)

    def int(self, lo, hi):
        return self.r.randint(lo, hi)


class HypothesisDraw(Draw):
    def __init__(self, draw):
        from hypothesis import strategies as st
        self._draw, self._st = draw, st

    def int(self, lo, hi):
        return self._draw(self._st.integers(lo, hi))


class BytesDraw(Draw):
    """Choices decoded from fuzzer bytes (atheris or random); zeros once the bytes run out."""

    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def int(self, lo, hi):
        span = hi - lo
        if span <= 0:
            return lo
        nbytes = (span.bit_length() + 7) // 8
        chunk = self.data[self.pos:self.pos + nbytes]
        self.pos += nbytes
        return lo + int.from_bytes(chunk.ljust(nbytes, b"\0"), "little") % (span + 1)


# ---------------------------------------------------------------------------------------------
# arrays


def _values(shape, dtype, fill, kind):
    """Deterministic contents for (shape, dtype, fill seed, kind): small ints, specials or extremes."""
    dt = numpy.dtype(dtype)
    n = math.prod(shape)
    rng = numpy.random.default_rng(fill)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    base = rng.integers(-4 if dt.kind != "u" else 0, 6, n).astype(numpy.float64)
    if kind == "small" or n == 0:
        out = base.astype(dt) if dt.kind != "c" else (base + 1j * rng.integers(-3, 4, n)).astype(dt)
        return out.reshape(shape)
    if dt.kind in "iu":
        info = numpy.iinfo(dt)
        pool = numpy.array([info.min, info.max, info.min + 1, info.max - 1, 0, 1, info.max // 2],
                           dtype=dt)
        out = base.astype(dt)
        pick = rng.random(n) < 0.4
        out[pick] = rng.choice(pool, int(pick.sum()))
        return out.reshape(shape)
    specials = [numpy.nan, numpy.inf, -numpy.inf, -0.0, 0.5, -2.5, 1e-3]
    if kind == "wide":
        specials += [1e300, -1e300, 65504.0, 3e38, 1e-310, 1e-45]
    pool = numpy.array(specials)
    pick = rng.random(n) < 0.4
    base[pick] = rng.choice(pool, int(pick.sum()))
    with numpy.errstate(all="ignore"):
        if dt.kind == "c":
            im = rng.integers(-3, 4, n).astype(numpy.float64)
            pick = rng.random(n) < 0.3
            im[pick] = rng.choice(pool, int(pick.sum()))
            return (base + 1j * im).astype(dt).reshape(shape)
        return base.astype(dt).reshape(shape)


class Arr:
    """An array argument: base shape/dtype/contents plus a view recipe applied on both libraries.

    view steps: ("s", index_tuple) basic slicing, ("t", axes) transpose, ("ro",) read-only.
    """

    def __init__(self, shape, dtype, fill=0, kind="small", view=()):
        self.shape, self.dtype, self.fill, self.kind, self.view = tuple(shape), dtype, fill, kind, tuple(view)

    def __repr__(self):
        extra = "" if self.kind == "small" else f", kind={self.kind!r}"
        extra += f", view={self.view!r}" if self.view else ""
        return f"Arr({self.shape!r}, {self.dtype!r}, {self.fill}{extra})"

    def make(self, lib):
        base = _values(self.shape, self.dtype, self.fill, self.kind)
        a = base if lib is numpy else mnp.array(base)
        for step in self.view:
            if step[0] == "s":
                a = a[step[1]]
            elif step[0] == "t":
                a = a.transpose(step[1])
        return a

    def make_shape(self):
        a = numpy.empty(self.shape, dtype=numpy.uint8)
        for step in self.view:
            if step[0] == "s":
                a = a[step[1]]
            elif step[0] == "t":
                a = a.transpose(step[1])
        return a.shape


class Np:
    """A small NumPy array argument passed as-is to NumPy and, if `mp`, as a minpy array to minpy
    (index arrays, repeats, sorters, lists of values)."""

    def __init__(self, values, dtype, mp=True):
        self.values, self.dtype, self.mp = values, dtype, mp

    def __repr__(self):
        return f"Np({self.values!r}, {self.dtype!r}{'' if self.mp else ', mp=False'})"

    def make(self, lib):
        a = numpy.array(self.values, dtype=self.dtype)
        if not self.mp:  # a NumPy scalar (0-d values) or array, passed to both libraries as is
            return a[()] if a.ndim == 0 else a
        return a if lib is numpy else mnp.array(a)


def materialize(x, lib):
    if isinstance(x, (Arr, Np)):
        return x.make(lib)
    if isinstance(x, tuple):
        return tuple(materialize(v, lib) for v in x)
    if isinstance(x, list):
        return [materialize(v, lib) for v in x]
    if isinstance(x, dict):
        return {k: materialize(v, lib) for k, v in x.items()}
    if isinstance(x, str) and x.startswith("dtype:"):
        return numpy.dtype(x[6:])
    return x


# ---------------------------------------------------------------------------------------------
# running and comparing


class Mismatch(AssertionError):
    pass


_OPERATORS = {n: getattr(operator, n) for n in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and_", "or_", "xor", "lshift",
    "rshift", "lt", "le", "eq", "ne", "gt", "ge", "neg", "pos", "abs", "invert", "matmul",
    "iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow", "iand", "ior", "ixor",
    "ilshift", "irshift")}


def _numpy_args(op, args, kwargs):
    """The NumPy oracle call; argsort/sort are compared against NumPy's stable sort (minpy's
    sort is always stable, a documented difference)."""
    if op in ("argsort", "a.argsort", "sort", "a.sort") and kwargs.get("kind") in (None, "quicksort", "heapsort") and (
            not op.startswith("a.") or isinstance(args[0], numpy.ndarray)):  # list.sort takes no kind=
        kwargs = dict(kwargs, kind="stable")
    return args, kwargs


def run(lib, op, args, kwargs):
    """Runs the call on `lib`; returns (result, (materialized args, materialized kwargs))."""
    margs = materialize(args, lib)
    mkw = materialize(kwargs, lib)
    if lib is numpy:
        _, mkw = _numpy_args(op, margs, mkw)
    state = (margs, mkw)
    if op == "getitem":
        return margs[0][margs[1]], state
    if op == "getattr":
        return getattr(margs[0], margs[1]), state
    if op == "setitem":
        margs[0][margs[1]] = margs[2]
        return None, state
    if op.startswith("op."):
        return _OPERATORS[op[3:]](*margs), state
    if op.startswith("a."):
        return getattr(margs[0], op[2:])(*margs[1:], **mkw), state
    if op.startswith("linalg."):
        return getattr(lib.linalg, op[7:])(*margs, **mkw), state
    return getattr(lib, op)(*margs, **mkw), state


# ufuncs whose float results are correctly rounded (compared bit for bit); others get a few ulps.
EXACT = {"add", "subtract", "multiply", "negative", "positive", "absolute", "sqrt", "square", "floor",
         "ceil", "trunc", "rint", "sign", "maximum", "minimum", "fmax", "fmin", "copysign", "fabs",
         "reciprocal", "conjugate", "real", "imag", "less", "greater", "equal", "not_equal",
         "less_equal", "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
         "isnan", "isinf", "isfinite", "signbit", "floor_divide", "remainder", "fmod", "divmod",
         "true_divide", "divide", "spacing", "nextafter", "heaviside", "ldexp", "frexp", "modf"}
# ops whose float results depend on summation order or algorithm: compared with a tolerance.
TOLERANT_PREFIX = ("mean", "var", "std", "nanmean", "a.mean", "a.var", "a.std", "matmul", "dot",
                   "vdot", "inner", "tensordot", "einsum", "linspace", "logspace", "a.dot", "op.matmul",
                   "linalg.norm", "round", "around", "a.round", "sum", "a.sum", "nansum", "prod",
                   "a.prod", "cumsum", "cumprod", "a.cumsum", "a.cumprod", "trace", "a.trace")
NO_VALUES = {"empty", "empty_like"}


def _base_name(op):
    return op.split(".", 1)[1] if op.startswith(("a.", "op.")) else op


def _rtol(op, dt, complex_in):
    if dt.kind not in "fc":
        return None
    name = _base_name(op)
    if op in TOLERANT_PREFIX or op.startswith(TOLERANT_PREFIX):
        return tol_for(dt) * 16
    if name in EXACT and not (complex_in and name in ("true_divide", "divide", "truediv",
                                                      "reciprocal", "floor_divide", "square",
                                                      "multiply", "mul", "absolute", "abs", "sqrt")):
        return None
    if name in ("power", "pow", "float_power", "ipow", "itruediv") or name not in EXACT:
        return tol_for(dt) * 4
    return None


def _compare(got, want, op, where, rtol_in, values=True, loop_dt=None):
    if isinstance(want, (tuple, list)):
        if type(got) is not type(want) or len(got) != len(want):
            raise Mismatch(f"{where}: {type(got).__name__} of {len(got) if hasattr(got, '__len__') else '?'}"
                           f" != {type(want).__name__} of {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            _compare(g, w, op, f"{where}[{i}]", rtol_in, values, loop_dt)
        return
    if isinstance(want, (numpy.ndarray, numpy.generic)):
        if isinstance(want, numpy.ndarray):
            # minpy arrays hold no strings/objects (documented): such results come from NumPy.
            if want.dtype.kind in "USOVMm" and isinstance(got, numpy.ndarray):
                got = got
            elif not isinstance(got, mnp.ndarray):
                raise Mismatch(f"{where}: expected a minpy array, got {type(got).__name__}")
        elif not isinstance(got, (mnp.ndarray, numpy.generic)):
            raise Mismatch(f"{where}: expected a 0-d minpy array or scalar, got {type(got).__name__}")
        g, w = numpy.asarray(got), numpy.asarray(want)
        if g.shape != w.shape:
            raise Mismatch(f"{where}: shape {g.shape} != {w.shape}")
        if g.dtype != w.dtype:
            raise Mismatch(f"{where}: dtype {g.dtype} != {w.dtype}")
        if not values:
            return
        if w.size > 10**7:  # huge broadcast views: compare a few elements, not a full copy
            g, w = numpy.array([g.flat[0], g.flat[w.size - 1]]), numpy.array([w.flat[0], w.flat[w.size - 1]])
        rtol = _rtol(op, w.dtype if loop_dt is None else loop_dt, rtol_in)
        try:
            if rtol is None:
                numpy.testing.assert_array_equal(g, w, strict=False)
            elif w.dtype.kind == "c" and numpy.isinf(w).any():
                # Parts apart: an inf real part must not make the imaginary part exact.
                for part in (numpy.real, numpy.imag):
                    numpy.testing.assert_allclose(part(g), part(w), rtol=rtol, atol=0, equal_nan=True)
            else:
                numpy.testing.assert_allclose(g, w, rtol=rtol, atol=0,
                                              equal_nan=True)
        except AssertionError as e:
            raise Mismatch(f"{where}: values differ\n{str(e).strip()[:600]}") from None
        return
    if isinstance(got, mnp.ndarray) and got.ndim == 0 and isinstance(want, (int, float, complex, bool)):
        got = got.item()
    if type(got) is not type(want):
        raise Mismatch(f"{where}: {type(got).__name__} != {type(want).__name__}")
    if values and not (got == want or (got != got and want != want)):
        raise Mismatch(f"{where}: {got!r} != {want!r}")


def _has_complex(args):
    for a in args if isinstance(args, (tuple, list)) else (args,):
        if isinstance(a, Arr) and numpy.dtype(a.dtype).kind == "c":
            return True
        if isinstance(a, complex):
            return True
    return False


def _flat_arrays(spec, w, g, acc):
    """(NumPy, minpy) pairs of the materialized `Arr` arguments, in order."""
    if isinstance(spec, Arr):
        acc.append((w, g))
    elif isinstance(spec, (tuple, list)) and isinstance(w, (tuple, list)) and isinstance(g, (tuple, list)):
        for s, a, b in zip(spec, w, g):
            _flat_arrays(s, a, b, acc)
    return acc


def _np_view(x):
    return numpy.asarray(x) if isinstance(x, mnp.ndarray) else x


def outcome(lib, op, args, kwargs):
    """(result, args, exception, warned) of one call, floating-point warnings recorded, not raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with numpy.errstate(all="warn"):
            try:
                res, margs = run(lib, op, args, kwargs)
                return res, margs, None, caught
            except Exception as e:  # noqa: BLE001 - the class is what is compared
                return None, None, e, caught


def check_call(op, args, kwargs=None, known_ok=False):
    """Runs one call on NumPy and minpy; returns "equal" or "same-exception", raises Mismatch
    (or returns "known" for a listed deviation when known_ok)."""
    kwargs = {} if kwargs is None else kwargs
    try:
        return _check_call(op, args, kwargs)
    except Mismatch as e:
        if known_ok and is_known(op, str(e), kwargs):
            return "known"
        raise


def _check_call(op, args, kwargs):
    want, wargs, wexc, wwarn = outcome(numpy, op, args, kwargs)
    got, gargs, gexc, _ = outcome(mnp, op, args, kwargs)
    if isinstance(wexc, SystemError) and "returned a result with an exception set" in str(wexc) and (
            wexc.__cause__ or wexc.__context__) is not None:
        # NumPy 2.4 sometimes warns while its own exception is set (power's negative-integer
        # ValueError next to a RuntimeWarning): the exception underneath is NumPy's answer.
        wexc = wexc.__cause__ or wexc.__context__
    if wexc is not None:
        cls = public_class(wexc)
        if isinstance(gexc, TypeError) and "minpy arrays cannot hold dtype" in str(gexc):
            return "same-exception"  # documented: NumPy got further with a string/object array
        if gexc is None:
            raise Mismatch(f"NumPy raised {type(wexc).__name__}({wexc}) but minpy returned "
                           f"{_short(got)}")
        if not isinstance(gexc, cls):
            raise Mismatch(f"NumPy raised {type(wexc).__name__}({wexc}); minpy raised "
                           f"{type(gexc).__name__}({gexc})")
        return "same-exception"
    if gexc is not None and isinstance(gexc, TypeError) and (
            _non_numeric(want) or "minpy arrays cannot hold dtype" in str(gexc)):
        return "same-exception"  # documented: minpy arrays hold no strings/objects/datetimes
    if gexc is not None:
        raise Mismatch(f"NumPy returned {_short(want)}; minpy raised {type(gexc).__name__}({gexc})")
    # NumPy's own undefined results (casts of NaN/out-of-range floats to integers) and deprecated
    # paths: classes/dtypes/shapes only.
    values = op not in NO_VALUES and not any(
        "cast" in str(w.message) or issubclass(w.category, DeprecationWarning) for w in wwarn)
    cplx = _has_complex(args)
    loop_dt, loop_res = _loop_dtype(op, args, kwargs, want)
    if values and loop_res is not None and _undefined_int_cast(loop_res, want):
        values = False  # NaN/inf/out-of-range floats cast to an integer out= (NumPy: undefined)
    _compare(got, want, op, "result", cplx, values, loop_dt)
    # out= returned as itself, views aliasing their inputs, arguments written the same way.
    pairs = _flat_arrays(args, wargs[0], gargs[0], [])
    if "out" in kwargs:
        pairs += _flat_arrays(kwargs["out"], wargs[1]["out"], gargs[1]["out"], [])
    if not isinstance(want, (tuple, list)):
        for w, g in pairs:
            if want is w and got is not g and ("out" in kwargs or op.startswith("op.i")):
                raise Mismatch("result: NumPy returned the out= argument itself, minpy another object")
            if (isinstance(want, numpy.ndarray) and want.size and isinstance(got, mnp.ndarray)
                    and op not in ("getitem",) + _COPY_OK):
                if numpy.shares_memory(want, w) and not numpy.may_share_memory(_np_view(got), _np_view(g)):
                    raise Mismatch("result: NumPy returned a view of an argument, minpy a copy")
    for i, (w, g) in enumerate(pairs):
        _compare(g, w, op, f"argument {i} after the call", cplx, values, loop_dt)
    return "equal"


def _loop_dtype(op, args, kwargs, want):
    """The dtype a ufunc computed in when out= is wider (np.tan(int16, out=float64) runs the
    float32 loop): its tolerance, not out's, applies. None when it is out's own."""
    if "out" not in kwargs or not isinstance(getattr(numpy, op, None), numpy.ufunc):
        return None, None
    res, _, exc, _ = outcome(numpy, op, args, {k: v for k, v in kwargs.items() if k != "out"})
    if exc is not None or res is None:
        return None, None
    dts = [numpy.asarray(r).dtype for r in (res if isinstance(res, tuple) else (res,))]
    inexact = [d for d in dts if d.kind in "fc"]
    return (min(inexact, key=lambda d: tol_for(d) == 0 or -tol_for(d)) if inexact else None), res


def _undefined_int_cast(res, want):
    """True when a floating result is cast to an integer out= with values the cast leaves undefined."""
    res = res if isinstance(res, tuple) else (res,)
    want = want if isinstance(want, tuple) else (want,)
    for r, w in zip(res, want):
        r, w = numpy.asarray(r), numpy.asarray(w)
        if r.dtype.kind in "fc" and w.dtype.kind in "iu" and r.size:
            v = r.real if r.dtype.kind == "c" else r
            info = numpy.iinfo(w.dtype)
            with numpy.errstate(invalid="ignore"):
                if not (numpy.isfinite(v).all() and (v >= info.min).all() and (v < info.max + 1.0).all()):
                    return True
    return False


# NumPy ops that return views where minpy documents a copy (none yet) or only sometimes view.
_COPY_OK = ()


def _non_numeric(x):
    if isinstance(x, (tuple, list)):
        return any(_non_numeric(v) for v in x)
    return isinstance(x, (numpy.ndarray, numpy.generic)) and x.dtype.kind in "USOVMm"


def _short(x):
    if isinstance(x, (numpy.ndarray, mnp.ndarray)):
        return f"array(shape={x.shape}, dtype={x.dtype})"
    return repr(x)[:80]


# Deviations the fuzzer found that are not fixed yet (docs/numpy-compatibility.md, "Known gaps found
# by the fuzzer"): (op regex, Mismatch message regex[, keyword the call must have]). Each entry names
# the ops and the exact messages of one documented deviation; `check_call(..., known_ok=True)`
# returns "known" for them; tools/fuzz.py counts them apart; every other mismatch fails.
_UFUNCS = (r"(add|subtract|multiply|divide|true_divide|floor_divide|power|float_power|fmod|remainder|"
           r"maximum|minimum|fmax|fmin|heaviside|copysign|nextafter|arctan2|hypot|logaddexp2?|ldexp|"
           r"bitwise_(and|or|xor)|left_shift|right_shift|logical_(and|or|xor)|matmul|divmod|"
           r"(greater|less)(_equal)?|(not_)?equal|op\.i\w+)")
_REDUCTIONS = r"(a\.)?(sum|prod|max|min|amax|amin|nansum|nanmax|nanmin|cumsum|cumprod|mean|nanmean)"
KNOWN = [
    # Indexing with two errors at once (a bad index and a bad value): both raise, minpy reports the
    # other one first.
    (r"setitem|getitem", r"^NumPy raised (IndexError|ValueError|TypeError|OverflowError)\(.*\); "
                         r"minpy raised (IndexError|ValueError|TypeError|OverflowError)\("),
    # NumPy's setitem converts nested lists element by element (ValueError/TypeError for some
    # lists minpy converts as an array first).
    (r"setitem", r"^NumPy raised (ValueError|TypeError)\((setting an array element with a sequence|int\(\) argument|"
     r"float\(\) argument|only \d+-dimensional arrays|NumPy boolean array indexing assignment|must be real).* but minpy returned"),
    (r"setitem", r"^NumPy returned None; minpy raised ValueError\(\[setitem\] could not broadcast input array from "
                 r"shape \(\d+,\) into shape \(\)"),
    # A ufunc call with an out= that has both the wrong dtype and the wrong shape: NumPy reports the
    # cast, minpy the shape.
    (_UFUNCS, r"^NumPy raised UFuncTypeError\(Cannot cast ufunc '\w+' output .*; minpy raised ValueError\(\[\w+\] "
              r"(operands could not be broadcast|non-broadcastable output|Input operand \d+ (has a mismatch|does not have enough))"),
    # A dtype= the input cannot be cast to and an out-of-range Python int: NumPy reports the int.
    (_UFUNCS, r"^NumPy raised OverflowError\((Python integer -?\d+ out of bounds for \w+|Python int too large "
              r"to convert to C long)\); minpy raised (TypeError\(\[\w+\] Cannot cast ufunc|ValueError\(\[\w+\] "
              r"non-broadcastable output)"),
    # casting='equiv'/'no' with a Python int operand: NumPy refuses the int (TypeError).
    (_UFUNCS, r"^NumPy raised TypeError\(cannot cast Python (int|float) to \w+ under the casting rule '(equiv|no)'\)", "casting"),
    # logical_*/bitwise_* with casting=: NumPy picks a loop the inputs cast to; minpy refuses.
    # ... and with dtype= and a Python int operand (minpy takes the int as int64 there).
    (r"logical_(and|or|xor)|bitwise_(and|or|xor)|fmod|greater|less|equal|not_equal|greater_equal|less_equal",
     r"^NumPy returned .*; minpy raised TypeError\(\[\w+\] Cannot cast ufunc '\w+' input \d from dtype\('u?int\d+'\)",
     "dtype"),
    # A Python int beyond int64 where NumPy converts it to a C long: NumPy OverflowError.
    (r"logical_(and|or|xor)|full|full_like|pad", r"^NumPy raised OverflowError\((Python int too large to convert to C long|"
     r"Python integer -?\d+ out of bounds for \w+)\) but minpy returned"),
    (r"logical_(and|or|xor)|bitwise_(and|or|xor)|(greater|less)(_equal)?|(not_)?equal",
     r"^NumPy (returned .*|raised ValueError\(operands could not be broadcast.*); minpy raised TypeError\(\[\w+\] "
     r"Cannot cast ufunc '\w+' input \d", "casting"),
    # Ufuncs on Python ints beyond uint64 (NumPy: object arrays and their loops).
    (r"\w+", r"^NumPy raised (TypeError\(loop of ufunc does not support argument|UFuncTypeError\(Cannot cast ufunc "
              r"'\w+' input from dtype\('O'\)|TypeError\(ufunc '\w+' not supported for the input types).* but minpy returned"),
    (r"conjugate|ceil|floor|trunc|rint|positive|negative|absolute|sign|square", r"^result: float != int"),
    # reciprocal of a Python int beyond uint64: NumPy's object loop divides exactly (1 / 10**30).
    (r"reciprocal", r"^result: \d\.\d+e-\d+ != \d(\.\d+)?e-\d+$"),
    (r"invert", r"^NumPy returned -?\d+; minpy raised TypeError\(\[invert\] ufunc 'invert' did not contain a loop"),
    # Two argument errors at once (a bad axis/kind/mode type and a bad shape or axis value): NumPy
    # and minpy check the arguments in another order.
    (r"(a\.)?(stack|moveaxis|sort|argsort|take|var|std|mean|nanmean|roll|nanmax|nanmin|take_along_axis|compress|swapaxes|diagonal|array_split)",
     r"^NumPy raised \w+\(.*\); minpy raised (TypeError|ValueError|OverflowError)\(('\w+' object cannot be interpreted as "
     r"an integer|\[axis\] (an integer is required for the axis|Python int too large)|sort kind must be one of|"
     r"\[take\] clipmode must be one of|_stack\(\): incompatible function arguments)"),
    # An inhomogeneous list as the sections/repeats/reps/shift argument next to another bad
    # argument: NumPy converts it element by element (TypeError) or reports the other error first.
    (r"split|array_split|(a\.)?repeat|tile|roll",
     r"^NumPy raised \w+\(.*\); minpy raised (TypeError|ValueError)\(('list' object cannot be interpreted as an integer|"
     r"setting an array element with a sequence\. The requested array has an inhomogeneous shape|"
     r"\[index\] expected an integer or a 1-d sequence of integers)"),
    # An argument of a type a minpy binding does not take at all (None, a dict, an inhomogeneous
    # list): nanobind's TypeError where NumPy goes on (object arrays) or reports another error first.
    (r"[\w.]+", r"minpy raised TypeError\(\w+\(\): incompatible function arguments"),
    (r"put", r"^NumPy raised TypeError\(argument \d+ must be numpy.ndarray"),
    # tile with reps that are strings or nested lists (NumPy converts them with int()/array()),
    # or that make an empty result whose size product overflows (NumPy returns it).
    (r"tile", r"^NumPy raised ValueError\((invalid literal for int|setting an array element with a sequence)"),
    (r"tile", r"^NumPy returned .*; minpy raised ValueError\(\[shape\] array is too big"),
    # take/compress on an empty array with out-of-range indices or a long condition: NumPy returns
    # the empty result (no element is read), minpy checks the indices.
    (r"(a\.)?(compress|take)", r"^NumPy returned .*; minpy raised IndexError\(\[getitem\] index -?\d+ is out of bounds"),
    # divmod/dot with an out= of the wrong dtype and shape: the other error first.
    (r"divmod|dot", r"^NumPy raised (UFuncTypeError\(Cannot cast ufunc|ValueError\(output array is not acceptable)"),
    # absolute of a Python int beyond the input dtype (NumPy wraps it to the weak type's result).
    (r"absolute", r"^NumPy returned .*; minpy raised OverflowError\(\[absolute\] Python integer"),
    # tile with astronomically large reps: NumPy MemoryError, minpy ValueError (too big).
    (r"tile", r"^NumPy raised MemoryError.*minpy raised ValueError\(\[shape\] array is too big"),
    # A reduction with a dtype= or out= that needs a cast: NumPy casts inside its buffered loop
    # (values differ where the cast wraps or is undefined); minpy reduces and casts the result.
    (_REDUCTIONS, r"^result: values differ", "out"),
    (_REDUCTIONS, r"^result: values differ", "dtype"),
    (r"(a\.)?(var|std)", r"^result: values differ", "dtype"),
    (r"(a\.)?(var|std)", r"^result: values differ", "out"),
    (r"cbrt", r"^result: values differ", "dtype"),
    # arctan2 into a wider out=: NumPy computes in the loop dtype (float32) and casts, minpy may
    # compute in out's dtype.
    (r"arctan2", r"^result: values differ", "out"),
    # dot of a 0-d operand into an out= of the wrong shape: NumPy raises, minpy broadcasts into it.
    (r"dot", r"^NumPy raised ValueError\(output array has wrong dimensions\) but minpy returned"),
    # reshape(None) (NumPy: the same shape) and order='K' (NumPy accepts it for some inputs).
    (r"(a\.)?reshape", r"minpy raised (TypeError\('NoneType' object cannot be interpreted|ValueError\(\[reshape\] "
                       r"order 'K')"),
    # repeat with a repeats list longer than the axis (NumPy: broadcast error) or inhomogeneous.
    (r"(a\.)?repeat", r"^NumPy raised ValueError\((operands could not be broadcast together with shape|setting an array "
                      r"element with a sequence)"),
    # repeat with a negative count on an empty array: NumPy returns the empty result.
    (r"(a\.)?repeat", r"^NumPy returned .*; minpy raised ValueError\(\[repeat\] negative dimensions"),
    # tensordot with axes longer than an operand's ndim: NumPy ValueError, minpy IndexError.
    (r"tensordot", r"^NumPy raised ValueError\(shape-mismatch for sum\); minpy raised IndexError"),
    # einsum of a repeated index on an empty operand.
    (r"einsum", r"minpy raised ValueError\(\[view\] the view does not fit"),
    # where() with a Python int beyond int64 (NumPy makes an object array).
    (r"where", r"minpy raised OverflowError\(\[where\] Python int too large"),
    # a == dict: NumPy returns NotImplemented-based False, minpy a bool too, not an array.
    (r"op\.(eq|ne)", r"^result: expected a minpy array, got bool"),
    # An operator with a dict operand: NumPy makes an object array, minpy returns NotImplemented.
    (r"op\.\w+", r"minpy raised TypeError\(unsupported operand type\(s\)"),
    # roll with axis=() and a scalar shift; compress with a condition that is not 1-d and not an array.
    (r"roll", r"^NumPy raised ValueError\(not enough values to unpack"),
    (r"compress", r"^NumPy raised ValueError\(condition must be a 1-d array\); minpy raised TypeError"),
    (r"take_along_axis", r"^NumPy raised AttributeError"),
    # full_like with a Python int beyond int64 into bool: NumPy OverflowError, minpy converts it.
    (r"full_like", r"^NumPy raised OverflowError\(Python int too large to convert to C long\) but minpy returned"),
    # absolute of complex64 with huge components: NumPy's npy_hypot and the C library's hypotf
    # differ in the last bit.
    (r"absolute", r"^result: values differ"),
]
_KNOWN = [(re.compile(k[0]), re.compile(k[1], re.S), k[2] if len(k) > 2 else None) for k in KNOWN]


def is_known(op, message, kwargs=None):
    return any(o.fullmatch(op) and m.search(message) and (kw is None or kw in (kwargs or {}))
               for o, m, kw in _KNOWN)


def repro(op, args, kwargs):
    return f"check_call({op!r}, {args!r}, {kwargs!r})"


# ---------------------------------------------------------------------------------------------
# generators

DTYPES = ALL_DTYPES
NUMERIC = [d for d in ALL_DTYPES if d != "bool"]
CASTINGS = ["no", "equiv", "safe", "same_kind", "unsafe"]
BIG = [2**31, 2**63 - 1, 2**63, 2**64, -2**63 - 1, 10**30]


def gen_dtype(d, allow_none=False):
    if allow_none and d.coin(0.4):
        return None
    return d.choice(DTYPES)


def gen_shape(d, max_ndim=4, max_dim=5):
    ndim = d.weighted([(2, 0), (6, 1), (6, 2), (4, 3), (2, max_ndim)])
    return tuple(d.weighted([(1, 0), (3, 1), (8, d.int(2, max_dim))]) for _ in range(ndim))


def gen_arr(d, shape=None, dtype=None, kind=None, view=True, writeable=True):
    """An array argument of `shape` (drawn if None) after a view recipe (drawn when `view`)."""
    dtype = dtype or gen_dtype(d)
    kind = kind or d.weighted([(6, "small"), (3, "special"), (1, "wide")])
    fill = d.int(0, 2**16)
    if shape is None:
        shape = gen_shape(d)
    shape = tuple(shape)
    if not view or not shape or d.coin(0.5):
        return Arr(shape, dtype, fill, kind)
    mode = d.weighted([(3, "step"), (2, "T"), (1, "big"), (1, "rev")])
    if mode == "T" and len(shape) >= 2:
        perm = list(range(len(shape)))
        d_perm = [perm.pop(d.int(0, len(perm) - 1)) for _ in range(len(shape))]
        inv = tuple(numpy.argsort(d_perm).tolist())
        base = tuple(shape[i] for i in inv)
        return Arr(base, dtype, fill, kind, (("t", tuple(d_perm)),))
    if mode == "big" and len(shape) <= 2 and math.prod(shape) > 0:
        # a large base sliced with a large (possibly negative) step: huge byte strides
        steps = [d.choice([97, 331, -211, 1009, -4096]) for _ in shape]
        base = tuple(abs(s) * (n - 1) + 1 + d.int(0, 3) for s, n in zip(steps, shape))
        while math.prod(base) > 1 << 20:  # keep the base array a few MB at most
            steps = [s // 4 or 1 for s in steps]
            base = tuple(abs(s) * (n - 1) + 1 for s, n in zip(steps, shape))
        a = Arr(base, dtype, fill, kind, (("s", tuple(slice(None, None, s) for s in steps)),))
        if a.make_shape() != shape:
            a.view += (("s", tuple(slice(0, n) for n in shape)),)
        return a
    # step/reverse: a base a bit larger, sliced with steps 1..3 and signs
    steps = [d.choice([1, 2, 3, -1, -2]) if mode == "step" else -1 for _ in shape]
    base = tuple(abs(s) * n + d.int(0, 1) for s, n in zip(steps, shape))
    idx = tuple(slice(None, None, s) for s in steps)
    a = Arr(base, dtype, fill, kind, (("s", idx),))
    if a.make_shape() != shape:
        a.view += (("s", tuple(slice(0, n) for n in shape)),)
    return a


def gen_scalar(d, kind=None):
    k = kind or d.weighted([(5, "int"), (3, "float"), (1, "complex"), (2, "bool"), (1, "big"),
                            (2, "npscalar"), (1, "special")])
    if k == "int":
        return d.int(-300, 300)
    if k == "float":
        return d.choice([0.5, -1.5, 2.0, 1e10, -0.0, 3.25, 1e-8])
    if k == "complex":
        return complex(d.int(-3, 3), d.int(-3, 3))
    if k == "bool":
        return d.coin()
    if k == "big":
        return d.choice(BIG)
    if k == "special":
        return d.choice([math.inf, -math.inf, math.nan])
    dt = d.choice(DTYPES)
    return Np(d.int(0, 3), dt, mp=False)  # becomes a 0-d array: fine for both libraries


def gen_axis(d, ndim, allow_tuple=True, allow_none=True):
    k = d.weighted([(3, "none"), (6, "int"), (2, "neg"), (1, "oob"), (2, "tuple"), (1, "dup"),
                    (1, "bad")])
    if k == "none" and allow_none:
        return None
    if k in ("none", "int"):
        return d.int(0, max(ndim - 1, 0))
    if k == "neg":
        return -d.int(1, max(ndim, 1))
    if k == "oob":
        return d.choice([ndim, -ndim - 1, 100, -(2**63)])
    if k == "tuple" and allow_tuple:
        return tuple(sorted({d.int(-ndim, max(ndim - 1, 0)) for _ in range(d.int(0, max(ndim, 1)))}))
    if k == "dup" and allow_tuple and ndim:
        a = d.int(0, ndim - 1)
        return (a, a - ndim if d.coin() else a)
    return d.choice([1.0, "0", numpy.int64(0), [0], True])


def gen_broadcast_shape(d, shape):
    """A shape broadcasting with `shape` (mostly), or a wrong one."""
    if d.coin(0.1):
        return gen_shape(d)
    k = d.int(0, len(shape))
    out = [1 if d.coin(0.3) else n for n in shape[k:]]
    if d.coin(0.1):
        out = [d.int(1, 3)] + out
    return tuple(out)


# ---- ufuncs

def _ufunc_names():
    un, bi = [], []
    for name, u in sorted(mnp._core.ufuncs.items()):
        if not hasattr(numpy, name):
            continue
        (un if u.nin == 1 else bi if u.nin == 2 else []).append(name)
    return un, bi


UNARY, BINARY = _ufunc_names()


def _ufunc_kwargs(d, shape, nout):
    kw = {}
    if d.coin(0.2):
        oshape = shape if d.coin(0.8) else gen_broadcast_shape(d, shape)
        outs = tuple(gen_arr(d, oshape, kind="small") for _ in range(nout))
        kw["out"] = outs if (nout > 1 or d.coin(0.3)) else outs[0]
    if d.coin(0.2):
        kw["dtype"] = gen_dtype(d)
    if d.coin(0.2):
        kw["casting"] = d.choice(CASTINGS + ["bogus"])
    return kw


def gen_ufunc(d):
    if d.coin(0.4):
        name = d.choice(UNARY)
        shape = gen_shape(d)
        x = gen_arr(d, shape) if d.coin(0.9) else gen_scalar(d)
        return name, (x,), _ufunc_kwargs(d, shape, numpy.__dict__[name].nout)
    name = d.choice(BINARY)
    shape = gen_shape(d)
    a = gen_arr(d, shape)
    b = gen_arr(d, gen_broadcast_shape(d, shape)) if d.coin(0.7) else gen_scalar(d)
    if d.coin(0.3):
        a, b = b, a
    return name, (a, b), _ufunc_kwargs(d, shape, numpy.__dict__[name].nout)


def gen_operator(d):
    name = d.choice([n for n in _OPERATORS if n not in ("matmul",)])
    shape = gen_shape(d)
    a = gen_arr(d, shape)
    if name in ("neg", "pos", "abs", "invert"):
        return "op." + name, (a,), {}
    b = gen_arr(d, gen_broadcast_shape(d, shape)) if d.coin(0.6) else gen_scalar(d)
    if not name.startswith("i") and d.coin(0.3):
        a, b = b, a
    return "op." + name, (a, b), {}


# ---- reductions

REDUCTIONS = ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin",
              "all", "any", "cumsum", "cumprod", "count_nonzero", "nansum", "nanmean", "nanmax",
              "nanmin"]
_METHODS = {"sum", "prod", "mean", "var", "std", "max", "min", "argmax", "argmin", "all", "any",
            "cumsum", "cumprod"}


def gen_reduction(d):
    name = d.choice(REDUCTIONS)
    shape = gen_shape(d)
    a = gen_arr(d, shape, kind=d.choice(["small", "small", "special"]))
    ndim = len(shape)
    kw = {}
    single = name in ("argmax", "argmin", "cumsum", "cumprod")
    if d.coin(0.8):
        kw["axis"] = gen_axis(d, ndim, allow_tuple=not single or d.coin(0.1))
    if name not in ("cumsum", "cumprod") and d.coin(0.4):
        kw["keepdims"] = d.coin()
    if name in ("sum", "prod", "mean", "var", "std", "cumsum", "cumprod", "nansum", "nanmean") and d.coin(0.3):
        kw["dtype"] = gen_dtype(d)
    if name in ("var", "std") and d.coin(0.5):
        kw["ddof"] = d.choice([0, 1, 2, -1, 10, 0.5])
    if name in ("sum", "prod", "max", "min", "amax", "amin") and d.coin(0.1):
        kw["initial"] = d.choice([0, 1, -5, 2.5])
    if name not in ("count_nonzero",) and d.coin(0.1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = getattr(numpy, name)(numpy.zeros(a.make_shape(), a.dtype),
                                         **{k: v for k, v in kw.items() if k != "out"})
            oshape = numpy.shape(r)
        except Exception:  # noqa: BLE001
            oshape = gen_shape(d)
        # (a wrong-shaped out= for cumsum/cumprod corrupts NumPy 2.4's heap: only right shapes there)
        wrong = d.coin(0.2) and name not in ("cumsum", "cumprod")
        kw["out"] = gen_arr(d, gen_shape(d) if wrong else oshape, kind="small", view=False)
    if name in _METHODS and d.coin(0.4):
        return "a." + name, (a,), kw
    return name, (a,), kw


# ---- shape ops

def _bad_shape(d, size):
    return d.choice([-1, (-1, -1), (size + 1,), (-2,), (2**62, 2**62), (0, -1), (3, -1), 2**63, (1.5,), "3", None, ()])


def gen_shape_op(d):
    k = d.choice(["reshape", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze", "broadcast_to",
                  "concatenate", "stack", "split", "array_split", "tile", "repeat", "flip", "roll", "pad",
                  "take", "sort", "argsort", "searchsorted", "diff", "tril", "triu", "ravel", "diagonal",
                  "vstack", "hstack", "dstack", "column_stack", "clip", "round", "where", "nonzero",
                  "compress", "take_along_axis", "atleast_2d", "a.sort", "a.reshape", "a.transpose",
                  "a.astype", "a.copy", "a.fill", "put", "a.flatten", "a.T", "a.squeeze", "a.swapaxes",
                  "a.view"])
    shape = gen_shape(d)
    a = gen_arr(d, shape)
    ndim, size = len(shape), math.prod(shape)
    ax = lambda: gen_axis(d, ndim, allow_tuple=False, allow_none=False)  # noqa: E731
    if k in ("reshape", "a.reshape"):
        if d.coin(0.6) and size:
            dims = list(shape)
            numpy.random.default_rng(d.int(0, 99)).shuffle(dims)
            new = tuple(dims)
            if d.coin(0.5) and new:
                new = tuple(-1 if i == d.int(0, len(new) - 1) else n for i, n in enumerate(new))
        else:
            new = (size,) if d.coin(0.3) else _bad_shape(d, size)
        kw = {"order": d.choice(["C", "F", "A", "K", "x"])} if d.coin(0.2) else {}
        if k == "a.reshape" and isinstance(new, tuple) and d.coin(0.5):
            return k, (a,) + new, kw
        return k, (a, new), kw
    if k in ("transpose", "a.transpose"):
        axes = list(range(ndim))
        random.Random(d.int(0, 99)).shuffle(axes)
        if d.coin(0.3):
            axes = d.choice([axes[:-1], axes + [0], [0] * ndim, [a_ - ndim for a_ in axes], [ndim] + axes[1:]])
        return k, (a,) + ((tuple(axes),) if d.coin(0.8) else ()), {}
    if k in ("swapaxes", "a.swapaxes"):
        return k, (a, ax(), ax()), {}
    if k == "moveaxis":
        return k, (a, ax(), ax()), {}
    if k == "expand_dims":
        return k, (a, gen_axis(d, ndim + 1, allow_none=False)), {}
    if k in ("squeeze", "a.squeeze"):
        return k, (a,), ({"axis": gen_axis(d, ndim)} if d.coin(0.6) else {})
    if k == "broadcast_to":
        return k, (a, tuple(reversed(gen_broadcast_shape(d, tuple(reversed(shape))))) if d.coin(0.5)
                   else (d.int(1, 3),) + shape), {}
    if k in ("concatenate", "stack", "vstack", "hstack", "dstack", "column_stack"):
        n = d.int(0, 3)
        arrs = [gen_arr(d, shape if d.coin(0.7) else tuple(max(0, s + d.int(-1, 1)) for s in shape)
                        if d.coin(0.8) else gen_shape(d)) for _ in range(n)]
        kw = {}
        if k in ("concatenate", "stack"):
            if d.coin(0.7):
                kw["axis"] = gen_axis(d, ndim + (k == "stack"), allow_tuple=False)
            if d.coin(0.15):
                kw["dtype"] = gen_dtype(d)
            if d.coin(0.1):
                kw["casting"] = d.choice(CASTINGS)
        return k, ([a] + arrs if d.coin(0.9) else tuple([a] + arrs),), kw
    if k in ("split", "array_split"):
        ios = d.choice([d.int(-1, 4), [1, 2], [3, 1], [-1], [], [0, 10], Np([1], "int64")])
        return k, (a, ios) + ((ax(),) if d.coin(0.5) else ()), {}
    if k == "tile":
        return k, (a, d.choice([2, 0, -1, (2, 1), (1, 2, 3), (), (2**40, 2**40), 1])), {}
    if k == "repeat":
        reps = d.choice([2, 0, -1, 2**40, Np([1, 2], "int64"), Np([2] * (shape[0] if shape else 1), "int64"),
                         Np([-1], "int64"), 1.5])
        return k, (a, reps) + ((gen_axis(d, ndim, allow_tuple=False),) if d.coin(0.6) else ()), {}
    if k == "flip":
        return k, (a,), ({"axis": gen_axis(d, ndim)} if d.coin(0.7) else {})
    if k == "roll":
        shift = d.choice([1, -2, 7, 2**63 - 1, (1, 2), (1,), -(2**62)])
        return k, (a, shift), ({"axis": gen_axis(d, ndim)} if d.coin(0.7) else {})
    if k == "pad":
        pw = d.choice([1, 0, -1, (1, 2), ((1, 0),) * ndim, ((1, 2, 3),), ((0, 1),) * (ndim + 1), 2**40])
        kw = {}
        if d.coin(0.4):
            kw["mode"] = d.choice(["constant", "edge", "reflect", "wrap", "bogus"])
        if d.coin(0.3):
            kw["constant_values"] = d.choice([1, 2.5, (1, 2), 300])
        return k, (a, pw), kw
    if k == "take":
        idx = gen_index_array(d, shape[0] if shape else 1)
        kw = {}
        if d.coin(0.6):
            kw["axis"] = gen_axis(d, ndim, allow_tuple=False)
        if d.coin(0.3):
            kw["mode"] = d.choice(["raise", "wrap", "clip", "bogus"])
        return k, (a, idx), kw
    if k in ("sort", "argsort", "a.sort"):
        kw = {}
        if d.coin(0.6):
            kw["axis"] = gen_axis(d, ndim, allow_tuple=False)
        if d.coin(0.3):
            kw["kind"] = d.choice(["stable", "quicksort", "mergesort", "heapsort", "bogus"])
        return k, (gen_arr(d, shape, kind=d.choice(["small", "special"])),), kw
    if k == "searchsorted":
        s = Arr((shape[0] if shape else 3,), d.choice(DTYPES), d.int(0, 99), d.choice(["small", "special"]))
        v = gen_arr(d) if d.coin(0.7) else gen_scalar(d)
        # NumPy needs a sorted haystack: sort it through a sorter argument or pass it pre-sorted.
        kw = {"side": d.choice(["left", "right", "bogus"])} if d.coin(0.4) else {}
        return "a.searchsorted" if d.coin(0.3) else k, (ArrSorted(s), v), kw
    if k == "diff":
        kw = {}
        if d.coin(0.5):
            kw["n"] = d.choice([0, 1, 2, 5, -1])
        if d.coin(0.5):
            kw["axis"] = gen_axis(d, ndim, allow_tuple=False, allow_none=False)
        if d.coin(0.2):
            kw["prepend"] = d.choice([0, 1.5, gen_arr(d, shape)])
        return k, (a,), kw
    if k in ("tril", "triu"):
        return k, (a,), ({"k": d.choice([0, 1, -1, 100, -100, 2**62])} if d.coin(0.5) else {})
    if k == "diagonal":
        return k, (a, d.choice([0, 1, -2, 50]), ax(), ax()), {}
    if k == "ravel":
        return k, (a,), ({"order": d.choice(["C", "F", "K", "A"])} if d.coin(0.3) else {})
    if k == "clip":
        return k, (a, d.choice([None, 0, -1.5, gen_arr(d, gen_broadcast_shape(d, shape))]),
                   d.choice([None, 3, 2.5, 200])), {}
    if k == "round":
        return k, (a,), ({"decimals": d.choice([0, 1, -1, 3, -20, 400])} if d.coin(0.7) else {})
    if k == "where":
        c = gen_arr(d, gen_broadcast_shape(d, shape), dtype="bool")
        if d.coin(0.2):
            return k, (c,), {}
        return k, (c, a, gen_arr(d, gen_broadcast_shape(d, shape)) if d.coin(0.7) else gen_scalar(d)), {}
    if k == "nonzero":
        return k, (a,), {}
    if k == "compress":
        c = Np([d.coin() for _ in range(d.int(0, 6))], "bool")
        return k, (c, a), ({"axis": gen_axis(d, ndim, allow_tuple=False)} if d.coin(0.6) else {})
    if k == "take_along_axis":
        idx = Arr(shape, "int64", d.int(0, 99))
        return k, (a, idx, gen_axis(d, ndim, allow_tuple=False)), {}
    if k == "atleast_2d":
        return k, (a,), {}
    if k == "a.astype":
        return k, (a, gen_dtype(d)), ({"casting": d.choice(CASTINGS)} if d.coin(0.3) else {})
    if k == "a.copy":
        return k, (a,), {}
    if k == "a.fill":
        return k, (a, gen_scalar(d)), {}
    if k == "put":
        return k, (a, gen_index_array(d, size), gen_arr(d, (d.int(0, 3),)) if d.coin(0.5) else gen_scalar(d)), (
            {"mode": d.choice(["raise", "wrap", "clip"])} if d.coin(0.4) else {})
    if k == "a.flatten":
        return k, (a,), {}
    if k == "a.T":
        return "getattr", (a, "T"), {}
    if k == "a.view":
        return k, (a, d.choice(DTYPES)), {}
    raise AssertionError(k)


class ArrSorted(Arr):
    """A 1-d array argument sorted (stably) before use: searchsorted's haystack."""

    def __init__(self, arr):
        super().__init__(arr.shape, arr.dtype, arr.fill, arr.kind, arr.view)

    def __repr__(self):
        return "ArrSorted(" + super().__repr__() + ")"

    def make(self, lib):
        s = numpy.sort(_values(self.shape, self.dtype, self.fill, self.kind), kind="stable")
        return s if lib is numpy else mnp.array(s)


def gen_index_array(d, n):
    """Integer indices for an axis of length n: in range, out of range, negative, empty, 2-d, lists."""
    k = d.weighted([(5, "in"), (1, "oob"), (1, "empty"), (1, "2d"), (1, "list"), (1, "scalar"), (1, "uint")])
    if k == "in":
        return Np([d.int(-n, max(n - 1, -n)) if n else 0 for _ in range(d.int(1, 4))], "int64")
    if k == "oob":
        # (not 2**62: NumPy's take(mode="wrap") walks a huge index into range one period at a time)
        return Np([d.choice([n, -n - 1, 3 * n + 2, -4 * n - 1, 1000])], "int64")
    if k == "empty":
        return Np([], d.choice(["int64", "int32", "float64"]))
    if k == "2d":
        return Np([[d.int(0, max(n - 1, 0)) for _ in range(2)] for _ in range(2)], "int32")
    if k == "list":
        return [d.int(-n, max(n - 1, 0)) for _ in range(d.int(0, 3))]
    if k == "uint":
        return Np([d.int(0, max(n - 1, 0))], "uint64")
    return d.int(-n - 1, n)


# ---- linalg

def gen_linalg(d):
    k = d.choice(["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "trace", "op.matmul",
                  "a.dot", "linalg.norm"])
    dt = d.choice(NUMERIC + ["bool"])
    dt2 = dt if d.coin(0.6) else d.choice(DTYPES)
    m, n, p = d.int(0, 4), d.int(0, 4), d.int(0, 4)
    lead = gen_shape(d, max_ndim=2, max_dim=3) if d.coin(0.3) else ()
    shapes = d.choice([((m, n), (n, p)), ((n,), (n, p)), ((m, n), (n,)), ((n,), (n,)), ((m, n), (p, m)),
                       (lead + (m, n), (n, p)), ((), (n,)), ((m, n), ()), ((m, n), (m, n))])
    a = gen_arr(d, shapes[0], dtype=dt, kind="small")
    b = gen_arr(d, shapes[1], dtype=dt2, kind="small")
    if k == "tensordot":
        axes = d.choice([0, 1, 2, 3, -1, ([1], [0]), ([0, 1], [0, 1]), ([5], [0]), ((1,), (0, 1))])
        return k, (a, b), {"axes": axes}
    if k == "einsum":
        sub = d.choice(["ij,jk->ik", "ij,jk", "i,i", "ij->ji", "ii->i", "ij->", "i,j->ij", "...j,j->...",
                        "ij,ij->ij", "ab,bc->ac", "ij,jk->iik", "i->", "ij,j", "ik,kj->ij,", "iJ,Jk->ik"])
        ops = (a,) if sub.count(",") == 0 else (a, b)
        return k, (sub,) + ops, {}
    if k == "trace":
        return k, (a,), ({"offset": d.choice([0, 1, -1, 9])} if d.coin(0.5) else {})
    if k == "vdot" or k == "outer" or k == "inner":
        return k, (a, b), {}
    if k == "linalg.norm":
        kw = {}
        if d.coin(0.5):
            kw["axis"] = gen_axis(d, len(shapes[0]))
        if d.coin(0.3):
            kw["ord"] = d.choice([None, 1, 2, numpy.inf, "fro", 0, -1])
        return k, (a,), kw
    kw = {}
    if k in ("matmul", "dot") and d.coin(0.15):
        try:
            oshape = numpy.matmul(numpy.zeros(a.make_shape()), numpy.zeros(b.make_shape())).shape
        except Exception:  # noqa: BLE001
            oshape = (2,)
        kw["out"] = gen_arr(d, oshape, dtype=d.choice(["float64", dt]), kind="small", view=False)
    return k, (a, b), kw


# ---- creation

def _size_arg(d):
    return d.choice([0, 1, 3, -1, 2**63 - 1, 2**64, 1.0, "3", numpy.int8(2), True, 10**20])


def gen_creation(d):
    k = d.choice(["arange", "linspace", "logspace", "full", "eye", "identity", "zeros", "ones", "empty",
                  "zeros_like", "full_like", "ones_like", "array", "asarray", "ascontiguousarray"])
    dt = gen_dtype(d, allow_none=True)
    if k == "arange":
        args = tuple(d.choice([0, 1, -3, 5, 2.5, -0.5, 10, 2**62, 2**63, 0.0, math.nan, math.inf, True,
                               complex(1, 0)]) for _ in range(d.int(0, 3)))
        if len(args) == 3 and d.coin(0.3):
            args = args[:2] + (d.choice([0, -1, 0.25, -2.5]),)
        if len(args) >= 2 and d.coin(0.3):  # keep results small most of the time
            args = (min(args[0], 5) if isinstance(args[0], (int, float)) else args[0],) + args[1:]
        return k, args, ({"dtype": dt} if dt else {})
    if k in ("linspace", "logspace"):
        args = (d.choice([0, -1, 2.5, 1e300, math.nan]), d.choice([1, 10, -3.5, math.inf]),
                d.choice([0, 1, 2, 5, -1, 2.5, 50]))
        kw = {}
        if d.coin(0.3):
            kw["endpoint"] = d.coin()
        if d.coin(0.3) and k == "linspace":
            kw["retstep"] = True
        if dt:
            kw["dtype"] = dt
        return k, args, kw
    if k in ("full", "zeros", "ones", "empty"):
        shape = d.choice([_size_arg(d), tuple(_size_arg(d) for _ in range(d.int(0, 3))), gen_shape(d),
                          gen_shape(d), [2, 3]])
        args = (shape,) + ((gen_scalar(d),) if k == "full" else ())
        return k, args, ({"dtype": dt} if dt else {})
    if k in ("eye", "identity"):
        args = (d.choice([0, 1, 3, -1, 2.5, 2**40]),)
        kw = {"dtype": dt} if dt else {}
        if k == "eye":
            if d.coin(0.5):
                kw["M"] = d.choice([None, 0, 2, 4, -1])
            if d.coin(0.5):
                kw["k"] = d.choice([0, 1, -1, 5, -100, 2**62])
        return k, args, kw
    if k in ("zeros_like", "full_like", "ones_like"):
        a = gen_arr(d)
        args = (a,) + ((gen_scalar(d),) if k == "full_like" else ())
        kw = {"dtype": dt} if dt else {}
        if d.coin(0.3):
            kw["shape"] = d.choice([(2, 3), -1, (), 4])
        return k, args, kw
    obj = d.choice([[1, 2, 3], [[1, 2], [3]], [1.5, 2], [1, 2**64], [True, 2], [[1], [2]], [], [[]], 3, 2.5,
                    [1j, 2], [300, -1], "abc", None, [[1, 2], [3, 4]], [1, [2]], gen_arr(d)])
    return k, (obj,), ({"dtype": dt} if dt else {})


# ---- indexing

def gen_index_item(d, n, ndim):
    """One index entry for an axis of length n."""
    k = d.weighted([(6, "int"), (2, "oob"), (6, "slice"), (2, "ellipsis"), (2, "newaxis"), (1, "float"),
                    (1, "bool"), (2, "intarr"), (1, "boolarr"), (1, "list"), (1, "npint"), (1, "weird"),
                    (1, "hugeslice")])
    if k == "int":
        return d.int(-n, max(n - 1, -n)) if n else 0
    if k == "oob":
        return d.choice([n, -n - 1, 2**63, -(2**63) - 1, 10**20])
    if k == "slice":
        def b():
            return d.choice([None, 0, 1, -1, 2, n, n + 3, -n - 2])
        return slice(b(), b(), d.choice([None, 1, 2, -1, -2, 3, 0]))
    if k == "hugeslice":
        return slice(d.choice([None, -(10**20), 2**63]), d.choice([None, 10**20, -(2**63) - 1]),
                     d.choice([None, 2**63, -(2**63) - 1, 10**19, -(10**30), 2**63 - 1]))
    if k == "ellipsis":
        return Ellipsis
    if k == "newaxis":
        return None
    if k == "float":
        return d.choice([1.0, 0.5, math.nan])
    if k == "bool":
        return d.coin()
    if k == "intarr":
        return gen_index_array(d, n)
    if k == "boolarr":
        m = n if d.coin(0.7) else d.int(0, 4)
        return Np([d.coin() for _ in range(m)], "bool", mp=d.coin(0.7))
    if k == "list":
        return d.choice([[0, 1], [True, False], [], [[0], [1]], [0, slice(None)], [1.0], [0, [1]]])
    if k == "npint":
        return Np(d.int(-n, max(n - 1, 0)) if n else 0, d.choice(["int8", "uint8", "int64", "uint64"]), mp=False)
    return d.choice(["a", b"x", {}, (0,), Np([[True, False], [False, True]], "bool")])


def gen_index(d, shape):
    ndim = len(shape)
    k = d.weighted([(2, "single"), (6, "tuple"), (1, "boolfull"), (1, "intarrnd"), (1, "empty")])
    if k == "single":
        return gen_index_item(d, shape[0] if shape else 1, ndim)
    if k == "boolfull":
        s = shape if d.coin(0.8) else gen_shape(d)
        return Arr(s, "bool", d.int(0, 99))
    if k == "intarrnd":
        return Arr(gen_shape(d, max_ndim=3, max_dim=3), d.choice(["int64", "int8", "uint32", "float32"]),
                   d.int(0, 99))
    if k == "empty":
        return ()
    items = []
    axis = 0
    for _ in range(d.int(0, ndim + 2)):
        it = gen_index_item(d, shape[axis] if axis < ndim else 1, ndim)
        items.append(it)
        if it is not None and it is not Ellipsis:
            axis += 1
    return tuple(items)


def gen_getitem(d):
    shape = gen_shape(d)
    a = gen_arr(d, shape)
    idx = gen_index(d, shape)
    return "getitem", (a, idx), {}


def gen_setitem(d):
    shape = gen_shape(d)
    a = gen_arr(d, shape)
    idx = gen_index(d, shape)
    vk = d.weighted([(4, "scalar"), (3, "arr"), (1, "list"), (1, "bcast")])
    if vk == "scalar":
        v = gen_scalar(d)
    elif vk == "arr":
        # the shape NumPy's getitem gives is the natural value shape
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tshape = numpy.empty(a.make_shape())[materialize(idx, numpy)].shape
        except Exception:  # noqa: BLE001
            tshape = gen_shape(d)
        v = gen_arr(d, tshape if d.coin(0.8) else gen_broadcast_shape(d, tshape))
    elif vk == "bcast":
        v = gen_arr(d, (d.int(1, 3),))
    else:
        v = d.choice([[1, 2], [[1]], [], [1.5], [1j], [2**70]])
    return "setitem", (a, idx, v), {}


# ---- everything

FAMILIES = {
    "ufunc": gen_ufunc,
    "operator": gen_operator,
    "reduction": gen_reduction,
    "shape": gen_shape_op,
    "linalg": gen_linalg,
    "creation": gen_creation,
    "getitem": gen_getitem,
    "setitem": gen_setitem,
}
WEIGHTS = {"ufunc": 4, "operator": 2, "reduction": 3, "shape": 4, "linalg": 2, "creation": 2,
           "getitem": 4, "setitem": 3}


def gen_call(d, family=None):
    family = family or d.weighted([(w, f) for f, w in WEIGHTS.items()])
    op, args, kw = FAMILIES[family](d)
    if d.coin(0.02):  # a wrong argument type anywhere
        args = tuple(d.choice(["x", None, [[1], [2, 3]], {"a": 1}]) if d.coin(0.5) else x
                     for x in args)
    return op, args, kw


def calls(family=None):
    """A hypothesis strategy of calls (op, args, kwargs)."""
    from hypothesis import strategies as st

    @st.composite
    def _calls(draw):
        return gen_call(HypothesisDraw(draw), family)
    return _calls()
