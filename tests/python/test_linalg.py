"""matmul/@, dot, vdot, inner, outer, tensordot, einsum, trace against NumPy."""
import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as mnp
from conftest import ALL_DTYPES, INT_DTYPES, assert_same, raises_like

SETTINGS = settings(max_examples=50, deadline=None)


def small_ints(shape, dtype, seed=0):
    """Integer-valued data: every product and sum is exact in every dtype, so floats compare exactly."""
    rng = numpy.random.default_rng(seed)
    lo = 0 if numpy.dtype(dtype).kind in "ub" else -4
    x = rng.integers(lo, 5, size=shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.integers(-4, 5, size=shape)
    return x.astype(dtype)


def pair(x):
    return mnp.asarray(x), x


SHAPE_PAIRS = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (4, 3, 2)), ((2, 3), (6, 3, 2)), ((4,), (2, 4, 3)), ((2, 1, 2, 3), (5, 3, 1)),
    ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((0,), (0,)), ((3, 2, 0), (3, 0, 0)), ((1, 1), (1, 1)),
    ((7, 33), (33, 65)),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("sa,sb", SHAPE_PAIRS)
def test_matmul_shapes_dtypes(dtype, sa, sb):
    a, na = pair(small_ints(sa, dtype, 1))
    b, nb = pair(small_ints(sb, dtype, 2))
    assert_same(mnp.matmul(a, b), numpy.matmul(na, nb))
    assert_same(a @ b, na @ nb)


@pytest.mark.parametrize("da,db", [("int8", "uint8"), ("int64", "float32"), ("bool", "int16"),
                                   ("float16", "float32"), ("complex64", "float64"), ("uint64", "int64"),
                                   ("bool", "float16"), ("int32", "complex64"), ("uint32", "int8")])
def test_matmul_promotion(da, db):
    a, na = pair(small_ints((2, 3, 4), da, 3))
    b, nb = pair(small_ints((4, 5), db, 4))
    assert_same(a @ b, na @ nb)
    assert_same(b.T @ a.mT, nb.T @ na.mT)


def layouts(x):
    """Non-contiguous, transposed and reversed versions of a 2-d array."""
    return {
        "c": x,
        "t": numpy.ascontiguousarray(x.T).T,
        "step": numpy.repeat(x, 2, axis=1)[:, ::2],
        "rev": numpy.ascontiguousarray(x[::-1])[::-1],
        "revcol": numpy.ascontiguousarray(x[:, ::-1])[:, ::-1],
        "padded": numpy.pad(x, ((0, 1), (0, 3)))[: x.shape[0], : x.shape[1]],
    }


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128", "int64", "int16",
                                   "float16", "bool", "uint8"])
@pytest.mark.parametrize("la", ["c", "t", "step", "rev", "revcol", "padded"])
@pytest.mark.parametrize("lb", ["c", "t", "step", "rev", "padded"])
def test_matmul_layouts(dtype, la, lb):
    na = layouts(small_ints((5, 6), dtype, 5))[la]
    nb = layouts(small_ints((6, 3), dtype, 6))[lb]
    # Build minpy arrays with the same strides (asarray copies NumPy data contiguous).
    a = mnp.asarray(numpy.ascontiguousarray(na))
    b = mnp.asarray(numpy.ascontiguousarray(nb))
    if la == "t":
        a = mnp.asarray(numpy.ascontiguousarray(na.T)).T
    if lb == "t":
        b = mnp.asarray(numpy.ascontiguousarray(nb.T)).T
    if la == "rev":
        a = mnp.asarray(numpy.ascontiguousarray(na[::-1]))[::-1]
    if lb == "rev":
        b = mnp.asarray(numpy.ascontiguousarray(nb[::-1]))[::-1]
    if la == "step":
        a = mnp.asarray(numpy.repeat(na, 2, axis=1))[:, ::2]
    if lb == "step":
        b = mnp.asarray(numpy.repeat(nb, 2, axis=1))[:, ::2]
    if la == "revcol":
        a = mnp.asarray(numpy.ascontiguousarray(na[:, ::-1]))[:, ::-1]
    if la == "padded":
        a = mnp.asarray(numpy.pad(na, ((0, 1), (0, 3))))[: na.shape[0], : na.shape[1]]
    if lb == "padded":
        b = mnp.asarray(numpy.pad(nb, ((0, 1), (0, 3))))[: nb.shape[0], : nb.shape[1]]
    assert_same(a, na)
    assert_same(b, nb)
    assert_same(a @ b, na @ nb)
    assert_same(mnp.dot(a, b), numpy.dot(na, nb))


