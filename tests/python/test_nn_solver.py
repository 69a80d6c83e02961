"""minpy.nn.{init, optim, model, solver}: the Solver trains a small affine/relu network (composed
layers only) on separable data; histories, lr decay, kwargs, callbacks, best-parameter copies,
checkpoints; update rules against NumPy reference updates; initialisers."""
import math
import os

import numpy
import pytest

import minpy.numpy as np
from minpy.nn import init, io, layers, optim
from minpy.nn.model import ModelBase, ParamsNameNotFoundError
from minpy.nn.solver import Solver


def blobs(n, seed):
    """Three well separated Gaussian blobs in 2-D, labels 0..2."""
    r = numpy.random.default_rng(seed)
    centers = numpy.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    y = r.integers(0, 3, size=n)
    x = centers[y] + r.standard_normal((n, 2)) * 0.7
    return x, y


def composed_softmax_loss(scores, y):
    # Composed ops only (the native softmax_loss lives on another branch).
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    e = np.exp(shifted)
    return layers.softmax_cross_entropy(e / np.sum(e, axis=1, keepdims=True), y)


class TwoLayerNet(ModelBase):
    def __init__(self, hidden=16):
        super().__init__()
        self.add_param("w1", (2, hidden)).add_param("b1", (hidden,), init_rule="constant") \
            .add_param("w2", (hidden, 3)).add_param("b2", (3,), init_rule="constant",
                                                      init_config={"value": 0.0})

    def forward(self, X, mode):
        h = layers.relu(layers.affine(X, self.params["w1"], self.params["b1"]))
        return layers.affine(h, self.params["w2"], self.params["b2"])

    def loss(self, predict, y):
        return composed_softmax_loss(predict, y)


def iters(n_train=300, n_val=150, batch=30):
    xt, yt = blobs(n_train, 1)
    xv, yv = blobs(n_val, 2)
    return (io.NDArrayIter(xt, yt, batch_size=batch, shuffle=True),
            io.NDArrayIter(xv, yv, batch_size=batch, shuffle=False))


def make_solver(**kw):
    numpy.random.seed(0)
    np.random.seed(0)
    model = TwoLayerNet()
    train, val = iters()
    opts = dict(update_rule="sgd_momentum", optim_config={"learning_rate": 0.05}, num_epochs=6,
                verbose=False, train_acc_num_samples=100)
    opts.update(kw)
    return model, Solver(model, train, val, **opts)


def test_solver_converges_and_histories():
    model, solver = make_solver(lr_decay=0.9)
    solver.init()
    solver.train()
    assert len(solver.loss_history) == 6 * 10
    assert all(isinstance(v, float) for v in solver.loss_history)
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 6
    assert numpy.mean(solver.loss_history[-5:]) < numpy.mean(solver.loss_history[:5]) / 4
    assert solver.val_acc_history[-1] >= 0.95 and solver.train_acc_history[-1] >= 0.95
    assert solver.best_val_acc == max(solver.val_acc_history)
    # The model ends with the best parameters, which check_accuracy confirms.
    assert solver.check_accuracy(solver.test_dataiter) == solver.best_val_acc
    for k in model.params:
        numpy.testing.assert_array_equal(model.params[k].asnumpy(), solver.best_params[k].asnumpy())
    # lr decay after each epoch, for every parameter.
    for conf in solver.optim_configs.values():
        assert conf["learning_rate"] == pytest.approx(0.05 * 0.9 ** 6)


def test_best_params_are_copies():
    model, solver = make_solver(num_epochs=2)
    solver.train()  # initialises the missing parameters itself
    refs = dict(model.params)
    for k, v in solver.best_params.items():
        assert v is not model.params[k]
        before = v.asnumpy().copy()
        model.params[k][...] = 123.0
        numpy.testing.assert_array_equal(v.asnumpy(), before)
    # The model's arrays were written in place (references held elsewhere stay valid).
    assert all(model.params[k] is refs[k] for k in refs)


