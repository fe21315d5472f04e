# ruff: noqa: RUF001  (Chinese numerals and full-width signs on purpose)
"""Numbers spoken in a Chinese request: durations (二十分钟, 1小时10分钟, 一个半小时, 半分钟) and levels
(百分之三十, 30%, 一半, 最亮). The Chinese half of :mod:`fusehub.reasoner.spoken`, which grounded decoding
reads: a timer the model starts may only last a duration the words say, a level it sets only a level they say.

Numerals are digits or Chinese (零 一 二 两 三 ... 九 十 百 千, e.g. 二十五, 一百, 两千); a duration is one or more
(number, unit) groups, units falling (小时 / 钟头, then 分钟 / 分, then 秒 / 秒钟). Pure functions over the text.
"""

from __future__ import annotations

import re

__all__ = ["zh_durations", "zh_levels", "zh_number"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS_10 = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_UNIT = {"小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600, "分钟": 60, "分": 60, "秒钟": 1, "秒": 1}
_GROUP = re.compile(rf"({_NUM})(个半|半)?(个小时|小时|个钟头|钟头|分钟|分|秒钟|秒)")
_HALF = re.compile(r"半(?:个)?(小时|钟头|分钟)")


def zh_number(s: str) -> float | None:
    """The value of digits or a Chinese numeral ('25', '二十五', '两', '一百零五'); None if it is neither."""
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS_10:
            total += (current or 1) * _UNITS_10[ch]
            current = 0
        else:
            return None
    return float(total + current) if s else None


def zh_durations(text: str) -> set[int]:
    """The durations, in whole seconds, that `text` says (consecutive falling units add up: 1小时10分钟)."""
    out: set[int] = set()
    total, last_unit, last_end = 0.0, 0, -1
    for m in _GROUP.finditer(text):
        n = zh_number(m.group(1))
        if n is None:
            continue
        unit = _UNIT[m.group(3)]
        value = (n + (0.5 if m.group(2) else 0.0)) * unit
        if last_end >= 0 and text[last_end:m.start()].strip("和零又") == "" and unit < last_unit:
            total += value
        else:
            if total:
                out.add(int(total))
            total = value
        last_unit, last_end = unit, m.end()
    if total:
        out.add(int(total))
    for m in _HALF.finditer(text):
        if m.start() == 0 or text[m.start() - 1] not in "个一二两三四五六七八九十0123456789":
            out.add(int(0.5 * _UNIT[m.group(1)]))
    return {s for s in out if s > 0}


_LEVEL = re.compile(rf"百分之({_NUM})|({_NUM})\s*[%％]")
_MAX = ("最亮", "最大", "最高", "最响", "调满", "开满", "全开")
_MIN = ("最暗", "最小", "最低", "最轻")


def zh_levels(text: str) -> set[int]:
    """The 0-100 levels `text` says: 百分之N and N%, 50 for 一半, 100 for 最亮 / 最大, 1 for 最暗 / 最小."""
    out: set[int] = set()
    for m in _LEVEL.finditer(text):
        n = zh_number(m.group(1) or m.group(2))
        if n is not None and n == int(n):
            out.add(int(n))
    if "一半" in text:
        out.add(50)
    if any(w in text for w in _MAX):
        out.add(100)
    if any(w in text for w in _MIN):
        out.add(1)
    return out
