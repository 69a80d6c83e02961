"""Gradients of the native op families (reductions, linear algebra, selection, writes) against
central finite differences in float64, higher-order checks, and the safety net: every native
function either differentiates correctly or raises TypeError("... has no gradient ...")."""
import numpy
import pytest

import minpy.numpy as np
from minpy import _core
from minpy.core import grad
from conftest import numeric_grad, total

RNG = numpy.random.default_rng(11)






def check(f, *args, argnums=None, rtol=1e-6, atol=1e-7):
    """grad(f) (of sum(f)) at args equals central differences, with each input's shape and dtype."""
    argnums = list(range(len(args))) if argnums is None else argnums
    got = grad(f, argnums)(*[np.array(a) for a in args])
    for i, gi in zip(argnums, got):
        want = numeric_grad(f, args, i)
        assert gi.shape == numpy.shape(args[i]) and gi.dtype == numpy.float64
        numpy.testing.assert_allclose(numpy.asarray(gi), want, rtol=rtol, atol=atol)


def rand(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape)


def distinct(*shape):
    """Values far apart (finite differences do not cross a max/min tie)."""
    n = int(numpy.prod(shape))
    return (RNG.permutation(n) * 0.37 - n * 0.15).reshape(shape)


# ---- reductions ----
AXES = [None, 0, -1, (0, 2), (), (-1, 0, 1)]
REDUCTIONS = {
    "sum": lambda x, **k: np.sum(x, **k), "prod": lambda x, **k: np.prod(x, **k),
    "mean": lambda x, **k: np.mean(x, **k), "var": lambda x, **k: np.var(x, **k),
    "std": lambda x, **k: np.std(x, **k), "var_ddof": lambda x, **k: np.var(x, ddof=1, **k),
    "std_ddof": lambda x, **k: x.std(ddof=1, **k), "max": lambda x, **k: np.max(x, **k),
    "min": lambda x, **k: x.min(**k), "amax": lambda x, **k: np.amax(x, **k),
    "amin": lambda x, **k: np.amin(x, **k), "nansum": lambda x, **k: np.nansum(x, **k),
    "nanmean": lambda x, **k: np.nanmean(x, **k), "nanmax": lambda x, **k: np.nanmax(x, **k),
    "nanmin": lambda x, **k: np.nanmin(x, **k), "sum_method": lambda x, **k: x.sum(**k),
    "mean_method": lambda x, **k: x.mean(**k), "prod_method": lambda x, **k: x.prod(**k),
    "add.reduce": lambda x, **k: np.add.reduce(x, **k),
    "multiply.reduce": lambda x, **k: np.multiply.reduce(x, **k),
    "maximum.reduce": lambda x, **k: np.maximum.reduce(x, **k),
    "minimum.reduce": lambda x, **k: np.minimum.reduce(x, **k),
    "fmax.reduce": lambda x, **k: np.fmax.reduce(x, **k),
}
UFUNC_REDUCE = {"add.reduce", "multiply.reduce", "maximum.reduce", "minimum.reduce", "fmax.reduce"}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients(name, axis, keepdims):
    if name in ("std", "std_ddof") and axis == ():
        pytest.skip("std over no axis is |x - x| = 0: not differentiable")
    if name in UFUNC_REDUCE and axis is None:
        axis = 0  # ufunc.reduce's default
    f = REDUCTIONS[name]
    x = distinct(2, 3, 4) * 0.2 if name.startswith("prod") or name == "multiply.reduce" else distinct(2, 3, 4)
    # weights make the test sensitive to which output gets which gradient
    w = None
    out = f(np.array(x), axis=axis, keepdims=keepdims)
    w = rand(*numpy.shape(out))
    check(lambda x: f(x, axis=axis, keepdims=keepdims) * np.array(w), x)


@pytest.mark.parametrize("shape", [(), (5,), (1, 4)])
def test_reductions_small_shapes(shape):
    x = distinct(*shape) if shape else numpy.array(1.3)
    for f in (np.sum, np.prod, np.mean, np.max, np.min, np.nanmax, np.var):
        check(lambda x: f(x), x)


def test_reduction_dtype_and_out():
    x32 = rand(3, 4).astype(numpy.float32)
    g = grad(lambda x: np.sum(x, dtype=np.float64))(np.array(x32))
    assert g.dtype == numpy.float32 and numpy.asarray(g).tolist() == numpy.ones((3, 4)).tolist()
    g = grad(lambda x: np.mean(x, axis=0, dtype=np.float64).sum())(np.array(x32))
    numpy.testing.assert_allclose(numpy.asarray(g), numpy.full((3, 4), 1 / 3), rtol=1e-6)

    def f(x):  # out= into a tracked array's region: recorded as a write
        y = x * 2.0
        np.sum(x * x, axis=1, out=y[:, 0])
        return y
    check(f, rand(3, 4))

    def g2(x):
        o = np.zeros(3)
        np.max(x, axis=1, out=o)
        return o * np.array([1.0, 2.0, 3.0])
    check(g2, distinct(3, 4))


def test_prod_with_zeros_is_product_of_the_others():
    for x in ([2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0], [0.0, 0.0, 0.0, 1.0], [1.5, 2.0, 3.0, 0.5]):
        x = numpy.array(x)
        want = [numpy.prod(numpy.delete(x, i)) for i in range(x.size)]
        assert numpy.asarray(grad(np.prod)(np.array(x))).tolist() == want
        check(np.prod, x)  # prod is multilinear: central differences are exact
    x = numpy.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [4.0, 5.0, 6.0]])
    check(lambda x: np.prod(x, axis=1) * np.array([1.0, 2.0, 3.0]), x)
    check(lambda x: np.prod(x, axis=0, keepdims=True) * np.array([1.0, 2.0, 3.0]), x)


