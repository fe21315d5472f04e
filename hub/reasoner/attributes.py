"""Local matching for declared attributes of devices nobody listed (the home file's `attributes:`).

    "set the humidifier target humidity to 55"      -> attribute_set(device, target_humidity, 55)
    "set the air purifier mode to sleep"            -> attribute_set(device, mode, "sleep")
    "what is the humidifier target humidity"        -> attribute_get(device, target_humidity)

Names come from the graph (device names and aliases, attribute names with '_' read as spaces); values
are checked by the skill against the declared range or options, so nothing is invented here.
"""

from __future__ import annotations

import re

from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall

__all__ = ["match_attribute"]

_SET = re.compile(r"^(?:please\s+)?(?:set|change|put|make)\s+(?:the\s+)?(?P<rest>.+?)\s+to\s+(?P<value>[\w.\-]+)"
                  r"(?:\s*(?:%|percent|degrees?))?\s*[.!]?$")
_GET = re.compile(r"^(?:what\s+is|what's|tell\s+me)\s+(?:the\s+)?(?P<rest>.+?)\s*\??$")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("_", " ").replace("'s", "").strip().lower())


def _split(rest: str, graph: ContextGraph) -> tuple[str, str] | None:
    """(device id, attribute) for '<device name> <attribute words>' with a declared attribute."""
    rest = _norm(rest)
    best: tuple[int, str, str] | None = None
    for d in graph.devices(capability="attributes"):
        for name in (d.name, *d.aliases):
            n = _norm(name)
            if not rest.startswith(n + " "):
                continue
            tail = rest[len(n) + 1:]
            tail = tail[3:] if tail.startswith("of ") else tail
            for attr in d.attributes:
                if _norm(attr) == tail and (best is None or len(n) > best[0]):
                    best = (len(n), d.id, attr)
    return None if best is None else (best[1], best[2])


def match_attribute(text: str, graph: ContextGraph) -> Plan | None:
    """A plan for a request about a declared attribute, or None."""
    t = text.strip().lower()
    if len(t) > 200:
        return None
    m = _SET.match(t)
    if m:
        hit = _split(m.group("rest"), graph)
        if hit is None:
            return None
        raw = m.group("value")
        value: float | str = float(raw) if re.fullmatch(r"-?\d+(?:\.\d+)?", raw) else raw
        return Plan(source="intent", calls=[SkillCall(skill="attribute_set",
                                                      args={"device": hit[0], "attribute": hit[1], "value": value})])
    m = _GET.match(t)
    if m:
        hit = _split(m.group("rest"), graph)
        if hit is not None:
            return Plan(source="intent", calls=[SkillCall(skill="attribute_get",
                                                          args={"device": hit[0], "attribute": hit[1]})])
    return None
