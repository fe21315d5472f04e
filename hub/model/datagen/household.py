"""The data categories that read generated homes' households: ``relations`` ("text my daughter that ...",
"the lights in my son's room"),
``ownership`` ("my room", "Ben's room", "the kids' rooms") and ``restrictions`` (a request by someone a household
rule binds, or by someone it does not: the target is what the request means; policy refuses it, and the
pipeline evaluation judges both through the same policy).

The homes' households come from :mod:`~fusehub.model.datagen.household_homes`. The phrasings and relation words
are split: the held-out split's templates and words ("mother", "granddad", "the children") never occur in
training, and its names are the held-out names.
"""

from __future__ import annotations

import re

from fusehub.model.datagen.drafts import Ctx, Draft, Phrasings, Skip, call, cannot_draft
from fusehub.model.datagen.phrasing import VOCABULARY as V
from fusehub.model.datagen.phrasing import Split

__all__ = ["GENERATORS", "RELATION_SAY", "template_keys"]

RELATION_SAY: dict[Split, dict[tuple[str, str | None], tuple[str, ...]]] = {
    "train": {
        ("parent", "female"): ("mum", "mummy"), ("parent", "male"): ("dad", "daddy"),
        ("child", "female"): ("daughter",), ("child", "male"): ("son",), ("child", None): ("kid",),
        ("spouse", "female"): ("wife",), ("spouse", "male"): ("husband",), ("spouse", None): ("spouse",),
        ("partner", None): ("partner",), ("partner", "female"): ("girlfriend",), ("partner", "male"): ("boyfriend",),
        ("sibling", "female"): ("sister",), ("sibling", "male"): ("brother",),
        ("grandparent", "female"): ("grandma", "nan"), ("grandparent", "male"): ("grandpa",),
        ("grandchild", "female"): ("granddaughter",), ("grandchild", "male"): ("grandson",),
    },
    "heldout": {
        ("parent", "female"): ("mother", "mom"), ("parent", "male"): ("father",),
        ("child", "female"): ("daughter",), ("child", "male"): ("son",), ("child", None): ("child",),
        ("spouse", "female"): ("wife",), ("spouse", "male"): ("husband",), ("spouse", None): ("other half",),
        ("partner", None): ("other half",), ("partner", "female"): ("partner",), ("partner", "male"): ("partner",),
        ("sibling", "female"): ("sister",), ("sibling", "male"): ("brother",),
        ("grandparent", "female"): ("granny", "nana"), ("grandparent", "male"): ("granddad", "grandfather"),
        ("grandchild", "female"): ("granddaughter",), ("grandchild", "male"): ("grandson",),
    },
}
"""How each split says a relation (relation, gender of the person named)."""
_VOCATIVE = {"mum", "mummy", "dad", "daddy", "grandma", "nan", "grandpa", "mother", "mom", "father", "granny",
             "nana", "granddad", "grandfather"}
_KIDS_SAY: dict[Split, tuple[str, ...]] = {"train": ("kids'", "kids"), "heldout": ("children's",)}

_T: dict[str, dict[Split, tuple[str, ...]]] = {
    "own_on": {"train": ("turn on the lights in {w}", "switch the lights on in {w}", "lights on in {w}",
                         "put the light on in {w}", "can you turn the lights on in {w}"),
               "heldout": ("I'd like the lights on in {w}", "get the lights on in {w}",
                           "could the lights in {w} go on")},
    "own_off": {"train": ("turn off the lights in {w}", "switch off the lights in {w}", "lights off in {w}",
                          "turn the light off in {w}", "no lights in {w} please"),
                "heldout": ("shut the lights off in {w}", "get the lights off in {w}",
                            "I want the lights in {w} off")},
    "own_close": {"train": ("close the {noun} in {w}", "shut the {noun} in {w}", "lower the {noun} in {w}"),
                  "heldout": ("pull the {noun} down in {w}", "bring the {noun} down in {w}")},
    "own_open": {"train": ("open the {noun} in {w}", "raise the {noun} in {w}"),
                 "heldout": ("pull up the {noun} in {w}", "roll up the {noun} in {w}")},
    "rel_text": {"train": ("text {who} that {msg}", "send {who} a message saying {msg}", "let {who} know {msg}",
                           "message {who}: {msg}"),
                 "heldout": ("drop {who} a line: {msg}", "ping {who} that {msg}", "send a note to {who}: {msg}")},
    "res_garage": {"train": ("open the {d}", "open the {d} please", "can you open the {d}"),
                   "heldout": ("I need the {d} open", "get the {d} open")},
    "res_temp": {"train": ("set the {d} to {t}", "put the {d} on {t} degrees", "change the {d} to {t}"),
                 "heldout": ("I'd like the {d} at {t} degrees", "bring the {d} to {t} degrees")},
    "res_announce": {"train": ("announce {msg} in the {r}", "say {msg} in the {r}"),
                     "heldout": ("broadcast {msg} in the {r}", "make an announcement in the {r}: {msg}")},
}


