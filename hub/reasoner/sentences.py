"""fusehub's own English sentence templates, merged into Home Assistant's before they are parsed.

Home Assistant's templates (the ``home-assistant-intents`` package) ask about binary sensors only by
their open/closed and occupied/clear states, and have no "everywhere" form for switching lights or
fans. A household asks "is the phone charging?", "are any batteries low?", "is there a leak?" and
"turn off all the fans". This module adds those sentences in the same format, for the same intents
(``HassGetState``, ``HassTurnOn``, ``HassTurnOff``), so the matcher answers them the way it answers
the upstream ones: no model involved.

The binary-sensor questions come from one table, :data:`SENSED_CLASSES`: per Home Assistant device
class, the nouns a group of such sensors is called by and the words for its two states. A device's
class is :func:`sensed_class`: the ``device_class`` its Home Assistant discovery config gave it, or,
for a declared sensor, a word in its name ("Kitchen leak sensor" senses moisture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from fusehub import yamlio as yaml
from fusehub.context.graph import DeviceView
from fusehub.reasoner.sentences_devices import device_intents

__all__ = ["SENSED_CLASSES", "SKIP_WORDS", "SensedClass", "extra_intents", "merge", "sensed_class"]


@dataclass(frozen=True, slots=True)
class SensedClass:
    """One binary-sensor device class: how people name a group of them and their two states."""

    device_class: str
    """Home Assistant's device class (``battery``, ``moisture``, ...)."""
    nouns: str
    """Template for a group of them ("(battery|batteries)"); empty: only asked about by name."""
    on: str
    """Template for the 'on' state as spoken ("low" for a battery, "wet" for moisture)."""
    off: str
    """Template for the 'off' state ("normal", "dry")."""
    after_name: str = ""
    """An optional word between a device's name and the state ("is the phone [battery] low")."""


_THINGS = "(thing|things|device|devices|sensor|sensors)"
_DEVICES = "(device|devices)"
_DETECTORS = "[(sensor|sensors|detector|detectors|alarm|alarms)]"

SENSED_CLASSES: Final[tuple[SensedClass, ...]] = (
    SensedClass("battery", "(battery|batteries)", "low", "(normal|ok|okay|fine|charged|full)", "[battery]"),
    SensedClass("battery_charging", "(battery|batteries|device|devices|phone|phones)", "charging",
                "not charging", "[battery]"),
    SensedClass("carbon_monoxide", f"(carbon monoxide|co) {_DETECTORS}",
                "(on|detected|triggered|going off)", "(off|clear)"),
    SensedClass("gas", f"gas {_DETECTORS}", "(on|detected|triggered|going off)", "(off|clear)"),
    SensedClass("smoke", f"(smoke|fire) {_DETECTORS}", "(on|detected|triggered|going off)", "(off|clear)"),
    SensedClass("cold", _THINGS, "(cold|freezing|frozen)", "(normal|warm)"),
    SensedClass("heat", _THINGS, "(hot|overheating|overheated)", "(normal|cool)"),
    SensedClass("connectivity", _DEVICES, "(connected|online)", "(disconnected|offline)"),
    SensedClass("light", "(light|lights) [sensor|sensors]", "detected", "not detected"),
    # Home Assistant's binary lock sensor is 'on' when unlocked
    SensedClass("lock", "", "unlocked", "locked"),
    SensedClass("moisture", f"(leak|water|moisture|flood) {_DETECTORS}", "(wet|leaking|flooded|on|triggered)",
                "(dry|off|clear)"),
    SensedClass("moving", _THINGS, "moving", "(still|stopped|not moving)"),
    SensedClass("plug", "(device|devices|plug|plugs)", "plugged in", "(unplugged|not plugged in)"),
    SensedClass("power", _DEVICES, "(powered [on]|receiving power)", "(unpowered|not powered|without power)"),
    SensedClass("presence", "(device|devices|phone|phones)", "(home|present|at home)", "(away|gone|not home)"),
    SensedClass("problem", _DEVICES, "(having (a problem|problems)|broken|faulty|reporting a problem)",
                "(ok|okay|fine|working)"),
    SensedClass("running", "(device|devices|appliance|appliances|machine|machines)", "running",
                "(not running|stopped|idle|done)"),
    SensedClass("safety", _THINGS, "unsafe", "safe"),
    SensedClass("sound", "(sound|sounds|noise|noises) [sensor|sensors]", "(detected|heard)", "(clear|quiet)"),
    SensedClass("tamper", _THINGS, "[being] tampered with", "(clear|not tampered with)"),
    SensedClass("update", _DEVICES, "(outdated|out of date|due for an update|needing an update)", "up to date"),
    SensedClass("vibration", _THINGS, "(vibrating|shaking)", "(still|not vibrating)"),
)
"""Binary-sensor classes the matcher answers questions about (beyond open/closed and occupancy)."""

