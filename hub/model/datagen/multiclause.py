"""Multi-clause requests (category ``clauses``) and requests naming missing devices (``substitution``).

A case is one request of 2-6 clauses over a generated home of 12-60 devices, each clause valid or not:

* valid: on/off by name or by room, absolute brightness / temperature / attribute within range, relative
  changes ("by N", "N percent brighter", "half a degree", "a bit", numbers in words), option steps;
* ``missing_device``: a kind the named room lacks ("the fan in the pantry"), or a name the home does not have;
* ``missing_attribute``: the device exists but cannot do that (a fan made brighter, a lamp's volume);
* ``out_of_range``: an absolute value outside the declared range or options (refused, never capped).

Each clause has its expected calls (the conventions' mapping) or the reason kind its refusal must give.
Training and held-out splits use disjoint room names, device names, verbs and clause joiners, and homes seeded
by split, so the held-out figures are on homes and phrasings training never saw. ``substitution_cases`` are
single or multi-clause requests where every clause names something the home lacks, while the home has the same
kind of device elsewhere: any call for them is a substitute.

    python -m fusehub.model.datagen.multiclause --n 500 --split heldout --out clauses.jsonl

:func:`as_examples` turns cases into :class:`~fusehub.model.datagen.examples.Example` records (category
``clauses``), so ``bench/eval_heldout.py --path pipeline --category clauses`` measures them with the others.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fusehub.context.graph import ContextGraph
from fusehub.home import Home, slug
from fusehub.model.datagen.examples import Example
from fusehub.model.datagen.phrasing import Split
from fusehub.reasoner.calls import Call

__all__ = ["CATEGORY", "Case", "Clause", "GenHome", "as_examples", "build_home", "cases", "substitution_cases"]

CATEGORY = "clauses"
Kind = Literal["valid", "relative", "missing_device", "missing_attribute", "out_of_range"]

_ROOMS: dict[str, list[str]] = {
    "train": ["Kitchen", "Living room", "Bedroom", "Office", "Bathroom", "Hallway", "Dining room", "Garage",
              "Guest room", "Laundry room", "Playroom", "Attic", "Basement", "Porch", "Balcony", "Kids room"],
    "heldout": ["Studio", "Den", "Nursery", "Library", "Conservatory", "Mudroom", "Pantry", "Loft", "Sunroom",
                "Workshop", "Patio", "Cellar", "Gym", "Snug", "Annex", "Scullery"],
}
_LIGHTS = {"train": ["{R} light", "{R} ceiling light", "{R} lamp"], "heldout": ["{R} pendant", "{R} sconce",
                                                                                "{R} spotlight"]}
_FANS = {"train": ["{R} fan"], "heldout": ["{R} ventilator"]}
_SPEAKERS = {"train": ["{R} speaker"], "heldout": ["{R} soundbar"]}
_HEAT = {"train": ["{R} thermostat"], "heldout": ["{R} radiator"]}
_COVERS = {"train": ["{R} blinds"], "heldout": ["{R} shutters"]}
_GENERIC = {"train": ["{R} humidifier"], "heldout": ["{R} air purifier"]}
_ABSENT = {"train": ["sauna heater", "wine cooler", "aquarium pump", "hot tub", "pizza oven"],
           "heldout": ["steam room light", "beer fridge", "koi pond filter", "popcorn machine", "rowing machine"]}
_ON = {"train": ["turn on the {d}", "switch on the {d}"], "heldout": ["power on the {d}", "turn the {d} on"]}
_OFF = {"train": ["turn off the {d}", "switch off the {d}"], "heldout": ["power off the {d}", "turn the {d} off"]}
_ROOM_OFF = {"train": ["turn off the lights in the {r}"], "heldout": ["switch the lights off in the {r}"]}
_BRIGHT = {"train": ["set the {d} to {n}%", "set the {d} brightness to {n} percent"],
           "heldout": ["put the {d} at {n} percent", "dim the {d} to {n}%"]}
_REL_BRIGHT = {"train": ["make the {d} {n} percent {dir}", "turn the {d} {updown} by {n}%"],
               "heldout": ["make the {d} {n}% {dir}", "bring the {d} {updown} by {n} percent"]}
_BIT_BRIGHT = {"train": ["make the {d} a bit {dir}"], "heldout": ["make the {d} a little {dir}"]}
_TEMP = {"train": ["set the {d} to {t}", "set the {d} to {t} degrees"],
         "heldout": ["put the {d} on {t} degrees", "change the {d} to {t}"]}
_REL_TEMP = {"train": ["turn the {d} {updown} by {w} degrees", "turn the {d} {updown} half a degree"],
             "heldout": ["bring the {d} {updown} by {w} degrees", "nudge the {d} {updown} half a degree"]}
_VOL = {"train": ["turn the {d} {updown} by {w}", "turn the {d} {updown} a bit"],
        "heldout": ["bring the {d} volume {updown} by {w}", "turn the {d} {updown} a little"]}
_ATTR = {"train": ["set the {d} {a} to {v}"], "heldout": ["change the {d} {a} to {v}"]}
_STEP = {"train": ["turn the {d} {a} {updown} one"], "heldout": ["{d} {a} {updown} one"]}
_MISSING_IN_ROOM = {"train": ["turn on the {k} in the {r}", "switch off the {k} in the {r}",
                              "turn the {k} in the {r} up a bit"],
                    "heldout": ["power on the {k} in the {r}", "turn the {k} in the {r} off",
                                "bring the {k} in the {r} down a little"]}
_ABSENT_ROOMS = {"train": ["sauna", "wine cellar", "home cinema", "boat house"],
                 "heldout": ["greenhouse", "treehouse", "games room", "orangery"]}
_MISSING_ROOM = {"train": ["turn off the lights in the {r}", "dim the lights in the {r} a bit"],
                 "heldout": ["switch the lights off in the {r}", "make the lights in the {r} a little brighter"]}
_MISSING_ATTR = {"train": ["make the {d} brighter", "turn up the volume on the {d}"],
                 "heldout": ["make the {d} a little brighter", "raise the volume of the {d}"]}
_JOIN = {"train": [" and ", ", ", ", and then ", " then "], "heldout": [", and ", " and also ", "; ", " as well as "]}
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 15: "fifteen", 20: "twenty"}


@dataclass
class GenHome:
    """A generated home, its graph and how its devices are called."""

    id: str
    home: Home
    graph: ContextGraph
    room_name: dict[str, str]
    kinds: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """room id -> kind (light, fan, speaker, heat, cover, generic) -> device ids."""
    name: dict[str, str] = field(default_factory=dict)
    """device id -> its name, lower case."""


@dataclass
class Clause:
    """One clause: its text, kind and expected calls (valid) or the kind of its refusal."""

    text: str
    kind: Kind
    calls: list[Call] = field(default_factory=list)


@dataclass
class Case:
    """One request: the clauses joined, the home and the speaker's room."""

    text: str
    home_id: str
    room: str | None
    clauses: list[Clause]
    split: Split

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "home_id": self.home_id, "room": self.room, "split": self.split,
                "clauses": [{"text": c.text, "kind": c.kind, "calls": [{"skill": x.skill, "args": x.args}
                                                                      for x in c.calls]} for c in self.clauses]}


