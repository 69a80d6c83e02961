"""Every native ufunc against NumPy: loops x dtypes x layouts, special values, out=/dtype=/casting=,
operators (plain, reflected, in-place, overlapping) and the integer corner cases.

Exact equality (bit for bit, signed zeros included; NaN payloads ignored) for integer/bool results
and for IEEE-exact float ops; a few ulps for transcendental functions, whose NumPy loops are SIMD
approximations on this machine.
"""
import operator

import numpy
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minpy.numpy as mnp
from minpy import _core

from conftest import ALL_DTYPES, outcome, public_class

UFUNCS = sorted(_core.ufuncs)
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True)

# Ops whose NumPy result is correctly rounded (or exact), so minpy must match bit for bit.
EXACT = set("""add subtract multiply true_divide floor_divide remainder fmod divmod negative positive
conjugate absolute sign square sqrt floor ceil trunc rint maximum minimum fmax fmin clip equal
not_equal less less_equal greater greater_equal logical_and logical_or logical_xor logical_not
bitwise_and bitwise_or bitwise_xor invert left_shift right_shift isnan isinf isfinite signbit
copysign heaviside reciprocal deg2rad rad2deg logaddexp2""".split())
# NumPy's own fmax/fmin give different signs of zero on ties in different loops (contiguous vs
# broadcast), so the sign of a zero result is not specified there.
ZERO_SIGN_FREE = {"fmax", "fmin"}


def np_ufunc(name):
    return getattr(numpy._core.umath, name)






def same_outcome(fn_minpy, fn_numpy, check):
    """Both raise (minpy's error is an instance of NumPy's public class) or both give results
    that `check(got, want)` accepts."""
    want, want_exc = outcome(fn_numpy)
    got, got_exc = outcome(fn_minpy)
    if want_exc is not None:
        assert got_exc is not None, f"NumPy raised {want_exc!r}, minpy returned {got!r}"
        assert isinstance(got_exc, public_class(want_exc)), f"{got_exc!r} vs NumPy's {want_exc!r}"
        return
    assert got_exc is None, f"minpy raised {got_exc!r}, NumPy returned {want!r}"
    check(got, want)


def _bits(x):
    x = numpy.ascontiguousarray(x)
    if x.dtype.kind == "c":
        x = x.view(x.real.dtype)
    return x.view(f"u{x.dtype.itemsize}"), numpy.isnan(x)


def assert_exact(got, want, zero_sign=True):
    """got (minpy array) == want (NumPy array): type, dtype, shape, and every bit except NaN
    payloads (and the sign of zeros when zero_sign is False)."""
    assert isinstance(got, mnp.ndarray), f"expected a minpy array, got {type(got)}"
    g = numpy.asarray(got)
    assert g.dtype == want.dtype and g.shape == want.shape, (g.dtype, want.dtype, g.shape, want.shape)
    if want.dtype.kind not in "fc":
        numpy.testing.assert_array_equal(g, want)
        return
    if not zero_sign:
        g, want = g + 0, want + 0  # -0.0 + 0 == +0.0
    gb, gn = _bits(g)
    wb, wn = _bits(want)
    bad = ~((gb == wb) | (gn & wn))
    assert not bad.any(), f"{int(bad.sum())} elements differ: {g.ravel()[bad.ravel()[: g.size]][:4]} vs " \
                          f"{numpy.asarray(want).ravel()[bad.ravel()[: g.size]][:4]}"


