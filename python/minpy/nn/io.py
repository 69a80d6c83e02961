"""Data iterators (MinPy's `minpy.nn.io`): DataBatch, DataIter and NDArrayIter.

`NDArrayIter` walks one or several arrays (NumPy or minpy, a list of them, or a dict of them) in
mini-batches of minpy arrays, as MXNet's iterator of the same name. The last incomplete batch is
handled by `last_batch_handle`:

- 'pad' (default): it wraps around to the start, and `batch.pad` says how many samples at its end
  are repeats (1000 samples, batch 128: 8 batches, the last one ends with samples 0..23).
- 'roll_over': it wraps around the same way but counts as real data (`pad` is 0); after `reset()`
  the next epoch starts just after the samples the wrap used, so every sample is seen equally
  often. `hard_reset()` starts from the first sample instead.
- 'discard': it is dropped (N // batch_size batches).

Differences from MinPy (bugs fixed): 'discard' really drops the tail; with `shuffle=True` the
order is drawn again at every `reset()` (MinPy shuffled once, at construction); `getindex()` and
`getnumiterations()` are ints; bad arguments raise ValueError/TypeError instead of asserting.
"""
import math
import pickle
from collections import OrderedDict

import numpy as _onp

import minpy.numpy as _mnp

__all__ = ["DataBatch", "DataIter", "NDArrayIter", "save_data_labels", "load_data_labels"]


class DataBatch:
    """One mini-batch: lists of data and label arrays, the number of padded samples and an index."""

    def __init__(self, data, label, pad=None, index=None):
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index

    def __repr__(self):
        shapes = lambda arrs: [tuple(a.shape) for a in (arrs or [])]  # noqa: E731
        return f"DataBatch(data={shapes(self.data)}, label={shapes(self.label)}, pad={self.pad})"


