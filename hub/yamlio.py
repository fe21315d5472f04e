"""YAML loading with YAML 1.2 booleans: only true/false are booleans, so keys such as `on`, `off`,
`yes` and `no` (device attributes!) stay strings, as people mean them."""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["YAMLError", "safe_load"]

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
