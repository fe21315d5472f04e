"""The planner's view of the context graph: only what matters to one trigger, in terse lines.

A home can have a hundred devices; a 135M-parameter model reads a dozen lines well and a hundred badly,
and every prompt token costs prefill time. So the view selects: the rooms (always, they are short), the
people, the speaker, and the devices the trigger is about, ranked by how the request names them (device
name or alias words, the device's kind, its room, the room of a person named, the speaker's room when no
room is named). Device lines carry the state a request may depend on.

    time 19:30
    rooms kitchen living_room office bedroom
    person ben "Ben" home office
    speaker anna kitchen
    dev kitchen_ceiling "Kitchen ceiling" light kitchen on bri=80
    dev office_lamp "Office lamp" light office off

Names and ids come from devices and are data: the view quotes names and strips quotes and line breaks
from them, so a device cannot start a line of its own. Pure functions over the graph; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fusehub.context.facts import daylight, outside_temperature, whereabouts
from fusehub.context.graph import ContextGraph, DeviceView, FloorView, RoomView

__all__ = ["KIND_WORDS", "View", "build_view", "fact_lines", "words"]

MAX_DEVICES = 8

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lights", "lamp", "lamps", "bulb", "bright", "brightness", "dim", "brighter", "dimmer",
              "darker", "color", "colour", "red", "blue", "green", "white", "warm", "ceiling", "strip"),
    "switch": ("switch", "switches", "fan", "fans", "power"),
    "fan": ("fan", "fans", "speed", "ceiling"),
    "plug": ("plug", "plugs", "socket", "outlet", "kettle", "heater", "power"),
    "cover": ("blind", "blinds", "shade", "shades", "curtain", "curtains", "cover", "covers", "shutter",
              "shutters", "awning", "window", "windows", "open", "close", "position"),
    "climate": ("temperature", "thermostat", "heating", "heat", "warmer", "colder", "cooler", "hotter", "degrees",
                "radiator", "ac", "air", "conditioning", "cold", "warm", "hot", "mode", "cool"),
    "lock": ("lock", "locks", "unlock", "door", "doors", "locked", "front", "back"),
    "garage": ("garage", "door"),
    "vacuum": ("vacuum", "vacuuming", "robot", "clean", "cleaning", "hoover", "hoovering", "dock", "mop"),
    "media_player": ("tv", "television", "music", "song", "track", "volume", "louder", "quieter", "pause",
                     "play", "resume", "next", "skip", "playing", "media", "player", "speaker"),
    "speaker": ("speaker", "speakers", "announce", "announcement", "broadcast", "intercom", "say", "tell", "music",
                "volume", "louder", "quieter", "pause", "play", "resume", "next", "skip", "song", "track"),
    "phone": ("phone", "notify", "notification", "message", "text", "send"),
    "car": ("car", "tesla", "vehicle", "precondition", "cabin", "defrost", "charge"),
    "sensor": ("temperature", "humidity", "sensor", "reading", "outside", "power", "energy", "battery"),
    "contact": ("open", "closed", "window", "door", "contact"),
    "motion": ("motion", "movement"),
}

_KIND_VOCAB = {w for ws in KIND_WORDS.values() for w in ws}

_STOP = {"the", "a", "an", "in", "on", "of", "to", "is", "it", "my", "me", "please", "and", "at", "all",
         "turn", "set", "what", "s", "off", "up", "down", "for", "i", "you", "can", "be", "room", "rooms"}


# What a sensor senses, in the words people ask with: a device whose name or id has one word of a group
# is also found by the others ("is the floor wet" finds the "Kitchen leak sensor", "is there any
# movement" the "Hall motion" sensor). Used for finding devices only, never shown to the model.
SENSE_WORDS: tuple[frozenset[str], ...] = tuple(frozenset(g.split()) for g in (
    "wet dry leak leaking leaks flood flooded flooding moisture",
    "smoke fire",
    "gas co carbon monoxide",
    "battery charge charged charging",
    "connected connectivity connection online offline disconnected",
    "heat hot overheating overheated",
    "cold freezing frozen",
    "motion movement moving moved",
    "occupancy occupied presence present",
    "running",
    "vibration vibrating",
    "sound noise",
    "tamper tampered tampering",
    "update updates",
    "plug plugged unplugged",
    "power powered mains",
    "problem problems fault",
    "safety safe unsafe",
))


def words(text: str) -> list[str]:
    """Lowercase word tokens, with a plural ('lamps', 'batteries') also given as the singular."""
    out: list[str] = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        out.append(w)
        if len(w) > 4 and w.endswith("ies"):
            out.append(w[:-3] + "y")
        elif len(w) > 3 and w.endswith("s"):
            out.append(w[:-1])
    return out


def _sense_words(name_words: set[str]) -> set[str]:
    """The other words of each SENSE_WORDS group a device's name words touch."""
    out: set[str] = set()
    for g in SENSE_WORDS:
        if name_words & g:
            out |= g
    return out - name_words


