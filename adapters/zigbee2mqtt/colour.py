"""Colour conversion between the hub's sRGB and the xy / hue-saturation colours Zigbee lights report
(sRGB D65; the same formulas Z2M and Hue use)."""

from __future__ import annotations

import colorsys
from collections.abc import Mapping
from typing import Any

from fusehub.adapters._util import is_finite_number

__all__ = ["color_to_rgb", "rgb_to_xy", "xy_to_rgb"]

def _lin(v: float) -> float:
    return ((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92


def _gam(v: float) -> float:
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def rgb_to_xy(r: int, g: int, b: int) -> tuple[float, float]:
    """CIE 1931 xy of an sRGB colour (black gives the D65 white point)."""
    rl, gl, bl = (_lin(c / 255) for c in (r, g, b))
    x = rl * 0.4124 + gl * 0.3576 + bl * 0.1805
    y = rl * 0.2126 + gl * 0.7152 + bl * 0.0722
    z = rl * 0.0193 + gl * 0.1192 + bl * 0.9505
    s = x + y + z
    if s <= 0:
        return 0.3127, 0.329
    return round(x / s, 4), round(y / s, 4)


def xy_to_rgb(x: float, y: float) -> list[int]:
    """sRGB (full brightness: the largest component is 255) of a CIE xy colour."""
    if not (0 <= x <= 1 and 0 < y <= 1):
        raise ValueError("xy outside 0..1")
    big_x, big_y, big_z = x / y, 1.0, (1 - x - y) / y
    lin = [
        3.2406 * big_x - 1.5372 * big_y - 0.4986 * big_z,
        -0.9689 * big_x + 1.8758 * big_y + 0.0415 * big_z,
        0.0557 * big_x - 0.2040 * big_y + 1.0570 * big_z,
    ]
    lin = [max(0.0, c) for c in lin]
    top = max(lin) or 1.0
    return [round(_gam(c / top) * 255) for c in lin]


def color_to_rgb(v: Any) -> list[int]:
    """A Z2M colour object (r/g/b, x/y or hue/saturation) as sRGB; ValueError when it is none of these."""
    if not isinstance(v, Mapping):
        raise ValueError("color must be an object")
    if all(is_finite_number(v.get(c)) for c in "rgb"):
        return [max(0, min(255, round(v[c]))) for c in "rgb"]
    if is_finite_number(v.get("x")) and is_finite_number(v.get("y")):
        return xy_to_rgb(float(v["x"]), float(v["y"]))
    h = v.get("hue", v.get("h"))
    s = v.get("saturation", v.get("s"))
    if is_finite_number(h) and is_finite_number(s):
        r, g, b = colorsys.hsv_to_rgb((float(h) % 360) / 360, max(0.0, min(100.0, float(s))) / 100, 1.0)
        return [round(r * 255), round(g * 255), round(b * 255)]
    raise ValueError("color has neither x/y, hue/saturation nor r/g/b")

