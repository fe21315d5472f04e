"""The planner's terse call syntax: render, parse, and the grammar that constrains decoding.

A plan is one line per skill call, or one `cannot` line:

    light_turn_off room=office
    climate_set_temperature device=climate.hall change=1
    speaker_announce message="dinner is ready" everywhere=true
    cannot "no oven"

A call is the skill name, then `key=value` pairs in the args model's field order. Values are bare ids,
numbers and `true`/`false`, `[a,b]` lists of ids, or a double-quoted text without quotes or newlines.
This is much shorter than JSON (fewer decode steps) and, with the grammar below, every output the model
can produce parses here and validates against the skill's pydantic model.

The grammar (lark syntax, for onnxruntime-genai's llguidance) is generated from the skill registry and the
context graph: each skill is one branch; a field named `device`/`car` can only be a device that has one of
the skill's capabilities, `room`/`rooms` a room id, `floor` a floor id, `person` a person id, `scene` a
scene id; enums are their options; bounded integers are exact range patterns, so an out-of-range value
cannot be emitted. Nothing here trusts the model: `parse_plan` validates again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fusehub.capabilities import CAPABILITIES
from fusehub.context.graph import ContextGraph
from fusehub.errors import SkillError
from fusehub.sdk import SkillInfo, SkillRegistry

__all__ = [
    "NOTHING",
    "Call",
    "CallSyntaxError",
    "ParsedPlan",
    "free_text_skills",
    "grammar_for",
    "int_range_regex",
    "parse_plan",
    "render_call",
    "render_plan",
]

TEXT_MAX = 60
"""Longest free text (messages, names) the grammar allows: printable ASCII, so at most one token a character."""

CANNOT_MAX = 48
NOTHING = "none"
"""The plan of something that is not a request ("thanks", "hello", an empty request): no call and no refusal;
the hub answers it and does nothing."""

MAX_CALLS = 3
"""Most calls in one plan. With TEXT_MAX and ASCII-only text this bounds any output the grammar allows to
MAX_OUTPUT_TOKENS, so decoding never stops in the middle of a call."""

MAX_OUTPUT_TOKENS = 256


class CallSyntaxError(ValueError):
    """The text is not a plan in the terse call syntax, or a call does not validate."""


@dataclass(frozen=True, slots=True)
class Call:
    """One skill call: the skill's name and its arguments (already typed)."""

    skill: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ParsedPlan:
    """A parsed plan: calls, or `cannot` naming what is missing."""

    calls: tuple[Call, ...]
    cannot: str | None = None


# ---------------------------------------------------------------------------------------------- rendering


def _render_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else f"{v:g}"
    if isinstance(v, list | tuple):
        return "[" + ",".join(_render_value(x) for x in v) + "]"
    s = str(v)
    if re.fullmatch(r"[A-Za-z0-9_.:\-]+", s) and s not in ("true", "false"):
        return s
    return '"' + s.replace('"', "'").replace("\n", " ")[:TEXT_MAX] + '"'


def _field_order(info: SkillInfo | None, args: dict[str, Any]) -> list[str]:
    if info is None:
        return list(args)
    order = list(info.args_model.model_fields)
    return [k for k in order if k in args] + [k for k in args if k not in order]


def render_call(call: Call, skills: SkillRegistry | None = None) -> str:
    """The terse line for one call; default-valued args (None, False) are left out."""
    info = skills.get(call.skill) if skills is not None and call.skill in skills else None
    props = _props(info) if info is not None else {}
    parts = [call.skill]
    for k in _field_order(info, call.args):
        v = call.args[k]
        if v is None or v is False or v == []:
            continue
        prop = props.get(k, {})
        free_text = isinstance(v, str) and k not in _ID_FIELDS and "string" in _types(prop) and _enum(prop) is None
        parts.append(f"{k}={_quote(v) if free_text else _render_value(v)}")
    return " ".join(parts)


