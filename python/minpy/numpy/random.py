"""minpy.numpy.random: NumPy's random API on minpy's engine, returning minpy arrays.

Generator
    Every draw comes from the engine's counter-based Philox4x64-10 generator (Salmon et al., SC'11;
    the same bijection as ``numpy.random.Philox``). The state is a 128-bit key, derived from the seed
    through ``numpy.random.SeedSequence``, and a block counter. Element i of a call is computed from
    block ``counter + i // 4`` (``i // 8`` for float32), so results are reproducible per seed, identical
    for any number of threads, and large arrays are generated in parallel.

Distributions
    uniform float64: 53 random bits per value; float32: 24 bits. normal: basic Box-Muller (two words
    give two normals; no rejection). integers: Lemire's multiply-and-reject, unbiased, any integer
    dtype or bool. binomial: inversion when n*min(p, 1-p) < 10, else Hormann's BTRD (both exact).
    choice with p: inverse CDF (binary search); without replacement: partial Fisher-Yates, or
    exponential keys -log(U)/p (Efraimidis-Spirakis) when weighted. permutation/shuffle: Fisher-Yates.

Differences from NumPy (documented)
    * The bit stream is not NumPy's: the same seed gives different numbers than NumPy (but the same
      numbers in every minpy run, on any thread count). Shapes, dtypes, validation and exception
      classes follow NumPy.
    * Where NumPy returns a Python scalar (size=None with scalar parameters), minpy returns a 0-d
      minpy array.
    * ``get_state()``/``set_state()`` use minpy's own state format (key, counter), not MT19937's.
    * Distributions minpy does not implement natively (beta, gamma, poisson, ...) run NumPy's through
      ``minpy.numpy._fallback`` on a NumPy generator that minpy seeds together with its own, so they
      are reproducible per seed too, and return minpy arrays.
"""
import math
import operator

import numpy as _np

from minpy import _core
from minpy.numpy import _fallback

__all__ = ["seed", "get_state", "set_state", "rand", "randn", "random", "random_sample", "sample", "ranf",
           "uniform", "normal", "standard_normal", "randint", "choice", "permutation", "shuffle", "binomial",
           "default_rng", "Generator", "RandomState"]

_ndarray = _core.ndarray
_FLOATS = (_np.dtype(_np.float32), _np.dtype(_np.float64))


# ---- argument parsing shared by both APIs ----

def _size(size):
    """NumPy's size argument: None, an integer or a sequence of integers -> None or a tuple."""
    if size is None:
        return None
    try:
        return (operator.index(size),)
    except TypeError:
        pass
    try:
        return tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"expected a sequence of integers or a single integer, got '{size!r}'") from None


def _dims(args):
    """rand(d0, d1, ...): each dimension an integer (bools and tuples are TypeErrors, as NumPy)."""
    dims = []
    for d in args:
        if isinstance(d, (bool, _np.bool_)):
            raise TypeError("an integer is required")
        dims.append(operator.index(d))
    return tuple(dims)


def _shape_or_scalar(size):
    s = _size(size)
    return () if s is None else s


def _float_param(x):
    """A float parameter: Python numbers and minpy arrays pass through; the rest through NumPy's float
    conversion (complex -> TypeError, strings -> ValueError, as NumPy's)."""
    if isinstance(x, (_ndarray, float, int)):
        if isinstance(x, _ndarray) and x.dtype.kind == "c":
            raise TypeError("float() argument must be a string or a real number, not 'complex'")
        return x
    a = _np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError("float() argument must be a string or a real number, not 'complex'")
    return a.astype(_np.float64)


def _int_param(x):
    """An integer parameter (binomial's n): floats truncate toward zero, as NumPy's cast."""
    if isinstance(x, (_ndarray, int)):
        return x
    a = _np.asarray(x)
    if a.dtype.kind == "c":
        raise TypeError("int() argument must be a real number, not 'complex'")
    if a.dtype.kind not in "biu":
        a = a.astype(_np.float64).astype(_np.int64)
    return a