_BY_CLASS: Final = {c.device_class: c for c in SENSED_CLASSES}

# Groups of the binary sensors Home Assistant's templates ask about only by name: (class, nouns, its state list).
_UPSTREAM_GROUPS: Final[tuple[tuple[str, str, str], ...]] = (
    ("opening", "(opening|openings) [(sensor|sensors)]", "bs_open_states"),
    ("occupancy", "(occupancy|presence) (sensor|sensors)", "bs_occupancy_states"),
    ("motion", "(motion|movement) (sensor|sensors)", "bs_occupancy_states"),
)

SKIP_WORDS: Final[tuple[str, ...]] = ("currently", "right now", "at the moment", "at present")
"""Fillers that change nothing in a request ("which doors are locked right now")."""

# A declared sensor (no discovery config) senses what its name says.
_NAME_CLASS: Final[tuple[tuple[str, str], ...]] = (
    (r"\b(leak|flood|moisture|water sensor|water detector)\b", "moisture"),
    (r"\b(smoke|fire alarm|fire detector)\b", "smoke"),
    (r"\b(co|carbon monoxide)\b", "carbon_monoxide"),
    (r"\bgas\b", "gas"),
)

# Binary kinds whose class comes from their kind when no discovery config names one.
_KIND_CLASS: Final = {"motion": "motion", "occupancy": "occupancy"}


def sensed_class(d: DeviceView) -> str | None:
    """The binary-sensor device class of `d`, or None when it is not a binary sensor of a known class.

    From the Home Assistant discovery config (``address.platform`` ``binary_sensor``) when there is one,
    else from the kind (motion, occupancy) or, for a sensor whose state is a word, from its name.
    """
    addr = d.address or {}
    dc = addr.get("device_class")
    if isinstance(dc, str) and addr.get("platform") == "binary_sensor":
        return dc
    if d.kind in _KIND_CLASS:
        return _KIND_CLASS[d.kind]
    if d.kind == "sensor" and "platform" not in addr and isinstance(d.state.get("value"), str | None):
        name = " ".join(d.name.casefold().split())
        for pattern, cls in _NAME_CLASS:
            if re.search(pattern, name):
                return cls
    return None


def _states(c: SensedClass) -> str:
    return f"fh_{c.device_class}_states"


def _group(nouns: str, states: str, what: str) -> list[str]:
    """'are any batteries low', 'which batteries are low [in the kitchen]', ..."""
    st = f"{{{states}:state}}"
    where = f"[[<in>] [<the>] {{{what}}}]"
    return [
        f"<are_any> {nouns} {st} {where}",
        f"<are_all> {nouns} {st} {where}",
        f"<which> {nouns} <is> {st} {where}",
        f"<how_many> {nouns} <is> {st} {where}",
    ]


def _sensor_data() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = []
    for c in SENSED_CLASSES:
        st = f"{{{_states(c)}:state}}"
        data.append({
            "sentences": [f"<is> [<the>] {{name}} {c.after_name} {st}".replace("  ", " "),
                          f"<is> [<the>] {{name}} {c.after_name} {st} [<in>] [<the>] {{area}}".replace("  ", " ")],
            "requires_context": {"domain": "binary_sensor", "device_class": c.device_class},
            "metadata": {"slot_combination": "name_state", "source": "fusehub"},
        })
    groups = [(c.device_class, c.nouns, _states(c)) for c in SENSED_CLASSES if c.nouns]
    for cls, nouns, states in [*groups, *_UPSTREAM_GROUPS]:
        slots = {"domain": "binary_sensor", "device_class": cls}
        for what in ("area", "floor"):
            data.append({"sentences": _group(nouns, states, what), "slots": slots,
                         "metadata": {"slot_combination": f"group_{what}", "source": "fusehub"}})
    moisture = _BY_CLASS["moisture"]
    leak = {"slot_combination": "leak", "source": "fusehub"}
    data.append({
        "sentences": [f"<is> [<the>] (floor|ground) {{{_states(moisture)}:state}} [[<in>] [<the>] {{area}}]"],
        "slots": {"domain": "binary_sensor", "device_class": "moisture"}, "metadata": leak,
    })
    data.append({
        "sentences": ["<is> (there|anything|something) [a] (leak|leaking|flooding|flood) [[<in>] [<the>] {area}]"],
        "slots": {"domain": "binary_sensor", "device_class": "moisture", "state": "on"}, "metadata": leak,
    })
    return data