def assert_close(got, want):
    """A few ulps (per component for complex); infinities and NaNs must match exactly."""
    assert isinstance(got, mnp.ndarray), f"expected a minpy array, got {type(got)}"
    g = numpy.asarray(got)
    assert g.dtype == want.dtype and g.shape == want.shape, (g.dtype, want.dtype, g.shape, want.shape)
    if want.dtype.kind not in "fc":
        numpy.testing.assert_array_equal(g, want)
        return
    parts = [(g.real, want.real), (g.imag, want.imag)] if want.dtype.kind == "c" else [(g, want)]
    for gp, wp in parts:
        fi = numpy.finfo(gp.dtype)
        rtol = {2: 2e-3, 4: 4e-6, 8: 1e-13}[fi.bits // 8]
        numpy.testing.assert_allclose(gp, wp, rtol=rtol, atol=float(fi.smallest_normal), equal_nan=True)


# NumPy's complex absolute, multiply and square run a SIMD formula (FMA, scaled hypot) for
# contiguous and broadcast operands and plain C for others (e.g. negative strides); the two differ
# in the last bit (or much more after cancellation). minpy always computes the SIMD formula, so the
# oracle for these is NumPy on contiguous copies.
LAYOUT_DEPENDENT_COMPLEX = {"absolute", "multiply", "square"}


def checker(name, in_dtype=None):
    if name in EXACT:
        zero_sign = name not in ZERO_SIGN_FREE
        return lambda g, w: _each(g, w, lambda a, b: assert_exact(a, b, zero_sign))
    return lambda g, w: _each(g, w, assert_close)


def _each(got, want, fn):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            fn(g, w)
    else:
        fn(got, numpy.asarray(want))


def edge_values(dtype):
    """The values where implementations differ: zeros of both signs, NaN, infinities, extremes,
    subnormals, halves (rounding), values whose results overflow."""
    dt = numpy.dtype(dtype)
    if dt.kind == "b":
        return numpy.array([False, True])
    if dt.kind in "iu":
        ii = numpy.iinfo(dt)
        v = [0, 1, 2, 3, 7, 64, ii.max, ii.max - 1, ii.min, ii.min + 1]
        if dt.kind == "i":
            v += [-1, -2, -3, -7, -64]
        return numpy.array(v, dtype=dt)
    if dt.kind == "f":
        fi = numpy.finfo(dt)
        return numpy.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 7.25, -7.25, 1e-3, 100.0, 0.99,
                            numpy.nan, numpy.inf, -numpy.inf, fi.max, -fi.max, fi.tiny,
                            fi.smallest_subnormal], dtype=dt)
    f = edge_values(numpy.dtype(f"f{dt.itemsize // 2}"))
    f = f[[0, 1, 2, 3, 4, 5, 9, 12, 13, 14, 15, 18]]
    z = numpy.empty((len(f), len(f)), dt)
    z.real, z.imag = f[:, None], f[None, :]  # (1j * inf would make NaNs)
    return z.ravel()


