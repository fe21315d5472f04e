"""Per person, a discrete Bayesian filter over the states of `fusion_space`: the belief, its prediction
between observations, its update by a likelihood, and the triggers on it.

Prediction moves the belief with the transition model, then applies what the passing time itself says: a
door that just opened (`RoomFusion.door_flow`), rooms whose motion sensors or cameras saw nothing
(`RoomFusion.quiet`), room nodes that did not hear the person's tag (`RoomFusion.node_silence`), and the
silence of a tagged person's BLE while they are believed home (each reading interval without one multiplies
home states by the Poisson chance of hearing nothing, floored by the chance the tag stopped working).
An update multiplies the belief by a likelihood and renormalises.

Triggers are on beliefs with hysteresis: ``arrived`` fires once when P(home) rises to ``arrive_threshold``
after the person was believed away, ``left`` once when it falls to ``leave_threshold``; ``room_changed``
when another room becomes the most likely and passes ``room_threshold``.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from fusehub.context.fusion_model import (
    AWAY,
    NEAR_IN,
    NEAR_OUT,
    BeliefEvent,
    EvidenceEntry,
    FusedInput,
    FusionConfig,
    PersonBelief,
    describe,
    from_ts,
)
from fusehub.context.fusion_space import StateSpace
from fusehub.home import Home

if TYPE_CHECKING:
    from fusehub.context.fusion_rooms import RoomFusion

__all__ = ["Beliefs", "PersonState"]


class PersonState:
    """One person's belief (`p`, over the states) and the bookkeeping its prediction and triggers need."""

    __slots__ = (
        "ble_last", "ble_seen", "evidence", "home_flag", "id", "last_t", "node_applied", "node_last", "p",
        "room_flag", "room_t0", "silence_applied", "since",
    )

    def __init__(self, pid: str, n: int, nrooms: int, keep: int) -> None:
        self.id = pid
        # prior: half home (spread over rooms), half elsewhere
        self.p = [0.5 / nrooms] * nrooms + [0.5 / (n - nrooms)] * (n - nrooms) if nrooms else [1.0 / n] * n
        self.last_t: float | None = None
        self.ble_seen = False
        self.ble_last: float | None = None
        self.silence_applied = 1.0
        self.home_flag: bool | None = None
        self.room_flag: str | None = None
        self.room_t0: float | None = None
        self.since: float | None = None
        self.node_last: dict[int, float] = {}  # node room index -> when that node last heard the tag
        self.node_applied: dict[int, float] = {}  # node room index -> silence factor already applied
        self.evidence: deque[EvidenceEntry] = deque(maxlen=keep)


