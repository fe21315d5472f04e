"""Evaluation: on a situation, every matching household preference is checked against the fused context after
the event; the plan is the union of those that apply (convention 15), and nothing when none applies. There is no
built-in habit: a situation no preference is about does nothing.

Messages follow convention 10: `tell` announces in the room where each person is when they are home in a room
with a speaker, else it goes to their phone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON, SkillCall
from fusehub.preferences.schema import Autonomy, PrefAction, Preference
from fusehub.reasoner.prefs.conditions import Occurrence, SituationContext, check_conditions, matches

__all__ = ["Applied", "Evaluation", "actions_to_calls", "evaluate", "why_line"]


@dataclass(frozen=True)
class Applied:
    """A preference that applies, with the values its conditions saw and the calls it asks for."""

    preference: Preference
    autonomy: Autonomy
    values: dict[str, JSON]
    calls: list[SkillCall]


@dataclass
class Evaluation:
    applied: list[Applied] = field(default_factory=list)
    """The preferences that apply (autonomy act or suggest), in home-file order."""
    held_back: list[tuple[str, dict[str, JSON]]] = field(default_factory=list)
    """Matching preferences whose conditions did not hold (id, the values seen), or that are off."""

    def calls(self, autonomy: Autonomy) -> list[SkillCall]:
        """The union of the calls of the preferences that apply with this autonomy, each call once."""
        out: list[SkillCall] = []
        for a in self.applied:
            if a.autonomy == autonomy:
                out += [c for c in a.calls if c not in out]
        return out


_FIELD = re.compile(r"\{(person|eta|outside|device)\}")


def _fill(text: str, occ: Occurrence, ctx: SituationContext, graph: ContextGraph) -> str:
    """Fill the known placeholders; anything else in braces stays as written (text is data)."""
    w = ctx.people.get(occ.person) if occ.person else None
    values = {
        "person": graph.person(occ.person).name if occ.person and graph.has_person(occ.person) else "someone",
        "eta": f"{round(w.eta_min)}" if w is not None and w.eta_min is not None else "?",
        "outside": f"{round(ctx.outside_c)}" if ctx.outside_c is not None else "?",
        "device": graph.device(occ.device).name if occ.device and graph.has_device(occ.device) else "the device",
    }
    return _FIELD.sub(lambda m: values[m.group(1)], text)


def _recipients(to: str, occ: Occurrence, ctx: SituationContext, graph: ContextGraph) -> list[str]:
    if to == "person":
        return [occ.person] if occ.person and graph.has_person(occ.person) else []
    if to == "owners":
        return [p.id for p in graph.people() if p.role == "owner"]
    if to == "home":
        return [p.id for p in graph.people() if p.id in ctx.home()]
    if to == "everyone":
        return [p.id for p in graph.people()]
    return [to] if graph.has_person(to) else []


def _phone(graph: ContextGraph, person: str) -> str | None:
    phone = graph.person(person).phone
    ok = phone is not None and graph.has_device(phone) and "notify" in graph.device(phone).capabilities
    return phone if ok else None


def _speaks(graph: ContextGraph, room: str | None) -> bool:
    return room is not None and any(d.room == room for d in graph.devices(capability="tts"))


def actions_to_calls(actions: list[PrefAction], occ: Occurrence, ctx: SituationContext,
                     graph: ContextGraph) -> list[SkillCall]:
    """A preference's actions as skill calls, for this situation and context."""
    calls: list[SkillCall] = []

    def add(call: SkillCall) -> None:
        if call not in calls:
            calls.append(call)

    for a in actions:
        if a.skill is not None:
            args = {k: _fill(v, occ, ctx, graph) if isinstance(v, str) else v for k, v in a.args.items()}
            add(SkillCall(skill=a.skill, args=args))
        elif a.announce is not None:
            msg = _fill(a.announce, occ, ctx, graph)
            add(SkillCall(skill="speaker_announce",
                          args={"message": msg, "room": a.room} if a.room else {"message": msg, "everywhere": True}))
        elif a.notify is not None:
            msg = _fill(a.notify, occ, ctx, graph)
            for p in _recipients(a.to, occ, ctx, graph):
                if _phone(graph, p) is not None:
                    add(SkillCall(skill="phone_notify", args={"person": p, "message": msg}))
        elif a.tell is not None:
            msg = _fill(a.tell, occ, ctx, graph)
            for p in _recipients(a.to, occ, ctx, graph):
                w = ctx.people.get(p)
                if w is not None and w.state == "home" and _speaks(graph, w.room):
                    add(SkillCall(skill="speaker_announce", args={"message": msg, "room": w.room}))
                elif _phone(graph, p) is not None:
                    add(SkillCall(skill="phone_notify", args={"person": p, "message": msg}))
    return calls


def evaluate(preferences: list[Preference], occ: Occurrence, ctx: SituationContext, graph: ContextGraph,
             default_autonomy: Autonomy = "suggest") -> Evaluation:
    """Every preference about this situation, checked against the context after the event."""
    out = Evaluation()
    for pref in preferences:
        if not matches(pref.when, occ, ctx.now):
            continue
        autonomy = pref.autonomy or default_autonomy
        ok, values = check_conditions(pref.if_, occ, ctx, graph)
        if occ.person:
            values = {"person": occ.person, **values}
        for k, v in occ.data.items():
            values.setdefault(k, v)
        if not ok or autonomy == "off":
            out.held_back.append((pref.id, {**values, "autonomy": autonomy} if ok else values))
            continue
        calls = actions_to_calls(pref.then, occ, ctx, graph)
        if calls:
            out.applied.append(Applied(pref, autonomy, values, calls))
    return out


def _show(v: JSON) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return "unknown" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def why_line(a: Applied) -> str:
    """One line for the journal: which preference, on which situation, with the values its conditions saw."""
    values = ", ".join(f"{k}={_show(v)}" for k, v in a.values.items())
    return f"preference {a.preference.id} ({a.preference.when.situation}, {a.autonomy})" + (
        f": {values}" if values else "")
