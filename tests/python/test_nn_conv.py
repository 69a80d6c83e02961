"""minpy.nn.functional conv2d / max_pool2d / avg_pool2d: forward against plain-NumPy references
(and torch.nn.functional when torch imports), errors, and gradients against central differences
(first and second order), including max-pool ties (the first maximum gets the gradient)."""
import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minpy.numpy as np
from minpy.core import grad
from minpy.nn import functional as F
from conftest import numeric_grad

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # the NumPy references still run
    torch = None

RNG = numpy.random.default_rng(7)
TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-12, atol=1e-12)}


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


# ---- NumPy references ----
def ref_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Shifted-slice im2col in float64: one einsum per kernel tap and group."""
    x, w = numpy.asarray(x, numpy.float64), numpy.asarray(w, numpy.float64)
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    xp = numpy.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = numpy.zeros((n, f, ho, wo))
    fg = f // groups
    for g in range(groups):
        xg, wg = xp[:, g * cg:(g + 1) * cg], w[g * fg:(g + 1) * fg]
        for i in range(kh):
            for j in range(kw):
                patch = xg[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
                out[:, g * fg:(g + 1) * fg] += numpy.einsum("nchw,fc->nfhw", patch, wg[:, :, i, j])
    if b is not None:
        out += numpy.asarray(b, numpy.float64)[None, :, None, None]
    return out


def pool_len(n, k, s, p, d=1, ceil_mode=False):
    """PyTorch's pooling output length (None when empty): floor or ceil, and with ceil_mode a last
    window starting in the right padding is dropped."""
    span = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    if span < 0:
        return None
    o = span // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def windows(x, k, s, p, fill, d=1, ceil_mode=False):
    """(N, C, Ho, Wo, KH*KW) windows of x padded with `fill` (also past the right padding, where
    ceil_mode's last windows reach), in row-major window order; taps d apart."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(k), pair(s), pair(p), pair(d)
    h, w = x.shape[2:]
    ho, wo = pool_len(h, kh, sh, ph, dh, ceil_mode), pool_len(w, kw, sw, pw, dw, ceil_mode)
    rh = max(ph, (ho - 1) * sh + dh * (kh - 1) + 1 - ph - h)
    rw = max(pw, (wo - 1) * sw + dw * (kw - 1) + 1 - pw - w)
    xp = numpy.pad(numpy.asarray(x, numpy.float64), ((0, 0), (0, 0), (ph, rh), (pw, rw)), constant_values=fill)
    taps = [xp[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]
    return numpy.stack(taps, axis=-1)


def ref_max_pool(x, k, s=None, p=0, d=1, ceil_mode=False):
    return windows(x, k, k if s is None else s, p, -numpy.inf, d, ceil_mode).max(axis=-1)


def avg_counts(n, k, s, p, o, include_pad):
    """PyTorch's per-output divisor along one axis: the window clipped to the padded input, or to
    the input without count_include_pad."""
    start = numpy.arange(o) * s - p
    end = numpy.minimum(start + k, n + p)
    return end - start if include_pad else numpy.minimum(end, n) - numpy.maximum(start, 0)


def ref_avg_pool(x, k, s=None, p=0, ceil_mode=False, count_include_pad=True):
    s = k if s is None else s
    total = windows(x, k, s, p, 0.0, 1, ceil_mode).sum(axis=-1)
    (kh, kw), (sh, sw), (ph, pw) = pair(k), pair(s), pair(p)
    rows = avg_counts(x.shape[2], kh, sh, ph, total.shape[2], count_include_pad)
    cols = avg_counts(x.shape[3], kw, sw, pw, total.shape[3], count_include_pad)
    return total / (rows[:, None] * cols[None, :])


def ref_max_pool_grad(x, gy, k, s=None, p=0, d=1, ceil_mode=False):
    """The gradient of sum(gy * max_pool(x)): each window's first maximum (row-major) gets gy
    (a window of padding only gives nothing: its argmax lands in the padding, cropped away)."""
    (kh, kw), (ph, pw), (dh, dw) = pair(k), pair(p), pair(d)
    sh, sw = pair(k if s is None else s)
    n, c, h, w = x.shape
    win = windows(x, k, (sh, sw), p, -numpy.inf, d, ceil_mode)
    first = win.argmax(axis=-1)  # argmax returns the first maximum
    dx = numpy.zeros((n, c, h + 2 * ph + (kh * dh + sh) * 2, w + 2 * pw + (kw * dw + sw) * 2))
    for ni, ci, oh, ow in numpy.ndindex(*first.shape):
        i, j = divmod(first[ni, ci, oh, ow], kw)
        dx[ni, ci, oh * sh + i * dh, ow * sw + j * dw] += gy[ni, ci, oh, ow]
    return dx[:, :, ph:ph + h, pw:pw + w]


def assert_close(got, want, dtype):
    assert isinstance(got, np.ndarray)
    g = numpy.asarray(got)
    assert g.dtype == numpy.dtype(dtype) and g.shape == want.shape, (g.dtype, g.shape, want.shape)
    numpy.testing.assert_allclose(g.astype(numpy.float64), want, **TOL[dtype])


# ---- conv2d forward ----
@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cg, fg = draw(st.integers(0, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw, ph, pw = (draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 2)), draw(st.integers(0, 1)))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    n = draw(st.integers(0, 3))
    bias = draw(st.booleans())
    return (n, groups * cg, h, w), (groups * fg, cg, kh, kw), bias, dict(
        stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups)


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.sampled_from(["float32", "float64"]))
def test_conv2d_forward_hypothesis(case, dtype):
    xs, ws, use_bias, kw = case
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal(ws).astype(dtype)
    b = RNG.standard_normal(ws[0]).astype(dtype) if use_bias else None
    got = F.conv2d(np.array(x), np.array(w), None if b is None else np.array(b), **kw)
    assert_close(got, ref_conv2d(x, w, b, **kw), dtype)
    if torch is not None and xs[1] > 0:  # torch's empty-channel results have odd shapes
        want = TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b), **kw)
        assert_close(got, want.double().numpy(), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xs,ws,kw", [
    ((64, 1, 8, 8), (16, 1, 3, 3), dict(padding=1)),            # digits first layer
    ((64, 16, 8, 8), (32, 16, 3, 3), dict(padding=1)),          # digits second layer
    ((8, 3, 32, 32), (32, 3, 5, 5), dict(padding=2)),           # CIFAR-like
    ((4, 32, 16, 16), (32, 32, 3, 3), dict(padding=1, stride=2)),
    ((3, 6, 11, 13), (6, 1, 3, 3), dict(padding=1, groups=6)),  # depthwise
    ((2, 4, 9, 9), (8, 4, 1, 1), {}),                           # pointwise
])
def test_conv2d_forward_shapes(dtype, xs, ws, kw):
    x = RNG.standard_normal(xs).astype(dtype)
    w = (RNG.standard_normal(ws) * 0.2).astype(dtype)
    b = RNG.standard_normal(ws[0]).astype(dtype)
    got = F.conv2d(np.array(x), np.array(w), np.array(b), **kw)
    assert_close(got, ref_conv2d(x, w, b, **kw), dtype)
    if torch is not None:
        want = TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), **kw)
        assert_close(got, want.double().numpy(), dtype)