class DataIter:
    """The MXNet iterator protocol: `iter_next()` moves on, `getdata()`/`getlabel()`/`getpad()`/
    `getindex()` read the current batch; `next()` wraps them into a DataBatch."""

    def __init__(self):
        self.batch_size = 0

    def __iter__(self):
        return self

    def reset(self):
        """Go back to the start of the data."""

    def next(self):
        """The next DataBatch, or StopIteration at the end of the epoch."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        """Move to the next batch; False at the end."""
        return False

    def getdata(self):
        """The data arrays of the current batch."""
        return None

    def getlabel(self):
        """The label arrays of the current batch."""
        return None

    def getindex(self):
        """The index of the current batch."""
        return None

    def getpad(self):
        """How many samples at the end of the current batch are padding."""
        return 0


def _is_array(v):
    return isinstance(v, (_onp.ndarray, _mnp.ndarray))


def _to_minpy(v, name):
    if isinstance(v, _mnp.ndarray):
        arr = v
    elif isinstance(v, _onp.ndarray):
        arr = _mnp.array(v)
    else:
        try:
            arr = _mnp.array(v)
        except Exception as e:  # noqa: BLE001 - re-raised as the documented TypeError
            raise TypeError(f"[NDArrayIter] Invalid type {type(v).__name__} for {name!r}: expected a "
                            "numpy or minpy array (or nested lists of numbers).") from e
    if arr.ndim == 0:
        raise ValueError(f"[NDArrayIter] {name!r} must have a leading batch axis, got a 0-d array.")
    return arr


def _init_data(data, allow_empty, default_name):
    """[(name, minpy array)] from an array, a list of arrays, nested lists, or a dict."""
    if data is None:
        if not allow_empty:
            raise ValueError("[NDArrayIter] data must not be None.")
        return []
    if _is_array(data):
        items = [(default_name, data)]
    elif isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, (list, tuple)):
        if len(data) == 0:
            if not allow_empty:
                raise ValueError("[NDArrayIter] data must not be an empty list.")
            return []
        if all(_is_array(d) for d in data):
            if len(data) == 1:
                items = [(default_name, data[0])]
            else:
                items = [("_%d_%s" % (i, default_name), d) for i, d in enumerate(data)]
        else:
            # A (nested) list of numbers is one array.
            items = [(default_name, data)]
    else:
        raise TypeError("[NDArrayIter] Input must be a numpy or minpy array, a list of them, or a "
                        f"dict with them as values, not {type(data).__name__}.")
    return [(str(k), _to_minpy(v, k)) for k, v in items]


class NDArrayIter(DataIter):
    """Mini-batches over in-memory arrays.

    Parameters: `data` and `label` (an array, a list of arrays, or a dict name -> array; default
    names 'data' and 'softmax_label', '_<i>_data' for several), `batch_size`, `shuffle`, and
    `last_batch_handle` ('pad', 'roll_over' or 'discard'; see the module docstring). Batches are
    minpy arrays (views of the data when no shuffling or wrap-around is involved).
    """

    def __init__(self, data, label=None, batch_size=1, shuffle=False, last_batch_handle="pad"):
        super().__init__()
        if last_batch_handle not in ("pad", "roll_over", "discard"):
            raise ValueError("[NDArrayIter] last_batch_handle must be 'pad', 'roll_over' or "
                             f"'discard', not {last_batch_handle!r}.")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, _onp.integer)):
            raise TypeError(f"[NDArrayIter] batch_size must be an int, not {type(batch_size).__name__}.")
        batch_size = int(batch_size)
        self.data = _init_data(data, allow_empty=False, default_name="data")
        self.label = _init_data(label, allow_empty=True, default_name="softmax_label")
        self.data_list = [v for _, v in self.data] + [v for _, v in self.label]
        self.num_source = len(self.data_list)
        n = int(self.data_list[0].shape[0])
        for (k, v) in self.data + self.label:
            if int(v.shape[0]) != n:
                raise ValueError(f"[NDArrayIter] All arrays need the same number of samples: {k!r} has "
                                 f"{int(v.shape[0])}, expected {n}.")
        if batch_size < 1:
            raise ValueError(f"[NDArrayIter] batch_size must be positive, got {batch_size}.")
        if batch_size > n:
            raise ValueError(f"[NDArrayIter] batch_size ({batch_size}) must not exceed the number of "
                             f"samples ({n}).")
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.last_batch_handle = last_batch_handle
        self._total = n
        # 'discard' iterates over the whole batches only.
        self.num_data = n - n % batch_size if last_batch_handle == "discard" else n
        # Sample order (positions into the arrays); None means the identity (batches are views).
        self._order = None
        if self.shuffle:
            self._order = _onp.random.permutation(n)
        self.cursor = -batch_size

    # -- shapes ------------------------------------------------------------------------------
    @property
    def provide_data(self):
        """[(name, batch shape)] of the data arrays."""
        return [(k, (self.batch_size,) + tuple(v.shape[1:])) for k, v in self.data]

    @property
    def provide_label(self):
        """[(name, batch shape)] of the label arrays."""
        return [(k, (self.batch_size,) + tuple(v.shape[1:])) for k, v in self.label]

    # -- position ----------------------------------------------------------------------------
    def _reshuffle(self, start):
        # Only the samples this epoch has not consumed yet (from `start`) are redrawn, so a
        # roll-over continuation stays exact.
        if self.shuffle:
            if self._order is None:
                self._order = _onp.arange(self._total)
            self._order[start:] = _onp.random.permutation(self._order[start:])

    def hard_reset(self):
        """Back to the first sample, ignoring any roll-over."""
        self.cursor = -self.batch_size
        self._reshuffle(0)

    def reset(self):
        """Back to the start of the data; with 'roll_over', just after the samples already used by
        the last (wrapped) batch."""
        if self.last_batch_handle == "roll_over" and self.cursor > self.num_data:
            start = (self.cursor % self.num_data) % self.batch_size
            self.cursor = -self.batch_size + start
            self._reshuffle(start)
        else:
            self.cursor = -self.batch_size
            self._reshuffle(0)

    def iter_next(self):
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self):
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    # -- batch contents ----------------------------------------------------------------------
    def _positions(self):
        """Positions of the current batch's samples, or a (start, stop) pair for a plain slice."""
        if not 0 <= self.cursor < self.num_data:
            raise RuntimeError("[NDArrayIter] No current batch: call reset() (or next()) first.")
        end = self.cursor + self.batch_size
        if self._order is None and end <= self.num_data:
            return slice(self.cursor, end)
        if end <= self.num_data:
            pos = _onp.arange(self.cursor, end)
        else:
            # Wrap around to the start of this epoch's order ('pad' and 'roll_over').
            pos = _onp.concatenate([_onp.arange(self.cursor, self.num_data),
                                    _onp.arange(end - self.num_data) % self.num_data])
        if self._order is not None:
            pos = self._order[pos]
        return _mnp.array(pos.astype(_onp.int64))

    def _getdata(self, source):
        idx = self._positions()
        return [v[idx] for _, v in source]

    def getdata(self):
        return self._getdata(self.data)

    def getlabel(self):
        return self._getdata(self.label)

    def getpad(self):
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        return 0

    def getindex(self):
        """The number of the current batch within the epoch."""
        return self.cursor // self.batch_size

    def getsubiter(self, num_samples):
        """A new iterator over `num_samples` samples drawn at random without replacement (the
        Solver's training-accuracy subset); same batch size, 'pad' handling, not shuffled."""
        num_samples = int(num_samples)
        if not 0 < num_samples <= self._total:
            raise ValueError(f"[NDArrayIter] num_samples must be in [1, {self._total}], got {num_samples}.")
        mask = _mnp.array(_onp.random.permutation(self._total)[:num_samples].astype(_onp.int64))
        data = OrderedDict((k, v[mask]) for k, v in self.data)
        label = OrderedDict((k, v[mask]) for k, v in self.label)
        return NDArrayIter(data, label or None, batch_size=min(self.batch_size, num_samples),
                           shuffle=False, last_batch_handle="pad")

    def getnumiterations(self):
        """How many batches an epoch started from the first sample yields."""
        if self.last_batch_handle == "discard":
            return self.num_data // self.batch_size
        return math.ceil(self.num_data / self.batch_size)


def _host(v):
    return v.asnumpy() if isinstance(v, _mnp.ndarray) else v


def save_data_labels(data_vec, label_vec, file_name):
    """Pickles {'data': data_vec, 'labels': label_vec} to `file_name` (minpy arrays as NumPy)."""
    with open(file_name, "wb") as f:
        pickle.dump({"data": _host(data_vec), "labels": _host(label_vec)}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)


def load_data_labels(file_name):
    """(data_vec, label_vec) saved by `save_data_labels`. Unpickles: trusted files only."""
    with open(file_name, "rb") as f:
        data = pickle.load(f)
    return data["data"], data["labels"]
