"""Shelly Gen2+ (Plus/Pro/Mini) over MQTT: JSON-RPC commands, status and event notifications, availability.

Conventions (shelly-api-docs ``gen2/General/RPCProtocol``, ``RPCChannels``, ``Notifications``,
``ComponentsAndServices/Mqtt``, ``Switch``, ``Input``); ``<prefix>`` is the MQTT topic prefix, by default the
device id such as ``shellyplus1pm-a8032ab12345``:

- ``<prefix>/online``: ``true``/``false`` (retained; ``false`` is the will) -> Availability of
  ``shelly:<prefix>:*`` (every component of the device). It does not say which components exist, so it
  discovers nothing.
- ``<prefix>/status/<component:id>`` (``status_ntf``) and ``<prefix>/events/rpc`` ``NotifyStatus`` /
  ``NotifyFullStatus`` (``rpc_ntf``): ``switch:N`` -> Discovered ``shelly:<prefix>:switch:N`` (kind
  ``switch``, ``on_off``; the parser is stateless, so every such message re-announces it and the graph
  merges) and an Observation: ``output`` -> ``on``, ``apower`` -> ``power`` (W), ``voltage``, ``current``,
  ``aenergy.total`` -> ``energy`` (Wh), ``temperature.tC`` -> ``temperature``. ``input:N`` -> a device
  ``shelly:<prefix>:input:N`` (kind ``button``) with ``input`` (its state, when reported).
- ``NotifyEvent``: ``params.events[]`` with ``component: "input:N"`` and a push event (``single_push``,
  ``double_push``, ``triple_push``, ``long_push``, ``btn_down``, ``btn_up``) -> event ``press`` with
  ``{"action": <event>}`` on the input's device. Other events are ignored.
- Other components (``sys``, ``wifi``, ``cloud``, ...) are valid and yield nothing.
- The topics ``+/online``, ``+/status/+`` and ``+/events/rpc`` are broad: a message whose first level does not
  look like a Shelly id (``shelly<model>-<6-12 hex>``, case-insensitive) belongs to another ecosystem and
  yields nothing (not a rejection). Devices with a custom ``topic_prefix`` are therefore not recognised.

Commands: a JSON-RPC frame on ``<prefix>/rpc``: ``{"id": <n>, "src": "fusehub/shelly", "method":
"Switch.Set", "params": {"id": N, "on": true}}`` (``Switch.Toggle`` for toggle). The reply goes to
``<src>/rpc`` = ``fusehub/shelly/rpc``. The id is matched without keeping state: ``id = h * 16 + N`` where
``h`` is the first 48 bits of SHA-256 of the hub's command id (so ``id % 16`` is the switch and the whole
id identifies the command: :func:`rpc_id`). A reply with ``result`` becomes an Observation on
``shelly:<src>:switch:<id % 16>`` with event ``rpc_result`` and data ``{"rpc_id", "result"}``; a reply with
``error`` becomes a Rejected naming the code and message. The new state itself arrives by NotifyStatus.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from fusehub.adapter import AdapterSpec, Route, SimDevice
from fusehub.adapters._util import (
    BadInput,
    command,
    decode_text,
    dumps,
    epoch_to_datetime,
    is_finite_number,
    load_json,
    never_raises,
    short,
)
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Outbound, Parsed, Rejected
from fusehub.home import DeviceDecl

__all__ = ["REPLY_TOPIC", "SPEC", "SRC", "is_shelly_id", "rpc_id"]

NAME: Final = "shelly"
SRC: Final = "fusehub/shelly"
REPLY_TOPIC: Final = f"{SRC}/rpc"
MAX_COMPONENT: Final = 15
MAX_TS: Final = 10**11

_ID_RE: Final = re.compile(r"^shelly[a-z0-9]+-[0-9a-f]{6,12}$", re.IGNORECASE)
_COMP_RE: Final = re.compile(r"^(switch|input):([0-9]{1,2})$")
_PUSHES: Final = frozenset({"single_push", "double_push", "triple_push", "long_push", "btn_down", "btn_up"})


def is_shelly_id(prefix: str) -> bool:
    """Whether a topic's first level looks like a Shelly Gen2 device id."""
    return bool(_ID_RE.match(prefix))


