"""References resolved from the context graph, never guessed.

"where Ben is" and "the room Ben is in" name the room the fusion believes Ben is in. The reference is replaced by
the room's name ("turn off the lights in the living room"), so the local templates and the planner read a request
about a named room. ("In here" and "this room", the speaker's room, are left to the templates, which know those
phrasings with the satellite's room, and to the planner's grounding.) A reference that names nothing known
is refused with a sentence that says why ("I don't know where Ben is right now"), never widened to the whole
home or narrowed to the speaker's room. Questions about where someone is ("tell me where Ben is") are left to
the question skills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fusehub.context.graph import ContextGraph
from fusehub.context.views import PersonView

__all__ = ["Resolved", "resolve_references"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A request with its references replaced, or why one cannot be."""

    text: str
    """The request, each reference replaced by the room it names."""
    cannot: str | None = None
    """Set when a reference names nothing the hub knows: the answer, with no call."""


_QUESTION = re.compile(r"^\s*(?:tell me|do you know|can you tell me|could you tell me|where|ask|find out|i wonder"
                       r"|any idea)\b", re.IGNORECASE)


def _person_pattern(people: list[PersonView]) -> tuple[re.Pattern[str], dict[str, PersonView]] | None:
    names: dict[str, PersonView] = {}
    for p in people:
        for n in (p.name, *p.aliases, p.id):
            if n and n.strip():
                names.setdefault(n.strip().casefold(), p)
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = (rf"\b(?:(?:in\s+)?the\s+room\s+(?P<a>{alt})\s+(?:is|'s)\s+in"
               rf"|(?:wherever|where)\s+(?P<b>{alt})\s+(?:is|'s|is sitting|sits|is right now|is now))\b")
    return re.compile(pattern, re.IGNORECASE), names


def _room_phrase(graph: ContextGraph, room_id: str) -> str:
    return f"in the {graph.room(room_id).name}" if graph.has_room(room_id) else f"in {room_id}"


def _where(p: PersonView) -> str | None:
    """Why `p`'s room cannot be named, or None when it can."""
    if p.location is None:
        return f"I don't know where {p.name} is right now"
    if p.location != "home":
        return f"{p.name} is not at home"
    if p.room is None:
        return f"{p.name} is at home, but I don't know in which room"
    return None


def resolve_references(text: str, graph: ContextGraph) -> Resolved:
    """Replace the references to rooms through people ("where Ben is")."""
    if _QUESTION.match(text):
        return Resolved(text)
    found = _person_pattern(graph.people())
    if found is not None:
        pattern, names = found
        for m in list(pattern.finditer(text)):
            p = names[(m.group("a") or m.group("b")).casefold()]
            why = _where(p)
            if why is not None:
                return Resolved(text, cannot=why)
        text = pattern.sub(lambda m: _room_phrase(graph, names[(m.group("a") or m.group("b")).casefold()].room or ""),
                           text)
    return Resolved(text)
