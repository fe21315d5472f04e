"""The reasoning pipeline for an utterance: references, declared attributes, local intents, small talk, then
the planner.

One function, used by the hub (:meth:`hub.app.Hub.plan_for`) and by the evaluation
(``bench/eval_planner.py``), so what is measured is what runs:

0. :func:`~fusehub.reasoner.references.resolve_references`: "where Ben is", "in here" become the room they
   name; a reference to someone whose room is not known is refused, never guessed.
1. :func:`~hub.reasoner.attributes.match_attribute`: a declared attribute of a named device.
   :func:`~fusehub.reasoner.asking.ask`: a question about what the graph knows (where people are and when they
   will be home, the outside temperature, batteries, the car's charge, declared attributes in any word order).
   `fusehub.reasoner.tell.message`: "tell Ben ...": announced where Ben is, else to Ben's phone.
2. The local intent matcher: a Home Assistant sentence template, mapped to skill calls. Its
   ``cannot`` answers come in two strengths. A *final* one (confidence 1.0: "there is no fan in the
   kitchen", "I have no weather service") is the answer: the home was read and the request does
   not fit it, so a model must not be asked to guess a call anyway. A *tentative* one (lower
   confidence: a name no list holds, "turn on the sauna light") may be a phrasing the templates
   read wrongly, so the planner is asked, and its calls win when it has some.
   When the matcher has no calls and no final answer: :func:`~fusehub.reasoner.states.state_question` (the state
   of a device, a room's lights, a sensor kind, the timers) and :func:`~fusehub.reasoner.directs.direct_request`
   (a scene by name, a white temperature, cancelling a timer by name), then
   :func:`~fusehub.reasoner.amounts.amount_change`: a relative
   change or a named level ("10 percent brighter", "down half a degree", "fan speed up one", "to max").
3. :func:`~fusehub.reasoner.comfort.comfort`: "I'm freezing", "it's too dark in here", "the kitchen is too warm"
   act on the room named or the speaker's (also when the matcher has only a tentative answer: "the lights are
   glaring" names no device). A statement or small talk beside a clause that acts is dropped (its reason, its
   manners), and a whole utterance of small talk is answered before it is split into clauses.
   :func:`~fusehub.reasoner.smalltalk.small_talk`: not a request (empty, greetings, thanks, chit-chat): a
   short reply, no action.
4. The planner, for everything else.

``mode`` (the config's ``reasoner.mode``) can force either path for evaluation: ``intents`` never
calls the planner, ``planner`` never calls the matcher.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Plan, SkillCall
from fusehub.reasoner.amounts import amount_change, room_setpoint
from fusehub.reasoner.asking import ask
from fusehub.reasoner.attributes import match_attribute
from fusehub.reasoner.cars import car_request
from fusehub.reasoner.clauses import MAX_CLAUSE_CHARS, aside, split_clauses
from fusehub.reasoner.comfort import REMARK_REPLY, asks, comfort, remark, rhetorical
from fusehub.reasoner.directs import direct_request
from fusehub.reasoner.guard import guarded, union
from fusehub.reasoner.options import keep_options
from fusehub.reasoner.planner import Planner, PlanRequest
from fusehub.reasoner.references import resolve_references
from fusehub.reasoner.smalltalk import small_talk
from fusehub.reasoner.states import state_question
from fusehub.reasoner.tell import message
from fusehub.reasoner.unite import canonical_calls, unite
from fusehub.sdk import SkillRegistry

__all__ = ["FINAL_CONFIDENCE", "MatcherLike", "Mode", "Routed", "route"]

Mode = Literal["auto", "intents", "planner"]

FINAL_CONFIDENCE = 1.0
"""A matcher `cannot` at this confidence is final: the planner is not asked."""


class MatcherLike(Protocol):
    """What the pipeline needs of a local matcher (hub.reasoner.intents.IntentMatcher)."""

    def match(self, text: str, graph: ContextGraph, room: str | None = None) -> Any:
        """None, or an object with a `plan` (:class:`Plan`) attribute."""
        ...


@dataclass(frozen=True)
class Routed:
    """The plan for an utterance and the stage that made it."""

    plan: Plan
    """Skill calls, or `cannot` with none."""
    stage: Literal["reference", "attribute", "question", "message", "intent", "amount", "comfort", "small talk",
                   "planner", "clauses"]
    """Which stage's plan this is ("clauses": the union of several clauses' plans, see `parts`)."""
    match: Any = None
    """The matcher's result when it matched (kept even when the planner's plan won), else None."""
    parts: tuple[Routed, ...] = ()
    """Per clause, in order, when the request had more than one (see :mod:`fusehub.reasoner.clauses`)."""
    clauses: tuple[str, ...] = ()
    """The clauses the request was read as (one: the normalised request)."""


_STATEMENTS = ("comfort", "small talk")
"""Stages whose clauses state something rather than ask for it: beside a clause that acts, they are dropped."""


def _unmatched() -> Plan:
    return Plan(source="intent", confidence=0.0, cannot="I did not understand that")


async def route(
    text: str,
    graph: ContextGraph,
    skills: SkillRegistry,
    matcher: MatcherLike | None,
    planner: Planner,
    *,
    mode: Mode = "auto",
    room: str | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Routed:
    """The plan for `text` heard in `room`; executes nothing. Planner exceptions propagate.

    The request is normalised and split into clauses (:func:`~fusehub.reasoner.clauses.split_clauses`); each
    clause goes through the stages on its own and is checked by :func:`~fusehub.reasoner.guard.guarded` (no
    substitute device, no absolute value out of range) and by :func:`~fusehub.reasoner.options.keep_options` (a
    call asking a device for a value it does not offer is refused, whichever stage made it); the plan is the union
    in order, with one `cannot` per clause that cannot be done. A clause that only gives the reason
    (:func:`~fusehub.reasoner.clauses.aside`: "let me in, unlock the front door") is dropped when another acts, and
    so are a comfort statement beside a request and small talk beside anything that acts. The calls are put in
    their canonical form (:func:`~fusehub.reasoner.unite.canonical_calls`) whatever stage made them."""
    chat = small_talk(text, graph) if mode != "planner" else None
    if chat is not None:  # read whole: "hey there fusehub" loses its "hey" to the clauses' normalising
        return Routed(chat, "small talk", clauses=(text,))
    split = split_clauses(text, graph)
    if split.refused is not None:
        return Routed(Plan(source="intent", confidence=FINAL_CONFIDENCE, cannot=split.refused), "reference")
    parts: list[Routed] = []
    for clause in split.clauses:
        if len(clause) > MAX_CLAUSE_CHARS:
            why = f"the part '{clause[:40]}...' is too long for me (at most {MAX_CLAUSE_CHARS} characters)"
            parts.append(Routed(Plan(source="intent", confidence=FINAL_CONFIDENCE, cannot=why), "reference"))
            continue
        r = await _route_clause(clause, graph, skills, matcher, planner, mode=mode, room=room, actor=actor, now=now)
        parts.append(replace(r, plan=keep_options(guarded(clause, r, graph, skills, room), graph, room)))
    clauses = list(split.clauses)
    if len(parts) > 1 and any(p.plan.calls for p in parts):
        # "I'm cold, turn on the heater", "thanks, now lights off", "brr, it's freezing": a statement beside a
        # request is its reason, small talk beside anything that acts is manners: what acts is the plan
        request = any(p.plan.calls and p.stage not in _STATEMENTS for p in parts)
        kept = [i for i, p in enumerate(parts)
                if not (p.stage == "small talk" or (p.stage == "comfort" and request))]
        # one feeling said twice is one adjustment ("brr, it's freezing, my hands are numb": 1 degree, not 2)
        felt: list[SkillCall] = []
        for i in list(kept):
            if parts[i].stage == "comfort" and parts[i].plan.calls:
                if all(c in felt for c in parts[i].plan.calls):
                    kept.remove(i)
                felt += parts[i].plan.calls
        if any(parts[i].stage == "comfort" and parts[i].plan.calls for i in kept) and not request:
            # what a statement adds that is not understood is its colour ("it's freezing, can barely feel my
            # fingers", "too cold, even with the heating on"); a final refusal, or one to what asks ("turn on the
            # sauna heater"), is still said
            kept = [i for i in kept if parts[i].plan.calls or parts[i].plan.confidence >= FINAL_CONFIDENCE
                    or asks(clauses[i])]
        parts, clauses = [parts[i] for i in kept], [clauses[i] for i in kept]
    if len(parts) > 1 and any(p.plan.calls for p, c in zip(parts, clauses, strict=True) if not aside(c)):
        kept2 = [(p, c) for p, c in zip(parts, clauses, strict=True) if not aside(c)]  # "let me in, unlock ..."
        parts, clauses = [p for p, _ in kept2], [c for _, c in kept2]
    if len(parts) == 1:  # the calls in their canonical form (brightness alone, one vacuum run), whoever made them
        one, calls = parts[0].plan, canonical_calls(parts[0].plan.calls)
        return replace(parts[0], plan=one if calls == one.calls else one.model_copy(update={"calls": calls}),
                       clauses=tuple(clauses))
    plan = union([p.plan for p in parts], clauses)
    return Routed(plan, "clauses", parts[0].match, tuple(parts), tuple(clauses))


async def _route_clause(
    text: str,
    graph: ContextGraph,
    skills: SkillRegistry,
    matcher: MatcherLike | None,
    planner: Planner,
    *,
    mode: Mode = "auto",
    room: str | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Routed:
    """One clause through the stages."""
    if mode == "planner":
        req = PlanRequest(text=text, actor=actor or Actor.unknown(), room=room, now=now)
        return Routed(await planner.plan(req, graph, skills), "planner")
    resolved = resolve_references(text, graph, actor=actor.id if actor is not None and actor.kind == "person" else None,
                                  room=room)
    if resolved.cannot is not None:
        return Routed(Plan(source="intent", confidence=FINAL_CONFIDENCE, cannot=resolved.cannot), "reference")
    if len(resolved.texts) > 1:  # "the kids' rooms", "my parents": one request per room or person, one plan
        each = [await _stages(t, graph, skills, matcher, planner, mode=mode, room=room, actor=actor, now=now)
                for t in resolved.texts]
        return _union(each, rooms=bool(resolved.rooms))
    return await _stages(resolved.text, graph, skills, matcher, planner, mode=mode, room=room, actor=actor, now=now)


def _union(each: list[Routed], *, rooms: bool) -> Routed:
    """One plan from the plans for each room or person a reference named: every call once. A room without the
    device asked for is no failure when other rooms have one ("the lights in the empty rooms"); a person who
    cannot be reached is said."""
    acting = [r for r in each if r.plan.calls]
    if not acting:
        return each[0]
    cannot = None if rooms else next((r.plan.cannot for r in each if not r.plan.calls and r.plan.cannot), None)
    plan = unite([r.plan for r in acting], [cannot] if cannot else [], once=True, speech_sep=". ")
    return Routed(plan, acting[0].stage, acting[0].match)


async def _stages(
    text: str,
    graph: ContextGraph,
    skills: SkillRegistry,
    matcher: MatcherLike | None,
    planner: Planner,
    *,
    mode: Mode,
    room: str | None,
    actor: Actor | None,
    now: datetime | None,
) -> Routed:
    """The stages after references, for one request."""
    req = PlanRequest(text=text, actor=actor or Actor.unknown(), room=room, now=now)
    attr_plan = match_attribute(text, graph, room)
    if attr_plan is not None:
        return Routed(attr_plan, "attribute")
    felt = comfort(text, graph, room)  # pure: read once, answered at its place in the order below
    if felt is not None and rhetorical(text) is not None:  # "is it cold in here or is it just me": a statement
        return Routed(felt, "comfort")
    for stage, fn in (("question", ask), ("message", message)):
        staged = fn(text, graph, room, actor)
        if staged is not None:
            return Routed(staged, stage)  # type: ignore[arg-type]
    car = car_request(text, graph, actor)
    if car is not None:
        return Routed(car, "intent")
    setpoint = room_setpoint(text, graph, room)
    if setpoint is not None:
        return Routed(setpoint, "amount")
    if felt is not None:  # a whole statement ("it's a bit dim in here", "the lights are too harsh"), before the
        return Routed(felt, "comfort")  # matcher and amounts, which read "dim" as a verb and "lights" as a name
    m = matcher.match(text, graph, room) if matcher is not None else None
    if m is None or (not m.plan.calls and m.plan.confidence < FINAL_CONFIDENCE):
        for stage, local in (("question", state_question), ("intent", direct_request)):
            staged = local(text, graph, room, actor)
            if staged is not None:
                return Routed(staged, stage, m)  # type: ignore[arg-type]
        amount = amount_change(text, graph, room)
        if amount is not None:
            return Routed(amount, "amount", m)
        if remark(text, graph):  # "the soup is too hot", "it's cold outside": said, not asked
            return Routed(Plan(source="intent", confidence=FINAL_CONFIDENCE, speech=REMARK_REPLY), "small talk", m)
    if m is not None:
        plan: Plan = m.plan
        tentative = bool(plan.cannot) and not plan.calls and plan.confidence < FINAL_CONFIDENCE
        if mode == "intents" or not tentative or planner.name == "none":
            return Routed(plan, "intent", m)
        alt = await planner.plan(req, graph, skills)
        return Routed(alt, "planner", m) if alt.calls else Routed(plan, "intent", m)
    felt = comfort(text, graph, room)
    if felt is not None:
        return Routed(felt, "comfort")
    chat = small_talk(text, graph)
    if chat is not None:
        return Routed(chat, "small talk")
    if mode == "intents":
        return Routed(_unmatched(), "intent")
    return Routed(await planner.plan(req, graph, skills), "planner")
