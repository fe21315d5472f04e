"""Geometry on the earth's surface, shared by the core (fusion, baselines) and the adapters (TeslaMate).

Pure functions, no I/O: the great-circle distance between two points and a deliberately simple, map-free
estimate of a moving car's time to home.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "APPROACH_DEG",
    "ARRIVED_M",
    "EARTH_RADIUS_M",
    "MOVING_KMH",
    "ROAD_FACTOR",
    "eta_to_home",
    "haversine_m",
]

EARTH_RADIUS_M: Final = 6_371_000.0
"""Mean earth radius used for great-circle distances."""
ROAD_FACTOR: Final = 1.3
"""Road distance / great-circle distance (a common detour index for mixed urban/rural roads)."""
APPROACH_DEG: Final = 60.0
"""A car whose heading is within this many degrees of the bearing to home is approaching."""
ARRIVED_M: Final = 150.0
"""Within this great-circle distance of home the car counts as home (ETA 0)."""
MOVING_KMH: Final = 5.0
"""Below this speed the car counts as parked or stopped (no ETA)."""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def eta_to_home(
    lat: float | None, lon: float | None, speed_kmh: float | None, heading_deg: float | None,
    home_lat: float, home_lon: float,
) -> float | None:
    """Seconds until the car is home, or None when that cannot be said (parked, heading away, no data).

    Model (deliberately simple, no map): the car is home (0.0) within ARRIVED_M of home. Otherwise it
    must be moving (speed >= MOVING_KMH) and approaching: its heading within APPROACH_DEG of the initial
    great-circle bearing to home. The remaining road distance is ROAD_FACTOR x the great-circle
    distance, driven at the current speed. Current speed is noisy (lights, jams), so callers should
    smooth or require the condition twice before acting ("10 minutes out").
    """
    vals = (lat, lon, speed_kmh, heading_deg, home_lat, home_lon)
    if lat is None or lon is None or not all(v is None or _finite(v) for v in vals):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and -90 <= home_lat <= 90 and -180 <= home_lon <= 180):
        return None
    dist = haversine_m(lat, lon, home_lat, home_lon)
    if dist <= ARRIVED_M:
        return 0.0
    if speed_kmh is None or heading_deg is None or speed_kmh < MOVING_KMH:
        return None
    diff = abs((heading_deg - _bearing_deg(lat, lon, home_lat, home_lon) + 180) % 360 - 180)
    if diff > APPROACH_DEG:
        return None
    return ROAD_FACTOR * dist / (speed_kmh / 3.6)
