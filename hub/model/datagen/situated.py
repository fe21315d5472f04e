"""Category generators for requests that depend on where people are ("in here", "where Ben is") and for
situations (a trigger, no utterance)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from fusehub.model.datagen.drafts import (
    Ctx,
    Draft,
    Skip,
    call,
)
from fusehub.model.datagen.homes import WHEN
from fusehub.model.datagen.phrasing import VOCABULARY as V


def _g_relative(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    if r < 0.35:  # person-relative: someone other than the speaker
        p = c.choice([x for x in h.home.people if x.id != c.speaker])
        acts = [("pr_off", "light"), ("pr_on", "light"), ("pr_dim", "light"), ("pr_warm", "climate"),
                ("pr_close", "cover"), ("pr_pause", "media")]
        intent, kind = c.choice(acts)
        rooms = h.rooms_with(cap="media") if kind == "media" else h.rooms_with(kind)
        room = c.choice(rooms)
        c.place(p.id, room)
        if c.rng.random() < 0.5:  # the speaker elsewhere, or nowhere
            others = [x for x in h.room_name if x != room]
            c.speak_from(c.choice(others) if others and c.rng.random() < 0.6 else None, exclude=p.id)
        noun = h.noun[c.choice(h.devs("cover", room=room)).id] if kind == "cover" else ""
        act = c.pick(intent, noun=noun)
        text = c.pick("pr_loc", act=act, p=p.name)
        wanted = {
            "pr_off": call("light_turn_off", room=room), "pr_on": call("light_turn_on", room=room),
            "pr_dim": call("light_set_brightness", room=room, change=-20),
            "pr_warm": call("climate_set_temperature", room=room, change=1),
            "pr_close": call("cover_close", room=room), "pr_pause": call("media_pause", room=room),
        }[intent]
        return Draft(text, [wanted])
    # speaker-relative: the request names no place; the speaker's room is the target
    kind = c.choice(("light", "light", "light", "light_bri", "climate", "cover", "media"))
    rooms = h.rooms_with(cap="media") if kind == "media" else h.rooms_with("light" if kind == "light_bri" else kind)
    room = c.choice(rooms)
    c.speak_from(room)
    if kind == "light":
        on = c.rng.random() < 0.5
        return Draft(c.pick("on_here" if on else "off_here"), [call("light_turn_on" if on else "light_turn_off",
                                                                    room=room)])
    if kind == "light_bri":
        rel, ch = c.choice(V.brightness_up if c.rng.random() < 0.5 else V.brightness_down)
        return Draft(c.pick("bri_rel_here", rel=rel), [call("light_set_brightness", room=room, change=ch)])
    if kind == "climate":
        warm = c.rng.random() < 0.5
        rel, ch = c.choice(V.warmer if warm else V.colder)
        return Draft(c.pick("warm_here" if warm else "cool_here", rel=rel),
                      [call("climate_set_temperature", room=room, change=ch)])
    if kind == "cover":
        op = c.rng.random() < 0.5
        noun = h.noun[c.choice(h.devs("cover", room=room)).id]
        return Draft(c.pick("cover_open_here" if op else "cover_close_here", noun=noun),
                      [call("cover_open" if op else "cover_close", room=room)])
    intent, wanted = c.choice((("pause_here", call("media_pause", room=room)),
                               ("next_here", call("media_next", room=room)),
                               ("vol_here", call("media_set_volume", room=room, change=10))))
    return Draft(c.pick(intent), [wanted])


def _person_room(c: Ctx, rooms: Sequence[str]) -> tuple[str, str]:
    """A person put at home in one of `rooms`: (person id, room id)."""
    p = c.choice(c.h.home.people)
    room = c.choice(rooms)
    c.place(p.id, room)
    return p.id, room


def _g_situation(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    c.speak_from(None)
    people = h.home.people
    if r < 0.3:
        base = c.pick("sit_left" if r < 0.15 else "sit_bed")
        calls = [call("light_turn_off", everywhere=True)]
        need: list[str] = []
        unlocked = [d for d in h.devs("lock")]
        if unlocked and c.rng.random() < 0.5:
            d = c.choice(unlocked)
            base += c.pick("sit_unlocked", d=h.lock_phrase[d.id])
            h.graph.apply_state(d.id, {"locked": False}, WHEN)
            calls.append(call("lock_lock", device=d.id))
            need.append(d.id)
        covers = h.devs("cover")
        if r >= 0.15 and covers and c.rng.random() < 0.4:
            d = c.choice(covers)
            base += c.pick("sit_open_cv", noun=h.noun[d.id])
            calls.append(call("cover_close", everywhere=True))
        return Draft(None, calls, situation=base, need=need)
    if r < 0.48:
        p = c.choice(people)
        cold = c.rng.random() < 0.6 and bool(h.devs("climate"))
        dark = "hallway" in h.rooms_with("light") and (not cold or c.rng.random() < 0.4)
        if not cold and not dark:
            raise Skip
        t = c.rng.randint(-8, 10) if cold else c.rng.randint(12, 24)
        c.h.graph.set_person_location(p.id, "away", None, 0.9, WHEN)
        text = c.pick("sit_arrive", p=p.name.lower(), n=c.rng.choice((5, 10, 15, 20)), t=t) + (", dark" if dark else "")
        calls = []
        if cold:
            calls.append(call("climate_set_temperature", everywhere=True, temperature=21.0))
        if dark:
            calls.append(call("light_turn_on", room="hallway"))
        return Draft(None, calls, situation=text)
    if r < 0.62:
        beds = [x for x in h.rooms_with("light") if re.search(r"bed|nursery|kids|loft|guest", x)]
        pid, room = _person_room(c, beds or h.rooms_with("light"))
        name = next(p.name for p in people if p.id == pid)
        calls = [call("light_turn_on", room=room, brightness=30)]
        if h.devs("cover", room=room):
            calls.append(call("cover_open", room=room))
        return Draft(None, calls, situation=c.pick("sit_wake", p=name.lower()))
    if r < 0.74:
        if not h.devs(cap="tts"):
            raise Skip
        return Draft(None, [call("speaker_announce", message="someone is at the door", everywhere=True)],
                      situation=c.pick("sit_door"))
    if r < 0.87:
        room = c.choice(h.rooms_with("climate"))
        return Draft(None, [call("climate_set_mode", room=room, mode="off")],
                      situation=c.pick("sit_window", r=h.room_name[room]))
    p, car = c.choice([(x, x.car) for x in people if x.car])
    cold = c.rng.random() < 0.6
    t = c.rng.randint(-10, 5) if cold else c.rng.randint(27, 36)
    text = c.pick("sit_depart", p=p.name.lower(), n=c.rng.choice((5, 10, 15, 20, 30)), t=t)
    return Draft(None, [call("car_precondition", car=car, temperature=21.0 if cold else 20.0)], situation=text,
                  need=[car])



GENERATORS: dict[str, Callable[[Ctx], Draft]] = {"relative": _g_relative, "situation": _g_situation}
