"""The command sender: admission (merge, rate limit), the device's adapter encoder, the durable outbox, MQTT.

A command is written to the journal's outbox before it is published at QoS 1 with an MQTT 5 expiry and a
`fusehub-command-id` user property; what the broker did not take is re-sent by :meth:`CommandSender.drain`
until it expires.
"""

from __future__ import annotations

from datetime import datetime

from fusehub.adapter import AdapterSpec
from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.context.graph import ContextGraph
from fusehub.errors import AdapterError
from fusehub.events import Command, CommandResult, Context, Origin, Outbound
from fusehub.journal import Journal
from fusehub.policy import Policy, Ruling, Verdict
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Transport

__all__ = ["CommandSender"]


class CommandSender:
    """Sends device commands exactly as the durable outbox promises. `transport` is set on attach."""

    def __init__(
        self,
        *,
        graph: ContextGraph,
        adapters: dict[str, AdapterSpec],
        policy: Policy,
        journal: Journal,
        bus: Bus,
        clock: Clock,
        health: Health,
    ) -> None:
        self._graph = graph
        self._adapters = adapters
        self._policy = policy
        self._journal = journal
        self._bus = bus
        self._clock = clock
        self._metrics = health.metrics
        self.transport: Transport | None = None
        self._outbox_runs = 0

    async def send(self, cmd: Command) -> Verdict | None:
        """Admit (merge/rate limit), encode with the device's adapter, publish. Journals the outcome.
        Returns None when sent (or queued in the outbox), else why not: `merged` (the same command went out
        moments ago) or `rejected` with a sentence for the speaker."""
        return (await self.send_all([cmd]))[0]

    async def send_all(self, cmds: list[Command]) -> list[Verdict | None]:
        """:meth:`send` for the commands of one decision, with every admitted command written to the outbox in one
        transaction (with the request's dedup row, inside a request scope) before any is published: after a crash
        a request's commands are all there or none is, never some."""
        now = self._clock.now()
        out: list[Verdict | None] = []
        ready: list[tuple[Command, list[Outbound]]] = []
        for cmd in cmds:
            await self._bus.publish(cmd)
            self._metrics["commands"] += 1
            prepared = await self._prepare(cmd, now)
            if isinstance(prepared, Verdict):
                out.append(prepared)
            else:
                out.append(None)
                ready.append((cmd, prepared))
        if ready:  # durable before published: a broker or hub restart re-sends them (until they expire)
            self._journal.outbox_add_many([(c.id, c.device, m, c.expires_at) for c, m in ready], now)
        for cmd, messages in ready:
            await self._publish(cmd, messages, now)
        return out

    async def _result(self, cmd: Command, status: str, detail: str = "") -> None:
        self._metrics[f"commands.{status}"] += 1
        await self._bus.publish(CommandResult(time=self._clock.now(), context=cmd.context.child(),
                                              command_id=cmd.id, status=status, detail=detail))  # type: ignore[arg-type]

    async def _prepare(self, cmd: Command, now: datetime) -> list[Outbound] | Verdict:
        """The command's messages in its device's convention, or why it is not sent (journaled as its result)."""
        verdict = self._policy.admit_command(cmd, now)
        if verdict.outcome is not Ruling.allowed:
            await self._result(cmd, "merged" if verdict.outcome is Ruling.merged else "failed", verdict.reason)
            return verdict
        dev = self._graph.device(cmd.device)
        if dev.available is False:
            await self._result(cmd, "failed", f"{dev.name} is offline")
            return Verdict(Ruling.rejected, f"{dev.name} is offline")
        spec = self._adapters.get(dev.key.split(":", 1)[0])
        encoder = spec.encoders.get(cmd.capability) if spec else None
        if spec is None or encoder is None:
            await self._result(cmd, "failed", f"no {cmd.capability} encoder for {dev.key}")
            return Verdict(Ruling.rejected, f"I cannot send {cmd.capability} commands to {dev.name}")
        try:
            return encoder(cmd, {"key": dev.key, **dev.address})
        except AdapterError as e:
            await self._result(cmd, "failed", str(e))
            return Verdict(Ruling.rejected, f"I cannot command {dev.name}: {e}")

    async def _publish(self, cmd: Command, messages: list[Outbound], now: datetime) -> None:
        if self.transport is None:
            await self._result(cmd, "queued", "not connected to a broker yet")
            return
        ttl = (cmd.expires_at - now).total_seconds() if cmd.expires_at else None
        for seq, m in enumerate(messages):
            if not await self.transport.publish(m, expiry_s=ttl, timeout=1.0, command_id=cmd.id):
                await self._result(cmd, "queued",
                                   f"broker unreachable; {m.topic} will be re-sent until the command expires")
                return
            self._journal.outbox_mark(cmd.id, "sent", seq)
        await self._result(cmd, "sent", ", ".join(m.topic for m in messages))

    async def drain(self) -> int:
        """Re-send commands still pending (after a broker outage or a hub restart); drop expired ones.
        Returns how many messages were sent."""
        if self.transport is None:
            return 0
        now = self._clock.now()
        sent = 0
        stuck: set[str] = set()
        for row in self._journal.outbox_pending():
            cid = row["command_id"]
            if cid in stuck:
                continue
            exp = row["expires_at"]
            if exp is not None and exp <= now:
                self._journal.outbox_mark(cid, "expired")
                self._metrics["commands.expired"] += 1
                await self._bus.publish(CommandResult(time=now, context=Context(origin=Origin.system),
                                                      command_id=cid, status="expired",
                                                      detail=f"not delivered before {exp.isoformat()}"))
                stuck.add(cid)
                continue
            ttl = (exp - now).total_seconds() if exp is not None else None
            msg = Outbound(topic=row["topic"], payload=row["payload"], qos=row["qos"])
            if not await self.transport.publish(msg, expiry_s=ttl, timeout=1.0, command_id=cid):
                return sent  # still no broker: try again later
            self._journal.outbox_mark(cid, "sent", row["seq"])
            sent += 1
            self._metrics["commands.resent"] += 1
            await self._bus.publish(CommandResult(time=now, context=Context(origin=Origin.system), command_id=cid,
                                                  status="sent", detail=f"re-sent {row['topic']}"))
        return sent

    async def outbox_job(self) -> None:
        """The scheduler's every-5-s job: re-send what waits; about once a minute, prune old rows."""
        if self._journal.outbox_pending():
            await self.drain()
        self._outbox_runs += 1
        if self._outbox_runs % 12 == 0:  # keep the newest sent/expired rows, not all
            self._journal.outbox_prune()