def _key(prefix: str, comp: str, n: int) -> str:
    return f"{NAME}:{prefix}:{comp}:{n}"



def rpc_id(command_id: str, switch: int) -> int:
    """The JSON-RPC id for a command: 48 bits of SHA-256(command id), times 16, plus the switch index."""
    h = int(hashlib.sha256(command_id.encode("utf-8")).hexdigest()[:12], 16)
    return h * 16 + switch


def _component(name: str) -> tuple[str, int] | None:
    m = _COMP_RE.match(name)
    if m is None or int(m.group(2)) > MAX_COMPONENT:
        return None
    return m.group(1), int(m.group(2))


def _discovered(prefix: str, comp: str, n: int) -> Discovered:
    model = prefix.rsplit("-", 1)[0]
    if comp == "switch":
        spec = DeviceSpec(key=_key(prefix, comp, n), name=f"{prefix} switch {n}", kind="switch",
                          capabilities=["on_off"], address={"prefix": prefix, "switch": n},
                          manufacturer="Shelly", model=model)
    else:
        spec = DeviceSpec(key=_key(prefix, comp, n), name=f"{prefix} input {n}", kind="button",
                          address={"prefix": prefix, "input": n}, manufacturer="Shelly", model=model)
    return Discovered(spec=spec)


def _switch_attrs(s: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "output" in s:
        if not isinstance(s["output"], bool):
            raise BadInput("switch output must be true or false")
        out["on"] = s["output"]
    for src, dst in (("apower", "power"), ("voltage", "voltage"), ("current", "current")):
        if src in s:
            if not is_finite_number(s[src]):
                raise BadInput(f"switch {src} must be a number")
            out[dst] = s[src]
    energy = s.get("aenergy")
    if isinstance(energy, dict) and is_finite_number(energy.get("total")):
        out["energy"] = energy["total"]
    temp = s.get("temperature")
    if isinstance(temp, dict) and is_finite_number(temp.get("tC")):
        out["temperature"] = temp["tC"]
    return out


def _when(ts: Any) -> datetime | None:
    return epoch_to_datetime(float(ts)) if is_finite_number(ts) and 0 < ts < MAX_TS else None


def _component_status(prefix: str, name: str, s: Any, ts: Any = None) -> list[Parsed]:
    comp = _component(name)
    if comp is None:
        return []
    if not isinstance(s, dict):
        raise BadInput(f"{short(name, 20)} status must be an object")
    kind, n = comp
    if kind == "switch":
        attrs = _switch_attrs(s)
    else:
        attrs = {}
        if "state" in s and s["state"] is not None:
            if not isinstance(s["state"], bool):
                raise BadInput("input state must be true, false or null")
            attrs["input"] = s["state"]
    out: list[Parsed] = [_discovered(prefix, kind, n)]
    if attrs:
        out.append(Observation(device=_key(prefix, kind, n), attributes=attrs, observed_at=_when(ts)))
    return out


def _prefix(topic: str) -> str | None:
    p = topic.split("/", 1)[0]
    return p if is_shelly_id(p) else None


def _parse_online(topic: str, payload: bytes) -> list[Parsed]:
    prefix = _prefix(topic)
    if prefix is None:
        return []
    text = decode_text(payload).strip()
    if text not in ("true", "false"):
        raise BadInput(f"online must be true or false, got {short(text)}")
    return [Availability(device=f"{NAME}:{prefix}:*", online=text == "true")]


def _parse_status(topic: str, payload: bytes) -> list[Parsed]:
    prefix = _prefix(topic)
    if prefix is None:
        return []
    name = topic.split("/")[2]
    if _component(name) is None:
        return []  # sys, wifi, cloud, ...: valid, not used
    return _component_status(prefix, name, load_json(payload))


def _parse_events(topic: str, payload: bytes) -> list[Parsed]:
    prefix = _prefix(topic)
    if prefix is None:
        return []
    frame = load_json(payload)
    if not isinstance(frame, dict) or not isinstance(frame.get("method"), str):
        raise BadInput("a notification must be an object with a string 'method'")
    params = frame.get("params")
    if not isinstance(params, dict):
        raise BadInput("a notification needs 'params' as an object")
    method = frame["method"]
    out: list[Parsed] = []
    if method in ("NotifyStatus", "NotifyFullStatus"):
        for name, s in params.items():
            out += _component_status(prefix, name, s, params.get("ts"))
        return out
    if method == "NotifyEvent":
        events = params.get("events")
        if not isinstance(events, list):
            raise BadInput("NotifyEvent needs 'events' as a list")
        for e in events[:50]:
            if not isinstance(e, dict):
                raise BadInput("each event must be an object")
            comp = _component(str(e.get("component", "")))
            if comp is None or comp[0] != "input" or e.get("event") not in _PUSHES:
                continue
            when = _when(e.get("ts"))
            out.append(_discovered(prefix, *comp))
            out.append(Observation(device=_key(prefix, *comp), event="press", data={"action": e["event"]},
                                   observed_at=when))
        return out
    return []


def _parse_reply(topic: str, payload: bytes) -> list[Parsed]:
    frame = load_json(payload)
    if not isinstance(frame, dict):
        raise BadInput("an RPC reply must be a JSON object")
    rid, src = frame.get("id"), frame.get("src")
    if not isinstance(rid, int) or isinstance(rid, bool) or rid < 0:
        raise BadInput(f"an RPC reply needs a non-negative integer id, got {short(rid)}")
    if not isinstance(src, str) or not is_shelly_id(src):
        raise BadInput(f"an RPC reply's src {short(src)} is not a Shelly id")
    err = frame.get("error")
    if err is not None:
        code = err.get("code") if isinstance(err, dict) else None
        msg = err.get("message") if isinstance(err, dict) else None
        return [Rejected(reason=f"{NAME}: {src}: RPC {rid} failed: code {short(code, 20)}: {short(msg, 120)}")]
    if "result" not in frame:
        raise BadInput("an RPC reply needs 'result' or 'error'")
    result = frame["result"]
    data = {"rpc_id": rid, "result": result if isinstance(result, dict | list | str | int | float | bool) else None}
    return [Observation(device=_key(src, "switch", rid % 16), event="rpc_result", data=data)]


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _target(address: Mapping[str, Any]) -> tuple[str, int]:
    prefix, n = address.get("prefix"), address.get("switch")
    if isinstance(prefix, str) and is_shelly_id(prefix) and isinstance(n, int) and 0 <= n <= MAX_COMPONENT:
        return prefix, n
    key = address.get("key")
    parts = key.split(":") if isinstance(key, str) else []
    if len(parts) == 4 and parts[0] == NAME and is_shelly_id(parts[1]) and parts[2] == "switch" and (
        parts[3].isdigit() and int(parts[3]) <= MAX_COMPONENT
    ):
        return parts[1], int(parts[3])
    raise AdapterError(f"not a Shelly switch: {short(key)}")


def _enc_on_off(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    prefix, n = _target(address)
    if cmd.action == "toggle":
        method, params = "Switch.Toggle", {"id": n}
    elif cmd.action in ("turn_on", "turn_off"):
        method, params = "Switch.Set", {"id": n, "on": cmd.action == "turn_on"}
    else:
        raise AdapterError(f"on_off has no action {short(cmd.action)}")
    frame = {"id": rpc_id(cmd.id, n), "src": SRC, "method": method, "params": params}
    return [command(f"{prefix}/rpc", frame)]


ENCODERS: Final[dict[str, Callable[[Command, Mapping[str, Any]], list[Any]]]] = {"on_off": _enc_on_off}

# ---------------------------------------------------------------------------------------------
# Declared keys and the simulated device
# ---------------------------------------------------------------------------------------------


def _sim_prefix(device_id: str, ids: Mapping[str, str]) -> str:
    p = ids.get("prefix")
    if isinstance(p, str) and is_shelly_id(p):
        return p
    return "shellyplus1pm-" + hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:12]


def _sim_switch(ids: Mapping[str, str]) -> int:
    s = ids.get("switch", "0")
    return int(s) if isinstance(s, str) and s.isdigit() and int(s) <= MAX_COMPONENT else 0


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    """ids.key, else 'shelly:<ids.prefix>:switch:<ids.switch or 0>' (a prefix derived from the id if none)."""
    if ids.get("key"):
        return f"{NAME}:{ids['key']}"
    return _key(_sim_prefix(device_id, ids), "switch", _sim_switch(ids))


def _sim_status(n: int, state: Mapping[str, Any]) -> dict[str, Any]:
    s: dict[str, Any] = {"id": n, "source": "init", "output": bool(state.get("on"))}
    for src, dst in (("apower", "power"), ("voltage", "voltage"), ("current", "current")):
        if is_finite_number(state.get(dst)):
            s[src] = state[dst]
    if is_finite_number(state.get("energy")):
        s["aenergy"] = {"total": state["energy"], "by_minute": [0.0, 0.0, 0.0], "minute_ts": 1718000000}
    if is_finite_number(state.get("temperature")):
        s["temperature"] = {"tC": state["temperature"], "tF": round(state["temperature"] * 9 / 5 + 32, 1)}
    return s


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    prefix, n = _sim_prefix(decl.id, decl.ids), _sim_switch(decl.ids)
    return [
        Outbound(topic=f"{prefix}/online", payload="true", qos=1, retain=True),
        Outbound(topic=f"{prefix}/status/switch:{n}", payload=dumps(_sim_status(n, decl.initial)), qos=1),
    ]


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    prefix, n = _sim_prefix(decl.id, decl.ids), _sim_switch(decl.ids)
    status = _sim_status(n, state)
    notify = {"src": prefix, "dst": f"{prefix}/events", "method": "NotifyStatus",
              "params": {"ts": 1718000000.0, f"switch:{n}": {k: v for k, v in status.items() if k != "source"}}}
    out = [
        Outbound(topic=f"{prefix}/events/rpc", payload=dumps(notify), qos=1),
        Outbound(topic=f"{prefix}/status/switch:{n}", payload=dumps(status), qos=1),
    ]
    reply = state.get("rpc_reply")
    if isinstance(reply, dict) and isinstance(reply.get("dst"), str):
        # The reply to the last command. A real device sends it once; the simulated one repeats it with
        # each state report (the hub treats replies as information only).
        out.append(Outbound(topic=f"{reply['dst']}/rpc", payload=dumps(reply), qos=1))
    return out


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    return [f"{_sim_prefix(decl.id, decl.ids)}/rpc"]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    prefix, n = _sim_prefix(decl.id, decl.ids), _sim_switch(decl.ids)
    if topic != f"{prefix}/rpc":
        return None
    try:
        frame = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("src"), str) or not isinstance(frame.get("id"), int):
        return None
    params: dict[str, Any] = frame["params"] if isinstance(frame.get("params"), dict) else {}
    if params.get("id") != n:
        return None
    was_on = bool(state.get("on"))
    if frame.get("method") == "Switch.Set" and isinstance(params.get("on"), bool):
        on = params["on"]
    elif frame.get("method") == "Switch.Toggle":
        on = not was_on
    else:
        return None
    reply = {"id": frame["id"], "src": prefix, "dst": frame["src"], "result": {"was_on": was_on}}
    return {**state, "on": on, "rpc_reply": reply}


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    return [Outbound(topic=f"{_sim_prefix(decl.id, decl.ids)}/online", payload="false", qos=1, retain=True)]


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Shelly Gen2+",
    routes=(
        Route("+/online", never_raises(NAME, _parse_online), "device online true/false (Shelly ids only)"),
        Route("+/status/+", never_raises(NAME, _parse_status), "component status (Shelly ids only)"),
        Route("+/events/rpc", never_raises(NAME, _parse_events), "NotifyStatus/NotifyFullStatus/NotifyEvent"),
        Route(REPLY_TOPIC, never_raises(NAME, _parse_reply), "replies to the hub's RPC commands"),
    ),
    encoders=ENCODERS,
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Shelly Gen2+ relays: JSON-RPC Switch.Set over MQTT, NotifyStatus/NotifyEvent, online/offline.",
)
