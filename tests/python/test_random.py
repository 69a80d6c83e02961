"""minpy.numpy.random: the Philox stream contract, reproducibility, NumPy's dtypes/shapes/errors, and
statistics with fixed seeds and generous (5 sigma / 1e-6 tail) bounds."""
import math

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minpy.numpy as mnp
from minpy import _core
from conftest import INT_DTYPES, raises_like

R = mnp.random
NR = numpy.random


def A(x):
    """A NumPy view of a minpy result, checking that it is one."""
    assert isinstance(x, mnp.ndarray), f"expected a minpy array, got {type(x)}"
    return numpy.asarray(x)


# ---- module wiring ----

def test_namespace_is_minpy():
    import minpy.numpy.random as mod
    assert mnp.random is mod
    assert isinstance(mnp.random.rand(3), mnp.ndarray)
    assert mnp.random.Philox is NR.Philox  # non-callables/classes of numpy.random pass through


# ---- the bit stream: Philox4x64-10 and the documented layout ----

def _numpy_philox_words(k0, k1, nblocks, first_block=0):
    # NumPy's Philox increments its counter before each block: start one below the block we want.
    bg = NR.Philox(key=k0 | (k1 << 64), counter=(first_block - 1) % 2**256)
    return bg.random_raw(4 * nblocks)


def test_philox_known_answers():
    # Random123's known-answer vectors for philox4x64-10.
    assert tuple(_core.philox4x64_10((0, 0, 0, 0), (0, 0))) == (
        0x16554d9eca36314c, 0xdb20fe9d672d0fdc, 0xd7e772cee186176b, 0x7e68b68aec7ba23b)
    m = 2**64 - 1
    assert tuple(_core.philox4x64_10((m, m, m, m), (m, m))) == (
        0x87b092c3013fe90b, 0x438c3c67be8d0224, 0x9cc7d7c69cd777b6, 0xa09caebf594f0ba0)
    assert tuple(_core.philox4x64_10((0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89),
                               (0x452821e638d01377, 0xbe5466cf34e90c6c))) == (
        0xa528f45403e61d95, 0x38c72dbd566e9788, 0xa5a1610e72fd18b5, 0x57bd43b5e52b7fe6)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 2))
def test_philox_matches_numpy_philox(k0, k1, block):
    got = _core.philox4x64_10((block, 0, 0, 0), (k0, k1))
    assert list(got) == _numpy_philox_words(k0, k1, 1, block).tolist()


def _key(seed):
    return [int(v) for v in NR.SeedSequence(seed).generate_state(2, numpy.uint64)]


def test_stream_layout_float64_and_float32():
    k0, k1 = _key(7)
    g = R.default_rng(7)
    words = _numpy_philox_words(k0, k1, 10)
    got = A(g.random(13))  # blocks 0..3 (4 per block), counter -> 4
    numpy.testing.assert_array_equal(got, (words[:13] >> numpy.uint64(11)) * 2.0**-53)
    got32 = A(g.random(11, dtype=numpy.float32))  # blocks 4, 5 (8 per block)
    w = words[16:24]
    halves = numpy.stack([w >> numpy.uint64(32), w & numpy.uint64(0xffffffff)], axis=1).ravel()
    want32 = ((halves >> numpy.uint64(8)).astype(numpy.float64) * 2.0**-24).astype(numpy.float32)
    numpy.testing.assert_array_equal(got32, want32[:11])
    # uniform(low, high) is low + (high - low) * random() on the same stream position.
    g1, g2 = R.default_rng(3), R.default_rng(3)
    numpy.testing.assert_array_equal(A(g1.uniform(2.0, 5.0, 7)), 2.0 + 3.0 * A(g2.random(7)))


def test_legacy_seed_matches_generator_stream():
    R.seed(123)
    a = A(R.rand(5))
    b = A(R.default_rng(123).random(5))
    numpy.testing.assert_array_equal(a, b)


# ---- reproducibility ----

DRAWS = [
    lambda r: r.rand(100),
    lambda r: r.randn(3, 7),
    lambda r: r.uniform(-2, [1, 2, 3], size=(4, 3)),
    lambda r: r.normal([[0.0], [10.0]], [1.0, 2.0, 3.0]),
    lambda r: r.randint(-5, 5, size=50, dtype=numpy.int16),
    lambda r: r.binomial([5, 50, 5000], [0.1, 0.5, 0.95], size=(10, 3)),
    lambda r: r.choice(10, 20, p=[0.1] * 10),
    lambda r: r.choice(100, 20, replace=False),
    lambda r: r.permutation(30),
]


