# ruff: noqa: RUF001  (Chinese text uses full-width punctuation on purpose)
"""What the hub says, per language: one table of messages, and the Chinese for the English reasons the intent
handlers give.

The handlers and the matcher reason in English (``there is no fan in the kitchen``); a request in another language
gets its reply through :func:`localize`, which reads such a reason with a small table of patterns (one per reason
the handlers give) and says it in that language. Names inside a reason (a room, a device) stay as the home file
spells them. A reason no pattern reads stays English rather than being guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["MESSAGES", "localize", "message", "say_all"]

MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {"en": "Hello.", "zh-CN": "你好，我在呢。"},
    "thanks": {"en": "You're welcome.", "zh-CN": "不客气。"},
    "goodbye": {"en": "Goodbye.", "zh-CN": "再见。"},
    "acknowledgement": {"en": "OK.", "zh-CN": "好的。"},
    "who": {"en": "I'm fusehub, this home's hub.", "zh-CN": "我是 fusehub，这个家的中枢。"},
    "listening": {"en": "I only listen after the wake word.", "zh-CN": "不会，只有你说出唤醒词后我才会开始监听。"},
    "data": {"en": "Your requests stay on this hub, in your home.", "zh-CN": "你的请求只在家里的这台中枢上处理。"},
    "commands": {"en": "You can ask me to control the home's devices and about their state.",
                 "zh-CN": "你可以让我控制家里的设备，也可以问我它们的状态。"},
    "creator": {"en": "I'm fusehub, built by its contributors.", "zh-CN": "我是 fusehub，由它的贡献者开发。"},
    "device_in_room": {"en": "{device} is in the {room}.", "zh-CN": "{device}在{room}。"},
    "device_no_room": {"en": "{device} is not in any room.", "zh-CN": "{device}不在任何房间里。"},
    "no_room_known": {"en": "I don't know which room you're in", "zh-CN": "我不知道你在哪个房间"},
    "no_attribute": {"en": "{device} has no {attribute}", "zh-CN": "{device}没有{attribute}"},
}
"""Message key -> language -> text (str.format fields in braces)."""

_ZH_WORDS: dict[str, str] = {
    "light": "灯", "dimmable light": "可调光的灯", "fan": "风扇", "switch": "开关", "thermostat": "空调或温控器",
    "temperature sensor": "温度传感器", "media player": "播放器", "cover": "窗帘或卷帘", "curtain": "窗帘",
    "blind": "百叶窗", "shade": "遮阳帘", "shutter": "卷帘", "awning": "遮阳篷", "window": "窗户", "door": "门",
    "gate": "大门", "garage": "车库门", "vacuum": "扫地机器人", "lock": "锁", "device": "设备", "room": "房间",
    "floor": "楼层", "sensor": "传感器", "binary_sensor": "传感器", "climate": "空调", "media_player": "播放器",
    "brightness": "亮度", "volume": "音量", "position": "位置", "temperature": "温度", "volume level": "音量",
    "current_temperature": "温度", "target_temperature": "目标温度", "the home": "家里",
}


def _w(text: str) -> str:
    return _ZH_WORDS.get(text, text)


def _place(text: str) -> str:
    """'the 客厅' -> 客厅, 'the 二楼 floor' -> 二楼, 'the home' -> 家里."""
    if text == "the home":
        return "家里"
    m = re.fullmatch(r"the (.+?)(?: floor)?", text)
    return m.group(1) if m else text


_Zh = Callable[[re.Match[str]], str]
_ZH: list[tuple[re.Pattern[str], _Zh]] = [(re.compile(p, re.IGNORECASE), f) for p, f in (
    (r"there is no room called '(.+)'", lambda m: f"没有叫“{m[1]}”的房间"),
    (r"there is no floor called '(.+)'", lambda m: f"没有叫“{m[1]}”的楼层"),
    (r"there is no device called '(.+)'", lambda m: f"没有叫“{m[1]}”的设备"),
    (r"there is nobody called '(.+)'", lambda m: f"没有叫“{m[1]}”的人"),
    (r"there is no (.+) on the (.+) floor", lambda m: f"{m[2]}没有{_w(m[1])}"),
    (r"there is no (.+) in (the .+)", lambda m: f"{_place(m[2])}没有{_w(m[1])}"),
    (r"there's no (.+) in the (.+)", lambda m: f"{m[2]}没有{_w(m[1])}"),
    (r"there are no rooms on (the .+)", lambda m: f"{_place(m[1])}没有房间"),
    (r"there is no vacuum in the home", lambda m: "家里没有扫地机器人"),
    (r"more than one device is called '(.+)'; say which room",
     lambda m: f"有不止一个叫“{m[1]}”的设备，请说是哪个房间的"),
    (r"(.+) is not a (.+)", lambda m: f"{m[1]}不是{_w(m[2])}"),
    (r"(.+) can only open or close", lambda m: f"{m[1]}只能打开或关闭"),
    (r"(.+) cannot be switched (on|off)", lambda m: f"{m[1]}不能{'打开' if m[2] == 'on' else '关闭'}"),
    (r"(.+) has no (.+)", lambda m: f"{m[1]}没有{_w(m[2])}"),
    (r"a scene cannot be turned off", lambda m: "场景不能关闭"),
    (r"people cannot be switched on or off", lambda m: "人不能打开或关闭"),
    (r"say a brightness, colour or colour temperature", lambda m: "请说亮度、颜色或色温"),
    (r"say how long the timer should run", lambda m: "请说计时器要多长时间"),
    (r"say what to announce", lambda m: "请说要广播什么"),
    (r"say which room to clean", lambda m: "请说要打扫哪个房间"),
    (r"say which room", lambda m: "请说是哪个房间"),
    (r"say which device, room or floor", lambda m: "请说是哪个设备、房间或楼层"),
    (r"that has no state to ask about", lambda m: "这个没有可以查询的状态"),
    (r"cannot ask about (.+) yet", lambda m: f"还不能查询{_w(m[1])}"),
    (r"cannot switch every (.+) at once", lambda m: f"不能一次开关所有{_w(m[1])}"),
    (r"delayed commands are not supported yet", lambda m: "还不支持延时命令"),
    (r"timers are chosen by name, not by room; say which timer, or cancel all timers",
     lambda m: "计时器按名字区分，不按房间；请说是哪个计时器，或者取消所有计时器"),
    (r"timers are chosen by name, not by room; say which timer",
     lambda m: "计时器按名字区分，不按房间；请说是哪个计时器"),
    (r"(.+) (\d+(?:\.\d+)?) is out of range", lambda m: f"{_w(m[1])} {m[2]} 超出范围"),
    (r"I did not understand that", lambda m: "抱歉，我没听懂"),
    (r"I don't know which room you're in", lambda m: "我不知道你在哪个房间"),
    (r"I can't do that: (.+)", lambda m: f"我做不到：{m[1]}"),
    (r"I can't go back a track yet", lambda m: "我还不能切换到上一首"),
    (r"I can't search for media to play yet", lambda m: "我还不能搜索要播放的内容"),
    (r"I can't mute yet; ask me to set the volume instead", lambda m: "我还不能静音，可以让我调节音量"),
    (r"I can't unmute yet; ask me to set the volume instead", lambda m: "我还不能取消静音，可以让我调节音量"),
    (r"timers can't be changed once started; cancel it and start a new one",
     lambda m: "计时器开始后不能更改，请取消后重新设置一个"),
    (r"timers can't be paused yet", lambda m: "计时器还不能暂停"),
    (r"timers can't be paused or resumed yet", lambda m: "计时器还不能暂停或继续"),
    (r"I have no weather service", lambda m: "我没有天气服务"),
    (r"I can't tell the time yet", lambda m: "我还不能报时"),
    (r"I can't tell the date yet", lambda m: "我还不能告诉你日期"),
    (r"I have no lists yet", lambda m: "我还没有清单功能"),
    (r"I have no shopping list yet", lambda m: "我还没有购物清单"),
    (r"I can't control a lawn mower yet", lambda m: "我还不能控制割草机"),
    (r"I can't set fan speeds yet", lambda m: "我还不能设置风扇转速"),
    (r"I can't set a thermostat's fan mode yet", lambda m: "我还不能设置空调的风扇模式"),
)]


_ZH_STATES: dict[str, str] = {
    "on": "开着", "off": "关着", "locked": "已上锁", "unlocked": "未上锁", "open": "开着", "closed": "关着",
    "opening": "正在打开", "closing": "正在关闭", "detecting motion": "检测到移动", "clear": "没有检测到",
    "occupied": "有人", "playing": "正在播放", "paused": "已暂停", "idle": "空闲", "stopped": "已停止",
    "heat": "制热", "cool": "制冷", "auto": "自动", "dry": "除湿", "fan_only": "送风", "heat_cool": "冷暖自动",
    "docked": "在充电座上", "cleaning": "正在清扫", "returning": "正在返回充电座", "unknown": "未知",
}
_ZH_MEASURES: dict[str, str] = {
    "brightness": "亮度", "current temperature": "当前温度", "target temperature": "目标温度", "volume": "音量",
    "position": "位置", "value": "数值",
}
_UNITS = {"hour": "小时", "hours": "小时", "minute": "分钟", "minutes": "分钟", "second": "秒", "seconds": "秒"}


def _zh_part(part: str) -> str:
    """One part of a state description: 'on' -> 开着, 'brightness 40%' -> 亮度40%."""
    if part in _ZH_STATES:
        return _ZH_STATES[part]
    for en, zh in _ZH_MEASURES.items():
        if part.startswith(en + " "):
            return zh + part[len(en) + 1:]
    return part


def _zh_duration(text: str) -> str:
    """'1 minute 30 seconds' -> 1分钟30秒."""
    return re.sub(r"(\d+) (hours?|minutes?|seconds?)\s*", lambda m: m[1] + _UNITS[m[2]], text).strip()


_DURATION = re.compile(r"(?:\d+ (?:hours?|minutes?|seconds?)\s*)+")


def _zh_timer(text: str) -> str:
    """'the 5 minute timer' -> 5分钟计时器, 'the tea timer' -> tea计时器."""
    name = re.sub(r"^(?:the|The) ", "", text).removesuffix(" timer")
    if _DURATION.fullmatch(name):
        name = _zh_duration(name)
    return f"{name}计时器"


_ZH_SPEECH: list[tuple[re.Pattern[str], _Zh]] = [(re.compile(p), f) for p, f in (
    (r"(.+) is offline", lambda m: f"{m[1]}离线"),
    (r"(.+): state unknown", lambda m: f"{m[1]}状态未知"),
    (r"I don't know where (.+) is", lambda m: f"我不知道{m[1]}在哪里"),
    (r"(.+) is in the (.+) \((\d+)% sure\)", lambda m: f"{m[1]}在{m[2]}（把握{m[3]}%）"),
    (r"(.+) is at home \((\d+)% sure\)", lambda m: f"{m[1]}在家（把握{m[2]}%）"),
    (r"(.+) is away \((\d+)% sure\)", lambda m: f"{m[1]}不在家（把握{m[2]}%）"),
    (r"(.+) is (.+) \((\d+)% sure\)", lambda m: f"{m[1]}在{m[2]}（把握{m[3]}%）"),
    (r"(.+) activated", lambda m: f"已启动{m[1]}"),
    (r"Started a timer for (.+)", lambda m: f"已设置{_zh_duration(m[1])}的计时器"),
    (r"Started (.+ timer) for (.+)", lambda m: f"已开始{_zh_timer(m[1])}，时长{_zh_duration(m[2])}"),
    (r"Cancelled (.+)", lambda m: "已取消" + "和".join(_zh_timer(t) for t in m[1].split(" and "))),
    (r"No timers are running", lambda m: "没有正在运行的计时器"),
    (r"(The .+ timer) has (.+) left", lambda m: f"{_zh_timer(m[1])}还剩{_zh_duration(m[2])}"),
    (r"That needs an owner's confirmation \((.+)\)", lambda m: f"这需要户主确认（{localize(m[1], 'zh-CN')}）"),
    (r"Sorry, I can't: (.+)", lambda m: f"抱歉，不能这样做：{localize(m[1], 'zh-CN')}"),
    (r"Sorry, (.+)", lambda m: f"抱歉，{localize(m[1], 'zh-CN')}"),
    (r"(.+?) is ((?:[^,]+)(?:, [^,]+)*)", lambda m: f"{m[1]}：" + "，".join(_zh_part(p) for p in m[2].split(", "))),
)]


def say_all(parts: list[str], language: str) -> str:
    """The spoken answer from its parts (skills' speech, reasons), said in `language`: English joins them with
    '. ', Chinese says each (skills' answers too) and joins them with '。'."""
    if language != "zh-CN":
        return ". ".join(parts)
    return "。".join(_zh_speech(p) for p in parts)


def _zh_speech(text: str) -> str:
    said = localize(text, "zh-CN")
    if said != text:
        return said
    out = []
    for part in text.split("; "):  # query_state and timer_status answer one part per device or timer
        for pattern, say in _ZH_SPEECH:
            m = pattern.fullmatch(part.strip())
            if m is not None:
                out.append(say(m))
                break
        else:
            out.append(part)
    return "；".join(out)


def message(key: str, language: str, **fields: str) -> str:
    """Message `key` in `language` (English where the table has no such language), fields filled in."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**fields)


def localize(text: str, language: str) -> str:
    """An English reason said in `language`: the first pattern that reads all of it, else `text` unchanged."""
    if language != "zh-CN":
        return text
    for pattern, say in _ZH:
        m = pattern.fullmatch(text.strip())
        if m is not None:
            return say(m)
    return text