@pytest.mark.parametrize("dtype", ["float64", "int32", "float16", "complex128"])
def test_matmul_batched_noncontiguous(dtype):
    na = small_ints((4, 5, 6), dtype, 7)
    nb = small_ints((6, 4, 3), dtype, 8)
    a, b = mnp.asarray(na), mnp.asarray(nb)
    assert_same(a[::-1, ::2] @ b.transpose(1, 0, 2)[:, ::-1],
                na[::-1, ::2] @ nb.transpose(1, 0, 2)[:, ::-1])
    assert_same(a.transpose(2, 1, 0)[:4] @ a.transpose(2, 0, 1)[:4, :4],
                na.transpose(2, 1, 0)[:4] @ na.transpose(2, 0, 1)[:4, :4])


@st.composite
def matmul_case(draw):
    dtype = draw(st.sampled_from(ALL_DTYPES))
    n, k, m = (draw(st.integers(0, 9)) for _ in range(3))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    bb = tuple(1 if draw(st.booleans()) else s for s in batch)
    a1, b1 = draw(st.booleans()), draw(st.booleans())
    sa = (k,) if a1 and draw(st.booleans()) else batch + (n, k)
    sb = (k,) if b1 and draw(st.booleans()) else bb + (k, m)
    ta, tb = draw(st.booleans()), draw(st.booleans())
    seed = draw(st.integers(0, 2**31))
    return dtype, sa, sb, ta, tb, seed


def full_range(shape, dtype, seed):
    """Values over the dtype's whole range: integer products wrap, as NumPy's do."""
    rng = numpy.random.default_rng(seed)
    dt = numpy.dtype(dtype)
    if dt.kind in "iu":
        info = numpy.iinfo(dt)
        return rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    x = rng.uniform(0.5, 1.5, size=shape)  # positive: no cancellation, so rtol is meaningful
    if dt.kind == "c":
        x = x + 1j * rng.uniform(0.5, 1.5, size=shape)
    return x.astype(dt)


def rtol_for(dtype):
    return {"float16": None, "float32": 1e-5, "complex64": 1e-5, "float64": 1e-12, "complex128": 1e-12}.get(dtype)


@given(matmul_case())
@SETTINGS
def test_matmul_hypothesis(case):
    dtype, sa, sb, ta, tb, seed = case
    na = full_range(sa, dtype, seed)
    nb = full_range(sb, dtype, seed + 1)
    a, b = mnp.asarray(na), mnp.asarray(nb)
    if ta and na.ndim >= 2:  # the same values through a transposed (F-ordered) layout
        a = mnp.asarray(numpy.ascontiguousarray(numpy.swapaxes(na, -1, -2))).mT
    if tb and nb.ndim >= 2:
        b = mnp.asarray(numpy.ascontiguousarray(numpy.swapaxes(nb, -1, -2))).mT
    # float16 sums in float32 in order, as NumPy's loop does: bit for bit.
    assert_same(a @ b, na @ nb, rtol=rtol_for(dtype))


@given(st.sampled_from(INT_DTYPES + ["bool", "float16"]), st.integers(0, 40), st.integers(0, 2**31))
@SETTINGS
def test_matmul_exact_wrapping(dtype, k, seed):
    na = full_range((3, k), dtype, seed)
    nb = full_range((k, 4), dtype, seed + 7)
    assert_same(mnp.asarray(na) @ mnp.asarray(nb), na @ nb)


