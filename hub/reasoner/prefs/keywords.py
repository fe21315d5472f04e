"""The keyword reading of a plain-language preference: when the grammar (:mod:`.compile`) does not know a
clause's wording, its situation or condition is read from the words that carry it (a person's name and
'back', 'driveway', 'alarm', a time, 'colder than 3', 'weekend'...), with the home's own names.

Only what is unambiguous is read: a clause with words for two different situations, or none, is not understood.
Whatever is read this way is still read back to the owner, who must confirm it before it applies."""

from __future__ import annotations

import re
from typing import Any

from fusehub.events import JSON
from fusehub.preferences.schema import WEEKDAYS, DeviceCondition, PrefAction, Situation
from fusehub.reasoner.prefs.lexicon import NUM, SOMEONE, TIME, Names, days_of, finishing, num, time_of

__all__ = ["action_by_keywords", "condition_by_keywords", "recipients_by_keywords", "situation_by_keywords"]

_BELOW = r"(?:below|under|colder than|less than|lower than|drops?|falls?|dips?|beneath)"
_ABOVE = r"(?:above|over|warmer than|more than|higher than|rises?|climbs?|exceeds?|hotter than|pass(?:es)?)"
_DARK = (r"\b(?:dark|darkness|night|dusk|sundown|sunset|evening|nightfall)\b|"
         r"sun (?:is |has )?(?:set|going down|gone down|goes down|down)")
_LIGHT = (r"\b(?:light|daylight|dawn|daybreak|sunrise|morning|bright|daytime|sunny)\b|"
          r"sun (?:is |has )?(?:rise|rising|up|comes up|come up)")
_ARRIVE = r"\b(?:arriv\w*|home|back|gets? in|comes? in|returns?|walks? (?:in|through))\b"
_LEAVE = r"\b(?:leav\w*|left|goes? out|heads? (?:out|off)|gone|departs?|sets? off|is out|are out)\b"


def _people(t: str, n: Names) -> list[str]:
    """Person ids named in the text, in order ('my' and 'me' are the proposer)."""
    found: list[tuple[int, str]] = []
    for name, pid in n.people.items():
        for m in re.finditer(rf"\b{re.escape(name)}\b", t):
            found.append((m.start(), pid))
    if n.proposer and (me := re.search(r"\b(?:my|me|i)\b", t)):
        found.append((me.start(), n.proposer))
    out: list[str] = []
    for _, pid in sorted(found):
        if pid not in out:
            out.append(pid)
    return out