def edge_operands(nin, dtype):
    v = edge_values(dtype)
    if nin == 1:
        return [v]
    if nin == 2:
        return [v[:, None], v[None, :]]  # every pair, through broadcasting
    w = v[:: max(1, len(v) // 6)]
    return [v[:, None, None], w[None, :, None], w[None, None, :]]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", UFUNCS)
def test_edge_values_every_dtype(name, dtype):
    """Each ufunc on every dtype (NumPy's loops and the dtypes it has none for, which must raise
    the same exception class), over all pairs of edge values."""
    uf = _core.ufuncs[name]
    ops = edge_operands(uf.nin, dtype)
    same_outcome(lambda: uf(*[mnp.array(o) for o in ops]), lambda: np_ufunc(name)(*ops), checker(name, dtype))


def test_there_are_75_native_ufuncs_with_numpys_loops():
    assert len(UFUNCS) == 75
    for name in UFUNCS:
        uf = _core.ufuncs[name]
        nuf = np_ufunc(name)
        assert (uf.nin, uf.nout) == (nuf.nin, nuf.nout)
        # NumPy's loops over minpy's dtypes, in NumPy's order ('l'/'L' duplicate 'q'/'Q' on Linux)
        theirs = [t for t in nuf.types if set(t) <= set("?bhiqBHIQefdFD->")]
        assert uf.types == list(dict.fromkeys(theirs))


# Mixed-dtype pairs: loop selection (the first loop all inputs cast to safely).
@pytest.mark.parametrize("name", [n for n in UFUNCS if _core.ufuncs[n].nin == 2])
def test_mixed_dtype_pairs(name):
    uf = _core.ufuncs[name]
    for d1 in ALL_DTYPES:
        for d2 in ALL_DTYPES:
            if d1 == d2:
                continue
            a = edge_values(d1)[:, None][:6]
            b = edge_values(d2)[None, :][:, :6]
            same_outcome(lambda: uf(mnp.array(a), mnp.array(b)), lambda: np_ufunc(name)(a, b), checker(name))


# ---- hypothesis: values x layouts ------------------------------------------------------------

def loop_dtypes(name):
    """Input dtypes NumPy has loops for (first input), among minpy's dtypes."""
    chars = {t.split("->")[0][0] for t in np_ufunc(name).types}
    out = [d for d in ALL_DTYPES if numpy.dtype(d).char in chars or (d == "int64" and "l" in chars)
           or (d == "uint64" and "L" in chars)]
    return out


LAYOUTS = ["contiguous", "strided", "reversed", "transposed", "zero_d", "empty", "broadcast"]


def make_layout(base, layout, mod):
    """A view of `base` (made with module mod) in one of the layouts; same logical values kind."""
    a = mod.array(base)
    if layout == "strided":
        return a[::2]
    if layout == "reversed":
        return a[::-1]
    if layout == "transposed":
        return a.reshape(2, -1).T if a.size % 2 == 0 else a
    if layout == "zero_d":
        return a[0] if a.ndim == 1 else a
    if layout == "empty":
        return a[:0]
    return a


@pytest.mark.parametrize("name", UFUNCS)
@SETTINGS
@given(data=st.data())
def test_random_values_and_layouts(name, data):
    uf = _core.ufuncs[name]
    dtype = numpy.dtype(data.draw(st.sampled_from(loop_dtypes(name)), label="dtype"))
    layout = data.draw(st.sampled_from(LAYOUTS), label="layout")
    n = 12
    bases = [data.draw(hnp.arrays(dtype, n), label=f"x{i}") for i in range(uf.nin)]
    if layout == "broadcast":
        # (3, 1) against (4,): and (for 3 inputs) a 0-d third operand
        ins_np = [bases[0][:3].reshape(3, 1)] + [b[:4] for b in bases[1:2]] + [b[0] for b in bases[2:]]
        ins_mp = [mnp.array(bases[0])[:3].reshape(3, 1)] + [mnp.array(b)[:4] for b in bases[1:2]] + \
                 [mnp.array(b)[0] for b in bases[2:]]
    else:
        ins_np = [make_layout(b, layout, numpy) for b in bases]
        ins_mp = [make_layout(b, layout, mnp) for b in bases]
    nuf = np_ufunc(name)
    if name in LAYOUT_DEPENDENT_COMPLEX and dtype.kind == "c":
        ins_np = [numpy.array(x, order="C") for x in ins_np]

    def want():
        r = nuf(*ins_np)
        # NumPy gives scalars for 0-d results; minpy gives 0-d arrays (documented difference).
        return tuple(numpy.asarray(x) for x in r) if isinstance(r, tuple) else numpy.asarray(r)

    same_outcome(lambda: uf(*ins_mp), want, checker(name, dtype))


@pytest.mark.parametrize("name", ["add", "multiply", "true_divide", "sqrt", "maximum", "less", "exp"])
def test_large_arrays_use_the_threaded_path_correctly(name):
    uf = _core.ufuncs[name]
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((300, 701))
    ins = [x, x[::-1].copy()][: uf.nin]
    # non-contiguous views of large arrays
    same_outcome(lambda: uf(*[mnp.array(i)[:, ::2] for i in ins]), lambda: np_ufunc(name)(*[i[:, ::2] for i in ins]),
                 checker(name))
    same_outcome(lambda: uf(*[mnp.array(i).T for i in ins]), lambda: np_ufunc(name)(*[i.T for i in ins]),
                 checker(name))


# ---- out=, dtype=, casting= --------------------------------------------------------------------

OUT_UFUNCS = ["add", "subtract", "true_divide", "floor_divide", "power", "sqrt", "negative", "less",
              "logical_and", "bitwise_and", "maximum", "isnan", "absolute", "divmod"]
CASTINGS = ["no", "equiv", "safe", "same_kind", "unsafe"]


@pytest.mark.parametrize("name", OUT_UFUNCS)
def test_out_dtype_and_casting(name):
    uf = _core.ufuncs[name]
    nuf = np_ufunc(name)
    for d_in in ALL_DTYPES:
        a = numpy.array([[3, 1, 2], [1, 5, 7]]).astype(d_in)
        b = numpy.array([2, 1, 3]).astype(d_in)
        ins = (a, b)[: uf.nin]
        for d_out in ALL_DTYPES:
            for casting in CASTINGS:
                def run(mod, f):
                    outs = tuple(mod.zeros((2, 3), d_out) for _ in range(uf.nout))
                    ins_m = ins if mod is numpy else [mnp.array(x) for x in ins]
                    r = f(*ins_m, out=outs if uf.nout > 1 else outs[0], casting=casting)
                    assert (r is outs[0]) if uf.nout == 1 else all(x is y for x, y in zip(r, outs))
                    return outs if uf.nout > 1 else outs[0]
                same_outcome(lambda: run(mnp, uf), lambda: run(numpy, nuf), checker(name))
            same_outcome(lambda: uf(*[mnp.array(x) for x in ins], dtype=d_out), lambda: nuf(*ins, dtype=d_out),
                         checker(name))
            same_outcome(lambda: uf(*[mnp.array(x) for x in ins], dtype=d_out, casting="unsafe"),
                         lambda: nuf(*ins, dtype=d_out, casting="unsafe"), checker(name))


def test_out_errors():
    a = mnp.array([1.0, 2.0])
    with pytest.raises(ValueError):
        mnp.add(a, a, out=mnp.zeros(3))  # not broadcastable to the output
    with pytest.raises(ValueError):
        mnp.add(a, a, out=mnp.broadcast_to(mnp.zeros(1), (2,)))  # read-only
    with pytest.raises(TypeError):
        mnp.add(a, a, out=mnp.zeros(2, "int64"))  # float64 -> int64 is not same_kind
    with pytest.raises(TypeError):
        mnp.add(a, a, mnp.zeros(2), out=mnp.zeros(2))  # positional and keyword out
    r = mnp.zeros((3, 2))
    assert mnp.add(a, a, out=r) is r  # the output broadcasts the inputs
    numpy.testing.assert_array_equal(numpy.asarray(r), [[2.0, 4.0]] * 3)
    o = numpy.zeros(2)  # a NumPy out array is written and returned as is (NumPy runs it)
    assert mnp.add(a, a, out=o) is o and o.tolist() == [2.0, 4.0]


# ---- operators --------------------------------------------------------------------------------

BINARY_OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
              operator.pow, operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift,
              operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge, divmod]
INPLACE_OPS = [operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
               operator.imod, operator.ipow, operator.iand, operator.ior, operator.ixor, operator.ilshift,
               operator.irshift]
exact = checker("add")
OP_UFUNC = {"pow": "power", "ipow": "power", "truediv": "true_divide", "itruediv": "true_divide"}


def op_checker(op):
    return checker(OP_UFUNC.get(op.__name__.strip("_"), "add"))


def _pair(d1, d2):
    return numpy.array([[3, 0, -2], [1, 5, 7]]).astype(d1), numpy.array([2, 1, 3]).astype(d2)


@pytest.mark.parametrize("d1", ALL_DTYPES)
def test_binary_operators_all_dtype_pairs(d1):
    for d2 in ALL_DTYPES:
        a, b = _pair(d1, d2)
        for op in BINARY_OPS:
            same_outcome(lambda: op(mnp.array(a), mnp.array(b)), lambda: op(a, b), op_checker(op))
            # NumPy arrays on either side give minpy arrays (NumPy defers to __array_ufunc__)
            same_outcome(lambda: op(a, mnp.array(b)), lambda: op(a, b), op_checker(op))
            same_outcome(lambda: op(mnp.array(a), b), lambda: op(a, b), op_checker(op))


@pytest.mark.parametrize("d1", ALL_DTYPES)
def test_inplace_operators_all_dtype_pairs(d1):
    """In place: the same object comes back; int /= raises TypeError (no same_kind cast from
    float64 to int), and so does every op whose result type cannot be cast back."""
    for d2 in ALL_DTYPES:
        a, b = _pair(d1, d2)
        for op in INPLACE_OPS:
            def run(mod):
                x = mod.array(a)
                r = op(x, mod.array(b) if mod is mnp else b)
                assert r is x
                return x
            same_outcome(lambda: run(mnp), lambda: run(numpy), op_checker(op))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("scalar", [2, -1, 0, 2.5, -0.0, True, 1j, 300, 2**40])
def test_operators_with_python_scalars(dtype, scalar):
    a = numpy.array([[3, 0, -2], [1, 5, 7]]).astype(dtype)
    for op in BINARY_OPS:
        same_outcome(lambda: op(mnp.array(a), scalar), lambda: op(a, scalar), op_checker(op))
        same_outcome(lambda: op(scalar, mnp.array(a)), lambda: op(scalar, a), op_checker(op))
    for op in INPLACE_OPS:
        def run(mod):
            x = mod.array(a)
            op(x, scalar)
            return x
        same_outcome(lambda: run(mnp), lambda: run(numpy), op_checker(op))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_unary_operators(dtype):
    a = numpy.array([[3, 0, -2], [1, 5, 7]]).astype(dtype)
    for op in [operator.neg, operator.pos, operator.abs, operator.invert]:
        same_outcome(lambda: op(mnp.array(a)), lambda: op(a), op_checker(op))


def test_numpy_array_on_the_left_gives_minpy():
    a = numpy.arange(3.0)
    m = mnp.array([1.0, 2.0, 3.0])
    for r in [a + m, a * m, a < m, a ** m, numpy.add(a, m), numpy.maximum(a, m), a - m + 1]:
        assert isinstance(r, mnp.ndarray)


OVERLAPS = {
    "a[1:] += a[:-1]": lambda x, m: x[1:].__iadd__(x[:-1]),
    "a[::-1] += a": lambda x, m: x[::-1].__iadd__(x),
    "a[:-1] *= a[1:]": lambda x, m: x[:-1].__imul__(x[1:]),
    "a[::2] -= a[1::2]": lambda x, m: x[::2].__isub__(x[1:9:2]),
    "add(a[1:], a[:-1], out=a[:-1])": lambda x, m: m.add(x[1:], x[:-1], out=x[:-1]),
    "add(A, A.T, out=A)": lambda x, m: m.add(x.reshape(3, 3), x.reshape(3, 3).T, out=x.reshape(3, 3)),
    "negative(a[::-1], out=a)": lambda x, m: m.negative(x[::-1], out=x),
    "divmod(a, 3, out=(a[::-1], a2))": lambda x, m: m.divmod(x, 3, out=(x[::-1], m.zeros(9, x.dtype))),
}


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64", "float32", "float64", "complex128"])
@pytest.mark.parametrize("case", list(OVERLAPS))
def test_overlapping_inplace_matches_numpy(dtype, case):
    """NumPy computes as if the inputs were copied first when they overlap the output."""
    f = OVERLAPS[case]

    def run(mod):
        x = mod.array(numpy.arange(9).astype(dtype))
        f(x, mod)
        return x
    same_outcome(lambda: run(mnp), lambda: run(numpy), exact)


# ---- integer corner cases ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d.startswith("int")])
def test_integer_power_negative_exponent_raises(dtype):
    a = numpy.array([2, 3], dtype)
    for fn in [lambda m, x: x ** -1, lambda m, x: m.power(x, m.array([1, -2], dtype=dtype)),
               lambda m, x: m.power(x, -1)]:
        same_outcome(lambda: fn(mnp, mnp.array(a)), lambda: fn(numpy, a), exact)
    with pytest.raises(ValueError):
        mnp.array(a) ** -1
    assert numpy.asarray(mnp.array(a) ** 0).tolist() == [1, 1]


@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d[0] in "iu"])
def test_integer_division_by_zero(dtype):
    """NumPy gives 0 for x // 0, x % 0 and fmod(x, 0) on integers (with a warning), and
    INT_MIN // -1 wraps."""
    info = numpy.iinfo(dtype)
    a = numpy.array([0, 1, info.max, info.min, 7], dtype)
    z = numpy.array([0, 0, 0, 0, 0], dtype)
    for fn in [operator.floordiv, operator.mod, divmod, lambda x, y: numpy.fmod(x, y) if isinstance(x, numpy.ndarray)
               else mnp.fmod(x, y)]:
        same_outcome(lambda: fn(mnp.array(a), mnp.array(z)), lambda: fn(a, z), exact)
    if info.min < 0:
        m1 = numpy.array([-1] * 5, dtype)
        for fn in [operator.floordiv, operator.mod, divmod]:
            same_outcome(lambda: fn(mnp.array(a), mnp.array(m1)), lambda: fn(a, m1), exact)
    # true division of integers is float64 division: inf/nan
    same_outcome(lambda: mnp.array(a) / mnp.array(z), lambda: a / z, exact)


