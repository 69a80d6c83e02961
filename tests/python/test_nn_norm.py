"""minpy.nn.functional's normalisation / loss family against plain-NumPy reference formulas (and
torch.nn.functional when importable): values over shapes, axes, dtypes and layouts, errors, the
in-place running statistics, dropout's statistics, and gradients against central differences in
float64 (second order included)."""
import numpy
import pytest

import minpy.numpy as np
from minpy.core import grad
from minpy.nn import functional as F
from conftest import numeric_grad

RNG = numpy.random.default_rng(5)
FLOATS = ["float32", "float64"]
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-12, atol=1e-13)}

try:
    import torch
    import torch.nn.functional as TF
except Exception:  # pragma: no cover - torch is optional
    torch = None


def rand(*shape, dtype="float64", lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def close(got, want, dtype):
    assert isinstance(got, np.ndarray)
    g = numpy.asarray(got)
    assert g.shape == numpy.shape(want) and g.dtype == numpy.dtype(dtype)
    numpy.testing.assert_allclose(g, want, **TOL[str(numpy.dtype(dtype))])


def layouts(a):
    """a as C-contiguous, transposed-then-back (F order) and strided (a slice of a larger array)."""
    big = numpy.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    return {"c": np.array(a), "f": np.array(numpy.asfortranarray(a)), "strided": np.array(big)[..., ::2],
            "negative": np.array(a[..., ::-1].copy())[..., ::-1]}


# ---- NumPy references ----
def ref_batch_norm(x, gamma, beta, eps=1e-5):
    axes = tuple(d for d in range(x.ndim) if d != 1)
    x64 = x.astype(numpy.float64)
    mu, var = x64.mean(axis=axes, keepdims=True), x64.var(axis=axes, keepdims=True)
    cs = [1] * x.ndim
    cs[1] = -1
    return (x64 - mu) / numpy.sqrt(var + eps) * gamma.reshape(cs) + beta.reshape(cs), mu.ravel(), var.ravel()


def ref_layer_norm(x, gamma=None, beta=None, eps=1e-5):
    x64 = x.astype(numpy.float64)
    out = (x64 - x64.mean(-1, keepdims=True)) / numpy.sqrt(x64.var(-1, keepdims=True) + eps)
    if gamma is not None:
        out = out * gamma
    if beta is not None:
        out = out + beta
    return out


def ref_log_softmax(x, axis=-1):
    x64 = x.astype(numpy.float64)
    m = x64.max(axis=axis, keepdims=True)
    return x64 - m - numpy.log(numpy.exp(x64 - m).sum(axis=axis, keepdims=True))


def ref_ce(x, y, reduction="mean"):
    rows = -ref_log_softmax(x)[numpy.arange(len(y)), y]
    return {"mean": rows.mean(), "sum": rows.sum(), "none": rows}[reduction]


def ref_svm(x, y, delta=1.0, reduction="mean"):
    x64 = x.astype(numpy.float64)
    m = numpy.maximum(0, x64 - x64[numpy.arange(len(y)), y][:, None] + delta)
    m[numpy.arange(len(y)), y] = 0
    rows = m.sum(1)
    return {"mean": rows.mean(), "sum": rows.sum(), "none": rows}[reduction]


# ---- batch_norm ----
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 5, 6), (2, 3, 4), (1, 4, 1, 1)])
def test_batch_norm_training(dtype, shape):
    x = rand(*shape, dtype=dtype, hi=5.0)
    C = shape[1]
    gamma, beta = rand(C, dtype=dtype), rand(C, dtype=dtype)
    want, mu, var = ref_batch_norm(x, gamma, beta)
    for name, xa in layouts(x).items():
        rm, rv = np.array(numpy.full(C, 0.5, dtype)), np.array(numpy.full(C, 2.0, dtype))
        rm_id = id(rm)
        out = F.batch_norm(xa, np.array(gamma), np.array(beta), rm, rv, training=True, momentum=0.2)
        close(out, want, dtype)
        assert id(rm) == rm_id
        close(rm, 0.8 * 0.5 + 0.2 * mu, dtype)   # in place, biased variance
        close(rv, 0.8 * 2.0 + 0.2 * var, dtype)
    # without running statistics, and with gamma/beta as NumPy arrays
    close(F.batch_norm(np.array(x), gamma, beta), want, dtype)
    if torch is not None and x.size > C:  # torch refuses one value per channel
        t = TF.batch_norm(torch.tensor(x), None, None, torch.tensor(gamma), torch.tensor(beta), training=True)
        numpy.testing.assert_allclose(numpy.asarray(F.batch_norm(np.array(x), gamma, beta)), t.numpy(),
                                      **{"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10)}[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
def test_batch_norm_eval_and_running_view(dtype):
    x = rand(6, 3, 2, 2, dtype=dtype)
    gamma, beta = rand(3, dtype=dtype), rand(3, dtype=dtype)
    rm, rv = rand(3, dtype=dtype), rand(3, dtype=dtype, lo=0.5, hi=2.0)
    want = (x - rm.reshape(1, 3, 1, 1)) / numpy.sqrt(rv.reshape(1, 3, 1, 1) + 1e-5) * gamma.reshape(1, 3, 1, 1) \
        + beta.reshape(1, 3, 1, 1)
    mrm, mrv = np.array(rm), np.array(rv)
    close(F.batch_norm(np.array(x), np.array(gamma), np.array(beta), mrm, mrv, training=False), want, dtype)
    numpy.testing.assert_array_equal(numpy.asarray(mrm), rm)  # eval leaves them alone
    # running arrays that are views are written through to their base
    base = np.array(numpy.zeros((2, 3), dtype))
    base_v = np.array(numpy.ones((3, 2), dtype))
    F.batch_norm(np.array(x), np.array(gamma), np.array(beta), base[1], base_v[:, 0], training=True, momentum=1.0)
    _, mu, var = ref_batch_norm(x, gamma, beta)
    close(base[1], mu, dtype)
    close(base_v[:, 0], var, dtype)
    assert numpy.asarray(base)[0].tolist() == [0, 0, 0]


def test_batch_norm_errors():
    x = np.array(rand(4, 3))
    g, b = np.ones(3), np.zeros(3)
    with pytest.raises(ValueError, match="required when not training"):
        F.batch_norm(x, g, b, training=False)
    with pytest.raises(ValueError):
        F.batch_norm(np.array(rand(4)), np.ones(4), np.zeros(4))
    with pytest.raises(ValueError):
        F.batch_norm(x, np.ones(4), b)
    with pytest.raises(ValueError):
        F.batch_norm(x, g, b, np.zeros(3), None)
    with pytest.raises(ValueError):
        F.batch_norm(x, g, b, np.zeros((3, 1)), np.ones(3))
    with pytest.raises(TypeError, match="floating"):
        F.batch_norm(np.ones((4, 3), dtype=int), g, b)
    with pytest.raises(TypeError):
        F.batch_norm(x, g, b, numpy.zeros(3), numpy.ones(3))  # NumPy running arrays cannot be updated
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        F.batch_norm(x, g, b, ro, np.ones(3))
    with pytest.raises(ValueError):
        F.batch_norm(np.ones((0, 3)), g, b)


# ---- layer_norm ----
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(7,), (4, 9), (2, 3, 16)])
def test_layer_norm(dtype, shape):
    x = rand(*shape, dtype=dtype, hi=4.0)
    D = shape[-1]
    gamma, beta = rand(D, dtype=dtype), rand(D, dtype=dtype)
    for xa in layouts(x).values():
        close(F.layer_norm(xa, np.array(gamma), np.array(beta)), ref_layer_norm(x, gamma, beta), dtype)
    close(F.layer_norm(np.array(x)), ref_layer_norm(x), dtype)
    close(F.layer_norm(np.array(x), gamma=np.array(gamma)), ref_layer_norm(x, gamma), dtype)
    close(F.layer_norm(np.array(x), beta=np.array(beta), eps=0.1), ref_layer_norm(x, None, beta, eps=0.1), dtype)
    if torch is not None:
        t = TF.layer_norm(torch.tensor(x), (D,), torch.tensor(gamma), torch.tensor(beta))
        numpy.testing.assert_allclose(numpy.asarray(F.layer_norm(np.array(x), gamma, beta)), t.numpy(),
                                      rtol=1e-4, atol=1e-5)


