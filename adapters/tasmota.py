"""Tasmota: native discovery (``tasmota/discovery/<MAC>/config``), relay state, telemetry, LWT, POWER commands.

Conventions (tasmota/docs ``docs/MQTT.md``, the discovery source ``xdrv_12_discovery.ino``):

- Discovery: retained JSON on ``tasmota/discovery/<MAC>/config`` with ``t`` (topic), ``ft`` (FullTopic,
  default ``%prefix%/%topic%/``), ``tp`` (prefixes, default ``["cmnd","stat","tele"]``), ``fn`` (friendly
  names per relay), ``rl`` (relay types: 0 none, 1 relay, 2 light, 3 shutter), ``hn``, ``mac``, ``md``
  (model), ``onln``/``ofln`` (LWT payloads), ``lt_st`` (light subtype: 1 = dimmable or more).
  Each relay of type 1 or 2 becomes a device. An empty (removed) config yields nothing: the MAC does not
  tell which topics the device had, so its devices stay until the owner removes them.
- Device key: ``tasmota:<topic>`` for a device with one relay, ``tasmota:<topic>:<n>`` (n from 1) for each
  relay of a multi-relay device. The relay's power word is ``POWER`` or ``POWER<n>`` likewise.
- State: ``stat/<t>/POWER[n]`` (``ON``/``OFF``), ``stat/<t>/RESULT`` and ``tele/<t>/STATE`` (JSON with
  ``POWER[n]`` and, for lights, ``Dimmer``), ``tele/<t>/SENSOR`` (``ENERGY.Power/Voltage/Current/Today/
  Total``, a per-channel array is indexed by relay; sensor objects such as ``AM2301.Temperature`` become
  ``temperature``, ``humidity``, ...), ``tele/<t>/LWT`` (``Online``/``Offline``) -> Availability.
  These topics are the device's ``address["subscribe"]`` and are read by :func:`parse_device`.
- Commands: ``cmnd/<t>/POWER[n]`` with ``ON``/``OFF``/``TOGGLE``; ``cmnd/<t>/Dimmer`` with 0-100.
  Without a discovered address, the command topic is derived from the key (default FullTopic).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeGuard

from fusehub.adapter import AdapterSpec, Route, SimDevice
from fusehub.adapters._util import (
    BadInput,
    command,
    decode_text,
    dumps,
    is_finite_number,
    load_json,
    never_raises,
    short,
)
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Outbound, Parsed
from fusehub.home import DeviceDecl

__all__ = ["SPEC", "parse_device"]

NAME: Final = "tasmota"
MAX_RELAYS: Final = 32
MAX_NAME: Final = 100

_TOPIC_RE: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_MAC_RE: Final = re.compile(r"^[0-9A-Fa-f]{12}$")
_PLUG_WORDS: Final = ("plug", "socket", "outlet")
_ENERGY: Final = {"Power": "power", "Voltage": "voltage", "Current": "current", "Today": "energy_today",
                  "Total": "energy_total", "Yesterday": "energy_yesterday", "Factor": "power_factor"}
_SENSOR_VALUES: Final = {"Temperature": "temperature", "Humidity": "humidity", "Pressure": "pressure",
                         "Illuminance": "illuminance", "DewPoint": "dew_point", "CarbonDioxide": "co2"}



def _valid_topic(t: Any) -> TypeGuard[str]:
    return isinstance(t, str) and bool(_TOPIC_RE.match(t))


def _topics(cfg: Mapping[str, Any], t: str) -> dict[str, str]:
    """The cmnd/stat/tele topic bases (ending in '/') from FullTopic and the prefixes."""
    ft = cfg.get("ft", "%prefix%/%topic%/")
    tp = cfg.get("tp", ["cmnd", "stat", "tele"])
    if not isinstance(ft, str) or "%prefix%" not in ft or "%topic%" not in ft or len(ft) > 200:
        raise BadInput("ft (FullTopic) must contain %prefix% and %topic%")
    if not isinstance(tp, list) or len(tp) < 3 or not all(isinstance(p, str) and _valid_topic(p) for p in tp[:3]):
        raise BadInput("tp must list the cmnd, stat and tele prefixes")
    hn = cfg.get("hn") if isinstance(cfg.get("hn"), str) else ""
    mac = cfg.get("mac") if isinstance(cfg.get("mac"), str) else ""
    out = {}
    for role, prefix in zip(("cmnd", "stat", "tele"), tp[:3], strict=True):
        full = ft.replace("%prefix%", prefix).replace("%topic%", t).replace("%hostname%", str(hn))
        full = full.replace("%id%", str(mac)[-6:])
        if any(c in full for c in "+#\x00%"):
            raise BadInput(f"FullTopic expands to an unusable topic {short(full)}")
        out[role] = full if full.endswith("/") else full + "/"
    return out


def _power_word(relays: int, n: int) -> str:
    return "POWER" if relays == 1 else f"POWER{n}"


def device_key(topic: str, relays: int, n: int) -> str:
    return f"{NAME}:{topic}" if relays == 1 else f"{NAME}:{topic}:{n}"


def _parse_config(topic: str, payload: bytes) -> list[Parsed]:
    mac = topic.split("/")[2]
    if not _MAC_RE.match(mac):
        raise BadInput("the discovery topic's MAC must be 12 hex digits")
    if not payload.strip():
        return []
    cfg = load_json(payload)
    if not isinstance(cfg, dict):
        raise BadInput(f"a discovery config must be a JSON object, got {type(cfg).__name__}")
    t = cfg.get("t")
    if not _valid_topic(t):
        raise BadInput(f"t (topic) {short(t)} must be 1-64 letters, digits, '_', '-' or '.'")
    rl = cfg.get("rl")
    if not isinstance(rl, list) or len(rl) > MAX_RELAYS or not all(is_finite_number(x) for x in rl):
        raise BadInput("rl (relays) must be a list of numbers")
    fn: list[Any] = cfg["fn"] if isinstance(cfg.get("fn"), list) else []
    bases = _topics(cfg, t)
    model: str | None = cfg["md"] if isinstance(cfg.get("md"), str) else None
    plug = any(w in (model or "").lower() for w in _PLUG_WORDS)
    dimmer = is_finite_number(cfg.get("lt_st")) and cfg["lt_st"] >= 1
    onln = cfg.get("onln", "Online")
    ofln = cfg.get("ofln", "Offline")
    if not isinstance(onln, str) or not isinstance(ofln, str):
        raise BadInput("onln/ofln (LWT payloads) must be strings")
    relays = [i + 1 for i, x in enumerate(rl) if x in (1, 2)]
    out: list[Parsed] = []
    for n in relays:
        rtype = rl[n - 1]
        power = _power_word(len(relays), n)
        name: str | None = None
        if n - 1 < len(fn) and isinstance(fn[n - 1], str) and fn[n - 1].strip():
            name = fn[n - 1]
        if name is None:
            dn = cfg["dn"] if isinstance(cfg.get("dn"), str) else t
            name = dn if len(relays) == 1 else f"{dn} {n}"
        kind = "light" if rtype == 2 else "plug" if plug else "switch"
        caps = ["on_off", "brightness"] if rtype == 2 and dimmer else ["on_off"]
        st, tele = bases["stat"], bases["tele"]
        address = {
            "topic": t, "relay": n, "relays": len(relays), "power": power, "cmnd": bases["cmnd"],
            "stat": st, "tele": tele, "lwt": {"online": onln, "offline": ofln},
            "subscribe": [f"{st}RESULT", f"{st}{power}", f"{tele}STATE", f"{tele}SENSOR", f"{tele}LWT"],
        }
        out.append(Discovered(spec=DeviceSpec(
            key=device_key(t, len(relays), n), name=name[:MAX_NAME], kind=kind, capabilities=caps, address=address,
            manufacturer="Tasmota", model=model[:MAX_NAME] if model else None,
        )))
    return out


# ---------------------------------------------------------------------------------------------
# Device topics
# ---------------------------------------------------------------------------------------------


def _onoff(v: Any, what: str) -> bool:
    if isinstance(v, str) and v.upper() in ("ON", "OFF"):
        return v.upper() == "ON"
    raise BadInput(f"{what} must be ON or OFF, got {short(v)}")


def _power_attrs(address: Mapping[str, Any], data: Mapping[str, Any], out: dict[str, Any]) -> None:
    power = str(address.get("power", "POWER"))
    # A single-relay device answers POWER; some builds say POWER1. Accept both for relay 1.
    for k in (power, "POWER1" if power == "POWER" else None):
        if k and k in data:
            out["on"] = _onoff(data[k], k)
            break
    if "Dimmer" in data:
        d: Any = data["Dimmer"]
        if not is_finite_number(d) or not 0 <= d <= 100:
            raise BadInput(f"Dimmer must be 0-100, got {short(d)}")
        out["brightness"] = round(d)


def _sensor_attrs(address: Mapping[str, Any], data: Mapping[str, Any], out: dict[str, Any]) -> None:
    idx = int(address.get("relay", 1)) - 1
    energy = data.get("ENERGY")
    if isinstance(energy, dict):
        for src, dst in _ENERGY.items():
            v = energy.get(src)
            if isinstance(v, list):  # per channel
                v = v[idx] if 0 <= idx < len(v) else None
            if is_finite_number(v):
                out[dst] = v
    for block in data.values():
        if isinstance(block, dict) and block is not energy:
            for src, dst in _SENSOR_VALUES.items():
                if is_finite_number(block.get(src)) and dst not in out:
                    out[dst] = block[src]


def _parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    st, tele = address.get("stat", ""), address.get("tele", "")
    power = str(address.get("power", "POWER"))
    attrs: dict[str, Any] = {}
    if topic == f"{tele}LWT":
        text = decode_text(payload).strip()
        lwt = address.get("lwt") or {}
        if text == lwt.get("online", "Online"):
            return [Availability(device=key, online=True)]
        if text == lwt.get("offline", "Offline"):
            return [Availability(device=key, online=False)]
        raise BadInput(f"LWT must be {lwt.get('online', 'Online')} or {lwt.get('offline', 'Offline')}")
    if topic == f"{st}{power}":
        attrs["on"] = _onoff(decode_text(payload).strip(), power)
    elif topic in (f"{st}RESULT", f"{tele}STATE", f"{tele}SENSOR"):
        data = load_json(payload)
        if not isinstance(data, dict):
            raise BadInput(f"a JSON object is expected, got {type(data).__name__}")
        if topic == f"{tele}SENSOR":
            _sensor_attrs(address, data, attrs)
        else:
            _power_attrs(address, data, attrs)
    else:
        raise BadInput("not one of this device's topics")
    return [Observation(device=key, attributes=attrs)] if attrs else []


def parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    """Read a message on one of a discovered relay's topics; never raises."""
    return never_raises(NAME, lambda t, p: _parse_device(key, address, t, p))(topic, payload)


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _cmnd(address: Mapping[str, Any]) -> tuple[str, str]:
    """(cmnd topic base, power word) from the address, or derived from the key with the default FullTopic."""
    base, power = address.get("cmnd"), address.get("power")
    if isinstance(base, str) and base and isinstance(power, str) and power:
        return base, power
    key = address.get("key")
    parts = key.split(":") if isinstance(key, str) else []
    if len(parts) == 2 and parts[0] == NAME and _valid_topic(parts[1]):
        return f"cmnd/{parts[1]}/", "POWER"
    if len(parts) == 3 and parts[0] == NAME and _valid_topic(parts[1]) and parts[2].isdigit():
        return f"cmnd/{parts[1]}/", f"POWER{int(parts[2])}"
    raise AdapterError(f"not a Tasmota device key and no discovered address: {short(key)}")


