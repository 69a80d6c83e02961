"""minpy.nn: the CS231n toolkit on minpy's engine.

`minpy.nn.functional` holds the native (C++) neural-network ops with their gradients; `layers`,
`init`, `optim`, `model`, `solver` and `io` are MinPy's Python toolkit built on them (see
docs/nn.md).
"""
from minpy.nn import functional  # noqa: F401
from minpy.nn import init, io, layers, model, optim, solver  # noqa: F401