def test_parameters_update_in_place():
    model, solver = make_solver(num_epochs=1)
    solver.init()
    w1 = model.params["w1"]
    view = w1[0]
    before = view.asnumpy().copy()
    solver.train_dataiter.reset()
    solver._step(next(solver.train_dataiter))
    assert model.params["w1"] is w1
    assert not numpy.array_equal(view.asnumpy(), before)


def test_callbacks():
    epochs, iterations = [], []
    model, solver = make_solver(num_epochs=3, callback=lambda s: epochs.append((s.epoch, len(s.val_acc_history))),
                                iter_callback=lambda s: iterations.append(s.iteration))
    solver.init()
    solver.train()
    assert epochs == [(1, 1), (2, 2), (3, 3)]
    assert iterations == list(range(1, 31))


def test_bad_kwargs():
    model = TwoLayerNet()
    train, val = iters()
    with pytest.raises(ValueError, match="Unrecognized"):
        Solver(model, train, val, learning_rate=0.1)
    with pytest.raises(ValueError):
        Solver(model, train, val, update_rule="nesterov")
    with pytest.raises(ValueError):
        Solver(model, train, val, init_rule="orthogonal")
    with pytest.raises(ValueError):
        Solver(model, train, val, task_type="ranking")
    with pytest.raises(TypeError):
        Solver(model, train, val, callback=3)


def test_verbose_output(capsys):
    model, solver = make_solver(num_epochs=2, verbose=True, print_every=4)
    solver.init()
    solver.train()
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("(Iteration")]
    assert [ln.split(")")[0] for ln in lines] == ["(Iteration %d / 20" % i for i in (1, 5, 9, 13, 17)]
    assert "(Epoch 1 / 2) train acc: " in out and "(Epoch 2 / 2) train acc: " in out
    assert ", val acc: " in out and ", time: " in out


def test_quiet_prints_nothing(capsys):
    _, solver = make_solver(num_epochs=1)
    solver.train()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


class Regressor(ModelBase):
    def __init__(self):
        super().__init__()
        self.add_param("w", (3, 1)).add_param("b", (1,), init_rule="constant")

    def forward(self, X, mode):
        return layers.affine(X, self.params["w"], self.params["b"])

    def loss(self, predict, y):
        return layers.l2_loss(predict, y)


def test_regression_keeps_lowest_val_loss():
    r = numpy.random.default_rng(4)
    true_w = numpy.array([[1.0], [-2.0], [0.5]])
    x = r.standard_normal((200, 3))
    y = (x @ true_w)[:, 0] + 0.3 + r.standard_normal(200) * 0.01
    model = Regressor()
    solver = Solver(model, io.NDArrayIter(x[:150], y[:150], batch_size=25),
                    io.NDArrayIter(x[150:], y[150:], batch_size=25), task_type="regression",
                    update_rule="adam", optim_config={"learning_rate": 0.1}, num_epochs=25,
                    verbose=False)
    solver.init()
    solver.train()
    assert solver.best_val_acc == min(solver.val_acc_history)
    assert solver.val_acc_history[-1] < solver.val_acc_history[0] / 5
    numpy.testing.assert_allclose(model.params["w"].asnumpy(), true_w, atol=0.05)