def build_home(home_id: str) -> GenHome:
    """A home of 12-60 devices; the split is in the id ("heldout-..." or "train-...")."""
    split: Split = "heldout" if home_id.startswith("heldout") else "train"
    rng = random.Random(f"clauses:{home_id}")
    names = rng.sample(_ROOMS[split], rng.randint(5, 16))
    rooms = [{"id": slug(n), "name": n} for n in names]
    devices: list[dict[str, Any]] = []
    h = GenHome(home_id, Home.model_validate({"name": "x", "rooms": []}), ContextGraph(),
                {slug(n): n.lower() for n in names})

    def add(kind: str, dkind: str, room: str, name: str, **extra: Any) -> None:
        did = slug(f"{room}_{kind}_{len(devices)}")
        devices.append({"id": did, "name": name, "kind": dkind, "room": room, "ecosystem": "homeassistant",
                        **extra})
        h.kinds.setdefault(room, {}).setdefault(kind, []).append(did)
        h.name[did] = name.lower()

    for n in names:
        r = slug(n)
        lights = rng.sample(_LIGHTS[split], 2 if rng.random() < 0.3 else 1)
        for tpl in lights:
            add("light", "light", r, tpl.replace("{R}", n).capitalize())
        for kind, table, dkind, p, extra in (
            ("fan", _FANS, "fan", 0.4, {"capabilities": ["on_off"]}),
            ("speaker", _SPEAKERS, "speaker", 0.45, {}),
            ("heat", _HEAT, "climate", 0.5, {"attributes": {"target_temperature": {
                "type": "number", "min": 16, "max": rng.choice((26, 28, 30)), "step": 0.5, "unit": "°C"}}}),
            ("cover", _COVERS, "cover", 0.35, {}),
            ("generic", _GENERIC, "humidifier", 0.25, {"capabilities": ["on_off"], "attributes": {
                "target_humidity": {"type": "number", "min": 30, "max": 70, "step": 5, "unit": "%"},
                "fan_speed": {"type": "enum", "options": ["low", "medium", "high"]}}}),
        ):
            if rng.random() < p:
                add(kind, dkind, r, rng.choice(table[split]).replace("{R}", n).capitalize(), **extra)
    h.home = Home.model_validate({"name": f"Home {home_id}", "rooms": rooms, "devices": devices})
    h.graph.load_home(h.home)
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for d in h.home.devices:
        state: dict[str, Any] = {}
        if d.kind == "light":
            state = {"on": True, "brightness": rng.randrange(10, 100, 10)}
        elif d.kind == "climate":
            state = {"target_temperature": float(rng.randint(18, 23))}
        elif d.kind == "speaker":
            state = {"volume": rng.randrange(10, 90, 10)}
        elif d.kind == "humidifier":
            state = {"on": True, "target_humidity": 45, "fan_speed": rng.choice(["low", "medium"])}
        if state:
            h.graph.apply_state(d.id, state, now)
    return h


