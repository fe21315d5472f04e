"""Frigate NVR: person/object events and per-camera counts in; detect/recordings/snapshots switches out.

Conventions (blakeblackshear/frigate ``docs/docs/integrations/mqtt.md``, ``frigate/comms/mqtt.py``;
default prefix ``frigate``):

- ``frigate/available``: ``online``; ``offline`` is the will and ``stopped`` a clean stop (retained)
  -> Availability ``frigate:*`` (every camera).
- ``frigate/events``: ``{"type": "new"|"update"|"end", "before": {...}, "after": {...}}`` (not retained).
  From ``after``: ``id``, ``camera``, ``label``, ``sub_label``, ``score``, ``top_score``, ``current_zones``,
  ``entered_zones``, ``start_time``, ``end_time``, ``frame_time`` -> an Observation on the camera
  ``frigate:<camera>``: ``new`` -> event ``person_detected`` (label person) or ``object_detected``;
  ``update`` -> ``object_update`` only when the current zones changed (snapshot-only updates say nothing);
  ``end`` -> ``object_end``. Data: ``{label, sub_label, score, zones, entered_zones, event_id}``
  (score is ``top_score`` when given). False positives are dropped.
- ``frigate/<camera>/<object>``: object count as text -> ``{"<object>_count": n}``; for ``person`` also
  ``person_count`` and ``occupancy`` (n > 0); ``all`` -> ``object_count``. ``frigate/<camera>/motion``
  ``ON``/``OFF`` -> ``motion``. Zones publish counts on the same pattern (``frigate/<zone>/<object>``), so a
  zone appears as an occupancy "camera" of its own.
- ``frigate/<camera>/<feature>/state``: ``ON``/``OFF`` echo of ``detect``, ``recordings``, ``snapshots``,
  ``motion``, ``audio``, ``enabled`` -> boolean attributes of those names.
- Commands: ``frigate/<camera>/<feature>/set`` = ``ON``/``OFF`` (``attributes`` set_attribute on
  ``detect``, ``recordings``, ``snapshots``), QoS 1, never retained.

Every camera message carries a Discovered (kind ``camera``, capabilities occupancy and attributes, room
the camera name when it looks like a room id, address ``{"camera"}``); the hub ignores repeats. Labels,
sub-labels (recognised faces, plates) and zone names are data, never instructions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from fusehub.adapter import AdapterSpec, Route, SimDevice
from fusehub.adapters._util import (
    BadInput,
    Num,
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
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Outbound, Parsed
from fusehub.home import DeviceDecl
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["FEATURES", "PREFIX", "SPEC", "camera_key"]

PREFIX: Final = "frigate"
NAME: Final = "frigate"
MAX_NAME: Final = 64
MAX_COUNT: Final = 10_000
MAX_TST: Final = 10**11
FEATURES: Final = ("detect", "recordings", "snapshots")
"""Switches the attributes encoder sets."""
_STATE_FEATURES: Final = frozenset({*FEATURES, "motion", "audio", "enabled", "improve_contrast", "review_alerts",
                                    "review_detections", "birdseye"})
_CAMERA_RE: Final = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_ROOM_RE: Final = re.compile(r"^[a-z0-9_][a-z0-9_\-]*$")
_LABEL_RE: Final = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_CTRL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")
_NOT_CAMERAS: Final = frozenset({"events", "reviews", "stats", "available", "restart", "tracked_object_update",
                                 "notifications", "camera_activity", "onConnect", "model_state",
                                 "embeddings_reindex_progress"})

Text = Annotated[str, StringConstraints(max_length=200)]


class _Obj(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    id: Text
    camera: Text
    label: Text
    sub_label: Any = None
    score: Num | None = Field(default=None, ge=0, le=1)
    top_score: Num | None = Field(default=None, ge=0, le=1)
    false_positive: bool | None = None
    start_time: Num | None = Field(default=None, ge=0, le=MAX_TST)
    end_time: Num | None = Field(default=None, ge=0, le=MAX_TST)
    frame_time: Num | None = Field(default=None, ge=0, le=MAX_TST)
    current_zones: list[Text] = Field(default_factory=list, max_length=100)
    entered_zones: list[Text] = Field(default_factory=list, max_length=100)


class _Event(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    type: Literal["new", "update", "end"]
    before: dict[str, Any] | None = None  # only its current_zones are compared, leniently
    after: _Obj


def camera_key(camera: str) -> str:
    """'frigate:<camera>'."""
    return f"{PREFIX}:{camera}"


def _camera(name: str) -> str:
    if not _CAMERA_RE.match(name):
        raise BadInput("camera names must be 1-64 letters, digits, '_' or '-'")
    return name


def _discovered(camera: str) -> Discovered:
    return Discovered(
        spec=DeviceSpec(
            key=camera_key(camera), name=camera.replace("_", " "), kind="camera",
            room=camera if _ROOM_RE.match(camera) else None,
            capabilities=["occupancy", "attributes"],
            attributes={f: {"type": "bool", "description": f"Frigate {f} on/off."} for f in FEATURES},
            address={"camera": camera}, manufacturer="Frigate",
        )
    )


def _clean(v: str) -> str:
    return _CTRL_RE.sub(" ", v)


def _sub_label(v: Any) -> str | None:
    # Frigate sends a string, or [name, score] in newer versions.
    if isinstance(v, list) and v and isinstance(v[0], str):
        v = v[0]
    return _clean(v)[:200] if isinstance(v, str) else None


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def _onoff(text: str) -> bool:
    t = text.strip().upper()
    if t in ("ON", "OFF"):
        return t == "ON"
    raise BadInput(f"ON or OFF expected, got {short(text)}")


# ---------------------------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------------------------


def _parse_available(topic: str, payload: bytes) -> list[Parsed]:
    text = decode_text(payload).strip().lower()
    if text not in ("online", "offline", "stopped"):
        raise BadInput(f"online, offline or stopped expected, got {short(text)}")
    return [Availability(device=f"{PREFIX}:*", online=text == "online")]


def _parse_events(topic: str, payload: bytes) -> list[Parsed]:
    data = load_json(payload)
    if not isinstance(data, dict):
        raise BadInput(f"a JSON object is expected, got {type(data).__name__}")
    ev = _Event.model_validate(data)
    a = ev.after
    camera = _camera(a.camera)
    if a.false_positive:
        return []
    zones = [_clean(z) for z in a.current_zones]
    if ev.type == "new":
        name = "person_detected" if a.label == "person" else "object_detected"
        when = a.start_time
    elif ev.type == "end":
        name, when = "object_end", a.end_time
    else:
        before = (ev.before or {}).get("current_zones")
        if isinstance(before, list) and [_clean(z) if isinstance(z, str) else z for z in before] == zones:
            return [_discovered(camera)]
        name, when = "object_update", a.frame_time
    score = a.top_score if a.top_score is not None else a.score
    obs = Observation(
        device=camera_key(camera), event=name,
        data={"label": _clean(a.label), "sub_label": _sub_label(a.sub_label),
              "score": None if score is None else round(score, 4), "zones": zones,
              "entered_zones": [_clean(z) for z in a.entered_zones], "event_id": _clean(a.id)},
        observed_at=epoch_to_datetime(when),
    )
    return [_discovered(camera), obs]


def _parse_count(topic: str, payload: bytes) -> list[Parsed]:
    _, camera, obj = topic.split("/")
    if camera in _NOT_CAMERAS:
        return []
    _camera(camera)
    if not _LABEL_RE.match(obj):
        raise BadInput("object names must be 1-64 letters, digits, '_' or '-'")
    text = decode_text(payload).strip()
    if obj == "motion":
        return [_discovered(camera), Observation(device=camera_key(camera), attributes={"motion": _onoff(text)})]
    if obj in ("ptz", "restart", "birdseye") or obj in _STATE_FEATURES:
        return []  # command topics or feature roots, not counts
    if not text.isdigit() or int(text) > MAX_COUNT:
        raise BadInput(f"an object count 0-{MAX_COUNT} expected, got {short(text)}")
    n = int(text)
    attrs: dict[str, Any] = {"object_count" if obj == "all" else f"{obj}_count": n}
    if obj == "person":
        attrs["occupancy"] = n > 0
    return [_discovered(camera), Observation(device=camera_key(camera), attributes=attrs)]


def _parse_state(topic: str, payload: bytes) -> list[Parsed]:
    _, camera, feature, _ = topic.split("/")
    if camera in _NOT_CAMERAS or feature not in _STATE_FEATURES:
        return []
    _camera(camera)
    value = _onoff(decode_text(payload))
    return [_discovered(camera), Observation(device=camera_key(camera), attributes={feature: value})]


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _camera_of(address: Mapping[str, Any]) -> str:
    cam = address.get("camera")
    if not isinstance(cam, str):
        key = address.get("key")
        cam = key[len(PREFIX) + 1:] if isinstance(key, str) and key.startswith(f"{PREFIX}:") else None
    if not isinstance(cam, str) or not _CAMERA_RE.match(cam):
        raise AdapterError("not a Frigate camera (no camera name in its address)")
    return cam


def _enc_attribute(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "set_attribute":
        raise AdapterError(f"attributes has no action {short(cmd.action)}")
    name = cmd.params.get("attribute")
    if name not in FEATURES:
        raise AdapterError(f"Frigate cameras have no settable attribute {short(name)} (known: {', '.join(FEATURES)})")
    v = cmd.params.get("value")
    if isinstance(v, str) and v.upper() in ("ON", "OFF"):
        v = v.upper() == "ON"
    if not isinstance(v, bool):
        raise AdapterError(f"{name} needs true or false")
    return [command(f"{PREFIX}/{_camera_of(address)}/{name}/set", "ON" if v else "OFF")]


# ---------------------------------------------------------------------------------------------
# Simulated camera
# ---------------------------------------------------------------------------------------------


def _sim_camera(decl: DeviceDecl) -> str:
    return str(decl.ids.get("camera", decl.id))


def _pub(topic: str, payload: str) -> Outbound:
    return Outbound(topic=topic, payload=payload, qos=1, retain=False)



def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    """Counts, switch echoes and (with state["detection"] = {type, label, id, zones?, score?}) an event."""
    cam = _sim_camera(decl)
    out: list[Outbound] = []
    det = state.get("detection")
    if isinstance(det, Mapping) and det.get("type") in ("new", "update", "end") and isinstance(det.get("label"), str):
        obj: dict[str, Any] = {
            "id": str(det.get("id", "sim-event")), "camera": cam, "label": det["label"],
            "score": det["score"] if is_finite_number(det.get("score")) else 0.9,
            "top_score": det["score"] if is_finite_number(det.get("score")) else 0.9,
            "false_positive": False, "start_time": det["time"] if is_finite_number(det.get("time")) else 0,
            "end_time": (det["time"] if is_finite_number(det.get("time")) else 0) if det["type"] == "end" else None,
            "current_zones": list(det.get("zones") or []), "entered_zones": list(det.get("zones") or []),
            "has_snapshot": False, "has_clip": False, "stationary": False,
        }
        out.append(_pub(f"{PREFIX}/events", dumps({"type": det["type"], "before": obj, "after": obj})))
    count: Any = state.get("person_count")
    if not is_finite_number(count) and isinstance(state.get("occupancy"), bool):
        count = 1 if state["occupancy"] else 0
    if is_finite_number(count):
        out.append(_pub(f"{PREFIX}/{cam}/person", str(max(0, int(count)))))
    if isinstance(state.get("motion"), bool):
        out.append(_pub(f"{PREFIX}/{cam}/motion", "ON" if state["motion"] else "OFF"))
    for f in FEATURES:
        if isinstance(state.get(f), bool):
            out.append(_pub(f"{PREFIX}/{cam}/{f}/state", "ON" if state[f] else "OFF"))
    return out


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    """Frigate at start: `available` online and, per camera, the retained state of each feature switch."""
    cam = _sim_camera(decl)
    return [_pub(f"{PREFIX}/available", "online")] + [_pub(f"{PREFIX}/{cam}/{f}/state", "ON") for f in FEATURES]


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    cam = _sim_camera(decl)
    return [f"{PREFIX}/{cam}/{f}/set" for f in FEATURES]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    if topic not in sim_command_topics(decl):
        return None
    try:
        value = _onoff(payload.decode("utf-8"))
    except (UnicodeDecodeError, BadInput):
        return None
    new = {k: v for k, v in state.items() if k != "detection"}
    new[topic.split("/")[-2]] = value
    return new


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    return [_pub(f"{PREFIX}/available", "offline")]


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Frigate NVR",
    routes=(
        Route(f"{PREFIX}/available", never_raises(NAME, _parse_available), "Frigate online/offline"),
        Route(f"{PREFIX}/events", never_raises(NAME, _parse_events), "tracked object events"),
        Route(f"{PREFIX}/+/+", never_raises(NAME, _parse_count), "object counts and motion per camera or zone"),
        Route(f"{PREFIX}/+/+/state", never_raises(NAME, _parse_state), "detect/recordings/snapshots echoes"),
    ),
    encoders={"attributes": _enc_attribute},
    declared_key=lambda device_id, ids: camera_key(ids.get("camera", device_id)),
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Cameras: person/object events, occupancy counts, detect/recordings/snapshots switches.",
)
