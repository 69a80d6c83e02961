"""minpy: NumPy on a C++ engine, with transparent NumPy fallback and dynamic autograd.

    import minpy.numpy as np
"""
from minpy import _core

__version__ = "0.1.0"

from minpy.core import grad, grad_and_loss, value_and_grad  # noqa: E402


def show_config():
    """Prints the BLAS, SIMD level and thread count this build uses."""
    for key, value in _core.config().items():
        print(f"{key:>10}: {value}")


def set_num_threads(n):
    """Sets the number of threads the engine's kernels use (1 disables intra-op parallelism)."""
    _core.set_num_threads(int(n))


def num_threads():
    return _core.num_threads()