def _call(skill: str, **args: Any) -> Call:
    return Call(skill, {k: v for k, v in args.items() if v is not None})


def _all(h: GenHome, kind: str) -> list[str]:
    return [d for r in h.kinds.values() for d in r.get(kind, [])]


def _valid(h: GenHome, rng: random.Random, split: Split) -> Clause:
    pick = rng.random()
    lights, heat, speakers, gens = _all(h, "light"), _all(h, "heat"), _all(h, "speaker"), _all(h, "generic")
    if pick < 0.2:
        d = rng.choice(lights + _all(h, "fan"))
        on = rng.random() < 0.5
        skill = ("light_turn_on" if on else "light_turn_off") if d in lights else \
            ("switch_turn_on" if on else "switch_turn_off")
        return Clause(rng.choice((_ON if on else _OFF)[split]).format(d=h.name[d]), "valid", [_call(skill, device=d)])
    if pick < 0.3:
        r = rng.choice(list(h.kinds))
        return Clause(rng.choice(_ROOM_OFF[split]).format(r=h.room_name[r]), "valid",
                      [_call("light_turn_off", room=r)])
    if pick < 0.42:
        d, n = rng.choice(lights), rng.randrange(10, 100, 5)
        return Clause(rng.choice(_BRIGHT[split]).format(d=h.name[d], n=n), "valid",
                      [_call("light_set_brightness", device=d, brightness=n)])
    if pick < 0.54:
        d, n, up = rng.choice(lights), rng.choice((5, 10, 15, 25, 30)), rng.random() < 0.5
        if rng.random() < 0.3:
            return Clause(rng.choice(_BIT_BRIGHT[split]).format(d=h.name[d], dir="brighter" if up else "dimmer"),
                          "relative", [_call("light_set_brightness", device=d, change=20 if up else -20)])
        text = rng.choice(_REL_BRIGHT[split]).format(d=h.name[d], n=n, dir="brighter" if up else "dimmer",
                                                     updown="up" if up else "down")
        return Clause(text, "relative", [_call("light_set_brightness", device=d, change=n if up else -n)])
    if pick < 0.66 and heat:
        d = rng.choice(heat)
        hi = float(h.graph.device(d).attributes["target_temperature"]["max"])
        t = rng.choice([x / 2 for x in range(34, int(hi * 2))])
        tt = f"{t:g}"
        return Clause(rng.choice(_TEMP[split]).format(d=h.name[d], t=tt), "valid",
                      [_call("climate_set_temperature", device=d, temperature=t)])
    if pick < 0.76 and heat:
        d, up = rng.choice(heat), rng.random() < 0.5
        tpl = rng.choice(_REL_TEMP[split])
        deg = 0.5 if "half" in tpl else float(rng.choice((1, 2, 3)))
        w = _WORDS.get(int(deg), str(deg)) if rng.random() < 0.5 else f"{deg:g}"
        return Clause(tpl.format(d=h.name[d], updown="up" if up else "down", w=w), "relative",
                      [_call("climate_set_temperature", device=d, change=deg if up else -deg)])
    if pick < 0.86 and speakers:
        d, up = rng.choice(speakers), rng.random() < 0.5
        tpl = rng.choice(_VOL[split])
        n = 10 if "bit" in tpl or "little" in tpl else rng.choice((5, 10, 15, 20))
        w = _WORDS.get(n, str(n)) if rng.random() < 0.5 else str(n)
        return Clause(tpl.format(d=h.name[d], updown="up" if up else "down", w=w), "relative",
                      [_call("media_set_volume", device=d, change=n if up else -n)])
    if gens:
        d = rng.choice(gens)
        if rng.random() < 0.5:
            v = rng.randrange(30, 75, 5)
            return Clause(rng.choice(_ATTR[split]).format(d=h.name[d], a="target humidity", v=v), "valid",
                          [_call("attribute_set", device=d, attribute="target_humidity", value=float(v))])
        cur = str(h.graph.device(d).state.get("fan_speed"))
        opts = ["low", "medium", "high"]
        nxt = opts[min(2, opts.index(cur) + 1)]
        return Clause(rng.choice(_STEP[split]).format(d=h.name[d], a="fan speed", updown="up"), "relative",
                      [_call("attribute_set", device=d, attribute="fan_speed", value=nxt)])
    d = rng.choice(lights)
    return Clause(rng.choice(_ON[split]).format(d=h.name[d]), "valid", [_call("light_turn_on", device=d)])