_PHRASINGS = Phrasings("hh", _T)
template_keys = _PHRASINGS.keys
_pick = _PHRASINGS.pick


# ------------------------------------------------------------------------------------------ categories


def _say(c: Ctx, relation: str, person: str) -> str:
    gender = c.h.graph.gender_of(person)
    words = RELATION_SAY[c.split].get((relation, gender)) or RELATION_SAY[c.split].get((relation, None))
    if not words:
        raise Skip
    return c.choice(words)


def _room_action(c: Ctx, room: str, w: str) -> Draft:
    h = c.h
    covers = h.devs("cover", room=room)
    lights = h.devs("light", room=room)
    if covers and (not lights or c.rng.random() < 0.25):
        op = c.rng.random() < 0.5
        noun = h.noun[c.choice(covers).id]
        return Draft(_pick(c, "own_open" if op else "own_close", w=w, noun=noun),
                     [call("cover_open" if op else "cover_close", room=room)])
    if not lights:
        raise Skip
    on = c.rng.random() < 0.5
    return Draft(_pick(c, "own_on" if on else "own_off", w=w), [call("light_turn_on" if on else "light_turn_off",
                                                                     room=room)])


def _owned(c: Ctx) -> list[tuple[str, str]]:
    """(person, room) for every room a person of the home owns."""
    return [(p, r.id) for r in c.h.graph.rooms() for p in c.h.graph.room_owners(r.id)]


def _speak_as(c: Ctx, person: str | None) -> None:
    room = c.choice(list(c.h.room_name))
    c.speak_from(room, person)
    if person is None:
        c.speaker = None