def free_text_skills(skills: SkillRegistry) -> frozenset[str]:
    """The skills with a free-text argument (a message, a timer name): text that is data and may name anything."""
    return frozenset(
        info.name for info in skills
        if any(k not in _ID_FIELDS and "string" in _types(p) and _enum(p) is None for k, p in _props(info).items())
    )


def _quote(s: str) -> str:
    t = "".join(c if " " <= c <= "~" and c != '"' else ("'" if c == '"' else " ") for c in s)
    return '"' + t[:TEXT_MAX] + '"'


_PROPS: dict[type, dict[str, Any]] = {}


def _props(info: SkillInfo) -> dict[str, Any]:
    """The args model's JSON-schema properties (cached: building the schema costs about a millisecond)."""
    got = _PROPS.get(info.args_model)
    if got is None:
        got = _PROPS[info.args_model] = info.schema().get("properties", {})
    return got


def render_plan(plan: ParsedPlan, skills: SkillRegistry | None = None) -> str:
    if plan.cannot is not None:
        return "cannot " + _quote(_cannot_text(plan.cannot)) if plan.cannot else 'cannot "unknown"'
    if not plan.calls:
        return NOTHING
    return "\n".join(render_call(c, skills) for c in plan.calls)


def _cannot_text(s: str) -> str:
    t = re.sub(r"[^a-z0-9 '\-]", " ", s.lower())
    t = re.sub(r"\s+", " ", t).strip()[:CANNOT_MAX]
    return t or "unknown"


# ----------------------------------------------------------------------------------------------- parsing

_TOKEN = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)=("([^"\n]*)"|\[[^\]\n]*\]|[^\s"\[\]]+)')


def _convert(raw: str, quoted: str | None, prop: dict[str, Any]) -> Any:
    if quoted is not None:
        return quoted
    if raw.startswith("["):
        inner = raw[1:-1].strip()
        return [x.strip() for x in inner.split(",") if x.strip()] if inner else []
    types = _types(prop)
    if raw in ("true", "false") and "boolean" in types:
        return raw == "true"
    if raw == "null":
        return None
    if "integer" in types and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if ("number" in types or "integer" in types) and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        f = float(raw)
        return int(f) if f == int(f) and "integer" in types else f
    return raw