def _is_int_scalar(x):
    return isinstance(x, (int, _np.integer)) or (isinstance(x, _np.bool_))


def _int_bounds(dt):
    if dt.kind == "b":
        return 0, 1
    info = _np.iinfo(dt)
    return int(info.min), int(info.max)


def _integers(bitgen, low, high, size, dtype, endpoint, name):
    dt = _np.dtype(dtype)
    if dt.kind not in "iub":
        raise TypeError(f"Unsupported dtype {dt!r} for {name}")
    if high is None:
        low, high = 0, low
    size = _size(size)
    if _is_int_scalar(low) and _is_int_scalar(high):
        # Python ints may exceed 64 bits (uint64's exclusive high is 2**64): checked here exactly.
        lo, hi = int(low), int(high) - (0 if endpoint else 1)
        tmin, tmax = _int_bounds(dt)
        if lo < tmin:
            raise ValueError(f"low is out of bounds for {dt.name}")
        if hi > tmax:
            raise ValueError(f"high is out of bounds for {dt.name}")
        if lo > hi:
            raise ValueError("low > high" if endpoint else "high <= 0" if lo == 0 else "low >= high")
        wide = _np.uint64 if dt.kind == "u" else _np.int64
        return bitgen.integers(wide(lo), wide(hi), dt, size, True)
    if not isinstance(low, _ndarray):
        low = _np.asarray(low)
    if not isinstance(high, _ndarray):
        high = _np.asarray(high)
    if low.dtype.kind in "USO":
        low = low.astype(_np.int64)  # NumPy converts strings and Python objects with int()
    if high.dtype.kind in "USO":
        high = high.astype(_np.int64)
    return bitgen.integers(low, high, dt, size, endpoint)


def _check_p(p, pop_size, legacy):
    """NumPy's validation of choice's p; returns it as a 1-d float64 NumPy array."""
    atol = math.sqrt(_np.finfo(_np.float64).eps)
    if isinstance(p, (_np.ndarray, _ndarray)) and p.dtype.kind == "f":
        atol = max(atol, math.sqrt(_np.finfo(p.dtype).eps))
    p = _np.asarray(p, dtype=_np.float64)
    if p.ndim != 1:
        raise ValueError("'p' must be 1-dimensional")
    if p.size != pop_size:
        raise ValueError("'a' and 'p' must have same size")
    p_sum = math.fsum(p.tolist())
    if math.isnan(p_sum):
        raise ValueError("probabilities contain NaN")
    if _np.any(p < 0):
        raise ValueError("probabilities are not non-negative")
    if abs(p_sum - 1.0) > atol:
        raise ValueError("probabilities do not sum to 1" if legacy else
                         "Probabilities do not sum to 1. See Notes section of docstring for more information.")
    return p


def _asarray_keep(x):
    """x as a minpy array when minpy can hold its dtype, else as a NumPy array (strings, objects)."""
    if isinstance(x, _ndarray):
        return x
    a = _np.asarray(x)
    if a.dtype.kind in "biufc" and a.dtype.byteorder != ">":
        return _core.asarray(a)
    return a


def _take(a, idx, axis):
    if isinstance(a, _np.ndarray):
        return _np.take(a, _np.asarray(idx), axis=axis)
    r = _fallback.call_numpy("random.choice", _np.take, (a, idx), {"axis": axis})
    return r if isinstance(r, _ndarray) else _core.asarray(r)


