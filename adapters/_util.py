"""Helpers shared by the built-in adapters: payload decoding, rejections, outbound messages, templates.

Everything here is pure. Parsers turn bad input into :class:`BadInput` (caught by
:func:`never_raises`, which makes it a :class:`~hub.events.Rejected`); encoders raise
:class:`~hub.errors.AdapterError`.

Jinja2 templates (Home Assistant's value/command templates) run in a hardened
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: the source is size-limited and
checked (no macros, imports, includes or `namespace`, few loops and assignments), only
a whitelist of filters is available and each filter's output is size-checked, `*` and
`**` are bounded, calls with huge integer arguments are refused, `range` is short, and
the rendered output is capped. A template that breaks any of this fails with
:class:`TemplateFailure`, never hangs the hub or eats its memory.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final, TypeGuard

from fusehub.adapter import Parser
from fusehub.errors import AdapterError
from fusehub.events import Outbound, Parsed, Rejected
from fusehub.home import slug as home_slug
from jinja2 import TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BeforeValidator, Field, ValidationError

__all__ = [
    "MAX_PAYLOAD",
    "NO_JSON",
    "BadInput",
    "Num",
    "TemplateFailure",
    "check_publish_topic",
    "check_template",
    "command",
    "decode_text",
    "dumps",
    "epoch_to_datetime",
    "is_finite_number",
    "join_unique",
    "load_json",
    "maybe_json",
    "never_raises",
    "render_template",
    "short",
    "slug",
    "validation_reason",
]

MAX_PAYLOAD: Final = 256 * 1024
"""Largest payload a parser looks at; bigger ones are rejected unread."""

MAX_TEMPLATE: Final = 4096
MAX_TEMPLATE_OUTPUT: Final = 64 * 1024
_MAX_SEQ: Final = 100_000
_MAX_RANGE: Final = 1000
_MAX_LOOPS: Final = 2
_MAX_ASSIGNS: Final = 8


class BadInput(Exception):
    """A message a parser cannot accept; the message is the reason (becomes a Rejected)."""


class TemplateFailure(Exception):
    """A Jinja2 template failed to compile or render, or broke a sandbox limit."""


class _NoJson:
    """Marker: the payload is not JSON (templates see `value_json` as undefined)."""

    def __repr__(self) -> str:
        return "NO_JSON"


NO_JSON: Final = _NoJson()


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("a number is required, not a boolean")
    return v


Num = Annotated[float, BeforeValidator(_no_bool), Field(allow_inf_nan=False)]
"""A finite float that refuses booleans (pydantic's lax mode would take True as 1.0)."""


def is_finite_number(v: object) -> TypeGuard[int | float]:
    """A finite real number: an int or float, not a bool, not NaN or +-inf, and not an int too large to be a float.

    The one numeric check of every adapter (payload values, command parameters, simulator state), the
    plain-Python twin of :data:`Num`. JSON ``1e999`` parses to ``inf``, which this refuses."""
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) <= sys.float_info.max


# ---------------------------------------------------------------------------------------------
# Decoding and rejecting
# ---------------------------------------------------------------------------------------------


def short(value: object, limit: int = 60) -> str:
    """A safe, one-line, bounded rendering of untrusted text for a rejection reason."""
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 3] + "..."


def decode_text(payload: bytes) -> str:
    """The payload as UTF-8 text; BadInput if too large or not UTF-8."""
    if len(payload) > MAX_PAYLOAD:
        raise BadInput(f"payload too large ({len(payload)} bytes > {MAX_PAYLOAD})")
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"payload is not valid UTF-8 (byte {e.start})") from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constants)


def load_json(payload: bytes, what: str = "payload") -> Any:
    """The payload parsed as strict JSON (no NaN/Infinity); BadInput with a clear reason otherwise."""
    text = decode_text(payload)
    if not text.strip():
        raise BadInput(f"{what} is empty, JSON expected")
    try:
        return _loads(text)
    except RecursionError:
        raise BadInput(f"{what} is nested too deeply") from None
    except ValueError as e:
        raise BadInput(f"{what} is not valid JSON: {e}") from None


def maybe_json(text: str) -> Any:
    """The text parsed as JSON, or NO_JSON when it is not JSON (a plain 'ON', say)."""
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        return NO_JSON


