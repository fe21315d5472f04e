"""The on-hub LLM planner: a small fine-tuned model in onnxruntime-genai, constrained to valid skill calls.

Per request: build the view of the graph (hub/context/view.py), rewind the generator to the cached system
prefix (instructions + skill names, fed once), append the user turn, and decode under a lark grammar
generated from the skill registry and the graph (hub/reasoner/calls.py), with forced tokens on: whatever
the model prefers, it can only emit calls of registered skills, with closed typed arguments, naming devices
that have the capability. The text is then parsed and validated again with the skills' pydantic models; a
failure there is counted and answered with "cannot", never acted on.

On top of the grammar, decoding is grounded per request (:mod:`hub.reasoner.grounding`): device arguments only
name devices in the view, and for an utterance room and floor arguments only name what its words name or the
speaker's room. Each sampled step lowers the tokens that would leave that set (`set_logits`) before the grammar
picks.

Confidence is the lowest probability the model gave any token it chose (the forced ones excluded; read after
grounding, so a choice grounding forced on an unwilling model has a probability near zero). Below
`clarify_below` the plan carries no calls, only a short clarifying question for the speaker.

One generator is kept per grammar; the grammar changes only when the graph's devices, rooms, people, scenes
or attributes change (a signature is compared per request). onnxruntime-genai runs the decoding loop in C++;
this class is used from one worker thread at a time (a lock), called through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from fusehub.context.graph import ContextGraph
from fusehub.context.view import build_view
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.calls import (
    MAX_OUTPUT_TOKENS,
    CallSyntaxError,
    ParsedPlan,
    free_text_skills,
    grammar_for,
    parse_plan,
    render_call,
)
from fusehub.reasoner.grounding import Grounder, Grounding, grounding_for
from fusehub.reasoner.planner import CLARIFY_BELOW, PlanRequest
from fusehub.reasoner.prompt import split_user, system_prompt, user_turn
from fusehub.sdk import SkillRegistry

__all__ = ["LlmPlanner", "PlannerStats", "Trace"]

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = MAX_OUTPUT_TOKENS
"""Enough for any output the grammar allows (so no plan is cut short)."""
HOME_MAX = 256
"""Most tokens of the cached home part (rooms, people) of the user turn."""
REST_MAX = 320
"""Most tokens of the per-request part (devices, speaker, the request)."""


@dataclass
class PlannerStats:
    """Counters a benchmark or the hub's metrics read."""

    requests: int = 0
    invalid: int = 0
    cannot: int = 0
    grounded_steps: int = 0
    """Sampled steps at which grounding held back at least one token."""
    clarified: int = 0
    ungrounded: int = 0
    """Plans whose grammar forced an argument grounding bars (no sampled step to lower): confidence 0, so the hub
    asks back instead of acting."""
    grammar_builds: int = 0
    decode_tokens: int = 0
    decode_s: float = 0.0


@dataclass
class Trace:
    """What happened in the last request: for `fusehub plan --explain`, the eval and the benchmarks."""

    prompt_tokens: int = 0
    new_tokens: int = 0
    sampled_steps: int = 0
    prefill_s: float = 0.0
    decode_s: float = 0.0
    total_s: float = 0.0
    text: str = ""
    view: str = ""
    confidence: float = 0.0
    error: str | None = None
    probs: list[float] = field(default_factory=list)