@pytest.mark.parametrize("draw", DRAWS)
def test_same_seed_same_stream(draw):
    R.seed(2024)
    first = [A(draw(R)).copy() for _ in range(3)]
    R.seed(2024)
    again = [A(draw(R)).copy() for _ in range(3)]
    for x, y in zip(first, again):
        numpy.testing.assert_array_equal(x, y)
    assert not numpy.array_equal(first[0], first[1])  # the stream moves on
    R.seed(2025)
    assert not numpy.array_equal(A(draw(R)), first[0])


def test_generators_independent():
    g1, g2, g3 = R.default_rng(5), R.default_rng(5), R.default_rng(6)
    a1 = A(g1.random(10))
    g3.random(1000)  # drawing from another generator changes nothing in g2
    R.rand(1000)
    a2 = A(g2.random(10))
    numpy.testing.assert_array_equal(a1, a2)
    assert not numpy.array_equal(A(g3.random(10)), A(g1.random(10)))
    assert not numpy.array_equal(A(R.default_rng(5).random(10)), A(R.default_rng(6).random(10)))
    assert R.default_rng(g1) is g1
    assert isinstance(R.default_rng(), R.Generator)
    assert not numpy.array_equal(A(R.default_rng().random(4)), A(R.default_rng().random(4)))
    rs1, rs2 = R.RandomState(9), R.RandomState(9)
    numpy.testing.assert_array_equal(A(rs1.randn(6)), A(rs2.randn(6)))


def test_state_roundtrip():
    R.seed(1)
    R.rand(3)
    state = R.get_state()
    a = A(R.randn(9)).copy()
    b = A(R.beta(2.0, 3.0, size=4)).copy()
    R.set_state(state)
    numpy.testing.assert_array_equal(A(R.randn(9)), a)
    numpy.testing.assert_array_equal(A(R.beta(2.0, 3.0, size=4)), b)


@pytest.mark.parametrize("draw", DRAWS)
def test_independent_of_thread_count(draw):
    big = [
        lambda r: r.rand(300001),
        lambda r: r.standard_normal(200003),
        lambda r: r.normal(numpy.arange(3.0), 2.0, size=(70001, 3)),
        lambda r: r.randint(0, 7, size=200001, dtype=numpy.uint8),
        lambda r: r.binomial(numpy.array([3, 40, 700]), 0.3, size=(60001, 3)),
    ]
    saved = _core.num_threads()
    try:
        for f in big + [draw]:
            results = []
            for n in (1, 2, 3):
                _core.set_num_threads(n)
                results.append(A(f(R.RandomState(77))))
            numpy.testing.assert_array_equal(results[0], results[1])
            numpy.testing.assert_array_equal(results[0], results[2])
    finally:
        _core.set_num_threads(saved)


# ---- dtypes and shapes match NumPy's for the same call ----

LEGACY_CALLS = [
    ("rand", (), {}), ("rand", (0,), {}), ("rand", (2, 3), {}), ("randn", (), {}), ("randn", (4,), {}),
    ("random", (), {}), ("random", ((2, 0),), {}), ("random_sample", (5,), {}), ("sample", ([2, 2],), {}),
    ("standard_normal", (), {}), ("standard_normal", ((3, 1),), {}),
    ("uniform", (), {}), ("uniform", ([0, 1], 2), {}), ("uniform", ([0, 1], 2), {"size": (3, 2)}),
    ("uniform", (numpy.array([1, 2], dtype=numpy.int8), 3), {}), ("uniform", (2, 1), {}),
    ("normal", (), {}), ("normal", ([0, 1], [[1], [2]]), {}), ("normal", (0, [], ), {"size": 0}),
    ("normal", (numpy.float32(1),), {"size": numpy.int64(3)}), ("normal", (0, 1), {"size": [2, numpy.int64(3)]}),
    ("randint", (5,), {}), ("randint", (0, 5), {"size": 3, "dtype": "i4"}), ("randint", (1.5, 3.7), {}),
    ("randint", (0, 2**64), {"dtype": numpy.uint64}), ("randint", (0, 2), {"dtype": bool}),
    ("randint", ([0, 1], [5, 6]), {"dtype": numpy.uint8}), ("randint", (0, [5, 6]), {"size": (3, 2)}),
    ("randint", ([1.5], 3), {}), ("randint", (0, 5), {"size": ()}), ("randint", ([], []), {}),
    ("binomial", (10, 0.5), {}), ("binomial", (10, 0.5), {"size": (3, 3)}), ("binomial", ([10, 20], [[0.1], [0.2]]), {}),
    ("binomial", (10.7, 0.5), {}), ("binomial", ([], 0.5), {}), ("binomial", (2**63 - 1, 0.5), {}),
    ("choice", (5,), {}), ("choice", (5, 3), {}), ("choice", ([1.0, 2.0], 3), {}), ("choice", (5, 0), {}),
    ("choice", ([], 0), {}), ("choice", (numpy.array([3]), 2), {}), ("choice", (5, (2, 2)), {"replace": False}),
    ("choice", (4, 3), {"p": [0.1, 0.2, 0.3, 0.4]}), ("choice", (4, (2, 1)), {"replace": False, "p": [0.1, 0.2, 0.3, 0.4]}),
    ("choice", (numpy.arange(5, dtype=numpy.uint16), 2), {}),
    ("permutation", (5,), {}), ("permutation", (numpy.arange(6).reshape(3, 2),), {}), ("permutation", ([],), {}),
    ("permutation", (-1,), {}), ("permutation", ([3, 4, 5],), {}), ("permutation", (numpy.ones(3, numpy.float32),), {}),
]