def test_layer_norm_errors():
    with pytest.raises(ValueError):
        F.layer_norm(np.ones((2, 3)), np.ones(4))
    with pytest.raises(TypeError, match="floating"):
        F.layer_norm(np.ones((2, 3), dtype=numpy.int32))
    with pytest.raises(ValueError):
        F.layer_norm(np.array(1.0))


# ---- softmax / log_softmax ----
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,axis", [((5,), 0), ((4, 7), -1), ((4, 7), 0), ((2, 3, 4), 1), ((2, 3, 300), 1),
                                        ((3, 2, 4), -3), ((3, 0), 1)])
def test_softmax_axes(dtype, shape, axis):
    x = rand(*shape, dtype=dtype, lo=-5, hi=5)
    ls = ref_log_softmax(x, axis) if x.size else x.astype(numpy.float64)
    for xa in layouts(x).values() if x.ndim and x.size else [np.array(x)]:
        close(F.log_softmax(xa, axis=axis), ls, dtype)
        close(F.softmax(xa, axis=axis), numpy.exp(ls), dtype)
    if torch is not None and x.size:
        numpy.testing.assert_allclose(numpy.asarray(F.softmax(np.array(x), axis)),
                                      TF.softmax(torch.tensor(x), dim=axis).numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_extreme_logits(dtype):
    x = numpy.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype)
    for axis in (0, 1):
        s, ls = F.softmax(np.array(x), axis), F.log_softmax(np.array(x), axis)
        assert numpy.isfinite(numpy.asarray(s)).all() and numpy.isfinite(numpy.asarray(ls)).all()
        close(ls, ref_log_softmax(x, axis), dtype)
        close(s, numpy.exp(ref_log_softmax(x, axis)), dtype)
    ce = F.softmax_cross_entropy(np.array(x), np.array([1, 0, 2]), reduction="none")
    close(ce, ref_ce(x, numpy.array([1, 0, 2]), "none"), dtype)
    assert numpy.asarray(ce)[0] == 2e4


