"""YAML loading with YAML 1.2 booleans: only true/false are booleans, so keys such as `on`, `off`,
`yes` and `no` (device attributes!) stay strings, as people mean them."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

__all__ = ["YAMLError", "describe_error", "load_mapping", "safe_load", "validate"]

M = TypeVar("M", bound="BaseModel")

YAMLError = yaml.YAMLError


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def safe_load(text: str) -> Any:
    """yaml.safe_load with YAML 1.2 booleans."""
    return yaml.load(text, Loader=_Loader)


def describe_error(e: yaml.YAMLError, source: str) -> str:
    """`FILE:LINE:COLUMN: not valid YAML: problem`, naming the file rather than PyYAML's "<unicode string>"."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    context = getattr(e, "context", None)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    return f"{where}: not valid YAML: {problem}" + (f" ({context})" if context else "")


def load_mapping(text: str, source: str, what: str) -> dict[str, Any]:
    """Parse YAML that must be a mapping; ConfigError names the file (and the line) when it is not."""
    from fusehub.errors import ConfigError

    try:
        data = safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(describe_error(e, source)) from e
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: {what} must be a mapping")
    return data


def line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the value at a key path (pydantic's `loc`) in YAML text; the deepest line found."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)),
                       None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validate(model: type[M], data: Any, source: str, what: str, text: str | None = None) -> M:
    """Validate with pydantic; ConfigError lists each bad key's path and the problem (with its line when the
    YAML text is given)."""
    from fusehub.errors import ConfigError
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as e:
        lines = []
        for er in e.errors():
            key = ".".join(str(x) for x in er["loc"]) or "(top)"
            line = line_of(text, tuple(er["loc"])) if text is not None else None
            lines.append(f"  {key}{f' (line {line})' if line else ''}: {er['msg']}")
        raise ConfigError(f"{source}: invalid {what}:\n" + "\n".join(lines)) from e