def test_matmul_errors():
    a, na = pair(numpy.ones((2, 3)))
    raises_like(lambda: a @ a, lambda: na @ na)
    raises_like(lambda: mnp.matmul(a, mnp.asarray(numpy.ones(()))), lambda: numpy.matmul(na, numpy.ones(())))
    raises_like(lambda: mnp.matmul(mnp.asarray(numpy.ones(())), a), lambda: numpy.matmul(numpy.ones(()), na))
    raises_like(lambda: a @ 2, lambda: na @ 2)
    raises_like(lambda: 2 @ a, lambda: 2 @ na)
    x, nx = pair(numpy.ones((2, 3, 4)))
    y, ny = pair(numpy.ones((3, 4, 5)))
    raises_like(lambda: x @ y, lambda: nx @ ny)
    with pytest.raises(ValueError, match="Input operand 1 has a mismatch in its core dimension 0"):
        a @ a
    with pytest.raises(ValueError, match="does not have enough dimensions"):
        mnp.matmul(a, mnp.asarray(numpy.ones(())))


def test_matmul_out():
    na, nb = small_ints((2, 3, 4), "float64", 1), small_ints((4, 5), "float64", 2)
    a, b = mnp.asarray(na), mnp.asarray(nb)
    out, nout = mnp.zeros((2, 3, 5)), numpy.zeros((2, 3, 5))
    r = mnp.matmul(a, b, out=out)
    numpy.matmul(na, nb, out=nout)
    assert r is out
    assert_same(out, nout)
    # out of another dtype (same_kind), a non-contiguous out, and out broadcasting the batch
    o32 = mnp.zeros((2, 3, 5), dtype="float32")
    mnp.matmul(a, b, out=o32)
    assert_same(o32, (na @ nb).astype("float32"))
    big = mnp.zeros((2, 5, 3))
    mnp.matmul(a, b, out=big.transpose(0, 2, 1))
    assert_same(big.transpose(0, 2, 1), na @ nb)
    ob = mnp.zeros((4, 3, 5))
    mnp.matmul(a[0], b, out=ob)
    assert_same(ob, numpy.broadcast_to(na[0] @ nb, (4, 3, 5)))
    # errors: wrong shape, unsafe cast
    raises_like(lambda: mnp.matmul(a, b, out=mnp.zeros((2, 3, 4))), lambda: numpy.matmul(na, nb, out=numpy.zeros((2, 3, 4))))
    # NumPy raises UFuncTypeError, a TypeError subclass minpy does not define
    for f in (lambda: mnp.matmul(a, b, out=mnp.zeros((2, 3, 5), dtype="int64")),
              lambda: numpy.matmul(na, nb, out=numpy.zeros((2, 3, 5), dtype="int64"))):
        with pytest.raises(TypeError):
            f()
    # out aliasing an input
    sq, nsq = pair(small_ints((4, 4), "int64", 3))
    mnp.matmul(sq, sq, out=sq)
    numpy.matmul(nsq, nsq, out=nsq)
    assert_same(sq, nsq)


def test_matmul_dtype_argument():
    na, nb = small_ints((3, 4), "int8", 1), small_ints((4, 2), "int8", 2)
    assert_same(mnp.matmul(mnp.asarray(na), mnp.asarray(nb), dtype="float32"),
                numpy.matmul(na, nb, dtype="float32"))