@pytest.mark.parametrize("name,args,kwargs", LEGACY_CALLS, ids=lambda v: repr(v)[:40])
def test_legacy_dtype_and_shape(name, args, kwargs):
    want = numpy.asarray(getattr(NR, name)(*args, **kwargs))
    got = getattr(R, name)(*args, **kwargs)
    g = A(got)
    assert g.shape == want.shape
    assert g.dtype == want.dtype


GEN_CALLS = [
    ("random", (), {}), ("random", (3,), {"dtype": numpy.float32}), 
    ("standard_normal", ((2, 3),), {"dtype": numpy.float32}), ("standard_normal", (), {}),
    ("uniform", (0, [1, 2]), {}), ("normal", ([0, 1],), {"size": (3, 2)}),
    ("integers", (5,), {}), ("integers", (5, 5), {"endpoint": True}), ("integers", (0, 2**64), {"dtype": numpy.uint64}),
    ("integers", (0, 2**64 - 1), {"dtype": numpy.uint64, "endpoint": True}), ("integers", (0, [[1], [2]]), {"size": (2, 3)}),
    ("integers", (-128, 127), {"dtype": numpy.int8, "endpoint": True, "size": 4}), ("integers", (0, 1.5), {}),
    ("binomial", (10, 0.5), {}), ("binomial", (10.5, [0.1, 0.9]), {}),
    ("choice", (5,), {}), ("choice", (numpy.arange(6).reshape(3, 2), 2), {}),
    ("choice", (numpy.arange(6).reshape(3, 2), 4), {"axis": 1}), ("choice", (5, 3), {"replace": False, "shuffle": False}),
    ("choice", (0, 0), {}), ("choice", ([], 0), {}), ("choice", (numpy.array(5),), {}),
    ("permutation", (5,), {}), ("permutation", (numpy.arange(6).reshape(2, 3),), {"axis": 1}),
]