def test_conv2d_large_batch_chunks():
    # enough samples for several column-matrix chunks (dW accumulates across them)
    x = RNG.standard_normal((40, 16, 32, 32))
    w = RNG.standard_normal((8, 16, 3, 3))
    gy = RNG.standard_normal((40, 8, 32, 32))
    got = F.conv2d(np.array(x), np.array(w), padding=1)
    assert_close(got, ref_conv2d(x, w, padding=1), "float64")
    gx, gw = grad(lambda x, w: F.conv2d(x, w, padding=1) * np.array(gy), [0, 1])(np.array(x), np.array(w))
    if torch is not None:
        tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
        (TF.conv2d(tx, tw, padding=1) * torch.from_numpy(gy)).sum().backward()
        # sums of ~40k products: a few ulps of the largest term
        numpy.testing.assert_allclose(numpy.asarray(gx), tx.grad.numpy(), rtol=1e-9, atol=1e-9)
        numpy.testing.assert_allclose(numpy.asarray(gw), tw.grad.numpy(), rtol=1e-9, atol=1e-9)
    else:  # dW against the reference as a correlation of x with gy
        want = numpy.einsum("nfhw,nchw->fc", gy, numpy.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))[:, :, :32, :32])
        numpy.testing.assert_allclose(numpy.asarray(gw)[:, :, 0, 0], want, rtol=1e-10)