def test_max_ties_split_equally():
    x = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    assert numpy.asarray(grad(np.max)(x)).tolist() == [0, 1 / 3, 1 / 3, 0, 1 / 3]
    x = np.array([[1.0, 1.0], [0.0, 2.0]])
    assert numpy.asarray(grad(lambda x: np.min(x, axis=1).sum())(x)).tolist() == [[0.5, 0.5], [1.0, 0.0]]
    # NaN is ignored by nanmax; an all-NaN slice gives 0 (no NaN in the gradient)
    x = np.array([[numpy.nan, 1.0, 2.0], [numpy.nan, numpy.nan, numpy.nan]])
    with numpy.errstate(invalid="ignore"):
        g = numpy.asarray(grad(lambda x: np.nanmax(x, axis=1))(x))
    assert g.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    x = np.array([1.0, numpy.nan, 3.0])
    assert numpy.asarray(grad(np.nansum)(x)).tolist() == [1.0, 0.0, 1.0]
    assert numpy.asarray(grad(np.nanmean)(x)).tolist() == [0.5, 0.0, 0.5]
    assert numpy.asarray(grad(np.nanmax)(x)).tolist() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_cumprod(axis):
    w = rand(12)
    x = rand(3, 4, lo=0.5, hi=1.5)
    for f in (np.cumsum, np.cumprod, lambda x, axis: x.cumsum(axis), lambda x, axis: x.cumprod(axis=axis)):
        check(lambda x: f(x, axis=axis).reshape(-1) * np.array(w), x)
    xz = x.copy()
    xz[0, 1] = xz[2, 0] = xz[2, 3] = 0.0
    xz[1, 1] = xz[1, 2] = 0.0
    check(lambda x: np.cumprod(x, axis=axis).reshape(-1) * np.array(w), xz)


def test_cumprod_zeros_first_order_exact():
    x = numpy.array([2.0, 0.0, 3.0, 0.0, 5.0])
    g = numpy.asarray(grad(np.cumprod)(np.array(x)))
    want = [sum(numpy.prod(numpy.delete(x[:k + 1], i)) for k in range(i, x.size)) for i in range(x.size)]
    assert g.tolist() == want


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum", "fmax", "fmin"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_ufunc_accumulate(name, axis):
    uf = getattr(np, name)
    x = distinct(3, 4) * 0.3
    w = rand(3, 4)
    check(lambda x: uf.accumulate(x, axis=axis) * np.array(w), x)


def test_accumulate_ties_go_to_the_first_extremum():
    g = grad(lambda x: np.maximum.accumulate(x).sum())(np.array([1.0, 3.0, 3.0, 2.0]))
    assert numpy.asarray(g).tolist() == [1.0, 3.0, 0.0, 0.0]


def test_accumulate_of_other_ufuncs_has_no_gradient():
    with pytest.raises(TypeError, match="has no gradient"):
        grad(lambda x: np.subtract.accumulate(x).sum())(np.array([1.0, 2.0]))


def test_integer_and_bool_reductions_give_zero():
    for f in (np.argmax, np.argmin, np.all, np.any, np.count_nonzero):
        g = grad(lambda x: np.sum(x) * 0 + f(x))(np.array([1.0, 3.0, 2.0]))
        assert numpy.asarray(g).tolist() == [0.0, 0.0, 0.0]


# ---- linear algebra ----
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
                 ((2, 2, 3), (3,))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul(sa, sb):
    check(lambda a, b: np.matmul(a, b), rand(*sa), rand(*sb))
    check(lambda a, b: a @ b * 2.0, rand(*sa), rand(*sb))


def test_matmul_mixed_dtypes_out_and_inplace():
    a32 = rand(2, 3).astype(numpy.float32)
    ga, gb = grad(lambda a, b: (a @ b).sum(), [0, 1])(np.array(a32), np.array(rand(3, 2)))
    assert ga.dtype == numpy.float32 and gb.dtype == numpy.float64
    # an integer operand gets no gradient
    gb = grad(lambda b: (np.array([[1, 2], [3, 4]]) @ b).sum())(np.array(rand(2, 2)))
    numpy.testing.assert_allclose(numpy.asarray(gb), [[4, 4], [6, 6]])

    def f(a, b):
        o = np.zeros((2, 2))
        np.matmul(a, b, out=o)
        return o * np.array([[1.0, 2.0], [3.0, 4.0]])
    check(f, rand(2, 3), rand(3, 2))

    def g(a, b):
        a = a * 1.0
        a @= b
        return a
    check(g, rand(2, 3), rand(3, 3))


DOT_SHAPES = [((), (3,)), ((3,), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((2, 3, 4), (4,)), ((2, 3), (4, 3, 5)), ((2, 2, 3), (2, 3, 2))]


@pytest.mark.parametrize("sa,sb", DOT_SHAPES, ids=str)
def test_dot(sa, sb):
    check(lambda a, b: np.dot(a, b), rand(*sa), rand(*sb))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (4, 3)), ((), (2,))],
                         ids=str)
def test_inner(sa, sb):
    check(lambda a, b: np.inner(a, b), rand(*sa), rand(*sb))


