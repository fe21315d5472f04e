"""Sentence templates for local intent matching: Home Assistant's (`home-assistant-intents`) plus fusehub's
additions, parsed once per process and language; the subset the mapping handles; and a relaxed copy used only to
explain unknown names.

Parsing every template takes a noticeable part of a short-lived command's time (`fusehub plan`), so the parsed
templates are kept in a cache file keyed by the template data and the hassil version
(`$FUSEHUB_TEMPLATE_CACHE`, default `~/.cache/fusehub/templates/`). The file is written by this module only; one
that cannot be read is parsed again and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from dataclasses import replace
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from fusehub.reasoner.intents_handlers import CANNOT_INTENTS, HANDLERS, UNSUPPORTED
from fusehub.reasoner.sentences import extra_intents, merge
from hassil import Intents, filter_intents
from hassil.intents import Intent, IntentData
from home_assistant_intents import get_intents

__all__ = ["all_templates", "mapped_templates", "relaxed_templates", "template_cache_dir"]

log = logging.getLogger(__name__)


def template_cache_dir() -> Path:
    env = os.environ.get("FUSEHUB_TEMPLATE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "fusehub" / "templates"


def _parsed(merged: dict[str, object]) -> Intents:
    intents = Intents.from_dict(merged)
    for intent in intents.intents.values():  # hassil parses a block's sentences on first use: all of them now
        for data in intent.data:
            _ = data.sentences
    return intents


def _cached(language: str, merged: dict[str, object]) -> Intents:
    key = hashlib.sha256(json.dumps([version("hassil"), pickle.HIGHEST_PROTOCOL, merged], sort_keys=True,
                                    default=str).encode()).hexdigest()[:20]
    path = template_cache_dir() / f"{language}-{key}.pickle"
    try:
        with path.open("rb") as f:
            found = pickle.load(f)
        if isinstance(found, Intents):
            return found
    except FileNotFoundError:
        pass
    except Exception as e:  # a truncated or stale file: parse again and replace it
        log.info("template cache %s unreadable (%s): parsing again", path, e)
    intents = _parsed(merged)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(intents, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError as e:  # a read-only home: parse each time
        log.info("cannot write the template cache %s: %s", path, e)
    return intents


@lru_cache(maxsize=4)
def all_templates(language: str) -> Intents:
    """All of the language's intents (Home Assistant's plus fusehub's additions), parsed: ~0.15 s."""
    data = get_intents(language)
    if data is None:
        raise ValueError(f"home-assistant-intents has no templates for language {language!r}")
    return _cached(language, merge(data, extra_intents(language)))


@lru_cache(maxsize=4)
def mapped_templates(language: str) -> Intents:
    """The intents :data:`HANDLERS` maps or :data:`UNSUPPORTED` declines: no other intent can win.

    English chit-chat (Home Assistant's HassRespond) is left to the small-talk stage, which has its own replies."""
    names = set(HANDLERS) | set(UNSUPPORTED)
    if language == "en":
        names.discard("HassRespond")
    return filter_intents(all_templates(language), intent_names=names)


# Blocks never used to explain an unknown name: bare-name templates ("[activate] {name} [scene]",
# "what is {name}") would turn any short sentence into "there is no device called ...".
_NOT_DEVICE_DOMAINS = frozenset({"scene", "script", "button", "input_button", "person", "weather", "todo"})
_OPEN_ENDED = frozenset({("HassGetState", "name_only")})


@lru_cache(maxsize=4)
def relaxed_templates(language: str) -> Intents:
    """Device-control and state-question blocks without their `domain` requirement.

    Only used to explain unknown names: "unlock the shed door" matches `unlock [<the>] {name}`
    only for a name whose domain is lock, and a name the home does not have has no domain.
    """
    base = mapped_templates(language)
    intents: dict[str, Intent] = {}
    for name, intent in base.intents.items():
        if name not in CANNOT_INTENTS and name not in UNSUPPORTED:
            continue
        data: list[IntentData] = []
        for d in intent.data:
            domains = d.requires_context.get("domain")
            combination = (d.metadata or {}).get("slot_combination")
            if (name, combination) in _OPEN_ENDED:
                continue
            if domains is None:
                data.append(d)
            elif not set(domains if isinstance(domains, list) else [domains]) & _NOT_DEVICE_DOMAINS:
                relaxed = {k: v for k, v in d.requires_context.items() if k != "domain"}
                data.append(replace(d, requires_context=relaxed))
        if data:
            intents[name] = Intent(name=name, data=data)
    return replace(base, intents=intents)