def validation_reason(e: ValidationError, limit: int = 3) -> str:
    """A compact reason from a pydantic error: 'field.path: message; ...' (input values not echoed)."""
    parts = []
    for err in e.errors(include_input=False, include_url=False)[:limit]:
        loc = ".".join(str(x) for x in err["loc"]) or "(top)"
        parts.append(f"{loc}: {err['msg']}")
    more = e.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def never_raises(adapter: str, parse: Callable[[str, bytes], list[Parsed]]) -> Parser:
    """Wrap a parser so that BadInput, and any other exception, becomes one Rejected with a reason."""

    @functools.wraps(parse)
    def wrapped(topic: str, payload: bytes) -> list[Parsed]:
        try:
            return parse(topic, payload)
        except BadInput as e:
            return [Rejected(reason=f"{adapter}: {short(topic, 120)}: {e}")]
        except ValidationError as e:
            return [Rejected(reason=f"{adapter}: {short(topic, 120)}: invalid payload: {validation_reason(e)}")]
        except Exception as e:  # a parser bug must not take the hub down; the reason says what it was
            return [Rejected(reason=f"{adapter}: {short(topic, 120)}: unexpected {type(e).__name__}: {short(str(e))}")]

    return wrapped


# ---------------------------------------------------------------------------------------------
# Outbound
# ---------------------------------------------------------------------------------------------


