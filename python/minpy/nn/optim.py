"""First-order update rules (MinPy's `minpy.nn.optim`, from CS231n).

Each rule is `rule(w, dw, config) -> (next_w, config)`: `config` holds the hyperparameters
(missing ones get the defaults below) and the rule's state (velocity, cache, moments). The update
is done IN PLACE: `next_w` *is* `w`, so every reference to the parameter (a model's `params`
dict, views of it, closures) sees the new values. State arrays live in `config` and are updated in
place as well. `dw` may be a number (MinPy's gradient of an unused parameter is 0.0).

Defaults: sgd (learning_rate 1e-2); sgd_momentum (1e-2, momentum 0.9); rmsprop (1e-2,
decay_rate 0.99, epsilon 1e-8); adam (1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8).
"""
import minpy.numpy as np

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam"]


def _check(w, config, rule):
    if not isinstance(w, np.ndarray):
        raise TypeError(f"[optim.{rule}] w must be a minpy array (updated in place), not {type(w).__name__}.")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise TypeError(f"[optim.{rule}] config must be a dict or None, not {type(config).__name__}.")
    return config


def _state(config, key, w):
    """The state array `key` of w's shape and dtype (zeros the first time)."""
    s = config.get(key)
    if s is None:
        s = np.zeros(tuple(w.shape), dtype=w.dtype)
        config[key] = s
    return s


def sgd(w, dw, config=None):
    """w -= learning_rate * dw."""
    config = _check(w, config, "sgd")
    lr = config.setdefault("learning_rate", 1e-2)
    w -= lr * dw
    return w, config


def sgd_momentum(w, dw, config=None):
    """v = momentum * v - learning_rate * dw; w += v (state: config['velocity'])."""
    config = _check(w, config, "sgd_momentum")
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    v = _state(config, "velocity", w)
    v *= mu
    v -= lr * dw
    w += v
    return w, config


def rmsprop(x, dx, config=None):
    """cache = decay_rate * cache + (1 - decay_rate) * dx**2;
    x -= learning_rate * dx / (sqrt(cache) + epsilon) (state: config['cache'])."""
    config = _check(x, config, "rmsprop")
    lr = config.setdefault("learning_rate", 1e-2)
    decay = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = _state(config, "cache", x)
    cache *= decay
    cache += (1 - decay) * (dx * dx)
    x -= lr * dx / (np.sqrt(cache) + eps)
    return x, config


def adam(x, dx, config=None):
    """Adam with bias correction (state: config['m'], config['v'], step count config['t']):
    m = beta1 m + (1 - beta1) dx; v = beta2 v + (1 - beta2) dx**2; t += 1;
    x -= learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + epsilon)."""
    config = _check(x, config, "adam")
    lr = config.setdefault("learning_rate", 1e-3)
    b1 = config.setdefault("beta1", 0.9)
    b2 = config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m = _state(config, "m", x)
    v = _state(config, "v", x)
    t = config.setdefault("t", 0) + 1
    config["t"] = t
    m *= b1
    m += (1 - b1) * dx
    v *= b2
    v += (1 - b2) * (dx * dx)
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    x -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return x, config
