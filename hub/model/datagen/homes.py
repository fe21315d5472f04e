"""Generated homes: rooms, floors, people, devices with names people say, random states (`home_for`)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fusehub.context.graph import ContextGraph
from fusehub.context.view import words
from fusehub.home import DeviceDecl, Home, slug
from fusehub.model.datagen.household_homes import decorate
from fusehub.model.datagen.phrasing import VOCABULARY as V
from fusehub.model.datagen.phrasing import Split

WHEN = datetime(2026, 1, 5, 12, 0)
"""The time every state and location is set at."""


@dataclass
class GenHome:
    id: str
    split: Split
    home: Home
    graph: ContextGraph
    room_name: dict[str, str]
    """room id -> how people say it (lower case)."""
    floors: dict[str, tuple[str, str]]
    """floor id -> (adverbial, adjectival) phrase."""
    phrase: dict[str, str]
    """device id -> how people name it."""
    measure: dict[str, str]
    """sensor id -> temperature / humidity / outdoor."""
    noun: dict[str, str]
    """cover id -> blinds / curtains / shades / ..."""
    lock_phrase: dict[str, str]
    name_words: set[str]
    """Words of every device name (a missing thing must not share one)."""

    def devs(self, kind: str | Sequence[str] | None = None, cap: str | None = None,
             room: str | None = None) -> list[DeviceDecl]:
        kinds = (kind,) if isinstance(kind, str) else kind
        out = []
        for d in self.home.devices:
            if kinds is not None and d.kind not in kinds:
                continue
            if cap is not None and cap not in d.effective_capabilities():
                continue
            if room is not None and d.room != room:
                continue
            out.append(d)
        return out

    def rooms_with(self, kind: str | Sequence[str] | None = None, cap: str | None = None) -> list[str]:
        return sorted({d.room for d in self.devs(kind, cap) if d.room is not None})

    def person(self, pid: str) -> Any:
        return self.graph.person(pid)


def _room_phrase(name: str) -> str:
    return name.lower()


def _cover_noun(name: str) -> str:
    last = name.lower().split()[-1]
    return {"blind": "blinds", "shade": "shades", "curtain": "curtains", "shutter": "shutters"}.get(last, last)


def home_for(home_id: str) -> Home:
    """The home an example was generated in (homes are determined by their id)."""
    return build_home(home_id).home


def build_home(home_id: str) -> GenHome:
    split: Split = "heldout" if home_id.startswith("heldout") else "train"
    rng = random.Random(home_id)
    si = 1 if split == "heldout" else 0
    # rooms
    n_rooms = rng.randint(3, 9)
    names = ["Kitchen", "Living room"]
    sleep = rng.choice(["Bedroom", "Bedroom", "Master bedroom"] if split == "train" else ["Bedroom"])
    names.append(sleep)
    pool = [r for r in (*V.common_rooms, *V.split_rooms[split]) if r not in names]
    if split == "heldout":
        names.append(rng.choice(V.split_rooms["heldout"]))
        pool = [r for r in pool if r not in names]
    rng.shuffle(pool)
    while len(names) < n_rooms:
        names.append(pool.pop())
    rng.shuffle(names)
    rooms: list[dict[str, Any]] = [{"id": slug(n), "name": n} for n in names]
    room_name = {slug(n): _room_phrase(n) for n in names}
    # floors
    floors: dict[str, tuple[str, str]] = {}
    floor_decls: list[dict[str, Any]] = []
    if rng.random() < 0.4:
        fs = rng.choice(V.floor_sets[:2] if rng.random() < 0.8 else V.floor_sets)
        for lvl, (fid, fname, fa, fn) in enumerate(fs):
            floor_decls.append({"id": fid, "name": fname, "level": lvl})
            floors[fid] = (fa, fn)
        for r in rooms:
            lower = r["id"] in V.lower_rooms
            r["floor"] = fs[0][0] if lower else rng.choice(fs[1:])[0]
    # devices
    devices: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    phrase: dict[str, str] = {}
    measure: dict[str, str] = {}
    noun: dict[str, str] = {}
    lock_phrase: dict[str, str] = {}
    opaque_n: Counter[str] = Counter()

    def add(kind: str, name: str, room: str | None, *, caps: list[str] | None = None,
            attrs: dict[str, Any] | None = None, tag: str = "", dev_id: str | None = None,
            r: random.Random | None = None) -> str:
        rr = r or rng
        style = rr.random()
        if dev_id is None:
            if style < 0.15:
                opaque_n[kind] += 1
                base = f"{kind if kind != 'media_player' else 'media'}_{opaque_n[kind]}"
            elif style < 0.3 and room is not None and not slug(name).startswith(room):
                base = f"{room}_{slug(name)}"
            else:
                base = slug(name)
        else:
            base = dev_id
        did, i = base, 2
        while did in used_ids:
            did, i = f"{base}_{i}", i + 1
        used_ids.add(did)
        decl: dict[str, Any] = {"id": did, "name": name, "kind": kind, "room": room,
                                "ecosystem": rr.choice(("homeassistant", "generic"))}
        if caps is not None:
            decl["capabilities"] = caps
        if attrs:
            decl["attributes"] = attrs
        devices.append(decl)
        if tag:
            measure[did] = tag
        return did

    def taken(name: str, room: str | None) -> bool:
        return any(d["name"].lower() == name.lower() and d["room"] == room for d in devices)

    def unique_name(draw: Callable[[], str], room: str | None) -> str:
        """A drawn name no other device in the room has: "the lamp in the kitchen" must name one device.
        Redraws only on a clash, so homes without one come out as before."""
        n = draw()
        for _ in range(8):
            if not taken(n, room):
                return n
            n = draw()
        i = 2
        while taken(f"{n} {i}", room):
            i += 1
        return f"{n} {i}"

    def pick_name(kind: str, room: str) -> str:
        rname = names[[slug(x) for x in names].index(room)]
        return unique_name(lambda: rng.choice(V.device_names[kind][si]).replace("{R}", rname), room)

    room_ids = [r["id"] for r in rooms]
    for rid in room_ids:
        for _ in range(1 if rng.random() < 0.65 else 2):
            caps = ["on_off", "brightness"] + (["color"] if rng.random() < 0.35 else [])
            if rng.random() < 0.2:
                caps.append("color_temp")
            add("light", pick_name("light", rid), rid, caps=caps)
        if rid == "garage" and rng.random() < 0.8:
            add("garage", rng.choice(V.device_names["garage"][si]), rid)
        if rng.random() < 0.18:
            add("switch", pick_name("switch", rid), rid)
        if rng.random() < (0.5 if rid == "kitchen" else 0.12):
            add("plug", pick_name("plug", rid), rid)
        if rng.random() < 0.28:
            did = add("cover", pick_name("cover", rid), rid)
            noun[did] = _cover_noun(devices[-1]["name"])
        if rng.random() < 0.25:
            add("climate", pick_name("climate", rid), rid)
        if rng.random() < (0.45 if rid == "living_room" else 0.08):
            add("media_player", pick_name("media_player", rid), rid, caps=["on_off", "media"])
        if rng.random() < 0.2:
            add("speaker", pick_name("speaker", rid), rid)
        if rng.random() < 0.15:
            add("sensor", pick_name("temperature", rid), rid, tag="temperature")
        if rid in ("bathroom", "laundry_room", "basement") and rng.random() < 0.4:
            add("sensor", pick_name("humidity", rid), rid, tag="humidity")
    if rng.random() < 0.15:
        add("sensor", rng.choice(V.device_names["outdoor"][si]), None, tag="outdoor")
    if not any(d["kind"] == "climate" for d in devices) and rng.random() < 0.5:
        add("climate", "Thermostat" if split == "train" else "Climate unit",
            "hallway" if "hallway" in room_ids else "living_room")
    # locks
    n_locks = rng.choice((0, 1, 1, 1, 2))
    for name, ph in rng.sample(V.lock_names[split], n_locks):
        if any(ph == p for p in lock_phrase.values()):
            continue
        did = add("lock", name, "hallway" if "hallway" in room_ids else rng.choice(room_ids))
        lock_phrase[did] = ph
    # vacuum
    has_vacuum = rng.random() < 0.35
    if has_vacuum:
        add("vacuum", rng.choice(V.device_names["vacuum"][si]), "hallway" if "hallway" in room_ids else None)
        for i, r in enumerate(rooms):
            r["vacuum_segment"] = str(16 + i)
    # generic devices with declared attributes
    for g in rng.sample(V.generics, rng.choice((0, 0, 1, 1, 2))):
        rid = rng.choice(room_ids)
        attrs: dict[str, Any] = {}
        for a in g.attrs:
            if a.type == "number":
                attrs[a.name] = {"type": "number", "min": a.lo, "max": a.hi, "step": 1, **({"unit": a.unit}
                                                                                          if a.unit else {})}
            elif a.type == "enum":
                attrs[a.name] = {"type": "enum", "options": list(a.options)}
            else:
                attrs[a.name] = {"type": "bool"}
        gnames, rname = g.names[si], names[room_ids.index(rid)]
        gname = unique_name(lambda: rng.choice(gnames).replace("{R}", rname), rid)  # noqa: B023 (called right here)
        add(g.kind, gname, rid, caps=["on_off"], attrs=attrs)
    # people
    n_people = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
    pnames = rng.sample(V.names[split], n_people)
    people: list[dict[str, Any]] = []
    for i, pn in enumerate(pnames):
        pid = slug(pn)
        role = "owner" if i == 0 else rng.choice(("adult", "adult", "child", "guest"))
        p: dict[str, Any] = {"id": pid, "name": pn, "role": role}
        if role != "guest" and (role != "child" or rng.random() < 0.5):
            p["phone"] = add("phone", f"{pn}'s phone", None, dev_id=f"{pid}_phone")
        if role in ("owner", "adult") and rng.random() < 0.35:
            p["car"] = add("car", f"{pn}'s car", None, dev_id=f"{pid}_car")
        people.append(p)
    # scenes
    scenes = []
    if rng.random() < 0.3:
        lights = [d["id"] for d in devices if d["kind"] == "light"]
        for sid, sname, _ in rng.sample(V.scenes, rng.randint(1, 3)):
            scenes.append({"id": sid, "name": sname, "states": {lid: {"on": True, "brightness": 40}
                                                                 for lid in lights[:2]}})
    # yes/no sensors, from a stream of their own so the rest of a home does not change with them
    srng = random.Random(f"{home_id}/sense")
    for sense in V.senses:
        if srng.random() < 0.3:
            rid = next((r for r in sense.rooms if r in room_ids), None) or srng.choice(room_ids)
            name = srng.choice(sense.names[si]).replace("{R}", names[room_ids.index(rid)])
            if any(d["name"].lower() == name.lower() for d in devices):
                continue
            add(sense.kind, name, rid, caps=[{"sensor": "measurement"}.get(sense.kind, sense.kind)],
                tag=sense.tag, r=srng)
    household = decorate(home_id, rooms, people, devices)  # a random stream of its own
    home = Home.model_validate({
        "name": f"Home {home_id}", "floors": floor_decls, "rooms": rooms, "people": people, "devices": devices,
        "scenes": scenes, **household,
    })
    graph = ContextGraph()
    graph.load_home(home)
    # how people name devices: the name, plus the room when another device has the same name
    counts = Counter(d.name.lower() for d in home.devices)
    for d in home.devices:
        n = d.name.lower()
        phrase[d.id] = f"{n} in the {room_name[d.room]}" if counts[n] > 1 and d.room else n
    name_words: set[str] = set()
    for d in home.devices:
        name_words.update(words(d.name))
    return GenHome(home_id, split, home, graph, room_name, floors, phrase, measure, noun, lock_phrase, name_words)


def _random_state(d: DeviceDecl, rng: random.Random) -> dict[str, Any]:
    k = d.kind
    caps = d.effective_capabilities()
    st: dict[str, Any] = {}
    if k == "light":
        on = rng.random() < 0.45
        st = {"on": on, "brightness": rng.randrange(5, 101, 5) if on else None}
    elif k == "climate":
        target = rng.randrange(32, 49) / 2
        st = {"target_temperature": target, "current_temperature": round(target + rng.uniform(-2.5, 1.5), 1),
              "hvac_mode": rng.choice(("heat", "heat", "auto", "off", "cool"))}
    elif k == "cover":
        st = {"position": rng.choice((0, 0, 100, 100, 50, rng.randrange(10, 91, 10)))}
    elif k == "lock":
        st = {"locked": rng.random() < 0.7}
    elif k == "garage":
        st = {"open_state": rng.choice(("closed", "closed", "open"))}
    elif k == "vacuum":
        st = {"status": rng.choice(("docked", "docked", "cleaning", "returning", "idle")),
              "battery": rng.randrange(20, 101, 5)}
    elif k in ("media_player", "speaker"):
        st = {"playback": rng.choice(("playing", "paused", "idle")), "volume": rng.randrange(0, 101, 5)}
    elif k == "sensor":
        st = {"value": round(rng.uniform(17, 25), 1)}
    elif k == "car":
        st = {"locked": rng.random() < 0.8}
    if "on_off" in caps and k != "light":
        st["on"] = rng.random() < 0.4
    g = V.generic_by_kind.get(k)
    if g is not None and d.attributes:
        for a in g.attrs:
            if a.type == "number":
                st[a.name] = rng.randint(int(a.lo), int(a.hi))
            elif a.type == "enum":
                st[a.name] = rng.choice(a.options)
            else:
                st[a.name] = rng.random() < 0.5
    return st


def randomize(h: GenHome, rng: random.Random) -> None:
    for d in h.home.devices:
        st = _random_state(d, rng)
        sense = V.sense_by_tag.get(h.measure.get(d.id, ""))
        if sense is not None:
            st = ({"value": rng.choice(sense.values)} if sense.kind == "sensor"
                  else {sense.kind: rng.random() < 0.4})
        elif d.kind == "sensor":
            m = h.measure.get(d.id)
            st = {"value": round(rng.uniform(-5, 32), 1) if m == "outdoor" else
                  (rng.randint(35, 75) if m == "humidity" else round(rng.uniform(17, 25), 1))}
        if st:
            h.graph.apply_state(d.id, st, WHEN)
    rooms = list(h.room_name)
    for p in h.home.people:
        r = rng.random()
        if r < 0.62:
            h.graph.set_person_location(p.id, "home", rng.choice(rooms), round(rng.uniform(0.6, 1), 2), WHEN)
        elif r < 0.7:
            h.graph.set_person_location(p.id, "home", None, 0.9, WHEN)
        elif r < 0.88:
            h.graph.set_person_location(p.id, "away", None, 0.9, WHEN)
        elif r < 0.95:
            h.graph.set_person_location(p.id, rng.choice(("work", "school")), None, 0.8, WHEN)
        else:
            h.graph.set_person_location(p.id, None, None, 0.0, WHEN)