_MISSING_KINDS = {"fan": "fan", "speaker": "speaker", "heat": "heater", "cover": "blinds"}


def _missing_device(h: GenHome, rng: random.Random, split: Split, elsewhere: bool = False) -> Clause | None:
    """A kind the named room lacks (and, with `elsewhere`, another room has), or a name the home lacks."""
    if rng.random() < 0.15:
        return Clause(rng.choice(_MISSING_ROOM[split]).format(r=rng.choice(_ABSENT_ROOMS[split])), "missing_device")
    if rng.random() < 0.7 or elsewhere:
        options = [(r, k) for r in h.kinds for k in _MISSING_KINDS if k not in h.kinds[r]
                   and (not elsewhere or _all(h, k))]
        if not options:
            return None
        r, k = rng.choice(options)
        return Clause(rng.choice(_MISSING_IN_ROOM[split]).format(k=_MISSING_KINDS[k], r=h.room_name[r]),
                      "missing_device")
    return Clause(rng.choice((_ON if rng.random() < 0.5 else _OFF)[split]).format(d=rng.choice(_ABSENT[split])),
                  "missing_device")


def _missing_attribute(h: GenHome, rng: random.Random, split: Split) -> Clause | None:
    fans = _all(h, "fan")
    lights = _all(h, "light")
    tpl = rng.choice(_MISSING_ATTR[split])
    pool = fans if "bright" in tpl else lights
    if not pool:
        return None
    return Clause(tpl.format(d=h.name[rng.choice(pool)]), "missing_attribute")


def _out_of_range(h: GenHome, rng: random.Random, split: Split) -> Clause | None:
    heat, gens = _all(h, "heat"), _all(h, "generic")
    r = rng.random()
    if r < 0.45 and heat:
        d = rng.choice(heat)
        hi = float(h.graph.device(d).attributes["target_temperature"]["max"])
        t = rng.choice((hi + 2, hi + 4, 12.0, 10.0)) if hi + 4 <= 35 else rng.choice((12.0, 10.0))
        return Clause(rng.choice(_TEMP[split]).format(d=h.name[d], t=f"{t:g}"), "out_of_range")
    if r < 0.75 and gens:
        d = rng.choice(gens)
        if rng.random() < 0.5:
            return Clause(rng.choice(_ATTR[split]).format(d=h.name[d], a="target humidity",
                                                          v=rng.choice((80, 90, 20))), "out_of_range")
        return Clause(rng.choice(_ATTR[split]).format(d=h.name[d], a="fan speed", v=rng.choice(("turbo", "max"))),
                      "out_of_range")
    d = rng.choice(_all(h, "light"))
    return Clause(rng.choice(_BRIGHT[split]).format(d=h.name[d], n=rng.choice((120, 150, 200))), "out_of_range")


