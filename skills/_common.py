"""Small helpers the built-in skill modules share."""

from __future__ import annotations

__all__ = ["clamp"]


def clamp(v: float, lo: float, hi: float) -> float:
    """`v` limited to the range lo..hi."""
    return max(lo, min(hi, v))