def test_vdot_outer_tensordot_trace():
    check(lambda a, b: np.vdot(a, b), rand(2, 3), rand(3, 2))
    w = np.array(rand(6, 4))
    check(lambda a, b: np.outer(a, b) * w, rand(2, 3), rand(4))
    check(lambda a, b: a.dot(b), rand(2, 3), rand(3))
    for axes, sb in ((0, (2,)), (1, (4, 2)), (2, (2, 4, 3)), (([1, 0], [1, 0]), (3, 2, 2)), (([2], [0]), (4, 2))):
        check(lambda a, b: np.tensordot(a, b, axes) * 1.5, rand(3, 2, 4), rand(*sb))
    for off, a1, a2 in ((0, 0, 1), (1, 0, 1), (-1, 1, 0), (0, 0, 2)):
        check(lambda a: np.trace(a, off, a1, a2), rand(3, 4, 3))
    check(lambda a: a.trace(), rand(3, 3))


@pytest.mark.parametrize("spec,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->", [(3, 3)]), ("ij->j", [(2, 3)]),
                                          ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,i->", [(3,), (3,)]),
                                          ("ij,ij->", [(2, 3), (2, 3)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]),
                                          ("ij,jk", [(2, 3), (3, 2)]), ("i,j->ij", [(2,), (3,)])])
def test_einsum(spec, shapes):
    args = [rand(*s) for s in shapes]
    check(lambda *a: np.einsum(spec, *a) * 1.25, *args)


def test_linalg_norm():
    check(lambda x: np.linalg.norm(x), rand(3, 4))
    check(lambda x: np.linalg.norm(x, 2), rand(5))
    check(lambda x: np.linalg.norm(x, "fro", keepdims=True), rand(2, 3))


# ---- selection ----
def test_where():
    c = numpy.array([[True, False, True], [False, False, True]])
    check(lambda x, y: np.where(np.array(c), x, y), rand(2, 3), rand(2, 3))
    check(lambda x, y: np.where(np.array(c), x, y) * 2.0, rand(3), rand(2, 1))
    check(lambda x: np.where(np.array(c), x, 0.5), rand(2, 3))
    check(lambda y: np.where(np.array(c), 1, y), rand(2, 3))
    # a float condition is a selector: no gradient, no error
    g = grad(lambda x: np.where(x > 0, x, x * x).sum() + np.where(x, 1.0, 2.0).sum())(np.array([1.0, -2.0]))
    assert numpy.asarray(g).tolist() == [1.0, -4.0]


def test_take_and_friends():
    idx = numpy.array([[0, 2], [2, 2]])
    for mode in ("raise", "wrap", "clip"):
        check(lambda x: np.take(x, np.array(idx if mode == "raise" else idx * 3 - 2), mode=mode), rand(6))
    check(lambda x: np.take(x, np.array([1, 1, 0]), axis=1), rand(2, 3))
    check(lambda x: x.take(np.array([3, 0, 3])), rand(2, 3))
    check(lambda x: np.take_along_axis(x, np.array([[0, 0], [2, 1]]), axis=1), rand(2, 3))
    check(lambda x: np.take_along_axis(x, np.array([4, 4, 0]), axis=None), rand(2, 3))
    check(lambda x: np.compress(np.array([True, False, True]), x, axis=1), rand(2, 3))
    check(lambda x: np.compress(np.array([False, True]), x), rand(2, 3))
    check(lambda x: np.extract(np.array([[1, 0, 1], [0, 1, 1]]), x), rand(2, 3))


def test_advanced_setitem():
    def f(x):
        y = np.zeros(5)
        y[np.array([0, 2, 0])] = x  # repeated index: the last write lands
        return y * np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    check(f, rand(3))
    assert numpy.asarray(grad(f)(np.array([1.0, 2.0, 3.0]))).tolist() == [0.0, 3.0, 1.0]

    def g(x):
        y = x * 2.0
        y[[1, 3]] = 0.0
        y[np.array([True, False, False, False])] = x[1:2] ** 2
        return y
    check(g, rand(4))

    def h(x, v):
        y = x * 1.0
        y[:, [2, 0]] = v  # broadcast over rows
        y[[[0]], [[1]]] = v[:1] * 3
        return y * y
    check(h, rand(2, 3), rand(2))

    def k(x):  # a view of a tracked array written by an advanced index
        y = x + 0.0
        y[1:][[0, 1]] = x[0] * x[0]
        return y
    check(k, rand(3, 2))


def test_add_at_and_write_errors():
    def f(x, b):
        y = x * 1.0
        np.add.at(y, np.array([0, 0, 2]), b)
        np.subtract.at(y, np.array([1]), b[0] * b[0])
        return y * y
    check(f, rand(4), rand(3))
    for fn in (lambda y: np.put(y, [0], 1.0), lambda y: np.place(y, y > 10, [1.0]),
               lambda y: np.putmask(y, y > 10, 1.0), lambda y: np.multiply.at(y, [0], 2.0),
               lambda y: y.put([0], [2.0])):
        with pytest.raises(TypeError, match=r"has no gradient"):
            grad(lambda x: (fn(x), x)[1])(np.array([1.0, 2.0]))
        # untracked arrays still work inside grad
        z = np.array([1.0, 2.0])
        grad(lambda x: (fn(z), x * z)[1])(np.array([1.0, 2.0]))


def test_writes_bump_the_version():
    def f(x):
        y = x * 1.0
        z = np.sin(y)  # saves y
        y[[0]] = 5.0
        return z
    # the write made the value saved for sin's gradient stale: refused, not a wrong gradient
    with pytest.raises(ValueError, match="modified in place"):
        grad(f)(np.array([0.3, 0.4]))

    c = np.array([1.0, 2.0])

    def h(x):
        y = x * c  # saves c
        np.put(c, [0], 10.0)
        return y
    with pytest.raises(ValueError, match="modified in place"):
        grad(h)(np.array([1.0, 1.0]))