def _enc_on_off(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    word = {"turn_on": "ON", "turn_off": "OFF", "toggle": "TOGGLE"}.get(cmd.action)
    if word is None:
        raise AdapterError(f"on_off has no action {short(cmd.action)}")
    base, power = _cmnd(address)
    return [command(f"{base}{power}", word)]


def _enc_brightness(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    v: Any = cmd.params.get("brightness")
    if not is_finite_number(v) or not 0 <= v <= 100:
        raise AdapterError("set_brightness needs a brightness 0-100")
    base, _ = _cmnd(address)
    return [command(f"{base}Dimmer", str(round(v)))]


ENCODERS: Final[dict[str, Callable[[Command, Mapping[str, Any]], list[Any]]]] = {
    "on_off": _enc_on_off, "brightness": _enc_brightness,
}

# ---------------------------------------------------------------------------------------------
# Declared keys and the simulated device
# ---------------------------------------------------------------------------------------------


def _sim_topic(device_id: str, ids: Mapping[str, str]) -> str:
    t = ids.get("topic")
    if isinstance(t, str) and _valid_topic(t):
        return t
    return "tasmota_" + hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:6].upper()


def _sim_relay(ids: Mapping[str, str]) -> int:
    r = ids.get("relay")
    return int(r) if isinstance(r, str) and r.isdigit() and 0 < int(r) <= 8 else 0


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    """ids.key, else 'tasmota:<ids.topic>[:<ids.relay>]' (a topic derived from the id when none is given)."""
    if ids.get("key"):
        return f"{NAME}:{ids['key']}"
    t, relay = _sim_topic(device_id, ids), _sim_relay(ids)
    return f"{NAME}:{t}:{relay}" if relay else f"{NAME}:{t}"


def _sim_names(decl: DeviceDecl) -> tuple[str, int, str]:
    """(topic, relay count, power word) of a virtual device: one relay, or with `ids.relay` a multi-relay
    device (max(relay, 2) relays) of which it is relay `ids.relay`; its other relays appear as extra devices."""
    t, relay = _sim_topic(decl.id, decl.ids), _sim_relay(decl.ids)
    if not relay:
        return t, 1, "POWER"
    return t, max(relay, 2), f"POWER{relay}"


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    t, count, _ = _sim_names(decl)
    relay_type = 2 if decl.kind == "light" else 1
    mac = hashlib.sha256(decl.id.encode("utf-8")).hexdigest()[:12].upper()
    mine = max(_sim_relay(decl.ids), 1) - 1
    cfg = {
        "ip": "192.0.2.10", "dn": decl.name, "fn": [decl.name if i == mine else None for i in range(8)],
        "hn": f"{t}-{mac[-4:]}", "mac": mac, "md": "Sim Plug" if decl.kind == "plug" else "Sim Relay",
        "ty": 0, "if": 0, "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
        "sw": "14.1.0", "t": t, "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"],
        "rl": [relay_type] * count + [0] * (8 - count), "swc": [-1] * 8, "swn": [None] * 8, "btn": [0] * 4,
        "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0},
        "lk": 0, "lt_st": 1 if "brightness" in decl.effective_capabilities() else 0, "sho": [0] * 4, "ver": 1,
    }
    return [
        Outbound(topic=f"tasmota/discovery/{mac}/config", payload=dumps(cfg), qos=1, retain=True),
        Outbound(topic=f"tele/{t}/LWT", payload="Online", qos=1, retain=True),
    ]


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    t, _, power = _sim_names(decl)
    out: list[Outbound] = []
    result: dict[str, Any] = {}
    if isinstance(state.get("on"), bool):
        result[power] = "ON" if state["on"] else "OFF"
    if is_finite_number(state.get("brightness")):
        result["Dimmer"] = round(state["brightness"])
    if result:
        out.append(Outbound(topic=f"stat/{t}/RESULT", payload=dumps(result), qos=1, retain=False))
    if power in result:
        out.append(Outbound(topic=f"stat/{t}/{power}", payload=result[power], qos=1, retain=False))
    energy = {src: state[dst] for src, dst in _ENERGY.items() if is_finite_number(state.get(dst))}
    if energy:
        sensor = {"Time": "2024-06-10T08:13:20", "ENERGY": energy}
        out.append(Outbound(topic=f"tele/{t}/SENSOR", payload=dumps(sensor), qos=1, retain=False))
    return out


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    t, _, power = _sim_names(decl)
    return [f"cmnd/{t}/{power}", f"cmnd/{t}/Dimmer"]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    t, _, power = _sim_names(decl)
    try:
        text = payload.decode("utf-8").strip().upper()
    except UnicodeDecodeError:
        return None
    new = dict(state)
    if topic == f"cmnd/{t}/{power}":
        flip = not state.get("on")
        table = {"ON": True, "1": True, "OFF": False, "0": False, "TOGGLE": flip, "2": flip}
        if text not in table:
            return None
        new["on"] = table[text]
        return new
    if topic == f"cmnd/{t}/Dimmer" and text.isdigit() and 0 <= int(text) <= 100:
        new["brightness"] = int(text)
        new["on"] = int(text) > 0
        return new
    return None


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    t, _, _ = _sim_names(decl)
    return [Outbound(topic=f"tele/{t}/LWT", payload="Offline", qos=1, retain=True)]


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Tasmota",
    routes=(Route("tasmota/discovery/+/config", never_raises(NAME, _parse_config), "native discovery config"),),
    encoders=ENCODERS,
    parse_device=parse_device,
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Tasmota relays, plugs and dimmers: native discovery, POWER/RESULT/STATE/SENSOR, LWT.",
)