def test_softmax_errors():
    with pytest.raises(numpy.exceptions.AxisError):
        F.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="floating"):
        F.log_softmax(np.ones((2, 3), dtype=int))
    with pytest.raises(TypeError):
        F.softmax(np.ones(3), axis=0.5)


def test_float16_computed_in_float32():
    x = rand(3, 5, dtype="float16")
    out = F.softmax(np.array(x))
    assert out.dtype == numpy.float16
    numpy.testing.assert_allclose(numpy.asarray(out), numpy.exp(ref_log_softmax(x)).astype(numpy.float16), rtol=1e-3)
    bn = F.layer_norm(np.array(x))
    assert bn.dtype == numpy.float16
    rm, rv = np.zeros(5, dtype=numpy.float16), np.ones(5, dtype=numpy.float16)
    assert F.batch_norm(np.array(x), np.ones(5), np.zeros(5), rm, rv).dtype == numpy.float16
    numpy.testing.assert_allclose(numpy.asarray(rm), 0.1 * x.astype(numpy.float64).mean(0), rtol=2e-3, atol=1e-4)


# ---- losses ----
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy(dtype, reduction):
    x = rand(6, 4, dtype=dtype, lo=-3, hi=3)
    for ltype in (numpy.int64, numpy.int32, numpy.uint8):
        y = RNG.integers(0, 4, size=6).astype(ltype)
        got = F.softmax_cross_entropy(np.array(x), np.array(y), reduction=reduction)
        close(got, ref_ce(x, y, reduction), dtype)
    got = F.softmax_cross_entropy(np.array(x.T.copy()).T, y, reduction=reduction)  # non-contiguous
    close(got, ref_ce(x, y, reduction), dtype)
    if torch is not None:
        t = TF.cross_entropy(torch.tensor(x), torch.tensor(y.astype(numpy.int64)), reduction=reduction)
        numpy.testing.assert_allclose(numpy.asarray(got), t.numpy(), rtol=1e-5)