class _Base:
    """What RandomState and Generator share: the engine generator and the seeded NumPy fallback."""

    def _reseed(self, seed_seq):
        k0, k1 = (int(v) for v in seed_seq.generate_state(2, _np.uint64))
        if getattr(self, "_bitgen", None) is None:
            self._bitgen = _core.Philox(k0, k1, 0)
        else:
            self._bitgen.set_state(k0, k1, 0)

    # -- choice, shared; legacy selects NumPy's RandomState messages and restrictions --
    def _choice(self, a, size, replace, p, axis, shuffle, legacy):
        shape = _size(size)
        if shape is not None and any(s < 0 for s in shape):
            raise ValueError("negative dimensions are not allowed")
        n_samples = 1 if shape is None else math.prod(shape)
        pop_is_int = False
        if isinstance(a, _ndarray) and a.ndim == 0 or not isinstance(a, _ndarray) and _np.ndim(a) == 0:
            a0 = _np.asarray(a)
            if a0.dtype.kind not in "iub":
                raise ValueError("a must be 1-dimensional or an integer" if legacy else
                                 "a must be a sequence or an integer, not %s" % type(a))
            pop_size = int(a0)
            pop_is_int = True
            if pop_size <= 0 and n_samples != 0:
                raise ValueError("a must be greater than 0 unless no samples are taken" if legacy else
                                 "a must be a positive integer unless no samples are taken")
        else:
            a = _asarray_keep(a)
            if legacy and a.ndim != 1:
                raise ValueError("a must be 1-dimensional")
            if not legacy:
                axis = operator.index(axis)
                if not -a.ndim <= axis < a.ndim:
                    raise _np.exceptions.AxisError(axis, a.ndim)
                axis %= a.ndim
            pop_size = a.shape[0 if legacy else axis]
            if pop_size == 0 and n_samples != 0:
                raise ValueError("'a' cannot be empty unless no samples are taken" if legacy else
                                 "a cannot be empty unless no samples are taken")
        if p is not None:
            p = _check_p(p, pop_size, legacy)
        out_shape = () if shape is None else shape
        if replace:
            if n_samples == 0:
                idx = _core.empty(out_shape, _np.int64)
            elif p is not None:
                cdf = _np.cumsum(p)
                cdf /= cdf[-1]
                idx = self._bitgen.choice_cdf(cdf, out_shape)
            else:
                idx = self._bitgen.integers(0, pop_size - 1, _np.int64, out_shape, True)
        else:
            if n_samples > pop_size:
                raise ValueError("Cannot take a larger sample than population when 'replace=False'" if legacy
                                 else "Cannot take a larger sample than population when replace is False")
            if p is not None:
                if _np.count_nonzero(p > 0) < n_samples:
                    raise ValueError("Fewer non-zero entries in p than size")
                # Exponential clocks: the k smallest of -log(U_i)/p_i, in order, are distributed as
                # k successive draws without replacement with weights p.
                u = _np.asarray(self._bitgen.random((pop_size,), _np.float64))
                with _np.errstate(divide="ignore"):
                    keys = -_np.log1p(-u) / p
                order = _np.argsort(keys, kind="stable")[:n_samples]
                idx = _core.asarray(order.astype(_np.int64))
            else:
                idx = self._bitgen.sample_without_replacement(pop_size, n_samples)
            if not shuffle:
                idx = _core.asarray(_np.sort(_np.asarray(idx)))
            idx = idx.reshape(out_shape)
        if pop_is_int:
            return idx
        return _take(a, idx, 0 if legacy else axis)

    def _permutation(self, x, axis, legacy):
        if isinstance(x, (int, _np.integer)):
            return self._bitgen.permutation(int(x))
        if not isinstance(x, _ndarray) and _np.ndim(x) < 1 or isinstance(x, _ndarray) and x.ndim < 1:
            if legacy:
                raise IndexError("x must be an integer or at least 1-dimensional")
            raise _np.exceptions.AxisError(axis, 0)
        arr = _asarray_keep(x)
        if not legacy:
            axis = operator.index(axis)
            if not -arr.ndim <= axis < arr.ndim:
                raise _np.exceptions.AxisError(axis, arr.ndim)
            axis %= arr.ndim
        if isinstance(arr, _np.ndarray):  # a dtype minpy does not hold: permute NumPy's array
            perm = _np.asarray(self._bitgen.permutation(arr.shape[axis]))
            return _np.take(arr, perm, axis=axis)
        if axis == 0:
            return self._bitgen.permutation_of(arr)
        moved = _core.moveaxis(arr, axis, 0)
        return _core.moveaxis(self._bitgen.permutation_of(moved), 0, axis)

    def _shuffle(self, x, axis):
        if isinstance(x, _ndarray):
            if x.ndim == 0:
                raise TypeError("len() of unsized object")
            if axis != 0:
                axis = operator.index(axis)
                if not -x.ndim <= axis < x.ndim:
                    raise _np.exceptions.AxisError(axis, x.ndim)
                x = _core.moveaxis(x, axis, 0)
            self._bitgen.shuffle(x)
            return None
        if isinstance(x, _np.ndarray):
            if x.ndim == 0:
                raise TypeError("len() of unsized object")
            if axis != 0:
                x = _np.moveaxis(x, axis, 0)
            perm = _np.asarray(self._bitgen.permutation(len(x)))
            x[...] = x[perm]
            return None
        n = len(x)  # TypeError for objects without a length, as NumPy
        perm = _np.asarray(self._bitgen.permutation(n)).tolist()
        items = [x[i] for i in perm]
        x[:] = items
        return None


