"""Parameter initialisers (MinPy's `minpy.nn.init`): each is `rule(shape, config) -> minpy array`.

`config` is a dict of options (None means {}); missing options are filled in with their defaults
(`setdefault`, as MinPy does, so the config shows what was used). Every rule also takes
`config['dtype']` (float64 by default). Random rules draw from `minpy.numpy.random`, so
`minpy.numpy.random.seed` makes them reproducible.

Difference from MinPy (bug fixed): `xavier` draws from the uniform distribution on [-a, a] with
a = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio); MinPy multiplied a *Gaussian* by that bound,
which gives three times the intended variance.
"""
import math

import minpy.numpy as np
import minpy.numpy.random as npr

__all__ = ["xavier", "gaussian", "constant", "custom"]


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _config(config):
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise TypeError(f"[init] config must be a dict or None, not {type(config).__name__}.")
    return config


def xavier(shape, config=None):
    """Glorot-uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) with fan_out = shape[0] and
    fan_in = prod(shape[1:]) (0 for 1-d shapes), as MinPy counts them."""
    shape, config = _shape(shape), _config(config)
    dtype = config.setdefault("dtype", np.float64)
    fan_out = shape[0] if shape else 1
    fan_in = math.prod(shape[1:]) if len(shape) > 1 else 0
    if fan_in + fan_out == 0:
        return np.zeros(shape, dtype=dtype)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return npr.uniform(-bound, bound, size=shape).astype(dtype, copy=False)


def constant(shape, config=None):
    """Every element equal to `config['value']` (default 0.0)."""
    shape, config = _shape(shape), _config(config)
    dtype = config.setdefault("dtype", np.float64)
    return np.full(shape, config.setdefault("value", 0.0), dtype=dtype)


def gaussian(shape, config=None):
    """Normal with mean `config['mu']` (0.0) and standard deviation `config['stdvar']` (0.001;
    MinPy's name for it)."""
    shape, config = _shape(shape), _config(config)
    dtype = config.setdefault("dtype", np.float64)
    mu = config.setdefault("mu", 0.0)
    std = config.setdefault("stdvar", 0.001)
    return (npr.randn(*shape) * std + mu).astype(dtype, copy=False)


def custom(shape, config=None):
    """`config['function'](shape)` (default: zeros), returned as a minpy array."""
    shape, config = _shape(shape), _config(config)
    func = config.setdefault("function", np.zeros)
    out = func(shape)
    out = out if isinstance(out, np.ndarray) else np.array(out)
    if tuple(out.shape) != shape:
        raise ValueError(f"[init.custom] function returned shape {tuple(out.shape)}, expected {shape}.")
    return out
