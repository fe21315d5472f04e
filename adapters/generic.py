"""Generic MQTT devices: a topic mapping the owner writes in the home file, for devices nobody else speaks.

A generic device declares its mapping in ``ids`` (simple strings, ``DeviceDecl.ids`` is ``dict[str, str]``)::

    - id: attic_fan
      name: attic fan
      kind: switch
      ecosystem: generic
      ids:
        state_topic: myhouse/fan/state         # what the device reports (optional)
        command_topic: myhouse/fan/set         # where commands go (optional; one of the two is needed)
        format: json                           # json (default) or plain
        on_payload: "ON"                       # default ON
        off_payload: "OFF"                     # default OFF
        availability_topic: myhouse/fan/status # optional
        payload_available: online             # default online
        payload_not_available: offline        # default offline
        attribute_map: "speed=fan_speed,temp=temperature"   # payload key=hub attribute, comma-separated

:func:`mapping_from_ids` validates this (pydantic; ConfigError naming the device and the field),
:func:`spec_address` turns it into the device's address (``subscribe`` lists the state and availability
topics so the hub routes them to :func:`parse_device`), :func:`declared_spec` builds the whole DeviceSpec.

Reading (``parse_device``):

- json: every key of the object becomes an attribute, renamed by ``attribute_map`` (unmapped keys keep
  their names); ``state`` (or whatever maps to ``on``) equal to on/off payload becomes ``on: true/false``.
  A JSON scalar is read as plain.
- plain: the on/off payload -> ``on``; otherwise ``value`` (renamed by ``attribute_map`` ``value=...``),
  a number when it parses as one.
- availability topic: payload_available / payload_not_available -> Availability.

Commands (QoS 1, never retained, all on ``command_topic``):

- on_off turn_on/turn_off/toggle: plain on/off payload or ``TOGGLE``; json ``{"state": <payload>}``.
- attributes set_attribute: json ``{<payload key>: value}`` (the key from ``attribute_map`` reversed);
  plain the value as text (booleans as on/off payload).
- media play/pause/next/set_volume: JSON ``{"action": ..., "volume"?: ...}`` in both formats.
- tts announce: JSON ``{"text": message}`` in both formats.

Everything a device reports is data, never instructions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from fusehub.adapter import AdapterSpec, SimDevice
from fusehub.adapters._util import (
    NO_JSON,
    BadInput,
    command,
    decode_text,
    dumps,
    is_finite_number,
    load_json,
    maybe_json,
    never_raises,
    short,
    validation_reason,
)
from fusehub.errors import AdapterError, ConfigError
from fusehub.events import Availability, Command, DeviceSpec, Observation, Outbound, Parsed
from fusehub.home import DeviceDecl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["SPEC", "GenericMapping", "declared_spec", "mapping_from_ids", "parse_device", "spec_address"]

NAME: Final = "generic"
MAX_TOPIC: Final = 1024
MAX_KEYS: Final = 100
MAX_ATTR_NAME: Final = 64
MAX_TEXT: Final = 1000
_NAME_RE: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_MAPPING_FIELDS: Final = (
    "state_topic", "command_topic", "format", "on_payload", "off_payload", "availability_topic",
    "payload_available", "payload_not_available", "attribute_map",
)


def _check_topic(v: str | None) -> str | None:
    if v is None:
        return None
    if not v or len(v) > MAX_TOPIC:
        raise ValueError(f"a topic must be 1-{MAX_TOPIC} characters")
    if "+" in v or "#" in v or "\x00" in v:
        raise ValueError("a topic must not contain the wildcards + or #, or NUL")
    if v.startswith("$"):
        raise ValueError("a topic must not start with '$' (broker topics)")
    return v


def _parse_map(v: Any) -> dict[str, str]:
    if isinstance(v, Mapping):
        pairs = [(str(k), str(x)) for k, x in v.items()]
    elif isinstance(v, str):
        pairs = []
        for part in (p.strip() for p in v.split(",")):
            if not part:
                continue
            src, sep, dst = part.partition("=")
            if not sep:
                raise ValueError(f"{part!r} is not 'payload_key=attribute'")
            pairs.append((src.strip(), dst.strip()))
    else:
        raise ValueError("attribute_map must be 'payload_key=attribute,...'")
    out: dict[str, str] = {}
    for src, dst in pairs:
        if not _NAME_RE.match(src) or not _NAME_RE.match(dst):
            raise ValueError(f"{src}={dst}: names must be 1-64 letters, digits, '_', '.' or '-'")
        if src in out:
            raise ValueError(f"payload key {src!r} is mapped twice")
        out[src] = dst
    if len(set(out.values())) != len(out):
        raise ValueError("two payload keys map to the same attribute")
    return out


class GenericMapping(BaseModel):
    """How a generic device's messages map to hub attributes and commands to messages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_topic: str | None = Field(default=None, description="Topic the device reports its state on.")
    command_topic: str | None = Field(default=None, description="Topic the device takes commands on.")
    format: Literal["json", "plain"] = Field(default="json", description="Payload format of both directions.")
    on_payload: str = Field(default="ON", min_length=1, max_length=100)
    off_payload: str = Field(default="OFF", min_length=1, max_length=100)
    availability_topic: str | None = None
    payload_available: str = Field(default="online", min_length=1, max_length=100)
    payload_not_available: str = Field(default="offline", min_length=1, max_length=100)
    attribute_map: dict[str, str] = Field(default_factory=dict, description="payload key -> hub attribute.")

    _topics = field_validator("state_topic", "command_topic", "availability_topic")(_check_topic)

    @field_validator("attribute_map", mode="before")
    @classmethod
    def _map(cls, v: Any) -> dict[str, str]:
        return _parse_map(v)

    @model_validator(mode="after")
    def _consistent(self) -> GenericMapping:
        if self.state_topic is None and self.command_topic is None:
            raise ValueError("a generic device needs a state_topic or a command_topic (or both)")
        if self.on_payload == self.off_payload:
            raise ValueError("on_payload and off_payload must differ")
        if self.payload_available == self.payload_not_available:
            raise ValueError("payload_available and payload_not_available must differ")
        if self.availability_topic is not None and self.availability_topic == self.state_topic:
            raise ValueError("availability_topic must differ from state_topic")
        return self

    def attr_for(self, payload_key: str) -> str:
        return self.attribute_map.get(payload_key, payload_key)

    def key_for(self, attribute: str) -> str:
        for k, a in self.attribute_map.items():
            if a == attribute:
                return k
        return attribute


