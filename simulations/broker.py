"""Start a real mosquitto broker on a free loopback port (tests, benchmarks, the simulator)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["Mosquitto", "free_port", "mosquitto_path"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def mosquitto_path() -> str | None:
    for cand in (shutil.which("mosquitto"), "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if cand and Path(cand).exists():
            return cand
    return None


class Mosquitto:
    """A mosquitto process on 127.0.0.1:<free port>, configured so that QoS 1 to a slow subscriber is not
    silently dropped (see broker-notes: default queue limits lose messages)."""

    def __init__(self, port: int | None = None, extra_conf: str = "", persistence_dir: str | None = None) -> None:
        exe = mosquitto_path()
        if exe is None:
            raise RuntimeError("mosquitto is not installed: run the README's setup command (apt-get install mosquitto)")
        self.exe = exe
        self.port = port or free_port()
        self.extra_conf = extra_conf
        self._tmp = tempfile.TemporaryDirectory(prefix="fusehub-mosq-")
        self.persistence_dir = persistence_dir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def conf_text(self) -> str:
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 1000000",
            "max_queued_bytes 0",
            "max_inflight_messages 0",
            "max_keepalive 3600",
            "set_tcp_nodelay true",
            "log_dest none",
        ]
        if self.persistence_dir:
            lines += ["persistence true", f"persistence_location {self.persistence_dir.rstrip('/')}/"]
        return "\n".join(lines) + "\n" + self.extra_conf

    def start(self) -> Mosquitto:
        conf = Path(self._tmp.name) / "mosquitto.conf"
        conf.write_text(self.conf_text())
        self.proc = subprocess.Popen([self.exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"mosquitto exited with {self.proc.returncode}: {err}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not open port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
        self._tmp.cleanup()
