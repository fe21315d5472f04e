"""Geometry shared by the fusion model and its baselines (kept as an import path; the code lives in
:mod:`fusehub.geo`)."""

from __future__ import annotations

from fusehub.geo import haversine_m

__all__ = ["haversine_m"]