def mapping_from_ids(device_id: str, ids: Mapping[str, str]) -> GenericMapping:
    """The validated mapping of a declared generic device; ConfigError naming the device and the field."""
    fields = {k: v for k, v in ids.items() if k != "key"}
    try:
        return GenericMapping.model_validate(fields)
    except ValidationError as e:
        parts = []
        for err in e.errors(include_input=False, include_url=False)[:3]:
            loc = ".".join(str(x) for x in err["loc"])
            where = f"ids.{loc}" if loc else "ids"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown field (known: {', '.join(_MAPPING_FIELDS)}, key)"
            parts.append(f"{where}: {msg}")
        raise ConfigError(f"generic device {device_id!r}: " + "; ".join(parts)) from None


def spec_address(mapping: GenericMapping) -> dict[str, Any]:
    """The device address: the mapping's fields plus ``subscribe`` (state and availability topics)."""
    address: dict[str, Any] = mapping.model_dump()
    address["subscribe"] = [t for t in (mapping.state_topic, mapping.availability_topic) if t]
    return address


def _mapping_of(address: Mapping[str, Any]) -> GenericMapping:
    return GenericMapping.model_validate({k: address[k] for k in _MAPPING_FIELDS if k in address})


def declared_spec(decl: DeviceDecl) -> DeviceSpec:
    """The DeviceSpec (with address and subscriptions) of a generic device declared in the home file."""
    mapping = mapping_from_ids(decl.id, decl.ids)
    return DeviceSpec(
        key=_declared_key(decl.id, decl.ids), name=decl.name, kind=decl.kind, room=decl.room,
        capabilities=decl.effective_capabilities(),
        attributes={k: v.model_dump(exclude_none=True) for k, v in decl.attributes.items()},
        address=spec_address(mapping),
    )


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    return f"{NAME}:{device_id}"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _scalar(text: str) -> Any:
    t = text.strip()
    try:
        v = float(t)
    except ValueError:
        return text[:MAX_TEXT]
    if not math.isfinite(v):
        return text[:MAX_TEXT]
    return int(v) if v.is_integer() and not any(c in t for c in ".eE") else v