class RandomState(_Base):
    """NumPy's legacy RandomState API (MinPy's np.random.* functions) on the Philox engine."""

    def __init__(self, seed=None):
        self._bitgen = None
        self._np_state = _np.random.RandomState()
        self.seed(seed)

    def seed(self, seed=None):
        """Reseeds. Accepts what NumPy's RandomState.seed accepts (None, 0 <= int < 2**32, arrays)."""
        self._np_state.seed(seed)  # NumPy's validation (and the fallback's generator)
        if seed is None:
            ss = _np.random.SeedSequence()
        else:
            s = _np.asarray(seed)
            ss = _np.random.SeedSequence([int(v) for v in s.ravel()] if s.ndim else int(s))
        self._reseed(ss)

    def get_state(self, legacy=True):
        """minpy's state: {'bit_generator': 'Philox4x64-10', 'key': (k0, k1), 'counter': c, ...}."""
        return {"bit_generator": "Philox4x64-10", "key": tuple(self._bitgen.key),
                "counter": self._bitgen.counter, "fallback": self._np_state.get_state()}

    def set_state(self, state):
        if not isinstance(state, dict) or state.get("bit_generator") != "Philox4x64-10":
            raise ValueError("state must be a dict returned by minpy's get_state()")
        k0, k1 = state["key"]
        self._bitgen.set_state(int(k0), int(k1), int(state["counter"]))
        if "fallback" in state:
            self._np_state.set_state(state["fallback"])

    def random_sample(self, size=None):
        return self._bitgen.random(_shape_or_scalar(size), _np.float64)

    random = random_sample
    sample = random_sample
    ranf = random_sample

    def rand(self, *args):
        return self._bitgen.random(_dims(args), _np.float64)

    def randn(self, *args):
        return self._bitgen.standard_normal(_dims(args), _np.float64)

    def standard_normal(self, size=None):
        return self._bitgen.standard_normal(_shape_or_scalar(size), _np.float64)

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._bitgen.uniform(_float_param(low), _float_param(high), _size(size), True)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return self._bitgen.normal(_float_param(loc), _float_param(scale), _size(size))

    def randint(self, low, high=None, size=None, dtype=int):
        return _integers(self._bitgen, low, high, size, dtype, False, "randint")

    def binomial(self, n, p, size=None):
        return self._bitgen.binomial(_int_param(n), _float_param(p), _size(size))

    def choice(self, a, size=None, replace=True, p=None):
        return self._choice(a, size, replace, p, 0, True, legacy=True)

    def permutation(self, x):
        return self._permutation(x, 0, legacy=True)

    def shuffle(self, x):
        return self._shuffle(x, 0)

    def __getattr__(self, name):
        # Distributions minpy does not implement: NumPy's, on this object's seeded NumPy state.
        if name.startswith("_") or not hasattr(_np.random.RandomState, name):
            raise AttributeError(f"'RandomState' object has no attribute {name!r}")
        return _fallback.wrap(f"random.{name}", getattr(self._np_state, name))

    def __repr__(self):
        return "RandomState(Philox4x64-10)"


