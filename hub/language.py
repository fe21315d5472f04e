"""Languages the hub understands and answers in, and which one a request is in.

A home has a `language` (default ``en``) and each person may have their own. The speaker's language (else the
home's) is the request's language, unless the request's own script says otherwise: a request in Chinese
characters only is Chinese, one in Latin letters only is English, whoever says it (a Chinese-speaking
household still says "turn on the TV" now and then). Text with both ("打开TV", "are the lights on in the 客厅":
names stay as the home file spells them) or neither (digits, punctuation) keeps the speaker's language.
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "candidate_languages", "has_han", "normalize_language", "request_language"]

DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "zh-CN")
"""Supported language tags, as Home Assistant's sentence templates name them."""

_ALIASES = {
    "en": "en", "en-us": "en", "en-gb": "en", "english": "en",
    "zh": "zh-CN", "zh-cn": "zh-CN", "zh-hans": "zh-CN", "zh-hans-cn": "zh-CN", "chinese": "zh-CN",
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def normalize_language(tag: str) -> str:
    """The supported tag for `tag` ('zh', 'zh_CN', 'zh-cn' -> 'zh-CN'); ValueError for a language the hub lacks."""
    key = tag.strip().replace("_", "-").casefold()
    if key not in _ALIASES:
        raise ValueError(f"unsupported language {tag!r}: use one of {', '.join(LANGUAGES)}")
    return _ALIASES[key]


def has_han(text: str) -> bool:
    """True when `text` holds a Chinese character."""
    return _HAN.search(text) is not None


def request_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language `text` is in: zh-CN with Chinese characters only, en with Latin letters only, else
    `default` (the speaker's)."""
    han, latin = has_han(text), _LATIN.search(text) is not None
    if han and not latin:
        return "zh-CN"
    if latin and not han:
        return "en"
    return default


def candidate_languages(text: str, default: str = DEFAULT_LANGUAGE) -> list[str]:
    """The languages to read `text` in, in order: its own when its script says so; for text that mixes Chinese
    characters and Latin letters, `default` first and then the other one."""
    if has_han(text) and _LATIN.search(text) is not None:
        return list(dict.fromkeys([default, *(lang for lang in ("zh-CN", "en") if lang != default)]))
    return [request_language(text, default)]
