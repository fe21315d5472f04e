"""The one place that builds and wires components. No global singletons: everything is created here
and passed in.

Data path: MQTT message -> Router (adapters' pure parsers) -> graph update -> events on the bus ->
rules / local intents / planner -> Plan -> Policy -> skills -> Commands -> adapter encoders -> MQTT.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from fusehub.adapter import AdapterSpec
from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.config import HubConfig, SituationConfig
from fusehub.context.fusion import BeliefEvent, Fusion, inputs_from_availability, inputs_from_observation
from fusehub.context.graph import ContextGraph, Provenance, merge_saved
from fusehub.errors import AdapterError, ConfigError, SkillError, UnknownSkill
from fusehub.events import (
    Actor,
    Availability,
    Command,
    CommandResult,
    Context,
    Decision,
    Discovered,
    Event,
    HubEvent,
    Observation,
    Origin,
    Outbound,
    Plan,
    Rejected,
    Removed,
    SkillCall,
    StateChanged,
    Utterance,
    new_id,
)
from fusehub.home import Home, load_home
from fusehub.journal import Journal
from fusehub.policy import Policy
from fusehub.reasoner.pipeline import MatcherLike, route
from fusehub.reasoner.planner import NullPlanner, Planner, PlanRequest
from fusehub.reasoner.rules import Rule, RuleSet, load_rules
from fusehub.router import Router
from fusehub.scheduler import Scheduler
from fusehub.sdk import SkillContext, SkillRegistry
from fusehub.skills import load_skills
from fusehub.tasks import cancel_and_wait

__all__ = ["Hub", "Outcome", "Transport", "build_hub", "load_adapters", "load_skills"]

log = logging.getLogger("fusehub")


class Transport(Protocol):
    """What the hub needs from MQTT (hub.mqtt.MqttLink implements it)."""

    async def publish(
        self, msg: Outbound, *, expiry_s: float | None = None, timeout: float = 10.0, command_id: str | None = None
    ) -> bool: ...

    async def subscribe(self, pattern: str, qos: int = 1) -> None: ...


@dataclass
class Outcome:
    """What the hub did about one trigger (returned to `say`, printed by the CLI)."""

    decision_id: str
    plan: Plan
    verdicts: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    speech: str | None = None
    pending_confirmation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "source": self.plan.source,
            "calls": [c.model_dump() for c in self.plan.calls],
            "verdicts": self.verdicts,
            "commands": [
                {"id": c.id, "device": c.device, "capability": c.capability, "action": c.action, "params": c.params}
                for c in self.commands
            ],
            "speech": self.speech,
            "cannot": self.plan.cannot,
            "pending_confirmation": self.pending_confirmation,
        }


@dataclass
class _Pending:
    call: SkillCall
    context: Context
    created: Any


class Hub:
    """The running hub. Build it with :func:`build_hub`."""

    def __init__(
        self,
        config: HubConfig,
        *,
        clock: Clock,
        home: Home,
        adapters: dict[str, AdapterSpec],
        skills: SkillRegistry,
        journal: Journal,
        rules: list[Rule],
        planner: Planner | None = None,
        intents: MatcherLike | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.home = home
        self.adapters = adapters
        self.skills = skills
        self.journal = journal
        self.bus = Bus()
        self.policy = Policy(config.policy)
        self.scheduler = Scheduler(clock, home.timezone)
        self.rules = RuleSet(rules, home.timezone)
        self.planner: Planner = planner or NullPlanner()
        self.intents = intents
        self.router = Router(adapters)
        self.metrics: Counter[str] = Counter()
        self.transport: Transport | None = None
        self._pending: dict[str, _Pending] = {}
        self._seen_requests: dict[str, None] = {}
        # Requests wait for the barrier `attach` sends after subscribing: the retained discovery those subscriptions
        # bring arrives before it, while requests queued in the hub's session arrive first, right after CONNACK.
        self._barrier: str | None = None
        self._barrier_sent = 0.0
        self._deferred: deque[tuple[str, bytes]] = deque()
        self._timers: dict[str, dict[str, Any]] = {}
        self._rule_jobs: dict[str, list[str]] = {}
        self.fusion = Fusion(home)
        self.graph = ContextGraph()
        self.graph.load_home(home, key_for=lambda d: self._declared_key(d.ecosystem, d.id, d.ids))
        for decl in home.devices:
            spec = self.adapters.get(decl.ecosystem)
            if spec is not None and spec.declared_spec is not None:
                self.graph.upsert_device(spec.declared_spec(decl), node_id=decl.id, declared=True)
        saved = journal.get("graph")
        if isinstance(saved, dict):
            restored = merge_saved(self.graph, saved)
            log.info("restored %d devices from the journal", restored)
        for dev in self.graph.devices():
            spec = self.adapters.get(dev.key.split(":", 1)[0])
            if spec is not None and dev.address:
                self.router.watch_device(spec.name, dev.key, dev.address)
        self.bus.subscribe("journal", Event, self._journal_event)
        self.bus.subscribe("rules", Event, self._on_event_rules)
        self.bus.subscribe("utterances", Utterance, self._on_utterance)
        self.bus.subscribe("export", Event, self._on_event_export)
        self._export_dirty = False
        self._last_export: float | None = None
        self._export_timer: asyncio.Task[None] | None = None
        self._last_decision = ""
        self._reply_listeners: list[Callable[[Outcome], Awaitable[None] | None]] = []
        for r in self.rules.time_rules():
            if r.trigger.time is not None:
                self.scheduler.cron(f"rule-time:{r.id}", r.trigger.time, self._time_rule_job(r))
        self._restore_timers()
        self.scheduler.every("fusion-tick", 10, self.fusion_tick)
        self._eta_fired: set[str] = set()
        for sit in config.reasoner.situations:
            if sit.on == "time" and sit.at:
                self.scheduler.cron(f"situation:{sit.id}", sit.at, self._situation_job(sit))
        if config.reasoner.situations:
            self.bus.subscribe("situations", HubEvent, self._on_situation_event)
        self._outbox_runs = 0
        self.scheduler.every("outbox", 5, self._outbox_job)

    def _declared_key(self, ecosystem: str, device_id: str, ids: dict[str, str]) -> str:
        spec = self.adapters.get(ecosystem)
        return spec.key_for(device_id, ids) if spec else f"{ecosystem}:{ids.get('key', device_id)}"

    # ================================================================== MQTT side
    async def attach(self, transport: Transport) -> None:
        """Use `transport` for publishing and subscribe to every adapter route and known device topic."""
        self.transport = transport
        for pattern in self.router.patterns():
            await transport.subscribe(pattern)
        await transport.subscribe(f"fusehub/{self.config.hub_id}/request/+")
        for spec in self.adapters.values():
            for msg in spec.on_connect():
                await transport.publish(msg)
            if spec.exporter is not None and spec.exporter.birth_topic:
                await transport.subscribe(spec.exporter.birth_topic)
        await self.export(configs=True)
        await self.drain_outbox()
        # Last: a message to ourselves. The broker sends a subscription's retained messages when it takes the
        # SUBSCRIBE, so when this comes back the devices' retained discovery is in; requests wait until then.
        await transport.subscribe(self._barrier_topic)
        self._barrier, self._barrier_sent = new_id(), time.monotonic()
        if not await transport.publish(Outbound(topic=self._barrier_topic, payload=self._barrier, qos=1), timeout=2):
            await self._pass_barrier("the broker took no barrier message")

    @property
    def _barrier_topic(self) -> str:
        return f"fusehub/{self.config.hub_id}/barrier"

    async def _pass_barrier(self, why: str = "") -> None:
        """Handle the requests that waited for the retained discovery, in the order they came."""
        if why:
            log.warning("handling %d waiting requests without the barrier: %s", len(self._deferred), why)
        self._barrier = None
        while self._deferred:
            verb, payload = self._deferred.popleft()
            await self._control(verb, payload)

    async def barrier_check(self, max_wait_s: float = 5.0) -> None:
        """Stop holding requests when the barrier is `max_wait_s` overdue (a broker that lost it)."""
        if self._barrier is not None and time.monotonic() - self._barrier_sent > max_wait_s:
            await self._pass_barrier(f"it did not come back in {max_wait_s:g} s")

    async def ingest(self, topic: str, payload: bytes) -> None:
        """Handle one MQTT message. Never raises: bad input is rejected, logged and counted."""
        self.metrics["messages"] += 1
        try:
            if topic == self._barrier_topic:
                if self._barrier is not None and payload.decode("utf-8", "replace") == self._barrier:
                    await self._pass_barrier()
                else:  # an earlier incarnation's, still queued in the session, or someone else's
                    self.metrics["control.stale_barrier"] += 1
                return
            if topic.startswith(f"fusehub/{self.config.hub_id}/request/"):
                verb = topic.rsplit("/", 1)[1]
                await self.barrier_check()
                if self._barrier is None:
                    await self._control(verb, payload)
                elif len(self._deferred) >= 10_000:
                    self._reject("control", "too many requests waiting for the hub to start", "")
                else:
                    self._deferred.append((verb, payload))
                    self.metrics["control.deferred"] += 1
                return
            births = [s.exporter for s in self.adapters.values() if s.exporter and s.exporter.birth_topic == topic]
            if births:
                if payload.decode("utf-8", "replace").strip() == births[0].birth_payload:
                    await self.export(configs=True)  # the ecosystem restarted: announce the hub again
                return
            routed = self.router.route(topic, payload)
            if not routed:
                self._reject("route", f"no adapter handles topic {topic[:200]!r}", "")
                return
            for r in routed:
                for item in r.items:
                    await self._apply(r.adapter, topic, item)
        except Exception as e:  # the hub keeps running whatever a message does
            log.exception("ingest failed on %s", topic)
            self._reject("ingest", f"internal error on {topic[:200]!r}: {type(e).__name__}: {e}", "")

    def _reject(self, stage: str, reason: str, detail: str) -> None:
        self.metrics[f"rejected.{stage}"] += 1
        self.metrics["rejected"] += 1
        log.warning("rejected (%s): %s", stage, reason)
        self.journal.reject(self.clock.now(), stage, reason, detail)

    async def _apply(self, adapter: str, topic: str, item: Any) -> None:
        now = self.clock.now()
        prov = Provenance(adapter=adapter, topic=topic)
        if isinstance(item, Rejected):
            self._reject("parse", f"{adapter}: {item.reason}", topic)
        elif isinstance(item, Discovered):
            known_id = self.graph.device_id_for_key(item.spec.key)
            known = known_id is not None
            before_addr = self.graph.device(known_id).address if known_id is not None else None
            dev_id = self.graph.upsert_device(item.spec, provenance=prov)
            self.metrics["discovered"] += 0 if known else 1
            addr = self.graph.device(dev_id).address
            for t in self.router.watch_device(adapter, item.spec.key, addr):
                if self.transport is not None:
                    await self.transport.subscribe(t)
            if not known or addr != before_addr:
                self.save_state()  # a restarted hub must know how to reach what it discovered, at once
            if not known:
                await self.bus.publish(
                    HubEvent(time=now, context=Context(actor=Actor.device(dev_id), origin=Origin.device),
                             entity=dev_id, name="discovered", data={"key": item.spec.key})
                )
        elif isinstance(item, Removed):
            self.router.unwatch_device(item.device)
            if self.graph.remove_device_by_key(item.device):
                self.metrics["removed"] += 1
        elif isinstance(item, Availability):
            await self._availability(item, now)
        elif isinstance(item, Observation):
            await self._observation(adapter, item, prov)

    async def _availability(self, item: Availability, now: Any) -> None:
        if item.device.endswith(":*"):
            prefix = item.device[:-1]
            ids = [d for d in self.graph.device_ids() if self.graph.device(d).key.startswith(prefix)]
        else:
            one = self.graph.device_id_for_key(item.device)
            ids = [one] if one else []
        for dev_id in ids:
            old = self.graph.device(dev_id).available
            if self.graph.set_available(dev_id, item.online):
                ctx = Context(actor=Actor.device(dev_id), origin=Origin.device)
                await self.bus.publish(
                    StateChanged(time=now, context=ctx, entity=dev_id, attribute="available", old=old,
                                 new=item.online)
                )
                # a BLE room node going down means "not heard" stops meaning "not there"
                inputs = inputs_from_availability(self.graph, dev_id, item.online, now)
                if inputs:
                    events = [e for inp in inputs for e in self.fusion.observe(inp)]
                    await self._apply_beliefs(events, ctx)

    async def _observation(self, adapter: str, obs: Observation, prov: Provenance) -> None:
        now = self.clock.now()
        dev_id = self.graph.device_id_for_key(obs.device)
        if dev_id is None:
            self._reject("graph", f"unknown device {obs.device[:120]!r}", prov.topic or "")
            return
        self.metrics["observations"] += 1
        root = Context(actor=Actor.device(dev_id), origin=Origin.device)
        if obs.attributes:
            if self.graph.device(dev_id).available is False:
                self.graph.set_available(dev_id, True)
            for ch in self.graph.apply_state(dev_id, dict(obs.attributes), now, prov):
                await self.bus.publish(
                    StateChanged(time=now, context=Context(parent_id=root.id, actor=root.actor, origin=root.origin),
                                 entity=dev_id, attribute=ch.attribute, old=ch.old, new=ch.new)
                )
        # Beliefs first, so whatever reasons about this observation sees where people are now.
        inputs = inputs_from_observation(self.graph, dev_id, obs, now, owners=self._owners())
        if inputs:
            events: list[BeliefEvent] = []
            for inp in inputs:
                events += self.fusion.observe(inp)
            await self._apply_beliefs(events, root)
        if obs.event == "utterance":
            await self._utterance_from_device(dev_id, obs)
        elif obs.event is not None:
            await self.bus.publish(
                HubEvent(time=now, context=root, entity=dev_id, name=obs.event, data=dict(obs.data))
            )

    def _owners(self) -> dict[str, str]:
        """Personal devices besides phones and cars (BLE tags...), by device id, from the home file."""
        out: dict[str, str] = {}
        for p in self.home.people:
            for ref in p.tags:
                dev = ref if self.graph.has_device(ref) else self.graph.device_id_for_key(ref)
                if dev is not None:
                    out[dev] = p.id
        return out

    async def _outbox_job(self) -> None:
        if self.journal.outbox_pending():
            await self.drain_outbox()
        self._outbox_runs += 1
        if self._outbox_runs % 12 == 0:  # about once a minute: keep the newest sent/expired rows, not all
            self.journal.outbox_prune()

    async def fusion_tick(self) -> None:
        """Move beliefs forward in time (silence is evidence too); fires departures detected by absence."""
        await self._apply_beliefs(self.fusion.tick(self.clock.now()), Context(origin=Origin.system))
        if self.config.reasoner.situations:
            await self.check_car_eta()

    async def _apply_beliefs(self, events: list[BeliefEvent], cause: Context) -> None:
        """Copy the fused beliefs into the graph (StateChanged for location and room) and turn belief
        triggers into `arrived` / `left` / `first_arrived` / `everyone_left` events (once each, with
        hysteresis: they come from the belief, not from raw reports)."""
        now = self.clock.now()
        for p in self.graph.people():
            loc, room = self.fusion.location(p.id)
            if loc is None:
                continue
            p_home = self.fusion.p_home(p.id)
            conf = p_home if loc == "home" else 1.0 - p_home
            node = self.graph.g.nodes[f"person:{p.id}"]
            node["p_home"] = round(p_home, 4)
            if not self.graph.set_person_location(p.id, loc, room, conf, now):
                continue
            node["evidence"] = self.fusion.explain(p.id)[:8]  # the belief's summary and its latest evidence
            ctx = Context(parent_id=cause.id, actor=Actor.person(p.id), origin=Origin.device)
            if p.location != loc:
                await self.bus.publish(StateChanged(time=now, context=ctx, entity=f"person:{p.id}",
                                                    attribute="location", old=p.location, new=loc))
            if p.room != room:
                await self.bus.publish(StateChanged(time=now, context=ctx, entity=f"person:{p.id}",
                                                    attribute="room", old=p.room, new=room))
        for ev in events:
            if ev.kind not in ("arrived", "left") or not self.graph.has_person(ev.person):
                continue
            ctx = Context(parent_id=cause.id, actor=Actor.person(ev.person), origin=Origin.device)
            data = {"probability": round(ev.probability, 3)}
            await self.bus.publish(HubEvent(time=now, context=ctx, entity=f"person:{ev.person}", name=ev.kind,
                                            data=data))
            home = self.graph.people_home()
            if ev.kind == "arrived" and home == [ev.person]:
                await self.bus.publish(HubEvent(time=now, context=ctx, entity="home", name="first_arrived"))
            elif ev.kind == "left" and not home:
                await self.bus.publish(HubEvent(time=now, context=ctx, entity="home", name="everyone_left"))

    async def _utterance_from_device(self, dev_id: str, obs: Observation) -> None:
        text = obs.data.get("text")
        if not isinstance(text, str) or not text.strip():
            self._reject("utterance", "empty utterance", dev_id)
            return
        room = self.graph.room_of(dev_id)
        actor = self._identify_speaker(obs.data.get("speaker"), room)
        ctx = Context(actor=actor, origin=Origin.voice, room=room)
        await self.bus.publish(Utterance(time=self.clock.now(), context=ctx, text=text[:1000], satellite=dev_id))

    def _identify_speaker(self, hint: Any, room: str | None) -> Actor:
        """A voice is attributed to a person only by the satellite's speaker hint (a personal wake word or
        speaker id). Being believed in the room is not identification: a guest next to the owner must not
        borrow the owner's rights."""
        if isinstance(hint, str) and hint:
            pid = self.graph.person_by_voice(hint)
            if pid is not None:
                return Actor.person(pid)
        return Actor.unknown()

    # ================================================================== control topics (CLI -> running hub)
    async def _control(self, verb: str, payload: bytes) -> None:
        try:
            req = json.loads(payload.decode("utf-8")) if payload else {}
            if not isinstance(req, dict):
                raise ValueError("request must be a JSON object")
        except (UnicodeDecodeError, ValueError) as e:
            self._reject("control", f"bad {verb} request: {e}", "")
            return
        reply_to = req.get("reply_to")
        # A request may carry an id: one the broker re-delivers after a restart is acted on once.
        rid = req.get("id")
        if isinstance(rid, str) and rid:
            if rid in self._seen_requests:
                self.metrics["control.duplicates"] += 1
                return
            self._seen_requests[rid] = None
            if len(self._seen_requests) > 4096:
                self._seen_requests.pop(next(iter(self._seen_requests)))
        body: dict[str, Any]
        if verb == "say":
            text = req.get("text")
            if not isinstance(text, str) or not text.strip():
                body = {"error": "say needs text"}
            else:
                person = req.get("person")
                out = await self.say(text, person=person if isinstance(person, str) else None,
                                     room=req.get("room") if isinstance(req.get("room"), str) else None,
                                     origin=Origin.cli)
                body = out.to_json()
        elif verb == "context":
            body = self.graph.to_dict()
        elif verb == "why":
            person = req.get("person")
            if not isinstance(person, str) or not self.graph.has_person(person):
                body = {"error": f"no person {str(person)[:60]!r}"}
            else:
                body = {"person": person, "lines": self.fusion.explain(person)}
        elif verb == "confirm":
            pid, person = req.get("id"), req.get("person")
            if not isinstance(pid, str) or not isinstance(person, str):
                body = {"error": "confirm needs id and person"}
            else:
                out2 = await self.confirm(pid, person)
                body = out2.to_json() if out2 else {"error": "no such pending confirmation, or not allowed"}
        else:
            body = {"error": f"unknown request {verb!r}"}
        if isinstance(reply_to, str) and reply_to.startswith(f"fusehub/{self.config.hub_id}/reply/") and self.transport:
            await self.transport.publish(Outbound(topic=reply_to, payload=json.dumps(body, default=str), qos=1))

    # ================================================================== reasoning
    async def _journal_event(self, ev: Event) -> None:
        self.journal.record(ev, summary=summarize(ev), durable=isinstance(ev, Command))

    async def _on_event_rules(self, ev: Event) -> None:
        if isinstance(ev, Decision | Command | CommandResult | Utterance):
            return
        for rule in self.rules.matching(ev, self.graph):
            await self._run_rule(rule, ev.context, f"rule {rule.id} on {summarize(ev)}")

    def _time_rule_job(self, rule: Rule) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            if self.rules.conditions_hold(rule, self.graph, self.clock.now()):
                await self._run_rule(rule, Context(origin=Origin.schedule), f"rule {rule.id} at {rule.trigger.time}")

        return job

    async def _run_rule(self, rule: Rule, cause: Context, summary: str) -> None:
        ctx = Context(parent_id=cause.id, actor=Actor.system(), origin=Origin.rule)
        if rule.mode == "restart":
            for jid in self._rule_jobs.pop(rule.id, []):
                self.scheduler.cancel(jid)
        now_calls = [SkillCall(skill=a.skill, args=dict(a.args)) for a in rule.actions if a.delay == 0]
        plan = Plan(calls=now_calls, source="rule")
        outcome = await self.execute(plan, ctx, cause=summary, parent_id=cause.id)
        for i, a in enumerate(rule.actions):
            if a.delay > 0:
                jid = f"rule:{rule.id}:{i}:{ctx.id}"
                call = SkillCall(skill=a.skill, args=dict(a.args))
                self.scheduler.after(jid, a.delay, self._delayed(call, ctx, outcome.decision_id, rule.id, a.delay))
                self._rule_jobs.setdefault(rule.id, []).append(jid)

    def _delayed(
        self, call: SkillCall, ctx: Context, decision_id: str, rule_id: str, delay: float
    ) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            c = Context(parent_id=decision_id, actor=ctx.actor, origin=ctx.origin)
            await self.execute(Plan(calls=[call], source="rule"), c, cause=f"rule {rule_id} after {delay:g}s",
                               parent_id=decision_id)

        return job

    async def _on_utterance(self, u: Utterance) -> None:
        outcome = await self.reason(u.text, u.context, cause=f"{u.context.actor} said {u.text[:80]!r}")
        if outcome.speech and u.satellite is not None:
            await self._speak(u.satellite, outcome.speech, u.context)
        for fn in list(self._reply_listeners):
            res = fn(outcome)
            if res is not None:
                await res

    async def reason(self, text: str, ctx: Context, cause: str) -> Outcome:
        """Plan for an utterance (local intents, then the planner) and execute through policy."""
        plan = await self.plan_for(text, ctx)
        return await self.execute(plan, ctx, cause=cause)

    async def plan_for(self, text: str, ctx: Context) -> Plan:
        """The plan the hub would make for `text`, executing nothing (see hub/reasoner/pipeline.py)."""
        routed = await route(text, self.graph, self.skills, self.intents, self.planner,
                             mode=self.config.reasoner.mode, room=ctx.room, actor=ctx.actor, now=self.clock.now())
        return routed.plan

    def _situation_job(self, sit: SituationConfig) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            await self.situation(self._situation_text(sit, None), Context(origin=Origin.schedule))

        return job

    def _situation_text(self, sit: SituationConfig, person: str | None, eta_min: float | None = None) -> str:
        """The situation as the planner reads it, in the phrasing the model was trained on (hub/model/datagen.py):
        who, how soon, the outside temperature, darkness, doors left unlocked, covers left open."""
        name = self.graph.person(person).name.lower() if person and self.graph.has_person(person) else "someone"
        now = self.clock.now()
        outside = [float(v) for d in self.graph.devices(capability="measurement")
                   if "outside" in d.name.lower() and isinstance(v := d.state.get("value"), int | float)]
        if sit.on in ("car_eta", "arrived", "first_arrived"):
            text = f"{name} arriving home in {max(1, round(eta_min or 1))} min"
            if outside:
                text += f", outside {round(outside[0])} C"
            if now.hour >= 17 or now.hour < 7:
                text += ", dark"
        elif sit.on == "everyone_left" or sit.on == "time":
            text = sit.describe or ("everyone left home" if sit.on == "everyone_left" else "bedtime")
            for d in self.graph.devices(capability="lock"):
                if d.state.get("locked") is False:
                    text += f", {d.name.lower()} unlocked"
            if sit.on == "time":
                covers = [d for d in self.graph.devices(capability="cover_position")
                          if isinstance(d.state.get("position"), int | float) and d.state["position"] > 0]
                if covers:
                    text += f", {covers[0].name.lower()} open"
        else:
            text = sit.describe or f"{name} {sit.on.replace('_', ' ')}"
        return text

    async def _on_situation_event(self, ev: HubEvent) -> None:
        person = ev.entity.split(":", 1)[1] if ev.entity.startswith("person:") else None
        for sit in self.config.reasoner.situations:
            if sit.on == ev.name:
                await self.situation(self._situation_text(sit, person), ev.context)

    async def check_car_eta(self) -> None:
        """car_eta situations: fire once when a person's car comes within `minutes` of home."""
        for sit in self.config.reasoner.situations:
            if sit.on != "car_eta" or sit.minutes is None:
                continue
            for p in self.graph.people():
                eta = self.fusion.car_eta(p.car) if p.car else None
                key = f"{sit.id}:{p.id}"
                if eta is None or eta <= 0:
                    self._eta_fired.discard(key)
                    continue
                if eta <= sit.minutes * 60 and key not in self._eta_fired:
                    self._eta_fired.add(key)
                    await self.situation(self._situation_text(sit, p.id, eta / 60),
                                         Context(origin=Origin.device, actor=Actor.person(p.id)))

    async def situation(self, text: str, cause: Context) -> Outcome | None:
        """A proactive situation: ask the planner, then act or suggest as the household's autonomy says."""
        autonomy = self.config.reasoner.autonomy
        if autonomy == "off" or self.planner.name == "none":
            return None
        ctx = Context(parent_id=cause.id, actor=Actor.system(), origin=Origin.situation)
        req = PlanRequest(situation=text, actor=ctx.actor, now=self.clock.now())
        plan = await self.planner.plan(req, self.graph, self.skills)
        plan = plan.model_copy(update={"source": "situation"})
        self.metrics["situations"] += 1
        if not plan.calls:
            return None
        if autonomy == "act":
            return await self.execute(plan, ctx, cause=f"situation: {text[:80]}", parent_id=cause.id)
        outcome = Outcome(decision_id=ctx.id, plan=plan)
        for call in plan.calls:
            pid = new_id()
            self._pending[pid] = _Pending(call, ctx, self.clock.now())
            await self._ask_owners(pid, call, ctx, suggestion=text)
            outcome.verdicts.append(f"suggested: {pid}")
            outcome.pending_confirmation = pid
        await self.bus.publish(Decision(time=self.clock.now(), context=ctx, plan=plan, verdicts=outcome.verdicts,
                                        cause=f"situation: {text[:80]}"))
        return outcome

    async def say(
        self, text: str, *, person: str | None = None, room: str | None = None, origin: Origin = Origin.cli
    ) -> Outcome:
        """Handle a request as if spoken (used by `fusehub say` and the simulator)."""
        actor = Actor.person(person) if person and self.graph.has_person(person) else Actor.unknown()
        r = self.graph.resolve_room(room) if room else None
        ctx = Context(actor=actor, origin=origin, room=r)
        ev = Utterance(time=self.clock.now(), context=ctx, text=text[:1000])
        self.journal.record(ev, summary=summarize(ev))
        return await self.reason(text, ctx, cause=f"{actor} said {text[:80]!r}")

    async def execute(self, plan: Plan, ctx: Context, cause: str, parent_id: str | None = None) -> Outcome:
        """Pass each call through policy, run the allowed ones, send their commands. Journals the decision,
        whose parent is `parent_id` (the triggering event) or else `ctx` itself."""
        decision_ctx = Context(parent_id=parent_id or ctx.id, actor=ctx.actor, origin=ctx.origin, room=ctx.room)
        outcome = Outcome(decision_id=decision_ctx.id, plan=plan)
        # What the model proposed is judged as the model's proposal, whoever asked: it cannot grant rights.
        policy_ctx = ctx
        if plan.source in ("planner", "situation") and ctx.origin not in (Origin.planner, Origin.situation):
            policy_ctx = ctx.model_copy(update={"origin": Origin(plan.source)})
        speech: list[str] = []
        results: list[tuple[SkillCall, Any]] = []
        for call in plan.calls:
            try:
                info = self.skills.get(call.skill)
            except UnknownSkill as e:
                outcome.verdicts.append(f"rejected: {e}")
                continue
            verdict = self.policy.check_call(call, info, policy_ctx, self.graph)
            if verdict.outcome == "confirm":
                pid = new_id()
                self._pending[pid] = _Pending(call, ctx, self.clock.now())
                outcome.pending_confirmation = pid
                outcome.verdicts.append(str(verdict))
                speech.append(f"That needs an owner's confirmation ({verdict.reason})")
                await self._ask_owners(pid, call, ctx)
                continue
            if verdict.outcome == "rejected":
                outcome.verdicts.append(str(verdict))
                self.metrics["policy.rejected"] += 1
                speech.append(f"Sorry, I can't: {verdict.reason}")
                continue
            sctx = SkillContext(graph=self.graph, now=self.clock.now(), context=decision_ctx, timers=self,
                                command_ttl_s=self.config.command_ttl_s)
            try:
                res = self.skills.execute(call.skill, sctx, call.args)
            except SkillError as e:
                outcome.verdicts.append(f"failed: {e}")
                speech.append(f"Sorry, {e}")
                continue
            outcome.verdicts.append("allowed")
            results.append((call, res))
            if res.speech:
                speech.append(res.speech)
        if plan.cannot:
            speech.append(plan.cannot)
        if plan.speech:
            speech.append(plan.speech)
        decision = Decision(time=self.clock.now(), context=decision_ctx, plan=plan, verdicts=outcome.verdicts,
                            cause=cause)
        await self.bus.publish(decision)
        for _call, res in results:
            for cmd in res.commands:
                problem = await self.send_command(cmd)
                if problem is None:
                    outcome.commands.append(cmd)
                elif not problem.startswith("merged"):
                    speech.append(f"Sorry, {problem}")
        outcome.speech = ". ".join(speech) if speech else None
        return outcome

    async def _ask_owners(self, pending_id: str, call: SkillCall, ctx: Context, suggestion: str | None = None) -> None:
        """Send each owner's phone the pending request (data only: the skill, its args and who asked)."""
        who = f"fusehub suggests ({suggestion[:80]})" if suggestion else f"{ctx.actor} asks for"
        text = (f"{who} {call.skill} {json.dumps(call.args)[:200]}. "
                f"To allow it: fusehub confirm {pending_id} --person <you>")
        sctx = SkillContext(graph=self.graph, now=self.clock.now(), context=ctx)
        for p in self.graph.people():
            if p.role != "owner" or p.phone is None or not self.graph.has_device(p.phone):
                continue
            if "notify" in self.graph.device(p.phone).capabilities:
                await self.send_command(sctx.command(p.phone, "notify", "notify", message=text,
                                                     title="fusehub: confirm?"))

    async def confirm(self, pending_id: str, person: str) -> Outcome | None:
        """An owner confirms a pending secure call; it then runs as that person's request."""
        p = self._pending.get(pending_id)
        if p is None or not self.graph.has_person(person) or self.graph.person(person).role != "owner":
            return None
        if self.clock.now() - p.created > timedelta(minutes=5):
            del self._pending[pending_id]
            return None
        del self._pending[pending_id]
        ctx = Context(parent_id=p.context.id, actor=Actor.person(person), origin=Origin.phone, room=p.context.room)
        return await self.execute(Plan(calls=[p.call], source=p.context.origin.value if p.context.origin.value in (
            "rule", "intent", "planner", "situation", "cli") else "cli"), ctx,  # type: ignore[arg-type]
            cause=f"{person} confirmed {pending_id}", parent_id=p.context.id)

    # ================================================================== commands
    async def send_command(self, cmd: Command) -> str | None:
        """Admit (merge/rate limit), encode with the device's adapter, publish. Journals the outcome.
        Returns None when sent, else why not."""
        now = self.clock.now()
        await self.bus.publish(cmd)
        self.metrics["commands"] += 1

        async def result(status: str, detail: str = "") -> None:
            self.metrics[f"commands.{status}"] += 1
            await self.bus.publish(CommandResult(time=self.clock.now(), context=cmd.context.child(),
                                                 command_id=cmd.id, status=status, detail=detail))  # type: ignore[arg-type]

        verdict = self.policy.admit_command(cmd, now)
        if verdict.outcome != "allowed":
            await result("merged" if "merged" in verdict.reason else "failed", verdict.reason)
            return verdict.reason
        dev = self.graph.device(cmd.device)
        if dev.available is False:
            await result("failed", f"{dev.name} is offline")
            return f"{dev.name} is offline"
        spec = self.adapters.get(dev.key.split(":", 1)[0])
        encoder = spec.encoders.get(cmd.capability) if spec else None
        if spec is None or encoder is None:
            await result("failed", f"no {cmd.capability} encoder for {dev.key}")
            return f"I cannot send {cmd.capability} commands to {dev.name}"
        try:
            messages = encoder(cmd, {"key": dev.key, **dev.address})
        except AdapterError as e:
            await result("failed", str(e))
            return f"I cannot command {dev.name}: {e}"
        # Durable before it is published: a broker or hub restart re-sends it (until it expires).
        self.journal.outbox_add(cmd.id, cmd.device, messages, cmd.expires_at, now)
        if self.transport is None:
            await result("queued", "not connected to a broker yet")
            return None
        ttl = (cmd.expires_at - now).total_seconds() if cmd.expires_at else None
        for seq, m in enumerate(messages):
            if not await self.transport.publish(m, expiry_s=ttl, timeout=1.0, command_id=cmd.id):
                await result("queued", f"broker unreachable; {m.topic} will be re-sent until the command expires")
                return None
            self.journal.outbox_mark(cmd.id, "sent", seq)
        await result("sent", ", ".join(m.topic for m in messages))
        return None

    async def drain_outbox(self) -> int:
        """Re-send commands still pending (after a broker outage or a hub restart); drop expired ones.
        Returns how many messages were sent."""
        if self.transport is None:
            return 0
        now = self.clock.now()
        sent = 0
        stuck: set[str] = set()
        for row in self.journal.outbox_pending():
            cid = row["command_id"]
            if cid in stuck:
                continue
            exp = row["expires_at"]
            if exp is not None and exp <= now:
                self.journal.outbox_mark(cid, "expired")
                self.metrics["commands.expired"] += 1
                await self.bus.publish(CommandResult(time=now, context=Context(origin=Origin.system),
                                                     command_id=cid, status="expired",
                                                     detail=f"not delivered before {exp.isoformat()}"))
                stuck.add(cid)
                continue
            ttl = (exp - now).total_seconds() if exp is not None else None
            msg = Outbound(topic=row["topic"], payload=row["payload"], qos=row["qos"])
            if not await self.transport.publish(msg, expiry_s=ttl, timeout=1.0, command_id=cid):
                return sent  # still no broker: try again later
            self.journal.outbox_mark(cid, "sent", row["seq"])
            sent += 1
            self.metrics["commands.resent"] += 1
            await self.bus.publish(CommandResult(time=now, context=Context(origin=Origin.system), command_id=cid,
                                                 status="sent", detail=f"re-sent {row['topic']}"))
        return sent

    async def _speak(self, satellite: str, text: str, ctx: Context) -> None:
        dev = self.graph.device(satellite)
        if "tts" not in dev.capabilities:
            return
        sctx = SkillContext(graph=self.graph, now=self.clock.now(), context=ctx)
        await self.send_command(sctx.command(satellite, "tts", "announce", message=text[:300]))

    # ================================================================== timers (skills.sdk.TimerService)
    def start_timer(self, name: str, seconds: float, context: Context, room: str | None) -> str:
        jid = f"timer:{name}"
        if self.scheduler.has(jid):
            self.scheduler.cancel(jid)
        due = self.clock.now() + timedelta(seconds=seconds)
        self._timers[name] = {"name": name, "due": due.isoformat(), "room": room, "parent": context.id}
        self.scheduler.at(jid, due, self._timer_done(name))
        self._save_timers()
        return jid

    def cancel_timer(self, name: str | None) -> list[str]:
        names = [name] if name is not None else list(self._timers)
        done = [n for n in names if n in self._timers and self.scheduler.cancel(f"timer:{n}")]
        for n in done:
            self._timers.pop(n, None)
        self._save_timers()
        return done

    def timers(self) -> list[dict[str, Any]]:
        from datetime import datetime

        now = self.clock.now()
        return [{"name": t["name"], "remaining_s": (datetime.fromisoformat(t["due"]) - now).total_seconds()}
                for t in self._timers.values()]

    def _timer_done(self, name: str) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            t = self._timers.pop(name, None)
            self._save_timers()
            if t is None:
                return
            ctx = Context(parent_id=t["parent"], origin=Origin.schedule)
            await self.bus.publish(HubEvent(time=self.clock.now(), context=ctx, entity="home",
                                            name="timer_finished", data={"name": name}))
            speakers = self.graph.devices(room=t["room"], capability="tts") if t["room"] else []
            speakers = speakers or self.graph.devices(capability="tts")
            sctx = SkillContext(graph=self.graph, now=self.clock.now(), context=ctx)
            for s in speakers:
                await self.send_command(sctx.command(s.id, "tts", "announce", message=f"Timer {name} is done"))

        return job

    def _save_timers(self) -> None:
        self.journal.put("timers", list(self._timers.values()))

    def _restore_timers(self) -> None:
        from datetime import datetime

        for t in self.journal.get("timers") or []:
            try:
                due = datetime.fromisoformat(t["due"])
                self._timers[t["name"]] = t
                self.scheduler.at(f"timer:{t['name']}", max(due, self.clock.now()), self._timer_done(t["name"]))
            except (KeyError, ValueError, TypeError) as e:
                log.warning("dropping unreadable persisted timer %r: %s", t, e)

    # ================================================================== exporting beliefs (e.g. to Home Assistant)
    def export_view(self) -> dict[str, Any]:
        """A plain snapshot of what the hub believes, for exporters."""
        rooms = {r["id"]: r["name"] for r in self.graph.rooms()}
        people = [
            {"id": p.id, "name": p.name, "location": p.location, "room": p.room,
             "room_name": rooms.get(p.room) if p.room else None, "confidence": round(p.confidence, 3)}
            for p in self.graph.people()
        ]
        occupied: dict[str, list[str]] = {}
        for pv in self.graph.people():
            if pv.location == "home" and pv.room:
                occupied.setdefault(pv.room, []).append(pv.id)
        return {
            "name": self.home.name,
            "people": people,
            "rooms": [{"id": rid, "name": name, "occupied": rid in occupied, "people": occupied.get(rid, [])}
                      for rid, name in rooms.items()],
            "last_decision": self._last_decision,
        }

    async def export(self, configs: bool = False) -> None:
        """Publish every exporter's states (and configs when asked)."""
        if self.transport is None:
            return
        view = self.export_view()
        for spec in self.adapters.values():
            ex = spec.exporter
            if ex is None:
                continue
            msgs = (ex.configs(self.config.hub_id, view) if configs else []) + ex.states(self.config.hub_id, view)
            for m in msgs:
                if not await self.transport.publish(m, timeout=0.2):
                    self._export_dirty = True  # no broker now: the next flush tries again, nothing waits
                    return
        self._export_dirty = False
        self._last_export = asyncio.get_running_loop().time()

    async def _on_event_export(self, ev: Event) -> None:
        if isinstance(ev, Decision):
            self._last_decision = summarize(ev)
        elif not (isinstance(ev, StateChanged) and ev.entity.startswith("person:")):
            return
        self._export_dirty = True
        loop = asyncio.get_running_loop()
        wait = 0.0 if self._last_export is None else self._last_export + 0.25 - loop.time()
        if wait <= 0:
            await self.export()
        elif self._export_timer is None:
            # at most four exports a second; the last change is always published
            async def later() -> None:
                await asyncio.sleep(wait)
                self._export_timer = None
                await self.flush_exports()

            self._export_timer = loop.create_task(later())

    async def flush_exports(self) -> None:
        if self._export_dirty:
            await self.export()

    # ================================================================== persistence
    def save_state(self) -> None:
        self.journal.put("graph", self.graph.to_dict())

    def on_reply(self, fn: Callable[[Outcome], Awaitable[None] | None]) -> None:
        self._reply_listeners.append(fn)