@pytest.mark.parametrize("fn", [F.softmax_cross_entropy, F.svm_loss])
def test_loss_label_errors(fn):
    x = np.array(rand(3, 4))
    with pytest.raises(IndexError):
        fn(x, np.array([0, 4, 1]))
    with pytest.raises(IndexError):
        fn(x, np.array([0, -1, 1]))
    with pytest.raises(IndexError):
        fn(x, np.array([0, 2**64 - 1, 1], dtype=numpy.uint64))
    with pytest.raises(TypeError):
        fn(x, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError):
        fn(x, np.array([True, False, True]))
    with pytest.raises(ValueError):
        fn(x, np.array([0, 1]))
    with pytest.raises(ValueError):
        fn(x, np.array([[0, 1, 2]]))
    with pytest.raises(ValueError):
        fn(np.array(rand(3, 4, 1)), np.array([0, 1, 2]))
    with pytest.raises(ValueError):
        fn(x, np.array([0, 1, 2]), reduction="avg")
    with pytest.raises(TypeError, match="floating"):
        fn(np.ones((3, 4), dtype=int), np.array([0, 1, 2]))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_svm_loss(dtype, reduction):
    x = rand(7, 5, dtype=dtype)
    y = RNG.integers(0, 5, size=7)
    close(F.svm_loss(np.array(x), y, reduction=reduction), ref_svm(x, y, 1.0, reduction), dtype)
    close(F.svm_loss(np.array(x)[:, ::-1], y, delta=0.5, reduction=reduction),
          ref_svm(x[:, ::-1], y, 0.5, reduction), dtype)


# ---- embedding ----
@pytest.mark.parametrize("dtype", FLOATS)
def test_embedding(dtype):
    w = rand(10, 4, dtype=dtype)
    for idx in (numpy.array([3, 0, 3, 9]), numpy.array([[1, 2], [2, 1]], dtype=numpy.int8), numpy.array(5),
                numpy.zeros((2, 0), dtype=numpy.int64)):
        got = F.embedding(np.array(idx), np.array(w))
        assert got.dtype == numpy.dtype(dtype)
        numpy.testing.assert_array_equal(numpy.asarray(got), w[idx])
    numpy.testing.assert_array_equal(numpy.asarray(F.embedding(np.array([[1, 2], [3, 4]]).T, np.array(w)[:, ::2])),
                                     w[:, ::2][numpy.array([[1, 3], [2, 4]])])
    with pytest.raises(IndexError):
        F.embedding(np.array([10]), np.array(w))
    with pytest.raises(IndexError):
        F.embedding(np.array([-1]), np.array(w))
    with pytest.raises(TypeError):
        F.embedding(np.array([1.0]), np.array(w))
    with pytest.raises(ValueError):
        F.embedding(np.array([1]), np.array(rand(10)))
    with pytest.raises(TypeError, match="floating"):
        F.embedding(np.array([1]), np.ones((3, 2), dtype=int))


