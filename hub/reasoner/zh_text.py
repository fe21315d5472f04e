# ruff: noqa: RUF001  (Chinese text uses full-width punctuation on purpose)
"""Plain Chinese for the sentence templates: what a Chinese request says around the command, taken off, and common
synonyms said the way Home Assistant's zh-CN templates say them.

The matcher first reads a request as it was said; only when no template matches does it read
:func:`plain_zh` of it. Each rule is general Chinese usage, not a sentence: politeness around a command (请, 帮我,
麻烦 ... 吧, 啊, 呢), the softener 一下 after a verb (开一下灯 = 开灯) and 再 before a change (再亮一些 = 亮一些),
quantifiers that change nothing for a room's
lights (都, 全部: "the lights" in a room are all of them, conventions rule 3), 里 after a place (卫生间里的灯), 这儿
for 这里, and verbs with the same meaning as the templates' (熄灭 = 关闭, 拉开 = 打开, 设成 = 设置为, 声音 = 音量).
Pure functions of the text.
"""

from __future__ import annotations

import re

__all__ = ["plain_zh"]

_LEAD = re.compile(r"^(?:请你|请|麻烦你|麻烦|你帮我|帮我|帮忙|给我|替我|能不能|能否|可以|可不可以)+")
_TAIL = re.compile(r"(?:好吗|好不好|行吗|可以吗|谢谢|吧|啊|呀|呢|哦|啦|嘛|哈|喔)+$")
_PUNCT = re.compile(r"[，。！？!?,.、；;：:~～\s]+$")
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("熄灭", "关闭"), ("熄掉", "关掉"), ("关起来", "关闭"), ("合上", "关闭"), ("拉上", "关闭"), ("拉开", "打开"),
    ("开开", "打开"), ("设成", "设置为"), ("设为", "设置为"), ("定在", "设置为"), ("调成", "调到"), ("弄到", "调到"),
    ("开到", "调到"), ("声音", "音量"), ("这儿", "这里"), ("关上", "关掉"),
)
_FILLERS = re.compile(r"(?<=[开关调设拉合])一下|再(?=[亮暗高低调升降加减])"
                      r"|(?<=的灯)(?:都|全部|全都|全)|(?<=灯)(?:都|全部|全都)|(?<=[^\s])里的")


def plain_zh(text: str) -> str:
    """`text` without politeness and softeners, with common synonyms in the templates' words."""
    t = _PUNCT.sub("", text.strip())
    t = _TAIL.sub("", _LEAD.sub("", t))
    t = _FILLERS.sub(lambda m: "的" if m.group(0) == "里的" else "", t)
    for said, plain in _SYNONYMS:
        t = t.replace(said, plain)
    return t or text
