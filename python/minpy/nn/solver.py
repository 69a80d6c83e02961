"""Training loop (MinPy's `minpy.nn.solver.Solver`, from CS231n).

    solver = Solver(model, train_iter, test_iter, update_rule='adam',
                    optim_config={'learning_rate': 1e-3}, num_epochs=10)
    solver.init()      # initialise model.params from model.param_configs
    solver.train()     # model.params ends up holding the best parameters seen

Keyword arguments (anything else raises ValueError): task_type ('classification' or
'regression'), init_rule ('xavier'; a name in `minpy.nn.init` or a function), init_config ({}),
update_rule ('sgd'; a name in `minpy.nn.optim` or a function), optim_config ({}), lr_decay (1.0,
applied to every parameter's learning_rate after each epoch), num_epochs (10),
train_acc_num_samples (1000), print_every (10), verbose (True), and, new here: callback
(`callback(solver)` after each epoch), iter_callback (`iter_callback(solver)` after each
iteration) and progress_bar (True: a tqdm bar per epoch on stderr when tqdm is importable and
verbose is on; the MinPy lines are printed to stdout either way).

Each step runs `minpy.core.grad_and_loss(loss_func, argnum=range(len(params)))` on the model's
parameter arrays and applies the update rule in place. The model must read its parameters from
`self.params` in forward/loss: during the step that dict holds the handles `grad` differentiates. Histories: `loss_history` (floats, one per
iteration), `train_acc_history` and `val_acc_history` (one per epoch; for regression these hold
the mean loss).

Differences from MinPy (bugs fixed): `best_params` holds copies (MinPy kept references, so "best"
was just "last"); for regression the best model is the one with the *lowest* validation loss;
padded samples do not count in accuracies; `task_type` is compared with == and checked up front;
the best parameters are written back into the model's arrays in place at the end; parameters not
yet initialised are initialised by `train()`.
"""
import copy
import sys
import time

import numpy as _onp

import minpy.numpy as np
from minpy import core
from minpy.nn import init as _init
from minpy.nn import optim as _optim

try:  # optional: a progress bar per epoch
    from tqdm import tqdm as _tqdm
except ImportError:  # pragma: no cover - depends on the environment
    _tqdm = None

__all__ = ["Solver"]

_KWARGS = {
    "task_type": "classification", "init_rule": "xavier", "init_config": None,
    "update_rule": "sgd", "optim_config": None, "lr_decay": 1.0, "num_epochs": 10,
    "train_acc_num_samples": 1000, "print_every": 10, "verbose": True, "callback": None,
    "iter_callback": None, "progress_bar": True,
}


def _rule(module, rule, kind):
    if callable(rule):
        return rule
    if isinstance(rule, str) and rule in getattr(module, "__all__", ()):
        return getattr(module, rule)
    raise ValueError(f'[Solver] Invalid {kind} "{rule}".')


def _copy(v):
    return v.copy() if isinstance(v, (np.ndarray, _onp.ndarray)) else copy.deepcopy(v)