@pytest.mark.parametrize("dtype", ["int64", "float64", "complex64", "float16", "bool"])
def test_imatmul_and_rmatmul(dtype):
    na, nb = small_ints((3, 3), dtype, 1), small_ints((3, 3), dtype, 2)
    a, b = mnp.asarray(na), mnp.asarray(nb)
    a_before = a
    a @= b
    na @= nb
    assert a is a_before
    assert_same(a, na)
    # a NumPy array or a list on the left: minpy's __rmatmul__ or __array_ufunc__ gives a minpy array
    assert_same(nb.tolist() @ a, nb.tolist() @ na)
    assert_same(nb @ a, nb @ na)
    v, nv = pair(small_ints((3,), dtype, 4))
    v @= b  # a 1-d left operand keeps its shape: allowed
    nv @= nb
    assert_same(v, nv)
    with pytest.raises(ValueError, match="inplace matrix multiplication requires"):
        a @= v
    with pytest.raises(ValueError):
        na @= nv
    raises_like(lambda: a.__imatmul__(mnp.asarray(small_ints((3, 4), dtype, 5))),
                lambda: na.__imatmul__(small_ints((3, 4), dtype, 5)))


def test_imatmul_casting():
    a, na = pair(numpy.ones((3, 3), dtype="int64"))
    b, nb = pair(numpy.ones((3, 3)))

    def mine():
        x = a
        x @= b

    def ref():
        x = na
        x @= nb
    for f in (mine, ref):
        with pytest.raises(TypeError):
            f()


def test_matmul_large_blas():
    rng = numpy.random.default_rng(0)
    for dt in ["float32", "float64", "complex128"]:
        na = rng.uniform(0.5, 1.5, (70, 130)).astype(dt)
        nb = rng.uniform(0.5, 1.5, (130, 90)).astype(dt)
        tol = 1e-5 if dt == "float32" else 1e-12
        assert_same(mnp.asarray(na) @ mnp.asarray(nb), na @ nb, rtol=tol)
        assert_same(mnp.asarray(na)[::2, ::3] @ mnp.asarray(nb)[::3, 1::2], na[::2, ::3] @ nb[::3, 1::2], rtol=tol)


