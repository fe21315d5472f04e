"""The situation detector: hub events and the fused context become situations (:class:`Occurrence`).

Events map directly (arrived, left, first_arrived, everyone_left, a doorbell press, an alarm going off, a device
value crossing a preference's threshold). The fused context is watched on every tick for what changes without an
event of its own: an away person's ETA crossing a preference's threshold (car or phone), a car reaching the
driveway, sunset and sunrise at the home, the outside temperature crossing a value. Each crossing fires once; the
first look only records the state (a hub that starts at night fires no sunset).

No I/O: feed it events and contexts, it returns occurrences."""

from __future__ import annotations

from collections.abc import Iterable

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON, Event, HubEvent, StateChanged
from fusehub.preferences.schema import Preference, Situation
from fusehub.reasoner.prefs.conditions import Occurrence, SituationContext

__all__ = ["DOORBELL_EVENTS", "Detector", "crossed"]

DOORBELL_EVENTS = frozenset({"press", "ring", "doorbell", "single"})
"""Device events that are a doorbell press (on a device of kind doorbell, or the device a preference names)."""
_ALARM_EVENTS = frozenset({"alarm", "wake_up"})
_PRESENCE = frozenset({"arrived", "left", "first_arrived", "everyone_left"})


def _number(v: JSON) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def crossed(spec: Situation, old: JSON, new: JSON) -> bool:
    """Whether a value moved across the situation's threshold: up past `above`, down past `below`, or became
    `equals`. An unknown old value counts as not past it (the first report of a hot sensor fires)."""
    if spec.above is not None or spec.below is not None:
        n, o = _number(new), _number(old)
        if n is None:
            return False
        if spec.above is not None:
            return n > spec.above and not (o is not None and o > spec.above)
        return n < spec.below and not (o is not None and o < spec.below)  # type: ignore[operator]
    return bool(new == spec.equals and old != spec.equals)


class Detector:
    """Turns events and successive contexts into situations for a fixed list of preferences."""

    def __init__(self, preferences: Iterable[Preference]) -> None:
        self.set_preferences(preferences)
        self._eta_inside: set[tuple[str, float]] = set()
        self._car_home: dict[str, bool] = {}
        self._daylight: bool | None = None
        self._outside: float | None = None
        self._looked = False

    def set_preferences(self, preferences: Iterable[Preference]) -> None:
        self._prefs = [p for p in preferences if p.autonomy != "off"]
        specs: list[Situation] = []
        for p in self._prefs:
            if (s := p.when.model_copy(update={"person": []})) not in specs:
                specs.append(s)
        self._kinds = {s.situation for s in specs}
        self._sensor = [s for s in specs if s.situation == "sensor"]
        self._outside_specs = [s for s in specs if s.situation == "outside_temperature"]
        self._eta_thresholds = sorted({s.within_min for s in specs if s.within_min is not None})
        self._doorbells = {s.device for s in specs if s.situation == "doorbell" and s.device}

    def timed(self) -> list[Situation]:
        """The schedule and departure situations (the runtime schedules them)."""
        seen: list[Situation] = []
        for p in self._prefs:
            if p.when.situation in ("schedule", "departure") and p.when not in seen:
                seen.append(p.when)
        return seen

    def on_event(self, ev: Event, graph: ContextGraph) -> list[Occurrence]:
        """The situations an event is."""
        if isinstance(ev, HubEvent):
            return self._hub_event(ev, graph)
        if isinstance(ev, StateChanged) and graph.has_device(ev.entity):
            out = [Occurrence("sensor", device=ev.entity, spec=s, data={s.attribute: ev.new})
                   for s in self._sensor if s.device == ev.entity and s.attribute == ev.attribute
                   and crossed(s, ev.old, ev.new)]
            if ev.attribute == "alarm" and ev.new not in (None, False, "off", "") and ev.old != ev.new:
                out.append(Occurrence("wake_up", person=graph.owner_of(ev.entity), device=ev.entity))
            return out
        return []

    def _hub_event(self, ev: HubEvent, graph: ContextGraph) -> list[Occurrence]:
        if ev.name in _PRESENCE:
            if ev.entity.startswith("person:"):
                return [Occurrence(ev.name, person=ev.entity.split(":", 1)[1])]
            actor = ev.context.actor
            return [Occurrence(ev.name, person=actor.id if actor.kind == "person" else None)]
        if not graph.has_device(ev.entity):
            return []
        if ev.name in DOORBELL_EVENTS and (graph.device(ev.entity).kind == "doorbell"
                                           or ev.entity in self._doorbells):
            return [Occurrence("doorbell", device=ev.entity)]
        if ev.name in _ALARM_EVENTS:
            return [Occurrence("wake_up", person=graph.owner_of(ev.entity), device=ev.entity)]
        return []

    def on_tick(self, ctx: SituationContext, graph: ContextGraph,
                car_at_home: dict[str, bool] | None = None) -> list[Occurrence]:
        """What the fused context crossed since the last look. `car_at_home`: person -> their car is at the
        driveway."""
        first, self._looked = not self._looked, True
        out: list[Occurrence] = []
        if "arriving" in self._kinds:
            for pid, w in sorted(ctx.people.items()):
                for n in self._eta_thresholds:
                    key = (pid, n)
                    inside = w.state != "home" and w.eta_min is not None and 0 < w.eta_min <= n
                    if inside and key not in self._eta_inside:
                        spec = Situation(situation="arriving", within_min=n)
                        out.append(Occurrence("arriving", person=pid, spec=spec,
                                              data={"eta_min": round(w.eta_min, 1),  # type: ignore[arg-type]
                                                    "distance_m": w.distance_m, "travel_mode": w.travel_mode}))
                        self._eta_inside.add(key)
                    elif not inside:
                        self._eta_inside.discard(key)
        for pid, home in sorted((car_at_home or {}).items()):
            was = self._car_home.get(pid)
            self._car_home[pid] = home
            if home and was is False and "car_home" in self._kinds:
                out.append(Occurrence("car_home", person=pid))
        if ctx.daylight is not None:
            was_day, self._daylight = self._daylight, ctx.daylight
            if was_day is not None and was_day != ctx.daylight and not first:
                out.append(Occurrence("sunrise" if ctx.daylight else "sunset"))
        if ctx.outside_c is not None:
            old, self._outside = self._outside, ctx.outside_c
            if old is not None:
                out += [Occurrence("outside_temperature", spec=s, data={"outside_c": ctx.outside_c})
                        for s in self._outside_specs if crossed(s, old, ctx.outside_c)]
        return [o for o in out if o.kind in self._kinds]