def parse_plan(text: str, skills: SkillRegistry) -> ParsedPlan:
    """Parse and validate a plan. Raises CallSyntaxError naming the first problem.

    A call repeated word for word (a small model sometimes emits `lock_lock device=x` twice) is kept once:
    the plan means it once, and the device should get one command."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        raise CallSyntaxError("empty plan")
    if lines == [NOTHING]:
        return ParsedPlan(())
    if lines[0].startswith("cannot"):
        m = re.fullmatch(r'cannot\s+"([^"\n]*)"', lines[0])
        if m is None or len(lines) > 1:
            raise CallSyntaxError(f"bad cannot line: {lines[0][:60]!r}")
        return ParsedPlan((), m.group(1).strip() or "unknown")
    calls = []
    for line in lines:
        name, _, rest = line.partition(" ")
        if name not in skills:
            raise CallSyntaxError(f"no skill {name[:40]!r}")
        info = skills.get(name)
        props = _props(info)
        args: dict[str, Any] = {}
        pos = 0
        rest = rest.strip()
        while pos < len(rest):
            m = _TOKEN.match(rest, pos)
            if m is None:
                raise CallSyntaxError(f"{name}: cannot read {rest[pos:pos + 30]!r}")
            key = m.group(1)
            if key not in props:
                raise CallSyntaxError(f"{name}: no argument {key!r}")
            if key in args:
                raise CallSyntaxError(f"{name}: {key} given twice")
            args[key] = _convert(m.group(2), m.group(3), props[key])
            pos = m.end()
            while pos < len(rest) and rest[pos] == " ":
                pos += 1
        try:
            model = info.validate_args(args)
        except SkillError as e:
            raise CallSyntaxError(str(e)) from None
        call = Call(name, model.model_dump(exclude_defaults=True))
        if call not in calls:
            calls.append(call)
    return ParsedPlan(tuple(calls))


# ----------------------------------------------------------------------------------------------- grammar


def _types(prop: dict[str, Any]) -> set[str]:
    if "anyOf" in prop:
        out: set[str] = set()
        for p in prop["anyOf"]:
            out |= _types(p)
        return out
    if "enum" in prop:
        return {"enum"}
    t = prop.get("type")
    return {t} if isinstance(t, str) else set()


def _bounds(prop: dict[str, Any]) -> tuple[float | None, float | None]:
    for p in [prop, *prop.get("anyOf", [])]:
        if "minimum" in p or "maximum" in p:
            return p.get("minimum"), p.get("maximum")
    return None, None


def _enum(prop: dict[str, Any]) -> list[Any] | None:
    for p in [prop, *prop.get("anyOf", [])]:
        if "enum" in p:
            return list(p["enum"])
    return None


def int_range_regex(lo: int, hi: int) -> str:
    """A regex matching exactly the decimal integers lo..hi (no leading zeros, '-' for negatives)."""
    if lo > hi:
        raise ValueError("empty range")
    parts: list[str] = []
    if lo < 0:
        neg_hi = min(hi, -1)
        parts.append("-(" + _nonneg_range(-neg_hi, -lo) + ")")
        lo = 0
    if hi >= 0:
        parts.append(_nonneg_range(max(lo, 0), hi))
    return "|".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


def _nonneg_range(lo: int, hi: int) -> str:
    """Alternatives for lo..hi, 0 <= lo <= hi, one group per digit count."""
    alts: list[str] = []
    while lo <= hi:
        width = len(str(lo))
        top = min(hi, 10**width - 1)
        alts.append(_fixed(str(lo), str(top)))
        lo = top + 1
    return "|".join(alts)


def _fixed(a: str, b: str) -> str:
    """A regex for the same-width digit strings a..b (a <= b)."""
    n = len(a)
    if n == 1:
        return a if a == b else f"[{a}-{b}]"
    if a[0] == b[0]:
        return a[0] + _group(_fixed(a[1:], b[1:]))
    rest = n - 1
    if a[1:] == "0" * rest and b[1:] == "9" * rest:
        return f"[{a[0]}-{b[0]}][0-9]{{{rest}}}" if rest > 1 else f"[{a[0]}-{b[0]}][0-9]"
    parts = [a[0] + _group(_fixed(a[1:], "9" * rest))]
    lo_d, hi_d = int(a[0]) + 1, int(b[0]) - 1
    if lo_d <= hi_d:
        digits = str(lo_d) if lo_d == hi_d else f"[{lo_d}-{hi_d}]"
        parts.append(digits + (f"[0-9]{{{rest}}}" if rest > 1 else "[0-9]"))
    parts.append(b[0] + _group(_fixed("0" * rest, b[1:])))
    return "(" + "|".join(parts) + ")"


def _group(r: str) -> str:
    return r if re.fullmatch(r"[0-9\[\]\-{}]*", r) else f"({r})"


def _lark_str(s: str) -> str:
    return json.dumps(s)


def _alts(values: Iterable[str]) -> str:
    vals = sorted(set(values))
    return "(" + " | ".join(_lark_str(v) for v in vals) + ")" if vals else ""


_ID_FIELDS = {"device", "car", "room", "floor", "person", "scene", "rooms", "capability", "attribute"}


@dataclass
class _Names:
    rooms: list[str]
    floors: list[str]
    people: list[str]
    scenes: list[str]


def _value_rule(
    skill: SkillInfo, key: str, prop: dict[str, Any], graph: ContextGraph, names: _Names, devices: Sequence[str] | None
) -> str | None:
    """The grammar expression for one argument's value; None when no value is possible (drop the arg)."""
    types = _types(prop)
    if key in ("device", "car"):
        caps = set(skill.capabilities)
        ids = [
            d.id
            for d in graph.devices()
            if (devices is None or d.id in devices) and (not caps or caps & set(d.capabilities))
        ]
        return _alts(ids) or None
    if key in ("room", "rooms"):
        alt = _alts(names.rooms)
        if not alt:
            return None
        return f'"[" {alt} ("," {alt})* "]"' if key == "rooms" else alt
    if key == "floor":
        return _alts(names.floors) or None
    if key == "person":
        return _alts(names.people) or None
    if key == "scene":
        return _alts(names.scenes) or None
    if key == "capability":
        return _alts(CAPABILITIES)
    if key == "attribute":
        attrs = {a for d in graph.devices() if devices is None or d.id in devices for a in d.attributes}
        if skill.permission == "read":  # questions may be about any state attribute too
            attrs |= {a for c in CAPABILITIES.values() for a in c.attributes}
        return _alts(_render_value(a) for a in attrs) or None
    if key == "value" and len(types) > 1:
        return '(/-?[0-9]{1,6}(\\.[0-9]{1,2})?/ | "true" | "false" | ' + f'/"[ !#-~]{{1,{TEXT_MAX}}}"/)'
    enum = _enum(prop)
    if enum is not None:
        return _alts(_render_value(e) for e in enum if e is not None)
    if "boolean" in types and not (types & {"integer", "number", "string"}):
        return '"true"'
    lo, hi = _bounds(prop)
    if "integer" in types or "number" in types:
        lo_i = int(lo) if lo is not None else -1000
        hi_i = int(hi) if hi is not None else 100000
        if "integer" in types or lo_i == hi_i:
            return f"/{int_range_regex(lo_i, hi_i)}/"
        return f"/({int_range_regex(lo_i, hi_i - 1)})(\\.5)?|{int_range_regex(hi_i, hi_i)}/"
    if "string" in types or not types:
        return f'/"[ !#-~]{{1,{TEXT_MAX}}}"/'
    return None


