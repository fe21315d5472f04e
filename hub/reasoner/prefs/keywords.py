"""The keyword reading of a plain-language preference: when the grammar (:mod:`.compile`) does not know a
clause's wording, its situation or condition is read from the words that carry it (a person's name and
'back', 'driveway', 'alarm', a time, 'colder than 3', 'weekend'...), with the home's own names.

Only what is unambiguous is read: a clause with words for two different situations, or none, is not understood.
Whatever is read this way is still read back to the owner, who must confirm it before it applies."""

from __future__ import annotations

import re
from typing import Any

from fusehub.preferences.schema import WEEKDAYS, DeviceCondition, Situation
from fusehub.reasoner.prefs.lexicon import NUM, SOMEONE, TIME, Names, days_of, finishing, num, time_of

__all__ = ["condition_by_keywords", "recipients_by_keywords", "situation_by_keywords"]

_BELOW = r"(?:below|under|colder than|less than|lower than|drops?|falls?|dips?|beneath)"
_ABOVE = r"(?:above|over|warmer than|more than|higher than|rises?|climbs?|exceeds?|hotter than)"
_DARK = (r"\b(?:dark|night|dusk|sundown|sunset|evening|nightfall)\b|"
         r"sun (?:is |has )?(?:set|going down|gone down|goes down|down)")
_LIGHT = (r"\b(?:light|daylight|dawn|daybreak|sunrise|morning|bright|daytime|sunny)\b|"
          r"sun (?:is |has )?(?:rise|rising|up|comes up|come up)")
_ARRIVE = r"\b(?:arriv\w*|home|back|gets? in|comes? in|returns?|walks? in)\b"
_LEAVE = r"\b(?:leav\w*|left|goes? out|heads? out|gone|departs?|sets? off)\b"


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
    if re.search(r"\bdoor ?bell\b|\bbell rings\b|\bat the (?:front )?door\b|\bknocks?\b", t):
        found.append(Situation(situation="doorbell"))
    if (at := _clock(t)) and re.search(r"\b(?:before|ahead of)\b", t) and who:
        lead = re.search(rf"({NUM}) (?:minutes?|mins?)", t)
        found.append(Situation(situation="departure", person=who[:1], at=at,
                               lead_min=num(lead.group(1)) if lead else 0))
    elif at is not None and not who and not found:
        found.append(Situation(situation="schedule", at=at))
    if (m := re.search(rf"({NUM}) (?:minutes?|mins?)", t)) and who and re.search(
            r"\b(?:away|out|from|of home|close|near|off)\b", t) and not re.search(r"\bbefore\b", t):
        found.append(Situation(situation="arriving", person=who, within_min=num(m.group(1))))
    if re.search(r"\b(?:temperature|degrees?|freez\w*|colder|warmer|frost)\b", t):
        value = 0.0 if re.search(r"\bfreez\w*|\bfrost\b", t) else _number(t)
        if (value is not None and re.search(_BELOW, t)) or re.search(r"\bfreez\w*|\bfrost\b", t):
            found.append(Situation(situation="outside_temperature", below=value))
        elif value is not None and re.search(_ABOVE, t):
            found.append(Situation(situation="outside_temperature", above=value))
    if not found and (dev := _device(t, n)) is not None:
        value = _number(t.replace(dev, ""))
        if re.search(r"\b(?:finish\w*|done|stops?|stopped|complet\w*|ends?|ended)\b", t):
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
    if times and (m := re.search(rf"\b(?:before|not yet|earlier than|until|till) ({TIME})", c)):
        cond["before"] = time_of(m.group(1))
        return True
    weekdays_named = re.search(r"\b(?:mon|tues|wednes|thurs|fri)day", c)
    if re.search(r"\b(?:weekends?|saturdays?|sundays?)\b", c) and not weekdays_named:
        cond["weekdays"] = days_of(c) if re.search(r"(?:satur|sun)days?", c) and "weekend" not in c else list(
            WEEKDAYS[5:])
        return True
    if re.search(r"\b(?:week ?days?|workdays?|working days|(?:the|a) week|monday to friday|mondays? to fridays?)\b", c):
        cond["weekdays"] = list(WEEKDAYS[:5])
        return True
    people = _people(c, n)
    dev = _device(c, n)
    if dev is not None:
        off = re.search(r"\b(?:off|not on|not lit|dark|out)\b", c)
        if off or re.search(r"\b(?:on|lit|running)\b", c):
            cond.setdefault("devices", []).append(DeviceCondition(device=dev, attribute="on", equals=not off))
            return True
    if re.search(r"\b(?:degrees?|temperature|freez\w*|cold|warm)\b", c):
        value = 0.0 if re.search(r"\bfreez\w*", c) else _number(c)
        if (value is not None and re.search(_BELOW, c)) or re.search(r"\bfreez\w*", c):
            cond["outside_below"] = value
            return True
        if value is not None and re.search(_ABOVE, c):
            cond["outside_above"] = value
            return True
        return False
    if re.search(r"\b(?:nobody|no one|no-one|empty)\b", c):
        cond["anyone_home"] = False
        return True
    if re.search(rf"\b{SOMEONE}\b", c) and re.search(r"\b(?:home|in|house|here)\b", c):
        cond["anyone_home"] = True
        return True
    if len(people) == 1:
        if re.search(r"\b(?:not|away|out|gone)\b", c):
            cond.setdefault("away", []).append(people[0])
            return True
        if re.search(r"\b(?:home|in|house|here|back)\b", c):
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