# ---- dropout ----
def test_dropout_statistics_and_seed():
    x = np.ones((200, 500))
    a = F.dropout(x, p=0.3, seed=42)
    v = numpy.asarray(a)
    kept = v != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 100000 draws: sd 0.0015
    numpy.testing.assert_allclose(v[kept], 1 / 0.7, rtol=1e-15)
    assert abs(v.mean() - 1.0) < 0.015  # inverted dropout keeps the expectation
    numpy.testing.assert_array_equal(numpy.asarray(F.dropout(x, p=0.3, seed=42)), v)
    assert (numpy.asarray(F.dropout(x, p=0.3, seed=43)) != v).any()
    # the global stream: reproducible after minpy.numpy.random.seed, different on each call
    np.random.seed(1)
    g1 = numpy.asarray(F.dropout(x, 0.5))
    g2 = numpy.asarray(F.dropout(x, 0.5))
    np.random.seed(1)
    numpy.testing.assert_array_equal(numpy.asarray(F.dropout(x, 0.5)), g1)
    assert (g1 != g2).any()
    f32 = F.dropout(np.ones(1000, dtype=numpy.float32), 0.5, seed=0)
    assert f32.dtype == numpy.float32


def test_dropout_edges():
    x = np.array(rand(4, 5))
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.7, training=False) is x
    z = F.dropout(x, 1.0, seed=3)
    numpy.testing.assert_array_equal(numpy.asarray(z), numpy.zeros((4, 5)))
    for p in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError):
            F.dropout(x, p)
    with pytest.raises(TypeError):
        F.dropout(x, "0.5")
    with pytest.raises(TypeError, match="floating"):
        F.dropout(np.ones(3, dtype=int), 0.5)
    g = grad(lambda x: F.dropout(x, 1.0, seed=1).sum())(x)
    numpy.testing.assert_array_equal(numpy.asarray(g), numpy.zeros((4, 5)))


def test_dropout_gradient_reuses_mask():
    x = np.array(rand(30, 40))
    out = {}

    def f(x):
        y = F.dropout(x, 0.4, seed=9)
        out["y"] = y
        return (y * np.array(numpy.arange(40.0))).sum()

    g = numpy.asarray(grad(f)(x))
    mask = numpy.asarray(out["y"]) / numpy.asarray(x)
    numpy.testing.assert_allclose(g, mask * numpy.arange(40.0), rtol=1e-12)


# ---- gradients (float64, central differences) ----
def check(f, args, argnums, rtol=1e-6, atol=1e-7):
    got = grad(f, argnums)(*[np.array(a) for a in args])
    for i, gi in zip(argnums, got):
        want = numeric_grad(f, args, i)
        assert gi.shape == numpy.shape(args[i]) and gi.dtype == numpy.float64
        numpy.testing.assert_allclose(numpy.asarray(gi), want, rtol=rtol, atol=atol)