class Beliefs:
    """Every person's belief: prediction (`propagate`), update (`apply`), triggers and the location read."""

    def __init__(self, home: Home, cfg: FusionConfig, space: StateSpace, rooms: RoomFusion) -> None:
        self.cfg = cfg
        self.space = space
        self.rooms = rooms
        self.people: dict[str, PersonState] = {
            p.id: PersonState(p.id, space.n, space.nr, cfg.evidence_keep) for p in home.people
        }

    # ---------------------------------------------------------------- prediction
    def propagate(self, ps: PersonState, t: float) -> None:
        """Move the person's belief forward to `t`."""
        if ps.last_t is None:
            ps.last_t = t
            return
        dt = t - ps.last_t
        if dt <= 0:
            return
        t0 = ps.last_t
        ps.last_t = t
        sp = self.space
        p, n, nr = ps.p, sp.n, sp.nr
        new = [0.0] * n
        pool = 0.0
        rate, dest, pshare = sp.rate, sp.dest, sp.pool
        for s in range(n):
            ms = p[s]
            if ms <= 0.0:
                continue
            stay = math.exp(-rate[s] * dt)
            new[s] += ms * stay
            move = ms - ms * stay
            for d, f in dest[s]:
                new[d] += move * f
            pool += move * pshare[s]
        if pool > 0.0:
            share = pool / nr
            for s in range(nr):
                new[s] += share
        rooms = self.rooms
        rooms.door_flow(new, t0, t)
        rooms.quiet(new, dt)
        # an online node that does not hear a tag others hear: that node's room is less likely (within home);
        # a node that is offline, or heard nobody for a while (presumed down), is no evidence
        if rooms.node_heard and ps.ble_last is not None and t - ps.ble_last <= self.cfg.tag_alive_s:
            rooms.node_silence(ps, new, t)
        # BLE silence of a tagged person: home is less likely with every interval nobody heard the tag
        if ps.ble_seen and ps.ble_last is not None:
            silent = t - ps.ble_last - self.cfg.ble_silence_grace_s
            if silent > 0:
                c = self.cfg
                target = c.ble_fail + (1.0 - c.ble_fail) * math.exp(-c.ble_rate_home * silent)
                ratio = target / ps.silence_applied
                ps.silence_applied = target
                for s in range(nr):
                    new[s] *= ratio
        tot = sum(new)
        ps.p = [x / tot for x in new]

    # ---------------------------------------------------------------- update and triggers
    def apply(self, ps: PersonState, lik: list[float], t: float, inp: FusedInput) -> list[BeliefEvent]:
        """Multiply the person's belief by the likelihood `lik` of `inp`; returns the triggers it fired."""
        nr = self.space.nr
        p = ps.p
        before = sum(p[:nr])
        post = [a * b for a, b in zip(p, lik, strict=True)]
        tot = sum(post)
        if tot <= 0.0 or not math.isfinite(tot):
            return []
        ps.p = post = [x / tot for x in post]
        after = sum(post[:nr])
        if inp.kind not in ("motion", "occupancy", "camera") or abs(after - before) > 0.01:
            best = max(range(nr), key=post.__getitem__) if nr else 0
            ps.evidence.append(EvidenceEntry(t, inp.device, inp.kind, describe(inp), before, after,
                                             self.space.rooms[best] if nr and after > 0 else None,
                                             post[best] / after if after > 0 else 0.0))
        return self.triggers(ps, t)

    def triggers(self, ps: PersonState, t: float) -> list[BeliefEvent]:
        """The hysteresis on the person's belief at `t`: arrived, left, room_changed."""
        c, p, sp = self.cfg, ps.p, self.space
        nr = sp.nr
        ph = sum(p[:nr])
        out: list[BeliefEvent] = []
        pid = ps.id
        if ph >= c.arrive_threshold and ps.home_flag is not True:
            if ps.home_flag is False:
                out.append(BeliefEvent("arrived", pid, from_ts(t), ph))
            ps.home_flag = True
            ps.since = t
        elif ph <= c.leave_threshold and ps.home_flag is not False:
            if ps.home_flag is True:
                out.append(BeliefEvent("left", pid, from_ts(t), ph))
            ps.home_flag = False
            ps.room_flag = None
            ps.room_t0 = None
            ps.since = t
        if ps.home_flag and nr:
            best = max(range(nr), key=p.__getitem__)
            room = sp.rooms[best]
            cur = sp.idx[ps.room_flag] if ps.room_flag is not None else -1
            if room != ps.room_flag and (p[best] >= c.room_threshold * ph or cur < 0 or p[cur] < c.room_drop * ph):
                old = ps.room_flag
                ps.room_flag = room
                ps.since = t
                if old is not None and ps.room_t0 is not None and c.dwell_learn:
                    sp.learn_stay(old, t - ps.room_t0)
                ps.room_t0 = t
                if old is not None:
                    out.append(BeliefEvent("room_changed", pid, from_ts(t), p[best] / ph, room))
        return out

    # ---------------------------------------------------------------- reading the belief
    def location(self, ps: PersonState) -> str | None:
        """'home', 'away' or a place id as the hysteresis exposes it; None before any decisive evidence."""
        if ps.home_flag is None:
            return None
        if ps.home_flag:
            return "home"
        p, sp = ps.p, self.space
        best = max(range(sp.nr, sp.n), key=p.__getitem__)
        s = sp.states[best]
        return AWAY if s in (NEAR_IN, NEAR_OUT) else s

    def snapshot(self, ps: PersonState) -> PersonBelief:
        """The person's belief as a `PersonBelief`, with the evidence kept for it."""
        sp = self.space
        p = ps.p
        ph = sum(p[: sp.nr])
        room_probs = {r: (p[i] / ph if ph > 0 else 0.0) for i, r in enumerate(sp.rooms)}
        place_probs = {s: p[i] for i, s in enumerate(sp.states) if i >= sp.nr}
        loc = self.location(ps)
        p_loc = ph if loc == "home" else place_probs.get(loc, 1 - ph) if loc is not None else 0.0
        if loc == AWAY:
            p_loc = 1.0 - ph - sum(v for k, v in place_probs.items() if k not in (NEAR_IN, NEAR_OUT, AWAY))
        room = ps.room_flag if ps.home_flag else None
        return PersonBelief(
            person=ps.id, p_home=ph, location=loc, p_location=p_loc, room=room,
            p_room=room_probs.get(room, 0.0) if room else 0.0, room_probs=room_probs, place_probs=place_probs,
            since=from_ts(ps.since) if ps.since is not None else None,
            evidence=[e.public() for e in ps.evidence],
        )
