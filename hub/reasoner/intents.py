"""Local intent matching: hassil with the English templates of `home-assistant-intents`.

The sentence templates come from the `home-assistant-intents` package (Home Assistant's
own); the slot lists come from the context graph:

- ``area``: room names and aliases, ``floor``: floor names and aliases,
- ``name``: device names and aliases (each with its Home Assistant *domain* as match
  context, so "lock the front door" only matches a lock), scene names and people.

A recognized Home Assistant intent (``HassTurnOn``, ``HassLightSet``, ...) is mapped to
fusehub skill calls by the declarative table :data:`HANDLERS` (intent name -> small pure
function). The original intent name and slot values are kept in :class:`IntentMatch` so an
evaluation can compare them with upstream expectations.

When no template matches exactly, a second, restricted pass lets hassil report *unmatched*
names, rooms and floors ("turn on the sauna light" in a home without one): that gives a
:class:`Plan` with ``cannot`` set and no calls, and a lower confidence, so the caller can
still decide to ask the planner. Anything else that does not match returns None.

Utterance text is data, never instructions: it is only ever matched against templates.

Modules: ``intents_templates`` (the templates, parsed once per language), ``intents_vocab`` (slot lists from
the graph), ``intents_scope`` (the request a handler reads and where it applies), ``intents_handlers`` (the
intent -> plan mapping, :data:`HANDLERS` and :data:`UNSUPPORTED`); this module is the matcher.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from fusehub.context.graph import ContextGraph
from fusehub.errors import SkillError, UnknownSkill
from fusehub.events import JSON, Plan
from fusehub.language import LANGUAGES, candidate_languages, has_han
from fusehub.reasoner.intents_handlers import CANNOT_INTENTS, HANDLERS, UNSUPPORTED, light_args
from fusehub.reasoner.intents_scope import Cannot, Req, as_float, as_int, intent_plan, skill_call
from fusehub.reasoner.intents_templates import all_templates, mapped_templates, relaxed_templates
from fusehub.reasoner.intents_vocab import Vocab, build_vocab, norm, signature
from fusehub.reasoner.messages import localize
from fusehub.reasoner.pipeline import FINAL_CONFIDENCE
from fusehub.reasoner.zh_text import plain_zh
from fusehub.sdk import SkillRegistry
from hassil import RecognizeResult, recognize_all, recognize_best
from hassil.models import UnmatchedRangeEntity, UnmatchedTextEntity
from hassil.recognize import MISSING_ENTITY
from pydantic import BaseModel, Field

__all__ = ["HANDLERS", "MAX_TEXT_CHARS", "UNSUPPORTED", "IntentMatch", "IntentMatcher"]

log = logging.getLogger(__name__)

_templates = all_templates
"""All of the language's intents, parsed once per process (tests read it by this name)."""

MAX_TEXT_CHARS = 500
"""Longer utterances are not commands: they are not matched at all (None)."""

_MAX_UNMATCHED_WORDS = 4  # an unknown name longer than this is not "a name", it is another sentence
_MAX_UNMATCHED_HAN = 8  # the same in Chinese characters
_NOT_A_NAME_HAN = re.compile(r"^[个给把将被让]|[了吗呢吧啊呀]$|还是|完全|一下|起来|不用")
"""Leftovers that are grammar, not a name ("开个灯": 个灯, "开着还是关着": 还是关着): a sentence no template
covers, not a room or device the home lacks."""
_NOT_A_NAME = frozenset((
    "a", "an", "the", "my", "our", "your", "his", "her", "their", "this", "that", "these", "those", "it", "them",
    "all", "every", "each", "some", "any", "of", "in", "on", "at", "to", "for", "and", "here", "there", "please",
    "turn", "put", "set", "make", "get", "switch", "switches", "light", "lights", "lamp", "lamps", "lighting",
    "fan", "fans", "device", "devices", "thing", "things",
))
"""Words that are never a whole name on their own: an 'unknown name' made only of these ("the light" in "turn the
light in first floor off") is a sentence no template covers, not a device the home lacks."""
_VOCAB_CACHE_SIZE = 4
_CANNOT_CONFIDENCE = 0.5
"""A `cannot` that guesses at an explanation (an unknown name): the caller may still ask the planner."""
_EXPLAINED = CANNOT_INTENTS | frozenset(UNSUPPORTED)
"""Intents whose templates, matched but for an unknown name, explain the failure."""
_RANGE_SLOTS = frozenset({"brightness", "position", "volume_level", "temperature"})