def test_int64_uint64_comparisons_are_exact():
    """NumPy compares int64 with uint64 by value (not through float64)."""
    i = numpy.array([-1, 0, 2**63 - 1, -(2**63), 2**53 + 1], numpy.int64)
    u = numpy.array([2**64 - 1, 0, 2**63, 2**63 - 1, 2**53], numpy.uint64)
    for op in [operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge]:
        same_outcome(lambda: op(mnp.array(i), mnp.array(u)), lambda: op(i, u), exact)
        same_outcome(lambda: op(mnp.array(u), mnp.array(i)), lambda: op(u, i), exact)
        same_outcome(lambda: op(mnp.array(i)[:, None], mnp.array(u)), lambda: op(i[:, None], u), exact)
    # the promoted arithmetic type is float64
    same_outcome(lambda: mnp.array(i) + mnp.array(u), lambda: i + u, exact)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_divmod_matches_floor_divide_and_remainder(dtype):
    a = edge_values(dtype)[:, None]
    b = edge_values(dtype)[None, :]
    same_outcome(lambda: divmod(mnp.array(a), mnp.array(b)), lambda: divmod(a, b), exact)
    same_outcome(lambda: mnp.divmod(mnp.array(a), 3), lambda: numpy.divmod(a, 3), exact)