def test_complex_results_of_tracked_inputs_raise():
    with pytest.raises(TypeError, match="has no gradient"):
        grad(lambda x: np.abs(x.astype(np.complex128)).sum())(np.array([1.0]))
    with pytest.raises(TypeError, match="has no gradient"):
        grad(lambda x: (x @ np.array([1j, 2.0])).real)(np.array([1.0, 2.0]))


# ---- shape, joining and selection ----
def weighted(f, *ws):
    """f's result(s) times fixed random weights, so every output position matters."""
    def g(*a):
        r = f(*a)
        if isinstance(r, (tuple, list)):  # several results: one scalar loss, each weighted differently
            return sum(np.sum(v * np.array(W_LOSS[v.size].reshape(v.shape))) * (i + 1) for i, v in enumerate(r))
        return r * np.array(W_LOSS[r.size].reshape(r.shape))
    return g


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_concatenate(axis):
    f = weighted(lambda x, y, z: np.concatenate([x, y * y, z], axis=axis))
    if axis == 0:
        check(f, rand(2, 3), rand(1, 3), rand(3, 3))
    else:
        check(f, rand(2, 3), rand(2, 1), rand(2, 2))
    check(weighted(lambda x: np.concatenate((x, x[:1], x[::-1]), axis=0 if axis is None else 0)), rand(2, 3))
    if axis is None:
        check(weighted(lambda x, y, s: np.concatenate([x, y, s, x.T], axis=None)), rand(2, 3), rand(4),
              numpy.array(0.4))
    with pytest.raises(TypeError, match="only takes"):
        grad(lambda x: np.concatenate([x, x], out=np.zeros(4), dtype=np.float64))(np.array([1.0, 2.0]))


def test_concatenate_dtypes_and_out():
    # float32 and integer inputs: the float32 input's gradient is float32, integers get none
    x32 = rand(2, 2).astype(numpy.float32)
    g = grad(lambda x: np.sum(np.concatenate([x, np.array([[1, 2]])]) * np.array([[1.0, 2.0]])))(np.array(x32))
    assert g.dtype == numpy.float32 and numpy.asarray(g).tolist() == [[1.0, 2.0], [1.0, 2.0]]

    def f(x, y):  # out= into a region of a tracked array: recorded as a write
        o = x * 3.0
        np.concatenate([y, y * x[0, 0]], axis=1, out=o[:, 1:])
        return o * o

    check(f, rand(2, 5), rand(2, 2))

    def h(y):  # out= an untracked array
        o = np.zeros(6)
        np.concatenate([y, y * y], axis=None, out=o)
        return o * np.arange(6.0)

    check(h, rand(3))


def test_stack_family():
    x, y = rand(2, 3), rand(2, 3)
    for axis in (0, 1, 2, -1):
        check(weighted(lambda x, y: np.stack([x, y * 2.0], axis=axis)), x, y)
    check(weighted(lambda x, y: np.stack((x, y), out=np.empty((2, 2, 3)))), x, y)
    v, w, s = rand(3), rand(3), numpy.array(0.7)
    check(weighted(lambda x, v: np.vstack([x, v, x[0]])), x, v)
    check(weighted(lambda v, w: np.hstack([v, w * w])), v, w)
    check(weighted(lambda x, y: np.hstack((x, y[:, :1]))), x, y)
    check(weighted(lambda x, y: np.dstack([x, x * 2.0, y])), x, y)
    check(weighted(lambda v, w: np.dstack([v, w])), v, w)
    check(weighted(lambda v, x, s: np.column_stack([v[:2], x, s * np.ones(2)])), v, x, s)
    for f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
        check(weighted(lambda s, v, x: f(s, v, x)), s, v, x)
        check(weighted(lambda v: f(v)), v)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_split(axis):
    x = rand(4, 6)
    check(weighted(lambda x: np.split(x, 2, axis=axis)), x)
    check(weighted(lambda x: np.array_split(x, 3, axis=axis)), x)
    check(weighted(lambda x: np.array_split(x * x, [1, 3, 3], axis=axis)), x)
    # only some pieces used: the others get zero
    check(lambda x: np.split(x, [1, 2], axis=axis)[1] * 2.0, x)
    # the pieces are views: a write through one reaches the gradient of what reads the base

    def f(x):
        y = x * 1.0
        p = np.split(y, 2, axis=axis)
        p[0][...] = x.sum()
        return y * y
    check(f, x)


def test_tile_repeat():
    x = rand(2, 3)
    for reps in (2, (2, 1), (1, 3), (2, 1, 2), (3, 2, 2, 1), 0, (0, 2)):
        check(weighted(lambda x: np.tile(x, reps)), x)
    check(weighted(lambda v: np.tile(v, (2, 2))), rand(3))
    check(weighted(lambda s: np.tile(s, 3)), numpy.array(1.5))
    for reps, axis in ((2, None), (3, 0), (2, 1), (2, -1), ([1, 0, 3], 1), ([2, 1], 0), (0, 1),
                       ([0, 2, 1, 0, 0, 1], None)):
        check(weighted(lambda x: np.repeat(x, reps, axis=axis)), x)
        check(weighted(lambda x: x.repeat(reps, axis)), x)
    check(weighted(lambda s: np.repeat(s, 4, axis=0)), numpy.array(0.3))
    check(weighted(lambda x: np.repeat(x.T, np.array([1, 2, 0]), axis=0)), x)