class IntentMatch(BaseModel):
    """A recognized intent: Home Assistant's intent name and slots, and the fusehub plan for it."""

    intent: str = Field(description="The hassil / Home Assistant intent name, e.g. 'HassTurnOn'.")
    slots: dict[str, JSON] = Field(default_factory=dict, description="Slot values as hassil matched them.")
    plan: Plan = Field(description="Skill calls (source 'intent'), or `cannot` with no calls.")




# ---------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str | None:
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = " ".join(text.split())
    return text or None


def _unknown_name(text: str, vocab: Vocab) -> bool:
    """True if `text` looks like a name the home does not have, not like a sentence hassil could not parse.

    Short (at most a few words; in Chinese, which has no spaces, a few characters), and containing no known
    room, floor or device name: "dim the living room" left over from a sentence no template covers is not an
    unknown room.
    """
    said = norm(text)
    if has_han(said):
        return 0 < len(said) <= _MAX_UNMATCHED_HAN and not _NOT_A_NAME_HAN.search(said) and not any(
            known in said for known in (*vocab.areas, *vocab.floors, *vocab.names))
    if not 0 < len(said.split()) <= _MAX_UNMATCHED_WORDS:
        return False
    if set(said.split()) <= _NOT_A_NAME:  # "turn the light in first floor off": 'the' is no device name
        return False
    padded = f" {said} "
    return not any(f" {known} " in padded for known in (*vocab.areas, *vocab.floors, *vocab.names))


def _here(result: RecognizeResult, slots: dict[str, Any], graph: ContextGraph) -> Plan | None:
    """A light or thermostat command that only lacks the room ("lights off", "set the temperature to 21",
    heard where the hub does not know the room).

    Home Assistant's room-less templates need the satellite's area; without one the request still
    means "here", so the call has no target and the skill resolves it to the speaker's room when it
    runs (or answers "say which device, room or floor" when nobody knows it). A home with a single
    thermostat needs no room: that one is meant.
    """
    missing = result.unmatched_entities_list
    if not missing or any(not (isinstance(u, UnmatchedTextEntity) and u.name == "area" and u.text == MISSING_ENTITY)
                          for u in missing):
        return None
    if "name" in slots or "floor" in slots:
        return None
    intent = result.intent.name
    if intent in ("HassTurnOn", "HassTurnOff") and slots.get("domain") == "light":
        return intent_plan(skill_call("light_turn_on" if intent == "HassTurnOn" else "light_turn_off"))
    if intent == "HassLightSet" and (light := light_args(slots)) is not None:
        return intent_plan(skill_call(light[0], **light[1]))
    if intent == "HassClimateSetTemperature" and isinstance(t := as_float(slots.get("temperature")), float):
        thermostats = graph.devices(capability="temperature_setpoint")
        if len(thermostats) == 1:
            return intent_plan(skill_call("climate_set_temperature", device=thermostats[0].id, temperature=t))
        return intent_plan(skill_call("climate_set_temperature", temperature=t))
    return None


def _jsonable(v: Any) -> JSON:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


def _slots(result: RecognizeResult) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for e in result.entities_list:
        value = e.value
        if isinstance(value, str):
            value = value.strip()
        slots[e.name] = _jsonable(value)
    return slots