def _onoff(m: GenericMapping, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip() == m.on_payload:
            return True
        if value.strip() == m.off_payload:
            return False
    return None


def _read_plain(m: GenericMapping, text: str) -> dict[str, Any]:
    on = _onoff(m, text)
    if on is not None:
        return {"on": on}
    if not text.strip():
        raise BadInput("empty payload")
    return {m.attr_for("value"): _scalar(text)}


def _read_json(m: GenericMapping, data: dict[str, Any]) -> dict[str, Any]:
    if len(data) > MAX_KEYS:
        raise BadInput(f"more than {MAX_KEYS} keys")
    attrs: dict[str, Any] = {}
    for k, v in data.items():
        if len(k) > MAX_ATTR_NAME:
            raise BadInput(f"key {short(k)} is longer than {MAX_ATTR_NAME} characters")
        name = m.attr_for(k)
        if name in ("on", "state") or (k == "state" and k not in m.attribute_map):
            on = _onoff(m, v)
            if on is not None:
                attrs["on"] = on
                continue
        attrs[name] = v
    return attrs


def _parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    try:
        m = _mapping_of(address)
    except ValidationError as e:
        raise BadInput(f"device address is not a valid mapping: {validation_reason(e)}") from None
    if m.availability_topic is not None and topic == m.availability_topic:
        text = decode_text(payload).strip()
        if text == m.payload_available:
            return [Availability(device=key, online=True)]
        if text == m.payload_not_available:
            return [Availability(device=key, online=False)]
        raise BadInput(f"availability {short(text)} is neither {m.payload_available!r} nor {m.payload_not_available!r}")
    if topic != m.state_topic:
        raise BadInput("not one of the device's topics")
    if m.format == "plain":
        return [Observation(device=key, attributes=_read_plain(m, decode_text(payload)))]
    text = decode_text(payload)
    data = maybe_json(text) if text.strip() else NO_JSON
    if data is NO_JSON:
        load_json(payload)  # raises BadInput with the JSON error
    if isinstance(data, dict):
        return [Observation(device=key, attributes=_read_json(m, data))]
    if isinstance(data, list):
        raise BadInput("a JSON object or scalar is expected, got a list")
    return [Observation(device=key, attributes=_read_plain(m, text))]


def parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    """Interpret a message on a generic device's state or availability topic; never raises."""
    return never_raises(NAME, lambda t, p: _parse_device(key, address, t, p))(topic, payload)


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _target(address: Mapping[str, Any]) -> tuple[GenericMapping, str]:
    try:
        m = _mapping_of(address)
    except ValidationError as e:
        raise AdapterError(f"generic device has no valid mapping: {validation_reason(e)}") from None
    if m.command_topic is None:
        raise AdapterError("generic device has no command_topic")
    return m, m.command_topic


def _on_key(m: GenericMapping) -> str:
    """The JSON key carrying on/off: whatever maps to 'on', else 'state'."""
    return m.key_for("on") if "on" in m.attribute_map.values() else "state"


def _num_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _enc_on_off(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    m, topic = _target(address)
    word = {"turn_on": m.on_payload, "turn_off": m.off_payload, "toggle": "TOGGLE"}.get(cmd.action)
    if word is None:
        raise AdapterError(f"on_off has no action {short(cmd.action)}")
    if m.format == "json":
        return [command(topic, {_on_key(m): word})]
    return [command(topic, word)]


def _enc_attribute(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "set_attribute":
        raise AdapterError(f"attributes has no action {short(cmd.action)}")
    m, topic = _target(address)
    name = cmd.params.get("attribute")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise AdapterError(f"set_attribute needs an attribute name, got {short(name)}")
    v = cmd.params.get("value")
    if isinstance(v, float) and not math.isfinite(v):
        raise AdapterError(f"{name} needs a finite value")
    if not isinstance(v, str | int | float | bool):
        raise AdapterError(f"{name} needs a text, number or boolean value")
    if m.format == "json":
        return [command(topic, {m.key_for(name): v})]
    if isinstance(v, bool):
        text = m.on_payload if v else m.off_payload
    elif isinstance(v, int | float):
        text = _num_text(v)
    else:
        text = v
    return [command(topic, text)]


def _enc_media(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    _, topic = _target(address)
    if cmd.action in ("play", "pause", "next"):
        return [command(topic, {"action": cmd.action})]
    if cmd.action == "set_volume":
        v = cmd.params.get("volume")
        if not is_finite_number(v) or not 0 <= v <= 100:
            raise AdapterError("set_volume needs a volume 0-100")
        return [command(topic, {"action": "set_volume", "volume": v})]
    raise AdapterError(f"media has no action {short(cmd.action)}")


def _enc_tts(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "announce":
        raise AdapterError(f"tts has no action {short(cmd.action)}")
    _, topic = _target(address)
    message = cmd.params.get("message")
    if not isinstance(message, str) or not message.strip():
        raise AdapterError("announce needs a non-empty 'message'")
    if len(message) > MAX_TEXT:
        raise AdapterError(f"announcement longer than {MAX_TEXT} characters")
    return [command(topic, {"text": message})]


# ---------------------------------------------------------------------------------------------
# Simulated generic device
# ---------------------------------------------------------------------------------------------


def _pub(topic: str, payload: str) -> Outbound:
    return Outbound(topic=topic, payload=payload, qos=1, retain=False)


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    m = mapping_from_ids(decl.id, decl.ids)
    return [_pub(m.availability_topic, m.payload_available)] if m.availability_topic else []


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    m = mapping_from_ids(decl.id, decl.ids)
    return [_pub(m.availability_topic, m.payload_not_available)] if m.availability_topic else []


def _jsonable(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    return v is None or isinstance(v, str | int | bool)


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    m = mapping_from_ids(decl.id, decl.ids)
    if m.state_topic is None:
        return []
    if m.format == "plain":
        if isinstance(state.get("on"), bool):
            return [_pub(m.state_topic, m.on_payload if state["on"] else m.off_payload)]
        v = state.get(m.attr_for("value"))
        if v is None or not _jsonable(v):
            return []
        return [_pub(m.state_topic, _num_text(v) if isinstance(v, int | float) and not isinstance(v, bool) else str(v))]
    body: dict[str, Any] = {}
    for attr, v in state.items():
        if not _jsonable(v):
            continue
        if attr == "on" and isinstance(v, bool):
            body[_on_key(m)] = m.on_payload if v else m.off_payload
        else:
            body[m.key_for(attr)] = v
    return [_pub(m.state_topic, dumps(body))] if body else []


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    m = mapping_from_ids(decl.id, decl.ids)
    return [m.command_topic] if m.command_topic else []


def _apply_word(m: GenericMapping, word: Any, new: dict[str, Any]) -> bool:
    if word == m.on_payload:
        new["on"] = True
    elif word == m.off_payload:
        new["on"] = False
    elif word == "TOGGLE":
        new["on"] = not bool(new.get("on"))
    else:
        return False
    return True


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    m = mapping_from_ids(decl.id, decl.ids)
    if m.command_topic is None or topic != m.command_topic:
        return None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    new = dict(state)
    data = maybe_json(text)
    if isinstance(data, dict):
        action = data.get("action")
        if action in ("play", "pause"):
            new["playback"] = "playing" if action == "play" else "paused"
        elif action == "next":
            new["playback"] = "playing"
            new["track"] = int(new.get("track", 0) or 0) + 1
        elif action == "set_volume" and isinstance(data.get("volume"), int | float):
            new["volume"] = data["volume"]
        elif isinstance(data.get("text"), str) and len(data) == 1:
            new["last_announcement"] = data["text"]
        else:
            for k, v in data.items():
                attr = m.attr_for(k)
                if attr in ("on", "state") or (k == "state" and k not in m.attribute_map):
                    if not _apply_word(m, v, new):
                        return None
                elif _jsonable(v):
                    new[attr] = v
                else:
                    return None
        return new
    if m.format == "json":
        return None
    if _apply_word(m, text.strip(), new):
        return new
    if not text.strip():
        return None
    new[m.attr_for("value")] = _scalar(text)
    return new


SPEC: Final = AdapterSpec(
    declared_spec=declared_spec,
    name=NAME,
    title="Generic MQTT (owner-configured topics)",
    routes=(),
    encoders={"on_off": _enc_on_off, "attributes": _enc_attribute, "media": _enc_media, "tts": _enc_tts},
    parse_device=parse_device,
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Devices nobody else speaks: state/command/availability topics mapped in the home file's ids.",
)
