"""Normalisation, dropout, softmax, losses and embedding (native)."""
__all__ = []