@pytest.mark.parametrize("xs,ws,kw", [
    ((9, 3, 32, 32), (8, 3, 3, 3), dict(padding=1)),                            # one image per tile
    ((7, 4, 40, 36), (6, 2, 3, 3), dict(groups=2, stride=(2, 1), dilation=2)),  # bands of an image
    ((300, 2, 6, 6), (4, 2, 3, 3), {}),                                         # several images per tile
    # several images per tile, through the padded plane and dW from gy transposed, with groups
    ((200, 4, 7, 6), (6, 2, 3, 2), dict(groups=2, stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
    ((5, 1, 70, 66), (2, 1, 1, 2), {}),  # whole images in a tile, planes too large for the padded buffer
])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_conv2d_thread_partitions(xs, ws, kw, threads):
    # With enough samples, each thread takes whole samples with its own buffer and its own dW part
    # (summed at the end); with one thread the tiles run in order: both must give the reference.
    import minpy
    x, w, b = RNG.standard_normal(xs), RNG.standard_normal(ws), RNG.standard_normal(ws[0])
    gy = RNG.standard_normal(ref_conv2d(x, w, **kw).shape)
    saved = minpy.num_threads()
    minpy.set_num_threads(threads)
    try:
        got = F.conv2d(np.array(x), np.array(w), np.array(b), **kw)
        gx, gw, gb = grad(lambda x, w, b: F.conv2d(x, w, b, **kw) * np.array(gy), [0, 1, 2])(
            np.array(x), np.array(w), np.array(b))
    finally:
        minpy.set_num_threads(saved)
    assert_close(got, ref_conv2d(x, w, b, **kw), "float64")
    # dx and dw by the chain rule through the reference: the linear maps' adjoints, by finite
    # differences of a linear function (exact up to rounding).
    lin = lambda x, w: float(numpy.sum(ref_conv2d(x, w, **kw) * gy))
    want_gw = numpy.zeros_like(w)
    for i in numpy.ndindex(w.shape):
        e = numpy.zeros_like(w)
        e[i] = 1.0
        want_gw[i] = lin(x, e)
    numpy.testing.assert_allclose(numpy.asarray(gw), want_gw, rtol=1e-10, atol=1e-9)
    numpy.testing.assert_allclose(numpy.asarray(gb), gy.sum(axis=(0, 2, 3)), rtol=1e-10, atol=1e-9)
    # dx: <conv(x), gy> is linear in x, so dx . v = <conv(v), gy> for any v
    v = RNG.standard_normal(xs)
    assert numpy.isclose(float(numpy.sum(numpy.asarray(gx) * v)), lin(v, w), rtol=1e-10, atol=1e-8)


def test_conv2d_noncontiguous_and_mixed_inputs():
    base = RNG.standard_normal((4, 6, 10, 12))
    x = base[::2, :, ::-1, 1::2]          # strided, negative strides
    wb = RNG.standard_normal((3, 3, 6, 5))
    w = wb.transpose(3, 2, 0, 1)           # (5, 6, 3, 3), not contiguous
    b = RNG.standard_normal(10)[::2]
    mx = np.array(base)[::2, :, ::-1, 1::2]
    mw = np.array(wb).transpose(3, 2, 0, 1)
    mb = np.array(RNG.standard_normal(10))[::2]
    mb[...] = b
    got = F.conv2d(mx, mw, mb, padding=(1, 0), stride=(1, 2))
    assert_close(got, ref_conv2d(x, w, b, padding=(1, 0), stride=(1, 2)), "float64")
    # NumPy arrays and lists are accepted; float32 with float64 promotes to float64
    got = F.conv2d(x.astype(numpy.float32), w, b.tolist(), padding=1)
    assert numpy.asarray(got).dtype == numpy.float64
    numpy.testing.assert_allclose(numpy.asarray(got), ref_conv2d(x.astype(numpy.float32), w, b, padding=1),
                                  rtol=1e-12, atol=1e-12)


def test_conv2d_empty_and_unbatched():
    w = RNG.standard_normal((4, 3, 3, 3))
    y = F.conv2d(np.zeros((0, 3, 5, 5)), np.array(w), padding=1)
    assert y.shape == (0, 4, 5, 5) and y.dtype == numpy.float64
    gx, gw, gb = grad(lambda x, w, b: F.conv2d(x, w, b), [0, 1, 2])(np.zeros((0, 3, 5, 5)), np.array(w), np.ones(4))
    assert gx.shape == (0, 3, 5, 5)
    assert numpy.asarray(gw).tolist() == numpy.zeros((4, 3, 3, 3)).tolist()
    assert numpy.asarray(gb).tolist() == [0.0] * 4
    # no input channels: the bias alone
    y = F.conv2d(np.zeros((2, 0, 4, 4)), np.zeros((3, 0, 2, 2)), np.array([1.0, 2.0, 3.0]))
    assert numpy.asarray(y).tolist() == numpy.broadcast_to(numpy.array([1.0, 2, 3])[:, None, None], (2, 3, 3, 3)).tolist()
    # (C, H, W) is one image
    x = RNG.standard_normal((3, 6, 7))
    y = F.conv2d(np.array(x), np.array(w), stride=2)
    assert_close(y, ref_conv2d(x[None], w, stride=2)[0], "float64")


def test_conv2d_float16_runs_in_float32():
    x = RNG.standard_normal((2, 3, 6, 6)).astype(numpy.float16)
    w = (RNG.standard_normal((4, 3, 3, 3)) * 0.3).astype(numpy.float16)
    y = F.conv2d(np.array(x), np.array(w), padding=1)
    assert numpy.asarray(y).dtype == numpy.float16
    want = ref_conv2d(x.astype(numpy.float32), w.astype(numpy.float32), padding=1)
    # float32 sums rounded once to float16: within an ulp of float16 of the exact result
    numpy.testing.assert_allclose(numpy.asarray(y).astype(numpy.float64), want, rtol=1e-3, atol=1e-3)


def err(fn, cls):
    with pytest.raises(cls) as info:
        fn()
    assert str(info.value).startswith("[")


def test_conv2d_errors():
    x, w = np.zeros((2, 4, 5, 5)), np.zeros((6, 4, 3, 3))
    err(lambda: F.conv2d(np.zeros((4, 5, 5, 1, 1)), w), ValueError)           # bad rank
    err(lambda: F.conv2d(np.zeros((5, 5)), w), ValueError)
    err(lambda: F.conv2d(x, np.zeros((6, 4, 3))), ValueError)
    err(lambda: F.conv2d(x, np.zeros((6, 3, 3, 3))), ValueError)               # channel mismatch
    err(lambda: F.conv2d(x, np.zeros((6, 2, 3, 3)), groups=3), ValueError)     # C % groups
    err(lambda: F.conv2d(x, np.zeros((5, 2, 3, 3)), groups=2), ValueError)     # F % groups
    err(lambda: F.conv2d(x, np.zeros((6, 4, 3, 3)), groups=2), ValueError)
    err(lambda: F.conv2d(x, w, groups=0), ValueError)
    err(lambda: F.conv2d(x, w, stride=0), ValueError)
    err(lambda: F.conv2d(x, w, stride=(1, -1)), ValueError)
    err(lambda: F.conv2d(x, w, padding=-1), ValueError)
    err(lambda: F.conv2d(x, w, dilation=0), ValueError)
    err(lambda: F.conv2d(x, np.zeros((6, 4, 7, 3))), ValueError)              # kernel > padded input
    err(lambda: F.conv2d(x, w, dilation=3), ValueError)                       # dilated kernel 7 > 5
    err(lambda: F.conv2d(x, np.zeros((6, 4, 0, 3))), ValueError)
    err(lambda: F.conv2d(x, w, np.zeros(5)), ValueError)                      # bias shape
    err(lambda: F.conv2d(x, w, np.zeros((6, 1))), ValueError)
    err(lambda: F.conv2d(np.zeros((2, 4, 5, 5), dtype=int), w), TypeError)   # integer inputs
    err(lambda: F.conv2d(x, np.zeros((6, 4, 3, 3), dtype=numpy.int32)), TypeError)
    err(lambda: F.conv2d(x, w, np.zeros(6, dtype=bool)), TypeError)
    err(lambda: F.conv2d(x.astype(numpy.complex128), w), TypeError)
    err(lambda: F.conv2d(x, w, stride=1.5), TypeError)
    err(lambda: F.conv2d(x, w, padding=(1, 2, 3)), TypeError)
    err(lambda: F.conv2d(x, w, groups="2"), TypeError)
    # the smallest valid geometry still works: kernel == padded input
    assert F.conv2d(x, np.zeros((6, 4, 7, 7)), padding=1).shape == (2, 6, 1, 1)


# ---- conv2d gradients ----
def check_grads(f, args, rtol=1e-6, atol=1e-7):
    got = grad(f, list(range(len(args))))(*[np.array(a) for a in args])
    for i, g in enumerate(got):
        assert g.shape == numpy.shape(args[i]) and g.dtype == numpy.float64
        numpy.testing.assert_allclose(numpy.asarray(g), numeric_grad(f, args, i), rtol=rtol, atol=atol)


CONV_GRAD_CASES = [
    ((2, 2, 5, 5), (3, 2, 3, 3), dict(padding=1)),
    ((2, 2, 6, 7), (2, 2, 2, 3), dict(stride=(2, 1), padding=(0, 1))),
    ((1, 4, 7, 6), (4, 2, 3, 2), dict(groups=2, dilation=(2, 1), padding=1)),
    ((3, 3, 5, 5), (3, 1, 3, 3), dict(groups=3, stride=2, padding=1)),  # depthwise, strided
    ((2, 1, 4, 4), (2, 1, 1, 1), {}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV_GRAD_CASES)
def test_conv2d_gradients(xs, ws, kw):
    x, w, b = RNG.standard_normal(xs), RNG.standard_normal(ws), RNG.standard_normal(ws[0])
    r = np.array(RNG.standard_normal(numpy.shape(ref_conv2d(x, w, **kw))))
    check_grads(lambda x, w, b: F.conv2d(x, w, b, **kw) * r, [x, w, b])


def test_conv2d_gradients_float32_and_views():
    x = RNG.standard_normal((3, 2, 6, 6)).astype(numpy.float32)
    w = RNG.standard_normal((4, 2, 3, 3)).astype(numpy.float32)
    gx, gw = grad(lambda x, w: F.conv2d(x[:, :, 1:, :], w, padding=1).sum(), [0, 1])(np.array(x), np.array(w))
    assert gx.dtype == numpy.float32 and gw.dtype == numpy.float32
    ones = numpy.ones((3, 4, 5, 6))
    if torch is not None:
        tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
        TF.conv2d(tx[:, :, 1:, :], tw, padding=1).sum().backward()
        numpy.testing.assert_allclose(numpy.asarray(gx), tx.grad.numpy(), rtol=1e-5, atol=1e-5)
        numpy.testing.assert_allclose(numpy.asarray(gw), tw.grad.numpy(), rtol=1e-5, atol=1e-4)
    # gradient of a sum w.r.t. w: windowed sums of x (float64 reference)
    want = numpy.einsum("nfhw,nchw->fc", ones, x[:, :, 1:, :].astype(numpy.float64))
    numpy.testing.assert_allclose(numpy.asarray(gw)[:, :, 1, 1], want, rtol=1e-5, atol=1e-4)


def test_conv2d_second_order():
    kw = dict(padding=1, stride=(1, 2))
    x, w = RNG.standard_normal((2, 2, 4, 5)), RNG.standard_normal((3, 2, 3, 3))
    r = np.array(RNG.standard_normal((2, 3, 4, 3)))
    sx, sw = np.array(RNG.standard_normal(x.shape)), np.array(RNG.standard_normal(w.shape))

    def inner(x, w):  # a scalar built from both first-order gradients (conv2d_grad_input/_weight)
        gx, gw = grad(lambda x, w: F.conv2d(x, w, **kw) * r, [0, 1])(x, w)
        return (gx * sx).sum() + (gw * sw).sum() + (gx * gx).sum() * 0.1 + (gw * gw).sum() * 0.1

    check_grads(inner, [x, w], rtol=1e-5, atol=1e-6)


# ---- pooling ----
@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    s = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    p = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    h = draw(st.integers(max(1, kh - 2 * p[0]), 9))
    w = draw(st.integers(max(1, kw - 2 * p[1]), 9))
    return (draw(st.integers(0, 3)), draw(st.integers(1, 3)), h, w), (kh, kw), s, p


@settings(max_examples=60, deadline=None)
@given(pool_cases(), st.sampled_from(["float32", "float64"]), st.booleans())
def test_pool_forward_hypothesis(case, dtype, ties):
    xs, k, s, p = case
    # ties: few distinct values, so windows often hold several maxima
    x = (RNG.integers(-2, 3, xs) if ties else RNG.standard_normal(xs)).astype(dtype)
    assert_close(F.max_pool2d(np.array(x), k, s, p), ref_max_pool(x, k, s, p), dtype)
    assert_close(F.avg_pool2d(np.array(x), k, s, p), ref_avg_pool(x, k, s, p), dtype)
    gy = RNG.standard_normal(ref_max_pool(x, k, s, p).shape)
    gx = grad(lambda x: F.max_pool2d(x, k, s, p) * np.array(gy))(np.array(x))
    assert_close(gx, ref_max_pool_grad(x, gy, k, s, p), dtype)
    if torch is not None:
        st_ = k if s is None else s
        for ours, theirs in ((F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)):
            tx = torch.from_numpy(x).requires_grad_()
            ty = theirs(tx, k, st_, p)
            (ty * torch.from_numpy(gy).to(ty.dtype)).sum().backward()
            assert_close(ours(np.array(x), k, s, p), ty.detach().double().numpy(), dtype)
            g = grad(lambda x: ours(x, k, s, p) * np.array(gy.astype(dtype)))(np.array(x))
            assert_close(g, tx.grad.double().numpy(), dtype)


@st.composite
def pool_option_cases(draw):
    """Geometries with PyTorch's options: dilation (max), ceil_mode, count_include_pad (avg),
    including kernels that only ceil_mode lets fit and dilated windows that miss the input."""
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    s = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    sh, sw = (kh, kw) if s is None else s
    p = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    ceil_mode, include_pad = draw(st.booleans()), draw(st.booleans())
    # smallest sizes with an output (for max with d, for avg without)
    lo_h = max(1, min(d[0] * (kh - 1) + 1, kh) - 2 * p[0] - (sh - 1 if ceil_mode else 0))
    lo_w = max(1, min(d[1] * (kw - 1) + 1, kw) - 2 * p[1] - (sw - 1 if ceil_mode else 0))
    h, w = draw(st.integers(lo_h, 9)), draw(st.integers(lo_w, 9))
    return (draw(st.integers(0, 2)), draw(st.integers(1, 3)), h, w), (kh, kw), s, p, d, ceil_mode, include_pad


@settings(max_examples=80, deadline=None)
@given(pool_option_cases(), st.sampled_from(["float32", "float64"]), st.booleans())
def test_pool_options_forward_hypothesis(case, dtype, ties):
    xs, k, s, p, d, ceil_mode, include_pad = case
    x = (RNG.integers(-2, 3, xs) if ties else RNG.standard_normal(xs)).astype(dtype)
    st_ = k if s is None else s
    mx = np.array(x)
    fits_max = all(pool_len(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in
                   zip(xs[2:], k, pair(st_), p, d))
    fits_avg = all(pool_len(n, kk, ss, pp, 1, ceil_mode) for n, kk, ss, pp in zip(xs[2:], k, pair(st_), p))
    if fits_max:
        want = ref_max_pool(x, k, s, p, d, ceil_mode)
        assert_close(F.max_pool2d(mx, k, s, p, d, ceil_mode), want, dtype)
        gy = RNG.standard_normal(want.shape)
        gx = grad(lambda x: F.max_pool2d(x, k, s, p, dilation=d, ceil_mode=ceil_mode) * np.array(gy))(mx)
        assert_close(gx, ref_max_pool_grad(x, gy, k, s, p, d, ceil_mode), dtype)
        if torch is not None:
            tx = torch.from_numpy(x).requires_grad_()
            ty = TF.max_pool2d(tx, k, st_, p, d, ceil_mode)
            assert_close(F.max_pool2d(mx, k, s, p, d, ceil_mode), ty.detach().double().numpy(), dtype)
            # torch's backward writes out of bounds for windows with no input element (index past
            # the plane): its gradient is only compared where every window holds one
            if not torch.isinf(ty).any():
                (ty * torch.from_numpy(gy).to(ty.dtype)).sum().backward()
                g = grad(lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode) * np.array(gy.astype(dtype)))(mx)
                assert_close(g, tx.grad.double().numpy(), dtype)
    else:
        err(lambda: F.max_pool2d(mx, k, s, p, d, ceil_mode), ValueError)
        if torch is not None:
            with pytest.raises(RuntimeError):
                TF.max_pool2d(torch.from_numpy(x), k, st_, p, d, ceil_mode)
    if fits_avg:
        want = ref_avg_pool(x, k, s, p, ceil_mode, include_pad)
        got = F.avg_pool2d(mx, k, s, p, ceil_mode=ceil_mode, count_include_pad=include_pad)
        assert_close(got, want, dtype)
        gy = RNG.standard_normal(want.shape)
        g = grad(lambda x: F.avg_pool2d(x, k, s, p, ceil_mode, include_pad) * np.array(gy.astype(dtype)))(mx)
        if torch is not None:
            tx = torch.from_numpy(x).requires_grad_()
            ty = TF.avg_pool2d(tx, k, st_, p, ceil_mode, include_pad)
            (ty * torch.from_numpy(gy).to(ty.dtype)).sum().backward()
            assert_close(got, ty.detach().double().numpy(), dtype)
            assert_close(g, tx.grad.double().numpy(), dtype)
        # avg is linear: <avg(v), gy> == <v, grad> for any v (the adjoint, by the reference)
        v = RNG.standard_normal(xs)
        lhs = float(numpy.sum(ref_avg_pool(v, k, s, p, ceil_mode, include_pad) * gy))
        assert numpy.isclose(float(numpy.sum(numpy.asarray(g, numpy.float64) * v)), lhs,
                             rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-4 if dtype == "float32" else 1e-10)
    else:
        err(lambda: F.avg_pool2d(mx, k, s, p, ceil_mode, include_pad), ValueError)
        if torch is not None:
            with pytest.raises(RuntimeError):
                TF.avg_pool2d(torch.from_numpy(x), k, st_, p, ceil_mode, include_pad)


def test_pool_options_known_values():
    x = numpy.arange(25.0).reshape(1, 1, 5, 5)
    mx = np.array(x)
    # ceil_mode: 5 = 2 * 2 + 1 gives a third window holding the last row/column only
    y = F.max_pool2d(mx, 2, ceil_mode=True)
    assert numpy.asarray(y)[0, 0].tolist() == [[6, 8, 9], [16, 18, 19], [21, 23, 24]]
    a = F.avg_pool2d(mx, 2, ceil_mode=True)  # divisors 4, 2 and 1 (clipped at the input's edge)
    assert numpy.asarray(a)[0, 0, 2].tolist() == [20.5, 22.5, 24.0]
    # with padding 1 and stride 2, ceil's last window would start in the right padding: dropped
    assert F.max_pool2d(mx, 2, 2, 1, ceil_mode=True).shape == (1, 1, 3, 3)
    assert F.max_pool2d(mx, 3, 2, 1, ceil_mode=True).shape == (1, 1, 3, 3)
    # a kernel larger than the input fits with ceil_mode when the overhang is below the stride
    assert F.max_pool2d(np.array(x[:, :, :2, :2]), 3, 2, ceil_mode=True).tolist() == [[[[6.0]]]]
    err(lambda: F.max_pool2d(np.array(x[:, :, :2, :2]), 3, 2), ValueError)
    # count_include_pad=False: the corner window of 3x3 padding 1 averages its 4 elements
    b = F.avg_pool2d(mx, 3, 1, 1, count_include_pad=False)
    assert numpy.asarray(b)[0, 0, 0, 0] == 3.0 and numpy.asarray(b)[0, 0, 2, 2] == 12.0
    c = F.avg_pool2d(mx, 3, 1, 1)
    assert numpy.asarray(c)[0, 0, 0, 0] == 12.0 / 9.0
    # dilation: taps two apart
    assert numpy.asarray(F.max_pool2d(mx, 2, 1, dilation=2))[0, 0].tolist() == [[12, 13, 14], [17, 18, 19],
                                                                              [22, 23, 24]]
    assert numpy.asarray(F.max_pool2d(mx, 2, 1, dilation=(1, 3)))[0, 0, 0].tolist() == [8.0, 9.0]


def test_max_pool_dilated_windows_without_input():
    """A dilated window whose taps all fall in the padding: -inf, index -1, no gradient (PyTorch
    gives -inf and an index past the plane)."""
    from minpy import _core
    x = numpy.arange(9.0).reshape(1, 1, 3, 3)
    y = F.max_pool2d(np.array(x), 2, 1, 1, dilation=3)
    assert numpy.asarray(y)[0, 0].tolist() == [[8.0, 6.0], [2.0, 0.0]]
    one = np.array([[[[3.0]]]])
    y = F.max_pool2d(one, 2, 1, 1, dilation=2)
    assert numpy.asarray(y).tolist() == [[[[-numpy.inf]]]]
    if torch is not None:
        assert TF.max_pool2d(torch.tensor([[[[3.0]]]]), 2, 1, 1, 2).item() == -numpy.inf
    y, idx = _core._nn_max_pool2d_with_indices(one, 2, 2, 1, 1, 1, 1, 2, 2, False)
    assert numpy.asarray(idx).tolist() == [[[[-1]]]]
    g = grad(lambda x: F.max_pool2d(x, 2, 1, 1, dilation=2).sum())(one)
    assert numpy.asarray(g).tolist() == [[[[0.0]]]]
    # a 1x4 row with dilation 3, padding 1: windows (-1, 2), (0, 3) and (1, 4)
    x = np.array([[[[1.0, 5.0, 2.0, 4.0]]]])
    y = F.max_pool2d(x, (1, 2), 1, (0, 1), dilation=(1, 3))
    assert numpy.asarray(y).tolist() == [[[[2.0, 4.0, 5.0]]]]
    # the backward helper accepts -1 for dilated geometries (scatter skips it, gather gives 0)
    dx = _core._nn_max_pool2d_backward(np.ones((1, 1, 1, 1)), idx, [1, 1, 1, 1], 2, 2, 1, 1, 1, 1, 2, 2)
    assert numpy.asarray(dx).tolist() == [[[[0.0]]]]
    # the scatter's VJP (the gather) gives 0 at a -1 index; a neighbour with input gets its value
    sc = np.array([[[[2.0]]]])
    g2 = grad(lambda g: (_core._nn_max_pool2d_backward(g, idx, [1, 1, 1, 1], 2, 2, 1, 1, 1, 1, 2, 2) * sc).sum())(
        np.ones((1, 1, 1, 1)))
    assert numpy.asarray(g2).tolist() == [[[[0.0]]]]
    # (a window without input elements only occurs on an axis with a single output: k = 2 and
    # d >= n + p; so the whole output is -inf then)
    assert numpy.isneginf(numpy.asarray(F.max_pool2d(np.ones((1, 1, 2, 6)), 2, 1, 1, dilation=(3, 1)))).all()


@pytest.mark.parametrize("k,s,p,d,ceil_mode", [
    (2, None, 0, 1, True), (3, 2, 1, 1, True), ((2, 3), (1, 2), (1, 0), (2, 1), False),
    (2, 1, 1, 2, True), (3, 2, 1, (2, 3), True)])
def test_max_pool_option_gradients(k, s, p, d, ceil_mode):
    x = (RNG.permutation(2 * 2 * 7 * 6) * 0.1).reshape(2, 2, 7, 6)  # distinct: no ties
    y = ref_max_pool(x, k, s, p, d, ceil_mode)
    assert numpy.isfinite(y).all()
    r = np.array(RNG.standard_normal(y.shape))
    check_grads(lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode) * r, [x])
    sx = np.array(RNG.standard_normal(x.shape))

    def inner(x):  # second order: scatter and gather with the new geometry
        gx = grad(lambda x: (F.max_pool2d(x, k, s, p, d, ceil_mode) ** 2 * r).sum())(x)
        return (gx * sx).sum()
    check_grads(inner, [x], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("k,s,p,ceil_mode,include_pad", [
    (2, None, 0, True, True), (3, 2, 1, True, True), (3, 2, 1, True, False), (3, 1, 1, False, False),
    ((2, 3), (3, 2), (1, 1), True, False), ((3, 2), (2, 3), (1, 1), True, True)])
def test_avg_pool_option_gradients(k, s, p, ceil_mode, include_pad):
    x = RNG.standard_normal((2, 2, 7, 6))
    r = np.array(RNG.standard_normal(ref_avg_pool(x, k, s, p, ceil_mode, include_pad).shape))
    f = lambda x: F.avg_pool2d(x, k, s, p, ceil_mode, include_pad) * r
    check_grads(f, [x])
    sx = np.array(RNG.standard_normal(x.shape))

    def inner(x):  # second order: avg_pool2d_backward records avg_pool2d with the same options
        gx = grad(lambda x: (F.avg_pool2d(x, k, s, p, ceil_mode, include_pad) ** 2 * r).sum())(x)
        return (gx * sx).sum()
    check_grads(inner, [x], rtol=1e-5, atol=1e-6)


def test_pool_option_gradients_float32():
    x = RNG.standard_normal((3, 2, 9, 7)).astype(numpy.float32)
    gy = RNG.standard_normal((3, 2, 5, 4)).astype(numpy.float32)
    gym = RNG.standard_normal((3, 2, 5, 3)).astype(numpy.float32)
    gm = grad(lambda x: F.max_pool2d(x, 3, 2, 1, dilation=(1, 2), ceil_mode=True) * np.array(gym))(np.array(x))
    ga = grad(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False) * np.array(gy))(
        np.array(x))
    assert gm.dtype == numpy.float32 and ga.dtype == numpy.float32
    assert_close(gm, ref_max_pool_grad(x, gym, 3, 2, 1, (1, 2), True), "float32")
    if torch is not None:
        tx = torch.from_numpy(x).requires_grad_()
        (TF.max_pool2d(tx, 3, 2, 1, (1, 2), True) * torch.from_numpy(gym)).sum().backward()
        assert_close(gm, tx.grad.double().numpy(), "float32")
    if torch is not None:
        tx = torch.from_numpy(x).requires_grad_()
        (TF.avg_pool2d(tx, 3, 2, 1, True, False) * torch.from_numpy(gy)).sum().backward()
        assert_close(ga, tx.grad.double().numpy(), "float32")
    v = RNG.standard_normal(x.shape)
    lhs = float(numpy.sum(ref_avg_pool(v, 3, 2, 1, True, False) * gy))
    assert numpy.isclose(float(numpy.sum(numpy.asarray(ga, numpy.float64) * v)), lhs, rtol=1e-5, atol=1e-5)


def test_pool_option_errors():
    x = np.zeros((2, 3, 5, 5))
    tx = torch.zeros((2, 3, 5, 5), dtype=torch.float64) if torch is not None else None
    cases = [  # (ours, torch's) with the same arguments: torch raises RuntimeError, we ValueError
        (lambda: F.max_pool2d(x, 2, 1, 0, dilation=0), lambda: TF.max_pool2d(tx, 2, 1, 0, 0)),
        (lambda: F.max_pool2d(x, 2, 1, 0, dilation=(1, -1)), lambda: TF.max_pool2d(tx, 2, 1, 0, (1, -1))),
        (lambda: F.max_pool2d(x, 2, 1, 2, dilation=3), lambda: TF.max_pool2d(tx, 2, 1, 2, 3)),  # pad > k / 2
        (lambda: F.max_pool2d(x, 3, 1, 0, dilation=3), lambda: TF.max_pool2d(tx, 3, 1, 0, 3)),  # 7 > 5
        (lambda: F.max_pool2d(x, 3, 1, 0, 3, True), lambda: TF.max_pool2d(tx, 3, 1, 0, 3, True)),
        (lambda: F.max_pool2d(x, 8, 2, ceil_mode=True), lambda: TF.max_pool2d(tx, 8, 2, ceil_mode=True)),
        (lambda: F.avg_pool2d(x, 8, 2, ceil_mode=True), lambda: TF.avg_pool2d(tx, 8, 2, ceil_mode=True)),
        (lambda: F.avg_pool2d(x, 2, 1, 2, True, False), lambda: TF.avg_pool2d(tx, 2, 1, 2, True, False)),
    ]
    for ours, theirs in cases:
        err(ours, ValueError)
        if torch is not None:
            with pytest.raises(RuntimeError):
                theirs()
    type_cases = [  # torch raises TypeError too
        (lambda: F.max_pool2d(x, 2, dilation=1.0), lambda: TF.max_pool2d(tx, 2, dilation=1.0)),
        (lambda: F.max_pool2d(x, 2, ceil_mode=None), lambda: TF.max_pool2d(tx, 2, ceil_mode=None)),
        (lambda: F.max_pool2d(x, 2, ceil_mode=1), lambda: TF.max_pool2d(tx, 2, ceil_mode=1)),
        (lambda: F.avg_pool2d(x, 2, ceil_mode="yes"), lambda: TF.avg_pool2d(tx, 2, ceil_mode="yes")),
        (lambda: F.avg_pool2d(x, 2, count_include_pad=0), lambda: TF.avg_pool2d(tx, 2, count_include_pad=0)),
    ]
    for ours, theirs in type_cases:
        err(ours, TypeError)
        if torch is not None:
            with pytest.raises(TypeError):
                theirs()
    err(lambda: F.max_pool2d(x, 2, dilation=(1, 2, 3)), TypeError)  # torch: RuntimeError (a tuple's length)
    # NumPy bools are bools
    assert F.avg_pool2d(x, 2, ceil_mode=numpy.True_, count_include_pad=numpy.False_).shape == (2, 3, 3, 3)
    # the avg helpers take no dilation; the max backward helper's -1 needs a dilated geometry
    from minpy import _core
    y, idx = _core._nn_max_pool2d_with_indices(x, 2, 2, 2, 2, 0, 0)
    bad = np.array(numpy.asarray(idx))
    bad[0, 0, 0, 0] = -1
    err(lambda: _core._nn_max_pool2d_backward(np.ones((2, 3, 2, 2)), bad, [2, 3, 5, 5], 2, 2, 2, 2, 0, 0),
        IndexError)


def test_max_pool_ties_first_max_wins():
    x = numpy.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [2.0, 0.0, 2.0]]]])
    g = grad(lambda x: F.max_pool2d(x, 2, 1).sum())(np.array(x))
    assert numpy.asarray(g).tolist() == [[[[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]]]
    # all-equal window with padding: the first real element (padding never wins)
    g = grad(lambda x: F.max_pool2d(x, 3, 1, 1).sum())(np.full((1, 1, 2, 2), -5.0))
    assert numpy.asarray(g).tolist() == [[[[4.0, 0.0], [0.0, 0.0]]]]
    # NaN is the maximum (propagates)
    y = F.max_pool2d(np.array([[[[1.0, numpy.nan], [3.0, 0.0]]]]), 2)
    assert numpy.isnan(numpy.asarray(y)).all()


@pytest.mark.parametrize("xs", [(3, 4, 6, 8), (2, 3, 7, 5), (64, 32, 4, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool_2x2_ties_and_nans(xs, dtype):
    # the 2x2 stride-2 pool has its own kernel: first maximum in window order, the first NaN wins
    x = RNG.integers(-2, 3, xs).astype(dtype)
    x[RNG.random(xs) < 0.05] = numpy.nan
    y = numpy.asarray(F.max_pool2d(np.array(x), 2))
    numpy.testing.assert_array_equal(y, ref_max_pool(x, 2, None, 0).astype(dtype))
    gy = RNG.standard_normal(y.shape)
    gx = grad(lambda x: F.max_pool2d(x, 2) * np.array(gy.astype(dtype)))(np.array(x))
    numpy.testing.assert_array_equal(numpy.asarray(gx), ref_max_pool_grad(x, gy, 2, None, 0).astype(dtype))


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0)), (1, 1, 0)])
def test_pool_gradients(k, s, p):
    x = (RNG.permutation(2 * 3 * 6 * 5) * 0.1).reshape(2, 3, 6, 5)  # distinct: no ties
    r = np.array(RNG.standard_normal(ref_max_pool(x, k, s, p).shape))
    check_grads(lambda x: F.max_pool2d(x, k, s, p) * r, [x])
    check_grads(lambda x: F.avg_pool2d(x, k, s, p) * r, [x])


