"""Exactly-once requests with real processes: a real mosquitto (persistence on) and the hub daemon
(`python -m fusehub.cli run`), killed with SIGKILL while requests it had already received were waiting.

The hub acknowledges a request to the broker only once its outcome is durable, so a request a killed hub had
taken but not handled is delivered again to the next incarnation and handled there; and the request id is kept in
the journal with the command (same transaction), so a request delivered again after it was handled is recognised
by a hub that has never seen it in memory. Before this, paho acknowledged each request as it arrived and the
requests were lost with the process.

To hold requests in a hub deterministically, the broker's ACL refuses the hub its own start-up barrier message:
the hub then keeps the requests it receives for 5 s (the barrier's time-out) before handling them, and is killed
inside that window.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from fusehub.protocol import ANONYMOUS, SayBody, SayRequest, reply_prefix, request_topic
from fusehub.simulations.broker import Mosquitto, free_port, mosquitto_path

from tests.conftest import DEMO_HOME, ROOT

pytestmark = pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto is not installed")

HUB = "once"
ACL = f"""topic write #
topic read fusehub/{HUB}/request/#
topic read fusehub/{HUB}/reply/#
topic read fusehub/{HUB}/status
"""
"""Anonymous clients (the hub and the test's requester) may publish anything and read the request channel, but not
`fusehub/once/barrier`: the hub's barrier never comes back."""


class Requester:
    """The test's MQTT client: publishes requests (QoS 1) and collects replies, each on its own reply topic."""

    def __init__(self, url_port: int) -> None:
        self.replies: dict[str, dict[str, object]] = {}
        self.online = 0
        self.c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="once-requester", protocol=paho.MQTTv5)
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", url_port)
        self.c.subscribe(f"fusehub/{HUB}/reply/#", qos=1)
        self.c.subscribe(f"fusehub/{HUB}/status", qos=1)
        self.c.loop_start()

    def _on_message(self, _c: object, _u: object, m: paho.MQTTMessage) -> None:
        if m.topic == f"fusehub/{HUB}/status":
            if m.payload == b"online" and not m.retain:
                self.online += 1
            return
        self.replies[m.topic.rsplit("/", 1)[1]] = json.loads(m.payload)

    def say(self, rid: str, text: str) -> None:
        req = SayRequest(id=rid, reply_to=reply_prefix(HUB, ANONYMOUS) + rid, body=SayBody(text=text, person="anna"))
        self.c.publish(request_topic(HUB, ANONYMOUS, "say"), req.model_dump_json(), qos=1).wait_for_publish(5)

    def wait(self, what: object, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if callable(what) and what():
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[Mosquitto, Path]]:
    (tmp_path / "mosq").mkdir()
    broker = Mosquitto(port=free_port(), persistence_dir=str(tmp_path / "mosq"), acl=ACL,
                       extra_conf="autosave_interval 1\n")
    broker.start()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"hub_id: {HUB}\nhome: {DEMO_HOME}\nrules: []\ndata_dir: {tmp_path / 'data'}\nlog_level: INFO\n"
        f"mqtt: {{url: '{broker.url}', protocol: '5', client_id: {HUB}-hub, reconnect_min_s: 0.1, "
        "reconnect_max_s: 0.5}\npolicy: {merge_window_s: 0, rate_limit_count: 1000000, rate_limit_window_s: 1}\n"
        "reasoner: {mode: intents}\nrequests: {anonymous: {controller: true}}\n"  # the broker has no users
    )
    try:
        yield broker, cfg
    finally:
        broker.stop()


def _start(cfg: Path) -> subprocess.Popen[bytes]:
    log = open(cfg.parent / "hub.log", "ab")  # noqa: SIM115 (the child keeps it)
    try:
        return subprocess.Popen([sys.executable, "-m", "fusehub.cli", "run", "--config", str(cfg)], stdout=log,
                                stderr=subprocess.STDOUT, cwd=ROOT)
    finally:
        log.close()


def _kill(hub: subprocess.Popen[bytes]) -> None:
    hub.send_signal(signal.SIGKILL)
    hub.wait(10)


def _outbox(cfg: Path) -> dict[str, int]:
    """Commands in the hub's outbox per TV volume (the ground truth: what the hub issued). The TV is the demo home's
    generic device: its topics are in the home file, so the hub commands it without any discovery."""
    db = sqlite3.connect(f"file:{cfg.parent / 'data' / 'journal.sqlite'}?mode=ro", uri=True, timeout=5)
    try:
        rows = db.execute("SELECT e.body FROM events e WHERE e.kind='command' AND e.id IN"
                          " (SELECT command_id FROM outbox WHERE device='living_tv')").fetchall()
    finally:
        db.close()
    out: dict[str, int] = {}
    for (body,) in rows:
        b = str(json.loads(body)["params"].get("volume"))
        out[b] = out.get(b, 0) + 1
    return out


def test_a_request_a_killed_hub_had_received_is_handled_once_by_the_next(rig: tuple[Mosquitto, Path]) -> None:
    broker, cfg = rig
    req = Requester(broker.port)
    hub = _start(cfg)
    try:
        # 1. the hub is up and its session exists (the first request is answered once the barrier times out)
        deadline = time.monotonic() + 60
        while "ready" not in req.replies:  # sent again until the hub has subscribed (same id: handled once)
            assert time.monotonic() < deadline, "the hub never answered"
            req.say("ready", "set the living room tv volume to 10")
            req.wait(lambda: "ready" in req.replies, 2)
        _kill(hub)
        # 2. requests queued in the hub's session while it is down
        values = [21, 22, 23, 24, 25]
        for v in values:
            req.say(f"r{v}", f"set the living room tv volume to {v}")
        # 3. the next incarnation receives them and holds them (no barrier): killed before it handles them
        online = req.online
        hub = _start(cfg)
        assert req.wait(lambda: req.online > online, 60), "the hub did not come back"
        time.sleep(2.0)  # the requests are in the hub by now; the barrier's 5 s are not over
        assert not any(f"r{v}" in req.replies for v in values), "the hub handled them already: no test"
        _kill(hub)
        # 4. the third incarnation gets them again from the broker and handles each once
        hub = _start(cfg)
        assert req.wait(lambda: all(f"r{v}" in req.replies for v in values), 60), \
            f"requests lost with the killed hub: replies {sorted(req.replies)}"
        first = {v: req.replies[f"r{v}"] for v in values}
        _kill(hub)
        # 5. the same requests again (a requester retrying): a fresh process recognises them from the journal
        hub = _start(cfg)
        for v in values:
            del req.replies[f"r{v}"]
            req.say(f"r{v}", f"set the living room tv volume to {v}")
        assert req.wait(lambda: all(f"r{v}" in req.replies for v in values), 60)
        assert {v: req.replies[f"r{v}"] for v in values} == first  # the reply each got the first time
        made = _outbox(cfg)
        assert {v: made.get(str(v), 0) for v in values} == dict.fromkeys(values, 1)
    finally:
        if hub.poll() is None:
            _kill(hub)
        req.close()
