"""Small helpers the built-in skill modules share."""

from __future__ import annotations

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError

__all__ = ["check_option", "clamp", "option_range"]


def clamp(v: float, lo: float, hi: float) -> float:
    """`v` limited to the range lo..hi."""
    return max(lo, min(hi, v))


def _token(v: str) -> str:
    return " ".join(v.replace("_", " ").lower().split())


def check_option(d: DeviceView, key: str, value: str) -> None:
    """SkillError when `d` declares an option set `key` (`options:` in the home file) without `value`."""
    values = d.options.get(key, {}).get("values")
    if isinstance(values, list) and _token(value) not in {_token(str(v)) for v in values}:
        raise SkillError(f"{d.name} cannot be set to {value.replace('_', ' ')}; it offers "
                         + ", ".join(str(v).replace("_", " ") for v in values))


def option_range(d: DeviceView, key: str) -> tuple[float, float] | None:
    """The min..max `d` declares for option set `key`, or None."""
    o = d.options.get(key, {})
    lo, hi = o.get("min"), o.get("max")
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        return float(lo), float(hi)
    return None
