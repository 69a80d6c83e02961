"""minpy.nn.io: NDArrayIter with MinPy's test_io expectations (batch counts, wrap-around padding,
order and data/label alignment) plus roll_over, discard, shuffling, names and errors."""
import os
from collections import OrderedDict

import numpy
import pytest

import minpy.numpy as np
from minpy.nn import io


def make(kind):
    """MinPy's fixture: 1000 samples (2, 2) and labels (1,), sample i holding i / 100."""
    lib = np if kind == "minpy" else numpy
    datas = lib.ones([1000, 2, 2])
    labels = lib.ones([1000, 1])
    for i in range(1000):
        datas[i] = i / 100
        labels[i] = i / 100
    return datas, labels


def label_counts(it):
    counts = [0] * 10
    for batch in it:
        label = batch.label[0].asnumpy().flatten()
        assert (batch.data[0].asnumpy()[:, 0, 0] == label).all()
        assert (batch.data[0][:, 0, 0].asnumpy() == label).all()
        for v in label:
            counts[int(v)] += 1
    return counts


@pytest.mark.parametrize("kind", ["minpy", "numpy"])
def test_minpy_test_io_batch_100(kind):
    datas, labels = make(kind)
    it = io.NDArrayIter(datas, labels, batch_size=100, shuffle=True, last_batch_handle="pad")
    assert sum(1 for _ in it) == 10
    it = io.NDArrayIter(datas, labels, batch_size=100, shuffle=False, last_batch_handle="pad")
    assert label_counts(it) == [100] * 10


@pytest.mark.parametrize("kind", ["minpy", "numpy"])
def test_minpy_test_io_pad_128(kind):
    datas, labels = make(kind)
    it = io.NDArrayIter(datas, labels, batch_size=128, shuffle=True, last_batch_handle="pad")
    assert sum(1 for _ in it) == 8
    it = io.NDArrayIter(datas, labels, batch_size=128, shuffle=False, last_batch_handle="pad")
    # The last batch wraps around to samples 0..23, all of label 0.
    assert label_counts(it) == [124] + [100] * 9


def test_batches_are_minpy_arrays_in_order():
    x = numpy.arange(10 * 3, dtype=numpy.float64).reshape(10, 3)
    y = numpy.arange(10)
    it = io.NDArrayIter(x, y, batch_size=4)
    batches = list(it)
    assert len(batches) == 3
    for b in batches:
        assert isinstance(b.data[0], np.ndarray) and isinstance(b.label[0], np.ndarray)
        assert b.data[0].shape == (4, 3) and b.label[0].shape == (4,)
        assert b.data[0].dtype == numpy.float64 and b.label[0].dtype == y.dtype
    numpy.testing.assert_array_equal(batches[0].data[0].asnumpy(), x[0:4])
    numpy.testing.assert_array_equal(batches[1].label[0].asnumpy(), y[4:8])
    numpy.testing.assert_array_equal(batches[2].data[0].asnumpy(), x[[8, 9, 0, 1]])
    numpy.testing.assert_array_equal(batches[2].label[0].asnumpy(), [8, 9, 0, 1])
    assert [b.pad for b in batches] == [0, 0, 2]
    assert [b.index for b in batches] == [0, 1, 2]