def test_flip_roll_pad():
    x = rand(2, 3, 4)
    for axis in (None, 0, 1, -1, (0, 2)):
        check(weighted(lambda x: np.flip(x * x, axis)), x)
    check(weighted(lambda x: np.fliplr(x)), x)
    check(weighted(lambda x: np.flipud(x[:, 1])), x)
    for shift, axis in ((1, None), (-7, None), (2, 0), ((1, -2), (1, 2)), (5, (0, 1, 2)), ((1, 1), (2, 2)),
                        (0, 1), (3, -1)):
        check(weighted(lambda x: np.roll(x, shift, axis)), x)
    y = rand(2, 3)
    for pw in (1, (1, 2), ((0, 1), (2, 0)), ((3, 0), (0, 0))):
        check(weighted(lambda y: np.pad(y, pw)), y)
        check(weighted(lambda y: np.pad(y * y, pw, constant_values=(1.5, -2.0))), y)
    check(weighted(lambda v: np.pad(v, 2, mode="constant")), rand(3))
    for cv in (lambda c: c, lambda c: (0.0, c), lambda c: ((c, 1.0),)):
        with pytest.raises(TypeError, match="has no gradient"):
            grad(lambda c: np.pad(np.ones(2), 1, constant_values=cv(c)).sum())(np.array(1.0))


@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("stable", [False, True])
def test_sort(axis, stable):
    x = distinct(3, 4)
    check(weighted(lambda x: np.sort(x, axis=axis, stable=stable)), x)
    check(weighted(lambda x: np.sort(x.T * 2.0, axis=axis, kind="heapsort")), x)

    def inplace(x):
        y = x * 1.0
        y.sort(axis=-1 if axis is None else axis, stable=stable)
        return y
    check(weighted(inplace), x)


def test_sort_inplace_of_views_and_stale_values():
    def f(x):
        y = x * 1.0
        y[1].sort()  # sorts a row of the tracked y
        y[:, 0].sort()
        return y * y
    check(weighted(f), distinct(3, 4))

    def g(x):  # a sorted leaf: the write replaces its value, whose gradient flows on
        x.sort()
        return x * np.array([1.0, 2.0, 3.0])
    assert numpy.asarray(grad(g)(np.array([3.0, 1.0, 2.0]))).tolist() == [3.0, 1.0, 2.0]

    def h(x):
        y = x * 1.0
        z = np.sin(y)  # saves y
        y.sort()
        return z
    with pytest.raises(ValueError, match="modified in place"):
        grad(h)(np.array([0.3, 0.1]))
    # an untracked array sorts in place under a tape as usual
    z = np.array([2.0, 1.0])
    grad(lambda x: (z.sort(), x * z)[1])(np.array([1.0, 1.0]))
    assert numpy.asarray(z).tolist() == [1.0, 2.0]


def test_sort_with_ties_and_nan():
    # ties: the sorted values are the same whichever tied input moves; each gets one slot
    g = numpy.asarray(grad(lambda x: np.sort(x) * np.array([1.0, 2.0, 3.0, 4.0]))(np.array([2.0, 1.0, 2.0, 0.5])))
    assert sorted(g.tolist()) == [1.0, 2.0, 3.0, 4.0] and g[3] == 1.0 and g[1] == 2.0
    g = numpy.asarray(grad(lambda x: np.sort(x) * np.array([1.0, 2.0, 3.0]))(np.array([numpy.nan, 1.0, 0.0])))
    assert g.tolist() == [3.0, 2.0, 1.0]


def test_diff_tri_meshgrid():
    x = rand(3, 5)
    for n, axis in ((1, -1), (2, 1), (1, 0), (3, -1), (0, 0)):
        check(weighted(lambda x: np.diff(x, n=n, axis=axis)), x)
    check(weighted(lambda x, p: np.diff(x, prepend=p, append=x[:, :1] * 2.0)), x, rand(3, 2))
    check(weighted(lambda x: np.diff(x, axis=0, prepend=1.5, append=0.0)), x)
    for k in (-1, 0, 2, -5, 9):
        check(weighted(lambda x: np.tril(x, k)), x)
        check(weighted(lambda x: np.triu(x * x, k)), x)
    check(weighted(lambda v: np.tril(v, 1)), rand(4))
    check(weighted(lambda v: np.triu(v)), rand(3))
    check(weighted(lambda x: np.triu(x.reshape(3, 1, 5) * np.ones((2, 1)), -1)), x)
    a, b, c = rand(3), rand(2), rand(4)
    for kw in ({}, {"indexing": "ij"}, {"sparse": True}, {"copy": False}):
        check(weighted(lambda a, b: np.meshgrid(a, b * b, **kw)), a, b)
        check(weighted(lambda a, b, c: np.meshgrid(a, b, c, **kw)), a, b, c)


def test_clip_round():
    x = distinct(3, 4) * 0.3 + 0.01
    check(weighted(lambda x: np.clip(x, -0.5, 0.4)), x)
    check(weighted(lambda x, lo: np.clip(x, lo, 1.0)), x, rand(4) * 0.3)
    check(weighted(lambda x: np.clip(x, None, 0.2) + x.clip(min=-0.3) + x.clip(-0.2, 0.1)), x)
    o = np.zeros((3, 4))
    check(weighted(lambda x: np.clip(x * x, 0.1, 0.5, out=o)), x)
    # round is piecewise constant: zero gradient (as rint), away from the jumps
    x = numpy.array([[0.123, -1.377, 2.2041, 0.7312], [3.3333, -0.0123, 0.4567, -2.212], [1.0, 0.0, 0.871, -0.333]])
    for f in (lambda x: np.round(x), lambda x: np.around(x, 1), lambda x: x.round(2),
              lambda x: np.round(x * 10.0, -1) + x):
        check(weighted(f), x)


