"""A request's commands are written to the outbox in one transaction with the request's dedup row: after a crash
(kill -9 between two commands) either all of them are there, so the redelivered request is recognised and nothing
is sent twice, or none, so it is handled again and nothing is lost. Never some."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fusehub.config import Requester, RequestsConfig
from fusehub.home import Home
from fusehub.protocol import ANONYMOUS, SayBody, SayRequest, request_topic
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_RULES

START = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


async def test_all_commands_of_a_request_are_durable_together(demo_home: Home, mosquitto: Mosquitto) -> None:
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5",
                          requests=RequestsConfig(anonymous=Requester(controller=True))) as sim:
        journal = sim.hub.journal
        writes: list[list[str]] = []
        real = journal.outbox_add_many

        def spy(commands: list[tuple[str, str, list[Any], datetime | None]], created: datetime) -> None:
            writes.append([c[0] for c in commands])  # the real SQLite write follows: a spy at the durability seam
            real(commands, created)

        journal.outbox_add_many = spy  # type: ignore[method-assign]
        topic = request_topic(sim.config.hub_id, ANONYMOUS, "say")
        req = SayRequest(id="r-all-lights", body=SayBody(text="turn off all the lights", person="anna", origin="cli"))
        await sim.hub.ingest(topic, req.model_dump_json().encode())
        made = {cid for cid, in journal._db.execute("SELECT DISTINCT command_id FROM outbox").fetchall()}
        assert len(made) >= 2, made  # the request made several commands
        assert len(writes) == 1 and sorted(writes[0]) == sorted(made)
        assert journal.request_seen(f"{ANONYMOUS}/r-all-lights")
        # the same request again (the broker redelivering it after a crash): recognised, nothing new
        await sim.hub.ingest(topic, req.model_dump_json().encode())
        assert len(writes) == 1 and sim.hub.metrics["control.duplicates"] == 1