def test_bool_subtract_and_negative_raise():
    b = mnp.array([True, False])
    for fn in [lambda: b - b, lambda: mnp.subtract(b, True), lambda: -b, lambda: mnp.negative(b),
               lambda: mnp.positive(b), lambda: mnp.sign(b)]:
        with pytest.raises(TypeError):
            fn()
    # with an explicit dtype NumPy runs the integer loops
    assert numpy.asarray(mnp.subtract(b, b, dtype="int8")).tolist() == [0, 0]
    assert numpy.asarray(mnp.negative(b, dtype="int8")).tolist() == [-1, 0]
    b ^= b  # the recommended spelling works


def test_ufunc_argument_errors():
    a = mnp.array([1.0])
    with pytest.raises(TypeError):
        mnp.add(a)
    with pytest.raises(TypeError):
        mnp.add(a, a, a, a)
    with pytest.raises(ValueError):
        mnp.add(a, a, casting="sometimes")
    with pytest.raises(ValueError):
        mnp.add(mnp.zeros(2), mnp.zeros(3))
    with pytest.raises(TypeError):
        mnp.add(a, a, dtype="not a dtype")


# Fuzzer finds (issue 5).
def _same_any(expr):
    def check(got, want):
        g, w = numpy.asarray(got), numpy.asarray(want)
        assert g.dtype == w.dtype and g.shape == w.shape, (g, w)
        numpy.testing.assert_array_equal(g, w)
    same_outcome(lambda: eval(expr, {"np": mnp}), lambda: eval(expr, {"np": numpy}), check)