def test_pool_second_order_and_chain():
    x = (RNG.permutation(2 * 2 * 6 * 6) * 0.1).reshape(2, 2, 6, 6)
    s = np.array(RNG.standard_normal(x.shape))
    for pool in (F.max_pool2d, F.avg_pool2d):
        def inner(x, pool=pool):  # gradient then reuse: scatter/gather and avg/avg_backward record
            gx = grad(lambda x: (pool(x, 2) ** 2).sum())(x)
            return (gx * s).sum()
        check_grads(inner, [x], rtol=1e-5, atol=1e-6)
    # a small conv net: conv -> relu -> pool -> conv, gradients w.r.t. all parameters
    w1, b1 = RNG.standard_normal((3, 2, 3, 3)), RNG.standard_normal(3)
    w2 = RNG.standard_normal((2, 3, 2, 2))

    def net(x, w1, b1, w2):
        h = F.max_pool2d(np.maximum(F.conv2d(x, w1, b1, padding=1), 0.0), 2)
        return F.avg_pool2d(F.conv2d(h, w2, padding=1), 2, 1) * 1.5
    check_grads(net, [x, w1, b1, w2], rtol=1e-5, atol=1e-6)


def test_pool_dtypes_shapes_and_views():
    x = RNG.standard_normal((3, 4, 9, 8))
    v = x[:, ::2, ::-1, 1:]
    got = F.max_pool2d(np.array(x)[:, ::2, ::-1, 1:], (3, 2), padding=(1, 1))
    assert_close(got, ref_max_pool(v, (3, 2), None, (1, 1)), "float64")
    got = F.avg_pool2d(np.array(x)[:, ::2, ::-1, 1:], 2, 1)
    assert_close(got, ref_avg_pool(v, 2, 1), "float64")
    y = F.max_pool2d(np.array(x[0]), 2)  # unbatched
    assert_close(y, ref_max_pool(x[:1], 2)[0], "float64")
    assert F.avg_pool2d(np.zeros((0, 3, 4, 4)), 2).shape == (0, 3, 2, 2)
    g = grad(lambda x: F.avg_pool2d(x, 2).sum())(np.zeros((0, 3, 4, 4)))
    assert g.shape == (0, 3, 4, 4)
    x16 = x.astype(numpy.float16)
    y16 = F.max_pool2d(np.array(x16), 2)
    assert numpy.asarray(y16).dtype == numpy.float16
    numpy.testing.assert_array_equal(numpy.asarray(y16), ref_max_pool(x16, 2).astype(numpy.float16))
    assert numpy.asarray(F.avg_pool2d(np.array(x16), 2)).dtype == numpy.float16


