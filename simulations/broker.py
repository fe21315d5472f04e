"""Start a real mosquitto broker on a free loopback port (tests, benchmarks, the simulator)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["Mosquitto", "TlsFiles", "free_port", "make_test_certs", "mosquitto_path", "password_line"]


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


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """PEM files for a TLS listener: the CA that signed the server certificate, the certificate, its key."""

    ca: str
    cert: str
    key: str


def make_test_certs(directory: str | Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> TlsFiles:
    """A throwaway CA and a server certificate for `hosts` (IPs and DNS names), made with the openssl CLI.
    For tests only: the CA key is left next to the certificates, unencrypted."""
    exe = shutil.which("openssl")
    if exe is None:
        raise RuntimeError("openssl is not installed (apt-get install openssl)")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = d / "ca.key", d / "ca.crt"
    key, csr, crt, ext = d / "server.key", d / "server.csr", d / "server.crt", d / "server.ext"
    san = ",".join(f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}" for h in hosts)
    ext.write_text(
        f"subjectAltName={san}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )

    def run(*args: str) -> None:
        subprocess.run([exe, *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "2", "-subj", "/CN=fusehub test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={hosts[0]}")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(crt), "-days", "2", "-extfile", str(ext))
    return TlsFiles(ca=str(ca_crt), cert=str(crt), key=str(key))


def password_line(user: str, password: str) -> str:
    """One password-file line in mosquitto's PBKDF2-SHA512 format (`$7$`, mosquitto >= 2.0), as
    `mosquitto_passwd` writes it; used when that tool is not installed."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return f"{user}:$7$101${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


class Mosquitto:
    """A mosquitto process on 127.0.0.1:<free port>, configured so that QoS 1 to a slow subscriber is not
    silently dropped (see broker-notes: default queue limits lose messages).

    Optionally secured: `tls` makes the listener TLS-only (`url` becomes mqtts://), `passwords`
    ({user: password}) writes a password file and turns anonymous access off, and `acl` is the text
    of a mosquitto ACL file (`user <name>` / `topic [read|write|readwrite|deny] <filter>` / `pattern ...`)."""

    def __init__(
        self, port: int | None = None, extra_conf: str = "", persistence_dir: str | None = None,
        *, tls: TlsFiles | None = None, passwords: dict[str, str] | None = None, acl: str | None = None,
    ) -> None:
        exe = mosquitto_path()
        if exe is None:
            raise RuntimeError("mosquitto is not installed: run the README's setup command (apt-get install mosquitto)")
        self.exe = exe
        self.port = port or free_port()
        self.extra_conf = extra_conf
        self._tmp = tempfile.TemporaryDirectory(prefix="fusehub-mosq-")
        self.persistence_dir = persistence_dir
        self.tls = tls
        self.passwords = dict(passwords) if passwords is not None else None
        self.acl = acl
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    @property
    def secured(self) -> bool:
        return self.tls is not None or self.passwords is not None or self.acl is not None

    def _write_password_file(self, path: Path) -> None:
        assert self.passwords is not None
        path.write_text("")
        tool = shutil.which("mosquitto_passwd") or ("/usr/bin/mosquitto_passwd"
                                                    if Path("/usr/bin/mosquitto_passwd").exists() else None)
        if tool is None:
            path.write_text("".join(password_line(u, p) + "\n" for u, p in self.passwords.items()))
        else:
            for user, pw in self.passwords.items():
                subprocess.run([tool, "-b", str(path), user, pw], check=True, capture_output=True)
        path.chmod(0o600)

    def conf_text(self) -> str:
        tmp = Path(self._tmp.name)
        auth: list[str] = []
        if self.tls is not None:
            auth += [f"cafile {self.tls.ca}", f"certfile {self.tls.cert}", f"keyfile {self.tls.key}"]
        if self.passwords is not None:
            auth.append(f"password_file {tmp / 'passwords'}")
        if self.acl is not None:
            auth.append(f"acl_file {tmp / 'acl'}")
        if (self.secured or self.persistence_dir) and os.geteuid() == 0:
            # Else mosquitto started by root drops to the `mosquitto` user, who can neither read our private temp
            # dir nor write the persistence dir (it then runs without persistence and says so only in its log).
            auth.append("user root")
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false" if self.passwords is not None else "allow_anonymous true",
            *auth,
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
        tmp = Path(self._tmp.name)
        if self.passwords is not None:
            self._write_password_file(tmp / "passwords")
        if self.acl is not None:
            (tmp / "acl").write_text(self.acl if self.acl.endswith("\n") else self.acl + "\n")
        conf = tmp / "mosquitto.conf"
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