def weights(*shape):
    return np.array(rand(*shape))


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 2, 3)])
def test_grad_batch_norm(shape):
    C = shape[1]
    W = weights(*shape)
    x, gamma, beta = rand(*shape), rand(C), rand(C)
    check(lambda x, g, b: F.batch_norm(x, g, b) * W, [x, gamma, beta], [0, 1, 2])
    rm, rv = rand(C), rand(C, lo=0.5, hi=2.0)
    check(lambda x, g, b, m, v: F.batch_norm(x, g, b, m, v, training=False) * W,
          [x, gamma, beta, rm, rv], [0, 1, 2, 3, 4])
    # non-contiguous x, training with running arrays (they get no gradient and are updated)
    xt = np.array(numpy.ascontiguousarray(numpy.swapaxes(x, 0, -1)))
    m_run, v_run = np.zeros(C), np.ones(C)
    g = grad(lambda x: (F.batch_norm(np.swapaxes(x, 0, -1), np.array(gamma), None, m_run, v_run) * W).sum())(xt)
    want = numeric_grad(lambda x: F.batch_norm(np.swapaxes(x, 0, -1), np.array(gamma), None) * W,
                        [numpy.asarray(xt)], 0)
    numpy.testing.assert_allclose(numpy.asarray(g), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
def test_grad_layer_norm(shape):
    D = shape[-1]
    W = weights(*shape)
    x, gamma, beta = rand(*shape), rand(D), rand(D)
    check(lambda x, g, b: F.layer_norm(x, g, b) * W, [x, gamma, beta], [0, 1, 2])
    check(lambda x: F.layer_norm(x, eps=0.0) * W, [x], [0])


@pytest.mark.parametrize("shape,axis", [((4, 5), -1), ((4, 5), 0), ((2, 3, 4), 1)])
def test_grad_softmax(shape, axis):
    W = weights(*shape)
    x = rand(*shape)
    check(lambda x: F.softmax(x, axis) * W, [x], [0])
    check(lambda x: F.log_softmax(x, axis) * W, [x], [0])
    check(lambda x: F.softmax(x[..., ::-1], axis) * W, [x], [0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_grad_losses(reduction):
    x, y = rand(5, 4), numpy.array([0, 3, 1, 1, 2])
    W = weights(5) if reduction == "none" else 1.0
    check(lambda x: F.softmax_cross_entropy(x, y, reduction) * W, [x], [0])
    # hinge: keep margins away from the kink
    xs = numpy.round(rand(5, 4), 1) + numpy.array([0.01, 0.03, 0.05, 0.07])  # no margin exactly 0
    check(lambda x: F.svm_loss(x, y, 1.0, reduction) * W, [xs], [0])


def test_grad_embedding():
    w = rand(6, 3)
    idx = np.array([[0, 5, 0], [2, 0, 5]])
    W = weights(2, 3, 3)
    check(lambda w: F.embedding(idx, w) * W, [w], [0])
    g = grad(lambda w: F.embedding(idx, w).sum())(np.array(w))
    numpy.testing.assert_array_equal(numpy.asarray(g)[:, 0], [3, 0, 1, 0, 0, 2])  # repeats accumulate


# ---- second order ----
def hess_check(f, x, rtol=1e-5, atol=1e-6):
    """d/dx sum(grad f(x) * w) against central differences of grad f."""
    w = rand(*numpy.shape(x))
    h = lambda x: grad(f)(x) * np.array(w)
    got = numpy.asarray(grad(h)(np.array(x)))
    want = numeric_grad(lambda x: numpy.asarray(grad(f)(x)) * w, [x], 0)
    numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_second_order():
    W = weights(3, 4)
    hess_check(lambda x: (F.softmax(x) * W).sum(), rand(3, 4))
    hess_check(lambda x: (F.softmax(x, axis=0) * W).sum(), rand(3, 4))
    hess_check(lambda x: (F.log_softmax(x) * W).sum(), rand(3, 4))
    hess_check(lambda x: (F.log_softmax(x) ** 2).sum(), rand(3, 4))
    hess_check(lambda x: F.softmax_cross_entropy(x, numpy.array([0, 2, 3])), rand(3, 4))
    hess_check(lambda x: (F.softmax_cross_entropy(x, numpy.array([0, 2, 3]), "none") * W[:, 0]).sum(), rand(3, 4))
    g, b = np.array(rand(4)), np.array(rand(4))
    hess_check(lambda x: (F.batch_norm(x, g, b) * W).sum(), rand(3, 4))
    hess_check(lambda x: (F.layer_norm(x, g, b) * W).sum(), rand(3, 4))
    hess_check(lambda x: (F.dropout(x, 0.5, seed=2) ** 3).sum(), rand(3, 4))
    hess_check(lambda w: (F.embedding(np.array([1, 1, 0]), w) ** 3).sum(), rand(2, 4))
    # third order through softmax: grad of grad of grad runs
    g3 = grad(grad(grad(lambda x: F.log_softmax(x).sum())))(np.array(rand(5)))
    assert numpy.isfinite(numpy.asarray(g3)).all()


def test_grad_float32_dtype_kept():
    x = np.array(rand(4, 3, dtype="float32"))
    for f in (lambda x: F.softmax(x).sum(), lambda x: F.batch_norm(x, np.ones(3), np.zeros(3)).sum(),
              lambda x: F.softmax_cross_entropy(x, np.array([0, 1, 2, 0]))):
        assert grad(f)(x).dtype == numpy.float32
