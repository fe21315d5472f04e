"""The words preferences are made of: numbers, times, days, the home's names (people, devices), and what
'finishes' means for a device. Shared by the grammar (:mod:`.compile`) and the keyword reading (:mod:`.keywords`)."""

from __future__ import annotations

import re

from fusehub.context.graph import ContextGraph
from fusehub.preferences.schema import WEEKDAYS, Situation

__all__ = ["DAY", "DAYS", "FINISHED", "LEAD", "NUM", "NUM_WORDS", "SOMEONE", "TIME", "VERB", "Names", "days_of",
           "finishing", "normalise", "num", "time_of"]

LEAD = r"(?:whenever|when|if|once|as soon as|every time|each time|anytime|any time)\b"
VERB = (r"(?:turn|switch|set|tell|let|notify|alert|ping|text|message|send|announce|say|lock|unlock|close|open|"
         r"start|stop|warm|heat|cool|precondition|preheat|activate|play|pause|dim|brighten|remind|put|run|dock|shut|"
         r"raise|lower|draw|ping|power|water|feed|make|brew|boil|unplug|change|adjust|light|kill|cut|fire|bring|lift|"
         r"pull|roll|inform|warn|make|get|draw|bring|message)")
NUM_WORDS = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"))} | {
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "twenty-five": 25,
    "a quarter of an hour": 15, "half an hour": 30, "an hour": 60, "a few": 5}
NUM = r"(?:\d+(?:\.\d+)?|twenty-five|forty-five|a quarter of an hour|half an hour|an hour|a few|" + "|".join(
    sorted(NUM_WORDS, key=len, reverse=True)) + r")"
TIME = r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?|noon|midnight)"
DAY = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
DAYS = r"(?:(?:a |the )?weekdays?|workdays?|working days|(?:the )?weekends?|(?:(?:every |on )?(?:monday|tuesday|" \
        r"wednesday|thursday|friday|saturday|sunday)s?(?:\+|,? (?:and |or )?)?)+)"
SOMEONE = r"(?:someone|somebody|anyone|anybody|a person|one of us)"


def num(s: str) -> float:
    s = s.strip()
    return float(NUM_WORDS[s]) if s in NUM_WORDS else float(s)


def time_of(s: str) -> str:
    s = s.strip().replace("a.m.", "am").replace("p.m.", "pm")
    if s == "noon":
        return "12:00"
    if s == "midnight":
        return "00:00"
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", s)
    if m is None:
        raise ValueError(f"a time I cannot read: {s!r}")
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) == "pm" and h < 12:
        h += 12
    if m.group(3) == "am" and h == 12:
        h = 0
    if h > 23 or mi > 59:
        raise ValueError(f"no such time: {s!r}")
    return f"{h:02d}:{mi:02d}"


def days_of(s: str) -> list[str]:
    if re.search(r"week ?days?|workdays?|working days", s):
        return list(WEEKDAYS[:5])
    if "weekend" in s:
        return list(WEEKDAYS[5:])
    return [WEEKDAYS[i] for d, i in DAY.items() if d in s]


def normalise(text: str) -> str:
    t = text.strip().lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\s+", " ", t).rstrip(".!")
    t = re.sub(r"\b(\d+)\s*(?:°\s*c?|degrees?(?: celsius| c)?)", r"\1 degrees", t)
    t = re.sub(r"\bit's\b", "it is", t)
    t = re.sub(r"\b(we|you|they|i)'ve\b", r"\1 have", t)
    t = re.sub(r"\b(sun|time|house|home)'s\b", r"\1 is", t)
    t = re.sub(r"\b(is|are|was|does|do|has|have)n't\b", r"\1 not", t)
    t = re.sub(r"\b(nobody|no-one|no one|someone|somebody|anyone|anybody|everyone|everybody)'s\b", r"\1 is", t)
    t = re.sub(r"\b(\w+)'s (?=(?:(?:not )?(?:at )?home|away|out|in|back|here|not)\b(?! the\b))", r"\1 is ", t)
    t = re.sub(r"\b((?:mon|tues|wednes|thurs|fri|satur|sun)days?),? (?:and|or) (?=(?:mon|tues|wednes|thurs|fri|satur|"
               r"sun)day)", r"\1+", t)  # a list of days is one condition
    t = re.sub(r"\b(?:is|has) (?:gone|got) (?=below|under|above|over|down|up|colder|warmer)", "goes ", t)
    return re.sub(rf"\b(?:please|automatically|always),? (?={VERB}\b)", "", t)  # not inside a message


class Names:
    """The home's names as regular expressions: people (with 'me' for the speaker), devices."""

    def __init__(self, graph: ContextGraph, proposer: str | None) -> None:
        self.graph = graph
        self.proposer = proposer
        self.loose = False
        """Read words the grammar does not know by their keywords (:mod:`.keywords`)."""
        self.people: dict[str, str] = {}
        for p in graph.people():
            for n in (p.name, *p.aliases, p.id):
                self.people[n.lower()] = p.id
        self.devices: dict[str, str] = {}
        for d in graph.devices():
            for n in (d.name, *d.aliases):
                self.devices.setdefault(n.lower(), d.id)
        alt = "|".join(re.escape(n) for n in sorted(self.people, key=len, reverse=True))
        one = rf"(?:{alt}|me|i|my|{SOMEONE})" if alt else rf"(?:me|i|my|{SOMEONE})"
        self.who = rf"(?P<who>{one}(?:(?:,| or| and|, or) {one})*)"
        self.who2 = self.who.replace("?P<who>", "?P<who2>")

    def persons(self, text: str) -> list[str]:
        """Person ids in a `who` group; [] for someone."""
        out: list[str] = []
        for part in re.split(r",? (?:or|and) |, ", text):
            part = part.strip().removesuffix("'s")
            if re.fullmatch(SOMEONE, part):
                continue
            pid = self.proposer if part in ("me", "i", "my") else self.people.get(part)
            if pid is None:
                raise ValueError(f"who is {part!r}?" if part not in ("me", "i", "my")
                                 else "I do not know who is speaking")
            out.append(pid)
        return out

    def device(self, text: str) -> str:
        t = re.sub(r"^(?:the|my|our) ", "", text.strip())
        if t in self.devices:
            return self.devices[t]
        for n in sorted(self.devices, key=len, reverse=True):  # 'the washing machine in the utility room'
            if re.search(rf"\b{re.escape(n)}\b", t):
                return self.devices[n]
        raise ValueError(f"there is no device called {t!r}")


FINISHED = ("finished", "done", "complete", "completed", "idle", "stopped", "off")


def finishing(names: Names, dev: str) -> Situation:
    """'X finishes': its declared state attribute becomes finished (or done...), else its power drops under
    5 W, else it switches off."""
    d = names.graph.device(dev)
    for attr, decl in sorted(d.attributes.items()):
        opts = decl.get("options")
        if isinstance(opts, list):
            for word in FINISHED:
                if word in opts:
                    return Situation(situation="sensor", device=dev, attribute=attr, equals=word)
    for attr in ("status", "state", "program_state", "cycle"):
        if isinstance(d.state.get(attr), str):
            return Situation(situation="sensor", device=dev, attribute=attr, equals="finished")
    if "power" in d.state or "power" in d.attributes:
        return Situation(situation="sensor", device=dev, attribute="power", below=5)
    return Situation(situation="sensor", device=dev, attribute="on", equals=False)