def test_reset_and_epochs():
    x = numpy.arange(10.0)
    it = io.NDArrayIter(x, batch_size=5)
    first = [b.data[0].asnumpy().tolist() for b in it]
    assert list(it) == []  # exhausted until reset
    it.reset()
    second = [b.data[0].asnumpy().tolist() for b in it]
    assert first == second == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_discard():
    x = numpy.arange(10.0)
    it = io.NDArrayIter(x, numpy.arange(10), batch_size=4, last_batch_handle="discard")
    batches = list(it)
    assert len(batches) == 2 == it.getnumiterations()
    assert [b.data[0].asnumpy().tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert all(b.pad == 0 for b in batches)
    it.reset()
    assert len(list(it)) == 2


def test_roll_over():
    x = numpy.arange(10.0)
    it = io.NDArrayIter(x, numpy.arange(10), batch_size=4, last_batch_handle="roll_over")
    e1 = [b.data[0].asnumpy().tolist() for b in it]
    assert e1 == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    it.reset()
    e2 = [b for b in it]
    # The next epoch starts after the two samples the wrapped batch already used.
    assert [b.data[0].asnumpy().tolist() for b in e2] == [[2, 3, 4, 5], [6, 7, 8, 9]]
    assert all(b.pad == 0 for b in e2)
    it.reset()
    assert [b.data[0].asnumpy().tolist() for b in it] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    it.hard_reset()
    assert next(it).data[0].asnumpy().tolist() == [0, 1, 2, 3]


def test_roll_over_shuffled_sees_every_sample_equally():
    n, bs = 10, 4
    it = io.NDArrayIter(numpy.arange(float(n)), batch_size=bs, shuffle=True, last_batch_handle="roll_over")
    seen = []
    for _ in range(6):  # 6 epochs: 3 + 2 + 3 + 2 + 3 + 2 = 15 batches = 60 samples = 6 full passes
        seen += [v for b in it for v in b.data[0].asnumpy().tolist()]
        it.reset()
    assert len(seen) == 60
    assert numpy.bincount(numpy.array(seen, dtype=int), minlength=n).tolist() == [6] * n


def test_shuffle_keeps_alignment_and_reshuffles_on_reset():
    numpy.random.seed(3)
    x = numpy.arange(100.0).reshape(100, 1) * numpy.ones((1, 3))
    y = numpy.arange(100)
    it = io.NDArrayIter(x, y, batch_size=10, shuffle=True)
    orders = []
    for _ in range(2):
        order = []
        for b in it:
            d, l = b.data[0].asnumpy(), b.label[0].asnumpy()
            numpy.testing.assert_array_equal(d[:, 0], l)
            numpy.testing.assert_array_equal(d[:, 2], l)
            order += l.tolist()
        assert sorted(order) == list(range(100))
        orders.append(order)
        it.reset()
    assert orders[0] != list(range(100))
    assert orders[0] != orders[1]


def test_names_and_provide():
    x = numpy.zeros((6, 2, 3))
    y = numpy.zeros((6,))
    it = io.NDArrayIter(x, y, batch_size=3)
    assert it.provide_data == [("data", (3, 2, 3))]
    assert it.provide_label == [("softmax_label", (3,))]
    it = io.NDArrayIter([x, x[:, 0]], [y], batch_size=2)
    assert it.provide_data == [("_0_data", (2, 2, 3)), ("_1_data", (2, 3))]
    assert it.provide_label == [("softmax_label", (2,))]
    b = next(it)
    assert len(b.data) == 2 and len(b.label) == 1
    it = io.NDArrayIter(OrderedDict([("img", x), ("aux", np.array(x[:, 1]))]), {"y": y}, batch_size=6)
    assert [k for k, _ in it.provide_data] == ["img", "aux"]
    assert it.provide_label == [("y", (6,))]
    b = next(it)
    assert b.data[1].shape == (6, 3)


def test_no_label_and_nested_lists():
    it = io.NDArrayIter([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], batch_size=2)
    assert it.provide_label == []
    b = next(it)
    assert b.label == []
    numpy.testing.assert_array_equal(b.data[0].asnumpy(), [[1, 2], [3, 4]])


def test_views_of_minpy_data():
    # Without shuffling or wrap-around a batch views the data.
    x = np.arange(12.0).reshape(6, 2)
    it = io.NDArrayIter(x, batch_size=3)
    b = next(it)
    x[0, 0] = 100.0
    assert float(b.data[0][0, 0]) == 100.0


def test_getsubiter_and_numiterations():
    numpy.random.seed(0)
    x = numpy.arange(50.0)
    y = numpy.arange(50)
    it = io.NDArrayIter(x, y, batch_size=8)
    assert it.getnumiterations() == 7 and isinstance(it.getnumiterations(), int)
    sub = it.getsubiter(20)
    assert sub.num_data == 20 and sub.batch_size == 8
    batches = list(sub)
    vals = [v for b in batches for v in b.data[0].asnumpy()[:8 - b.pad].tolist()]
    labs = [v for b in batches for v in b.label[0].asnumpy()[:8 - b.pad].tolist()]
    assert len(vals) == 20 and len(set(vals)) == 20 and vals == labs
    assert set(vals) <= set(range(50))
    # The parent iterator is untouched.
    assert next(it).data[0].asnumpy().tolist() == list(range(8))


def test_errors():
    x = numpy.zeros((10, 2))
    with pytest.raises(ValueError):
        io.NDArrayIter(x, batch_size=11)
    with pytest.raises(ValueError):
        io.NDArrayIter(x, batch_size=0)
    with pytest.raises(TypeError):
        io.NDArrayIter(x, batch_size=2.5)
    with pytest.raises(ValueError):
        io.NDArrayIter(x, last_batch_handle="wrap")
    with pytest.raises(ValueError):
        io.NDArrayIter(x, numpy.zeros(9))
    with pytest.raises(TypeError):
        io.NDArrayIter(object())
    with pytest.raises(ValueError):
        io.NDArrayIter(None)


def test_databatch_and_base_iter():
    b = io.DataBatch([1], [2], pad=3, index=4)
    assert (b.data, b.label, b.pad, b.index) == ([1], [2], 3, 4)

    class Count(io.DataIter):
        def __init__(self):
            super().__init__()
            self.i = 0

        def iter_next(self):
            self.i += 1
            return self.i <= 2

        def getdata(self):
            return [self.i]

    assert [b.data for b in Count()] == [[1], [2]]


def test_save_load_data_labels(tmp_path):
    path = os.path.join(tmp_path, "d.pkl")
    io.save_data_labels(np.arange(4.0), numpy.arange(4), path)
    d, l = io.load_data_labels(path)
    numpy.testing.assert_array_equal(numpy.asarray(d), [0, 1, 2, 3])
    numpy.testing.assert_array_equal(l, [0, 1, 2, 3])
