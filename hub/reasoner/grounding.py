"""Grounded decoding: a plan may only name the rooms and devices the request can refer to.

The grammar (:mod:`hub.reasoner.calls`) makes every output a valid call, but "valid" is home-wide: any room of
the home, any device with the capability. A small model reading "lights off" from a speaker in no known room
still writes ``light_turn_off room=bedroom`` with high confidence, a room nobody mentioned. Grounding narrows,
per request, what the model may write for an id argument:

- ``device`` / ``car``: the devices in the view (the view is what the model reads; training labels only ever
  name view devices, ``datagen._check_ids``);
- ``room`` / ``rooms``, for an utterance: the rooms its words name, the rooms its references name as the intent
  path resolves them (:func:`hub.reasoner.references.resolve_references`: "where Ben is", "my room", "my
  daughter's room", "the kids' rooms", "the empty rooms"), and the speaker's room. With none of these the room
  arguments are not offered at all, so the model has to choose between the speaker's room (no target), the whole
  home and a named device. A proactive situation
  ("Anna arrives in 10 minutes") is not narrowed: choosing the rooms is the plan;
- ``floor``, for an utterance: the floors its words name;
- ``seconds`` (a timer's length), for an utterance that says a duration: only the durations it says
  (:func:`hub.reasoner.spoken.spoken_durations`; "an 11 minute timer" is 660, not 610);
- ``brightness`` / ``volume`` / ``position`` (absolute levels; relative ``change`` is not narrowed), for an
  utterance that says a level: only the levels it says (:func:`hub.reasoner.spoken.spoken_levels`: its numbers,
  100 for "max", 1 for "lowest", 50 for "half"; "to the max" is 100, not 74);
- ``change`` (a relative amount), for an utterance that says a level to go *to* and no amount to change *by*
  (:func:`hub.reasoner.spoken.says_target_level`): not at all ("turn the volume down to 90 percent" was
  ``change=-90``);
- ``everywhere``, for an utterance whose words name a room or a floor: not at all ("all the kitchen lights" is
  the kitchen, not the whole home; "all" pulls a small model towards ``everywhere=true``), except in a call of a
  skill with free text (``Grounding.free``): "broadcast come downstairs" names a floor inside its message.

It works on the decoder's logits, one sampled step at a time, on top of the grammar: from the text decoded so
far (:meth:`Grounder.banned`) it finds whether the next token continues an id value or may start an argument
key, and which token ids would lead to an id or key that is not allowed. The decoder lowers those (by
:data:`PENALTY`, not to minus infinity: where the grammar leaves nothing else, the least bad choice still
comes out, with a confidence near zero, and the clarifying question follows). Pure functions over strings; the
vocabulary is read once per model.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from fusehub.context.graph import ContextGraph
from fusehub.context.view import View
from fusehub.reasoner.references import resolve_references
from fusehub.reasoner.spoken import says_target_level, spoken_durations, spoken_levels

__all__ = ["LEVEL_KEYS", "PENALTY", "Grounder", "Grounding", "grounding_for"]

LEVEL_KEYS = ("brightness", "volume", "position")
"""Arguments that set an absolute 0-100 level: held to the levels an utterance says, when it says any."""

PENALTY = 1.0e4
"""Subtracted from the logit of a token that would name something not grounded."""

_INDEXED = re.compile(r"[a-z0-9_=\[\], \n]+")
_VALUE = re.compile(r"(?:^| )([a-z_]+)=(\[(?:[a-z0-9_]+,)*)?([a-z0-9_]*)$")


@dataclass(frozen=True)
class Grounding:
    """What one request may name, per argument key."""

    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Key -> the ids (or whole numbers, as text) a plan for this request may give it. A key not here is not
    narrowed; an empty set means the key may not be written at all."""
    universe: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Key -> every id the grammar may offer for it (the home's rooms, devices). A narrowed key not here (a
    number) is held to its allowed values outright."""
    free: frozenset[str] = frozenset()
    """Skills with free text (messages): the request's words may be their message, so a place named there does
    not bar ``everywhere`` in their calls."""

    def barred(self, skill: str) -> set[str]:
        """The keys a call of `skill` may not write at all."""
        out = {k for k, ids in self.allowed.items() if not ids}
        if skill in self.free:
            out.discard("everywhere")
        return out

    def permits(self, key: str, value: object, skill: str = "") -> bool:
        """Whether a parsed argument of a call of `skill` stays within the grounding (lists: every element)."""
        if key == "everywhere" and skill in self.free:
            return True
        if key not in self.allowed:
            return True
        vals = value if isinstance(value, list) else [value]
        return all((str(v) if isinstance(v, int) and not isinstance(v, bool) else v) in self.allowed[key]
                   for v in vals)


def grounding_for(view: View, graph: ContextGraph, *, text: str | None, room: str | None,
                  free: Iterable[str] = (), speaker: str | None = None) -> Grounding:
    """The grounding of one request: devices from its view; rooms, for an utterance (`text`), from its words, its
    references (said by person `speaker`, when known) and the speaker's room. `free`: the skills with free text
    (`hub.reasoner.calls.free_text_skills`)."""
    devices = frozenset(d.id for d in graph.devices())
    rooms = frozenset(r.id for r in graph.rooms())
    floors = frozenset(f.id for f in graph.floors())
    shown = frozenset(view.device_ids)
    allowed: dict[str, frozenset[str]] = {"device": shown, "car": shown}
    universe: dict[str, frozenset[str]] = {"device": devices, "car": devices, "room": rooms, "rooms": rooms,
                                           "floor": floors}
    if text:
        said = spoken_durations(text)
        if said:
            allowed["seconds"] = frozenset(str(s) for s in said)
        levels = frozenset(str(v) for v in spoken_levels(text))
        if levels:
            for key in LEVEL_KEYS:
                allowed[key] = levels
        if says_target_level(text):
            allowed["change"] = frozenset()  # "down to 90 percent" is a level, never a change of 90
        here = frozenset(view.named_rooms) | (frozenset({room}) if room is not None and room in rooms else frozenset())
        resolved = resolve_references(text, graph, actor=speaker, room=room)
        # the rooms references name, and where the people they name are (a message is announced there)
        here |= frozenset((*resolved.rooms, *(graph.person(p).room or "" for p in resolved.people))) & rooms
        allowed["room"] = allowed["rooms"] = here
        allowed["floor"] = frozenset(view.named_floors)
        if view.place_named:
            allowed["everywhere"] = frozenset()
    return Grounding(allowed=allowed, universe=universe, free=frozenset(free))


class Grounder:
    """Token-level grounding for one tokenizer vocabulary.

    `vocab` yields the text of each token decoded alone, in id order; `eos` the end tokens; `keys` every argument
    key the skills have (a key fragment such as ``" ro"`` is only held back when every key it may still become
    is barred).
    """

    def __init__(self, vocab: Iterable[str], eos: Iterable[int], keys: Iterable[str]) -> None:
        # Only tokens made of id, key and separator characters can continue an id or a key: the grammar rules
        # out every other token where grounding acts, so they are not indexed (memory: 1 MiB, not 10).
        # A token starting with a space starts an argument key, so only those that fit a key are indexed.
        self._keys = sorted(set(keys))
        heads = [k + "=" for k in self._keys]
        self._ids: dict[str, list[int]] = {}
        for i, s in enumerate(vocab):
            if not s or not _INDEXED.fullmatch(s):
                continue
            if s[0] == " " and not any(h.startswith(s[1:]) or s[1:].startswith(h) for h in heads):
                continue
            self._ids.setdefault(s, []).append(i)
        self._sorted = sorted(self._ids)
        self._eos = list(eos)
        self._digits = [(s, ids) for s, ids in self._ids.items() if s[0].isdigit()]
        self._syntax = np.array(sorted({i for ids in self._ids.values() for i in ids} | set(self._eos)),
                                dtype=np.int64)

    # ------------------------------------------------------------------------------------------ lookups

    def _starting(self, prefix: str) -> Iterable[tuple[str, list[int]]]:
        """Tokens whose text starts with `prefix` (and is longer than it)."""
        i = bisect.bisect_right(self._sorted, prefix)
        while i < len(self._sorted) and self._sorted[i].startswith(prefix):
            s = self._sorted[i]
            yield s, self._ids[s]
            i += 1

    def _pins_barred(self, frag: str, barred: set[str]) -> bool:
        """Whether a key fragment ("ro", "room=", "room=ki") can only become a barred key."""
        if "=" in frag:
            return frag.split("=", 1)[0] in barred
        could = [k for k in self._keys if k.startswith(frag)]
        return bool(frag) and bool(could) and all(k in barred for k in could)

    # ------------------------------------------------------------------------------------------ the step

    def banned(self, text: str, g: Grounding) -> list[int]:
        """Token ids that must not come next after `text` (the plan decoded so far) under grounding `g`."""
        line = text.rsplit("\n", 1)[-1]
        if not line or line.count('"') % 2:
            return []  # the start of a call (a skill name) or inside a quoted string: nothing to ground
        barred = g.barred(line.split(" ", 1)[0])
        out: set[int] = set()
        m = _VALUE.search(line)
        head, _, tail = line.rpartition(" ")
        if m and g.allowed.get(m.group(1)) and m.group(1) not in g.universe:
            out |= self._number_ban(m.group(3), g.allowed[m.group(1)]) | self._key_ban(" ", "", barred)
        elif m and m.group(1) in g.allowed and g.allowed[m.group(1)]:
            out |= self._value_ban(m.group(3), g.allowed[m.group(1)], g.universe.get(m.group(1), frozenset()),
                                   listed=m.group(2) is not None)
            if m.group(2) is None:
                out |= self._key_ban(" ", "", barred)
        elif head and "=" not in tail:
            out |= self._key_ban("", tail, barred)  # a key being written after a space
        else:
            out |= self._key_ban(" ", "", barred)  # after a skill name or a value: a key may start
        return sorted(out)

    def pinned(self, text: str, g: Grounding) -> bool:
        """Whether the next token is inside a number that grounding has narrowed to one value ("an 11 minute
        timer": seconds=660). The words chose it, not the model, so the step says nothing about its confidence."""
        line = text.rsplit("\n", 1)[-1]
        if not line or line.count('"') % 2:
            return False
        m = _VALUE.search(line)
        if not m or m.group(1) in g.universe or not g.allowed.get(m.group(1)):
            return False
        return sum(a.startswith(m.group(3)) for a in g.allowed[m.group(1)]) == 1

    def _value_ban(self, p: str, allowed: frozenset[str], universe: frozenset[str], *, listed: bool) -> set[int]:
        """Tokens that would continue the id `p` towards an id of `universe` that is not `allowed`."""
        ends = (",", "]") if listed else (" ", "\n")
        ok = [r[len(p):] for r in allowed if r.startswith(p)]
        out: set[int] = set()
        for r in universe - allowed:
            if not r.startswith(p):
                continue
            c = r[len(p):]
            for i in range(1, len(c) + 1):
                s = c[:i]
                if not any(a.startswith(s) for a in ok):
                    out.update(self._ids.get(s, ()))
            for t in ends:  # r complete, then the value ends: `r` itself would be named
                out.update(self._ids.get(c + t, ()))
                for _s, ids in self._starting(c + t):
                    out.update(ids)
            if not c and not listed:
                out.update(self._eos)
        return out

    def _number_ban(self, p: str, allowed: frozenset[str]) -> set[int]:
        """Tokens that would take the number begun as `p` off every `allowed` one, or end it before one is whole."""
        out: set[int] = set()
        for s, ids in self._digits:
            q = p + s
            v = q[: len(q) - len(q.lstrip("0123456789"))]
            rest = q[len(v):]
            ok = v in allowed and rest[:1] in (" ", "\n") if rest else any(a.startswith(v) for a in allowed)
            if not ok:
                out.update(ids)
        if p not in allowed:  # not a whole allowed number yet: it may not end here
            for t in (" ", "\n"):
                out.update(self._ids.get(t, ()))
                for _s, ids in self._starting(t):
                    out.update(ids)
            out.update(self._eos)
        return out

    def _key_ban(self, pre: str, frag: str, barred: set[str]) -> set[int]:
        """Tokens that, after `pre` (a space still to come) and the key fragment `frag`, pin a barred key."""
        out: set[int] = set()
        for b in barred:
            full = b + "="
            if not full.startswith(frag):
                continue
            target = pre + full[len(frag):]
            for i in range(len(pre) + 1, len(target) + 1):
                if self._pins_barred(frag + target[len(pre):i], barred):
                    out.update(self._ids.get(target[:i], ()))
            for _s, ids in self._starting(target):
                out.update(ids)
        return out

    def share(self, logits: np.ndarray, chosen: Iterable[int]) -> float:
        """The probability of the best `chosen` token among the tokens a call's ids and keys are made of (and the
        end tokens), from (lowered) `logits`. Where grounding has lowered what the model wanted ("everywhere"
        for "all the living room lights"), most of the rest sits on tokens the grammar never allows there (" all"),
        so the whole-vocabulary softmax would call a certain choice ("room") unsure."""
        z = np.asarray(logits, dtype=np.float64)
        z = z - z.max()
        e = np.exp(z)
        return min(1.0, max(float(e[t]) for t in chosen) / float(e[self._syntax].sum()))

    def apply(self, logits: np.ndarray, ids: Sequence[int]) -> np.ndarray:
        """The logits with `ids` lowered by :data:`PENALTY` (a copy)."""
        out = np.array(logits, dtype=np.float32, copy=True)
        if ids:
            out[np.asarray(ids, dtype=np.int64)] -= PENALTY
        return out