def _skill_rule(skill: SkillInfo, graph: ContextGraph, names: _Names, devices: Sequence[str] | None) -> str | None:
    if skill.capabilities and not any(set(skill.capabilities) & set(d.capabilities) for d in graph.devices()):
        return None  # nothing in the home can do it: the skill has no branch
    schema = skill.schema()
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    target_keys = [k for k in ("device", "room", "floor", "everywhere") if k in props]
    is_target = len(target_keys) == 4
    pieces: list[str] = []
    for key, prop in props.items():
        if is_target and key in target_keys:
            continue
        val = _value_rule(skill, key, prop, graph, names, devices)
        if val is None:
            if key in required:
                return None
            continue
        piece = f'" {key}=" {val}'
        pieces.append(piece if key in required else f"({piece})?")
    head = _lark_str(skill.name)
    if is_target:
        opts = []
        for key in ("device", "room", "floor"):
            val = _value_rule(skill, key, props[key], graph, names, devices)
            if val is not None:
                opts.append(f'" {key}=" {val}')
        opts.append('" everywhere=true"')
        head += " (" + " | ".join(opts) + ")?"
    return " ".join([head, *pieces])


def grammar_for(skills: SkillRegistry, graph: ContextGraph, devices: Sequence[str] | None = None) -> str:
    """The lark grammar of every plan valid for this registry and graph.

    `devices` narrows device arguments to those ids (the planner's view); None allows every device that has
    the capability. A skill whose required arguments cannot be filled (no such device) has no branch.
    """
    names = _Names(
        rooms=[r.id for r in graph.rooms()],
        floors=[f.id for f in graph.floors()],
        people=[p.id for p in graph.people()],
        scenes=[s.id for s in graph.scenes()],
    )
    rules = []
    for i, info in enumerate(skills):
        r = _skill_rule(info, graph, names, devices)
        if r is not None:
            rules.append((f"s{i}", r))
    lines = ["start: calls | cannot | nothing", f'nothing: "{NOTHING}"',
             "calls: " + " | ".join('call' + ' "\\n" call' * i for i in range(MAX_CALLS))]
    lines.append("call: " + " | ".join(n for n, _ in rules))
    lines += [f"{n}: {r}" for n, r in rules]
    lines.append(f'cannot: "cannot " /"[a-z0-9 \'\\-]{{1,{CANNOT_MAX}}}"/')
    return "\n".join(lines) + "\n"
