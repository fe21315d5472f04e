"""Sensor fusion: one belief per person (where: home room, a known place, near home, away) and per room.

The model is, per person, a discrete Bayesian filter (a continuous-time hidden Markov model) over the
states: each room of the home, each declared place, ``approaching`` and ``leaving`` (near home, heading in
or having just left) and ``away``. Between observations the belief moves with a transition model built from
the home's layout; each observation multiplies it by an explicit likelihood (the sensor model) and
renormalises; triggers (arrived, left, room_changed) are on the belief, with hysteresis. Its parts:

- `fusion_model`: the configuration, the input (`FusedInput`) and the outputs (`BeliefEvent`,
  `PersonBelief`, `Evidence`);
- `fusion_inputs`: which inputs a hub `Observation` or a device's availability is (`inputs_from_observation`,
  `inputs_from_availability`);
- `fusion_space`: the states and the transition model, with room stays learned from the household's;
- `fusion_sensors`: the likelihoods of attributed observations (phone GPS, region events, BLE, voice);
- `fusion_car`: a car's position as evidence about its owner, and its ETA to home (`car_eta`);
- `fusion_rooms`: unattributed room evidence (motion, occupancy, camera, doors) and BLE room nodes;
- `fusion_belief`: the per-person belief, its prediction and update, and the triggers;
- here, `Fusion`: the facade the hub, the simulator and the benchmark use.

Everything is pure Python and deterministic; `Fusion` holds all state (no globals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fusehub.context.fusion_belief import Beliefs, PersonState
from fusehub.context.fusion_car import CarTracker
from fusehub.context.fusion_inputs import inputs_from_availability, inputs_from_observation
from fusehub.context.fusion_model import (
    BeliefEvent,
    Evidence,
    FusedInput,
    FusionConfig,
    InputKind,
    PersonBelief,
    to_ts,
)
from fusehub.context.fusion_rooms import RoomFusion
from fusehub.context.fusion_sensors import SensorModels
from fusehub.context.fusion_space import StateSpace
from fusehub.home import Home

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "BeliefEvent",
    "Evidence",
    "FusedInput",
    "Fusion",
    "FusionConfig",
    "InputKind",
    "PersonBelief",
    "inputs_from_availability",
    "inputs_from_observation",
]


class Fusion:
    """Beliefs about every person of a home, updated by `observe` and moved forward in time by `tick`."""

    def __init__(self, home: Home, config: FusionConfig | None = None) -> None:
        self.home = home
        self.cfg = cfg = config or FusionConfig()
        self.space = space = StateSpace(home, cfg)
        self.rooms = space.rooms
        self.sensors = sensors = SensorModels(home, cfg, space)
        self.cars = CarTracker(home, cfg, sensors)
        self.room_fusion = RoomFusion(cfg, space)
        self.beliefs = Beliefs(home, cfg, space, self.room_fusion)
        self.people: dict[str, PersonState] = self.beliefs.people
        self._voice: dict[str, str] = {}
        for p in home.people:
            self._voice[p.id] = p.id
            if p.voice_id:
                self._voice[p.voice_id] = p.id
        self._clock: float | None = None

    # ---------------------------------------------------------------- updates
    def observe(self, inp: FusedInput) -> list[BeliefEvent]:
        """Update beliefs with one observation; returns the trigger events it caused."""
        t = to_ts(inp.time)
        self._clock = t if self._clock is None else max(self._clock, t)
        k = inp.kind
        if k in ("motion", "occupancy", "camera", "door"):
            return self.room_fusion.unattributed(inp, t, self.beliefs)
        if k == "node":
            return self.room_fusion.node_status(inp, t, self.beliefs)
        if k == "car" and inp.latitude is not None and inp.longitude is not None:
            self.cars.update_eta(inp, to_ts(inp.observed_at) if inp.observed_at is not None else t)
        if k == "voice":
            pid = self._voice.get(inp.person or "")
        elif k == "car":
            pid = inp.person or self.cars.owner(inp.device)
        else:
            pid = inp.person
        ps = self.people.get(pid or "")
        if ps is None:
            return []
        self.beliefs.propagate(ps, t)
        if k == "car":
            lik = self.cars.likelihood(ps.p, inp, t)
        else:
            lik = self.sensors.likelihood(ps.p, inp, t)
            if lik is not None and k == "ble" and inp.room is not None:
                self.room_fusion.ble_heard(ps, inp.room, t, self.people)
        if lik is None:
            return []
        return self.beliefs.apply(ps, lik, t, inp)

    def tick(self, now: datetime) -> list[BeliefEvent]:
        """Move every belief forward to `now` (transitions, silence), returning triggers that fired."""
        t = to_ts(now)
        self._clock = t if self._clock is None else max(self._clock, t)
        self.room_fusion.expire_doors(t)
        out: list[BeliefEvent] = []
        for ps in self.people.values():
            self.beliefs.propagate(ps, t)
            out += self.beliefs.triggers(ps, t)
        return out

    # ---------------------------------------------------------------- reading
    def belief(self, person: str) -> PersonBelief:
        return self.beliefs.snapshot(self.people[person])

    def p_home(self, person: str) -> float:
        return sum(self.people[person].p[: self.space.nr])

    def location(self, person: str) -> tuple[str | None, str | None]:
        """(location, room) as the hysteresis exposes them: cheap, for the hub and the benchmark."""
        ps = self.people[person]
        return self.beliefs.location(ps), (ps.room_flag if ps.home_flag else None)

    def room_occupancy(self, room: str) -> float:
        """P(someone is in `room`): tracked people's beliefs and recent unattributed detections."""
        return self.room_fusion.occupancy(room, self.people)

    def room_stay(self, room: str) -> float:
        """The mean stay in `room` (seconds) the transition model uses now (learned when `dwell_learn`)."""
        return self.space.room_stay(room)

    def node_online(self, room: str) -> bool | None:
        """Whether the room's BLE node is taken as online (None: no node known there)."""
        return self.room_fusion.node_online(room)

    def car_eta(self, car: str) -> float | None:
        """The car's smoothed ETA to home in seconds (0.0: home), or None when not heading home or unknown.
        `eta_stale_s` after the last report it is forgotten: call with the hub's clock via `tick` moving."""
        return self.cars.eta(car, self._clock)

    def explain(self, person: str) -> list[str]:
        """Human lines: the current belief and the evidence behind it (for `fusehub context why`)."""
        b = self.belief(person)
        lines = []
        if b.location is None:
            lines.append(f"{person}: unknown (P(home) {b.p_home:.2f}), no decisive evidence yet")
        elif b.location == "home":
            where = f"home, in the {b.room} (P {b.p_room:.2f})" if b.room else "home"
            lines.append(f"{person}: {where}; P(home) {b.p_home:.3f}" +
                         (f", since {b.since:%Y-%m-%d %H:%M:%S}" if b.since else ""))
        else:
            lines.append(f"{person}: {b.location} (P {b.p_location:.3f}); P(home) {b.p_home:.3f}" +
                         (f", since {b.since:%Y-%m-%d %H:%M:%S}" if b.since else ""))
        top = sorted(b.room_probs.items(), key=lambda kv: -kv[1])[:3]
        lines.append("  rooms if home: " + ", ".join(f"{r} {v:.2f}" for r, v in top))
        lines.append("  elsewhere: " + ", ".join(f"{k} {v:.3f}" for k, v in b.place_probs.items()))
        if not b.evidence:
            lines.append("  no evidence yet")
        for e in reversed(b.evidence[-12:]):
            lines.append(
                f"  {e.time:%H:%M:%S} {e.kind:<6} {e.source}: {e.detail}; P(home) {e.p_home_before:.3f} -> "
                f"{e.p_home_after:.3f}" + (f", {e.room_after} {e.p_room_after:.2f}" if e.room_after else "")
            )
        return lines
