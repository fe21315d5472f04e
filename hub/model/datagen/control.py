"""Category generators for device control: on/off, brightness and color, climate, covers, media, vacuums,
locks, garage and cars, scenes, declared attributes, messages, and several requests at once."""

from __future__ import annotations

import re
from collections.abc import Callable

from fusehub.home import DeviceDecl
from fusehub.model.datagen.drafts import (
    Ctx,
    Draft,
    Skip,
    call,
    cannot_draft,
    num,
    on_off_skill,
    switchables,
    temp,
)
from fusehub.model.datagen.phrasing import VOCABULARY as V
from fusehub.reasoner.calls import Call


def _g_onoff(c: Ctx) -> Draft:
    h, r, on = c.h, c.rng.random(), c.rng.random() < 0.5
    if r < 0.5:
        d = c.choice(switchables(h))
        text = c.pick("on_dev" if on else "off_dev", d=h.phrase[d.id])
        return Draft(text, [call(on_off_skill(d, on), device=d.id)], need=[d.id])
    skill = "light_turn_on" if on else "light_turn_off"
    if r < 0.78:
        room = c.choice(h.rooms_with("light"))
        return Draft(c.pick("on_room" if on else "off_room", r=h.room_name[room]), [call(skill, room=room)])
    if r < 0.92 or not h.floors:
        return Draft(c.pick("on_all" if on else "off_all"), [call(skill, everywhere=True)])
    fid = c.choice(sorted(h.floors))
    fa, fn = h.floors[fid]
    return Draft(c.pick("on_floor" if on else "off_floor", fa=fa, fn=fn), [call(skill, floor=fid)])