def _malloc_trim() -> Any:
    """glibc's `malloc_trim`, or None elsewhere. Each request frees the per-step logits copies and the grammar's
    scratch memory; glibc keeps freed pages in its arenas, so a hub's resident memory grows by about 30 MiB over
    its first requests unless they are handed back (measured by bench/hub_memory.py: 383 -> 354 MiB)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def _signature(graph: ContextGraph) -> str:
    parts: list[Any] = [
        sorted((d.id, tuple(sorted(d.capabilities)), tuple(sorted(d.attributes))) for d in graph.devices()),
        sorted(r.id for r in graph.rooms()),
        sorted(f.id for f in graph.floors()),
        sorted(p.id for p in graph.people()),
        sorted(s.id for s in graph.scenes()),
    ]
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()


class LlmPlanner:
    """Planner backed by an onnxruntime-genai model folder (built by `fusehub model build`)."""

    name = "llm"

    def __init__(
        self,
        model_dir: Path,
        skills: SkillRegistry,
        *,
        threads: int = 2,
        clarify_below: float = CLARIFY_BELOW,
        max_new_tokens: int = MAX_NEW_TOKENS,
        ground: bool = True,
    ) -> None:
        import onnxruntime_genai as og  # the runtime is only needed when a model is configured

        self._og = og
        self.model_dir = Path(model_dir)
        self.skills = skills
        self.free_text = free_text_skills(skills)
        self.clarify_below = clarify_below
        self.max_new_tokens = max_new_tokens
        config = og.Config(str(self.model_dir))
        config.overlay(json.dumps({"model": {"decoder": {"session_options": {
            "intra_op_num_threads": threads, "inter_op_num_threads": 1, "enable_cpu_mem_arena": False}}}}))
        self.model = og.Model(config)
        self.tokenizer = og.Tokenizer(self.model)
        genai = json.loads((self.model_dir / "genai_config.json").read_text())["model"]
        eos = genai.get("eos_token_id", [])
        self._eos: tuple[int, ...] = tuple(eos) if isinstance(eos, list) else (int(eos),)
        self._prefix = self.tokenizer.encode(system_prompt(skills))
        self.ground = ground
        keys = {k for info in skills for k in info.schema().get("properties", {})}
        vocab = (str(self.tokenizer.decode([i])) for i in range(int(genai["vocab_size"])))
        self._grounder = Grounder(vocab, self._eos, keys)
        self._gen: Any = None
        self._sig: str | None = None
        self._home: str | None = None
        self._home_ids: list[int] = []
        self._grammar = ""
        self._lock = threading.Lock()
        self._trim = _malloc_trim()
        self.stats = PlannerStats()
        self.last = Trace()

    @classmethod
    def load(cls, model_dir: Path, skills: SkillRegistry, **kw: Any) -> LlmPlanner:
        if not (Path(model_dir) / "genai_config.json").exists():
            raise FileNotFoundError(f"no model in {model_dir}: run `fusehub model build`")
        return cls(model_dir, skills, **kw)

    # ------------------------------------------------------------------------------------------ generator

    def _generator(self, graph: ContextGraph, home: str) -> Any:
        """The generator positioned after the cached prefix: system part, then the home part of the user turn."""
        sig = _signature(graph)
        if self._gen is None or sig != self._sig:
            og = self._og
            self._grammar = grammar_for(self.skills, graph)
            params = og.GeneratorParams(self.model)
            # the KV cache is allocated for max_length up front: keep it tight (memory), inputs are cut to fit
            params.set_search_options(max_length=len(self._prefix) + HOME_MAX + REST_MAX + self.max_new_tokens + 8,
                                      do_sample=False)
            params.set_guidance("lark_grammar", self._grammar, True)
            gen = og.Generator(self.model, params)
            gen.append_tokens(self._prefix)
            self._gen, self._sig, self._home, self._home_ids = gen, sig, None, []
            self.stats.grammar_builds += 1
        if home != self._home:
            self._gen.rewind_to(len(self._prefix))
            ids = self.tokenizer.encode(home)[:HOME_MAX]
            self._gen.append_tokens(ids)
            self._home, self._home_ids = home, list(ids)
        else:
            self._gen.rewind_to(len(self._prefix) + len(self._home_ids))
        return self._gen

    def warm(self, graph: ContextGraph) -> None:
        """Build the grammar and feed the prefix now (the first request then costs what later ones do)."""
        view = build_view(graph, None)
        with self._lock:
            self._generator(graph, split_user(user_turn(view.render(), "x"))[0])

    # ------------------------------------------------------------------------------------------ planning

    def generate(self, user: str, graph: ContextGraph, grounding: Grounding | None = None) -> str:
        """Decode the plan text for one user turn (already containing the view). Fills `self.last`.

        With `grounding`, each sampled step first lowers the tokens that would name a room or device the request
        cannot refer to (:mod:`hub.reasoner.grounding`); the confidence is then read from the lowered logits, and
        steps inside a number the words pinned (a timer's spoken length) do not count towards it; at a step where
        grounding lowered something, the probability is taken among the call syntax's tokens (`Grounder.share`)."""
        t0 = time.perf_counter()
        home, rest = split_user(user)
        gen = self._generator(graph, home)
        ids = self.tokenizer.encode(rest)[-REST_MAX:]  # never overflow the cache; the trigger is at the end
        tr = Trace(prompt_tokens=len(ids))
        gen.append_tokens(ids)
        t1 = time.perf_counter()
        start = len(self._prefix) + len(self._home_ids) + len(ids)
        count = start
        probs: list[float] = []
        while not gen.is_done() and count - start < self.max_new_tokens:
            logits = np.asarray(gen.get_logits(), dtype=np.float32).reshape(-1)
            pinned = held_any = False
            if grounding is not None:
                # read the sequence after get_logits, not reuse the one read after the last step: the grammar's
                # forced tokens ("=" after " room") are appended by then, and the ban depends on them
                so_far = str(self.tokenizer.decode(gen.get_sequence(0)[start:]))
                held = self._grounder.banned(so_far, grounding)
                pinned = self._grounder.pinned(so_far, grounding)
                if held:
                    held_any = True
                    logits = self._grounder.apply(logits, held)
                    gen.set_logits(logits)
                    self.stats.grounded_steps += 1
            gen.generate_next_token()
            seq = gen.get_sequence(0)
            new = len(seq)
            done = gen.is_done()
            if (new > count or done) and not pinned:
                # the step's logits belong to its one sampled token; the grammar appends forced tokens around it,
                # and those have no probability of their own here. The sampled (greedy) token is the most
                # probable of the new ones; on the last step it may be the end token, which the sequence omits.
                cands = [int(t) for t in seq[count:new]] + (list(self._eos) if done else [])
                if held_any:  # renormalized over the call syntax's tokens (see Grounder.share)
                    probs.append(self._grounder.share(logits, cands))
                else:
                    z = logits - logits.max()
                    e = np.exp(z)
                    probs.append(float(max(e[t] for t in cands) / e.sum()))
            count = new
        seq = list(gen.get_sequence(0))[start:]
        if self._trim is not None:
            self._trim(0)  # hand freed memory back to the system (a few microseconds)
        t2 = time.perf_counter()
        text = str(self.tokenizer.decode(seq)).replace("<|im_end|>", "").strip()
        tr.new_tokens, tr.sampled_steps = len(seq), len(probs)
        tr.prefill_s, tr.decode_s, tr.text, tr.probs = t1 - t0, t2 - t1, text, probs
        tr.confidence = min(probs) if probs else 0.0
        self.stats.decode_tokens += len(seq)
        self.stats.decode_s += t2 - t1
        self.last = tr
        return text

    def plan_sync(self, request: PlanRequest, graph: ContextGraph, now: datetime | None = None) -> Plan:
        t0 = time.perf_counter()
        speaker = request.actor.id if request.actor.kind == "person" else None
        view = build_view(graph, request.text, speaker=speaker, room=request.room, situation=request.situation,
                          now=now or request.now)
        view_text = view.render()
        user = user_turn(view_text, request.text, request.situation)
        grounding = (grounding_for(view, graph, text=request.text, room=request.room, free=self.free_text,
                                   speaker=speaker)
                     if self.ground else None)
        with self._lock:
            self.stats.requests += 1
            text = self.generate(user, graph, grounding)
            self.last.view = view_text
            try:
                parsed = parse_plan(text, self.skills)
            except CallSyntaxError as e:
                self.stats.invalid += 1
                self.last.error = str(e)
                log.warning("planner output rejected (%s): %r", e, text[:200])
                self.last.total_s = time.perf_counter() - t0
                return Plan(source="planner", confidence=0.0, cannot="I could not make sense of that")
            self.last.total_s = time.perf_counter() - t0
            confidence = self.last.confidence
            if grounding is not None and any(not grounding.permits(k, v, c.skill)
                                             for c in parsed.calls for k, v in c.args.items()):
                # forced tokens (the grammar left one way on) are never sampled, so grounding could not hold them
                # back: "8." from the bedroom was `media_set_volume device=living_tv`, the only media player
                self.stats.ungrounded += 1
                log.info("planner plan names what the request cannot refer to: %r", text[:200])
                confidence = 0.0
            return self._to_plan(parsed, confidence, graph)

    def _to_plan(self, parsed: ParsedPlan, confidence: float, graph: ContextGraph) -> Plan:
        if parsed.cannot is not None:
            self.stats.cannot += 1
            return Plan(source="planner", confidence=confidence, cannot=f"I can't do that: {parsed.cannot}")
        calls = [SkillCall(skill=c.skill, args=c.args) for c in parsed.calls]
        if not calls:  # "none": not a request (a greeting, thanks): nothing to do, nothing to ask back
            return Plan(source="planner", confidence=confidence, speech="OK.")
        if confidence < self.clarify_below:
            self.stats.clarified += 1
            what = "; ".join(render_call(c, self.skills).replace("_", " ") for c in parsed.calls)
            return Plan(source="planner", confidence=confidence,
                        speech=f"I'm not sure I understood. Did you mean: {what}? Please say it again.")
        return Plan(source="planner", calls=calls, confidence=confidence)

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        return await asyncio.to_thread(self.plan_sync, request, graph)