def test_pool_errors():
    x = np.zeros((2, 3, 5, 5))
    for pool in (F.max_pool2d, F.avg_pool2d):
        err(lambda: pool(x, 0), ValueError)
        err(lambda: pool(x, 2, 0), ValueError)
        err(lambda: pool(x, 2, (1, -2)), ValueError)
        err(lambda: pool(x, 2, 1, -1), ValueError)
        err(lambda: pool(x, 2, 1, 2), ValueError)               # padding > kernel / 2
        err(lambda: pool(x, 6), ValueError)                     # kernel > input
        err(lambda: pool(x, (2, 8), 1, 1), ValueError)          # kernel > padded input
        err(lambda: pool(np.zeros((2, 3, 0, 4)), 1), ValueError)
        err(lambda: pool(np.zeros((5, 5)), 2), ValueError)
        err(lambda: pool(np.zeros((1, 2, 5, 5, 1)), 2), ValueError)
        err(lambda: pool(np.zeros((2, 3, 5, 5), dtype=numpy.int64), 2), TypeError)
        err(lambda: pool(np.zeros((2, 3, 5, 5), dtype=bool), 2), TypeError)
        err(lambda: pool(x, 2.0), TypeError)
        err(lambda: pool(x, (2, 2, 2)), TypeError)