class IntentMatcher:
    """Matches an utterance against Home Assistant's sentence templates in its language and maps it to skills.

    The request is read in its script's language (:func:`fusehub.language.candidate_languages`: Chinese
    characters -> zh-CN, Latin letters -> en; both: the home's language first, then the other); `language` is
    the one read in when none of those is supported.
    Templates are parsed once per process (cached per language); slot lists are rebuilt only
    when the graph's rooms, floors, devices, scenes or people (names, aliases, kinds) change.
    """

    def __init__(self, language: str = "en", skills: SkillRegistry | None = None) -> None:
        self.language = language
        self.skills = skills
        """When given, a mapped call whose arguments do not validate (a 50 degree setpoint) becomes a `cannot`."""
        self._intents = mapped_templates(language)
        self._vocabs: dict[int, Vocab] = {}

    def languages_of(self, text: str, graph: ContextGraph) -> list[str]:
        """The template languages to read `text` in, in this home, in order."""
        langs = [lang for lang in candidate_languages(text, graph.language()) if lang in LANGUAGES]
        return langs or [self.language]

    # ------------------------------------------------------------------ public API
    def match(self, text: str, graph: ContextGraph, room: str | None = None) -> IntentMatch | None:
        """The intent and plan for `text` heard in `room` (the satellite's room); None if nothing matched.

        The plan's `language` is the language it was read in; its `cannot` is said in that language."""
        clean = _clean(text)
        if clean is None:
            return None
        vocab = self._vocab(graph)
        room_id = graph.resolve_room(room) if room else None
        context = self._context(vocab, room_id)
        found: IntentMatch | None = None
        for lang in self.languages_of(clean, graph):
            text_read = clean
            try:
                result = self._recognize(clean, vocab, context, lang)
                if result is None and lang == "zh-CN" and (plain := plain_zh(clean)) != clean:
                    result = self._recognize(plain, vocab, context, lang)  # politeness and synonyms off
                    text_read = plain if result is not None else clean
            except Exception:  # a template engine bug must not take the hub down
                log.exception("intent matching failed for %r", clean[:80])
                return None
            found = (self._mapped(result, graph, vocab, room_id, lang) if result is not None
                     else self._unmatched(text_read, graph, vocab, context, lang))
            if found is not None:
                found.plan.language = lang
                if found.plan.cannot and lang != "en":
                    found.plan.cannot = localize(found.plan.cannot, lang)
                break
        return found

    def recognize(
        self, text: str, graph: ContextGraph, room: str | None = None
    ) -> tuple[str, dict[str, JSON]] | None:
        """Raw hassil recognition over *all* the language's intents: (intent name, slots), no mapping."""
        clean = _clean(text)
        if clean is None:
            return None
        vocab = self._vocab(graph)
        room_id = graph.resolve_room(room) if room else None
        lang = self.languages_of(clean, graph)[0]
        result = recognize_best(
            clean,
            all_templates(lang),
            slot_lists=vocab.lists,
            intent_context=self._context(vocab, room_id),
            language=lang,
            best_slot_name="name",
        )
        return None if result is None else (result.intent.name, _slots(result))

    def warm_up(self) -> None:
        """Parse every sentence template now (~0.3 s) instead of lazily on the first matches."""
        for intents in (self._intents, relaxed_templates(self.language)):
            for intent in intents.intents.values():
                for data in intent.data:
                    _ = data.sentences

    # ------------------------------------------------------------------ internals
    def _recognize(self, text: str, vocab: Vocab, context: dict[str, Any], lang: str) -> RecognizeResult | None:
        return recognize_best(text, mapped_templates(lang), slot_lists=vocab.lists, intent_context=context,
                              language=lang, best_slot_name="name")

    def _vocab(self, graph: ContextGraph) -> Vocab:
        sig = signature(graph)
        vocab = self._vocabs.get(sig)
        if vocab is None:
            vocab = build_vocab(graph)
            if len(self._vocabs) >= _VOCAB_CACHE_SIZE:
                self._vocabs.pop(next(iter(self._vocabs)))
            self._vocabs[sig] = vocab
        return vocab

    @staticmethod
    def _context(vocab: Vocab, room_id: str | None) -> dict[str, Any]:
        if room_id is None:
            return {}
        name = vocab.room_names.get(room_id, room_id)
        return {"area": {"value": name, "text": name}}

    def _mapped(
        self, result: RecognizeResult, graph: ContextGraph, vocab: Vocab, room_id: str | None, lang: str = "en"
    ) -> IntentMatch | None:
        intent = result.intent.name
        slots = _slots(result)
        if intent in UNSUPPORTED:
            return IntentMatch(intent=intent, slots=slots,
                               plan=Plan(source="intent", confidence=FINAL_CONFIDENCE, cannot=UNSUPPORTED[intent]))
        handler = HANDLERS.get(intent)
        if handler is None:
            return None
        name_domain = name_class = None
        if "name" in result.entities and not result.entities["name"].is_wildcard:
            d, c = result.context.get("domain"), result.context.get("device_class")
            name_domain = d if isinstance(d, str) else None
            name_class = c if isinstance(c, str) else None
        response = result.response if isinstance(result.response, str) else None
        req = Req(intent, slots, graph, vocab, room_id, name_domain, name_class, lang, response)
        try:
            plan = handler(req)
        except Cannot as e:
            plan = Plan(source="intent", cannot=str(e), confidence=FINAL_CONFIDENCE if e.final else _CANNOT_CONFIDENCE)
        except Exception:  # a mapping bug must not take the hub down; the planner gets the text instead
            log.exception("mapping %s %s failed", intent, slots)
            return None
        return IntentMatch(intent=intent, slots=slots, plan=self._validated(plan))

    def _validated(self, plan: Plan) -> Plan:
        """`plan`, or a final `cannot` if one of its calls does not validate against the skills given."""
        if self.skills is not None:
            for call in plan.calls:
                try:
                    self.skills.get(call.skill).validate_args(call.args)
                except (SkillError, UnknownSkill) as e:
                    return Plan(source="intent", cannot=f"I can't do that: {e}", confidence=FINAL_CONFIDENCE)
        return plan

    def _unmatched(
        self, text: str, graph: ContextGraph, vocab: Vocab, context: dict[str, Any], lang: str
    ) -> IntentMatch | None:
        """A template that matches except for an unknown name, room or floor -> `cannot`."""
        best: RecognizeResult | None = None
        best_key: tuple[int, int, int] = (0, 0, 0)
        try:
            results: Iterable[RecognizeResult] = recognize_all(
                text,
                relaxed_templates(lang),
                slot_lists=vocab.lists,
                intent_context=context,
                allow_unmatched_entities=True,
                language=lang,
            )
            for r in results:
                if r.intent.name not in _EXPLAINED or r.text_chunks_matched < 1:
                    continue
                bad = 0
                usable = bool(r.unmatched_entities_list)
                for u in r.unmatched_entities_list:
                    if isinstance(u, UnmatchedTextEntity) and u.name in ("name", "area", "floor"):
                        if u.text == MISSING_ENTITY:
                            continue
                        usable = usable and _unknown_name(u.text, vocab)
                        bad += 1
                    elif isinstance(u, UnmatchedRangeEntity) and u.name in _RANGE_SLOTS:
                        bad += 1
                    else:
                        usable = False
                if r.intent.name in UNSUPPORTED:
                    # a whole match but for the domain (a mower in a home without one) says "no skill for that";
                    # an unknown name ("start stealth mode script") or value is no lawn mower or fan speed
                    # and a name the home has ("把台灯调到百分之30": a light, not a fan's speed) is no missing device
                    usable = "name" not in r.entities and all(
                        isinstance(u, UnmatchedTextEntity) and u.text == MISSING_ENTITY
                        for u in r.unmatched_entities_list)
                if not usable:
                    continue
                matched = sum(1 for e in r.entities_list if e.name not in r.unmatched_entities)
                key = (r.text_chunks_matched, matched, -bad)
                if best is None or key > best_key:
                    best, best_key = r, key
        except Exception:
            log.exception("unmatched-entity pass failed for %r", text[:80])
            return None
        if best is None:
            return None
        slots = _slots(best)
        if best.intent.name in UNSUPPORTED:  # "dock the mower" in a home without one: still no skill for it
            return IntentMatch(intent=best.intent.name, slots=slots,
                               plan=Plan(source="intent", confidence=FINAL_CONFIDENCE,
                                         cannot=UNSUPPORTED[best.intent.name]))
        here = _here(best, slots, graph)
        if here is not None:
            return IntentMatch(intent=best.intent.name, slots=slots, plan=self._validated(here))
        reason = "I did not understand that"
        for u in best.unmatched_entities_list:
            if isinstance(u, UnmatchedRangeEntity):
                slots[u.name] = _jsonable(u.value)
                value = as_int(u.value) if float(u.value).is_integer() else u.value
                reason = f"{u.name.replace('_', ' ')} {value} is out of range"
                break
            if isinstance(u, UnmatchedTextEntity):
                said = " ".join(u.text.split())
                if has_han(said):  # "桑拿房的灯": the particle is not part of the room's name
                    said = said.removesuffix("的") or said
                if said == MISSING_ENTITY:
                    reason = "say which room"
                    continue
                slots[u.name] = said
                kind = {"name": "device", "area": "room", "floor": "floor"}[u.name]
                reason = f"there is no {kind} called '{said}'"
                break
        return IntentMatch(
            intent=best.intent.name,
            slots=slots,
            plan=Plan(source="intent", confidence=_CANNOT_CONFIDENCE, cannot=reason),
        )