@pytest.mark.parametrize("name,args,kwargs", GEN_CALLS, ids=lambda v: repr(v)[:40])
def test_generator_dtype_and_shape(name, args, kwargs):
    want = numpy.asarray(getattr(NR.default_rng(0), name)(*args, **kwargs))
    got = getattr(R.default_rng(0), name)(*args, **kwargs)
    g = A(got)
    assert g.shape == want.shape
    assert g.dtype == want.dtype


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
@pytest.mark.parametrize("api", ["legacy", "generator"])
def test_integers_every_dtype_bounds(dtype, api):
    dt = numpy.dtype(dtype)
    lo, hi = (0, 1) if dt.kind == "b" else (int(numpy.iinfo(dt).min), int(numpy.iinfo(dt).max))
    draw = (lambda a, b, **k: R.randint(a, b + 1, dtype=dtype, **k)) if api == "legacy" else \
        (lambda a, b, **k: R.default_rng(1).integers(a, b, dtype=dtype, endpoint=True, **k))
    full = A(draw(lo, hi, size=4000))
    assert full.dtype == dt
    assert full.min() >= lo and full.max() <= hi
    if dt.itemsize == 1 or dt.kind == "b":
        assert len(numpy.unique(full)) == hi - lo + 1  # every value reached
    if dt.kind != "b":
        small = A(draw(hi - 2, hi, size=3000))
        assert set(numpy.unique(small).tolist()) == {hi - 2, hi - 1, hi}
    one = A(draw(lo, lo, size=5))
    assert (one == lo).all()
    zero_d = draw(lo, hi)
    assert A(zero_d).shape == () and A(zero_d).dtype == dt


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(INT_DTYPES), st.data())
def test_integers_array_bounds(dtype, data):
    info = numpy.iinfo(dtype)
    lo = data.draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=1, max_size=4))
    hi = [data.draw(st.integers(v, min(int(info.max), v + data.draw(st.sampled_from([0, 1, 5, 2**70]))))) for v in lo]
    lo_a, hi_a = numpy.array(lo, dtype=dtype), numpy.array(hi, dtype=dtype)
    got = A(R.default_rng(0).integers(lo_a, hi_a, size=(40, len(lo)), dtype=dtype, endpoint=True))
    assert got.dtype == numpy.dtype(dtype) and got.shape == (40, len(lo))
    assert (got >= lo_a).all() and (got <= hi_a).all()
    if all(h < int(info.max) for h in hi):  # the legacy exclusive form, with minpy array bounds
        leg = A(R.randint(mnp.asarray(lo_a), mnp.asarray(hi_a + 1), dtype=dtype))
        assert leg.shape == (len(lo),) and (leg >= lo_a).all() and (leg <= hi_a).all()


def test_params_broadcast_values():
    loc = numpy.array([[1.0], [-2.0]])
    z = A(R.normal(loc, [0.0, 0.0, 0.0]))
    numpy.testing.assert_array_equal(z, numpy.broadcast_to(loc, (2, 3)))
    u = A(R.uniform([1.0, 5.0], [2.0, 5.0], size=(100, 2)))
    assert ((u[:, 0] >= 1) & (u[:, 0] < 2)).all() and (u[:, 1] == 5).all()
    b = A(R.binomial([0, 7, 7], [0.5, 0.0, 1.0], size=(4, 3)))
    numpy.testing.assert_array_equal(b, numpy.tile([0, 0, 7], (4, 1)))
    r = A(R.randint([0, 10, 100], [1, 12, 200], size=(500, 3)))
    assert (r[:, 0] == 0).all() and set(numpy.unique(r[:, 1])) == {10, 11}
    assert r[:, 2].min() >= 100 and r[:, 2].max() < 200
    # Array parameters that are minpy arrays, including non-contiguous views.
    lo = mnp.asarray(numpy.arange(10.0))[::3]
    v = A(R.uniform(lo, lo))
    numpy.testing.assert_array_equal(v, numpy.arange(10.0)[::3])


def test_float_ranges():
    g = R.default_rng(11)
    x32 = A(g.random(100000, dtype=numpy.float32))
    assert x32.min() >= 0 and x32.max() < 1
    assert ((x32 * 2**24) == numpy.floor(x32 * 2**24)).all()  # 24-bit grid
    x64 = A(g.random(100000))
    assert x64.min() >= 0 and x64.max() < 1
    assert ((x64 * 2.0**53) == numpy.floor(x64 * 2.0**53)).all()
    assert len(numpy.unique(x64)) == len(x64)
    n32 = A(g.standard_normal(1000, dtype=numpy.float32))
    assert n32.dtype == numpy.float32 and numpy.isfinite(n32).all()


def test_generator_out():
    g = R.default_rng(0)
    out = mnp.empty((2, 3))
    assert g.random(out=out) is out
    assert (A(out) < 1).all()
    o32 = mnp.empty(4, dtype=numpy.float32)
    assert g.standard_normal(out=o32, size=4, dtype=numpy.float32) is o32
    # A 0-d float32 draw stays float32 (NumPy returns a Python float there).
    assert A(g.random(dtype="f4")).dtype == numpy.float32
    with pytest.raises(TypeError):
        g.random(out=mnp.empty(3, dtype=numpy.float32))
    with pytest.raises(ValueError):
        g.random(size=4, out=mnp.empty(3))


# ---- statistics (fixed seeds, generous bounds) ----

N = 100_000


def _check_moments(x, mean, var, kurt_excess=0.0):
    x = numpy.asarray(x, dtype=numpy.float64)
    n = x.size
    assert abs(x.mean() - mean) < 5 * math.sqrt(var / n), (x.mean(), mean)
    assert abs(x.var() - var) < 5 * var * math.sqrt((2 + abs(kurt_excess)) / n) + 1e-12, (x.var(), var)


