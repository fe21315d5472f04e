"""The README's "First real device in five minutes", run as written: its shell blocks, in order, against a real
mosquitto with the real `mosquitto_pub` and `mosquitto_sub`. Only the broker's port (1883 -> the test broker's),
HOME (-> a temporary folder) and `.venv/bin/` (-> this interpreter's bin folder) are substituted."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fusehub.config import config_candidates, find_config
from fusehub.errors import ConfigError
from fusehub.simulations.broker import Mosquitto

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## First real device in five minutes"


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, "the README lost its first-device section"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def _sub(text: str, port: int) -> str:
    return text.replace("1883", str(port)).replace(".venv/bin/", f"{Path(sys.executable).parent}/")


def _clients() -> tuple[str, str]:
    pub, sub = shutil.which("mosquitto_pub"), shutil.which("mosquitto_sub")
    if pub is None or sub is None:
        pytest.fail("mosquitto_pub/mosquitto_sub missing: scripts/setup.sh installs mosquitto-clients")
    return pub, sub


def test_the_readme_first_device_steps_switch_a_discovered_lamp(mosquitto: Mosquitto, tmp_path: Path) -> None:
    _clients()
    setup, run, watch, ask = _blocks()
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "FUSEHUB_CONFIG")}
    env["HOME"] = str(tmp_path)
    port = mosquitto.port
    subprocess.run(["bash", "-euc", _sub(setup, port)], env=env, cwd=ROOT, check=True, timeout=30)
    assert (tmp_path / ".config/fusehub/config.yaml").is_file()

    hub = subprocess.Popen(shlex.split(_sub(run.strip(), port)), env=env, cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    sub = subprocess.Popen(shlex.split(_sub(watch.strip(), port)), env=env, stdout=subprocess.PIPE, text=True)
    try:
        pub_line, say_line = [line for line in ask.strip().splitlines() if line.strip()]
        subprocess.run(shlex.split(_sub(pub_line, port)), env=env, check=True, timeout=30)
        answer = None
        deadline = time.monotonic() + 60
        while answer is None and time.monotonic() < deadline:  # the hub may still be starting, as for a person
            r = subprocess.run(shlex.split(_sub(say_line, port)), env=env, cwd=ROOT, capture_output=True, text=True,
                               timeout=60)
            if r.returncode == 0 and json.loads(r.stdout).get("commands"):
                answer = json.loads(r.stdout)
            else:
                time.sleep(0.5)
        assert answer is not None, f"the hub never switched the lamp: {r.stdout} {r.stderr}"
        assert [(c["device"], c["action"]) for c in answer["commands"]] == [("office_desk_lamp", "turn_on")]
        seen = _read_until(sub, "office/desk_lamp/set ON", 15)
        assert "office/desk_lamp/set ON" in seen, seen
    finally:
        # the README's clean-up: clear the retained discovery config (the broker is shared with other tests)
        section = (ROOT / "README.md").read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
        remove = re.search(r"`(mosquitto_pub [^`]* -n)`", section)
        assert remove is not None, "the README lost its clean-up command"
        subprocess.run(shlex.split(_sub(remove.group(1), port)), env=env, check=True, timeout=30)
        sub.kill()
        sub.wait(timeout=10)
        hub.send_signal(signal.SIGINT)
        out, _ = hub.communicate(timeout=30)
    assert "stopped cleanly" in out, out
    assert f"config {tmp_path}/.config/fusehub/config.yaml" in out  # found by default, as the README says


def _read_until(proc: subprocess.Popen[str], needle: str, timeout: float) -> str:
    import selectors

    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if sel.select(timeout=0.5):
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
    return seen


def test_the_readme_discovery_payload_is_what_the_test_publishes() -> None:
    """The expected output the README shows is the topic and payload the test waits for."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    assert "office/desk_lamp/set ON" in section


def test_find_config_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUSEHUB_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    given = tmp_path / "given.yaml"
    assert find_config(given) == given
    user = tmp_path / "xdg/fusehub/config.yaml"
    assert config_candidates()[0] == user
    if not Path("/etc/fusehub/config.yaml").exists():
        assert find_config(None) is None
    user.parent.mkdir(parents=True)
    user.write_text("hub_id: home\n")
    assert find_config(None) == user
    env = tmp_path / "env.yaml"
    env.write_text("hub_id: other\n")
    monkeypatch.setenv("FUSEHUB_CONFIG", str(env))
    assert find_config(None) == env
    monkeypatch.setenv("FUSEHUB_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="FUSEHUB_CONFIG"):
        find_config(None)