def _everywhere_data(on: bool) -> list[dict[str, Any]]:
    """'turn off all the fans', 'turn the lights on everywhere', 'turn the lights upstairs off'."""
    word = "on" if on else "off"
    verbs = "(activate|enable|start)" if on else "(deactivate|disable|stop)"
    data: list[dict[str, Any]] = []
    for noun, domain in (("<light>", "light"), ("(fan|fans)", "fan"), ("(switch|switches)", "switch")):
        data.append({
            "sentences": [
                f"<turn> {word} <all> {noun} [<everywhere>]",
                f"<turn> <all> {noun} {word} [<everywhere>]",
                f"<turn> [(<all>|<the>)] {noun} ({word};<everywhere>)",
                f"<turn> {word} [<the>] {noun} <everywhere>",
                f"{verbs} <all> {noun} [<everywhere>]",
                f"{verbs} [(<all>|<the>)] {noun} <everywhere>",
            ] + (["(light up|illuminate) <everywhere> [[<in>] <the> <home>]"] if on and domain == "light" else []),
            "slots": {"domain": domain},
            "metadata": {"slot_combination": "everywhere", "source": "fusehub"},
        })
    # the state word after a floor ("turn the lights on the first floor off"); upstream has it only before
    data.append({
        "sentences": [f"<turn> [<the>] <light> <in> [<the>] {{floor}} {word}"],
        "slots": {"domain": "light"},
        "metadata": {"slot_combination": "floor", "source": "fusehub"},
    })
    return data


def _light_set_data() -> list[dict[str, Any]]:
    """A light named with its room and no verb: "lantern in the kitchen yellow", "the arc lamp in the loft
    brightness 60" (upstream has these for a name alone)."""
    named = "[<the>] {name} <in> [<the>] {area}"
    return [{
        "sentences": [
            f"[<numeric_value_set>] {named} brightness [to] {{brightness}}[([ ]%)| percent]",
            f"[<set>] {named} [color] [to] {{color}}",
        ],  # no "temperature" form: it would read "set the climate unit in the kitchen temperature to 18" as a light's
        # (white temperatures are fusehub.reasoner.directs')
        "requires_context": {"domain": ["light"]},
        "metadata": {"slot_combination": "name_area", "source": "fusehub"},
    }]


def extra_intents(language: str) -> dict[str, Any]:
    """fusehub's additions for `language` in the templates' file format: English built here, other languages
    from the package's ``sentences_data/<language>.yaml`` (empty when there is none)."""
    if language != "en":
        return _sentence_file(language)
    lists: dict[str, Any] = {
        _states(c): {"values": [{"in": c.on, "out": "on"}, {"in": c.off, "out": "off"}]} for c in SENSED_CLASSES
    }
    return merge({
        "skip_words": list(SKIP_WORDS),
        "lists": lists,
        "intents": {
            "HassGetState": {"data": _sensor_data()},
            "HassTurnOn": {"data": _everywhere_data(True)},
            "HassTurnOff": {"data": _everywhere_data(False)},
            "HassLightSet": {"data": _light_set_data()},
        },
    }, device_intents())


def _sentence_file(language: str) -> dict[str, Any]:
    """fusehub's sentence file for `language` (package data), in Home Assistant's template format."""
    path = resources.files("fusehub.reasoner").joinpath("sentences_data", f"{language}.yaml")
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"fusehub sentence file for {language!r} is not a mapping")
    return data


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`base` templates with `extra` added: lists and skip words joined, intent data appended.

    A list or expansion rule `extra` redefines raises ValueError: an addition must never change
    what an upstream template means.
    """
    out = dict(base)
    for key in ("lists", "expansion_rules"):
        clash = set(base.get(key, {})) & set(extra.get(key, {}))
        if clash:
            raise ValueError(f"fusehub templates redefine {key} {sorted(clash)}")
        out[key] = {**base.get(key, {}), **extra.get(key, {})}
    out["skip_words"] = list(dict.fromkeys([*base.get("skip_words", []), *extra.get("skip_words", [])]))
    intents = dict(base.get("intents", {}))
    for name, body in extra.get("intents", {}).items():
        old = intents.get(name, {"data": []})
        intents[name] = {**old, "data": [*old.get("data", []), *body["data"]]}
    out["intents"] = intents
    return out