@pytest.mark.parametrize("dt", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("m,k,n", [(300, 70, 40), (40, 70, 300), (257, 33, 129), (97, 64, 1000)])
def test_matmul_split_over_threads(dt, m, k, n):
    # Products this big are split into row or column blocks run on the thread pool (each block a
    # single-threaded BLAS call with offset operands): every layout must land in the right place.
    rng = numpy.random.default_rng(m * n)
    na = rng.uniform(-1, 1, (m, k)).astype(dt)
    nb = rng.uniform(-1, 1, (k, n)).astype(dt)
    tol = 1e-4 if dt in ("float32", "complex64") else 1e-12
    for a, b in [(na, nb), (numpy.asfortranarray(na), nb), (na, numpy.asfortranarray(nb)),
                 (numpy.asfortranarray(na), numpy.asfortranarray(nb))]:
        assert_same(mnp.asarray(a) @ mnp.asarray(b), a @ b, rtol=tol, atol=tol)
    out = numpy.zeros((n, m), dt).T  # column-major output: the product is computed transposed
    mout = mnp.zeros((n, m), dt).T
    mnp.matmul(mnp.asarray(na), mnp.asarray(nb), out=mout)
    assert_same(mout, numpy.matmul(na, nb, out=out), rtol=tol, atol=tol)


@pytest.mark.parametrize("dt", ["float32", "float64", "complex128"])
def test_matvec_split_over_threads(dt):
    rng = numpy.random.default_rng(1)
    na = rng.uniform(-1, 1, (1500, 700)).astype(dt)
    v, w = rng.uniform(-1, 1, 700).astype(dt), rng.uniform(-1, 1, 1500).astype(dt)
    tol = 1e-4 if dt == "float32" else 1e-12
    ma = mnp.asarray(na)
    assert_same(ma @ mnp.asarray(v), na @ v, rtol=tol, atol=tol)
    assert_same(mnp.asarray(w) @ ma, w @ na, rtol=tol, atol=tol)
    assert_same(ma.T @ mnp.asarray(w), na.T @ w, rtol=tol, atol=tol)
    assert_same(mnp.asarray(w)[::-2] @ ma[::2], w[::-2] @ na[::2], rtol=tol, atol=tol)


# ---- dot, vdot, inner, outer --------------------------------------------------------------------

DOT_SHAPES = [((), ()), ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
              ((2, 3), (3, 4)), ((2, 4, 3), (3, 5)), ((2, 3), (4, 3, 5)), ((2, 2, 3), (2, 4, 3, 2)),
              ((0, 3), (3, 2)), ((2, 0), (0,)), ((3,), (2, 3, 0))]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("sa,sb", DOT_SHAPES)
def test_dot(dtype, sa, sb):
    a, na = pair(small_ints(sa, dtype, 1))
    b, nb = pair(small_ints(sb, dtype, 2))
    assert_same(mnp.dot(a, b), numpy.dot(na, nb))
    if a.ndim:
        assert_same(a.dot(b), na.dot(nb))


def test_dot_errors_and_out():
    a, na = pair(small_ints((2, 3), "float64"))
    raises_like(lambda: mnp.dot(a, a), lambda: numpy.dot(na, na))
    raises_like(lambda: mnp.dot(a, mnp.asarray(numpy.ones(2))), lambda: numpy.dot(na, numpy.ones(2)))
    with pytest.raises(ValueError, match=r"shapes \(2,3\) and \(2,3\) not aligned: 3 \(dim 1\) != 2 \(dim 0\)"):
        mnp.dot(a, a)
    out, nout = mnp.zeros((2, 2)), numpy.zeros((2, 2))
    assert mnp.dot(a, a.T, out=out) is out
    numpy.dot(na, na.T, out=nout)
    assert_same(out, nout)
    for bad in [numpy.zeros((2, 2), "float32"), numpy.zeros((2, 3)), numpy.zeros((2, 4))[:, ::2]]:
        raises_like(lambda: mnp.dot(a, a.T, out=mnp.asarray(bad) if bad.flags.c_contiguous else mnp.zeros((2, 4))[:, ::2]),
                    lambda: numpy.dot(na, na.T, out=bad))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_vdot_inner_outer(dtype):
    a, na = pair(small_ints((2, 3), dtype, 1))
    b, nb = pair(small_ints((3, 2), dtype, 2))
    assert_same(mnp.vdot(a, b), numpy.vdot(na, nb))
    assert_same(mnp.vdot(a.T, b), numpy.vdot(na.T, nb))
    c, nc = pair(small_ints((4, 3), dtype, 3))
    assert_same(mnp.inner(a, c), numpy.inner(na, nc))
    assert_same(mnp.inner(a[0], c), numpy.inner(na[0], nc))
    assert_same(mnp.inner(a, c[0]), numpy.inner(na, nc[0]))
    assert_same(mnp.inner(a, mnp.asarray(na[0, 0])), numpy.inner(na, na[0, 0]))
    assert_same(mnp.outer(a, b), numpy.outer(na, nb))
    assert_same(mnp.outer(a[:, ::-1], b[0]), numpy.outer(na[:, ::-1], nb[0]))


def test_vdot_inner_outer_errors():
    a, na = pair(numpy.ones((2, 3)))
    raises_like(lambda: mnp.vdot(a, mnp.asarray(numpy.ones(5))), lambda: numpy.vdot(na, numpy.ones(5)))
    raises_like(lambda: mnp.inner(a, mnp.asarray(numpy.ones(2))), lambda: numpy.inner(na, numpy.ones(2)))
    out, nout = mnp.zeros((6, 6)), numpy.zeros((6, 6))
    assert mnp.outer(a, a, out=out) is out
    assert_same(out, numpy.outer(na, na, out=nout))


def test_vdot_conjugates():
    na = numpy.array([1 + 2j, 3 - 1j, -2j])
    nb = numpy.array([2 - 1j, 1j, 4 + 0j])
    assert_same(mnp.vdot(mnp.asarray(na), mnp.asarray(nb)), numpy.vdot(na, nb))


# ---- tensordot -----------------------------------------------------------------------------------

TD_CASES = [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4, 5), 0), ((2, 3), (2, 3), -1),
            ((3, 4, 5), (4, 3, 2), ([1, 0], [0, 1])), ((3, 4, 5), (5, 3), ((2, 0), (0, 1))),
            ((3, 4), (4,), ([1], [0])), ((2, 3, 4), (4, 3, 2), ([-1, 1], [0, -2])), ((3, 0), (0, 2), 1),
            ((2, 3), (3, 2), (1, 0))]


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint16", "bool", "float16", "float32", "float64", "complex128"])
@pytest.mark.parametrize("sa,sb,axes", TD_CASES)
def test_tensordot(dtype, sa, sb, axes):
    a, na = pair(small_ints(sa, dtype, 1))
    b, nb = pair(small_ints(sb, dtype, 2))
    assert_same(mnp.tensordot(a, b, axes), numpy.tensordot(na, nb, axes))