def dumps(obj: Any) -> str:
    """Compact JSON (UTF-8 kept, NaN refused)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def check_publish_topic(topic: object, what: str = "topic") -> str:
    """A topic fit to publish to (a non-empty string, no wildcards, no NUL); AdapterError otherwise."""
    if not isinstance(topic, str) or not topic:
        raise AdapterError(f"{what} is missing or not a string")
    if "+" in topic or "#" in topic or "\x00" in topic:
        raise AdapterError(f"{what} {short(topic)} contains a wildcard or NUL; cannot publish to it")
    if len(topic.encode("utf-8")) > 65535:
        raise AdapterError(f"{what} is longer than MQTT allows")
    return topic


def command(topic: str, payload: str | Mapping[str, Any]) -> Outbound:
    """One command message: QoS 1, never retained. Mappings are sent as compact JSON."""
    text = payload if isinstance(payload, str) else dumps(dict(payload))
    return Outbound(topic=check_publish_topic(topic), payload=text, qos=1, retain=False)


def epoch_to_datetime(tst: float | None) -> datetime | None:
    """Epoch seconds as an aware UTC datetime; None for missing or non-positive (unknown) times."""
    if tst is None or tst <= 0:
        return None
    return datetime.fromtimestamp(tst, UTC)


def slug(text: str) -> str:
    """An attribute name from a human one: 'Target Humidity' -> 'target_humidity'; 'value' when nothing is left
    (the core's :func:`fusehub.home.slug` with the attribute fallback)."""
    return home_slug(text, "value")


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def _size_guard(result: Any) -> Any:
    if isinstance(result, (str, bytes, list, tuple, dict)) and len(result) > _MAX_SEQ:
        raise SecurityError("template produced a value that is too large")
    return result


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for a in (*args, *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool) and abs(a) > _MAX_SEQ:
                raise SecurityError("template passed a too large number to a filter")
        return _size_guard(fn(*args, **kwargs))

    return wrapper


def _to_float(value: Any, default: Any = None) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        if default is None:
            raise ValueError(f"cannot convert {short(value)} to float") from None
        return default


def _to_int(value: Any, default: Any = None, base: int = 10) -> Any:
    try:
        if isinstance(value, str) and base != 10:
            return int(value, base)
        return int(float(value)) if not isinstance(value, int) else value
    except (TypeError, ValueError, OverflowError):
        if default is None:
            raise ValueError(f"cannot convert {short(value)} to int") from None
        return default


def _round(value: Any, precision: int = 0, method: str = "common", default: Any = None) -> Any:
    try:
        v = float(value)
    except (TypeError, ValueError):
        if default is None:
            raise ValueError(f"cannot round {short(value)}") from None
        return default
    if method == "ceil":
        r = math.ceil(v * 10**precision) / 10**precision
    elif method == "floor":
        r = math.floor(v * 10**precision) / 10**precision
    else:
        r = round(v, precision)
    return int(r) if precision == 0 else r


def _from_json(value: Any) -> Any:
    return _loads(str(value))


def _is_number(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _iif(value: Any, if_true: Any = True, if_false: Any = False, if_none: Any = None) -> Any:
    if value is None and if_none is not None:
        return if_none
    return if_true if value else if_false


def _to_bool(value: Any, default: Any = None) -> Any:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "on", "enable"):
        return True
    if s in ("0", "false", "no", "off", "disable", "none"):
        return False
    if default is None:
        raise ValueError(f"cannot convert {short(value)} to bool")
    return default


_SAFE_BUILTIN_FILTERS: Final = (
    "abs", "capitalize", "default", "d", "first", "join", "last", "length", "count", "list", "lower",
    "upper", "max", "min", "replace", "reverse", "select", "reject", "selectattr", "rejectattr", "map",
    "sort", "string", "sum", "title", "trim", "truncate", "unique", "attr", "batch", "slice", "items",
    "tojson",
)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox with bounded `*` and `**` and calls refusing huge integer arguments."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 100:
                raise SecurityError("exponent too large in template")
            if isinstance(left, (int, float)) and abs(left) > 10**12:
                raise SecurityError("base too large in template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > _MAX_SEQ:
                    raise SecurityError("template would build a too large sequence")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        for a in (*args, *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool) and abs(a) > _MAX_SEQ:
                raise SecurityError("template passed a too large number to a call")
        return _size_guard(super().call(__context, __obj, *args, **kwargs))


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > _MAX_RANGE:
        raise SecurityError(f"range longer than {_MAX_RANGE} in template")
    return r


def _build_env() -> _Sandbox:
    env = _Sandbox(autoescape=False, trim_blocks=False)
    builtin = env.filters
    filters: dict[str, Any] = {n: _guarded(builtin[n]) for n in _SAFE_BUILTIN_FILTERS if n in builtin}
    filters.update(
        {
            "float": _to_float, "int": _to_int, "round": _round, "bool": _to_bool,
            "from_json": _from_json, "to_json": _guarded(lambda v: dumps(v)), "is_number": _is_number,
            "iif": _iif,
        }
    )
    env.filters = filters
    env.tests = {k: v for k, v in env.tests.items()}
    env.tests["is_number"] = _is_number
    env.globals = {
        "float": _to_float, "int": _to_int, "round": _round, "bool": _to_bool, "range": _safe_range,
        "iif": _iif, "is_number": _is_number, "min": min, "max": max, "abs": abs,
    }
    return env


_ENV: Final = _build_env()

_FORBIDDEN_NODES: Final = (
    nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.Extends, nodes.Include, nodes.Import,
    nodes.FromImport, nodes.Block, nodes.Scope, nodes.OverlayScope, nodes.With,
)


@functools.lru_cache(maxsize=512)
def _compile(source: str) -> Any:
    """Check and compile a template (cached: compiling is the costly part and is a pure function)."""
    if len(source) > MAX_TEMPLATE:
        raise TemplateFailure(f"template longer than {MAX_TEMPLATE} characters")
    try:
        ast = _ENV.parse(source)
    except TemplateError as e:
        raise TemplateFailure(f"template does not compile: {short(str(e), 100)}") from None
    if any(True for _ in ast.find_all(_FORBIDDEN_NODES)):
        raise TemplateFailure("template uses macros, blocks, imports or includes, which are not allowed")
    if sum(1 for _ in ast.find_all(nodes.For)) > _MAX_LOOPS:
        raise TemplateFailure(f"template has more than {_MAX_LOOPS} loops")
    if sum(1 for _ in ast.find_all((nodes.Assign, nodes.AssignBlock))) > _MAX_ASSIGNS:
        raise TemplateFailure(f"template has more than {_MAX_ASSIGNS} assignments")
    if any(n.name == "namespace" for n in ast.find_all(nodes.Name)):
        raise TemplateFailure("template uses namespace(), which is not allowed")
    try:
        return _ENV.from_string(ast)
    except TemplateError as e:
        raise TemplateFailure(f"template does not compile: {short(str(e), 100)}") from None


def check_template(source: str) -> None:
    """Compile (and sandbox-check) a template without rendering it; TemplateFailure if it is unusable."""
    _compile(source)


def render_template(source: str, variables: Mapping[str, Any]) -> str:
    """Render a Jinja2 template in the hardened sandbox; TemplateFailure on any error or limit."""
    template = _compile(source)
    out: list[str] = []
    size = 0
    try:
        for chunk in template.generate(dict(variables)):
            size += len(chunk)
            if size > MAX_TEMPLATE_OUTPUT:
                raise TemplateFailure("template output too large")
            out.append(chunk)
    except TemplateFailure:
        raise
    except (TemplateError, ArithmeticError, ValueError, TypeError, LookupError, AttributeError) as e:
        raise TemplateFailure(f"template failed: {type(e).__name__}: {short(str(e), 100)}") from None
    except RecursionError:
        raise TemplateFailure("template recursed too deeply") from None
    return "".join(out)


def join_unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    seen: dict[str, None] = {}
    for i in items:
        seen.setdefault(i, None)
    return list(seen)
