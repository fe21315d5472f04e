"""Sensor models: the likelihood of one attributed observation (phone GPS, region event, BLE distance, voice)
under each state of a person's belief.

- phone GPS fix: a 2-D Gaussian around home / each place with the fix's accuracy, a uniform density for
  ``near`` and ``away``, mixed with an outlier density; a late fix (``observed_at`` long before arrival)
  is blended towards the predictive likelihood by the chance the person moved since;
- region enter/leave: a confusion table (events are late and flap at the boundary);
- BLE distance from a room node: a log-normal around the distance the layout predicts from the true room
  (hops through adjacent rooms, floors), mixed with a multipath outlier; a reading when the person is not
  home has a tiny probability (a misattributed tag);
- voice with a speaker hint: a strong, momentary room observation with a misidentification rate.

The car's likelihood (its owner, not who drives) is in `fusion_car`, built on `gps` here.
"""

from __future__ import annotations

import math

from fusehub.context.fusion_model import TAU, FusedInput, FusionConfig, to_ts
from fusehub.context.fusion_space import StateSpace
from fusehub.geo import haversine_m
from fusehub.home import Home

__all__ = ["SensorModels"]


class SensorModels:
    """The likelihoods of attributed observations; pure (no belief or node state is changed here)."""

    def __init__(self, home: Home, cfg: FusionConfig, space: StateSpace) -> None:
        self.home = home
        self.cfg = cfg
        self.space = space
        self.home_loc = home.location
        names = {"home"}
        if home.location is not None:
            names |= {home.location.id.lower(), home.location.name.lower()}
        names.add(home.name.lower())
        self._home_names = names
        self._place_names: dict[str, int] = {}
        for pl in home.places:
            for nm in (pl.id, pl.name):
                self._place_names[nm.lower()] = space.idx[pl.id]
        # BLE expected log-distance per (true room index, node room)
        self._ble_mu: dict[str, list[tuple[float, float, float]]] = {}  # node -> per room (mu, 1/sigma, norm)
        for node in space.rooms:
            row = []
            for rid in space.rooms:
                sig = cfg.ble_same_sigma if rid == node else cfg.ble_sigma
                row.append((math.log(self._expected_m(rid, node)), 1.0 / sig,
                            (1.0 - cfg.ble_outlier) / (sig * math.sqrt(TAU))))
            self._ble_mu[node] = row
        self._ble_out = cfg.ble_outlier / math.log(40.0 / 0.2)  # uniform in log distance over [0.2, 40] m

    def _expected_m(self, room: str, node: str) -> float:
        c, sp = self.cfg, self.space
        if room == node:
            return c.ble_same_room_m
        hops = sp.hops[node].get(room, 3)
        floors = abs(sp.level[room] - sp.level[node])
        d = c.ble_hop_m + c.ble_extra_hop_m * (max(hops, 1) - 1) + c.ble_floor_m * floors
        return min(d, c.ble_max_m * 1.3)

    def likelihood(self, p: list[float], inp: FusedInput, t: float) -> list[float] | None:
        """The likelihood of `inp` (kind gps, region, ble or voice) per state, given the belief `p` (for a
        late report); None when it says nothing (missing fields, an unknown region or node)."""
        c, k, sp = self.cfg, inp.kind, self.space
        lag = self.lag(inp, t)
        if k == "gps":
            if inp.latitude is None or inp.longitude is None:
                return None
            lik = self.gps(inp.latitude, inp.longitude, inp.accuracy if inp.accuracy is not None else 50.0)
            return self.stale(p, lik, lag, c.stale_mix_s)
        if k == "region":
            if inp.region is None or inp.entered is None:
                return None
            name = inp.region.strip().lower()
            if name in self._home_names:
                h, n_in, n_out, away, place = c.region_enter_home if inp.entered else c.region_leave_home
                lik = [h] * sp.nr + [place] * len(sp.places) + [n_in, n_out, away]
            elif name in self._place_names:
                pi = self._place_names[name]
                hit, miss = c.region_place_hit, 1.0 - c.region_place_hit
                lik = [miss if inp.entered else hit] * sp.n
                lik[pi] = hit if inp.entered else miss
                lik[sp.i_away] = (miss + hit) / 2
            else:
                return None
            return self.stale(p, lik, lag, c.stale_mix_s)
        if k == "ble":
            node = inp.room
            if node is None or node not in self._ble_mu or inp.distance is None or inp.distance <= 0:
                return None
            x = math.log(inp.distance)
            out = self._ble_out
            lik = [0.0] * sp.n
            for i, (mu, inv, norm) in enumerate(self._ble_mu[node]):
                z = (x - mu) * inv
                lik[i] = norm * math.exp(-0.5 * z * z) + out
            miss = c.ble_misattributed * out / c.ble_outlier if c.ble_outlier > 0 else c.ble_misattributed
            for i in range(sp.nr, sp.n):
                lik[i] = miss
            return lik
        if k == "voice":
            room = inp.room
            if room is None or not sp.is_room(room):
                return None
            ri = sp.idx[room]
            lik = [c.voice_misid] * sp.n
            for i in range(sp.nr):
                lik[i] = c.voice_other_room + c.voice_misid
            lik[ri] = 1.0
            return lik
        return None

    @staticmethod
    def lag(inp: FusedInput, t: float) -> float:
        """How late the report is: seconds between its observation and `t`."""
        return t - to_ts(inp.observed_at) if inp.observed_at is not None else 0.0

    def gps(self, lat: float, lon: float, acc: float) -> list[float]:
        """The likelihood of a position fix with stated accuracy `acc` (m) per state."""
        c, sp = self.cfg, self.space
        n, nr = sp.n, sp.nr
        acc = max(acc, c.gps_min_accuracy_m)
        a2 = acc * acc
        u_away = 1.0 / (math.pi * c.away_radius_m**2)
        lik = [0.0] * n
        if self.home_loc is not None:
            d = haversine_m(lat, lon, self.home_loc.latitude, self.home_loc.longitude)
            lh = self._gauss2(d, a2 + c.home_spread_m**2)
            for i in range(nr):
                lik[i] = lh
            # near home: uniform in distance along the way in or out (not in area), so density ~ 1/d
            rn = c.near_radius_m
            ln = 1.0 / (TAU * max(d, c.home_spread_m) * rn) if d <= rn + 2 * acc else 0.0
            lik[sp.i_in] = lik[sp.i_out] = ln
        else:
            for i in range(nr):
                lik[i] = u_away
            lik[sp.i_in] = lik[sp.i_out] = u_away
        for k, pl in enumerate(self.home.places):
            d = haversine_m(lat, lon, pl.latitude, pl.longitude)
            lik[nr + k] = self._gauss2(d, a2 + (pl.radius_m / 2) ** 2)
        lik[sp.i_away] = u_away
        out = c.gps_outlier * u_away
        return [(1.0 - c.gps_outlier) * x + out for x in lik]

    def _gauss2(self, d: float, s2: float) -> float:
        """2-D density at distance d of a fix with variance s2 per axis, with a wider, rarer component."""
        c = self.cfg
        w2 = (math.sqrt(s2) * c.gps_wide_factor + 50.0) ** 2
        return (1.0 - c.gps_wide) * math.exp(-d * d / (2 * s2)) / (TAU * s2) + c.gps_wide * math.exp(
            -d * d / (2 * w2)) / (TAU * w2)

    @staticmethod
    def stale(p: list[float], lik: list[float], lag: float, mix_s: float) -> list[float]:
        """Blend a likelihood towards the predictive one (under belief `p`) by the chance the person moved in
        `lag` seconds."""
        if lag <= 0:
            return lik
        m = 1.0 - math.exp(-lag / mix_s)
        mean = sum(a * b for a, b in zip(p, lik, strict=True))
        return [(1.0 - m) * x + m * mean for x in lik]

    def zone(self, lik: list[float]) -> int:
        """The most likely state group of a GPS likelihood: 0 home, 1 near, 2 away, 3+k place k."""
        sp = self.space
        best = max(range(sp.n), key=lambda i: lik[i])
        if best < sp.nr:
            return 0
        if best in (sp.i_in, sp.i_out):
            return 1
        if best == sp.i_away:
            return 2
        return 3 + best - sp.nr
