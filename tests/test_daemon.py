"""`fusehub run` as a real process: answers `say` and `context show`, journals, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from fusehub.simulations.broker import Mosquitto

from tests.conftest import DEMO_HOME, DEMO_RULES

FUSEHUB = [sys.executable, "-m", "fusehub.cli"]


def test_daemon_say_context_log_and_sigterm(mosquitto: Mosquitto, tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"hub_id: daemontest\nhome: {DEMO_HOME}\nrules: [{DEMO_RULES}]\ndata_dir: {tmp_path / 'data'}\n"
        f"mqtt: {{url: '{mosquitto.url}', client_id: daemontest}}\n"
        "requests: {anonymous: {controller: true}}\n"  # the test broker has no users
    )
    proc = subprocess.Popen([*FUSEHUB, "run", "--config", str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline:
            r = subprocess.run([*FUSEHUB, "say", "what is the humidifier target humidity", "--config", str(cfg),
                                "--timeout", "3"], capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                answer = json.loads(r.stdout)
                break
            time.sleep(0.5)
        assert answer is not None, "the daemon never answered"
        assert answer["calls"] == [{"skill": "attribute_get",
                                    "args": {"device": "humidifier", "attribute": "target_humidity"}}]
        assert answer["verdicts"] == ["allowed"]
        r = subprocess.run([*FUSEHUB, "say", "turn on the kitchen light", "--person", "anna", "--config", str(cfg)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        said = json.loads(r.stdout)
        assert said["calls"][0]["skill"] == "light_turn_on"
        # no virtual devices here: the device has not been seen, so the command is sent to its declared address
        r = subprocess.run([*FUSEHUB, "context", "show", "--config", str(cfg), "--json"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        graph = json.loads(r.stdout)
        assert any(n.get("id") == "humidifier" for n in graph["nodes"])
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "stopped cleanly" in out
    r = subprocess.run([*FUSEHUB, "log", "--config", str(cfg)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "humidifier" in r.stdout