@pytest.mark.parametrize("expr", [
    # A unary ufunc with dtype= converts a Python int strongly and wraps it.
    "np.negative(300, dtype='int8')", "np.negative(2**63, dtype='int8')", "np.ceil(2**63, dtype='uint8')",
    "np.square(-135, dtype='int8')", "np.sign(300, dtype='int8')", "np.floor(-140, dtype='int8')",
    "np.trunc(2**31, dtype='int16')", "np.invert(255, dtype='int8')", "np.reciprocal(2**63, dtype='int64')",
    "np.invert(144, out=np.zeros(1, 'int16'), dtype='int8')", "np.negative(-1, dtype='uint8')",
    # ... and one beyond uint64 is an object array: no cast to a numeric out= or dtype=.
    "np.sin(2**64, out=np.zeros(2))", "np.logical_not(-2**63 - 1, out=np.zeros((), bool))",
    "np.sqrt(2**64, dtype='float64')", "np.cosh(10**30, out=np.zeros(2, 'float16'), casting='safe')",
    "np.absolute(2**64, out=np.zeros(3, complex))",
    # With dtype=, a weak Python scalar only needs a loop type of its kind; its value is checked.
    "np.remainder(99, np.array([True]), dtype='uint8')", "np.subtract(np.ones(3, bool), 258, dtype='uint64')",
    "np.right_shift(np.array([True]), 181, dtype='uint32')", "np.left_shift(np.ones(2, bool), 3, dtype='uint64')",
    "np.add(np.ones(3, bool), -3, dtype='uint8')", "np.add(300, 1, dtype='int8')",
    "np.floor_divide(np.ones(3, 'int16'), -1.5, dtype='float32', casting='safe')",
    "np.add(np.ones(3, 'int16'), 1.5, dtype='int16')", "np.add(np.ones(3, 'int16'), 1 + 1j, dtype='float64')",
    "np.add(np.ones(3, 'int16'), 3, dtype='bool')", "np.add(np.ones(3, 'int16'), 3, dtype='int16', casting='no')",
    "np.minimum(np.ones((0, 1, 0), bool), 6, out=np.zeros((1, 0), 'int32'), dtype='uint64')",
    # logical_and/or/xor take a Python float by its truth value.
    "np.logical_and(np.array([1, 0], 'float16'), 1e-08)", "np.logical_xor(1e-08, np.array([1, 0], 'float16'))",
    "np.logical_or(np.array([0, 0], 'float32'), 1e-50)", "np.logical_and(np.array([1, 0], 'int8'), 0.0)",
    "np.logical_xor(np.array([1.0, 0.0], 'float16'), 1e-08, out=np.zeros(2, 'uint16'))",
    "np.logical_and(np.array([1, 0], 'float16'), 1e-08j)",
])
def test_python_scalar_conversions_found_by_fuzzer(expr):
    _same_any(expr)


