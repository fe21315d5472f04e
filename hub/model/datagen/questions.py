"""Category generators for questions (device and room state, sensors, people, timers), timers, and requests
the home cannot do (`cannot "no oven"`)."""

from __future__ import annotations

from collections.abc import Callable

from fusehub.home import DeviceDecl
from fusehub.model.datagen.drafts import (
    Ctx,
    Draft,
    Skip,
    call,
    cannot_draft,
    is_free,
    num,
    temp,
)
from fusehub.model.datagen.phrasing import VOCABULARY as V

STATE_ATTRIBUTE_QUERIES = False
"""Whether "how bright is the lamp" gives `query_state device=.. attribute=brightness`. Off: the decoding grammar
(`grammar_for`) allows only declared attributes for `attribute`, so such a target could not be decoded; the
question is `query_state device=..` (its answer includes the brightness). Declared attributes always get it."""


def _g_query(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    if r < 0.3:
        d = c.choice([x for x in h.home.devices if x.kind not in ("phone", "car", "sensor")])
        if d.kind == "lock":
            return Draft(c.pick("q_lock", d=h.lock_phrase[d.id]), [call("query_state", device=d.id)], need=[d.id])
        if d.kind in ("garage", "cover") and c.rng.random() < 0.7:
            text = c.pick("q_open", d=h.phrase[d.id])
            if d.kind == "cover" and h.noun[d.id].endswith("s") and text.startswith("is "):
                text = "are " + text[3:]
            return Draft(text, [call("query_state", device=d.id)], need=[d.id])
        intent = "q_on" if "on_off" in d.effective_capabilities() and c.rng.random() < 0.6 else "q_status"
        return Draft(c.pick(intent, d=h.phrase[d.id]), [call("query_state", device=d.id)], need=[d.id])
    if r < 0.45:
        kind = c.choice(("temperature", "temperature", "humidity", "outdoor"))
        if kind == "outdoor":
            d = c.choice([x for x in h.home.devices if h.measure.get(x.id) == "outdoor"])
            return Draft(c.pick("q_out"), [call("query_state", device=d.id)], need=[d.id])
        rooms = sorted({x.room for x in h.home.devices if x.room and (
            h.measure.get(x.id) == kind or (kind == "temperature" and x.kind == "climate"))})
        room = c.choice(rooms)
        sensors = [x for x in h.devs("sensor", room=room) if h.measure.get(x.id) == kind]
        d = sensors[0] if sensors else c.choice(h.devs("climate", room=room))
        return Draft(c.pick("q_temp" if kind == "temperature" else "q_hum", r=h.room_name[room]),
                      [call("query_state", device=d.id)], need=[d.id])
    if r < 0.55:
        room = c.choice(h.rooms_with("light"))
        return Draft(c.pick("q_room_lights", r=h.room_name[room]),
                      [call("query_state", room=room, capability="on_off")])
    if r < 0.62:
        room = c.choice(list(h.room_name))
        return Draft(c.pick("q_room", r=h.room_name[room]), [call("query_state", room=room)])
    if r < 0.67:
        c.choice(h.devs("lock"))
        return Draft(c.pick("q_locks"), [call("query_state", capability="lock")])
    if r < 0.8:
        opts: list[tuple[str, str, DeviceDecl]] = [("q_setpoint", "target_temperature", d) for d in h.devs("climate")]
        opts += [("q_bright", "brightness", d) for d in h.devs("light")][:3]
        opts += [("q_volume", "volume", d) for d in h.devs(cap="media")]
        opts += [("q_battery", "battery", d) for d in h.devs("vacuum")]
        opts += [("q_attr", a.name, d) for d in h.home.devices if d.kind in V.generic_by_kind
                 for a in V.generic_by_kind[d.kind].attrs]
        intent, attr, d = c.choice(opts)
        aph = ""
        if intent == "q_attr":
            aph = next(c.choice(a.phrases) for a in V.generic_by_kind[d.kind].attrs if a.name == attr)
        if intent == "q_attr":  # a declared attribute: attribute_get, as the hub's attribute matcher answers it
            return Draft(c.pick(intent, d=h.phrase[d.id], a=aph),
                         [call("attribute_get", device=d.id, attribute=attr)], need=[d.id])
        asked = attr if STATE_ATTRIBUTE_QUERIES else None
        return Draft(c.pick(intent, d=h.phrase[d.id], a=aph), [call("query_state", device=d.id, attribute=asked)],
                      need=[d.id])
    if r < 0.93:
        p = c.choice([x for x in h.home.people if x.id != c.speaker])
        return Draft(c.pick("where", p=p.name), [call("where_is", person=p.id)])
    return Draft(c.pick("timer_status"), [call("timer_status")])


def _g_sense(c: Ctx) -> Draft:
    """A yes/no sensor question: `query_state device=<the sensor>`; a home without one: `cannot "no .."`."""
    h = c.h
    sense = c.choice(V.senses)
    have = [d for d in h.home.devices if h.measure.get(d.id) == sense.tag]
    intent = f"qs_{sense.tag}"
    if not have:
        if c.rng.random() < 0.8:  # about a third of these questions are about a sensor the home lacks
            raise Skip
        room = c.choice(list(h.room_name))
        noun = sense.noun
        if is_free(h, noun.split()[0]):
            return cannot_draft(c.pick(intent, r=h.room_name[room], d=noun), f"no {noun}")
        raise Skip
    d = have[0]
    room = d.room or c.choice(list(h.room_name))
    return Draft(c.pick(intent, r=h.room_name[room], d=h.phrase[d.id]), [call("query_state", device=d.id)],
                  need=[d.id])


def _duration(c: Ctx) -> tuple[str, str, int]:
    """(phrase, adjectival phrase, seconds)."""
    r = c.rng.random()
    if r < 0.55:
        m = c.rng.choice((1, 2, 3, 4, 5, 5, 8, 10, 10, 12, 15, 20, 25, 30, 40, 45, 90))
        w = V.num_words[m] if m in V.num_words and c.rng.random() < 0.3 else str(m)
        if m == 1 and c.rng.random() < 0.5:
            return "a minute", "one minute", 60
        return f"{w} minute{'s' if m != 1 else ''}", f"{w} minute", m * 60
    if r < 0.75:
        s = c.rng.choice((10, 20, 30, 45, 60, 90))
        return f"{s} seconds", f"{s} second", s
    if r < 0.85:
        return "half an hour", "30 minute", 1800
    h = c.rng.choice((1, 1, 2, 3))
    if h == 1:
        return c.choice((("an hour", "one hour", 3600), ("one hour", "1 hour", 3600)))
    return f"{h} hours", f"{h} hour", h * 3600


def _compound_duration(c: Ctx) -> tuple[str, str, int]:
    """Durations in two units or with a half: (phrase, adjectival phrase, seconds); training split only."""
    r = c.rng.random()
    if r < 0.3:
        h, m = c.rng.choice((1, 1, 2)), c.rng.choice((5, 10, 15, 20, 30, 45))
        hs = "an hour" if h == 1 and c.rng.random() < 0.5 else f"{h} hour{'s' if h > 1 else ''}"
        return f"{hs} and {m} minutes", f"{h} hour {m} minute", h * 3600 + m * 60
    if r < 0.55:
        m, sec = c.rng.choice((1, 2, 3, 5, 10)), c.rng.choice((10, 15, 20, 30, 45))
        return f"{m} minute{'s' if m > 1 else ''} and {sec} seconds", f"{m} minute {sec} second", m * 60 + sec
    if r < 0.75:
        m = c.rng.choice((1, 2, 3, 4, 5, 10))
        return f"{m} and a half minutes", f"{m} and a half minute", m * 60 + 30
    return c.choice((("half a minute", "30 second", 30), ("an hour and a half", "90 minute", 5400),
                     ("one and a half hours", "90 minute", 5400), ("two and a half hours", "150 minute", 9000),
                     ("a quarter of an hour", "15 minute", 900), ("an hour and 30 seconds", "1 hour 30 second", 3630)))


def _g_timer(c: Ctx) -> Draft:
    r = c.rng.random()
    dur, dura, s = _duration(c)
    if r < 0.45:
        draft = Draft(c.pick("t_start", dur=dur, dura=dura), [call("timer_start", seconds=s)])
        if c.split == "train" and c.rng.random() < c.extras:  # training split only
            c.keys.clear()
            dur, dura, s = _compound_duration(c)
            return Draft(c.pick("t_start", dur=dur, dura=dura), [call("timer_start", seconds=s)])
        return draft
    nm = c.choice(V.timer_names)
    if r < 0.75:
        draft = Draft(c.pick("t_named", dur=dur, dura=dura, nm=nm), [call("timer_start", seconds=s, name=nm)])
        if c.split == "train" and c.rng.random() < c.extras:  # training split only
            c.keys.clear()
            dur, dura, s = _compound_duration(c)
            return Draft(c.pick(c.choice(("t_named", "t_named_x")), dur=dur, dura=dura, nm=nm),
                          [call("timer_start", seconds=s, name=nm)])
        return draft
    if r < 0.88:
        return Draft(c.pick("t_cancel"), [call("timer_cancel")])
    return Draft(c.pick("t_cancel_named", nm=nm), [call("timer_cancel", name=nm)])


def _g_cannot(c: Ctx) -> Draft:
    h, r = c.h, c.rng.random()
    msg = c.choice(V.messages)
    t = num(temp(c))
    if r < 0.3:
        x = c.choice([a for a in V.appliances[c.split] if is_free(h, a)])
        return cannot_draft(c.pick("cn_app", x=x), f"no {x}")
    if r < 0.55:
        kinds: list[tuple[str, tuple[str, ...], bool]] = [
            ("cn_garage", ("garage door",) if "garage" in h.room_name else ("garage", "garage door"),
             not h.devs("garage")),
            ("cn_vacuum", ("vacuum", "robot vacuum", "hoover"), not h.devs("vacuum")),
            ("cn_cover", ("blinds", "curtains", "shades", "shutters"), not h.devs("cover")),
            ("cn_tv", ("tv", "television"), not h.devs("media_player")),
            ("cn_heat", ("heating", "thermostat", "air conditioning"), not h.devs("climate")),
            ("cn_lock", ("front door", "back door"), not h.devs("lock")),
            ("cn_speaker", ("speaker",), not h.devs(cap="tts")),
            ("cn_car", ("car",), not h.devs("car")),
        ]
        intent, nouns, _ = c.choice([k for k in kinds if k[2]])
        x = c.choice([n for n in nouns if is_free(h, n) or intent in ("cn_lock", "cn_speaker")])
        if intent == "cn_lock" and not is_free(h, "lock"):
            raise Skip
        what = {"cn_lock": f"no {x} lock", "cn_speaker": "no speaker"}.get(intent, f"no {x}")
        return cannot_draft(c.pick(intent, x=x, t=t, msg=msg), what)
    if r < 0.7:
        pool = [*V.split_rooms[c.split], *V.common_rooms, *V.absent_rooms[c.split]]
        x = c.choice([n.lower() for n in pool if is_free(h, n)])
        return cannot_draft(c.pick("cn_room", x=x, t=t), f"no {x}")
    if r < 0.8:
        home_names = {p.name for p in h.home.people}
        x = c.choice([n for n in V.names[c.split] if n not in home_names])
        return cannot_draft(c.pick("cn_person", x=x, msg=msg), f"no {x.lower()}")
    # a device without the feature asked for
    feats = [("cn_temp", "temperature", ("light", "switch", "plug", "media_player", "cover", "fan", "humidifier",
                                          "air_purifier", "speaker")),
             ("cn_color", "color", ("switch", "plug", "media_player", "cover", "climate", "lock", "speaker")),
             ("cn_bri", "brightness", ("switch", "plug", "media_player", "cover", "climate", "speaker")),
             ("cn_vol", "volume", ("light", "switch", "plug", "cover", "climate"))]
    intent, feat, kinds2 = c.choice(feats)
    d = c.choice([x for x in h.home.devices if x.kind in kinds2])
    ph = h.lock_phrase.get(d.id, h.phrase[d.id])
    text = c.pick(intent, d=ph, t=t, c=c.choice(V.colors), n=c.rng.choice((20, 30, 50, 70)))
    return cannot_draft(text, f"{ph} has no {feat}")



GENERATORS: dict[str, Callable[[Ctx], Draft]] = {
    "query": _g_query, "sense": _g_sense, "timer": _g_timer, "cannot": _g_cannot,
}