def test_tensordot_errors():
    a, na = pair(numpy.ones((2, 3)))
    b, nb = pair(numpy.ones((3, 3)))
    for axes in [([1, 1], [0, 1]), ([1], [0, 1]), ([5], [0]), ([0], [0]), 3]:
        raises_like(lambda: mnp.tensordot(a, b, axes), lambda: numpy.tensordot(na, nb, axes))


# ---- trace ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape,offset,a1,a2", [((3, 3), 0, 0, 1), ((3, 5), 1, 0, 1), ((4, 3), -2, 0, 1),
                                                ((2, 3, 4), 0, 1, 2), ((2, 3, 4), 1, 2, 0), ((3, 3), 7, 0, 1),
                                                ((0, 3), 0, 0, 1), ((5, 5), -1, 1, 0)])
def test_trace(dtype, shape, offset, a1, a2):
    a, na = pair(small_ints(shape, dtype, 1))
    assert_same(mnp.trace(a, offset, a1, a2), numpy.trace(na, offset, a1, a2))
    assert_same(a.trace(offset, a1, a2), na.trace(offset, a1, a2))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "bool", "float32", "float16", "complex64"])
def test_trace_dtype_out_errors(dtype):
    a, na = pair(small_ints((4, 4), dtype, 2))
    for dt in ["int8", "float64", "uint32", "complex128"]:
        assert_same(mnp.trace(a, dtype=dt), numpy.trace(na, dtype=dt))
    big, nbig = pair(full_range((40, 40), dtype, 3))
    assert_same(mnp.trace(big), numpy.trace(nbig), rtol={"float32": 1e-5, "float16": 1e-3, "complex64": 1e-5}.get(dtype))
    out, nout = mnp.zeros(()), numpy.zeros(())
    mnp.trace(a, out=out)
    numpy.trace(na, out=nout)
    assert_same(out, nout)
    raises_like(lambda: mnp.trace(a[0]), lambda: numpy.trace(na[0]))
    raises_like(lambda: mnp.trace(a, axis1=0, axis2=0), lambda: numpy.trace(na, axis1=0, axis2=0))
    raises_like(lambda: mnp.trace(a, axis1=0, axis2=5), lambda: numpy.trace(na, axis1=0, axis2=5))


