# ruff: noqa: RUF001  (Chinese text uses full-width punctuation on purpose)
"""Plain Chinese for the sentence templates: what a Chinese request says around the command, taken off, and common
synonyms said the way Home Assistant's zh-CN templates say them.

The matcher first reads a request as it was said; only when no template matches does it read
:func:`plain_zh` of it. Each rule is general Chinese usage, not a sentence:

- politeness around a command (请, 帮我, 麻烦 ... 吧, 啊, 呢);
- softeners: 一下 after a verb (开一下灯 = 开灯), 再 before a change (再亮一些 = 亮一些), the measure word in
  开个灯, 完全 before open/close, 给 ("for": 给书房开灯, 把灯给关了);
- quantifiers that change nothing for a room's lights (都, 全部: "the lights" in a room are all of them,
  conventions rule 3), 里 after a place (卫生间里的灯), 这儿 for 这里;
- verbs with the same meaning as the templates' (熄灭 = 关闭, 拉开 = 打开, 设成 / 改成 = 设置为, 声音 = 音量).

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
    ("开到", "调到"), ("声音", "音量"), ("这儿", "这里"), ("关上", "关掉"), ("改成", "设置为"), ("调整为", "设置为"),
    ("设置成", "设置为"), ("开起来", "打开"), ("亮起来", "打开"), ("拉开来", "打开"), ("熄了", "关掉"),
    ("不用开了", "关掉"), ("定时器", "计时器"),
)
_FILLERS = re.compile(r"(?<=[开关调设拉合])一下|再(?=[亮暗高低调升降加减])|(?<=[开关])个(?=灯)|完全(?=[打关拉开])"
                      r"|(?<=.)给(?=[开关调打拉])|^给(?=.)|(?<=的灯)(?:都|全部|全都|全)|(?<=灯)(?:都|全部|全都)"
                      r"|(?<=[^\s])里的")


def plain_zh(text: str) -> str:
    """`text` without politeness and softeners, with common synonyms in the templates' words."""
    t = _PUNCT.sub("", text.strip())
    t = _TAIL.sub("", _LEAD.sub("", t))
    t = _FILLERS.sub(lambda m: "的" if m.group(0) == "里的" else "", t)
    for said, plain in _SYNONYMS:
        t = t.replace(said, plain)
    return t or text
