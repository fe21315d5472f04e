"""Hub settings, loaded from YAML and validated with pydantic; errors name the file and the key."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from fusehub import yamlio as yaml
from fusehub.errors import ConfigError
from fusehub.policy import PolicyConfig
from fusehub.reasoner.planner import CLARIFY_BELOW
from fusehub.sdk import DEFAULT_COMMAND_TTL_S
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "HubConfig", "MqttSettings", "ReasonerConfig", "Requester", "RequestsConfig", "TlsSettings", "config_candidates",
    "find_config", "load_config",
]

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TlsSettings(_Strict):
    ca_certs: str | None = Field(default=None, description="CA bundle to verify the broker.")
    certfile: str | None = Field(default=None, description="Client certificate (for mutual TLS).")
    keyfile: str | None = Field(default=None, description="Client key.")
    insecure: bool = Field(default=False, description="Skip hostname verification (testing only).")


class MqttSettings(_Strict):
    url: str | None = Field(
        default=None,
        description="mqtt://host:port or mqtts://host:port. Unset: an embedded broker is started in-process.",
    )
    username: str | None = None
    password: str | None = Field(default=None, description="Or set FUSEHUB_MQTT_PASSWORD in the environment.")
    tls: TlsSettings | None = None
    protocol: Literal["3.1.1", "5"] = Field(default="5", description="MQTT protocol version.")
    client_id: str | None = None
    keepalive: int = Field(default=30, ge=5, le=3600)
    embedded_bind: str = Field(default="127.0.0.1:1883", description="Embedded broker listen address.")
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        u = urlparse(v)
        if u.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not u.hostname:
            raise ValueError("url must look like mqtt://host:1883 or mqtts://host:8883")
        return v

    def host_port(self) -> tuple[str, int, bool]:
        """(host, port, tls) of the configured broker, or of the embedded one."""
        if self.url is None:
            host, _, port = self.embedded_bind.rpartition(":")
            return host or "127.0.0.1", int(port), False
        u = urlparse(self.url)
        tls = u.scheme in ("mqtts", "ssl") or self.tls is not None
        return u.hostname or "127.0.0.1", u.port or (8883 if tls else 1883), tls

    def resolved_password(self) -> str | None:
        return self.password if self.password is not None else os.environ.get("FUSEHUB_MQTT_PASSWORD")


class ReasonerConfig(_Strict):
    mode: Literal["auto", "intents", "planner"] = Field(
        default="auto", description="auto: local intents first, the planner for the rest; or force one path."
    )
    language: str = "en"
    planner: Literal["llm", "none"] = Field(
        default="llm", description="llm: the on-hub model (when built; otherwise a warning and none); none: no "
        "planner, unmatched requests get a clear 'cannot'."
    )
    model_dir: str | None = Field(default=None, description="Model folder; default: the one `fusehub model build` "
                                  "made for the shipped adapter.")
    clarify_below: float = Field(default=CLARIFY_BELOW, ge=0, le=1, description="Planner confidence under which the "
                                 "hub asks a short clarifying question instead of acting.")
    autonomy: Literal["act", "suggest", "off"] = Field(
        default="suggest", description="The autonomy of a household preference (the home file's `preferences`) "
        "that does not give its own: act (policy still applies; secure calls always need an owner), suggest (sent "
        "to the owners' phones to confirm), off."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_situations(cls, data: Any) -> Any:
        if isinstance(data, dict) and "situations" in data:
            raise ValueError("`situations` was removed: situations act only through the household's preferences "
                             "(the home file's `preferences:`; see the README)")
        return data


class Requester(_Strict):
    """Who a broker user is, for requests it publishes under `fusehub/<hub_id>/request/<user>/`."""

    person: str | None = Field(default=None, description="The person this user is: its requests are that "
                               "person's, and it may not speak for anyone else.")
    controller: bool = Field(default=False, description="A trusted controller (e.g. the CLI on the hub's box): it "
                             "may speak for any person a request names, or for no one (an unidentified requester).")

    @model_validator(mode="after")
    def _one(self) -> Requester:
        if (self.person is None) == (not self.controller):
            raise ValueError("give either `person: <id>` or `controller: true`")
        return self


_USER = r"^[^/+#\x00]{1,128}$"


class RequestsConfig(_Strict):
    """Who may ask the running hub for things (`fusehub say`, `confirm`, ...): identity comes from the broker."""

    users: dict[str, Requester] = Field(
        default_factory=dict,
        description="Broker username (or client-certificate name, with mosquitto's use_identity_as_username) -> "
        "who it is. The hub's own username is always a controller. Any other user is refused.",
    )
    anonymous: Requester | None = Field(
        default=None,
        description="What a client without a username is. Unset: a controller on the embedded broker (which has no "
        "users, and listens on loopback), refused on any other broker.",
    )

    @field_validator("users")
    @classmethod
    def _names(cls, v: dict[str, Requester]) -> dict[str, Requester]:
        for name in v:
            if not re.match(_USER, name):
                raise ValueError(f"{name!r} cannot be a topic level (no '/', '+' or '#')")
            if name == "anonymous":
                raise ValueError("'anonymous' is the name of clients without a username: set `requests.anonymous`")
        return v


class HubConfig(_Strict):
    hub_id: str = Field(default="fusehub", pattern=r"^[A-Za-z0-9_-]+$")
    home: str | None = Field(default=None, description="Home description YAML. Unset: the shipped demo home.")
    rules: list[str] = Field(default_factory=list, description="Rule files (YAML).")
    data_dir: str = Field(
        default_factory=lambda: str(Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "fusehub"),
        description="Where the journal and the persisted graph live.",
    )
    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    adapters: list[str] | None = Field(default=None, description="Adapters to enable; all built-in when unset.")
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    reasoner: ReasonerConfig = Field(default_factory=ReasonerConfig)
    requests: RequestsConfig = Field(default_factory=RequestsConfig)
    command_ttl_s: float = Field(default=DEFAULT_COMMAND_TTL_S, gt=0,
                                 description="A command not delivered by then is dropped.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    def journal_path(self) -> Path:
        return Path(self.data_dir) / "journal.sqlite"


def config_candidates() -> list[Path]:
    """Where the hub and the CLI look for a config when none is given, in order: $FUSEHUB_CONFIG,
    $XDG_CONFIG_HOME/fusehub/config.yaml (~/.config/...), /etc/fusehub/config.yaml (deploy/fusehub.service's)."""
    env = os.environ.get("FUSEHUB_CONFIG")
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [*([Path(env).expanduser()] if env else []), xdg / "fusehub" / "config.yaml",
            Path("/etc/fusehub/config.yaml")]


def find_config(explicit: str | Path | None) -> Path | None:
    """The config `fusehub run` and every verb that talks to a running hub use: the one given, else the first
    of `config_candidates()` that exists, else None (the built-in defaults: the demo's embedded broker).
    A $FUSEHUB_CONFIG that does not exist is an error, not a silent fall-through."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("FUSEHUB_CONFIG")
    if env and not Path(env).expanduser().is_file():
        raise ConfigError(f"FUSEHUB_CONFIG={env}: no such file")
    return next((p for p in config_candidates() if p.is_file()), None)


def load_config(path: str | Path | None) -> HubConfig:
    """Load a config file; relative paths in it are taken relative to the file."""
    if path is None:
        return HubConfig()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except OSError as e:
        raise ConfigError(f"cannot read config {p}: {e.strerror}") from e
    except yaml.YAMLError as e:
        raise ConfigError(yaml.describe_error(e, str(p))) from e
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: a config must be a mapping")
    base = p.resolve().parent
    for key in ("home", "data_dir"):
        if isinstance(data.get(key), str):
            data[key] = str((base / os.path.expanduser(data[key])).resolve())
    if isinstance(data.get("rules"), list):
        data["rules"] = [str((base / os.path.expanduser(r)).resolve()) if isinstance(r, str) else r
                         for r in data["rules"]]
    return yaml.validate(HubConfig, data, str(p), "config", text)