# ---- einsum --------------------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,i->", [(5,), (5,)]),
    ("i,i", [(5,), (5,)]), ("ij->ji", [(3, 4)]), ("ii->i", [(4, 4)]), ("ij->", [(3, 4)]), ("ii", [(3, 3)]),
    ("ij", [(2, 3)]), ("ji", [(2, 3)]), ("ij,kj->ik", [(3, 4), (5, 4)]), ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("ij,ij->", [(3, 4), (3, 4)]), ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("ij,jk", [(2, 3), (3, 4)]), ("ba,ca->bc", [(2, 3), (4, 3)]), ("iij,jk->ik", [(3, 3, 4), (4, 2)]),
    ("ij,k->ik", [(2, 3), (4,)]), ("bij,bkj->bki", [(2, 3, 4), (2, 5, 4)]), ("ijk->kji", [(2, 3, 4)]),
    ("ijk->j", [(2, 3, 4)]), ("Ab,bA->", [(2, 3), (3, 2)]), ("ij,jk->ki", [(0, 3), (3, 2)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,i->i", [(1,), (4,)]),
]


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint32", "bool", "float16", "float32", "float64", "complex64"])
@pytest.mark.parametrize("subs,shapes", EINSUM_CASES)
def test_einsum(dtype, subs, shapes):
    ops = [small_ints(s, dtype, i) for i, s in enumerate(shapes)]
    want = numpy.einsum(subs, *ops)
    got = mnp.einsum(subs, *[mnp.asarray(x) for x in ops])
    assert_same(got, want)


def test_einsum_native_and_fallback_counts():
    a = mnp.asarray(small_ints((3, 4), "float64"))
    mnp.reset_op_stat()
    mnp.record_op_stat(True)
    try:
        mnp.einsum("ij,jk->ik", a, a.T)
        mnp.einsum("ii->i", a[:, :3])
        mnp.einsum("ij,jk,kl->il", a, a.T, a)
        stats = mnp.op_stat()
    finally:
        mnp.record_op_stat(False)
    assert stats["matmul"][0] >= 1
    assert stats.get("einsum", (0, 0))[1] == 1


def test_einsum_views_and_mixed_dtypes():
    na = small_ints((3, 3), "int64")
    a = mnp.asarray(na)
    v = mnp.einsum("ij->ji", a)
    assert numpy.shares_memory(numpy.asarray(v), numpy.asarray(a))
    x, nx = pair(small_ints((3, 4), "int8"))
    y, ny = pair(small_ints((4, 2), "uint8", 1))
    assert_same(mnp.einsum("ij,jk->ik", x, y), numpy.einsum("ij,jk->ik", nx, ny))
    raises_like(lambda: mnp.einsum("ij,jk->ik", x, x), lambda: numpy.einsum("ij,jk->ik", nx, nx))
    raises_like(lambda: mnp.einsum("ij->k", x), lambda: numpy.einsum("ij->k", nx))


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_einsum_float_tolerance(dtype):
    rng = numpy.random.default_rng(1)
    na = rng.uniform(0.5, 1.5, (4, 6, 7)).astype(dtype)
    nb = rng.uniform(0.5, 1.5, (4, 7, 3)).astype(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert_same(mnp.einsum("bij,bjk->bik", mnp.asarray(na), mnp.asarray(nb)),
                numpy.einsum("bij,bjk->bik", na, nb), rtol=tol)


def test_linalg_module_still_falls_back():
    a = mnp.asarray(numpy.eye(3) * 2)
    assert_same(mnp.linalg.inv(a), numpy.linalg.inv(numpy.eye(3) * 2))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "bool", "complex128", "float16"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (0,), ()])
def test_norm_native_cases(dtype, shape):
    na = small_ints(shape, dtype, 3)
    tol = {"float32": 1e-6, "float16": 1e-3}.get(dtype, 1e-14)
    assert_same(mnp.linalg.norm(mnp.asarray(na)), numpy.linalg.norm(na), rtol=tol)
    assert_same(mnp.linalg.norm(mnp.asarray(na), keepdims=True), numpy.linalg.norm(na, keepdims=True), rtol=tol)
    if na.ndim == 2:
        assert_same(mnp.linalg.norm(mnp.asarray(na), "fro"), numpy.linalg.norm(na, "fro"), rtol=tol)
        assert_same(mnp.linalg.norm(mnp.asarray(na), axis=1), numpy.linalg.norm(na, axis=1), rtol=tol)
        # other orders run NumPy's (the fallback returns NumPy's scalar)
        assert float(mnp.linalg.norm(mnp.asarray(na), 1)) == float(numpy.linalg.norm(na, 1))