def _chi2_limit(df):
    # Wilson-Hilferty: the chi-square quantile with upper tail 1e-6 (z = 4.75).
    return df * (1 - 2 / (9 * df) + 4.75 * math.sqrt(2 / (9 * df))) ** 3


def _check_chi2(counts, expected):
    counts = numpy.asarray(counts, dtype=numpy.float64)
    expected = numpy.asarray(expected, dtype=numpy.float64)
    assert counts.sum() == pytest.approx(expected.sum())
    stat = ((counts - expected) ** 2 / expected).sum()
    assert stat < _chi2_limit(len(counts) - 1), stat


def test_uniform_and_normal_moments():
    R.seed(10)
    _check_moments(A(R.rand(N)), 0.5, 1 / 12, -1.2)
    _check_moments(A(R.default_rng(1).random(N, dtype=numpy.float32)), 0.5, 1 / 12, -1.2)
    _check_moments(A(R.randn(N)), 0.0, 1.0)
    _check_moments(A(R.default_rng(2).standard_normal(N, dtype=numpy.float32)), 0.0, 1.0)
    _check_moments(A(R.normal(3.0, 2.0, N)), 3.0, 4.0)
    _check_moments(A(R.uniform(-1.0, 3.0, N)), 1.0, 16 / 12, -1.2)
    z = A(R.normal([0.0, 10.0], [1.0, 0.5], size=(N // 2, 2)))
    _check_moments(z[:, 0], 0.0, 1.0)
    _check_moments(z[:, 1], 10.0, 0.25)
    # Normal tails: P(|z| > 3) = 0.0027.
    tail = (numpy.abs(A(R.randn(N))) > 3).mean()
    assert abs(tail - 0.0027) < 5 * math.sqrt(0.0027 / N)
    # Consecutive uniforms are uncorrelated (the pair layout of Box-Muller and the blocks).
    u = A(R.rand(N))
    assert abs(numpy.corrcoef(u[:-1], u[1:])[0, 1]) < 5 / math.sqrt(N)
    zz = A(R.randn(N))
    assert abs(numpy.corrcoef(zz[::2], zz[1::2])[0, 1]) < 5 / math.sqrt(N / 2)


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64", "uint64"])
def test_randint_chi_square(dtype):
    g = R.default_rng(3)
    x = A(g.integers(0, 10, size=N, dtype=dtype))
    _check_chi2(numpy.bincount(x.astype(numpy.int64), minlength=10), [N / 10] * 10)
    # A range that is not a power of two and close to 2**64: Lemire's rejection matters there.
    y = A(g.integers(0, 3 * 2**62, size=N, dtype=numpy.uint64))
    _check_chi2(numpy.bincount((y // numpy.uint64(2**62)).astype(numpy.int64), minlength=3), [N / 3] * 3)


def test_choice_chi_square():
    p = numpy.array([0.05, 0.0, 0.25, 0.1, 0.6])
    R.seed(4)
    x = A(R.choice(5, N, p=p))
    counts = numpy.bincount(x, minlength=5)
    assert counts[1] == 0
    keep = p > 0
    _check_chi2(counts[keep], N * p[keep])
    y = A(R.choice(7, N))
    _check_chi2(numpy.bincount(y, minlength=7), [N / 7] * 7)
    # Weighted sampling without replacement: the first draw follows p.
    g = R.default_rng(5)
    first = numpy.array([A(g.choice(5, 2, replace=False, p=p))[0] for _ in range(4000)])
    c = numpy.bincount(first, minlength=5)
    assert c[1] == 0
    _check_chi2(c[keep], 4000 * p[keep])
    # Unweighted without replacement: every value equally likely in every position.
    s = numpy.array([A(R.choice(6, 3, replace=False)) for _ in range(3000)])
    for col in range(3):
        _check_chi2(numpy.bincount(s[:, col], minlength=6), [500] * 6)
    assert all(len(set(row)) == 3 for row in s.tolist())


def _binom_pmf(n, p):
    k = numpy.arange(n + 1)
    logp = (numpy.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
            + k * math.log(p) + (n - k) * math.log1p(-p))
    return numpy.exp(logp)


@pytest.mark.parametrize("n,p", [(20, 0.2), (5, 0.5), (100, 0.3), (1000, 0.5), (50, 0.9), (200, 0.97),
                                 (10000, 0.01), (40, 0.3)])
def test_binomial_distribution(n, p):
    g = R.default_rng(n)
    x = A(g.binomial(n, p, size=N))
    assert x.dtype == numpy.int64 and x.min() >= 0 and x.max() <= n
    q = 1 - p
    _check_moments(x, n * p, n * p * q, (1 - 6 * p * q) / (n * p * q))
    # Chi-square against the exact pmf, pooling tails with small expectations.
    pmf = _binom_pmf(n, p) * N
    counts = numpy.bincount(x, minlength=n + 1).astype(numpy.float64)
    order = numpy.arange(n + 1)
    keep = pmf >= 20
    lo, hi = order[keep][0], order[keep][-1]
    exp_b = numpy.concatenate([[pmf[:lo + 1].sum()], pmf[lo + 1:hi], [pmf[hi:].sum()]])
    cnt_b = numpy.concatenate([[counts[:lo + 1].sum()], counts[lo + 1:hi], [counts[hi:].sum()]])
    _check_chi2(cnt_b, exp_b * (cnt_b.sum() / exp_b.sum()))


def test_binomial_huge_n():
    x = A(R.default_rng(0).binomial(2**62, 0.25, size=2000))
    n, p = 2**62, 0.25
    sd = math.sqrt(n * p * (1 - p))
    assert abs(x.astype(numpy.float64).mean() - n * p) < 5 * sd / math.sqrt(2000)


# ---- permutation and shuffle ----

def test_permutation_is_permutation():
    R.seed(0)
    p = A(R.permutation(1000))
    assert p.dtype == numpy.int64
    numpy.testing.assert_array_equal(numpy.sort(p), numpy.arange(1000))
    assert not numpy.array_equal(p, numpy.arange(1000))
    x = numpy.arange(24.0).reshape(6, 4)
    mx = mnp.asarray(x)
    q = A(R.permutation(mx))
    numpy.testing.assert_array_equal(A(mx), x)  # not in place
    assert sorted(map(tuple, q.tolist())) == sorted(map(tuple, x.tolist()))  # rows kept whole
    assert A(R.permutation([])).shape == (0,)
    sub = A(R.default_rng(1).permutation(x, axis=1))
    assert sorted(map(tuple, sub.T.tolist())) == sorted(map(tuple, x.T.tolist()))
    k = A(R.choice(10**9, 5, replace=False))  # sparse Fisher-Yates: O(k) memory
    assert len(set(k.tolist())) == 5 and k.max() < 10**9


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "float16", "float64", "complex128"])
def test_shuffle_in_place(dtype):
    x = numpy.arange(30).reshape(10, 3).astype(dtype)
    m = mnp.asarray(x.copy())
    ptr = m._data_ptr
    assert R.shuffle(m) is None
    assert m._data_ptr == ptr
    got = A(m)
    assert got.dtype == x.dtype
    assert sorted(map(repr, got.tolist())) == sorted(map(repr, x.tolist()))
    # A strided view shuffles its rows in place; the other rows are untouched.
    big = mnp.asarray(numpy.arange(40.0).reshape(20, 2))
    view = big[::2, ::-1]
    R.default_rng(3).shuffle(view)
    b = A(big)
    numpy.testing.assert_array_equal(b[1::2], numpy.arange(40.0).reshape(20, 2)[1::2])
    assert sorted(b[::2, 0].tolist()) == list(numpy.arange(0.0, 40.0, 4))
    assert (b[::2, 1] - b[::2, 0] == 1).all()


def test_shuffle_other_containers():
    lst = list(range(20))
    R.shuffle(lst)
    assert sorted(lst) == list(range(20)) and lst != list(range(20))
    arr = numpy.arange(20)
    R.shuffle(arr)
    assert sorted(arr.tolist()) == list(range(20))
    y = mnp.asarray(numpy.arange(12).reshape(3, 4))
    R.default_rng(0).shuffle(y, axis=1)
    assert sorted(A(y)[0].tolist()) == [0, 1, 2, 3] and (A(y)[1] - A(y)[0] == 4).all()
    ro = mnp.asarray(numpy.arange(5))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        R.shuffle(ro)


# ---- errors: NumPy's exception classes at the call ----

ERRORS = [
    ("rand", (-1,), {}), ("rand", (2.5,), {}), ("rand", ((2, 3),), {}), ("rand", (True,), {}),
    ("random", (3.0,), {}), ("random", (-2,), {}),
    ("uniform", ([0, 1], 2), {"size": 3}), ("uniform", (0, numpy.inf), {}), ("uniform", (1j, 2), {}),
    ("uniform", ("a", 2), {}), ("uniform", (-1e308, 1e308), {}),
    ("normal", (0, -1), {}), ("normal", (0, [1, -1]), {}), ("normal", (1j,), {}), ("normal", (0, 1), {"size": -1}),
    ("normal", (0, 1), {"size": 2.0}), ("normal", (0, [-1.0]), {"size": (0, 1)}),
    ("randint", (5, 5), {}), ("randint", (-1,), {}), ("randint", (0, 300), {"dtype": numpy.int8}),
    ("randint", (-200, 3), {"dtype": numpy.int8}), ("randint", (0, 2**64 + 1), {"dtype": numpy.uint64}),
    ("randint", (0, 3), {"dtype": bool}), ("randint", (0, 2), {"dtype": numpy.float64}),
    ("randint", ([0, 1], [5, 1]), {}), ("randint", ([0, -200], 3), {"dtype": numpy.int8}),
    ("randint", (0, [3, 300]), {"dtype": numpy.int8}), ("randint", (0, 2**64), {}), ("randint", (5,), {"size": -1}),
    ("randint", (-5,), {"dtype": numpy.uint8}),
    ("choice", (0,), {}), ("choice", ([],), {}), ("choice", (-1,), {}), ("choice", (5,), {"p": [0.5, 0.5]}),
    ("choice", (2,), {"p": [0.5, 0.6]}), ("choice", (2,), {"p": [1.5, -0.5]}), ("choice", (2,), {"p": [[0.5, 0.5]]}),
    ("choice", (5, 6), {"replace": False}), ("choice", (3, 3), {"replace": False, "p": [1, 0, 0]}),
    ("choice", ([[1, 2], [3, 4]],), {}), ("choice", (2,), {"p": [numpy.nan, 0.5]}), ("choice", (5.0,), {}),
    ("choice", (5, -1), {}), ("choice", (5,), {"p": [0.2] * 5, "size": -1}),
    ("permutation", (numpy.array(3),), {}), ("permutation", (2.5,), {}), ("permutation", ("abc",), {}),
    ("shuffle", (numpy.array(3),), {}), ("shuffle", (3,), {}),
    ("binomial", (-1, 0.5), {}), ("binomial", (10, 1.5), {}), ("binomial", (10, -0.5), {}),
    ("binomial", (10, numpy.nan), {}), ("binomial", (-1, 0.5), {"size": 0}), ("binomial", ([1, 2], 0.5), {"size": 3}),
    ("binomial", (10, 0.5), {"size": -1}),
    ("seed", (-1,), {}), ("seed", (2**32,), {}), ("seed", (1.5,), {}),
]


def _to_minpy_arg(v):
    return mnp.asarray(v) if isinstance(v, numpy.ndarray) else v


@pytest.mark.parametrize("name,args,kwargs", ERRORS, ids=lambda v: repr(v)[:40])
def test_legacy_errors_like_numpy(name, args, kwargs):
    raises_like(lambda: getattr(R, name)(*args, **kwargs), lambda: getattr(NR, name)(*args, **kwargs))
    if any(isinstance(v, numpy.ndarray) for v in args):  # the same with minpy array arguments
        margs = tuple(_to_minpy_arg(v) for v in args)
        raises_like(lambda: getattr(R, name)(*margs, **kwargs), lambda: getattr(NR, name)(*args, **kwargs))


GEN_ERRORS = [
    ("integers", (5, 5), {}), ("integers", (6, 5), {"endpoint": True}), ("integers", (0, 2**64),
                                                                          {"dtype": numpy.uint64, "endpoint": True}),
    ("integers", (0, 5), {"dtype": numpy.float32}), ("integers", (0, [0, 1]), {}), ("integers", (5,), {"size": -1}),
    ("random", (), {"dtype": numpy.int32}), ("standard_normal", (3,), {"dtype": numpy.float16}),
    ("random", (-1,), {}), ("normal", (0, -1), {}), ("uniform", (0, numpy.inf), {}), ("uniform", (2, 1), {}),
    ("choice", (2,), {"p": [0.5, 0.6]}), ("choice", (5, 6), {"replace": False}),
    ("choice", (3, 3), {"replace": False, "p": [1, 0, 0]}), ("choice", (numpy.array([[1]]),), {"axis": 3}),
    ("choice", (0,), {}), ("choice", ([],), {}),
    ("permutation", (numpy.array(3),), {}), ("permutation", (numpy.arange(4),), {"axis": 1}),
    ("shuffle", (numpy.array(3),), {}), ("binomial", (-1, 0.5), {}), ("binomial", (3, 2.0), {}),
]


@pytest.mark.parametrize("name,args,kwargs", GEN_ERRORS, ids=lambda v: repr(v)[:40])
def test_generator_errors_like_numpy(name, args, kwargs):
    raises_like(lambda: getattr(R.default_rng(0), name)(*args, **kwargs),
                lambda: getattr(NR.default_rng(0), name)(*args, **kwargs))


@pytest.mark.parametrize("seed", [-1, 1.5, "x"])
def test_default_rng_seed_errors(seed):
    raises_like(lambda: R.default_rng(seed), lambda: NR.default_rng(seed))


def test_error_messages():
    with pytest.raises(ValueError, match="low >= high"):
        R.randint(5, 5)
    with pytest.raises(ValueError, match="high <= 0"):
        R.randint(-3)
    with pytest.raises(ValueError, match="scale < 0"):
        R.normal(0, -1)
    with pytest.raises(ValueError, match="probabilities do not sum to 1"):
        R.choice(2, p=[0.5, 0.6])
    with pytest.raises(ValueError, match="high is out of bounds for int8"):
        R.randint(0, 300, dtype=numpy.int8)
    with pytest.raises(ValueError, match="negative dimensions"):
        R.rand(-1)


# ---- size=None, seeds, fallback ----

def test_scalar_results_are_0d_minpy_arrays():
    for r in (R.rand(), R.randn(), R.random(), R.uniform(), R.normal(), R.randint(3), R.binomial(3, 0.5),
              R.choice(3), R.choice([1.5, 2.5]), R.default_rng(0).integers(4), R.default_rng(0).random()):
        assert isinstance(r, mnp.ndarray) and r.shape == ()
    src = mnp.asarray(numpy.array([1.5, 2.5]))
    c = R.choice(src)
    c[...] = 9.0  # a copy, not a view into the population
    assert A(src).tolist() == [1.5, 2.5]


def test_seed_forms():
    for s in (0, 2**32 - 1, [1, 2, 3], numpy.uint32(3), numpy.array([4, 5], dtype=numpy.uint32), None):
        R.seed(s)
        assert A(R.rand(2)).shape == (2,)
    R.seed([1, 2])
    a = A(R.rand(3))
    R.seed([1, 2])
    numpy.testing.assert_array_equal(A(R.rand(3)), a)
    g = R.default_rng(NR.SeedSequence(8))
    numpy.testing.assert_array_equal(A(g.random(3)), A(R.default_rng(8).random(3)))
    assert isinstance(R.default_rng(2**100), R.Generator)


def test_fallback_distributions():
    R.seed(12)
    a = R.gamma(2.0, size=(3, 2))
    assert isinstance(a, mnp.ndarray) and a.shape == (3, 2) and a.dtype == numpy.float64
    R.seed(12)
    numpy.testing.assert_array_equal(A(R.gamma(2.0, size=(3, 2))), A(a))
    p = R.poisson(mnp.asarray(numpy.array([1.0, 50.0])), size=(4, 2))
    assert isinstance(p, mnp.ndarray) and A(p).dtype == numpy.int64
    g1, g2 = R.default_rng(3), R.default_rng(3)
    numpy.testing.assert_array_equal(A(g1.beta(1.0, 2.0, size=5)), A(g2.beta(1.0, 2.0, size=5)))
    rs = R.RandomState(4)
    assert isinstance(rs.exponential(size=3), mnp.ndarray)
    with pytest.raises(AttributeError):
        R.not_a_numpy_function
    with pytest.raises(AttributeError):
        R.default_rng(0).not_a_method


def test_scalar_and_array_parameter_paths_agree():
    # The kernels have a fast path for one (low, high) / (loc, scale) pair; values must not depend on it.
    a = A(R.default_rng(4).integers(3, 1000, size=1001, dtype="int16"))
    b = A(R.default_rng(4).integers(numpy.full(1001, 3), 1000, size=1001, dtype="int16"))
    numpy.testing.assert_array_equal(a, b)
    c = A(R.default_rng(5).normal(2.0, 3.0, size=1003))
    d = A(R.default_rng(5).normal(numpy.full(1003, 2.0), 3.0))
    numpy.testing.assert_array_equal(c, d)
    e = A(R.default_rng(6).uniform(-1.0, 2.0, size=1005))
    f = A(R.default_rng(6).uniform(-1.0, numpy.full(1005, 2.0)))
    numpy.testing.assert_array_equal(e, f)
