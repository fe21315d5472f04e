"""Numbers spoken in a request: durations ("an hour and a half") and levels ("to 40 percent", "to the max").

Used by grounded decoding (:mod:`hub.reasoner.grounding`): a timer the model starts may only last a duration
the request's words say, and a brightness, volume or position it sets may only be a level they say. Pure
functions over the words; a request they find nothing in is not narrowed.

A duration is one or more (number, unit) groups joined by "and", commas or nothing, units falling (hours, then
minutes, then seconds): "1 hour 15 minutes", "5 minutes and 10 seconds". A group's number is digits ("11",
"1.5"), number words ("twenty five", "a", "an") or a fraction ("half a minute", "1/2 an hour", "a quarter of
an hour", "5 and a half minutes", "an hour and a half"). Chinese requests are read by :mod:`.spoken_zh`.
"""

from __future__ import annotations

import re

from fusehub.language import has_han
from fusehub.reasoner.spoken_zh import zh_durations, zh_levels

__all__ = ["says_target_level", "spoken_durations", "spoken_levels"]

_UNITS: dict[str, int] = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
}
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(_ONES)} | {w: float(v) for w, v in _TENS.items()}
_WORDS |= {"a": 1.0, "an": 1.0}
_HALF = {"half", "1/2"}
_TOKEN = re.compile(r"\d+/\d+|\d+(?:\.\d+)?|[a-z]+")


def _words(text: str) -> list[str]:
    """The lower-case words and numbers of `text` ("twenty-five" is two words)."""
    return _TOKEN.findall(text.lower().replace("-", " "))


def _number(ws: list[str], i: int) -> tuple[float, int] | None:
    """The number starting at word i and the index after it."""
    w = ws[i]
    if re.fullmatch(r"\d+(?:\.\d+)?", w):
        return float(w), i + 1
    if w in _TENS and i + 1 < len(ws) and ws[i + 1] in _WORDS and 0 < _WORDS[ws[i + 1]] < 10 \
            and ws[i + 1] not in ("a", "an"):
        return _TENS[w] + _WORDS[ws[i + 1]], i + 2
    if w in _WORDS:
        if i + 1 < len(ws) and ws[i + 1] == "hundred":  # "one hundred", "a hundred" (levels go up to 100)
            return _WORDS[w] * 100, i + 2
        return _WORDS[w], i + 1
    return None


def _group(ws: list[str], i: int) -> tuple[float, int, int] | None:
    """One (seconds, unit size, index after) group starting at word i, or None."""
    n = len(ws)

    def at(j: int, *opts: str) -> bool:
        return j < n and ws[j] in opts

    # "half a minute", "1/2 an hour", "a half hour"
    if ws[i] in _HALF and at(i + 1, "a", "an") and i + 2 < n and ws[i + 2] in _UNITS:
        u = _UNITS[ws[i + 2]]
        return 0.5 * u, u, i + 3
    if at(i, "a") and at(i + 1, "half") and i + 2 < n and ws[i + 2] in _UNITS:
        u = _UNITS[ws[i + 2]]
        return 0.5 * u, u, i + 3
    # "a quarter of an hour"
    if at(i, "a") and at(i + 1, "quarter") and at(i + 2, "of") and at(i + 3, "a", "an") and i + 4 < n \
            and ws[i + 4] in _UNITS:
        u = _UNITS[ws[i + 4]]
        return 0.25 * u, u, i + 5
    num = _number(ws, i)
    if num is None:
        return None
    v, j = num
    # "5 and a half minutes", "1 and a 1/2 hours", "1 and 1/2 hours"
    if at(j, "and") and at(j + 1, "a") and at(j + 2, *_HALF):
        v, j = v + 0.5, j + 3
    elif at(j, "and") and at(j + 1, *_HALF):
        v, j = v + 0.5, j + 2
    if j >= n or ws[j] not in _UNITS:
        return None
    u = _UNITS[ws[j]]
    j += 1
    # "an hour and a half"
    if at(j, "and") and at(j + 1, "a") and at(j + 2, "half") and not (j + 3 < n and ws[j + 3] in _UNITS):
        v, j = v + 0.5, j + 3
    return v * u, u, j


def spoken_durations(text: str) -> frozenset[int]:
    """The durations, in whole seconds, that `text` says (one per separate duration phrase)."""
    ws = _words(text)
    out: set[int] = set()
    i = 0
    while i < len(ws):
        g = _group(ws, i)
        if g is None:
            i += 1
            continue
        total, unit, i = g
        while i < len(ws):
            j = i + 1 if ws[i] == "and" else i
            nxt = _group(ws, j) if j < len(ws) else None
            if nxt is None or nxt[1] >= unit:
                break
            total, unit, i = total + nxt[0], nxt[1], nxt[2]
        if total > 0 and total == int(total):
            out.add(int(total))
    if has_han(text):  # "倒计时二十分钟": Chinese numerals and units
        out |= zh_durations(text)
    return frozenset(out)


_MAX = ("max", "maximum", "highest", "full", "fully", "brightest", "loudest", "as bright as", "as loud as",
        "all the way")
_MIN = ("min", "minimum", "lowest", "dimmest", "quietest", "as dim as", "as low as", "as quiet as", "all the way")
_MID = ("half", "halfway", "half way", "middle")


def spoken_levels(text: str) -> frozenset[int]:
    """The levels (0-100: brightness, volume, position) that `text` says: its whole numbers ("40", "forty"),
    100 for "max"/"full"/"as bright as..", 1 for "min"/"lowest"/"as dim as..", 50 for "half"/"halfway";
    "all the way" counts as either end. Empty when it says none."""
    ws = _words(text)
    low = " " + " ".join(ws) + " "
    out: set[int] = set()
    i = 0
    while i < len(ws):
        num = None if ws[i] in ("a", "an") else _number(ws, i)
        if num is None:
            i += 1
            continue
        v, i = num
        if v == int(v):
            out.add(int(v))
    for words, level in ((_MAX, 100), (_MIN, 1), (_MID, 50)):
        if any(f" {w} " in low for w in words):
            out.add(level)
    if has_han(text):  # "百分之三十", "一半": Chinese numerals count as a level only as a percentage (一下, 一点)
        out |= zh_levels(text)
    return frozenset(out)


def says_target_level(text: str) -> bool:
    """Whether `text` says a level to go TO and no amount to change BY: "turn the volume down to 90 percent",
    "increase the brightness to 40", "blinds to the max". Such a request sets an absolute level, so its call
    carries no relative ``change`` (grounding bars the key); "up by 10" and "turn it up 15" still do."""
    ws = _words(text)
    to_level = by_amount = False
    for i, w in enumerate(ws[:-1]):
        j = i + 1 + (ws[i + 1] in ("the", "a"))
        if j >= len(ws):
            continue
        nxt = ws[j]
        level = (_number(ws, j) is not None and nxt not in ("a", "an")) or nxt in _MAX + _MIN + _MID
        if w == "to" and level:
            to_level = True
        elif w == "by" and level:
            by_amount = True
    return to_level and not by_amount