# ---- higher order ----
def hess_check(f, x, rtol=1e-5, atol=1e-6):
    """d/dx sum(grad f(x) * w) against central differences of grad f."""
    w = rand(*numpy.shape(x))
    h = lambda x: grad(f)(x) * np.array(w)
    got = numpy.asarray(grad(h)(np.array(x)))
    want = numeric_grad(lambda x: numpy.asarray(grad(f)(x)) * w, [x], 0)
    numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_second_order():
    A = rand(3, 4)
    hess_check(lambda x: np.sum((np.array(A) @ x) ** 2), rand(4))
    hess_check(lambda x: np.sum(np.matmul(x, x.T) ** 2), rand(2, 3))
    hess_check(lambda x: np.sum(np.dot(x, x) * x), rand(3))
    hess_check(np.prod, rand(4, lo=0.5, hi=2))
    hess_check(lambda x: np.prod(x, axis=1).sum(), rand(3, 3, lo=0.5, hi=2))
    hess_check(np.prod, numpy.array([2.0, 0.0, 3.0, 1.5]))  # exact at a zero too
    hess_check(lambda x: np.max(x * x), distinct(5))
    hess_check(lambda x: np.var(x, axis=0).sum() + np.std(x), rand(3, 2))
    hess_check(lambda x: np.cumprod(x).sum() + np.cumsum(x * x).sum(), rand(4, lo=0.5, hi=2))
    hess_check(lambda x: np.einsum("ij,jk->ik", x, x.T).sum() ** 2, rand(2, 3))
    hess_check(lambda x: np.linalg.norm(x) ** 3, rand(4))
    # shape ops: their VJPs are recorded ops again
    hess_check(lambda x: np.sum(np.concatenate([x, x * x, x[::-1]], axis=0) ** 3), rand(3))
    hess_check(lambda x: np.sum(np.concatenate([x, x.T.reshape(2, 3)], axis=None) ** 2 * x.sum()), rand(2, 3))
    hess_check(lambda x: np.sum(np.sort(x * x, axis=1) ** 2 * np.array([1.0, 2.0, 3.0])), distinct(2, 3))
    hess_check(lambda x: np.sum(np.sort(x, axis=None) ** 3 * np.arange(6.0)), distinct(2, 3))
    hess_check(lambda x: np.sum(np.repeat(x, [2, 0, 3], axis=1) ** 3), rand(2, 3))
    hess_check(lambda x: np.sum(np.repeat(x * x, 2) ** 2 * np.arange(12.0)), rand(2, 3))
    hess_check(lambda x: np.sum(np.tile(np.roll(x, 1), 2) ** 3 * np.arange(6.0)), rand(3))
    # third order of a polynomial through matmul: d3/dx3 sum((x @ x)^2) for a 1x1 matrix
    g3 = grad(grad(grad(lambda x: np.sum((x @ x) ** 2))))(np.array([[1.5]]))
    assert numpy.asarray(g3).tolist() == [[24 * 1.5]]


# ---- CS231n-style check ----
def softmax_loss(W, X, y, reg):
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    n = X.shape[0]
    data = -np.mean(logp[np.arange(n), y])
    return data + 0.5 * reg * np.sum(W * W)


def test_softmax_cross_entropy_l2():
    X, W = rand(6, 5), rand(5, 4) * 0.1
    y = numpy.array([0, 3, 1, 1, 2, 3])
    Xm, ym = np.array(X), np.array(y)
    check(lambda W: softmax_loss(W, Xm, ym, 0.1), W)
    check(lambda X: softmax_loss(np.array(W), X, ym, 0.1), X)


# ---- the safety net: every native function differentiates or says it cannot ----
OUTCOMES = {}


def fd_or_refusal(f, x, name=None):
    try:
        got = grad(f)(np.array(x))
    except TypeError as e:
        assert "has no gradient" in str(e), str(e)
        OUTCOMES[name] = "refused"
        return "refused"
    OUTCOMES[name] = "ok"
    want = numeric_grad(f, [x], 0)
    numpy.testing.assert_allclose(numpy.asarray(got), want, rtol=1e-5, atol=1e-6)
    return "ok"


def loss(r):
    """A float loss of any result, with engine ops (integer results count as constants)."""
    if isinstance(r, (tuple, list)):
        out = 0.0
        for i, v in enumerate(r):
            out = out + loss(v) * (i + 1)
        return out
    if isinstance(r, np.ndarray):
        return np.sum(r.astype(np.float64) * np.array(W_LOSS[r.size]).reshape(r.shape)) if r.size else 0.0
    return float(r) if isinstance(r, (int, float)) else 0.0


W_LOSS = {n: RNG.uniform(0.5, 1.5, size=n) for n in range(0, 200)}
X0 = distinct(2, 3) * 0.3 + 0.05  # distinct, nonzero, no ties
XP = numpy.abs(X0) + 0.1  # positive (the ufuncs' domains)
M = numpy.array([[True, False, True], [False, True, True]])
I = numpy.array([2, 0, 1])

