"""conv2d and pooling (native)."""
__all__ = []
