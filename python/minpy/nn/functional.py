"""Native neural-network ops (C++ kernels with VJPs), differentiable with `minpy.core.grad`.

Arrays are NCHW for images. Each family lives in its own module; this one re-exports them.
"""
from minpy.nn._conv import *  # noqa: F401,F403  conv2d, max_pool2d, avg_pool2d
from minpy.nn._norm import *  # noqa: F401,F403  batch_norm, layer_norm, dropout, softmax, losses, embedding
