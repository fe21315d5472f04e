"""Messages: announcements ("broadcast dinner is ready [in the kitchen]": that room's speakers, or every speaker)
and messages for a person ("tell Ben dinner is ready", "let Mia know that we're leaving"), routed to where the
person is (conventions.md 10):

- the person is home, in a known room with a speaker: announced there (`speaker_announce` in that room);
- otherwise (away, room unknown, no speaker there): a notification to the person's phone (`phone_notify`);
- neither possible: `cannot`, saying why.

Asking for the phone outright ("text Ben ...", "send Ben a notification ...", "... on his phone") always sends it
to the phone. The message is kept as said ("that" after the verb is dropped). The route is decided from the
fused context at planning time, so `fusehub plan` shows where the message will go and policy checks that room.
"""

from __future__ import annotations

import re
from typing import Final

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Plan, SkillCall
from fusehub.reasoner.smalltalk import plain

__all__ = ["MAX_ANNOUNCE", "message", "route_message"]

MAX_ANNOUNCE: Final = 300
"""The longest message announced on a speaker (longer ones go to the phone)."""

_ASKING: Final = (r"(?:(?:can|could|would|will) you (?:please |just )?|please |just |i want you to |i'd like you to |"
                  r"go ahead and |quickly )*")
_NOTE: Final = (r"(?:quick |short |little )?(?:(?P<phone>text|notification|sms|text message)|message|note|line|msg|"
                r"heads up|reminder|ping|word)")
_SAYING: Final = r"(?: that| saying| to say(?: that)?| which says| reading)?[:,]?"
_TEMPLATES: Final = tuple(rf"{_ASKING}{t}{_SAYING} (?P<m>.+)" for t in (
    # a verb that sends: "text Ben", "ping my husband", "write to Mia", "remind granddad", "email Anna"
    r"(?:(?P<phone>text|sms|notify)|message|msg|ping|buzz|nudge|email|e-mail|whatsapp|write to|write|say to|"
    r"tell|inform|remind|let) (?P<p>{names})(?: know)?",
    # a verb and the note: "drop my sister a line", "send Ben a quick note", "give Mia a heads up"
    rf"(?:send|drop|give|shoot|fire|leave|pass|write) (?P<p>{{names}}) an? {_NOTE}(?: off)?",
    # the note, then to whom: "send a note to Ben", "drop a line to my sister", "pass a message on to Mia"
    rf"(?:send|drop|give|shoot|fire off|leave|pass|write|post)(?: off)? an? {_NOTE}(?: on)?(?: to| for) "
    r"(?P<p>{names})",
    r"(?:pass|relay|pass on|forward)(?: on)? (?:the message |this |a message )?to (?P<p>{names})",
))
"""How a message for a person is asked for, read as parts: the asking words, a verb that sends (or a verb and
a note, in either order), the person, a word that opens the message ("that", "saying", ":"), the message."""
_ON_PHONE: Final = re.compile(r"\s+(?:on|to) (?:his|her|their) (?:phone|mobile|cell)$")


def _names(graph: ContextGraph) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in graph.people():
        for n in (p.name, *p.aliases):
            if n and n.strip():
                out.setdefault(n.strip().lower(), p.id)
    return out


def _clean(raw: str) -> str:
    """The message as the user said it (case kept), without the sentence's final mark."""
    return re.sub(r"[\s.!?,:;]+$", "", raw.strip()).strip(" \t,:")


def _plan(*calls: SkillCall) -> Plan:
    return Plan(source="intent", confidence=1.0, calls=list(calls))


def message(text: str, graph: ContextGraph, room: str | None = None, actor: Actor | None = None) -> Plan | None:
    """The plan that delivers a message to a person named in the home, or None when `text` is not one."""
    del room, actor
    if len(text) > 600:
        return None
    low = " ".join(text.replace("\u2019", "'").split())
    announced = _announcement(low, graph)
    if announced is not None:
        return announced
    names = _names(graph)
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    for tpl in _TEMPLATES:
        m = re.fullmatch(tpl.format(names=alt), low, flags=re.IGNORECASE)
        if m is None:
            continue
        pid = names[m.group("p").lower()]
        msg = m.group("m")
        phone_asked = bool(m.groupdict().get("phone"))
        if _ON_PHONE.search(msg):
            msg, phone_asked = _ON_PHONE.sub("", msg), True
        msg = _clean(msg)
        if not plain(msg):
            return Plan(source="intent", confidence=1.0, cannot=f"say what to tell {graph.person(pid).name}")
        return route_message(graph, pid, msg, phone_only=phone_asked)
    return None


_ANNOUNCE: Final = r"(?:can you |could you |please )?(?:announce|broadcast|make an announcement)(?: that)?[:,]?"


def _announcement(low: str, graph: ContextGraph) -> Plan | None:
    """"announce / broadcast <message> [in the <room>]", "announce in the <room> that <message>": the room's
    speakers, or every speaker when no room is named."""
    rooms: dict[str, str] = {}
    for r in graph.rooms():
        for n in (r.name, *r.aliases):
            rooms.setdefault(n.strip().lower(), r.id)
    alt = "|".join(re.escape(n) for n in sorted(rooms, key=len, reverse=True)) or "(?!)"
    room: str | None = None
    m = re.fullmatch(rf"{_ANNOUNCE} in the (?P<r>{alt})(?: that)?[:,]? (?P<m>.+)", low, flags=re.IGNORECASE)
    if m is None:
        m = re.fullmatch(rf"{_ANNOUNCE} (?P<m>.+?) in the (?P<r>{alt})[.!]?", low, flags=re.IGNORECASE)
    if m is not None:
        room = rooms[m.group("r").lower()]
    else:
        m = re.fullmatch(rf"{_ANNOUNCE} (?P<m>.+)", low, flags=re.IGNORECASE)
        if m is None:
            return None
    msg = _clean(m.group("m"))
    if not plain(msg):
        return Plan(source="intent", confidence=1.0, cannot="say what to announce")
    if room is None:
        return _plan(SkillCall(skill="speaker_announce", args={"message": msg[:MAX_ANNOUNCE], "everywhere": True}))
    if not graph.devices(room=room, capability="tts"):
        why = f"there is no speaker in the {graph.room(room).name.lower()}"
        return Plan(source="intent", confidence=1.0, cannot=why)
    return _plan(SkillCall(skill="speaker_announce", args={"message": msg[:MAX_ANNOUNCE], "room": room}))


def route_message(graph: ContextGraph, person: str, msg: str, *, phone_only: bool = False) -> Plan:
    """Announce `msg` in the room where `person` is (home, room known, a speaker there), else send it to their
    phone; `cannot` when neither is possible."""
    p = graph.person(person)
    if not phone_only and p.location == "home" and p.room is not None and len(msg) <= MAX_ANNOUNCE \
            and graph.devices(room=p.room, capability="tts"):
        return _plan(SkillCall(skill="speaker_announce", args={"message": msg, "room": p.room}))
    if p.phone is not None and graph.has_device(p.phone):
        return _plan(SkillCall(skill="phone_notify", args={"person": person, "message": msg[:500]}))
    if phone_only:
        why = f"{p.name} has no phone"
    elif p.location == "home" and p.room is not None:
        why = f"{p.name} has no phone and there is no speaker in the {graph.room(p.room).name.lower()}"
    else:
        why = f"{p.name} has no phone and I don't know which room {p.name} is in"
    return Plan(source="intent", confidence=1.0, cannot=why)
