"""References resolved from the home model and the context graph, never guessed.

One resolver for the intent path (:func:`hub.reasoner.pipeline.route`) and the planner's grounding
(:func:`hub.reasoner.grounding.grounding_for`). It reads a request for what it points at through people and
rooms and replaces each reference by what it names, so the local templates and the planner read a request about
named people and rooms:

- people through relations, both directions, as people say them: "my daughter", "Ben's mum", "granddad", "the
  kids", "my parents" (:mod:`hub.household`'s words; relative to the speaker, or to a named person; a bare
  "granddad" is the speaker's, else the one person in the home who is anyone's grandfather);
- rooms through their owners: "my room", "Ben's room", "my daughter's room", "the kids' rooms";
- "where Ben is", "the room Ben is in": the room the fusion believes Ben is in;
- "upstairs" / "downstairs" where no floor is called so: the floors above / below the speaker's (or the ground)
  floor; "everyone upstairs": the people believed to be there;
- "the empty rooms": the rooms where nobody is believed to be;
- "here", "in here", "this room": the speaker's room (left in the text, which the templates and comfort read
  with the satellite's room; refused when the speaker's room is not known).

A reference that names several people or rooms gives one request per person or room (``Resolved.texts``); the
pipeline unions their plans. A reference that names nothing known is refused with a sentence that says why
(``Resolved.cannot``), never widened to the whole home or narrowed to the speaker's room. Questions about where
someone is ("tell me where Ben is") keep their "where X is" for the question skills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fusehub.context.graph import ContextGraph
from fusehub.context.views import PersonView
from fusehub.household import RELATION_WORDS, relation_word

__all__ = ["Resolved", "is_message", "resolve_references"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A request with its references replaced, or why one cannot be."""

    text: str
    """The request, each reference replaced by what it names (the first of `texts`)."""
    cannot: str | None = None
    """Set when a reference names nothing the hub knows: the answer, with no call."""
    texts: tuple[str, ...] = ()
    """One request per person or room when a reference names several ("the kids' rooms"); else just `text`."""
    rooms: tuple[str, ...] = ()
    """Room ids the references named (the speaker's room for "here"): what a plan may name for them."""
    people: tuple[str, ...] = field(default=())
    """Person ids the references named."""


class _Refused(Exception):
    pass


_QUESTION = re.compile(r"^\s*(?:tell me|do you know|can you tell me|could you tell me|where|ask|find out|i wonder"
                       r"|any idea)\b", re.IGNORECASE)
_VOCATIVE = frozenset({
    "mum", "mom", "mummy", "mommy", "mama", "dad", "daddy", "papa", "granddad", "grandad", "grandpa", "grandma",
    "granny", "gran", "nan", "nana", "nanna", "gramps", "oma", "opa", "grandmother", "grandfather", "mother",
    "father",
})
"""Relation words people say bare, as a name ("tell granddad dinner is ready")."""
_ROOM_NOUN = r"(?:bed)?rooms?"
_PLURAL_KIDS = r"(?:kids|children)(?:'s|')?"
_EMPTY = re.compile(r"\b(?:(?P<in>in|on)\s+)?(?:all\s+)?the\s+(?:empty|unoccupied|vacant)\s+rooms?\b", re.IGNORECASE)
_HERE = re.compile(r"\b(?:in\s+here|in\s+this\s+room|this\s+room)\b", re.IGNORECASE)
_MESSAGE = re.compile(
    r"^\s*(?:please\s+)?(?:tell|ask|announce|say|broadcast|let|remind|message|text|notify|ping|write|inform|email|"
    r"(?:call|drop|send|ring)(?!\s+(?:the|a|an|all)\b)|send\s+an?\s+(?:note|message|text|line)\b)\b", re.IGNORECASE)
_FLOOR_WORD = re.compile(r"\b(?P<every>(?:everyone|everybody|anyone|anybody|people)\s+)?(?P<dir>upstairs|downstairs)\b",
                         re.IGNORECASE)
_UNKNOWN_OWNER = re.compile(
    rf"(?:\b(?P<my>my|our)\s+|(?<!\bthe\s)(?<!\ba\s)\b)(?P<who>[^\W\d_]+)(?:'s|s')\s+{_ROOM_NOUN}\b", re.IGNORECASE)