# name -> f(x) using the function on float array(s) derived from x; None: takes no float array.
FUNCTIONS = {
    "sum": lambda x: np.sum(x, axis=0), "prod": lambda x: np.prod(x, axis=1), "mean": np.mean,
    "var": lambda x: np.var(x, axis=1), "std": np.std, "max": lambda x: np.max(x, axis=0), "min": np.min,
    "amax": np.amax, "amin": np.amin, "argmax": np.argmax, "argmin": np.argmin, "all": np.all, "any": np.any,
    "cumsum": np.cumsum, "cumprod": lambda x: np.cumprod(x, axis=1), "count_nonzero": np.count_nonzero,
    "nansum": np.nansum, "nanmean": np.nanmean, "nanmax": np.nanmax, "nanmin": np.nanmin,
    "matmul": lambda x: np.matmul(x, x.T), "dot": lambda x: np.dot(x, x.T), "vdot": lambda x: np.vdot(x, x),
    "inner": lambda x: np.inner(x, x), "outer": lambda x: np.outer(x, x),
    "tensordot": lambda x: np.tensordot(x, x, ([1], [1])), "einsum": lambda x: np.einsum("ij,kj->ik", x, x),
    "trace": lambda x: np.trace(x), "take": lambda x: np.take(x, np.array(I)),
    "take_along_axis": lambda x: np.take_along_axis(x, np.array([[0, 2, 1]]), 1),
    "put": lambda x: np.put(x, [0], 1.0), "nonzero": np.nonzero, "argwhere": np.argwhere,
    "flatnonzero": np.flatnonzero, "where": lambda x: np.where(np.array(M), x, x * x),
    "compress": lambda x: np.compress([True, False], x, axis=0), "extract": lambda x: np.extract(np.array(M), x),
    "place": lambda x: np.place(x, np.array(M), [1.0]), "putmask": lambda x: np.putmask(x, np.array(M), 1.0),
    "reshape": lambda x: np.reshape(x, (3, 2)), "ravel": np.ravel, "transpose": np.transpose,
    "swapaxes": lambda x: np.swapaxes(x, 0, 1), "moveaxis": lambda x: np.moveaxis(x, 0, 1),
    "expand_dims": lambda x: np.expand_dims(x, 1), "squeeze": lambda x: np.squeeze(x[None]),
    "broadcast_to": lambda x: np.broadcast_to(x, (2, 2, 3)), "diagonal": np.diagonal, "real": np.real,
    "imag": np.imag, "array": np.array, "asarray": np.asarray, "asanyarray": np.asanyarray,
    "copy": np.copy, "ascontiguousarray": lambda x: np.ascontiguousarray(x.T),
    "zeros_like": np.zeros_like, "ones_like": np.ones_like, "full_like": lambda x: np.full_like(x, 2.0),
    "full": lambda x: np.full((2, 2, 3), x), "linspace": lambda x: np.linspace(x, x * 2, 4),
    "logspace": lambda x: np.logspace(x, x * 2, 3),
    "concatenate": lambda x: np.concatenate([x, x[:1] * x[1:]]), "stack": lambda x: np.stack([x, x * x], 1),
    "vstack": lambda x: np.vstack([x, x[0]]), "hstack": lambda x: np.hstack([x, x[:, :1]]),
    "dstack": lambda x: np.dstack([x, x]), "column_stack": lambda x: np.column_stack([x[0], x.T]),
    "atleast_1d": lambda x: np.atleast_1d(x[0, 0], x), "atleast_2d": lambda x: np.atleast_2d(x[0], x[0, 0]),
    "atleast_3d": lambda x: np.atleast_3d(x, x[0]), "split": lambda x: np.split(x, 3, axis=1),
    "array_split": lambda x: np.array_split(x, [1, 5]), "tile": lambda x: np.tile(x, (2, 1)),
    "repeat": lambda x: np.repeat(x, [1, 0, 2], axis=1), "flip": np.flip, "fliplr": np.fliplr,
    "flipud": np.flipud, "roll": lambda x: np.roll(x, 2), "pad": lambda x: np.pad(x, ((1, 0), (0, 2))),
    "sort": lambda x: np.sort(x, axis=0), "diff": lambda x: np.diff(x, prepend=0.5), "tril": np.tril,
    "triu": lambda x: np.triu(x, 1), "meshgrid": lambda x: np.meshgrid(x[0], x[1]),
    "clip": lambda x: np.clip(x, -0.1, 0.2), "round": lambda x: np.round(x, 1), "around": np.around,
    "argsort": np.argsort, "searchsorted": lambda x: np.searchsorted(np.array([-0.5, 0.0, 0.5]), x),
    "empty_like": None, "asnumpy": None,  # uninitialised values / leaves minpy
    "empty": None, "zeros": None, "ones": None, "arange": None, "eye": None, "identity": None,
}
# ufuncs: generic builders; these take no floating inputs (integer/bool loops only).
NO_FLOAT_UFUNCS = {"bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift", "gcd",
                   "lcm", "bitwise_count"}