class Solver:
    """Trains `model` (a `minpy.nn.model.ModelBase`) on batches of `train_dataiter`, evaluating on
    `test_dataiter` (may be None) after each epoch. See the module docstring for the kwargs."""

    def __init__(self, model, train_dataiter, test_dataiter, **kwargs):
        self.model = model
        self.train_dataiter = train_dataiter
        self.test_dataiter = test_dataiter
        unknown = [k for k in kwargs if k not in _KWARGS]
        if unknown:
            raise ValueError("Unrecognized arguments %s" % ", ".join('"%s"' % k for k in unknown))
        opts = dict(_KWARGS, **kwargs)
        self.task_type = opts["task_type"]
        if self.task_type not in ("classification", "regression"):
            raise ValueError(f"[Solver] task_type must be 'classification' or 'regression', "
                             f"not {self.task_type!r}.")
        self.init_rule = opts["init_rule"]
        self.init_config = dict(opts["init_config"] or {})
        self.update_rule = _rule(_optim, opts["update_rule"], "update_rule")
        self.optim_config = dict(opts["optim_config"] or {})
        self.lr_decay = float(opts["lr_decay"])
        self.num_epochs = int(opts["num_epochs"])
        self.train_acc_num_samples = opts["train_acc_num_samples"]
        self.print_every = max(1, int(opts["print_every"]))
        self.verbose = bool(opts["verbose"])
        self.callback = opts["callback"]
        self.iter_callback = opts["iter_callback"]
        self.progress_bar = bool(opts["progress_bar"])
        if self.num_epochs < 0:
            raise ValueError(f"[Solver] num_epochs must be >= 0, got {self.num_epochs}.")
        for name in ("callback", "iter_callback"):
            if getattr(self, name) is not None and not callable(getattr(self, name)):
                raise TypeError(f"[Solver] {name} must be callable.")
        self._reset()

    # -- setup -------------------------------------------------------------------------------
    def _reset(self):
        """Book-keeping: histories, per-parameter optimiser and initialiser configs."""
        self.epoch = 0
        self.iteration = 0
        self.best_val_acc = None
        self.best_params = {}
        self.best_aux_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self._reset_data_iterators()
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.param_configs}
        self.init_rules = {}
        self.init_configs = {}
        for p, pconf in self.model.param_configs.items():
            if "init_rule" in pconf:
                rule, conf = pconf["init_rule"], dict(pconf.get("init_config") or {})
            else:
                rule, conf = self.init_rule, dict(self.init_config)
            self.init_rules[p] = _rule(_init, rule, "init_rule")
            self.init_configs[p] = conf

    def _reset_data_iterators(self):
        for it in (self.train_dataiter, self.test_dataiter):
            if it is not None:
                it.reset()

    def _init_param(self, name):
        shape = self.model.param_configs[name]["shape"]
        value = self.init_rules[name](shape, self.init_configs[name])
        value = value if isinstance(value, np.ndarray) else np.array(value)
        cur = self.model.params.get(name)
        if isinstance(cur, np.ndarray) and tuple(cur.shape) == tuple(value.shape):
            cur[...] = value  # keep references to the parameter valid
        else:
            self.model.params[name] = value

    def init(self):
        """Initialises every parameter of model.param_configs (and the auxiliary parameters to
        their declared values)."""
        for name in self.model.param_configs:
            self._init_param(name)
        for name, value in self.model.aux_param_configs.items():
            self.model.aux_params[name] = _copy(value)

    # -- training ----------------------------------------------------------------------------
    def _step(self, batch):
        """One gradient update on `batch`; returns the loss as a float."""
        keys = list(self.model.params.keys())
        arrays = [self.model.params[k] for k in keys]

        def loss_func(*params):
            # minpy's grad differentiates w.r.t. the handles it passes in (fresh handles on the
            # same memory), not w.r.t. the caller's objects, so the model must see those handles:
            # they stand in for its parameters while forward and loss run.
            params_dict = self.model.params
            params_dict.update(zip(keys, params))
            try:
                predict = self.model.forward_batch(batch, mode="train")
                return self.model.loss_batch(batch, predict)
            finally:
                params_dict.update(zip(keys, arrays))

        grads, loss = core.grad_and_loss(loss_func, argnum=range(len(arrays)))(*arrays)
        loss = float(_onp.asarray(loss.asnumpy() if isinstance(loss, np.ndarray) else loss))
        self.loss_history.append(loss)
        for k, w, dw in zip(keys, arrays, grads):
            next_w, next_config = self.update_rule(w, dw, self.optim_configs[k])
            self.model.params[k] = next_w
            self.optim_configs[k] = next_config
        return loss

    def _eval_iter(self, dataiter, num_samples):
        """An iterator over (a random subset of) `dataiter` that leaves its position untouched."""
        from minpy.nn.io import NDArrayIter
        if isinstance(dataiter, NDArrayIter):
            n = dataiter.num_data
            if num_samples is not None and n > num_samples:
                return dataiter.getsubiter(num_samples)
            # A plain pass over the same arrays (views: nothing is copied).
            return NDArrayIter(dict(dataiter.data), dict(dataiter.label) or None,
                               batch_size=dataiter.batch_size, shuffle=False,
                               last_batch_handle="pad")
        if num_samples is not None and getattr(dataiter, "num_data", 0) > num_samples \
                and hasattr(dataiter, "getsubiter"):
            return dataiter.getsubiter(num_samples)
        dataiter.reset()
        return dataiter

    def check_accuracy(self, dataiter, num_samples=None):
        """Accuracy of the model on `dataiter` (classification: the fraction of argmax
        predictions equal to the labels; regression: the mean loss), on at most `num_samples`
        random samples when given. Padded samples are left out."""
        it = self._eval_iter(dataiter, num_samples)
        total, score = 0, 0.0
        for batch in it:
            pad = int(batch.pad or 0)
            predict = self.model.forward_batch(batch, mode="test")
            valid = int(predict.shape[0]) - pad
            if valid <= 0:
                continue
            if self.task_type == "classification":
                pred = _onp.asarray(predict.asnumpy())[:valid].argmax(axis=1)
                label = _onp.asarray(batch.label[0].asnumpy())[:valid]
                if label.ndim == 2 and label.shape[1] > 1:  # one-hot labels
                    label = label.argmax(axis=1)
                score += float(_onp.sum(pred == label.reshape(valid)))
            else:
                loss = self.model.loss(predict[:valid], batch.label[0][:valid])
                score += float(_onp.asarray(loss.asnumpy() if isinstance(loss, np.ndarray) else loss)) * valid
            total += valid
        return score / total if total else 0.0

    def _is_better(self, val):
        if self.best_val_acc is None:
            return True
        if self.task_type == "regression":
            return val < self.best_val_acc
        return val > self.best_val_acc

    def _print(self, line, bar):
        if bar is not None:
            bar.write(line, file=sys.stdout)
        else:
            print(line)

    def train(self):
        """Runs num_epochs epochs of updates; model.params ends with the best parameters."""
        missing = [p for p in self.model.param_configs if p not in self.model.params]
        for p in missing:
            self._init_param(p)
        per_epoch = self.train_dataiter.getnumiterations() if hasattr(
            self.train_dataiter, "getnumiterations") else None
        num_iterations = int(per_epoch * self.num_epochs) if per_epoch is not None else 0
        t = self.iteration
        target = "acc" if self.task_type == "classification" else "loss"
        for epoch in range(self.num_epochs):
            start = time.time()
            self.epoch = epoch + 1
            bar = None
            if self.verbose and self.progress_bar and _tqdm is not None:
                bar = _tqdm(total=per_epoch, desc=f"Epoch {self.epoch}/{self.num_epochs}",
                            leave=False, file=sys.stderr, dynamic_ncols=True)
            try:
                for batch in self.train_dataiter:
                    loss = self._step(batch)
                    if self.verbose and t % self.print_every == 0:
                        self._print("(Iteration %d / %d) loss: %f" % (t + 1, num_iterations, loss), bar)
                    t += 1
                    self.iteration = t
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                    if self.iter_callback is not None:
                        self.iter_callback(self)
            finally:
                if bar is not None:
                    bar.close()

            train_acc = self.check_accuracy(self.train_dataiter,
                                            num_samples=self.train_acc_num_samples)
            val_acc = (self.check_accuracy(self.test_dataiter)
                       if self.test_dataiter is not None else None)
            self.train_acc_history.append(train_acc)
            self.val_acc_history.append(val_acc)
            self._reset_data_iterators()
            if self.verbose:
                print("(Epoch {} / {}) train {}: {}, val {}: {}, time: {}.".format(
                    self.epoch, self.num_epochs, target, train_acc, target, val_acc,
                    time.time() - start))

            # Copies: the parameters keep changing in place after this epoch.
            if val_acc is None or self._is_better(val_acc):
                self.best_val_acc = val_acc
                self.best_params = {k: _copy(v) for k, v in self.model.params.items()}
                self.best_aux_params = {k: _copy(v) for k, v in self.model.aux_params.items()}

            for conf in self.optim_configs.values():
                if "learning_rate" in conf:
                    conf["learning_rate"] *= self.lr_decay
            if self.callback is not None:
                self.callback(self)

        # Swap the best parameters in, writing into the model's arrays.
        for store, best in ((self.model.params, self.best_params),
                            (self.model.aux_params, self.best_aux_params)):
            for k, v in best.items():
                cur = store.get(k)
                if isinstance(cur, np.ndarray) and tuple(cur.shape) == tuple(v.shape):
                    cur[...] = v
                else:
                    store[k] = _copy(v)