# ---- model ----
def test_model_params_and_checkpoint_round_trip(tmp_path):
    model, solver = make_solver(num_epochs=1)
    solver.init()
    model.add_aux_param("running_mean", numpy.arange(3.0)).add_aux_param("not_yet", None)
    prefix = os.path.join(tmp_path, "ckpt")
    model.save(prefix)
    assert os.path.exists(prefix + ".params")
    saved = {k: v.asnumpy().copy() for k, v in model.params.items()}
    refs = dict(model.params)
    for v in model.params.values():
        v[...] = 0.0
    model.aux_params["running_mean"][...] = -1.0
    model.load(prefix)
    for k, v in model.params.items():
        assert v is refs[k]
        numpy.testing.assert_array_equal(v.asnumpy(), saved[k])
    numpy.testing.assert_array_equal(model.aux_params["running_mean"].asnumpy(), [0, 1, 2])
    assert model.aux_params["not_yet"] is None
    # Solver.init restores the declared initial value of auxiliary parameters.
    model.aux_params["running_mean"][...] = 5.0
    solver._reset()
    solver.init()
    numpy.testing.assert_array_equal(model.aux_params["running_mean"].asnumpy(), [0, 1, 2])
    numpy.testing.assert_array_equal(model.aux_param_configs["running_mean"].asnumpy(), [0, 1, 2])
    # A fresh model (no arrays yet) gets new arrays.
    fresh = TwoLayerNet()
    fresh.load(prefix)
    assert set(fresh.params) == set(saved)
    numpy.testing.assert_array_equal(fresh.params["w2"].asnumpy(), saved["w2"])
    # A parameter missing from the file, or a shape mismatch, is an error (nothing is written).
    other = TwoLayerNet()
    other.params["extra"] = np.zeros(2)
    with pytest.raises(ParamsNameNotFoundError):
        other.load(prefix)
    bad = TwoLayerNet()
    bad.params["w1"] = np.zeros((5, 5))
    bad.params["w2"] = np.zeros((16, 3))
    with pytest.raises(ValueError):
        bad.load(prefix)
    assert float(np.sum(bad.params["w2"])) == 0.0


def test_model_base_api():
    m = ModelBase()
    assert m.add_param("a", (2, 3), init_rule="gaussian") is m
    assert m.param_configs["a"] == {"shape": (2, 3), "init_rule": "gaussian"}
    with pytest.raises(ValueError):
        m.add_param("a", (1,))
    assert m.add_params({"b": {"shape": (4,)}}) is m
    with pytest.raises(ValueError):
        m.add_params({"b": {"shape": (4,)}})
    assert m.add_aux_param("c", np.ones(2)) is m
    assert isinstance(m.aux_params["c"], np.ndarray) and "c" in m.aux_param_configs
    # MinPy's examples declare batchnorm statistics as None until the first forward pass.
    assert m.add_aux_param("running_var", None) is m and m.aux_params["running_var"] is None
    with pytest.raises(NotImplementedError):
        m.forward(None, "train")
    with pytest.raises(NotImplementedError):
        m.loss(None, None)


def test_per_param_init_rules():
    model, solver = make_solver()
    model.param_configs["b1"]["init_config"] = {"value": 0.25}
    solver._reset()
    solver.init()
    numpy.testing.assert_array_equal(model.params["b1"].asnumpy(), numpy.full(16, 0.25))
    numpy.testing.assert_array_equal(model.params["b2"].asnumpy(), numpy.zeros(3))
    bound = math.sqrt(6.0 / (2 + 16))
    w1 = model.params["w1"].asnumpy()
    assert w1.shape == (2, 16) and numpy.abs(w1).max() <= bound and w1.std() > 0


# ---- optim rules vs NumPy ----
def ref_rules():
    def sgd(w, dw, s, c):
        return w - c["learning_rate"] * dw

    def sgd_momentum(w, dw, s, c):
        s["v"] = c["momentum"] * s.get("v", 0) - c["learning_rate"] * dw
        return w + s["v"]

    def rmsprop(w, dw, s, c):
        s["cache"] = c["decay_rate"] * s.get("cache", 0) + (1 - c["decay_rate"]) * dw ** 2
        return w - c["learning_rate"] * dw / (numpy.sqrt(s["cache"]) + c["epsilon"])

    def adam(w, dw, s, c):
        s["t"] = s.get("t", 0) + 1
        s["m"] = c["beta1"] * s.get("m", 0) + (1 - c["beta1"]) * dw
        s["v"] = c["beta2"] * s.get("v", 0) + (1 - c["beta2"]) * dw ** 2
        mh, vh = s["m"] / (1 - c["beta1"] ** s["t"]), s["v"] / (1 - c["beta2"] ** s["t"])
        return w - c["learning_rate"] * mh / (numpy.sqrt(vh) + c["epsilon"])
    return {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}