def _clean(s: str, n: int = 40) -> str:
    return re.sub(r'[\x00-\x1f"\\]+', " ", s).strip()[:n]


def _fmt_num(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else f"{v:.1f}"
    return _clean(str(v), 24).replace(" ", "_")


def device_state(d: DeviceView) -> str:
    """Terse state: what a request may depend on (on/off, brightness, setpoints, positions, playback)."""
    s = d.state
    parts: list[str] = []
    if d.available is False:
        parts.append("offline")
    if "on" in s and s["on"] is not None:
        parts.append("on" if s["on"] else "off")
    for key, short in (("brightness", "bri"), ("current_temperature", "temp"), ("target_temperature", "target"),
                       ("hvac_mode", "mode"), ("position", "pos"), ("volume", "vol"), ("value", "value"),
                       ("battery", "battery")):
        if s.get(key) is not None:
            parts.append(f"{short}={_fmt_num(s[key])}")
    if s.get("locked") is not None:
        parts.append("locked" if s["locked"] else "unlocked")
    if s.get("open_state") is not None:
        parts.append(_fmt_num(s["open_state"]))
    if s.get("contact_open") is not None:
        parts.append("open" if s["contact_open"] else "closed")
    if s.get("playback") is not None:
        parts.append(_fmt_num(s["playback"]))
    if s.get("status") is not None and "vacuum" in d.capabilities:
        parts.append(_fmt_num(s["status"]))
    unit = (d.address or {}).get("unit")
    if unit and "value" in s:
        parts.append(_clean(str(unit), 8).replace(" ", ""))
    for name, spec in d.attributes.items():
        val = s.get(name)
        rng = ""
        if spec.get("type") == "number":
            rng = f"({_fmt_num(spec.get('min'))}-{_fmt_num(spec.get('max'))})"
        elif spec.get("type") == "enum":
            rng = "(" + "|".join(_clean(str(o), 12) for o in spec.get("options") or []) + ")"
        parts.append(f"{_clean(name, 20)}={_fmt_num(val) if val is not None else '?'}{rng}")
    return " ".join(parts)


@dataclass
class View:
    """The selected slice of the graph and its rendering."""

    lines: list[str]
    device_ids: list[str]
    rooms: list[str]
    people: list[str] = field(default_factory=list)
    home_n: int = 0
    """How many leading lines describe the home (rooms, people) rather than the request."""
    named_rooms: list[str] = field(default_factory=list)
    """Rooms the trigger's words name (by name, alias or id words) or point to through a person named in it
    ("where Ben is"); the speaker's room is not among them unless named."""
    named_floors: list[str] = field(default_factory=list)
    """Floors the trigger's words name (by name, alias or id words)."""
    place_named: bool = False
    """Whether the trigger's own words name a room or a floor, or point at the speaker's ("in here", "this room");
    a room reached through a person does not count."""

    def render(self) -> str:
        return "\n".join(self.lines)


_HERE = ("here", "this room", "the room", "my room", "our room")
"""Words that point at the speaker's room (matched as whole words in the normalized request)."""


def _name_words(d: DeviceView) -> set[str]:
    out: set[str] = set()
    for n in (d.name, d.id, *d.aliases):
        out.update(w for w in words(n.replace("_", " ").replace(".", " ")) if w not in _STOP)
    return out


def _norm(s: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", s.lower()))


def _room_phrases(rooms: Sequence[RoomView | FloorView]) -> dict[str, list[str]]:
    """Room (or floor) id -> the ways a request may name it (name, id words, aliases), normalized by `_norm`."""
    out: dict[str, list[str]] = {}
    for r in rooms:
        cands = {_norm(c) for c in (r.name, r.id.replace("_", " "), *r.aliases)}
        out[r.id] = [c for c in cands if c]
    return out


def _named(phrases: dict[str, list[str]], low: str) -> set[str]:
    """Ids whose phrases (from `_room_phrases`) occur as whole words in `low` (normalized, padded with spaces)."""
    return {i for i, cands in phrases.items() if any(f" {c} " in low for c in cands)}


def _bound_by_room(devices: list[DeviceView], room_names: dict[str, list[str]], low: str) -> set[str]:
    """Ids of devices left out because the request names a same-named device with its room.

    `low` is the request as space-separated lower-case words, padded with spaces. A device called N is left
    out when another device called N is named as "N in the R" (or "N in R") with R its room, and the request
    never names N with this device's own room."""
    by_name: dict[str, list[DeviceView]] = {}
    for d in devices:
        n = _norm(d.name)
        if n:
            by_name.setdefault(n, []).append(d)

    def named_with_room(name: str, d: DeviceView) -> bool:
        return d.room is not None and any(f" {name} in the {rn} " in low or f" {name} in {rn} " in low
                                          for rn in room_names.get(d.room, []))

    out: set[str] = set()
    for name, same in by_name.items():
        if len(same) < 2:
            continue
        named = {d.id for d in same if named_with_room(name, d)}
        if named:
            out.update(d.id for d in same if d.id not in named)
    return out


TIME_WORDS = frozenset({
    "now", "today", "tonight", "tomorrow", "morning", "afternoon", "evening", "night", "midnight", "noon", "dark",
    "daylight", "sunset", "sunrise", "late", "early", "bedtime", "clock", "time", "oclock", "o'clock", "am", "pm",
    "weekend", "weekday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})
"""Words that make a request depend on the time of day (a situation always does)."""

OUTSIDE_WORDS = frozenset({"outside", "outdoor", "outdoors"})
"""Words that make a request depend on the outside temperature."""
DAYLIGHT_WORDS = frozenset({"dark", "daylight", "sunset", "sunrise", "sun", "sunny", "light", "night"})
"""Words that make a request depend on daylight (with a clock: most are TIME_WORDS too)."""
ETA_WORDS = frozenset({"home", "eta", "far", "back", "arrive", "arrives", "arriving", "away", "way", "minute"})
"""Words that make a request about a named person depend on how far away and how soon home they are."""


def fact_lines(graph: ContextGraph, ws: set[str], named_people: set[str], situation: bool,
               now: datetime | None) -> list[str]:
    """The fused facts a trigger depends on, one short line each (`fusehub.context.facts`): the outside
    temperature ("outside"), daylight ("dark", "sunset": only where the words depend on the time), and each
    away person's distance, ETA and travel mode ("when Lars is home"). A situation gets all of them. `now` is the
    hub's clock (None: no daylight and no whereabouts lines)."""
    out: list[str] = []
    if situation or ws & OUTSIDE_WORDS:
        r = outside_temperature(graph)
        if r is not None:
            unit = (r.unit or "").replace("°", "").replace(" ", "")
            out.append(f"outside {_fmt_num(round(r.value, 1))}{_clean(unit, 4)}")
    if now is not None and (situation or (ws & DAYLIGHT_WORDS and ws & TIME_WORDS)):
        d = daylight(graph, now)
        if d is not None:
            out.append(f"daylight {'yes' if d.is_daylight else 'no'}")
    if now is not None and (situation or ws & ETA_WORDS):
        for p in graph.people():
            if not situation and p.id not in named_people:
                continue
            w = whereabouts(graph, p.id, now)  # how old a position is, is state: positions go stale
            if w.state != "away" or w.distance_m is None:
                continue
            eta = f" eta {round(w.eta_min)}min" if w.eta_min is not None else ""
            out.append(f"away {p.id} {round(w.distance_m / 1000, 1):g}km{eta} {w.travel_mode}")
    return out


STILL_TIME = datetime(2026, 1, 5, 12, 0)
"""The time line a request whose words do not depend on the clock gets, so its plan is the same at any minute
(a Monday noon: an ordinary time the model has seen in training)."""


def build_view(
    graph: ContextGraph,
    text: str | None,
    *,
    speaker: str | None = None,
    room: str | None = None,
    situation: str | None = None,
    now: datetime | None = None,
    max_devices: int = MAX_DEVICES,
    always: Iterable[str] = (),
) -> View:
    """Select and render the view for one trigger (an utterance and/or a situation)."""
    ws = set(words(text or "")) | set(words(situation or ""))
    ws_nostop = ws - _STOP
    rooms = graph.rooms()
    room_ids = [r.id for r in rooms]
    # rooms named in the request (by name, alias or id words)
    low = " " + _norm(f"{text or ''} {situation or ''}") + " "
    room_names = _room_phrases(rooms)
    named_rooms = _named(room_names, low)
    room_words = {w for r in rooms if r.id in named_rooms
                  for w in words(r.name + " " + r.id.replace("_", " "))}
    ws_nostop = {w for w in ws_nostop - room_words if not w.isdigit()}  # '2 degrees' is no device called '2'
    people = graph.people()
    named_people = {p.id for p in people if {w for w in words(p.name)} & ws or p.id in ws}
    person_rooms = {p.room for p in people if p.id in named_people and p.room}
    context_rooms = named_rooms | person_rooms
    if not context_rooms and room:
        context_rooms = {room}
    kinds_named = {k for k, kw in KIND_WORDS.items() if ws & set(kw)}

    # Tier A: named by a distinctive word, named in full, or in the room the request is about (and of the kind
    # asked for). Tier B: only the kind matches. Tier B devices are shown only when there is no tier A device.
    tier_a: list[tuple[float, str]] = []
    tier_b: list[tuple[float, str]] = []
    devices = graph.devices()
    # a kind word that names few devices ("the tv" in a home with one tv) designates them like a name does
    by_word: dict[str, int] = {}
    for d in devices:
        for w in _name_words(d) & set(KIND_WORDS.get(d.kind, ())) & ws:
            by_word[w] = by_word.get(w, 0) + 1
    rare = {w for w, n in by_word.items() if n <= 2}
    for d in devices:
        nw = _name_words(d)
        hits = (nw | _sense_words(nw)) & ws_nostop
        kind_hit = d.kind in kinds_named
        passive = not d.capabilities or set(d.capabilities) <= {"location", "presence", "motion", "occupancy"}
        if passive and d.kind not in ("phone", "car", "sensor") and not (hits or kind_hit):
            continue  # a motion or presence sensor only when the request is about it
        distinct = len(hits - _KIND_VOCAB)
        full = bool(nw) and nw <= ws
        in_room = d.room in context_rooms
        score = 3.0 * distinct + 1.0 * len(hits & _KIND_VOCAB) + 2.0 * kind_hit + 2.5 * in_room + 2.0 * full
        if d.id in always:
            score += 10
        if distinct or full or hits & rare or d.id in always or (in_room and (kind_hit or hits or not kinds_named)):
            tier_a.append((score, d.id))
        elif kind_hit or hits:
            tier_b.append((score, d.id))
    # "the lantern in the bedroom" where several devices are called Lantern: the request says which one, so
    # the others are no choice for it (a small model otherwise picks among same-named ids at random)
    bound = _bound_by_room(devices, room_names, low) - set(always)
    tier_a = [t for t in tier_a if t[1] not in bound]
    tier_b = [t for t in tier_b if t[1] not in bound]
    scored = tier_a or tier_b
    scored.sort(key=lambda t: (-t[0], t[1]))
    chosen = [i for _, i in scored[:max_devices]]

    # home lines first (rooms, people: stable, cached by the runtime), then the request's own lines
    lines: list[str] = ["rooms " + " ".join(room_ids)]
    for p in people:
        where = p.room or p.location or "unknown"
        if p.location == "home" and p.room:
            where = f"home {p.room}"
        lines.append(f'person {p.id} "{_clean(p.name)}" {where}')
    home_n = len(lines)
    if now is not None:
        when = now if situation or ws & TIME_WORDS else STILL_TIME  # the clock only where the words depend on it
        lines.append(f"time {when:%H:%M} {when:%a}".lower())
    lines += fact_lines(graph, ws, named_people, bool(situation), now)
    floors = graph.floors()
    floors_named = _named(_room_phrases(floors), low)
    if floors and ws & {"floor", "upstairs", "downstairs", "basement", "ground", "first", "second", "attic"}:
        lines.append("floors " + " ".join(f.id for f in floors))
    scenes = graph.scenes()
    if scenes and ws & {"scene", "mode", "movie", "night", "morning", "dinner", "party", "relax", "activate"}:
        lines.append("scenes " + " ".join(s.id for s in scenes))
    if speaker or room:
        lines.append(f"speaker {speaker or 'unknown'} {room or 'unknown'}")
    for dev_id in chosen:
        d = graph.device(dev_id)
        st = device_state(d)
        lines.append(f'dev {d.id} "{_clean(d.name)}" {d.kind} {d.room or "-"}' + (f" {st}" if st else ""))
    return View(lines=lines, device_ids=chosen, rooms=room_ids, people=[p.id for p in people], home_n=home_n,
                named_rooms=[r for r in room_ids if r in named_rooms or r in person_rooms],
                named_floors=[f.id for f in floors if f.id in floors_named],
                place_named=bool(named_rooms or floors_named or any(f" {h} " in low for h in _HERE)))