def summarize(ev: Event) -> str:
    """One human line per event, for the journal and the live console."""
    if isinstance(ev, StateChanged):
        return f"{ev.entity}.{ev.attribute}: {ev.old!r} -> {ev.new!r}"
    if isinstance(ev, HubEvent):
        return f"{ev.entity} {ev.name}" + (f" {ev.data}" if ev.data else "")
    if isinstance(ev, Utterance):
        return f"{ev.context.actor} said {ev.text[:120]!r}" + (f" in {ev.context.room}" if ev.context.room else "")
    if isinstance(ev, Decision):
        calls = ", ".join(f"{c.skill}({_args(c.args)})" for c in ev.plan.calls) or (ev.plan.cannot or "nothing")
        verdicts = "; ".join(ev.verdicts)
        return f"[{ev.plan.source}] {calls} <- {ev.cause}" + (f" => {verdicts}" if verdicts else "")
    if isinstance(ev, Command):
        return f"{ev.device} {ev.capability}.{ev.action}({_args(ev.params)})"
    if isinstance(ev, CommandResult):
        return f"command {ev.command_id} {ev.status}" + (f": {ev.detail}" if ev.detail else "")
    return ev.kind


def _args(a: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in a.items())


# ====================================================================== building
def load_adapters(names: list[str] | None = None) -> dict[str, AdapterSpec]:
    """Built-in adapters plus third-party ones from the `fusehub.adapters` entry-point group."""
    from importlib.metadata import entry_points

    import fusehub.adapters as builtin_adapters

    found: dict[str, str] = dict(builtin_adapters.BUILTIN)
    for ep in entry_points(group="fusehub.adapters"):
        if ep.name in found:
            raise ConfigError(f"adapter {ep.name!r} from {ep.value} clashes with a registered one")
        found[ep.name] = ep.value
    wanted = names if names is not None else list(found)
    out: dict[str, AdapterSpec] = {}
    for name in wanted:
        if name not in found:
            raise ConfigError(f"unknown adapter {name!r}; known: {', '.join(sorted(found))}")
        target = found[name]
        mod_name, _, attr = target.partition(":")
        spec = getattr(importlib.import_module(mod_name), attr or "SPEC")
        if not isinstance(spec, AdapterSpec):
            raise ConfigError(f"adapter {name!r}: {target} is not an AdapterSpec")
        out[spec.name] = spec
    return out


