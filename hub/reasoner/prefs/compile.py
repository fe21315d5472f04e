"""Plain-language preferences: "when the washing machine finishes, tell whoever is home" compiled into the home
file's structure (:class:`~fusehub.preferences.schema.Preference`), deterministically.

A sentence is a situation (the trigger), conditions, and actions, in either order ("when X [and C], do A" or
"do A when X [and C]"; "at 7 on weekdays, do A"). Situations and conditions come from a small grammar over the
home's own names (people, devices, rooms); actions are messages (tell / notify / announce, with the routing of
convention 10) or anything the hub's local intent matcher understands as a request ("turn on the porch light"),
so what a preference does is exactly what the same words would do when said. Anything not understood makes the
whole sentence fail with the part it could not read: a preference is never half-compiled.

Compiling changes nothing: the runtime reads the result back and holds it until an owner confirms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON
from fusehub.preferences.schema import WEEKDAYS, Conditions, DeviceCondition, PrefAction, Preference, Situation
from fusehub.reasoner.pipeline import MatcherLike
from fusehub.reasoner.prefs.keywords import (
    action_by_keywords,
    condition_by_keywords,
    recipients_by_keywords,
    situation_by_keywords,
)
from fusehub.reasoner.prefs.lexicon import (
    DAYS,
    LEAD,
    NUM,
    TIME,
    VERB,
    Names,
    days_of,
    finishing,
    normalise,
    num,
    time_of,
)
from fusehub.reasoner.prefs.words import default_message, readback

__all__ = ["Compiled", "compile_preference", "looks_like_preference"]


@dataclass(frozen=True)
class Compiled:
    """A compiled preference and its readback, or why the sentence could not be compiled."""

    preference: Preference | None
    readback: str | None = None
    problem: str | None = None


def _trigger(t: str, n: Names) -> Situation:
    """The situation a clause names."""
    w, w2 = n.who, n.who2
    days: list[str] = []
    m = re.fullmatch(rf"(.+?),? (?:on |every |at )?(?P<days>{DAYS})", t)
    if m and not re.search(r"(arrives|leaves)$", m.group(1)):
        t, days = m.group(1), days_of(m.group("days"))
    rules: list[tuple[str, Any]] = [
        (rf"(?:every |each )?(?:(?:day|morning|evening|night) )?(?:at )?(?P<at>{TIME})(?: every day)?",
         lambda m: Situation(situation="schedule", at=time_of(m["at"]))),
        (rf"(?:(?P<lead>{NUM}) (?:minutes?|mins?) )?before {w}(?: (?:leave|leaves|leaving|head|heads) out| "
         rf"(?:leave|leaves|go|goes|head|heads|drives?|sets?) (?:out|to work|for work|off)?| (?:has|have|must) "
         rf"to leave)? ?(?:at|by) (?P<at>{TIME})",
         lambda m: Situation(situation="departure", person=n.persons(m["who"]), at=time_of(m["at"]),
                             lead_min=num(m["lead"]) if m["lead"] else 0)),
        (rf"{w}(?:'s| is| are|'re)? (?:(?:about|around|roughly|only|less than|under|within) )?(?P<n>{NUM}) "
         rf"(?:minutes?|mins?)? ?(?:away|from home|out|of home|from the house|from getting home)",
         lambda m: Situation(situation="arriving", person=n.persons(m["who"]), within_min=num(m["n"]))),
        (rf"{w}(?:'s| is| are)? (?:almost|nearly|about to (?:get|be)) home",
         lambda m: Situation(situation="arriving", person=n.persons(m["who"]), within_min=5)),
        (r"(?:the )?first (?:person|one|of us|one of us)(?: to)? (?:gets?|comes?|arrives?)(?: back)? home"
         r"|(?:someone|somebody) (?:gets|comes|arrives) (?:back )?(?:home )?to an empty (?:house|home)",
         lambda m: Situation(situation="first_arrived")),
        (r"(?:everyone|everybody|we all|all of us|the (?:whole )?family|the last (?:person|one)(?: of us)?) "
         r"(?:has |have )?(?:leaves?|left|"
         r"goes? out|is gone|are gone)(?: home| the house)?|(?:the house|the home|home) (?:is|becomes|gets) "
         r"empty|(?:nobody|no one|no-one) is (?:left )?(?:at )?home(?: anymore)?",
         lambda m: Situation(situation="everyone_left")),
        (rf"{w}(?:'s)? car (?:pulls|drives|turns|gets|comes|arrives|is) (?:in|into|onto|on|at|to) the "
         rf"(?:driveway|drive)|{w2} (?:pulls|drives) (?:in|into) the (?:driveway|drive)",
         lambda m: Situation(situation="car_home", person=n.persons(m["who"] or m["who2"]))),
        (r"the car (?:pulls|drives|turns|gets|comes|arrives|is) (?:in|into|onto|on|at|to) the (?:driveway|drive)",
         lambda m: Situation(situation="car_home")),
        (rf"{w} (?:arrives?(?: (?:back )?home)?|gets? (?:back )?home|gets? in|comes? (?:back )?home|is home|gets back|"
         rf"returns?(?: home)?|walks in(?: the door)?|comes? in)",
         lambda m: Situation(situation="arrived", person=n.persons(m["who"]))),
        (rf"{w} (?:leaves?|goes? out|heads? out|leaves? (?:home|the house)|walks? out|departs?)",
         lambda m: Situation(situation="left", person=n.persons(m["who"]))),
        (rf"(?:{w}(?:'s)? alarm (?:goes off|rings|sounds)|{w2} wakes? up)",
         lambda m: Situation(situation="wake_up", person=n.persons(m["who"] or m["who2"]))),
        (r"(?:the |an |my )?alarm (?:clock )?(?:goes off|rings|sounds)",
         lambda m: Situation(situation="wake_up", person=[n.proposer] if "my" in m.group(0) and n.proposer
                             else [])),
        (r"(?:someone|somebody|anyone|a (?:guest|visitor|caller)) rings|"
         r"(?:someone|somebody|anyone) (?:rings|presses|pushes) the (?:door ?bell|bell)|the (?:door ?bell|bell) "
         r"(?:rings|is (?:rung|pressed|pushed)|goes)|(?:there is )?someone (?:is )?at the (?:front )?door",
         lambda m: Situation(situation="doorbell")),
        (r"(?:the sun (?:sets|goes down|is setting|is going down)|(?:it )?(?:gets|is getting|becomes|goes) dark"
         r"(?: outside)?|(?:at |it is )?(?:sunset|dusk|nightfall|sundown)|(?:night|dusk|darkness) (?:falls|comes))",
         lambda m: Situation(situation="sunset")),
        (r"(?:the sun (?:rises|comes up|is rising|is coming up)|(?:it )?(?:gets|is getting|becomes) light"
         r"(?: outside)?|(?:at |it is )?(?:sunrise|dawn|daybreak)|(?:dawn|day) breaks)",
         lambda m: Situation(situation="sunrise")),
        (rf"(?:it|the (?:outside |outdoor )?temperature(?: outside)?) (?:gets|drops|falls|goes|dips) (?:below|under) "
         rf"(?P<n>-?{NUM})(?: degrees)?(?: outside)?",
         lambda m: Situation(situation="outside_temperature", below=num(m["n"]))),
        (rf"(?:it|the (?:outside |outdoor )?temperature(?: outside)?) (?:gets|rises|climbs|goes) (?:above|over) "
         rf"(?P<n>-?{NUM})(?: degrees)?(?: outside)?",
         lambda m: Situation(situation="outside_temperature", above=num(m["n"]))),
        (r"it (?:starts|begins) (?:freezing|to freeze) outside|it (?:gets|goes) below freezing(?: outside)?",
         lambda m: Situation(situation="outside_temperature", below=0)),
        (r"(?P<dev>.+?) (?:finishes|is (?:done|finished|complete)|has finished|completes|ends|stops)(?: its "
         r"(?:cycle|program|run|job))?",
         lambda m: finishing(n, n.device(m["dev"]))),
        (rf"(?P<dev>.+?) (?:goes|rises|climbs|gets|reads|is) (?:above|over|higher than) (?P<n>-?{NUM})"
         r"(?: ?(?:degrees|%|percent|ppm|w|watts))?",
         lambda m: Situation(situation="sensor", device=n.device(m["dev"]), above=num(m["n"]))),
        (rf"(?P<dev>.+?) (?:goes|drops|falls|gets|reads|is) (?:below|under|lower than) (?P<n>-?{NUM})"
         r"(?: ?(?:degrees|%|percent|ppm|w|watts))?",
         lambda m: Situation(situation="sensor", device=n.device(m["dev"]), below=num(m["n"]))),
    ]
    for rx, make in rules:
        m = re.fullmatch(rx, t)
        if m is not None:
            s: Situation = make(m)
            return s.model_copy(update={"weekdays": days}) if days else s
    found = situation_by_keywords(t, n) if n.loose else None
    if found is not None:
        return found.model_copy(update={"weekdays": days}) if days else found
    raise ValueError(f"I do not know the situation {t!r}")


_COND_TAIL = [  # conditions that may follow a trigger without a conjunction
    rf" (?:on |every |at |during )?(?P<days>{DAYS})$",
    rf" between (?P<a>{TIME}) (?:and|to) (?P<b>{TIME})$",
    rf" (?P<ab>after|before) (?P<t>{TIME})$",
    r" (?P<dark>after dark|at night|in the dark|while it is dark|during the night)$",
    r" (?P<light>during the day|in daylight|in the daytime|while it is light)$",
]


_OUTSIDE_IS = r"(?:it is |the (?:outside )?temperature is |outside(?: it)? is )?"
_OUTSIDE = r"(?: degrees)?(?: outside| out| outdoors)?"


def _condition(c: str, n: Names, cond: dict[str, Any]) -> None:
    """Add one condition clause to `cond` (Conditions' fields)."""
    c = re.sub(r"^(?:only |but only |and only )?(?:if|when|while|provided|as long as) ", "", c.strip())
    c = re.sub(r" only$", "", c)
    c = re.sub(r"\b(?:already|still|currently|right now) ?", "", c).strip()
    if m := re.fullmatch(rf"(?:it is )?(?:on |every |only on |at |during )?(?P<days>{DAYS})", c):
        cond["weekdays"] = days_of(m["days"])
    elif re.fullmatch(r"(?:it is )?(?:during|in) the (?:working )?week", c):
        cond["weekdays"] = list(WEEKDAYS[:5])
    elif m := re.fullmatch(rf"(?:it is )?between (?P<a>{TIME}) (?:and|to) (?P<b>{TIME})", c):
        cond["after"], cond["before"] = time_of(m["a"]), time_of(m["b"])
    elif m := re.fullmatch(rf"(?:it is )?(?P<ab>after|before|later than|earlier than) (?P<t>{TIME})", c):
        cond["after" if m["ab"] in ("after", "later than") else "before"] = time_of(m["t"])
    elif re.fullmatch(r"(?:it is )?(?:dark(?: outside| out)?|after dark|night(?:time)?|at night|the sun is down|"
                      r"the sun has (?:set|gone down))", c):
        cond["daylight"] = False
    elif re.fullmatch(r"(?:it is )?(?:light(?: outside| out)?|daytime|during the day|the sun is up|daylight)", c):
        cond["daylight"] = True
    elif m := re.fullmatch(rf"{_OUTSIDE_IS}(?:below|under|colder than|less than) (?P<n>-?{NUM}){_OUTSIDE}", c):
        cond["outside_below"] = num(m["n"])
    elif m := re.fullmatch(rf"{_OUTSIDE_IS}(?:above|over|warmer than|more than) (?P<n>-?{NUM}){_OUTSIDE}", c):
        cond["outside_above"] = num(m["n"])
    elif re.fullmatch(r"(?:it is )?freezing(?: outside)?", c):
        cond["outside_below"] = 0.0
    elif re.fullmatch(r"(?:someone|somebody|anyone|anybody) is (?:at )?home|the house is(?: not)? occupied", c):
        cond["anyone_home"] = "not" not in c
    elif re.fullmatch(r"(?:nobody|no one|no-one) is (?:at )?home|(?:the house|home) is empty", c):
        cond["anyone_home"] = False
    elif m := re.fullmatch(rf"{n.who} (?:is|are) (?:at home|home|in|back|here|inside|in the house|around)", c):
        people = n.persons(m["who"])
        if people:
            cond.setdefault("home", []).extend(people)
        else:  # 'anyone is in'
            cond["anyone_home"] = True
    elif m := re.fullmatch(rf"{n.who} (?:(?:is|are) (?:away|out|not (?:at )?home|not in|gone)|(?:has|have) "
                           r"(?:gone out|left))", c):
        people = n.persons(m["who"])
        if not people:
            raise ValueError(f"who must be away in {c!r}?")
        cond.setdefault("away", []).extend(people)
    elif m := re.fullmatch(rf"it is {n.who}", c):
        cond["who"] = n.persons(m["who"])
    elif m := re.fullmatch(rf"(?:they are|{n.who} (?:is|are)) (?:less than|under|within) (?P<n>{NUM}) "
                           r"(?:minutes?|mins?)(?: away| from home)?", c):
        cond["eta_below"] = num(m["n"])
    elif m := re.fullmatch(r"(?P<dev>.+?) is (?P<neg>not )?(?:switched |turned )?(?P<v>on|off|open|closed|locked|"
                           r"unlocked|lit)", c):
        dev = n.device(m["dev"])
        attr, value = {"on": ("on", True), "lit": ("on", True), "off": ("on", False), "locked": ("locked", True),
                       "unlocked": ("locked", False)}.get(m["v"], ("position", None))
        if attr == "position":
            dc = DeviceCondition(device=dev, attribute="position", above=0) if (m["v"] == "open") != bool(
                m["neg"]) else DeviceCondition(device=dev, attribute="position", equals=0)
        else:  # a two-valued state: 'is not on' is 'is off'
            dc = DeviceCondition(device=dev, attribute=attr, equals=(not value) if m["neg"] else value)
        cond.setdefault("devices", []).append(dc)
    elif not (n.loose and condition_by_keywords(c, n, cond)):
        raise ValueError(f"I do not know the condition {c!r}")


def _tail_conditions(t: str, n: Names, cond: dict[str, Any]) -> str:
    changed = True
    while changed:
        changed = False
        for rx in _COND_TAIL:
            m = re.search(rx, t)
            if m is not None and m.start() > 0:
                _condition(m.group(0).strip(), n, cond)
                t, changed = t[:m.start()], True
    return t


_SPLIT_COND = (r",? (?:(?:and |but )?(?:also )?(?:only )?(?:if|when|while|provided(?: that)?|providing|as long as|"
               r"so long as|assuming|on condition that)|and also|and|but) (?=.)")
"""What joins a situation and its conditions: 'and', 'but only if', 'and only when', 'while', ..."""


def _situation_and_conditions(text: str, n: Names) -> tuple[Situation, Conditions]:
    text = re.sub(rf"between ({TIME}) and ({TIME})", r"between \1 to \2", text)
    parts = re.split(_SPLIT_COND, text)
    cond: dict[str, Any] = {}
    when: Situation | None = None
    for part in parts:
        part = part.strip(" ,")
        if when is None:  # the situation comes first; a clause is never moved to make a reading fit
            when = _trigger(_tail_conditions(part, n, cond), n)
            continue
        try:
            _condition(part, n, cond)
        except ValueError:
            _condition(_tail_conditions(part, n, cond), n, cond)  # 'it is dark on weekends'

    if when is None:
        raise ValueError(f"I do not know the situation {text!r}")
    if when.situation in ("schedule", "departure") and "weekdays" in cond and not when.weekdays:
        when = when.model_copy(update={"weekdays": cond.pop("weekdays")})  # the days it happens on
    return when, Conditions(**cond)


_RECIPIENT = {"whoever is home": "home", "whoever's home": "home", "whoever is at home": "home",
              "everyone at home": "home", "everybody at home": "home", "everyone home": "home",
              "everyone who is home": "home", "anyone who is home": "home", "anyone home": "home",
              "the people at home": "home", "whoever is in": "home", "everyone": "everyone",
              "everybody": "everyone", "all of us": "everyone", "the whole family": "everyone",
              "the family": "everyone", "the owners": "owners", "the household": "home", "the house": "home",
              "everyone in the house": "home", "everybody in the house": "home", "them": "person", "him": "person",
              "her": "person", "the person": "person"}


def _recipients(text: str, n: Names) -> list[str]:
    text = text.strip()
    if text in _RECIPIENT:
        return [_RECIPIENT[text]]
    try:
        return n.persons(text)
    except ValueError:
        found = recipients_by_keywords(text, n) if n.loose else None
        if found is None:
            raise
        return found


_NOTIFY = (r"(?:notify|alert|ping|text|message) (?P<to>.+?)(?:(?:,? (?:that|saying) |: ?)(?P<msg>.+))?"
           r"(?: on (?:my|their|his|her|the) phones?)?")
_SEND = (r"send (?P<to>.+?) an? (?:push )?(?:notification|message|text|note|alert)(?:(?:,? (?:saying|that) |: ?)"
         r"(?P<msg>.+))?")


_ANNOUNCE_IN = r"(?:announce|say) (?:in|on) the (?P<room>.+?)(?: speakers?)?(?: that|:|,) (?P<msg>.+)"
_ANNOUNCE = r"(?:announce|say)(?: that|:)? (?P<msg>.+?)(?: (?:in|on) the (?P<room>.+?)(?: speakers?)?)?"


def _message_action(a: str, n: Names, when: Situation) -> list[PrefAction] | None:
    default = default_message(when, n.graph)
    if m := re.fullmatch(r"(?:tell|let) (?P<to>.+?)(?: know)?(?:(?:,? that |: ?|, )(?P<msg>.+))?", a):
        kind = "tell"
    elif (m := re.fullmatch(_NOTIFY, a)) or (m := re.fullmatch(_SEND, a)):
        kind = "notify"
    elif m := re.fullmatch(r"remind (?P<to>.+?) to (?P<msg>.+)", a):
        return [PrefAction(notify=f"Reminder: {m['msg']}", to=t) for t in _recipients(m["to"], n)]
    elif (m := re.fullmatch(_ANNOUNCE_IN, a)) or (m := re.fullmatch(_ANNOUNCE, a)):
        room = None
        if m["room"]:
            room = n.graph.resolve_room(m["room"])
            if room is None:
                raise ValueError(f"there is no room {m['room']!r}")
        msg = m["msg"].strip("\"' ")
        return [PrefAction(announce=msg[0].upper() + msg[1:], room=room)]
    else:
        return None
    msg = (m["msg"] or default).strip("\"' ")
    msg = msg[0].upper() + msg[1:] if msg else default
    return [PrefAction(**{kind: msg}, to=t) for t in _recipients(m["to"], n)]  # type: ignore[arg-type]


_ACTION_SYNONYMS = [  # other words for the same request, before the local intent matcher reads it
    (r"^(?:switch|power|put) (on|off) ", r"turn \1 "),
    (r"^(?:turn|switch|put|power) (the .+?) (on|off)$", r"turn \2 \1"),
    (r"^(?:turn|switch|put) (the lights|all the lights|the .+? lights?) (on|off) (in|on) (.+)$", r"turn \2 \1 \3 \4"),
    (r"^(?:turn|switch) (on|off) (?:the )?(.+?) lights$", r"turn \1 the lights in the \2"),
    (r"^(?:set|put|turn|change) (the .+?) (?:to|on|at) (-?\d+(?:\.\d+)?)(?: degrees)?$", r"set \1 to \2"),
    (r"^light up (?:the )?(.+)$", r"turn on the lights in the \1"),
    (r"^light (the .+)$", r"turn on \1"),
    (r"^(?:kill|cut) ", "turn off "),
    (r"^(?:fire up|power up|start up) ", "turn on "),
    (r"^(?:change|adjust|bring|make) (the .+?) (?:to |up to |down to )?(-?\d+(?:\.\d+)?)(?: degrees)?$",
     r"set \1 to \2"),
    (r"^(?:shut|lower|draw|pull down|bring down|roll down|let down) ", "close "),
    (r"^(?:raise|pull up|open up|roll up|lift) ", "open "),
]


def _canonical_action(a: str, n: Names) -> str:
    for rx, to in _ACTION_SYNONYMS:
        a = re.sub(rx, to, a)
    if m := re.fullmatch(r"(?:start|run) (?:the )?(?P<d>.+)", a):  # start the fan: an on/off device
        try:
            dev = n.device(m["d"])
        except ValueError:
            return a
        if "on_off" in n.graph.device(dev).capabilities and "vacuum" not in n.graph.device(dev).capabilities:
            return f"turn on the {m['d']}"
    return a


def _skill_action(a: str, n: Names, when: Situation, matcher: MatcherLike | None) -> list[PrefAction]:
    car = n.graph.person(n.proposer).car if n.proposer and n.graph.has_person(n.proposer) else None
    if m := re.fullmatch(r"(?:warm|preheat|heat|precondition|pre-condition)(?: up)? (?:the|my|(?P<their>her|his|"
                         rf"their)|(?P<who>\w+)'s) car(?: up)?(?: to (?P<t>{NUM})(?: degrees)?)?", a):
        if m["their"]:
            if len(when.person) != 1:
                raise ValueError(f"whose car is {m['their']!r} car?")
            car = n.graph.person(when.person[0]).car
        elif m["who"]:
            pid = n.persons(m["who"])[0]
            car = n.graph.person(pid).car
        if car is None:
            raise ValueError("which car?")
        args: dict[str, JSON] = {"car": car}
        if m["t"]:
            args["temperature"] = num(m["t"])
        return [PrefAction(skill="car_precondition", args=args)]
    if re.fullmatch(r"(?:start|run) (?:the )?(?:robot )?(?:vacuum|hoover)(?: cleaner)?|vacuum(?: the (?:house|home))?",
                    a):
        return [PrefAction(skill="vacuum_start")]
    if m := re.fullmatch(r"(?:activate|start|turn on|run|set) (?:the )?(?P<s>.+?)(?: scene)?", a):
        scene = n.graph.resolve_scene(m["s"])
        if scene is not None and ("scene" in a or n.graph.resolve_room(m["s"]) is None):
            return [PrefAction(skill="scene_activate", args={"scene": scene})]
    a = _canonical_action(a, n)
    hit = matcher.match(a, n.graph, None) if matcher is not None else None
    plan = getattr(hit, "plan", None)
    if (plan is None or not plan.calls or plan.cannot) and n.loose and (
            read := action_by_keywords(a, n, when)) is not None:
        return read
    if plan is None or not plan.calls or plan.cannot:
        why = plan.cannot if plan is not None and plan.cannot else "I do not know how"
        raise ValueError(f"{a!r}: {why}")
    return [PrefAction(skill=c.skill, args=c.args) for c in plan.calls]


def _actions(text: str, n: Names, when: Situation, matcher: MatcherLike | None) -> list[PrefAction]:
    chunks = [c.strip(" ,") for c in re.split(r",? (?:and then|and also|and|then|also)\b ?|, ", text) if c.strip(" ,")]
    out: list[PrefAction] = []
    i = 0
    while i < len(chunks):
        c = re.sub(r"^(?:please |then |also )", "", chunks[i])
        if re.match(r"(?:tell|let|notify|alert|text|message|send|announce|say|remind)\b", c) and re.search(
                r"\b(?:that|saying|to)\b|:", c):
            c = ", ".join([c, *chunks[i + 1:]]) if i + 1 < len(chunks) and not re.match(VERB, chunks[i + 1]) \
                else c
            if c != chunks[i]:
                i = len(chunks)
        msg = _message_action(c, n, when)
        if msg is None and n.loose and re.match(r"(?:inform|warn|make an announcement|remind)\b", c):
            msg = action_by_keywords(c, n, when)
        out += msg if msg is not None else _skill_action(c, n, when, matcher)
        i += 1
    if not out:
        raise ValueError("no action")
    return out


_ASK = (r"(?:,|;| -)? (?:but |and )?(?:(?:only )?after asking (?:me|us|an owner)(?: first)?|"
        r"ask (?:me|us|an owner)(?: first| before(?: doing (?:it|so|that)| you do (?:it|so|that)| acting)?)?|"
        r"check with (?:me|us)(?: first)?|(?:only )?suggest it|ask first)")
"""How an owner asks for a suggestion instead of an action (autonomy suggest)."""


def looks_like_preference(text: str) -> bool:
    """A sentence that states a standing wish (a situation and what to do), not a request for now."""
    t = normalise(text)
    return bool(re.match(rf"(?:{LEAD}|(?:{NUM} (?:minutes?|mins?) )?before) .+(?:,| then | {VERB}\b)", t)
                or re.search(
        rf"^{VERB}\b.+ (?:{LEAD}) .+", t) or re.match(
        rf"(?:every (?:day|morning|evening|night|weekday)s?|on {DAYS}|at {TIME}(?: (?:on|every) {DAYS})?),? "
        rf"{VERB}\b", t))


def compile_preference(text: str, graph: ContextGraph, matcher: MatcherLike | None, *,
                       proposer: str | None = None, pref_id: str = "said") -> Compiled:
    """Compile one sentence; `proposer` is the person saying it ('me', 'my car')."""
    t = normalise(text)
    autonomy = "suggest" if re.search(_ASK, t) else "act"
    t = re.sub(_ASK, "", t)
    n = Names(graph, proposer)
    lead: list[tuple[str, str]] = []  # "when X[, if C], do A"
    if m := re.match(rf"(?:{LEAD} )?(?P<rest>.+)", t):
        rest = m["rest"]
        cuts = [x.start() for x in re.finditer(r", (?:then )?| then ", rest)]
        cuts += [x.start() for x in re.finditer(rf" {VERB}\b", rest)]
        for cut in sorted(set(cuts)):
            head, tail = rest[:cut], re.sub(r"^(?:, )?(?:then )?", "", rest[cut:].strip())
            lead.append((head, tail))
    trailing = [(t[x.end():].strip(), t[:x.start()])  # "do A when X[ and C]"
                for x in re.finditer(rf" (?:{LEAD}|(?=at {TIME})|(?=every (?:day|weekday|morning|evening))|"
                                     rf"(?=on {DAYS}))", t)]
    starts_with_situation = re.match(rf"(?:{LEAD}|at {TIME}|every |each |on {DAYS}|{NUM} (?:minutes?|mins?) )", t)
    attempts = lead + trailing if starts_with_situation else trailing + lead
    problem, understood_when = "I could not tell the situation from what to do", False
    for loose in (False, True):  # the grammar first; words it does not know are read by keywords only after
        n.loose = loose
        for head, tail in attempts:
            try:
                when, cond = _situation_and_conditions(head.strip(" ,"), n)
            except ValueError as e:
                if not understood_when and loose:
                    problem = str(e)
                continue
            try:
                then = _actions(tail, n, when, matcher)
                pref = Preference.model_validate({"id": pref_id, "description": text.strip()[:300], "when": when,
                                                  "if": cond, "then": then, "autonomy": autonomy})
            except ValueError as e:
                if not understood_when:  # the first reading whose situation made sense says what went wrong
                    problem, understood_when = str(e).splitlines()[0], True
                continue
            return Compiled(pref, readback(pref, graph))
    return Compiled(None, problem=problem)
