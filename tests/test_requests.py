"""The request channel through a real mosquitto with a password file and the README's ACL: one round trip per verb
from the real CLI (MQTT 5 and the 3.1.1 fallback), `fusehub confirm` end to end, identity from the broker user (a
device's user cannot gain an owner's authority, by payload or by topic), the identity x origin x skill-class
matrix, and CLI calls that leave nothing behind on the broker."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiomqtt
import pytest
from fusehub.app import Hub, RunLoop, build_hub
from fusehub.cli import _ask, app
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig, MqttSettings, Requester, RequestsConfig
from fusehub.journal import Journal
from fusehub.mqtt import MqttLink
from fusehub.protocol import ConfirmBody, ContextBody, NotAuthorized, NotFound, RequestError, SayBody, WhyBody
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.world import World
from fusehub.tasks import cancel_and_wait
from paho.mqtt.enums import MQTTProtocolVersion
from typer.testing import CliRunner

from tests.conftest import DEMO_HOME
from tests.test_broker_security import PahoClient, until

START = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
HUB_ID = "home"
PASSWORDS = {"fusehub": "hub-pw", "world": "world-pw", "lamp": "lamp-pw", "anna": "anna-pw", "ben": "ben-pw",
             "mia": "mia-pw", "laptop": "laptop-pw", "stranger": "stranger-pw"}

# The README's ACL, for the hub with id "home" (plus the simulated devices' user, and $SYS for the session check).
ACL = f"""
user fusehub
topic readwrite #
topic read $SYS/#

user world
topic readwrite #

user lamp
topic readwrite sim/kitchen_light/#