def _device(t: str, n: Names) -> str | None:
    for name in sorted(n.devices, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", t):
            return n.devices[name]
    return None


def _number(t: str) -> float | None:
    m = re.search(rf"(?<![\d:])(-?{NUM})(?![\d:])(?!\s*(?:am|pm)\b)", t)
    return num(m.group(1)) if m else None


def _clock(t: str) -> str | None:
    m = re.search(rf"\b(?:at|by|for) ({TIME})", t) or re.search(r"\b(\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2})\b",
                                                                 t)
    return time_of(m.group(1)) if m else None


def situation_by_keywords(t: str, n: Names) -> Situation | None:
    """The one situation the clause's words name, or None."""
    people = _people(t, n)
    who = people if not re.search(rf"\b{SOMEONE}\b|\bvisitor\b", t) else []
    found: list[Situation] = []
    if re.search(r"\bdrive ?way\b|\bcar\b.*\b(?:arriv\w*|pull\w*|park\w*|home|in)\b|\bparks?\b", t):
        found.append(Situation(situation="car_home", person=who))
    if re.search(r"\balarm\b|\bwakes? up\b", t):
        found.append(Situation(situation="wake_up", person=who))
    if re.search(r"\bdoor ?bell\b|\bbell\b|\bat the (?:front )?door\b|\bknocks?\b|\bbuzz\w* the door\b", t):
        found.append(Situation(situation="doorbell"))
    if (at := _clock(t)) and re.search(r"\b(?:before|ahead of|prior to)\b", t) and who:
        lead = re.search(rf"({NUM}) (?:minutes?|mins?)", t)
        found.append(Situation(situation="departure", person=who[:1], at=at,
                               lead_min=num(lead.group(1)) if lead else 0))
    elif at is not None and not who and not found:
        found.append(Situation(situation="schedule", at=at))
    if (m := re.search(rf"({NUM}) (?:minutes?|mins?)", t)) and who and re.search(
            r"\b(?:away|out|from|of home|close|near|off)\b", t) and not re.search(r"\b(?:before|prior to)\b", t):
        found.append(Situation(situation="arriving", person=who, within_min=num(m.group(1))))
    if re.search(r"\b(?:temperature|temp|degrees?|freez\w*|colder|warmer|frost)\b", t):
        value = 0.0 if re.search(r"\bfreez\w*|\bfrost\b", t) else _number(t)
        if (value is not None and re.search(_BELOW, t)) or re.search(r"\bfreez\w*|\bfrost\b", t):
            found.append(Situation(situation="outside_temperature", below=value))
        elif value is not None and re.search(_ABOVE, t):
            found.append(Situation(situation="outside_temperature", above=value))
    if not found and (dev := _device(t, n)) is not None:
        value = _number(t.replace(dev, ""))
        if re.search(r"\b(?:finish\w*|done|stops?|stopped|complet\w*|ends?|ended|through)\b", t):
            found.append(finishing(n, dev))
        elif value is not None and re.search(_ABOVE, t):
            found.append(Situation(situation="sensor", device=dev, above=value))
        elif value is not None and re.search(_BELOW, t):
            found.append(Situation(situation="sensor", device=dev, below=value))
    if not found and re.search(_DARK, t) and not re.search(_LIGHT, t):
        found.append(Situation(situation="sunset"))
    if not found and re.search(_LIGHT, t) and not re.search(_DARK, t):
        found.append(Situation(situation="sunrise"))
    if not found and re.search(r"\bfirst\b", t) and re.search(_ARRIVE, t):
        found.append(Situation(situation="first_arrived"))
    if not found and re.search(r"\b(?:everyone|everybody|all|last|nobody|no one|empty)\b", t) and (
            re.search(_LEAVE, t) or re.search(r"\bempty\b|\bnobody\b|\bno one\b", t)):
        found.append(Situation(situation="everyone_left"))
    if not found and (who or re.search(rf"\b{SOMEONE}\b", t)):
        arrive, leave = re.search(_ARRIVE, t), re.search(_LEAVE, t)
        if arrive and not leave:
            found.append(Situation(situation="arrived", person=who))
        elif leave and not arrive:
            found.append(Situation(situation="left", person=who))
    return found[0] if len(found) == 1 else None


def condition_by_keywords(c: str, n: Names, cond: dict[str, Any]) -> bool:
    """Add the one condition the clause's words name to `cond`; False when the words do not say one."""
    times = re.findall(TIME, c)
    if m := re.search(rf"\bbetween ({TIME}) (?:and|to) ({TIME})", c):
        cond["after"], cond["before"] = time_of(m.group(1)), time_of(m.group(2))
        return True
    if times and (m := re.search(rf"\b(?:after|past|later than|from) ({TIME})", c)):
        cond["after"] = time_of(m.group(1))
        return True
    if times and (m := re.search(rf"\b(?:before|not yet|earlier than|until|till|prior to) ({TIME})", c)):
        cond["before"] = time_of(m.group(1))
        return True
    weekdays_named = re.search(r"\b(?:mon|tues|wednes|thurs|fri)day", c)
    if re.search(r"\b(?:weekends?|saturdays?|sundays?)\b", c) and not weekdays_named:
        cond["weekdays"] = days_of(c) if re.search(r"(?:satur|sun)days?", c) and "weekend" not in c else list(
            WEEKDAYS[5:])
        return True
    if re.search(r"\b(?:week ?days?|workdays?|working days|(?:the|a) week|mondays? (?:to|through|thru|until) "
                 r"fridays?)\b", c):
        cond["weekdays"] = list(WEEKDAYS[:5])
        return True
    people = _people(c, n)
    dev = _device(c, n)
    if dev is not None:
        off = re.search(r"\b(?:off|not on|not lit|dark|out)\b", c)
        if off or re.search(r"\b(?:on|lit|running|glowing|burning)\b", c):
            cond.setdefault("devices", []).append(DeviceCondition(device=dev, attribute="on", equals=not off))
            return True
    if re.search(r"\b(?:degrees?|temperature|temp|freez\w*|cold|warm)\b", c) or (
            re.search(r"\b(?:outside|outdoors?)\b", c) and _number(c) is not None):
        value = 0.0 if re.search(r"\bfreez\w*", c) else _number(c)
        if (value is not None and re.search(_BELOW, c)) or re.search(r"\bfreez\w*", c):
            cond["outside_below"] = value
            return True
        if value is not None and re.search(_ABOVE, c):
            cond["outside_above"] = value
            return True
        return False
    if re.search(r"\bnot empty\b", c):
        cond["anyone_home"] = True
        return True
    if re.search(r"\b(?:nobody|no one|no-one|empty)\b", c):
        cond["anyone_home"] = False
        return True
    if re.search(rf"\b{SOMEONE}\b", c) and re.search(r"\b(?:home|in|house|here|around)\b", c):
        cond["anyone_home"] = True
        return True
    if len(people) == 1:
        if re.search(r"\b(?:not|away|out|gone)\b", c):
            cond.setdefault("away", []).append(people[0])
            return True
        if re.search(r"\b(?:home|in|house|here|back|around|about)\b", c):
            cond.setdefault("home", []).append(people[0])
            return True
    if re.search(_DARK, c) and not re.search(_LIGHT, c):
        cond["daylight"] = False
        return True
    if re.search(_LIGHT, c) and not re.search(_DARK, c):
        cond["daylight"] = True
        return True
    return False


def recipients_by_keywords(text: str, n: Names) -> list[str] | None:
    """Who a message is for, from its words: whoever is home, everyone, the owners, or named people."""
    if re.search(r"\bhome\b|\bhouse\b|\bin\b", text) and re.search(
            r"\b(?:everyone|everybody|people|whoever|anyone|anybody|all|those|family)\b", text):
        return ["home"]
    if re.search(r"\b(?:everyone|everybody|all of us|the (?:whole )?family|all)\b", text):
        return ["everyone"]
    if re.search(r"\bowners?\b|\bparents\b", text):
        return ["owners"]
    people = _people(text, n)
    return people or None


_MESSAGE_VERB = (r"^(?:tell|let|inform|remind|warn|message|notify|text|send|ping|alert|announce|say|"
                 r"make an announcement)\b")
_ON = r"\b(?:on|start\w*|going|up|light|lit|run|running|power)\b"
_OFF = r"\b(?:off|stop\w*|kill|cut|out|shut down|power down)\b"


def action_by_keywords(a: str, n: Names, when: Situation) -> list[PrefAction] | None:
    """One action from its words: a message (who, what, where) or a device, a room's lights, a car."""
    if re.match(_MESSAGE_VERB, a):
        parts = re.split(r" (?:that|saying|to say)(?: |$)|: | - ", a, maxsplit=1)
        head, msg = parts[0], (parts[1].strip("\"' ") if len(parts) > 1 else "")
        if not msg:
            return None
        msg = msg[0].upper() + msg[1:]
        if re.match(r"^(?:announce|say|make an announcement)\b", a):
            room_m = re.search(r"\b(?:in|on) the (.+?)(?: speakers?)?$", head)
            room = n.graph.resolve_room(room_m.group(1)) if room_m else None
            return [PrefAction(announce=msg, room=room)] if room_m is None or room else None
        who = re.sub(_MESSAGE_VERB, "", head)
        who = re.sub(r"\b(?:an?|the) (?:push )?(?:notification|message|text|note|alert)\b|\b(?:to|know)\b", " ",
                     who)
        to = recipients_by_keywords(who.strip(), n)
        if not to:
            return None
        kind = "notify" if re.match(r"^(?:message|notify|text|send|ping|alert)\b", a) else "tell"
        return [PrefAction(**{kind: msg}, to=t) for t in to]  # type: ignore[arg-type]
    if re.search(r"\bcar\b", a) and re.search(r"\b(?:warm\w*|heat\w*|precondition\w*|preheat\w*)\b", a):
        owners = _people(a, n) or list(when.person[:1])
        car = n.graph.person(owners[0]).car if owners and n.graph.has_person(owners[0]) else None
        return [PrefAction(skill="car_precondition", args={"car": car})] if car else None
    dev = _device(a, n)
    if dev is not None:
        d = n.graph.device(dev)
        value = _number(a.replace(d.name.lower(), ""))
        if "temperature_setpoint" in d.capabilities and value is not None:
            return [PrefAction(skill="climate_set_temperature", args={"device": dev, "temperature": value})]
        if "cover_position" in d.capabilities:
            opening = re.search(r"\b(?:open\w*|raise|up|back|lift)\b", a)
            closing = re.search(r"\b(?:clos\w*|shut|lower|down|draw)\b", a)
            if bool(opening) != bool(closing) or (opening and re.search(r"\bback\b", a)):
                return [PrefAction(skill="cover_open" if opening else "cover_close", args={"device": dev})]
            return None
        if "on_off" in d.capabilities:
            on, off = re.search(_ON, a.replace(d.name.lower(), "")), re.search(_OFF, a.replace(d.name.lower(), ""))
            if bool(on) == bool(off):
                return None
            family = "light" if d.kind == "light" else "switch"
            args: dict[str, JSON] = {"device": dev}
            return [PrefAction(skill=f"{family}_turn_{'on' if on else 'off'}", args=args)]
        return None
    named = next((r for r in n.graph.rooms() if re.search(rf"\b{re.escape(r.name.lower())}\b", a)), None)
    if named is not None and re.search(r"\blights?\b", a):
        rest = a.replace(named.name.lower(), "")
        on, off = re.search(_ON, rest), re.search(_OFF, rest)
        if bool(on) != bool(off):
            return [PrefAction(skill=f"light_turn_{'on' if on else 'off'}", args={"room": named.id})]
    return None
