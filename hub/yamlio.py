"""YAML loading with YAML 1.2 booleans: only true/false are booleans, so keys such as `on`, `off`,
`yes` and `no` (device attributes!) stay strings, as people mean them."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

__all__ = ["YAMLError", "load_mapping", "safe_load", "validate"]

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


def load_mapping(text: str, source: str, what: str) -> dict[str, Any]:
    """Parse YAML that must be a mapping; ConfigError names the file when it is not."""
    from fusehub.errors import ConfigError

    try:
        data = safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: {what} must be a mapping")
    return data


def validate(model: type[M], data: Any, source: str, what: str) -> M:
    """Validate with pydantic; ConfigError lists each bad key's path and the problem."""
    from fusehub.errors import ConfigError
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as e:
        lines = "\n".join(f"  {'.'.join(str(x) for x in er['loc']) or '(top)'}: {er['msg']}" for er in e.errors())
        raise ConfigError(f"{source}: invalid {what}:\n{lines}") from e
