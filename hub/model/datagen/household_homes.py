"""Households of generated homes: genders, outdoor rooms, room owners, an alias for a child's room, option sets,
relations and restrictions (`decorate`, called by `homes.build_home`).

A home's household is drawn from a random stream of its own (``<home id>/household``), so the rest of a generated
home is what it was without it.
"""

from __future__ import annotations

import random
from typing import Any

from fusehub.model.datagen.phrasing import VOCABULARY as V

__all__ = ["GENDER", "OUTDOOR", "decorate"]

GENDER: dict[str, str] = {
    **dict.fromkeys(("Anna", "Mia", "Lisa", "Emma", "Olivia", "Sophie", "Lucy", "Ella", "Grace", "Kate", "Nina", "Zoe",
                     "Maria", "Sara", "Julia", "Laura", "Eva", "Alice", "Hannah", "Priya", "Fatima", "Chloe", "Aisha",
                     "Ruth", "Ines", "Hana", "Astrid"), "female"),
    **dict.fromkeys(("Ben", "Sam", "Tom", "Max", "Noah", "Liam", "Jack", "Oscar", "Leo", "Dan", "Paul", "Hugo", "Ivan",
                     "Omar", "Finn", "Peter", "Mark", "Luke", "David", "Tim", "Kenji", "Lars", "Mateo", "Felix",
                     "Yusuf", "Diego", "Tariq"), "male"),
}
"""The gender a generated person of each name gets (none: relation words of either gender fit them)."""

OUTDOOR = frozenset({"porch", "patio", "garden", "balcony", "terrace"})
_KID_ROOMS = ("kids_room", "nursery", "playroom", "loft")
_SLEEP = ("bedroom", "master_bedroom")
_OWNABLE = ("office", "study", "den", "library", "guest_room", "sunroom", "workshop", "attic")

# ------------------------------------------------------------------------------------------ the household


def decorate(home_id: str, rooms: list[dict[str, Any]], people: list[dict[str, Any]],
             devices: list[dict[str, Any]]) -> dict[str, Any]:
    """Give a generated home's declarations a household (in place): genders, outdoor rooms, owners, an alias
    for a child's room, option sets; returns the home's `relations` and `restrictions`."""
    rng = random.Random(f"{home_id}/household")
    for p in people:
        if p["name"] in GENDER:
            p["gender"] = GENDER[p["name"]]
    by_id = {r["id"]: r for r in rooms}
    for r in rooms:
        if r["id"] in OUTDOOR:
            r["outdoor"] = True
    owner = people[0]["id"] if people else None
    adults = [p["id"] for p in people[1:] if p["role"] == "adult"]
    kids = [p["id"] for p in people if p["role"] == "child"]
    others = [p["id"] for p in people[1:] if p["role"] == "guest"] + adults[1:]
    relations: list[dict[str, Any]] = []
    partner = adults[0] if adults and rng.random() < 0.8 else None
    if owner is not None and partner is not None:
        relations.append({"person": owner, "relation": rng.choice(("spouse", "spouse", "partner")), "of": [partner]})
    parents = [p for p in (owner, partner) if p is not None]
    if kids:
        relations += [{"person": par, "relation": "parent", "of": kids} for par in parents]
    for o in others:
        if owner is None:
            break
        if kids and rng.random() < 0.6:
            relations += [{"person": o, "relation": "grandparent", "of": kids},
                          {"person": o, "relation": "parent", "of": [owner]}]
        elif rng.random() < 0.7:
            relations.append({"person": o, "relation": "sibling", "of": [owner]})
    # owners: the parents' bedroom, each child a room of their own where there is one, a study for the owner
    sleep = next((r for r in _SLEEP if r in by_id), None)
    if sleep is not None and parents:
        by_id[sleep]["owners"] = list(parents)
    free = [r for r in (*_KID_ROOMS, *_OWNABLE) if r in by_id and r != sleep]
    for k in kids:
        if free and rng.random() < 0.85:
            room = free.pop(0)
            by_id[room]["owners"] = [k]
            name = next(p["name"] for p in people if p["id"] == k)
            if rng.random() < 0.3:
                by_id[room].setdefault("aliases", []).append(f"{name}'s room")
    for g in [p["id"] for p in people if p["role"] == "guest"]:
        if "guest_room" in free and rng.random() < 0.7:
            free.remove("guest_room")
            by_id["guest_room"]["owners"] = [g]
    if owner is not None and free and rng.random() < 0.4:
        by_id[free.pop()].setdefault("owners", [owner])
    # option sets: every value the other categories ask for stays offered (their targets are calls, not refusals)
    for d in devices:
        caps = d.get("capabilities") or []
        opts: dict[str, Any] = {}
        if "color" in caps and rng.random() < 0.5:
            opts["color"] = [c.replace(" ", "_") for c in V.colors]
        if d["kind"] == "climate" and rng.random() < 0.5:
            opts["hvac_mode"] = sorted({m for _, m in V.modes})
        if d["kind"] == "car" and rng.random() < 0.6:
            opts["temperature"] = {"min": 15, "max": 28, "unit": "°C"}
        if opts:
            d["options"] = opts
    # restrictions
    restrictions: list[dict[str, Any]] = []
    window = rng.choice(({"from": "17:00", "to": "08:00"}, {"from": "21:00", "to": "07:00"}, None))
    garages = [d["id"] for d in devices if d["kind"] == "garage"]
    if kids and garages and rng.random() < 0.7:
        restrictions.append({"who": {"roles": ["child"]}, "what": {"skills": ["garage_open"]},
                             **({"when": window} if window else {})})
    climates = [d["id"] for d in devices if d["kind"] == "climate"]
    if climates and rng.random() < 0.5:
        who = rng.choice(({"roles": ["guest"]}, {"roles": ["child", "guest"]}, {"roles": ["child"]}))
        restrictions.append({"who": who, "what": {"devices": [rng.choice(climates)]}})
    kid_rooms = [r["id"] for r in rooms if set(r.get("owners", ())) & set(kids)]
    if kid_rooms and rng.random() < 0.6:
        restrictions.append({"what": {"skills": ["speaker_announce"], "rooms": kid_rooms},
                             "when": {"from": rng.choice(("17:00", "19:00")), "to": "07:00"}})
    return {"relations": relations, "restrictions": restrictions}
