"""Shape functions that are views (reshape, transpose, ...)."""
from minpy import _core
from minpy.numpy._creation import asarray

__all__ = ["reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze",
           "broadcast_to", "diagonal", "real", "imag"]


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    return asarray(a).reshape(shape, order=order, copy=copy)


def ravel(a, order="C"):
    return asarray(a).ravel(order)


def transpose(a, axes=None):
    return asarray(a).transpose(axes)


def swapaxes(a, axis1, axis2):
    return asarray(a).swapaxes(axis1, axis2)


def moveaxis(a, source, destination):
    return _core.moveaxis(asarray(a), source, destination)


def expand_dims(a, axis):
    return _core.expand_dims(asarray(a), axis)


def squeeze(a, axis=None):
    return asarray(a).squeeze(axis)


def broadcast_to(array, shape, subok=False):
    return _core.broadcast_to(asarray(array), (shape,) if isinstance(shape, int) else shape)


def diagonal(a, offset=0, axis1=0, axis2=1):
    return asarray(a).diagonal(offset, axis1, axis2)


def real(val):
    return asarray(val).real


def imag(val):
    return asarray(val).imag
