"""The small error tree of fusehub. Every error a user can cause is one of these, with a clear message."""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "BrokerUnreachable",
    "ConfigError",
    "DuplicateRegistration",
    "FusehubError",
    "PolicyRejection",
    "SkillError",
    "UnknownSkill",
]


class FusehubError(Exception):
    """Base of all fusehub errors."""


class ConfigError(FusehubError):
    """A config, home, rule or scenario file is missing or invalid (the message names the file and key)."""


class DuplicateRegistration(FusehubError):
    """A skill, adapter, rule or listener name was registered twice."""


class UnknownSkill(FusehubError):
    """A call named a skill that is not registered."""


class SkillError(FusehubError):
    """A skill could not turn its arguments into commands (no such device, value out of range, ...)."""


class PolicyRejection(FusehubError):
    """Policy refused a call; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AdapterError(FusehubError):
    """An adapter could not encode a command for a device."""


class BrokerUnreachable(FusehubError):
    """A client could not connect to the MQTT broker (the message names the broker's URL)."""