DEFAULTS = {"sgd": {"learning_rate": 1e-2},
            "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
            "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
            "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}}


@pytest.mark.parametrize("name", sorted(DEFAULTS))
@pytest.mark.parametrize("given", [False, True])
def test_update_rules_match_numpy(name, given):
    r = numpy.random.default_rng(5)
    w0 = r.standard_normal((4, 3))
    conf = {"learning_rate": 0.1} if given else None
    want_conf = dict(DEFAULTS[name], **(conf or {}))
    rule, ref = getattr(optim, name), ref_rules()[name]
    w = np.array(w0)
    view = w[1:3]
    want, state = w0.copy(), {}
    for _ in range(4):
        dw = r.standard_normal((4, 3))
        next_w, conf = rule(w, np.array(dw), conf)
        want = ref(want, dw, state, want_conf)
        assert next_w is w  # in place
        numpy.testing.assert_allclose(w.asnumpy(), want, rtol=1e-13, atol=1e-15)
    numpy.testing.assert_allclose(view.asnumpy(), want[1:3], rtol=1e-13, atol=1e-15)
    for k, v in want_conf.items():
        assert conf[k] == v
    if name == "adam":
        assert conf["t"] == 4


def test_update_rule_accepts_scalar_gradient():
    w = np.ones(3)
    optim.sgd(w, 0.0, {})
    numpy.testing.assert_array_equal(w.asnumpy(), [1, 1, 1])
    with pytest.raises(TypeError):
        optim.sgd(numpy.ones(3), numpy.ones(3), {})


# ---- init ----
def test_init_rules():
    np.random.seed(1)
    conf = {}
    w = init.xavier((300, 200), conf)
    bound = math.sqrt(6.0 / 500)
    a = w.asnumpy()
    assert isinstance(w, np.ndarray) and a.shape == (300, 200) and a.dtype == numpy.float64
    assert numpy.abs(a).max() <= bound
    assert abs(a.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3  # uniform, not Gaussian
    assert abs(a.mean()) < 0.01 * bound
    b = init.xavier((10,), None).asnumpy()
    assert numpy.abs(b).max() <= math.sqrt(6.0 / 10)

    c = {"value": 2.5}
    numpy.testing.assert_array_equal(init.constant((2, 2), c).asnumpy(), numpy.full((2, 2), 2.5))
    d = {}
    numpy.testing.assert_array_equal(init.constant((3,), d).asnumpy(), numpy.zeros(3))
    assert d["value"] == 0.0

    g = {}
    ga = init.gaussian((400, 100), g).asnumpy()
    assert g["mu"] == 0.0 and g["stdvar"] == 0.001
    assert abs(ga.std() - 0.001) < 5e-5
    ga = init.gaussian((400, 100), {"mu": 3.0, "stdvar": 0.5}).asnumpy()
    assert abs(ga.mean() - 3.0) < 0.01 and abs(ga.std() - 0.5) < 0.01

    out = init.custom((2, 3), {"function": lambda s: numpy.full(s, 7.0)})
    assert isinstance(out, np.ndarray)
    numpy.testing.assert_array_equal(out.asnumpy(), numpy.full((2, 3), 7.0))
    numpy.testing.assert_array_equal(init.custom((2,), {}).asnumpy(), [0, 0])
    with pytest.raises(ValueError):
        init.custom((2, 3), {"function": lambda s: numpy.zeros(4)})
    assert init.xavier((3, 3), {"dtype": numpy.float32}).dtype == numpy.float32