def _g_brightness(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    lights = h.devs("light")
    d = c.choice(lights)
    ph = h.phrase[d.id]
    if c.split == "train" and c.rng.random() < c.extras:  # training split only: held-out draws are unchanged
        return _bri_extreme(c, d, ph)
    n = c.rng.choice((10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100, c.rng.randint(1, 100)))
    if r < 0.22:
        return Draft(c.pick("bri_set_dev", d=ph, n=n), [call("light_set_brightness", device=d.id, brightness=n)],
                      need=[d.id])
    if r < 0.34:
        room = c.choice(h.rooms_with("light"))
        return Draft(c.pick("bri_set_room", r=h.room_name[room], n=n),
                      [call("light_set_brightness", room=room, brightness=n)])
    if r < 0.46:
        rel, ch = c.choice(V.brightness_up if c.rng.random() < 0.5 else V.brightness_down)
        if c.rng.random() < 0.6:
            return Draft(c.pick("bri_rel_dev", d=ph, rel=rel), [call("light_set_brightness", device=d.id, change=ch)],
                          need=[d.id])
        room = c.choice(h.rooms_with("light"))
        return Draft(c.pick("bri_rel_room", r=h.room_name[room], rel=rel),
                      [call("light_set_brightness", room=room, change=ch)])
    if r < 0.56:
        up = c.rng.random() < 0.5
        return Draft(c.pick("bri_up_dev" if up else "bri_down_dev", d=ph),
                      [call("light_set_brightness", device=d.id, change=20 if up else -20)], need=[d.id])
    if r < 0.64:
        up = c.rng.random() < 0.5
        k = c.rng.choice((10, 15, 20, 25, 30, 50))
        return Draft(c.pick("bri_by_up" if up else "bri_by_down", d=ph, n=k),
                      [call("light_set_brightness", device=d.id, change=k if up else -k)], need=[d.id])
    if r < 0.78:
        col = c.choice(V.colors)
        return Draft(c.pick("color_dev", d=ph, c=col), [call("light_set_color", device=d.id, color=col)], need=[d.id])
    if r < 0.86:
        room = c.choice(h.rooms_with("light"))
        col = c.choice(V.colors)
        return Draft(c.pick("color_room", r=h.room_name[room], c=col), [call("light_set_color", room=room, color=col)])
    if r < 0.91:
        k = c.rng.choice((2200, 2700, 3000, 4000, 5000, 6500))
        text = c.pick("kelvin_dev", d=ph, k=k)
        if "color_temp" not in d.effective_capabilities():  # conventions rule 13: a missing attribute is refused
            return cannot_draft(text, "no color temperature")
        return Draft(text, [call("light_set_color", device=d.id, kelvin=k)], need=[d.id])
    # "turn on X at N percent": brightness implies on, a brightness call alone (conventions 6)
    return Draft(c.pick("on_bri_dev", d=ph, n=n), [call("light_set_brightness", device=d.id, brightness=n)],
                 need=[d.id])


def _bri_extreme(c: Ctx, d: DeviceDecl, ph: str) -> Draft:
    """'the lamp to max brightness' (100) / 'to the lowest' (1), for a device or a room (training split only)."""
    top = c.rng.random() < 0.5
    level = 100 if top else 1
    if c.rng.random() < 0.6:
        return Draft(c.pick("bri_max_dev" if top else "bri_min_dev", d=ph),
                      [call("light_set_brightness", device=d.id, brightness=level)], need=[d.id])
    room = c.choice(c.h.rooms_with("light"))
    return Draft(c.pick("bri_max_room" if top else "bri_min_room", r=c.h.room_name[room]),
                  [call("light_set_brightness", room=room, brightness=level)])


def _g_climate(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("climate"))
    ph = h.phrase[d.id]
    t = temp(c)
    if r < 0.22:
        return Draft(c.pick("cl_set_dev", d=ph, t=num(t)), [call("climate_set_temperature", device=d.id,
                                                                   temperature=t)], need=[d.id])
    if r < 0.38:
        room = c.choice(h.rooms_with("climate"))
        return Draft(c.pick("cl_set_room", r=h.room_name[room], t=num(t)),
                      [call("climate_set_temperature", room=room, temperature=t)])
    if r < 0.58:
        rel, ch = c.choice(V.warmer if c.rng.random() < 0.5 else V.colder)
        if c.rng.random() < 0.5:
            return Draft(c.pick("cl_rel_dev", d=ph, rel=rel),
                          [call("climate_set_temperature", device=d.id, change=ch)], need=[d.id])
        room = c.choice(h.rooms_with("climate"))
        return Draft(c.pick("cl_rel_room", r=h.room_name[room], rel=rel),
                      [call("climate_set_temperature", room=room, change=ch)])
    if r < 0.68:
        up = c.rng.random() < 0.5
        return Draft(c.pick("cl_up_dev" if up else "cl_down_dev", d=ph),
                      [call("climate_set_temperature", device=d.id, change=1 if up else -1)], need=[d.id])
    if r < 0.76:
        up = c.rng.random() < 0.5
        k = c.rng.choice((1, 2, 2, 3, 4, 5))
        room = d.room or c.choice(h.rooms_with("climate"))
        text = c.pick("cl_by_up" if up else "cl_by_down", d=ph, r=h.room_name[room], n=k)
        by_room = h.room_name[room] in text and ph not in text
        where = {"room": room} if by_room else {"device": d.id}
        wanted = call("climate_set_temperature", **where, change=k if up else -k)
        return Draft(text, [wanted], need=[] if by_room else [d.id])
    if r < 0.9:
        mph, mode = c.choice(V.modes[:-1])
        if c.rng.random() < 0.65:
            return Draft(c.pick("cl_mode_dev", d=ph, m=mph), [call("climate_set_mode", device=d.id, mode=mode)],
                          need=[d.id])
        room = c.choice(h.rooms_with("climate"))
        return Draft(c.pick("cl_mode_room", r=h.room_name[room], m=mph), [call("climate_set_mode", room=room,
                                                                             mode=mode)])
    return Draft(c.pick("cl_off_dev", d=ph), [call("climate_set_mode", device=d.id, mode="off")], need=[d.id])


def _g_cover(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("cover"))
    ph = h.phrase[d.id]
    if r < 0.45:
        op = c.rng.random() < 0.5
        return Draft(c.pick("cv_open_dev" if op else "cv_close_dev", d=ph),
                      [call("cover_open" if op else "cover_close", device=d.id)], need=[d.id])
    if r < 0.6:
        n = c.rng.choice((10, 20, 25, 30, 40, 60, 70, 75, 80))
        return Draft(c.pick("cv_pos_dev", d=ph, n=n), [call("cover_set_position", device=d.id, position=n)],
                      need=[d.id])
    if r < 0.67:
        return Draft(c.pick("cv_half_dev", d=ph), [call("cover_set_position", device=d.id, position=50)], need=[d.id])
    op = c.rng.random() < 0.5
    skill = "cover_open" if op else "cover_close"
    if r < 0.87:
        room = c.choice(h.rooms_with("cover"))
        noun = h.noun[c.choice(h.devs("cover", room=room)).id]
        return Draft(c.pick("cv_open_room" if op else "cv_close_room", r=h.room_name[room], noun=noun),
                      [call(skill, room=room)])
    return Draft(c.pick("cv_open_all" if op else "cv_close_all", noun=h.noun[d.id]), [call(skill, everywhere=True)])


def _g_media(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs(cap="media"))
    ph = h.phrase[d.id]
    if r < 0.45:
        intent, skill = c.choice((("md_play", "media_play"), ("md_pause", "media_pause"), ("md_next", "media_next")))
        return Draft(c.pick(intent, d=ph), [call(skill, device=d.id)], need=[d.id])
    if r < 0.65:
        n = c.rng.randrange(0, 101, 5)
        return Draft(c.pick("md_vol_set", d=ph, n=n), [call("media_set_volume", device=d.id, volume=n)], need=[d.id])
    if r < 0.85:
        up = c.rng.random() < 0.5
        return Draft(c.pick("md_vol_up" if up else "md_vol_down", d=ph),
                      [call("media_set_volume", device=d.id, change=10 if up else -10)], need=[d.id])
    up = c.rng.random() < 0.5
    n = c.rng.choice((5, 10, 15, 20, 25, 30))
    return Draft(c.pick("md_vol_by", d=ph, n=n, dir="up" if up else "down"),
                  [call("media_set_volume", device=d.id, change=n if up else -n)], need=[d.id])


def _g_vacuum(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("vacuum"))
    ph = h.phrase[d.id]
    if r < 0.4:
        rooms = c.rng.sample(list(h.room_name), min(len(h.room_name), c.rng.choice((1, 1, 2, 2, 3))))
        rn = [h.room_name[x] for x in rooms]
        rs = rn[0] if len(rn) == 1 else ", ".join(rn[:-1]) + " and " + rn[-1]
        # one clean-room call per room, with no separate start (conventions 9)
        calls = [call("vacuum_clean_rooms", device=d.id, rooms=[x]) for x in rooms]
        return Draft(c.pick("vac_rooms", d=ph, rs=rs), calls, need=[d.id])
    intent, skill = c.choice((("vac_start", "vacuum_start"), ("vac_stop", "vacuum_stop"), ("vac_dock", "vacuum_dock")))
    return Draft(c.pick(intent, d=ph), [call(skill, device=d.id)], need=[d.id])


def _owner_phrase(c: Ctx, car: DeviceDecl) -> str:
    """'my' when the speaker owns the car, else "<name>'s" (templates may also say 'the car')."""
    owner = next(p for p in c.h.home.people if p.car == car.id)
    if c.speaker == owner.id and c.rng.random() < 0.6:
        return "my"
    return f"{owner.name}'s"


def _g_secure(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    if r < 0.6:
        locks = h.devs("lock")
        if r < 0.5:
            d = c.choice(locks)
            lock = c.rng.random() < 0.55
            return Draft(c.pick("lk_lock" if lock else "lk_unlock", d=h.lock_phrase[d.id]),
                          [call("lock_lock" if lock else "lock_unlock", device=d.id)], need=[d.id])
        c.choice(locks)
        return Draft(c.pick("lk_all"), [call("lock_lock", everywhere=True)])
    if r < 0.85:
        d = c.choice(h.devs("garage"))
        op = c.rng.random() < 0.5
        return Draft(c.pick("gar_open" if op else "gar_close", d=h.phrase[d.id]),
                      [call("garage_open" if op else "garage_close", device=d.id)], need=[d.id])
    return _car(c, locks_only=True)


def _car(c: Ctx, locks_only: bool = False) -> Draft:
    h = c.h
    cars = h.devs("car")
    car = c.choice(cars)
    owner = _owner_phrase(c, car)
    r = c.rng.random()
    if locks_only or r < 0.45:
        lock = c.rng.random() < 0.6
        text = c.pick("car_lock" if lock else "car_unlock", owner=owner)
        wanted = call("car_lock" if lock else "car_unlock", car=car.id)
    elif r < 0.7:
        text = c.pick("car_pre", owner=owner)
        wanted = call("car_precondition", car=car.id)
    else:
        t = temp(c, 18, 24)
        text = c.pick("car_pre_t", owner=owner, t=num(t))
        wanted = call("car_precondition", car=car.id, temperature=t)
    if owner not in text and len(cars) > 1:
        raise Skip  # "the car" with two cars is ambiguous
    return Draft(text, [wanted], need=[car.id])


def _g_misc(c: Ctx) -> Draft:
    h = c.h
    if c.rng.random() < 0.55 and h.home.scenes:
        s = c.choice(h.home.scenes)
        phrases = next(p for sid, _, p in V.scenes if sid == s.id)
        return Draft(c.pick("scene", s=c.choice(phrases)), [call("scene_activate", scene=s.id)])
    return _car(c)


def _g_attribute(c: Ctx) -> Draft:
    h = c.h
    d = c.choice([x for x in h.home.devices if x.kind in V.generic_by_kind])
    g = V.generic_by_kind[d.kind]
    a = c.choice(g.attrs)
    ph, aph = h.phrase[d.id], c.choice(a.phrases)
    if a.type == "number":
        unit = {"%": c.choice(("%", " percent")), "C": " degrees"}.get(a.unit, "")
        r = c.rng.random()
        if r < 0.6:
            v = c.rng.randint(int(a.lo), int(a.hi))
            text = c.pick("attr_num", d=ph, a=aph, v=v, u=unit)
            return Draft(text, [call("attribute_set", device=d.id, attribute=a.name, value=v)], need=[d.id])
        up = r < 0.8
        n = c.rng.choice((1, 2, 5) if a.hi - a.lo <= 10 else (2, 5, 10))
        text = c.pick("attr_by_up" if up else "attr_by_down", d=ph, a=aph, n=n)
        return Draft(text, [call("attribute_set", device=d.id, attribute=a.name, change=n if up else -n)], need=[d.id])
    if a.type == "enum":
        o = c.choice(a.options)
        return Draft(c.pick("attr_enum", d=ph, a=aph, o=o),
                      [call("attribute_set", device=d.id, attribute=a.name, value=o)], need=[d.id])
    # bool: only true (render_call drops a False argument, so value=false cannot be written)
    return Draft(c.pick("attr_bool", d=ph, a=aph), [call("attribute_set", device=d.id, attribute=a.name, value=True)],
                  need=[d.id])


def _g_message(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    msg = c.choice(V.messages)
    if r < 0.55:
        phones = [p for p in h.home.people if p.phone and p.id != c.speaker]
        p = c.choice(phones)
        text = c.pick("notify", p=p.name, msg=msg)
        # conventions.md 10: announced where the person is (home, in a room with a speaker), else their phone;
        # "text / notify / send a notification" asks for the phone outright
        said = text[: text.find(msg)] if msg in text else text
        pv = h.graph.person(p.id)
        if not re.search(r"\b(?:text|sms|notify|notification)\b", said) and pv.location == "home" and pv.room \
                and h.graph.devices(room=pv.room, capability="tts"):
            return Draft(text, [call("speaker_announce", message=msg, room=pv.room)])
        return Draft(text, [call("phone_notify", person=p.id, message=msg)])
    c.choice(h.devs(cap="tts"))
    if r < 0.8:
        return Draft(c.pick("ann_all", msg=msg), [call("speaker_announce", message=msg, everywhere=True)])
    room = c.choice(h.rooms_with(cap="tts"))
    return Draft(c.pick("ann_room", r=h.room_name[room], msg=msg), [call("speaker_announce", message=msg, room=room)])


def _clause(c: Ctx, used: set[str]) -> tuple[str, list[Call], list[str]]:
    """One simple action for a multi-request, on a device not used yet."""
    h = c.h
    kinds = ["onoff", "onoff", "room", "cover", "lock", "media", "climate", "bri"]
    for _ in range(6):
        k = c.choice(kinds)
        if k == "room":
            room = c.choice(h.rooms_with("light"))
            if f"room:{room}" in used:
                continue
            used.add(f"room:{room}")
            on = c.rng.random() < 0.5
            return (c.pick("on_room" if on else "off_room", r=h.room_name[room]),
                    [call("light_turn_on" if on else "light_turn_off", room=room)], [])
        pool = {"onoff": switchables(h), "cover": h.devs("cover"), "lock": h.devs("lock"),
                "media": h.devs(cap="media"), "climate": h.devs("climate"), "bri": h.devs("light")}[k]
        pool = [d for d in pool if d.id not in used and not (d.room and f"room:{d.room}" in used)]
        if not pool:
            continue
        d = c.choice(pool)
        used.add(d.id)
        ph = h.phrase[d.id]
        if k == "onoff":
            on = c.rng.random() < 0.5
            return c.pick("on_dev" if on else "off_dev", d=ph), [call(on_off_skill(d, on), device=d.id)], [d.id]
        if k == "cover":
            op = c.rng.random() < 0.5
            return (c.pick("cv_open_dev" if op else "cv_close_dev", d=ph),
                    [call("cover_open" if op else "cover_close", device=d.id)], [d.id])
        if k == "lock":
            return c.pick("lk_lock", d=h.lock_phrase[d.id]), [call("lock_lock", device=d.id)], [d.id]
        if k == "media":
            return c.pick("md_pause", d=ph), [call("media_pause", device=d.id)], [d.id]
        if k == "climate":
            t = temp(c)
            return (c.pick("cl_set_dev", d=ph, t=num(t)), [call("climate_set_temperature", device=d.id, temperature=t)],
                    [d.id])
        n = c.rng.choice((20, 30, 40, 50, 60, 70, 80))
        return c.pick("bri_set_dev", d=ph, n=n), [call("light_set_brightness", device=d.id, brightness=n)], [d.id]
    raise Skip


def _g_multi(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    if r < 0.3:
        devs = switchables(h)
        if len(devs) < 2:
            raise Skip
        d1, d2 = c.rng.sample(devs, 2)
        if h.phrase[d1.id] == h.phrase[d2.id]:
            raise Skip
        on = c.rng.random() < 0.5
        text = c.pick("m_on2" if on else "m_off2", d1=h.phrase[d1.id], d2=h.phrase[d2.id])
        return Draft(text, [call(on_off_skill(d, on), device=d.id) for d in (d1, d2)], need=[d1.id, d2.id])
    used: set[str] = set()
    n = 3 if r > 0.8 else 2
    parts = [_clause(c, used) for _ in range(n)]
    text = c.pick("mj3" if n == 3 else "mj2", **{f"a{i + 1}": p[0] for i, p in enumerate(parts)})
    return Draft(text, [wanted for p in parts for wanted in p[1]], need=[i for p in parts for i in p[2]])



GENERATORS: dict[str, Callable[[Ctx], Draft]] = {
    "onoff": _g_onoff, "brightness": _g_brightness, "climate": _g_climate, "cover": _g_cover, "media": _g_media,
    "vacuum": _g_vacuum, "secure": _g_secure, "attribute": _g_attribute, "multi": _g_multi, "message": _g_message,
    "misc": _g_misc,
}
