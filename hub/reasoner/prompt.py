"""The planner's prompt, shared by training and inference so both see exactly the same text.

    <|im_start|>system
    {SYSTEM}
    skills {name name ...}<|im_end|>
    <|im_start|>user
    {view lines}
    say {utterance}            (or: situation {what happened})<|im_end|>
    <|im_start|>assistant
    {plan in the terse call syntax}<|im_end|>

The system part depends only on the skill registry, so the runtime feeds it once and rewinds to it after
each request. The utterance is data: it is put on its own line after `say`, with line breaks and control
characters removed, so it cannot add lines to the view or close the user turn (`<|` is broken up too).
"""

from __future__ import annotations

import re

from fusehub.sdk import SkillRegistry

__all__ = ["SYSTEM", "assistant_end", "clean_text", "split_user", "system_prompt", "user_turn"]

SYSTEM = (
    "You are fusehub, a home hub. Read the home and the request, then answer with skill calls, "
    'one per line, using only ids from the home. If a device or attribute is missing, answer cannot "what is missing".'
)

_END = "<|im_end|>"


def clean_text(text: str, limit: int = 200) -> str:
    """An utterance or situation as one safe line of data."""
    t = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    t = t.replace("<|", "< |").replace("|>", "| >")
    return re.sub(r"\s+", " ", t).strip()[:limit]


def system_prompt(skills: SkillRegistry) -> str:
    """The fixed prefix: instructions and the skill names (their arguments are enforced by the grammar)."""
    names = " ".join(s.name for s in skills)
    return f"<|im_start|>system\n{SYSTEM}\nskills {names}{_END}\n"


def user_turn(view: str, text: str | None, situation: str | None = None) -> str:
    """The per-request part: the view, the trigger, and the assistant header."""
    trigger = f"say {clean_text(text)}" if text else f"situation {clean_text(situation or '')}"
    return f"<|im_start|>user\n{view}\n{trigger}{_END}\n<|im_start|>assistant\n"


def assistant_end() -> str:
    return _END


def split_user(user: str) -> tuple[str, str]:
    """Split a user turn into its home part (header, rooms and person lines: stable between requests, so the
    runtime caches it after the system prefix) and the rest. Training tokenizes the two parts separately too,
    so both see the same token ids."""
    lines = user.split("\n")
    cut = 1
    for i, ln in enumerate(lines[1:], start=1):
        if ln.startswith("rooms ") or ln.startswith("person "):
            cut = i + 1
        else:
            break
    return "\n".join(lines[:cut]) + "\n", "\n".join(lines[cut:])