METHODS = {
    "sum": lambda x: x.sum(1), "prod": lambda x: x.prod(), "mean": lambda x: x.mean(0), "var": lambda x: x.var(),
    "std": lambda x: x.std(1), "max": lambda x: x.max(), "min": lambda x: x.min(1), "argmax": lambda x: x.argmax(),
    "argmin": lambda x: x.argmin(0), "all": lambda x: x.all(), "any": lambda x: x.any(),
    "cumsum": lambda x: x.cumsum(), "cumprod": lambda x: x.cumprod(1), "dot": lambda x: x.dot(x.T),
    "trace": lambda x: x.trace(), "take": lambda x: x.take(np.array(I)), "put": lambda x: x.put([1], [2.0]),
    "nonzero": lambda x: x.nonzero(), "compress": lambda x: x.compress([False, True], 0),
    "reshape": lambda x: x.reshape(3, 2), "ravel": lambda x: x.ravel(), "flatten": lambda x: x.flatten(),
    "transpose": lambda x: x.transpose(), "swapaxes": lambda x: x.swapaxes(0, 1),
    "squeeze": lambda x: x[None].squeeze(), "diagonal": lambda x: x.diagonal(),
    "astype": lambda x: x.astype(np.float64) + x.astype(np.float32).astype(np.int64), "copy": lambda x: x.copy(), "view": lambda x: x.view(),
    "fill": lambda x: x.fill(1.0),
    # conversions that leave minpy (Python numbers, NumPy arrays), like float(x): not ops
    "item": None, "tolist": None, "asnumpy": None,
    "sort": lambda x: x.sort(0), "argsort": lambda x: x.argsort(),
    "searchsorted": lambda x: x[0].searchsorted(np.array([0.1, -0.3])),
    "repeat": lambda x: x.repeat(2), "clip": lambda x: x.clip(0.0, 0.2), "round": lambda x: x.round(),
    "conj": lambda x: x.conj(), "conjugate": lambda x: x.conjugate(),
    "__matmul__": lambda x: x @ x.T, "__rmatmul__": lambda x: x.T.__rmatmul__(x),
    "__imatmul__": lambda x: (lambda y: y.__imatmul__(np.array(numpy.eye(3) * 2.0)))(x * 1.0),
    "__getitem__": lambda x: x[[1, 0], 1:], "__setitem__": lambda x: (lambda y: (y.__setitem__(
        ([0, 1], [2, 2]), x[0, :2]), y)[1])(x * 1.0),
}
DUNDERS = ["__matmul__", "__rmatmul__", "__imatmul__", "__getitem__", "__setitem__"]


def _natives(namespace):
    for name in dir(namespace):
        if name.startswith("_"):
            continue
        v = getattr(namespace, name)
        if callable(v) and not isinstance(v, type) and not getattr(v, "_minpy_fallback", False):
            yield name, v


def test_every_native_function_is_in_the_table():
    missing = []
    for name, v in _natives(np):
        if isinstance(v, _core.ufunc) or name in FUNCTIONS:
            continue
        if getattr(v, "__module__", "").startswith("minpy.numpy") and name not in (
                "record_op_stat", "reset_op_stat", "op_stat", "show_op_stat", "fallback_policy",
                "get_fallback_policy", "set_fallback_policy", "result_type", "promote_types", "can_cast",
                "may_share_memory", "finfo", "iinfo", "seterr", "geterr", "seterrcall", "geterrcall"):
            missing.append(name)
    assert not missing, f"add these native functions to FUNCTIONS: {missing}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_safety_net_functions(name):
    b = FUNCTIONS[name]
    if b is None:
        return
    if not hasattr(np, name) or getattr(getattr(np, name), "_minpy_fallback", False):
        pytest.skip("not native in this tree")

    def f(x):
        r = b(x)
        return loss(r if r is not None else x)
    fd_or_refusal(f, X0, name)


@pytest.mark.parametrize("name", sorted(n for n, v in _natives(np) if isinstance(v, _core.ufunc)))
def test_safety_net_ufuncs(name):
    uf = getattr(np, name)
    if uf.__name__ in NO_FLOAT_UFUNCS:
        return
    args = [XP, XP[::-1] * 0.9 + 0.02, XP + 0.3][:uf.nin]
    with numpy.errstate(all="ignore"):
        if numpy.isnan(total(uf(*[np.array(a) for a in args]))):  # outside the domain (arccosh)
            args = [a + 1.5 for a in args]

    def f(x):
        return loss(uf(x, *[np.array(a) for a in args[1:]]))

    def g(x):
        return loss(uf(*[np.array(a) for a in args[:-1]], x))
    fd_or_refusal(f, args[0])
    if uf.nin > 1:
        fd_or_refusal(g, args[-1])


@pytest.mark.parametrize("name", sorted(n for n, _ in _natives(np.ndarray)) + DUNDERS)
def test_safety_net_methods(name):
    if name not in METHODS:
        pytest.fail(f"add ndarray.{name} to METHODS")
    b = METHODS[name]
    if b is None:
        return

    def f(x):
        r = b(x)
        return loss(r if r is not None else x)
    fd_or_refusal(f, X0)


def test_safety_net_refusals_are_the_expected_ones():
    """The ops refusing a gradient are exactly the writes/samplers without one (run after the walk)."""
    for name in ("put", "place", "putmask", "linspace", "logspace"):
        if OUTCOMES.get(name) is None:
            test_safety_net_functions(name)
    assert {n for n, v in OUTCOMES.items() if v == "refused"} == {"put", "place", "putmask", "linspace", "logspace"}


def test_random_sampling_from_tracked_parameters_refuses():
    rng = np.random.default_rng(0)
    for f in (lambda x: np.random.normal(x, 1.0), lambda x: rng.normal(0.0, x),
              lambda x: rng.uniform(x, x + 1.0), lambda x: np.random.uniform(0.0, x),
              lambda x: rng.permutation(x), lambda x: (rng.shuffle(x), x)[1]):
        with pytest.raises(TypeError, match="has no gradient"):
            grad(lambda x: np.sum(f(x)))(np.array([0.5, 1.5]))
