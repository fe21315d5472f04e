"""Person location from phone reports, region events and voice: the spine's simple estimator.

This is "latest report wins" with geofence geometry; `hub/context/fusion.py` replaces it with a
probabilistic belief (and this stays as a baseline for the fusion benchmark).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hub.context.graph import ContextGraph
from hub.events import JSON

__all__ = ["LocationEstimate", "estimate_from_observation", "haversine_m"]


@dataclass(frozen=True, slots=True)
class LocationEstimate:
    location: str  # "home", "away" or a place id
    room: str | None
    confidence: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, a)))


def estimate_from_observation(
    graph: ContextGraph, attributes: dict[str, JSON], event: str | None, data: dict[str, JSON]
) -> LocationEstimate | None:
    """Where a phone's report puts its owner, or None if the report says nothing about location."""
    home = graph.home_location()
    if event in ("region_enter", "region_leave"):
        region = str(data.get("region", "")).strip().lower()
        if region in ("home", graph.home_name.lower()):
            return LocationEstimate("home" if event == "region_enter" else "away", None, 0.9)
        for pl in graph.places():
            if region in (pl["id"], pl["name"].lower()):
                return LocationEstimate(pl["id"] if event == "region_enter" else "away", None, 0.8)
        return None
    lat, lon = attributes.get("latitude"), attributes.get("longitude")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    acc = attributes.get("accuracy")
    acc_m = float(acc) if isinstance(acc, int | float) and acc >= 0 else 50.0
    if home is not None:
        hlat, hlon, radius = home
        d = haversine_m(lat, lon, hlat, hlon)
        if d <= radius + min(acc_m, radius):
            return LocationEstimate("home", None, max(0.5, 1.0 - acc_m / (2 * radius + acc_m)))
    for pl in graph.places():
        if haversine_m(lat, lon, pl["latitude"], pl["longitude"]) <= pl["radius_m"] + min(acc_m, pl["radius_m"]):
            return LocationEstimate(pl["id"], None, 0.8)
    return LocationEstimate("away", None, 0.8 if acc_m < 500 else 0.6)
