"""Products: matmul (and @), dot, vdot, inner, outer, tensordot, einsum, trace.

The products run in C++ (BLAS for float and complex, the engine's loops for integers, bool and
float16). einsum runs natively when the contraction is one operand's diagonals/sums/transpose, or
two operands reducible to one batched matmul; anything else goes to NumPy.
"""
import numpy as _np

from minpy import _core
from minpy.numpy import _fallback

__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "trace"]

ndarray = _core.ndarray


def _native_out(out):
    """out= as a minpy array (or None); False when it is something only NumPy can write to."""
    if isinstance(out, tuple):
        if len(out) != 1:
            return False
        out = out[0]
    if out is None or isinstance(out, ndarray):
        return out
    return False


def matmul(x1, x2, /, out=None, *, casting="same_kind", order="K", dtype=None, subok=True,
           signature=None, axes=None, axis=None):
    o = _native_out(out)
    if (o is False or casting != "same_kind" or order != "K" or signature is not None
            or axes is not None or axis is not None):
        kw = dict(out=out, casting=casting, order=order, dtype=dtype, subok=subok)
        for name, v in (("signature", signature), ("axes", axes), ("axis", axis)):
            if v is not None:
                kw[name] = v
        return _fallback.call_numpy("matmul", _np.matmul, (x1, x2), kw)
    return _core.matmul(x1, x2, o, dtype)


def dot(a, b, out=None):
    o = _native_out(out)
    if o is False:
        return _fallback.call_numpy("dot", _np.dot, (a, b), {"out": out})
    return _core.dot(a, b, o)


def vdot(a, b, /):
    return _core.vdot(a, b)


def inner(a, b, /):
    return _core.inner(a, b)


def outer(a, b, out=None):
    o = _native_out(out)
    if o is False:
        return _fallback.call_numpy("outer", _np.outer, (a, b), {"out": out})
    return _core.outer(a, b, o)


def _axis_list(x):
    try:
        return [int(i) for i in x]
    except TypeError:
        return [int(x)]


def tensordot(a, b, axes=2):
    try:
        iter(axes)
    except TypeError:
        n = int(axes)
        axes_a, axes_b = list(range(-n, 0)), list(range(0, n))
    else:
        axes_a, axes_b = axes
        axes_a, axes_b = _axis_list(axes_a), _axis_list(axes_b)
    return _core.tensordot(a, b, axes_a, axes_b)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    o = _native_out(out)
    if o is False:
        return _fallback.call_numpy("trace", _np.trace, (a, offset, axis1, axis2, dtype, out), {})
    return _core.trace(a, offset, axis1, axis2, dtype, o)


# ---- einsum -------------------------------------------------------------------------------------

def _parse(subscripts, nops):
    """(input terms, output term) for a plain-letter einsum, or None when NumPy should handle it."""
    s = subscripts.replace(" ", "")
    if "." in s:
        return None
    if "->" in s:
        lhs, out = s.split("->", 1)
        if "->" in out:
            return None
    else:
        lhs, out = s, None
    terms = lhs.split(",")
    if len(terms) != nops or not all(c.isalpha() and c.isascii() for t in terms for c in t):
        return None
    letters = "".join(terms)
    if out is None:
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(set(out)) != len(out) or any(c not in letters for c in out) or not all(c.isalpha() for c in out):
        return None
    return terms, out


def _diagonals(x, term):
    """Takes the diagonal for every letter repeated within one operand ('ii->i')."""
    term = list(term)
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        i = term.index(c)
        j = term.index(c, i + 1)
        if x.shape[i] != x.shape[j]:
            return None, None
        x = x.diagonal(0, i, j)
        term = [t for k, t in enumerate(term) if k not in (i, j)] + [c]
    return x, term


def _sum_out(x, term, keep):
    """Sums the axes whose letters are not in `keep` (einsum keeps the dtype)."""
    axes = [i for i, c in enumerate(term) if c not in keep]
    if not axes:
        return x, term
    return _core.sum_axes(x, axes, None), [c for c in term if c in keep]


def _prod(shape):
    r = 1
    for s in shape:
        r *= s
    return r


def _einsum_native(terms, out, ops):
    if len(ops) == 1:
        x, t = _diagonals(ops[0], terms[0])
        if x is None:
            return None
        x, t = _sum_out(x, t, out)
        return x.transpose([t.index(c) for c in out])
    a, b = ops
    if a.ndim != len(terms[0]) or b.ndim != len(terms[1]):
        return None
    rt = _core.result_type(a, b)
    a, ta = _diagonals(a, terms[0])
    if a is None:
        return None
    b, tb = _diagonals(b, terms[1])
    if b is None:
        return None
    a, b = a.astype(rt, copy=False), b.astype(rt, copy=False)
    a, ta = _sum_out(a, ta, set(out) | set(tb))
    b, tb = _sum_out(b, tb, set(out) | set(ta))
    size = {}
    for x, t in ((a, ta), (b, tb)):
        for c, n in zip(t, x.shape):
            if size.setdefault(c, n) != n:
                return None  # broadcasting of length-1 labels: NumPy's rules
    batch = [c for c in ta if c in tb and c in out]
    contract = [c for c in ta if c in tb and c not in out]
    afree = [c for c in ta if c not in tb]
    bfree = [c for c in tb if c not in ta]
    bshape = tuple(size[c] for c in batch)
    n, k, m = (_prod(size[c] for c in g) for g in (afree, contract, bfree))
    at = a.transpose([ta.index(c) for c in batch + afree + contract]).reshape(bshape + (n, k))
    bt = b.transpose([tb.index(c) for c in batch + contract + bfree]).reshape(bshape + (k, m))
    r = _core.matmul(at, bt)
    r = r.reshape(bshape + tuple(size[c] for c in afree) + tuple(size[c] for c in bfree))
    rterm = batch + afree + bfree
    return r.transpose([rterm.index(c) for c in out])


def einsum(*operands, out=None, dtype=None, order="K", casting="safe", optimize=False):
    if (operands and isinstance(operands[0], str) and len(operands) in (2, 3) and out is None
            and dtype is None and order == "K" and casting == "safe"):
        parsed = _parse(operands[0], len(operands) - 1)
        if parsed is not None:
            ops = [_core.asarray(x, None, False) for x in operands[1:]]
            if all(x.ndim == len(t) for x, t in zip(ops, parsed[0])):
                r = _einsum_native(parsed[0], parsed[1], ops)
                if r is not None:
                    return r
    kw = dict(out=out, dtype=dtype, order=order, casting=casting, optimize=optimize)
    return _fallback.call_numpy("einsum", _np.einsum, operands, kw)


# ---- np.linalg.norm: the Frobenius / 2-norm of the whole array natively, the rest in NumPy ----

def norm(x, ord=None, axis=None, keepdims=False):
    x = _core.asarray(x, None, False)
    if axis is not None or (ord is not None and not (ord == "fro" and x.ndim == 2) and not (ord == 2 and x.ndim == 1)):
        return _fallback.call_numpy("linalg.norm", _np.linalg.norm, (x,),
                                    dict(ord=ord, axis=axis, keepdims=keepdims))
    if x.dtype.kind not in "fc":
        x = x.astype(_np.float64)
    v = x.ravel()
    if v.dtype.kind == "c":
        re, im = v.real, v.imag
        sq = _core.ufuncs["add"](_core.dot(re, re), _core.dot(im, im))
    else:
        sq = _core.dot(v, v)
    r = _core.ufuncs["sqrt"](sq)
    if keepdims:
        r = r.reshape((1,) * x.ndim)
    return r