def load_planner(config: HubConfig, skills: SkillRegistry) -> Planner:
    """The configured planner: the on-hub model when configured and built, else NullPlanner (logged)."""
    if config.reasoner.planner == "none":
        return NullPlanner()
    from fusehub.model.store import default_model_dir

    try:
        model_dir = Path(config.reasoner.model_dir) if config.reasoner.model_dir else default_model_dir()
    except Exception as e:  # the base model package is missing
        log.warning("no planner model (%s); unmatched requests get 'cannot'", e)
        return NullPlanner()
    if not (model_dir / "genai_config.json").exists():
        log.warning("planner model not built in %s: run `fusehub model build`; until then unmatched requests get "
                    "'cannot'", model_dir)
        return NullPlanner()
    try:
        from fusehub.reasoner.llm import LlmPlanner

        return LlmPlanner.load(model_dir, skills, clarify_below=config.reasoner.clarify_below)
    except Exception as e:  # a broken model folder or runtime must not stop the hub
        log.error("planner model in %s failed to load: %s", model_dir, e)
        return NullPlanner()


def build_hub(
    config: HubConfig,
    *,
    clock: Clock,
    home: Home | None = None,
    journal: Journal | None = None,
    planner: Planner | None = None,
    with_intents: bool = True,
) -> Hub:
    """Build a hub from config: home, adapters, skills, rules, journal, intents."""
    if home is None:
        from fusehub.simulations import demo_home_path

        home = load_home(config.home or demo_home_path())
    rules: list[Rule] = []
    for path in config.rules:
        rules.extend(load_rules(path))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ConfigError("duplicate rule ids across rule files")
    skills = load_skills()
    if planner is None:
        planner = load_planner(config, skills)
    intents = None
    if with_intents and config.reasoner.mode != "planner":
        from fusehub.reasoner.intents import IntentMatcher

        intents = IntentMatcher(config.reasoner.language, skills)
    return Hub(
        config,
        clock=clock,
        home=home,
        adapters=load_adapters(config.adapters),
        skills=skills,
        journal=journal or Journal(config.journal_path()),
        rules=rules,
        planner=planner,
        intents=intents,
    )


async def run_forever(hub: Hub, link: Any, stop: asyncio.Event) -> None:
    """Pump messages from `link` into the hub and run the scheduler until `stop` is set."""
    await hub.attach(link)

    async def pump() -> None:
        async for m in link.messages():
            await hub.ingest(m.topic, m.payload)

    async def persist() -> None:
        n = 0
        connects = getattr(link, "connects", 0)
        while True:
            await asyncio.sleep(1)
            hub.journal.flush()
            await hub.barrier_check()
            for name in ("connects", "publish_failures", "dropped"):  # the link's own counts, beside the hub's
                if isinstance(getattr(link, name, None), int):
                    hub.metrics[f"mqtt.{name}"] = getattr(link, name)
            if getattr(link, "connects", 0) != connects and getattr(link, "connected", False):
                connects = link.connects  # back after a broker outage: announce again, send what waited
                await hub.export(configs=True)
                await hub.drain_outbox()
            await hub.flush_exports()
            n += 1
            if n % 30 == 0:
                hub.save_state()

    tasks = [asyncio.create_task(pump()), asyncio.create_task(hub.scheduler.run()), asyncio.create_task(persist())]
    try:
        await stop.wait()
    finally:
        await cancel_and_wait(tasks)
        hub.save_state()
