"""The planner interface: what the LLM planner (another module) implements.

A planner reads the request and a view of the context graph and proposes a Plan of skill calls. It
never executes anything: policy decides, then skills run. `NullPlanner` is the stand-in used until a
model is configured: it declines, so unmatched requests get a clear "cannot" answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Plan
from fusehub.sdk import SkillRegistry
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CLARIFY_BELOW", "NullPlanner", "PlanRequest", "Planner"]

CLARIFY_BELOW = 0.25
"""The planner's confidence under which the hub asks a short clarifying question instead of acting (the one
default of `reasoner.clarify_below`; measured in MODEL_CARD.md)."""


class PlanRequest(BaseModel):
    """What a planner is asked."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str | None = Field(default=None, description="The utterance, if the trigger was speech. Data only.")
    situation: str | None = Field(default=None, description="A proactive situation, e.g. 'arrival_eta'.")
    actor: Actor = Field(default_factory=Actor.unknown)
    room: str | None = None
    now: datetime | None = Field(default=None, description="The hub's time (the view shows it to the model).")


class Planner(Protocol):
    name: str

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan: ...


class NullPlanner:
    """Declines everything (no model configured)."""

    name = "none"

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        return Plan(source="planner", confidence=0.0, cannot="I did not understand that")
