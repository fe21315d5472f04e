"""Cars: a car's position as evidence about its owner, and per car the latest ETA to home.

The car's report is a GPS likelihood blended half-way (``car_other_driver``) with the predictive one: the
car says where the car is, not who drives it. It is used on the car's zone changes only (home, near, away,
a place): a stream of driving reports is one piece of evidence, not hundreds. Per car the latest ETA to
home (`eta_to_home`, smoothed) is kept: `CarTracker.eta`.
"""

from __future__ import annotations

from fusehub.context.fusion_model import FusedInput, FusionConfig
from fusehub.context.fusion_sensors import SensorModels
from fusehub.geo import eta_to_home
from fusehub.home import Home

__all__ = ["CarTracker"]


class CarTracker:
    """Each car's owner, last zone and smoothed ETA to home."""

    def __init__(self, home: Home, cfg: FusionConfig, sensors: SensorModels) -> None:
        self.cfg = cfg
        self.sensors = sensors
        self.home_loc = home.location
        self._owner = {p.car: p.id for p in home.people if p.car}
        self._zone: dict[str, int] = {}
        # smoothed ETA to home (seconds) and when it was last updated
        self._eta: dict[str, tuple[float, float]] = {}

    def owner(self, car: str) -> str | None:
        return self._owner.get(car)

    def likelihood(self, p: list[float], inp: FusedInput, t: float) -> list[float] | None:
        """The likelihood of a car report about its owner (belief `p`); None while the car stays in its zone."""
        if inp.latitude is None or inp.longitude is None:
            return None
        s, c = self.sensors, self.cfg
        lag = s.lag(inp, t)
        lik = s.gps(inp.latitude, inp.longitude, inp.accuracy if inp.accuracy is not None else 15.0)
        zone = s.zone(lik)
        if self._zone.get(inp.device) == zone:
            return None  # the same place again: not new evidence
        self._zone[inp.device] = zone
        mean = sum(a * b for a, b in zip(p, lik, strict=True))
        w = c.car_other_driver
        lik = [(1.0 - w) * x + w * mean for x in lik]
        return s.stale(p, lik, lag, c.stale_mix_s)

    def eta(self, car: str, clock: float | None) -> float | None:
        """The car's smoothed ETA to home in seconds (0.0: home), or None when not heading home or unknown,
        or when the last report is older than `eta_stale_s` at `clock`."""
        e = self._eta.get(car)
        if e is None:
            return None
        if clock is not None and clock - e[1] > self.cfg.eta_stale_s:
            return None
        return e[0]

    def update_eta(self, inp: FusedInput, t: float) -> None:
        """A car position observed at `t`: its ETA to home, smoothed with the previous one."""
        if self.home_loc is None:
            return
        eta = eta_to_home(inp.latitude, inp.longitude, inp.speed, inp.heading, self.home_loc.latitude,
                          self.home_loc.longitude)
        if eta is None:
            self._eta.pop(inp.device, None)
            return
        old = self._eta.get(inp.device)
        if old is not None and eta > 0.0 and t - old[1] <= self.cfg.eta_stale_s:
            a = self.cfg.eta_smoothing
            # the old estimate has counted down meanwhile
            eta = a * eta + (1.0 - a) * max(old[0] - (t - old[1]), 0.0)
        self._eta[inp.device] = (eta, t)