def _join(parts: list[str], rng: random.Random, split: Split) -> str:
    out = parts[0]
    for i, p in enumerate(parts[1:], start=1):
        out += (" and " if i == len(parts) - 1 and rng.random() < 0.5 else rng.choice(_JOIN[split])) + p
    return out[0].upper() + out[1:] if rng.random() < 0.3 else out


def cases(n: int, split: Split, seed: int, *, invalid_share: float = 0.35) -> list[Case]:
    """`n` requests of 2-6 clauses; each clause is invalid with probability `invalid_share` (then missing device,
    missing attribute or out of range, a third each)."""
    rng = random.Random(f"clauses:{split}:{seed}")
    out: list[Case] = []
    h = build_home(f"{split}-clauses-{seed}-0")
    for i in range(n):
        if i % 5 == 0:
            h = build_home(f"{split}-clauses-{seed}-{i}")
        clauses: list[Clause] = []
        want = rng.randint(2, 6)
        tries = 0
        while len(clauses) < want and tries < 50:
            tries += 1
            c: Clause | None
            if rng.random() < invalid_share:
                c = rng.choice((_missing_device, _missing_attribute, _out_of_range))(h, rng, split)
            else:
                c = _valid(h, rng, split)
            if c is None or any(c.text == x.text for x in clauses):
                continue
            clauses.append(c)
        room = rng.choice(list(h.kinds))
        out.append(Case(_join([c.text for c in clauses], rng, split), h.id, room, clauses, split))
    return out


def substitution_cases(n: int, split: Split, seed: int) -> list[Case]:
    """`n` requests (1-3 clauses) each naming only things the home lacks, while it has that kind elsewhere."""
    rng = random.Random(f"substitution:{split}:{seed}")
    out: list[Case] = []
    h = build_home(f"{split}-subst-{seed}-0")
    i = 0
    while len(out) < n:
        if i % 5 == 0:
            h = build_home(f"{split}-subst-{seed}-{i}")
        i += 1
        clauses = [c for c in (_missing_device(h, rng, split, elsewhere=rng.random() < 0.8)
                               for _ in range(rng.choice((1, 1, 2, 3)))) if c is not None]
        if not clauses:
            continue
        clauses = list({c.text: c for c in clauses}.values())
        out.append(Case(_join([c.text for c in clauses], rng, split), h.id, rng.choice(list(h.kinds)), clauses,
                        split))
    return out


def as_examples(cs: list[Case]) -> list[Example]:
    """Cases as held-out examples (category ``clauses``): the union of the valid clauses' calls, and a `cannot`
    naming the refused clauses' kinds when some are refused. The user turn carries only the speaker line."""
    out = []
    for c in cs:
        calls = tuple(x for cl in c.clauses for x in cl.calls)
        refused = [cl.kind for cl in c.clauses if not cl.calls]
        cannot = "; ".join(refused) if refused else None
        target = "\n".join(f"{x.skill} {json.dumps(x.args)}" for x in calls) + (f"\ncannot {cannot}" if cannot
                                                                                    else "")
        out.append(Example(user=f"speaker unknown {c.room}", target=target.strip(), category=CATEGORY,
                           home_id=c.home_id, calls=calls, cannot=cannot, text=c.text))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="multi-clause requests over generated homes, as JSONL")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--split", choices=("train", "heldout"), default="heldout")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--substitution", action="store_true", help="requests naming only missing devices")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    cs = (substitution_cases if a.substitution else cases)(a.n, a.split, a.seed)
    a.out.write_text("".join(json.dumps(c.to_json()) + "\n" for c in cs), encoding="utf-8")


if __name__ == "__main__":
    main()