@pytest.mark.parametrize("other", [None, {"a": 1}, {1, 2}])
@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (2, 3)])
def test_compare_with_object_operands(other, op, shape):
    # NumPy compares through an object array: == / != elementwise, ordering raises unless empty.
    f = getattr(operator, op)
    a = numpy.arange(int(numpy.prod(shape)), dtype=numpy.float64).reshape(shape)
    same_outcome(lambda: f(mnp.asarray(a), other), lambda: f(a, other),
                 lambda g, w: numpy.testing.assert_array_equal(numpy.asarray(g), w))
    same_outcome(lambda: f(other, mnp.asarray(a)), lambda: f(other, a),
                 lambda g, w: numpy.testing.assert_array_equal(numpy.asarray(g), w))


@pytest.mark.parametrize("op", ["less", "less_equal", "greater", "greater_equal", "equal", "not_equal"])
@pytest.mark.parametrize("dtype,value", [("uint64", 2**64), ("int64", 2**63), ("int64", -2**63 - 1), ("uint64", -2**70),
                                         ("int8", 300), ("uint8", -1)])
def test_compare_out_of_range_python_int_exactly(op, dtype, value):
    # Fuzzer find (issue 5): every element is on one side of the int (no float64 rounding).
    info = numpy.iinfo(dtype)
    a = numpy.array([info.min, 0, info.max], dtype)
    for args in ((a, value), (value, a)):
        margs = tuple(mnp.asarray(x) if isinstance(x, numpy.ndarray) else x for x in args)
        _same_any_call(getattr(mnp, op), getattr(numpy, op), margs, args)
        _same_any_call(lambda *x: getattr(mnp, op)(*x, out=mnp.zeros(3, "uint16")),
                       lambda *x: getattr(numpy, op)(*x, out=numpy.zeros(3, "uint16")), margs, args)


def _same_any_call(fm, fn, margs, args):
    same_outcome(lambda: fm(*margs), lambda: fn(*args),
                 lambda g, w: numpy.testing.assert_array_equal(numpy.asarray(g), w, strict=True))


@pytest.mark.parametrize("n", [56, 70, 89, 93, -70])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_power_overflow_in_repeated_squaring(n, dtype):
    # Fuzzer find (issue 5): NumPy's integral complex power multiplies without fusing, so an
    # overflowing factor gives nan parts (-inf+nanj), not -inf+infj.
    a = numpy.array([4 - 1j, -4 - 1j, 1e3 + 2e3j, 0.5 + 0.25j, 3 + 0j], dtype)
    big = 1e60 if dtype == "complex128" else 1.0
    a = a * numpy.array(big, dtype)
    def check(g, w):
        g = numpy.asarray(g)
        assert g.dtype == w.dtype
        numpy.testing.assert_allclose(g, w, rtol=1e-4 if dtype == "complex64" else 1e-12, equal_nan=True)
    same_outcome(lambda: mnp.asarray(a) ** n, lambda: a ** n, check)
    same_outcome(lambda: mnp.power(mnp.asarray(a), numpy.int8(n % 128 if n > 0 else n)),
                 lambda: numpy.power(a, numpy.int8(n % 128 if n > 0 else n)), check)