class Generator(_Base):
    """NumPy's Generator API on the Philox engine; create it with default_rng(seed)."""

    def __init__(self, seed_seq=None):
        if seed_seq is None:
            seed_seq = _np.random.SeedSequence()
        self._bitgen = None
        self._seed_seq = seed_seq
        self._np_gen = None
        self._reseed(seed_seq)

    def random(self, size=None, dtype=_np.float64, out=None):
        return self._floats(self._bitgen.random, "random", size, dtype, out)

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        return self._floats(self._bitgen.standard_normal, "standard_normal", size, dtype, out)

    def _floats(self, fn, name, size, dtype, out):
        dt = _np.dtype(dtype)
        if dt not in _FLOATS:
            raise TypeError(f"Unsupported dtype {dt!r} for {name}")
        shape = _size(size)
        if out is None:
            return fn(() if shape is None else shape, dt)
        if not isinstance(out, _ndarray):
            raise TypeError("out must be a minpy array")
        if out.dtype != dt:
            raise TypeError(f"Supplied output array has the wrong type. Expected {dt}, got {out.dtype}")
        if not (out.flags.c_contiguous and out.flags.writeable):
            raise ValueError("Supplied output array is not contiguous, writable or aligned.")
        if shape is not None and shape != out.shape:
            raise ValueError("size must match out.shape when used together")
        out[...] = fn(out.shape, dt)
        return out

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._bitgen.uniform(_float_param(low), _float_param(high), _size(size), False)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return self._bitgen.normal(_float_param(loc), _float_param(scale), _size(size))

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        return _integers(self._bitgen, low, high, size, dtype, bool(endpoint), "integers")

    def binomial(self, n, p, size=None):
        return self._bitgen.binomial(_int_param(n), _float_param(p), _size(size))

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):
        return self._choice(a, size, replace, p, axis, shuffle, legacy=False)

    def permutation(self, x, axis=0):
        return self._permutation(x, axis, legacy=False)

    def shuffle(self, x, axis=0):
        return self._shuffle(x, axis)

    def __getattr__(self, name):
        # Distributions minpy does not implement: NumPy's Generator, seeded from this one's seed.
        if name.startswith("_") or not hasattr(_np.random.Generator, name):
            raise AttributeError(f"'Generator' object has no attribute {name!r}")
        if self._np_gen is None:
            self._np_gen = _np.random.Generator(_np.random.PCG64(self._seed_seq.spawn(1)[0]))
        return _fallback.wrap(f"random.Generator.{name}", getattr(self._np_gen, name))

    def __repr__(self):
        return "Generator(Philox4x64-10)"


def default_rng(seed=None):
    """A Generator seeded like NumPy's default_rng: None, int >= 0, sequence of ints, SeedSequence."""
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, _np.random.SeedSequence):
        return Generator(seed)
    if isinstance(seed, _np.random.BitGenerator):
        return Generator(seed.seed_seq)
    if isinstance(seed, _ndarray):
        seed = _np.asarray(seed)
    return Generator(_np.random.SeedSequence(seed))


# ---- the module-level legacy functions: methods of one global RandomState ----
_global = RandomState()
seed = _global.seed
get_state = _global.get_state
set_state = _global.set_state
rand = _global.rand
randn = _global.randn
random = _global.random_sample
random_sample = _global.random_sample
sample = _global.random_sample
ranf = _global.random_sample
standard_normal = _global.standard_normal
uniform = _global.uniform
normal = _global.normal
randint = _global.randint
binomial = _global.binomial
choice = _global.choice
permutation = _global.permutation
shuffle = _global.shuffle


def __getattr__(name):
    """Everything else in numpy.random: NumPy's, through the fallback, on the global seeded state."""
    if name.startswith("__"):
        raise AttributeError(f"module 'minpy.numpy.random' has no attribute {name!r}")
    try:
        value = getattr(_np.random, name)
    except AttributeError:
        raise AttributeError(f"module 'minpy.numpy.random' has no attribute {name!r}") from None
    if callable(value) and not isinstance(value, type):
        if hasattr(_np.random.RandomState, name):
            value = getattr(_global._np_state, name)
        value = _fallback.wrap(f"random.{name}", value)
    globals()[name] = value
    return value