pattern write fusehub/{HUB_ID}/request/%u/+
pattern read fusehub/{HUB_ID}/reply/%u/#
"""

REQUESTS = RequestsConfig(users={"anna": Requester(person="anna"), "ben": Requester(person="ben"),
                                 "mia": Requester(person="mia"), "laptop": Requester(controller=True)})


@pytest.fixture(scope="module")
def broker() -> Iterator[Mosquitto]:
    with Mosquitto(passwords=PASSWORDS, acl=ACL, extra_conf="sys_interval 1\n") as m:
        yield m


def settings(broker: Mosquitto, user: str, protocol: str = "5") -> MqttSettings:
    return MqttSettings(url=broker.url, username=user, password=PASSWORDS[user], protocol=protocol,  # type: ignore[arg-type]
                        client_id=f"{user}-test", reconnect_min_s=0.2, reconnect_max_s=1.0)


def client_config(tmp: Path, broker: Mosquitto, user: str, protocol: str = "5") -> Path:
    """A CLI config as a person would write it: the broker, this user's credentials, the hub's id."""
    path = tmp / f"{user}-{protocol}.yaml"
    path.write_text(f"hub_id: {HUB_ID}\nmqtt: {{url: '{broker.url}', username: {user}, "
                    f"password: {PASSWORDS[user]}, protocol: '{protocol}'}}\n")
    return path


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


@dataclass
class Running:
    hub: Hub
    world: World
    broker: Mosquitto
    tmp: Path

    async def cli(self, *args: str, user: str = "laptop", protocol: str = "5") -> tuple[int, str]:
        """The real `fusehub` command, in a thread (it runs its own event loop)."""
        cfg = client_config(self.tmp, self.broker, user, protocol)
        return await asyncio.to_thread(cli, *args, "--config", str(cfg))

    async def ask(self, user: str, verb: str, body: Any, protocol: str = "5") -> dict[str, Any]:
        cfg = HubConfig(hub_id=HUB_ID, mqtt=settings(self.broker, user, protocol))
        return await _ask(cfg, verb, body, 5)


@contextlib.asynccontextmanager
async def running(broker: Mosquitto, tmp: Path) -> AsyncIterator[Running]:
    cfg = HubConfig(hub_id=HUB_ID, home=str(DEMO_HOME), data_dir=str(tmp), mqtt=settings(broker, "fusehub"),
                    requests=REQUESTS)
    hub = build_hub(cfg, clock=VirtualClock(START), journal=Journal(":memory:"))
    async with (MqttLink(cfg.mqtt, HUB_ID) as hub_link,
                MqttLink(settings(broker, "world"), "world") as world_link):
        assert await hub_link.wait_connected(10) and await world_link.wait_connected(10)
        world = World(hub.home, hub.adapters, world_link, hub.clock)
        loop = RunLoop(hub, hub_link)
        await loop.start()

        async def pump_world() -> None:
            async for m in world_link.messages():
                await world.handle(m.topic, m.payload, m.command_id)

        tasks = [asyncio.create_task(loop.pump()), asyncio.create_task(pump_world())]
        await world.start()
        try:
            yield Running(hub, world, broker, tmp)
        finally:
            await cancel_and_wait(tasks)
            await world.clear_retained()
            hub.journal.close()


async def test_one_round_trip_per_verb_and_confirm_end_to_end(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        # say: ben (an adult) asks by voice to unlock; no owner is known to be home, so the owner must confirm
        code, out = await r.cli("say", "unlock the front door", "--person", "ben", "--room", "hallway")
        assert code == 0, out
        said = json.loads(out)
        assert said["verdicts"][0].startswith("confirm") and said["pending_confirmation"]
        pid = said["pending_confirmation"]
        assert await until(lambda: pid in r.world.devices["anna_phone"].state.get("last_notification", ""))
        assert r.world.devices["front_door_lock"].state["locked"] is True

        # context and why
        code, out = await r.cli("context", "show", "--json")
        assert code == 0, out
        assert any(n.get("id") == "front_door_lock" for n in json.loads(out)["nodes"])
        code, out = await r.cli("context", "why", "anna")
        assert code == 0 and "anna" in out.lower(), out
        code, out = await r.cli("context", "why", "nobody")
        assert code == 1 and "not_found" in out and "nobody" in out, out

        # confirm: an adult may not; anna confirms with the id her phone got; it runs once
        code, out = await r.cli("confirm", pid, "--person", "ben")
        assert code == 1 and "not_authorized" in out and "owner" in out, out
        code, out = await r.cli("confirm", pid, "--person", "anna")
        assert code == 0, out
        assert json.loads(out)["verdicts"] == ["allowed"]
        assert await until(lambda: r.world.devices["front_door_lock"].state["locked"] is False)
        code, out = await r.cli("confirm", pid, "--person", "anna")
        assert code == 1 and "not_found" in out, out

        # anna's own connection confirms as anna without naming herself (identity from the broker)
        said2 = await r.ask("ben", "say", SayBody(text="lock the front door"))  # locking is secure too
        if said2["pending_confirmation"]:
            done = await r.ask("anna", "confirm", ConfirmBody(pending_id=said2["pending_confirmation"]))
            assert done["verdicts"] == ["allowed"]

        # the MQTT 3.1.1 fallback: the reply topic travels in the envelope
        code, out = await r.cli("say", "turn on the kitchen light", "--person", "anna", protocol="3.1.1")
        assert code == 0, out
        assert json.loads(out)["verdicts"] == ["allowed"]
        assert (await r.ask("laptop", "context", ContextBody(), protocol="3.1.1"))["nodes"]
        assert (await r.ask("anna", "why", WhyBody(person="anna"), protocol="3.1.1"))["person"] == "anna"


async def test_plan_asks_the_running_hub_and_executes_nothing(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        received = len(r.world.received)
        args = ("plan", "--say", "unlock the front door", "--person", "ben", "--room", "hallway", "--json")
        code, out = await r.cli(*args)
        assert code == 0, out
        remote = json.loads(out)
        assert [c["skill"] for c in remote["calls"]] == ["lock_unlock"]
        assert remote["calls"][0]["policy"].startswith("confirm")  # by voice, no owner known to be home
        await asyncio.sleep(0.3)
        assert len(r.world.received) == received and r.hub.executor.pending == {}  # nothing ran, nothing waits
        assert r.world.devices["front_door_lock"].state["locked"] is True
        # the same answer as a hub built here for the same home file (both know nobody's whereabouts)
        code, out = await asyncio.to_thread(cli, *args, "--home", str(DEMO_HOME))
        assert code == 0, out
        local = json.loads(out)
        assert (local["calls"], local["cannot"]) == (remote["calls"], remote["cannot"])
        # a person's own connection plans as that person only
        code, out = await r.cli("plan", "--say", "unlock the front door", "--person", "anna", user="ben")
        assert code == 1 and "not_authorized" in out, out


async def test_a_device_user_cannot_gain_an_owners_authority(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        decisions = len(r.hub.journal.recent(("decision",), 500))
        # by naming the owner in the payload, on its own request topic: the hub refuses (lamp is nobody)
        with pytest.raises(NotAuthorized, match="lamp"):
            await r.ask("lamp", "say", SayBody(text="unlock the front door", person="anna", origin="phone"))
        # by publishing under the owner's topic: the broker refuses (MQTT 5: PUBACK "not authorized"; 3.1.1: dropped)
        envelope = json.dumps({"id": "evil1", "verb": "say", "reply_to": "fusehub/home/reply/anna/x",
                               "body": {"text": "unlock the front door", "origin": "phone"}})
        for proto in (MQTTProtocolVersion.MQTTv5, MQTTProtocolVersion.MQTTv311):
            lamp = await asyncio.to_thread(PahoClient.connect, r.broker, None, "lamp", PASSWORDS["lamp"],
                                           f"lamp-{proto}", protocol=proto)
            try:
                rc = await asyncio.to_thread(lamp.publish, f"fusehub/{HUB_ID}/request/anna/say", envelope)
                if proto is MQTTProtocolVersion.MQTTv5:
                    assert rc is not None and rc.getName() == "Not authorized"
                rc = await asyncio.to_thread(lamp.publish, f"fusehub/{HUB_ID}/request/laptop/confirm", envelope)
            finally:
                await asyncio.to_thread(lamp.close)
        # a person's connection may not speak for someone else either
        with pytest.raises(NotAuthorized, match="may not speak for 'anna'"):
            await r.ask("ben", "say", SayBody(text="unlock the front door", person="anna"))
        with pytest.raises(NotAuthorized, match="may not speak for 'anna'"):
            await r.ask("ben", "confirm", ConfirmBody(pending_id="abc", person="anna"))
        # nor may a broker user the config does not know, whatever it claims
        with pytest.raises(NotAuthorized, match="stranger"):
            await r.ask("stranger", "context", ContextBody())
        await asyncio.sleep(0.3)
        assert len(r.hub.journal.recent(("decision",), 500)) == decisions, "the hub acted"
        assert r.world.devices["front_door_lock"].state["locked"] is True
        assert r.hub.metrics["rejected.control"] == 4  # lamp, ben x2, stranger: counted and journaled


IDENTITIES: dict[str, tuple[str, str | None]] = {
    # name: (broker user, person named in the request)
    "owner's own user": ("anna", None),
    "adult's own user": ("ben", None),
    "child's own user": ("mia", None),
    "controller for anna": ("laptop", "anna"),
    "controller for mia": ("laptop", "mia"),
    "controller for no one": ("laptop", None),
    "device user": ("lamp", None),
    "device user naming anna": ("lamp", "anna"),
    "adult's user naming anna": ("ben", "anna"),
    "unknown user naming anna": ("stranger", "anna"),
}
REQUESTS_BY_LEVEL = {"control": "turn on the kitchen light", "secure": "unlock the front door"}


def expected(identity: str, level: str, origin: str) -> str:
    """Written out independently of the hub: who the request is attributed to, then the household's policy (no
    owner is known to be home here, so a secure spoken request waits for an owner)."""
    user, named = IDENTITIES[identity]
    if user in ("lamp", "stranger") or (user in ("anna", "ben", "mia") and named not in (None, user)):
        return "not_authorized"
    person = named if user == "laptop" else user
    if level == "control":
        return "allowed"
    if person is None or person == "mia":
        return "rejected"
    return "confirm" if origin == "voice" else "allowed"


async def test_the_identity_origin_matrix_through_the_broker(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        mismatches = []
        for identity, (user, named) in IDENTITIES.items():
            for level, text in REQUESTS_BY_LEVEL.items():
                for origin in ("voice", "phone", "cli"):
                    want = expected(identity, level, origin)
                    try:
                        res = await r.ask(user, "say", SayBody(text=text, person=named, room="hallway",
                                                               origin=origin))  # type: ignore[arg-type]
                        got = res["verdicts"][0].split(":")[0]
                    except RequestError as e:
                        got = e.code.value
                    if got != want:
                        mismatches.append((identity, level, origin, want, got))
        assert mismatches == []


async def retained(broker: Mosquitto, pattern: str) -> dict[str, bytes]:
    """What the broker retains under `pattern` (a fresh subscription gets it at once)."""
    found: dict[str, bytes] = {}
    async with aiomqtt.Client("127.0.0.1", broker.port, username="fusehub", password=PASSWORDS["fusehub"],
                              identifier="retained-probe") as c:
        await c.subscribe(pattern, qos=1)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                async for m in c.messages:
                    if m.retain:
                        found[m.topic.value] = m.payload if isinstance(m.payload, bytes) else b""
    return found


async def sys_value(broker: Mosquitto, topic: str) -> int:
    async with aiomqtt.Client("127.0.0.1", broker.port, username="fusehub", password=PASSWORDS["fusehub"],
                              identifier="sys-probe") as c:
        await c.subscribe(topic)
        async with asyncio.timeout(5):
            async for m in c.messages:
                return int(m.payload if isinstance(m.payload, bytes) else 0)
    raise AssertionError("unreachable")


async def settled_sys_value(broker: Mosquitto, topic: str) -> int:
    """A $SYS counter once two readings a second apart agree (mosquitto's counters move while clients come and go,
    and it may briefly report -1 disconnected clients)."""
    last = await sys_value(broker, topic)
    for _ in range(8):
        await asyncio.sleep(1.1)
        now = await sys_value(broker, topic)
        if now == last:
            return now
        last = now
    return last


async def test_cli_calls_leave_nothing_on_the_broker(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        await asyncio.sleep(1.5)  # $SYS is published every second
        sessions_before = await settled_sys_value(broker, "$SYS/broker/clients/disconnected")
        retained_before = await retained(broker, "#")
        for protocol in ("5", "3.1.1"):
            for _ in range(3):
                code, out = await r.cli("context", "why", "anna", protocol=protocol)
                assert code == 0, out
        code, out = await r.cli("context", "why", "nobody")  # an error reply too
        assert code == 1
        left = set(await retained(broker, "#")) - set(retained_before)
        assert left == set(), left  # (each call used to leave a retained fusehub/home-cli-<random>/status)
        await asyncio.sleep(1.5)
        # a session left behind is a disconnected client the broker keeps. The seven calls above would leave seven;
        # mosquitto's counter itself wanders by one (it reads -1 at times), so more than one more is the failure.
        assert await settled_sys_value(broker, "$SYS/broker/clients/disconnected") <= sessions_before + 1


async def test_connection_errors_name_the_broker(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mqtt: {url: 'mqtt://127.0.0.1:1'}\n")
    code, out = await asyncio.to_thread(cli, "say", "hello", "--config", str(cfg), "--timeout", "2")
    assert code == 2
    assert "cannot connect to the MQTT broker at mqtt://127.0.0.1:1" in " ".join(out.split()), out
    # the hub's link, before its first connection, says the same (not "connection lost")
    caplog.set_level("WARNING", logger="fusehub.mqtt")
    async with MqttLink(MqttSettings(url="mqtt://127.0.0.1:1", reconnect_min_s=0.1), "nohub") as link:
        assert not await link.wait_connected(0.5)
    text = caplog.text
    assert "cannot connect to the MQTT broker at mqtt://127.0.0.1:1" in text and "lost" not in text


async def test_bad_envelopes_get_typed_errors(broker: Mosquitto, tmp_path: Path) -> None:
    async with running(broker, tmp_path) as r:
        async with aiomqtt.Client("127.0.0.1", broker.port, username="laptop", password=PASSWORDS["laptop"],
                                  identifier="raw-laptop", protocol=aiomqtt.ProtocolVersion.V311) as c:
            await c.subscribe(f"fusehub/{HUB_ID}/reply/laptop/#", qos=1)
            bad = {
                "body": b'{"id": "b1", "verb": "say", "reply_to": "fusehub/home/reply/laptop/b1", "body": {}}',
                "verb": b'{"id": "b2", "verb": "why", "reply_to": "fusehub/home/reply/laptop/b2", '
                        b'"body": {"person": "anna"}}',
                # the old format, with the id beside the body's fields: refused, not misread
                "flat": b'{"id": "b3", "reply_to": "fusehub/home/reply/laptop/b3", "pending_id": "x"}',
            }
            await c.publish(f"fusehub/{HUB_ID}/request/laptop/say", bad["body"], qos=1)
            await c.publish(f"fusehub/{HUB_ID}/request/laptop/say", bad["verb"], qos=1)
            await c.publish(f"fusehub/{HUB_ID}/request/laptop/confirm", bad["flat"], qos=1)
            got: dict[str, Any] = {}
            async with asyncio.timeout(5):
                async for m in c.messages:
                    reply = json.loads(m.payload if isinstance(m.payload, bytes) else b"{}")
                    got[m.topic.value.rsplit("/", 1)[1]] = reply
                    if len(got) == 3:
                        break
        assert got["b1"]["error"]["code"] == "bad_request" and "text" in got["b1"]["error"]["message"]
        assert got["b2"]["error"]["code"] == "bad_request" and "why request on the say topic" in \
            got["b2"]["error"]["message"]
        assert got["b3"]["error"]["code"] == "bad_request" and got["b3"]["id"] == "b3"
        assert r.hub.metrics["rejected.control"] >= 3
        with pytest.raises(NotFound):
            await r.ask("anna", "confirm", ConfirmBody(pending_id="nope"))


def test_a_mapping_to_someone_not_in_the_home_is_a_config_error(tmp_path: Path) -> None:
    from fusehub.errors import ConfigError

    cfg = HubConfig(home=str(DEMO_HOME), data_dir=str(tmp_path),
                    requests=RequestsConfig(users={"zed": Requester(person="zed")}))
    with pytest.raises(ConfigError, match=r"requests\.users: no person 'zed'"):
        build_hub(cfg, clock=VirtualClock(START), journal=Journal(":memory:"))


def test_no_body_field_collides_with_the_envelope() -> None:
    from fusehub.protocol import ConfirmRequest, ContextRequest, SayRequest, WhyRequest

    for kind in (SayRequest, ContextRequest, WhyRequest, ConfirmRequest):
        body = kind.model_fields["body"].annotation
        assert isinstance(body, type)
        assert not set(body.model_fields) & set(kind.model_fields), kind.__name__
    # the confirm verb's pending id and the request's own id are two fields in two places
    req = ConfirmRequest(id="r1", body=ConfirmBody(pending_id="p1", person="anna"))
    assert json.loads(req.model_dump_json())["body"]["pending_id"] == "p1" and req.id == "r1"