"""Whose room, after the people and relations the home knows were read: someone or something it does not know."""
_WORD_ALT = "|".join(re.escape(w) for w in sorted(RELATION_WORDS, key=len, reverse=True))


_CHAIN = 3
"""Relations read one after the other in one phrase, at most ("my wife's sister's son")."""

_TRIGGERS = frozenset({w for k in RELATION_WORDS for w in k.split()} | {
    "my", "our", "where", "wherever", "room", "rooms", "bedroom", "bedrooms", "here", "upstairs", "downstairs",
    "empty", "unoccupied", "vacant"})
"""Words without which a request holds no reference (nor does one without an apostrophe)."""


def _alt(names: dict[str, PersonView]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _names(people: list[PersonView]) -> dict[str, PersonView]:
    names: dict[str, PersonView] = {}
    for p in people:
        for n in (p.name, *p.aliases, p.id):
            if n and n.strip():
                names.setdefault(n.strip().casefold(), p)
    return names


_NAMES_CACHE: dict[int, tuple[int, list[str]]] = {}


def _own_names(graph: ContextGraph) -> list[str]:
    """Every room's and device's name and alias, lower case (kept per graph while its names do not change)."""
    sig = graph.naming_signature()
    hit = _NAMES_CACHE.get(id(graph))
    if hit is not None and hit[0] == sig:
        return hit[1]
    cands = {n for r in graph.rooms() for n in (r.name, *r.aliases)}
    cands |= {n for d in graph.devices() for n in (d.name, *d.aliases)}
    names = sorted({c.strip().casefold() for c in cands if len(c.strip()) >= 3})
    if len(_NAMES_CACHE) > 64:
        _NAMES_CACHE.clear()
    _NAMES_CACHE[id(graph)] = (sig, names)
    return names


def _protected(text: str, graph: ContextGraph) -> list[tuple[int, int]]:
    """Spans of `text` that are a room's or device's own name or alias ("Kids room light", "Mia's room")."""
    low = text.casefold()
    return [m.span() for c in _own_names(graph) if c in low for m in re.finditer(rf"\b{re.escape(c)}\b", low)]


def _free(span: tuple[int, int], protected: list[tuple[int, int]]) -> bool:
    return not any(a < span[1] and span[0] < b for a, b in protected)


_DELIMITER = re.compile(r"\s(?:that|saying)\s|:|(?<!note)(?<!message)(?<!text)(?<!line)(?<!write)(?<!email)\sto\s",
                        re.IGNORECASE)
"""Where a message's own words begin ("... that", ": ", "ask Ben to ..."; not "send a note to Ben")."""


def is_message(text: str) -> bool:
    """Whether `text` asks to pass a message to someone ("tell Ben ...", "text Anna that ...")."""
    return bool(_MESSAGE.match(text))


def _recipient_end(text: str) -> int:
    """Where a message's recipient ends ("tell granddad | that mum is home"): references after it are the
    message's own words. The whole text for a request that is no message."""
    if not _MESSAGE.match(text):
        return len(text)
    m = _DELIMITER.search(text)
    return m.start() if m is not None else len(text)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class _Resolver:
    def __init__(self, graph: ContextGraph, actor: str | None, room: str | None) -> None:
        self.graph = graph
        self.actor = actor if actor is not None and graph.has_person(actor) else None
        self.room = room if room is not None and graph.has_room(room) else None
        self.people = graph.people()
        self.by_name = _names(self.people)
        self.rooms: list[str] = []
        self.named: list[str] = []

    def name(self, pid: str) -> str:
        return self.graph.person(pid).name

    # ------------------------------------------------------------------ people through relations
    def relatives(self, of: str | None, word: str, whose: str) -> list[str]:
        rw = relation_word(word)
        if rw is None:
            return []
        if of is None:
            if whose == "my":
                raise _Refused(f"I don't know who is speaking, so I can't tell who your {word} is")
            if word in ("kids", "children"):  # "tell the kids ...": the children of the house
                kids = self._kids()
                if not kids:
                    raise _Refused("I don't know of any children in this home")
                return kids
            # a bare word: the speaker's, else the one person in the home it fits
            if self.actor is not None:
                mine = self.graph.relatives(self.actor, rw.relation, rw.gender)
                if len(mine) > 1 and not rw.plural:
                    raise _Refused(f"Which of your {word}s do you mean: {_join([self.name(p) for p in mine])}?")
                if mine:
                    return mine
            holders = {q for p in self.people for q in self.graph.relatives(p.id, rw.relation, rw.gender)}
            anyone = [p.id for p in self.people if p.id in holders]
            if len(anyone) == 1 or (rw.plural and anyone):
                return anyone
            if not anyone:
                raise _Refused(f"I don't know who {word} is in this home")
            raise _Refused(f"I don't know which {word} you mean: "
                           f"{_join([self.name(p) for p in anyone])}")
        found = self.graph.relatives(of, rw.relation, rw.gender)
        if not found:
            who = "you have" if whose == "my" else f"{self.name(of)} has"
            raise _Refused(f"I don't know of any {word} {who} in this home" if whose != "my"
                           else f"I don't know who your {word} is")
        if len(found) > 1 and not rw.plural:
            whose_s = "your" if whose == "my" else f"{self.name(of)}'s"
            raise _Refused(f"Which of {whose_s} {word}s do you mean: {_join([self.name(p) for p in found])}?")
        return found

    def relation_phrases(self, text: str) -> list[str]:
        """Replace "my X", "Ben's X" and bare vocatives by the people they name: one text per person."""
        variants = [text]
        for _ in range(_CHAIN):  # "Ben's wife's daughter": Ben's wife is Anna, then Anna's daughter
            chained = [w for v in variants for w in self._possessives(v)]
            if chained == variants:
                break
            variants = chained
        if _MESSAGE.match(text) and len(variants) == 1 and variants[0] != text:
            return variants  # a message names its recipient once; its own words ("grandma is on the phone") stay
        bare = re.compile(rf"\b(?P<the>the\s+)?(?P<word>{'|'.join(sorted(_VOCATIVE, key=len, reverse=True))}"
                          rf"|kids|children)\b(?!s\b|'\s|'$|\s+{_ROOM_NOUN}\b)", re.IGNORECASE)
        out = []
        message = bool(_MESSAGE.match(text))
        for v in variants:
            protected = _protected(v, self.graph)
            vs = [v]
            for m in list(bare.finditer(v)):
                word = m.group("word").casefold()
                if not _free(m.span(), protected) or (word in ("kids", "children") and not (
                        m.group("the") and message)) or m.start() >= _recipient_end(v):
                    continue  # "the kids" alone names people only as a message's recipients ("the kids light")
                vs = self._expand(vs, m.group(0), self.relatives(None, word, ""))
                if message:
                    break  # the recipient; the message's own words are not read
            out.extend(vs)
        return out

    def _possessives(self, text: str) -> list[str]:
        """"my X", "Ben's X" in `text` replaced by the people they name: one text per person."""
        protected = _protected(text, self.graph)
        alt = _alt(self.by_name)
        owner = rf"(?P<whose>my|our|{alt})(?:'s|s'|')?" if alt else r"(?P<whose>my|our)"
        pat = re.compile(rf"\b(?:the\s+)?{owner}\s+(?P<word>{_WORD_ALT})\b", re.IGNORECASE)
        variants = [text]
        head = _recipient_end(text)
        for m in list(pat.finditer(text)):
            if not _free(m.span(), protected) or m.start() >= head:
                continue
            whose = m.group("whose").casefold()
            word = m.group("word").casefold()
            if whose in ("my", "our"):
                if self.actor is None:
                    raise _Refused(f"I don't know who is speaking, so I can't tell who your {word} is")
                found = self.relatives(self.actor, word, "my")
            else:
                found = self.relatives(self.by_name[whose].id, word, whose)
            variants = self._expand(variants, m.group(0), found)
        return variants

    def _kids(self) -> list[str]:
        """"The kids": the speaker's children who are children of the house, else every child of the house."""
        kids = [p.id for p in self.people if p.role == "child"]
        mine = self.graph.relatives(self.actor, "child") if self.actor else []
        return [k for k in mine if k in kids] or kids

    def _expand(self, variants: list[str], phrase: str, people: list[str]) -> list[str]:
        self.named.extend(p for p in people if p not in self.named)
        out = []
        for v in variants:
            for p in people:
                out.append(v.replace(phrase, self.name(p), 1))
        return out

    # ------------------------------------------------------------------ rooms
    def owned_rooms(self, text: str) -> list[str]:
        """Replace "my room", "Ben's room", "the kids' rooms" by the rooms they name: one text per room."""
        alt = _alt(self.by_name)
        who = rf"my|our|{alt}" if alt else r"my|our"
        pat = re.compile(rf"\b(?:(?P<in>in|on|to|into)\s+)?(?:the\s+)?(?P<whose>{who}|the\s+{_PLURAL_KIDS}|"
                         rf"all\s+the\s+{_PLURAL_KIDS})(?:'s|s'|')?\s+(?P<noun>{_ROOM_NOUN})\b", re.IGNORECASE)
        variants = [text]
        for m in list(pat.finditer(text)):
            if not _free(m.span("whose"), _protected(text, self.graph)):
                # a room's own name ("Mia's room" as an alias): the templates read it; grounding is told
                said = re.sub(r"^(?:(?:in|on|to|into)\s+)?(?:the\s+)?", "", m.group(0), flags=re.IGNORECASE)
                rid = self.graph.resolve_room(said)
                if rid is not None and rid not in self.rooms:
                    self.rooms.append(rid)
                continue
            whose = " ".join(m.group("whose").casefold().split())
            if whose in ("my", "our"):
                if self.actor is None:
                    raise _Refused("I don't know who is speaking, so I don't know which room is yours")
                rooms = self.graph.rooms_owned_by(self.actor)
                if not rooms:
                    raise _Refused("I don't know which room is yours")
            elif "kids" in whose or "children" in whose:
                kids = self._kids()
                rooms = list(dict.fromkeys(r for k in kids for r in self.graph.rooms_owned_by(k)))
                if not rooms:
                    raise _Refused("I don't know which rooms are the kids' rooms")
            else:
                p = self.by_name[whose]
                rooms = self.graph.rooms_owned_by(p.id)
                if not rooms:
                    raise _Refused(f"I don't know which room is {p.name}'s")
            rooms = self._one_room(rooms, m.group("noun").casefold(), whose)
            variants = self._rooms(variants, m.group(0), rooms, bool(m.group("in")), m.group("in"))
        for v in variants:  # whose room, when the home knows no such person or relation: said, never widened
            for m in _UNKNOWN_OWNER.finditer(v):
                if _free(m.span(), _protected(v, self.graph)):
                    word = m.group("who")
                    raise _Refused(f"I don't know who your {word} is" if m.group("my")
                                   else f"I don't know anyone called {word} in this home")
        return variants

    def _one_room(self, rooms: list[str], noun: str, whose: str) -> list[str]:
        """"my room" names one room: of several owned, the one bedroom for "bedroom", else a question."""
        if noun.endswith("s") or len(rooms) < 2:
            return rooms
        if noun == "bedroom":
            beds = [r for r in rooms if "bedroom" in self.graph.room(r).name.casefold()]
            if len(beds) == 1:
                return beds
        whose_s = "your" if whose in ("my", "our") else f"{self.by_name[whose].name}'s"
        names = [f"the {self.graph.room(r).name}" for r in rooms]
        raise _Refused(f"Which of {whose_s} rooms do you mean: {', '.join(names[:-1])} or {names[-1]}?")

    def _rooms(self, variants: list[str], phrase: str, rooms: list[str], has_in: bool,
               prep: str | None) -> list[str]:
        self.rooms.extend(r for r in rooms if r not in self.rooms)
        out = []
        for v in variants:
            for r in rooms:
                name = self.graph.room(r).name
                out.append(v.replace(phrase, f"{prep} the {name}" if has_in else f"the {name}", 1))
        return out

    def where_people(self, text: str) -> str:
        """Replace "where Ben is" / "the room Ben is in" by Ben's room."""
        if _QUESTION.match(text) or not self.by_name:
            return text
        alt = _alt(self.by_name)
        pattern = re.compile(rf"\b(?:(?:in\s+)?the\s+room\s+(?P<a>{alt})\s+(?:is|'s)\s+in"
                             rf"|(?:(?:in\s+)?the\s+room\s+)?(?:wherever|where)\s+(?P<b>{alt})"
                             r"\s+(?:is|'s|is sitting|sits|is right now|is now))\b",
                             re.IGNORECASE)
        for m in list(pattern.finditer(text)):
            p = self.by_name[(m.group("a") or m.group("b")).casefold()]
            if p.location is None:
                raise _Refused(f"I don't know where {p.name} is right now")
            if p.location != "home":
                raise _Refused(f"{p.name} is not at home")
            if p.room is None:
                raise _Refused(f"{p.name} is at home, but I don't know in which room")
            if p.room not in self.rooms:
                self.rooms.append(p.room)
            text = text.replace(m.group(0), f"in the {self.graph.room(p.room).name}", 1)
        return text

    def empty_rooms(self, text: str) -> list[str]:
        m = _EMPTY.search(text)
        if m is None:
            return [text]
        occupied = {p.room for p in self.people if p.location == "home" and p.room}
        rooms = [r.id for r in self.graph.rooms() if r.id not in occupied]
        if not rooms:
            raise _Refused("Every room has someone in it right now")
        return self._rooms([text], m.group(0), rooms, bool(m.group("in")), "in")

    def floors(self, text: str) -> list[str]:
        """"upstairs" / "downstairs" where no floor is called so; "everyone upstairs": the people there."""
        m = _FLOOR_WORD.search(text)
        if m is None:
            return [text]
        if not m.group("every") and _MESSAGE.match(text):
            return [text]  # "tell Ben to come downstairs": the message's own words
        direction = m.group("dir").casefold()
        floors = self.graph.floors()
        said = [f.id for f in floors if direction in (f.name.casefold(), *(a.casefold() for a in f.aliases))]
        if said:
            ids = said
        else:
            here = self.graph.room(self.room).floor if self.room else None
            base = next((f.level for f in floors if f.id == here), 0)
            ids = [f.id for f in floors if (f.level > base if direction == "upstairs" else f.level < base)]
            if not ids:
                raise _Refused(f"There is no {direction} in this home")
        if m.group("every"):
            there = [p.id for p in self.people if p.location == "home" and p.room
                     and self.graph.has_room(p.room) and self.graph.room(p.room).floor in ids]
            if not there:
                raise _Refused(f"I don't know of anyone {direction} right now")
            return self._expand([text], m.group(0), there)
        if said:
            return [text]
        out = []
        for f in ids:
            self.rooms.extend(r.id for r in self.graph.rooms() if r.floor == f and r.id not in self.rooms)
            out.append(text.replace(m.group(0), f"on the {self.graph.floor(f).name}", 1))
        return out

    def here(self, text: str) -> None:
        if _HERE.search(text) and not _QUESTION.match(text):
            if self.room is None:
                raise _Refused("I don't know which room you're in")
            if self.room not in self.rooms:
                self.rooms.append(self.room)


def resolve_references(text: str, graph: ContextGraph, *, actor: str | None = None,
                       room: str | None = None) -> Resolved:
    """Replace the references to people and rooms in `text`, said by person `actor` (None: not identified) in
    `room` (None: not known)."""
    low = text.casefold()
    if "'" not in low and not set(re.findall(r"[a-z]+", low)) & _TRIGGERS:
        return Resolved(text, texts=(text,))  # nothing here can be a reference
    r = _Resolver(graph, actor, room)
    try:
        texts = [
            x for a in r.relation_phrases(text) for b in r.owned_rooms(a) for c in r.empty_rooms(r.where_people(b))
            for x in r.floors(c)
        ]
        r.here(text)
    except _Refused as e:
        return Resolved(text, cannot=str(e))
    texts = list(dict.fromkeys(texts)) or [text]
    return Resolved(texts[0], texts=tuple(texts), rooms=tuple(r.rooms), people=tuple(r.named))