def test_native_backward_helpers():
    """The recorded backward ops are usable directly (and validate their arguments)."""
    from minpy import _core
    x, w = RNG.standard_normal((2, 2, 5, 5)), RNG.standard_normal((3, 2, 3, 3))
    gy = RNG.standard_normal((2, 3, 5, 5))
    conv = (1, 1, 1, 1, 1, 1, 1)
    gx = _core._nn_conv2d_grad_input(np.array(gy), np.array(w), [2, 2, 5, 5], *conv)
    gw = _core._nn_conv2d_grad_weight(np.array(gy), np.array(x), [3, 2, 3, 3], *conv)
    want_x, want_w = grad(lambda x, w: F.conv2d(x, w, padding=1) * np.array(gy), [0, 1])(np.array(x), np.array(w))
    numpy.testing.assert_allclose(numpy.asarray(gx), numpy.asarray(want_x), rtol=1e-12, atol=1e-12)
    numpy.testing.assert_allclose(numpy.asarray(gw), numpy.asarray(want_w), rtol=1e-12, atol=1e-12)
    err(lambda: _core._nn_conv2d_grad_input(np.array(gy), np.array(w), [2, 2, 6, 5], *conv), ValueError)
    err(lambda: _core._nn_conv2d_grad_input(np.array(gy), np.array(w), [2, 2, 5], *conv), ValueError)
    y, idx = _core._nn_max_pool2d_with_indices(np.array(x), 2, 2, 2, 2, 0, 0)
    assert idx.dtype == numpy.int64 and idx.shape == (2, 2, 2, 2)
    gyp = np.ones((2, 2, 2, 2))
    dx = _core._nn_max_pool2d_backward(gyp, idx, [2, 2, 5, 5], 2, 2, 2, 2, 0, 0)
    assert numpy.asarray(dx).sum() == 16
    bad = np.array(numpy.asarray(idx))
    bad[0, 0, 0, 0] = 25
    err(lambda: _core._nn_max_pool2d_backward(gyp, bad, [2, 2, 5, 5], 2, 2, 2, 2, 0, 0), IndexError)
    err(lambda: _core._nn_max_pool2d_backward(gyp, idx.astype(numpy.int32), [2, 2, 5, 5], 2, 2, 2, 2, 0, 0),
        ValueError)
    da = _core._nn_avg_pool2d_backward(gyp, [2, 2, 5, 5], 2, 2, 2, 2, 0, 0)
    assert numpy.asarray(da).sum() == 16
    # with the options: ceil_mode's third windows hold one row/column of the 5x5 input
    da = _core._nn_avg_pool2d_backward(np.ones((2, 2, 3, 3)), [2, 2, 5, 5], 2, 2, 2, 2, 0, 0, ceil_mode=True)
    assert numpy.asarray(da).sum() == 2 * 2 * 9
    y, idx = _core._nn_max_pool2d_with_indices(np.array(x), 2, 2, 2, 2, 0, 0, dh=2, dw=1, ceil_mode=True)
    assert idx.shape == (2, 2, 2, 3)
