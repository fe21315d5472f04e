"""The household in the context graph: relations between people (both directions), room owners, outdoor rooms,
the devices' option sets and the household's restrictions, put there from the home file and read back.

Relation edges go person -> person with ``rel="relation"`` and ``relation`` (what the source is to the target),
one per direction, so "Anna is Ben's parent" is also "Ben is Anna's child". Owners are the room node's
``owners`` (not person -> room edges: a person's ``located_in`` edge to the same room would replace one). These
functions work on the networkx graph that
:class:`~fusehub.context.graph.ContextGraph` owns; readers use its methods of the same names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fusehub.household import INVERSE, RestrictionDecl

if TYPE_CHECKING:
    import networkx as nx
    from fusehub.home import Home

__all__ = [
    "gender_of",
    "home_timezone",
    "is_outdoor",
    "load_household",
    "relatives",
    "restrictions",
    "room_owners",
    "rooms_owned_by",
]


def load_household(g: nx.DiGraph[str], home: Home) -> None:
    """Add the household's relations, owners, outdoor flags, option sets and restrictions to a graph just built
    from `home` (its home, person, room and device nodes exist)."""
    g.nodes["home"].update(timezone=home.timezone,
                           restrictions=[r.model_dump(mode="json", by_alias=True) for r in home.restrictions])
    for p in home.people:
        g.nodes[f"person:{p.id}"]["gender"] = p.gender
    for r in home.rooms:
        g.nodes[f"room:{r.id}"].update(outdoor=r.outdoor, owners=list(r.owners))
    for rel in home.relations:
        for other in rel.of:
            g.add_edge(f"person:{rel.person}", f"person:{other}", rel="relation", relation=rel.relation)
            g.add_edge(f"person:{other}", f"person:{rel.person}", rel="relation", relation=INVERSE[rel.relation])
    for d in home.devices:
        n = f"device:{d.id}"
        if n in g:
            g.nodes[n]["options"] = {k: v.model_dump(exclude_none=True) for k, v in d.options.items()}


def _in_order(g: nx.DiGraph[str], typ: str, ids: set[str]) -> list[str]:
    return [d["id"] for _, d in g.nodes(data=True) if d.get("type") == typ and d["id"] in ids]


def gender_of(g: nx.DiGraph[str], person: str) -> str | None:
    """A person's declared gender, or None."""
    v = g.nodes[f"person:{person}"].get("gender") if f"person:{person}" in g else None
    return v if isinstance(v, str) else None


def relatives(g: nx.DiGraph[str], person: str, relation: str, gender: str | None = None) -> list[str]:
    """The people who are `person`'s `relation` ("anna", "parent": Anna's parents), in the home file's order;
    `gender` narrows to people of that gender or of none declared."""
    n = f"person:{person}"
    if n not in g:
        return []
    found = {g.nodes[u]["id"] for u, _, d in g.in_edges(n, data=True)
             if d.get("rel") == "relation" and d.get("relation") == relation}
    out = _in_order(g, "person", found)
    if gender is not None:
        out = [p for p in out if gender_of(g, p) in (None, gender)]
    return out


def rooms_owned_by(g: nx.DiGraph[str], person: str) -> list[str]:
    """The rooms `person` owns, in the home file's order."""
    return [d["id"] for _, d in g.nodes(data=True) if d.get("type") == "room" and person in (d.get("owners") or ())]


def room_owners(g: nx.DiGraph[str], room: str) -> list[str]:
    """The people who own `room`, in the home file's order."""
    n = f"room:{room}"
    return list(g.nodes[n].get("owners") or ()) if n in g else []


def is_outdoor(g: nx.DiGraph[str], room: str) -> bool:
    """Whether the home file marks `room` as an outdoor area."""
    return f"room:{room}" in g and bool(g.nodes[f"room:{room}"].get("outdoor"))


def restrictions(g: nx.DiGraph[str]) -> list[RestrictionDecl]:
    """The household's restrictions, as declared."""
    raw: Any = g.nodes["home"].get("restrictions") if "home" in g else None
    return [RestrictionDecl.model_validate(r) for r in raw or []]


def home_timezone(g: nx.DiGraph[str]) -> str:
    """The home's time zone name (UTC when none is declared)."""
    tz = g.nodes["home"].get("timezone") if "home" in g else None
    return tz if isinstance(tz, str) and tz else "UTC"