def _g_ownership(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    owned = _owned(c)
    if r < 0.12:  # "my room" from someone who owns none, or an unknown voice: said, never guessed
        owners = {p for p, _ in owned}
        none = [p.id for p in h.home.people if p.id not in owners]
        _speak_as(c, c.choice(none) if none and c.rng.random() < 0.6 else None)
        d = _room_action(c, c.choice([x.id for x in h.graph.rooms()]), "my room")
        return cannot_draft(d.text or "", "room of yours")
    if r < 0.2:  # someone the home does not know
        known = {p.name for p in h.home.people}
        stranger = c.choice([n for n in V.names[c.split] if n not in known])
        _speak_as(c, None)
        d = _room_action(c, c.choice([x.id for x in h.graph.rooms()]), f"{stranger}'s room")
        return cannot_draft(d.text or "", f"no person {stranger.lower()}")
    person, room = c.choice(owned)
    kids = [p.id for p in h.home.people if p.role == "child"]
    kid_rooms = [rr for p, rr in owned if p in kids]
    if r < 0.35 and kid_rooms and all(h.devs("light", room=x) for x in kid_rooms):
        _speak_as(c, None if c.rng.random() < 0.5 else c.choice([p.id for p in h.home.people]))
        on = c.rng.random() < 0.5
        text = _pick(c, "own_on" if on else "own_off", w=f"the {c.choice(_KIDS_SAY[c.split])} rooms")
        return Draft(text, [call("light_turn_on" if on else "light_turn_off", room=x) for x in kid_rooms])
    if c.rng.random() < 0.55 and len(h.graph.rooms_owned_by(person)) == 1:
        _speak_as(c, person)
        return _room_action(c, room, c.choice(("my room", "my bedroom") if "bed" in h.room_name[room]
                                              else ("my room",)))
    if len(h.graph.rooms_owned_by(person)) != 1:
        raise Skip
    others = [p.id for p in h.home.people if p.id != person]
    _speak_as(c, c.choice(others) if others and c.rng.random() < 0.7 else None)
    name = h.graph.person(person).name
    return _room_action(c, room, f"{name}'s room")


def _relations(c: Ctx) -> list[tuple[str, str, str]]:
    """(speaker, relation, relative): the relative is the speaker's <relation>, as the graph reads it."""
    out = []
    for p in c.h.home.people:
        for rel in ("parent", "child", "spouse", "partner", "sibling", "grandparent", "grandchild"):
            out += [(p.id, rel, q) for q in c.h.graph.relatives(p.id, rel)]
    return out


def _unique(c: Ctx, speaker: str, rel: str, relative: str, word: str) -> bool:
    """Whether `word` names only `relative` among `speaker`'s relatives of `rel` (two daughters: not 'my daughter')."""
    g = c.h.graph.gender_of(relative)
    others = [q for q in c.h.graph.relatives(speaker, rel) if q != relative]
    return not others or (g is not None and all(c.h.graph.gender_of(q) not in (None, g) for q in others))


def _g_relations(c: Ctx) -> Draft:
    h = c.h
    rels = _relations(c)
    if not rels:
        raise Skip
    speaker, rel, relative = c.choice(rels)
    word = _say(c, rel, relative)
    if not _unique(c, speaker, rel, relative, word):
        raise Skip
    r = c.rng.random()
    third = r < 0.25  # "Ben's mum": said by someone else, about the speaker named
    if third:
        others = [p.id for p in h.home.people if p.id != speaker]
        _speak_as(c, c.choice(others) if others and c.rng.random() < 0.5 else None)
        who = f"{h.graph.person(speaker).name}'s {word}"
    elif word in _VOCATIVE and c.rng.random() < 0.4 and len({q for _, rr, q in rels if rr == rel
                                                             and h.graph.gender_of(q) == h.graph.gender_of(relative)}
                                                            ) == 1:
        _speak_as(c, speaker)
        who = word
    else:
        _speak_as(c, speaker)
        who = f"my {word}"
    rooms = h.graph.rooms_owned_by(relative)
    pv = h.graph.person(relative)
    if rooms and len(rooms) == 1 and (pv.phone is None or c.rng.random() < 0.5):
        return _room_action(c, rooms[0], f"{who}'s room")
    msg = c.choice([m for m in V.messages if "downstairs" not in m])
    text = _pick(c, "rel_text", who=who, msg=msg)
    # conventions.md 10, as the message category has it: announced where the person is (home, in a room with a
    # speaker), else their phone; "text" asks for the phone outright
    said = text[: text.find(msg)]
    if not re.search(r"\b(?:text|sms|notify|notification)\b", said) and pv.location == "home" and pv.room \
            and h.graph.devices(room=pv.room, capability="tts"):
        return Draft(text, [call("speaker_announce", message=msg, room=pv.room)])
    if pv.phone is None:
        raise Skip
    return Draft(text, [call("phone_notify", person=relative, message=msg)])


def _g_restrictions(c: Ctx) -> Draft:
    h = c.h
    rules = h.graph.restrictions()
    if not rules:
        raise Skip
    rule = c.choice(rules)
    people = [p.id for p in h.home.people]
    _speak_as(c, c.choice(people))
    w = rule.what
    if w.skills == ["garage_open"]:
        d = c.choice(h.devs("garage"))
        return Draft(_pick(c, "res_garage", d=h.phrase[d.id]), [call("garage_open", device=d.id)], need=[d.id])
    if w.devices:
        dev = h.graph.device(w.devices[0])
        t = str(c.rng.randint(17, 24))
        return Draft(_pick(c, "res_temp", d=h.phrase[dev.id], t=t),
                     [call("climate_set_temperature", device=dev.id, temperature=float(t))], need=[dev.id])
    if w.rooms:
        room = c.choice(w.rooms)
        if not h.devs(cap="tts", room=room):
            raise Skip
        msg = c.choice(V.messages)
        return Draft(_pick(c, "res_announce", msg=msg, r=h.room_name[room]),
                     [call("speaker_announce", message=msg, room=room)])
    raise Skip


GENERATORS = {"relations": _g_relations, "ownership": _g_ownership, "restrictions": _g_restrictions}
