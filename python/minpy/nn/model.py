"""Model base class (MinPy's `minpy.nn.model`, from CS231n).

A model declares its trainable parameters with `add_param(name, shape, **config)` (the Solver
initialises them into `params`), its non-trained state (e.g. batchnorm running statistics) with
`add_aux_param`, and implements `forward(X, mode)` and `loss(predict, y)`.

Checkpoints: `save(prefix)` writes `<prefix>.params`, an `.npz` archive (NumPy's `savez` format,
keys `param_<name>` and `aux_param_<name>`; no h5py needed) and `load(prefix)` reads it back,
writing into the existing arrays in place so references held elsewhere see the loaded values.
"""
import numpy as _onp

import minpy.numpy as _mnp

__all__ = ["ModelBase", "ParamsNameNotFoundError", "UnknownAccessModeError"]


class ParamsNameNotFoundError(ValueError):
    """A parameter name that the model does not have."""


class UnknownAccessModeError(ValueError):
    """An unexpected access mode."""


def _as_minpy(value):
    return value if isinstance(value, _mnp.ndarray) else _mnp.array(value)


class ModelBase:
    """Base class of a neural network model.

    Attributes: `params` (name -> minpy array, the trained parameters), `param_configs` (name ->
    {'shape': ..., optional 'init_rule', 'init_config', ...}), `aux_params` (name -> array, state
    that is not trained) and `aux_param_configs` (their initial values)."""

    def __init__(self):
        self.params = {}
        self.param_configs = {}
        self.aux_params = {}
        self.aux_param_configs = {}

    def add_param(self, name, shape, **kwargs):
        """Declares the trainable parameter `name` of `shape`; kwargs (e.g. `init_rule='constant'`,
        `init_config={'value': 1.0}`) go into its config. Returns the model (chainable)."""
        if name in self.param_configs:
            raise ValueError(f"[ModelBase] Duplicate parameter name {name!r}.")
        shape = (int(shape),) if isinstance(shape, (int, _onp.integer)) else tuple(int(s) for s in shape)
        self.param_configs[name] = {"shape": shape}
        self.param_configs[name].update(kwargs)
        return self

    def add_params(self, param_dict):
        """Declares several parameters: name -> config dict (with at least 'shape'). Chainable."""
        for name, pconfig in param_dict.items():
            if name in self.param_configs:
                raise ValueError(f"[ModelBase] Duplicate parameter name {name!r}.")
            if "shape" not in pconfig:
                raise ValueError(f"[ModelBase] The config of parameter {name!r} has no 'shape'.")
            self.param_configs[name] = dict(pconfig)
        return self

    def add_aux_param(self, name, value):
        """Adds the auxiliary (not trained) array `name` with its initial `value`. Chainable."""
        if name in self.aux_param_configs:
            raise ValueError(f"[ModelBase] Duplicate auxiliary parameter name {name!r}.")
        # None is allowed (MinPy's examples declare batchnorm statistics as None and let the
        # first forward pass fill them in); NumPy arrays become minpy arrays.
        if isinstance(value, _onp.ndarray):
            value = _mnp.array(value)
        # The config keeps the initial value (Solver.init restores it); the live array is updated
        # in place by training.
        self.aux_param_configs[name] = value.copy() if isinstance(value, _mnp.ndarray) else value
        self.aux_params[name] = value
        return self

    def forward_batch(self, batch, mode):
        """The model's output for a DataBatch; by default `forward(batch.data[0], mode)`."""
        return self.forward(batch.data[0], mode)

    def loss_batch(self, batch, forward_outputs):
        """The loss of a DataBatch given the output; by default `loss(output, batch.label[0])`."""
        return self.loss(forward_outputs, batch.label[0])

    def forward(self, X, mode):
        """The output for input X in `mode` ('train' or 'test')."""
        raise NotImplementedError()

    def loss(self, predict, y):
        """The loss (a scalar) of the output `predict` for labels `y`."""
        raise NotImplementedError()

    # -- checkpoints -------------------------------------------------------------------------
    @staticmethod
    def _file(prefix):
        return "%s.params" % prefix

    def save(self, prefix):
        """Writes the parameters and auxiliary parameters to `<prefix>.params` (npz format)."""
        arrays = {}
        for k, v in self.params.items():
            arrays["param_%s" % k] = _onp.asarray(_as_minpy(v).asnumpy())
        for k, v in self.aux_params.items():
            if v is not None:  # not filled in yet: nothing to save
                arrays["aux_param_%s" % k] = _onp.asarray(_as_minpy(v).asnumpy())
        # Through a file object so NumPy does not append '.npz' to the name.
        with open(self._file(prefix), "wb") as f:
            _onp.savez(f, **arrays)

    def load(self, prefix):
        """Reads `<prefix>.params`. Existing arrays are overwritten in place (same shape
        required); names the model has no array for yet are created. A parameter of the model
        missing from the file raises ParamsNameNotFoundError."""
        with _onp.load(self._file(prefix), allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
        plan = []  # everything is checked before anything is written
        for prefix_, target in (("param_", self.params), ("aux_param_", self.aux_params)):
            names = sorted(k[len(prefix_):] for k in stored if k.startswith(prefix_))
            missing = [k for k, v in target.items() if k not in names and v is not None]
            if missing:
                raise ParamsNameNotFoundError(
                    f"[ModelBase.load] {self._file(prefix)} has no value for {sorted(missing)}.")
            for k in names:
                value, cur = stored[prefix_ + k], target.get(k)
                if isinstance(cur, _mnp.ndarray) and tuple(cur.shape) != value.shape:
                    raise ValueError(f"[ModelBase.load] {k!r} has shape {tuple(cur.shape)} in the "
                                     f"model but {value.shape} in the file.")
                plan.append((target, k, value, cur))
        for target, k, value, cur in plan:
            if isinstance(cur, _mnp.ndarray):
                cur[...] = value
            else:
                target[k] = _mnp.array(value)
