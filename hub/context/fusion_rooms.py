"""Room fusion: the evidence rooms give about everyone at once, whoever it is.

- motion / occupancy / camera (unattributed): a Poisson event model per room: rate ``bg`` (a cat, a
  visitor) plus ``per_person`` for each person in the room. For one person the event likelihood is
  ``bg + per_person * (1[in R] + others_in_R)``, with the other people's expected presence (mean field),
  and each interval without motion in an instrumented room multiplies that room by ``exp(-per_person*dt)``.
  A cat's motion at its background rate therefore nets out and cannot teleport anyone;
- a door opening is evidence (likelihood ratio ``door_approach_lr``) for whoever was approaching, and for
  ``door_window_s`` raises the rate of crossing it: someone approaching walks in, someone in the door's
  room may have walked out;
- BLE room nodes (kind ``node``, from ESPresense's status topic via `inputs_from_availability`): an online
  node that does not hear a tag other nodes hear makes its own room less likely (bounded by ``node_miss``:
  a node may die unannounced); an offline node, or one that heard nobody for ``node_quiet_s``, is no
  evidence, so a node failing at night leaves the sleeper where transitions put them.

Everything here applies within home (P(room | home)): unattributed sensors never move P(home) itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from fusehub.context.fusion_model import BeliefEvent, EvidenceEntry, FusedInput, FusionConfig, describe
from fusehub.context.fusion_space import StateSpace

if TYPE_CHECKING:
    from fusehub.context.fusion_belief import Beliefs, PersonState

__all__ = ["RoomFusion"]


class RoomFusion:
    """Per room: its instruments' silence, open doors, recent detections and its BLE node's status."""

    def __init__(self, cfg: FusionConfig, space: StateSpace) -> None:
        self.cfg = cfg
        self.space = space
        self.quiet_rooms: dict[int, float] = {}  # instrumented room -> per-person event rate
        self._quiet_kinds: dict[tuple[int, str], float] = {}
        self._motion_state: dict[str, bool] = {}
        self.door_until: dict[int, float] = {}
        self._room_last: dict[str, tuple[float, float]] = {}  # room -> (time, weight) of last unattributed hit
        # BLE room nodes: when each was first known / last heard anyone, and its reported availability
        self.node_heard: dict[int, float] = {}
        self._node_since: dict[int, float] = {}  # when the node (re)started: its silence clock starts there
        self._node_up: dict[int, bool] = {}

    # ---------------------------------------------------------------- what passing time says (prediction)
    def door_flow(self, new: list[float], t0: float, t: float) -> None:
        """Between `t0` and `t`: an opening moves 'approaching' in through that room and lets its occupants
        leave (`new` is the predicted belief, changed in place)."""
        if not self.door_until:
            return
        c, sp = self.cfg, self.space
        for ri, until in self.door_until.items():
            overlap = min(t, until) - max(t0, until - c.door_window_s)
            if overlap <= 0:
                continue
            m_in = new[sp.i_in] * (1.0 - math.exp(-overlap / c.door_enter_s))
            m_out = new[ri] * (1.0 - math.exp(-overlap / c.door_exit_s))
            new[sp.i_in] -= m_in
            new[sp.i_out] += m_out
            new[ri] += m_in - m_out

    def quiet(self, new: list[float], dt: float) -> None:
        """Motion/camera silence for `dt` seconds: an instrumented room that saw nothing is less likely to
        hold this person (conditioned on home)."""
        if not self.quiet_rooms:
            return
        nr = self.space.nr
        before = sum(new[:nr])
        for ri, r in self.quiet_rooms.items():
            new[ri] *= math.exp(-r * dt)
        after = sum(new[:nr])
        if after > 0.0:
            k = before / after
            for s in range(nr):
                new[s] *= k

    def node_silence(self, ps: PersonState, new: list[float], t: float) -> None:
        """Online nodes that have not heard the person's tag (which others hear) make their rooms less likely."""
        c, nr = self.cfg, self.space.nr
        before = sum(new[:nr])
        changed = False
        for ri, heard in self.node_heard.items():
            if not self._node_up.get(ri, True) or t - heard > c.node_quiet_s:
                continue
            start = max(ps.node_last.get(ri, -math.inf), self._node_since[ri])
            silent = t - start - c.node_grace_s
            if silent <= 0:
                continue
            target = c.node_miss + (1.0 - c.node_miss) * math.exp(-c.node_rate * silent)
            applied = ps.node_applied.get(ri, 1.0)
            if target < applied:
                new[ri] *= target / applied
                ps.node_applied[ri] = target
                changed = True
        if changed:
            after = sum(new[:nr])
            if after > 0.0:
                k = before / after
                for s in range(nr):
                    new[s] *= k

    # ---------------------------------------------------------------- BLE room nodes
    def ble_heard(self, ps: PersonState, node: str, t: float, people: dict[str, PersonState]) -> None:
        """The node in room `node` heard the person's tag at `t` (a reading proves the node up)."""
        ps.ble_seen = True
        ps.ble_last = t
        ps.silence_applied = 1.0
        ri = self.space.idx[node]
        if ri not in self._node_since or not self._node_up.get(ri, True):
            self._node_up[ri] = True
            self._node_since[ri] = t
            for other in people.values():
                other.node_applied.pop(ri, None)
        self.node_heard[ri] = t
        ps.node_last[ri] = t
        ps.node_applied.pop(ri, None)

    def node_status(self, inp: FusedInput, t: float, beliefs: Beliefs) -> list[BeliefEvent]:
        """A BLE node went online or offline: offline, its silence says nothing; online, its clock restarts."""
        room = inp.room
        if room is None or not self.space.is_room(room) or inp.value is None:
            return []
        ri = self.space.idx[room]
        out: list[BeliefEvent] = []
        for ps in beliefs.people.values():  # settle the silence so far under the old status
            beliefs.propagate(ps, t)
            out += beliefs.triggers(ps, t)
        was = self._node_up.get(ri, True)
        self._node_up[ri] = inp.value
        if inp.value and not was:
            self._node_since[ri] = t
            self.node_heard[ri] = t
            for ps in beliefs.people.values():
                ps.node_applied.pop(ri, None)
        return out

    def node_online(self, room: str) -> bool | None:
        """Whether the room's BLE node is taken as online (None: no node known there)."""
        ri = self.space.idx.get(room)
        if ri is None or (ri not in self.node_heard and ri not in self._node_up):
            return None
        return self._node_up.get(ri, True)

    # ---------------------------------------------------------------- unattributed events
    def unattributed(self, inp: FusedInput, t: float, beliefs: Beliefs) -> list[BeliefEvent]:
        """A door, motion, occupancy or camera event in a room: evidence for everyone's belief."""
        room = inp.room
        if room is None or not self.space.is_room(room):
            return []
        ri = self.space.idx[room]
        c = self.cfg
        if inp.kind == "door":
            return self._door(inp, room, ri, t, beliefs) if inp.value else []
        if inp.kind in ("motion", "occupancy"):
            self._instrument(ri, "motion", c.motion_person_rate)
            prev = self._motion_state.get(inp.device, False)
            self._motion_state[inp.device] = bool(inp.value)
            if not inp.value or prev:
                return []  # only onsets are events; 'still on' and 'off' carry no new information
            bg, per = c.motion_bg_rate, c.motion_person_rate
            self._room_last[room] = (t, 0.5)
        else:  # camera: person detected
            self._instrument(ri, "camera", c.camera_person_rate)
            bg, per = c.camera_bg_rate, c.camera_person_rate
            self._room_last[room] = (t, 0.9)
        out: list[BeliefEvent] = []
        people = list(beliefs.people.values())
        for ps in people:
            beliefs.propagate(ps, t)
        occ = [ps.p[ri] for ps in people]
        total = sum(occ)
        nr = self.space.nr
        for ps, mine in zip(people, occ, strict=True):
            # Poisson onset likelihood, others' expected presence explaining part of it; applied within home
            # only (P(r | home)), so that a stream of unattributed events supports a room, never P(home)
            base = bg + per * (total - mine)
            p = ps.p
            ph = sum(p[:nr])
            if ph <= 0.0:
                continue
            gain = (base + per) / base
            norm = ph + p[ri] * (gain - 1.0)
            k = ph / norm
            before_room = p[ri] / ph
            for s in range(nr):
                p[s] *= k
            p[ri] *= gain
            if abs(p[ri] / ph - before_room) > 0.05:
                ps.evidence.append(EvidenceEntry(t, inp.device, inp.kind, describe(inp), ph, ph, room, p[ri] / ph))
            out += beliefs.triggers(ps, t)
        return out

    def _door(self, inp: FusedInput, room: str, ri: int, t: float, beliefs: Beliefs) -> list[BeliefEvent]:
        """A door opened: someone passed, so most of whoever was approaching is now in the door's room."""
        c, sp = self.cfg, self.space
        self.door_until[ri] = t + c.door_window_s
        out: list[BeliefEvent] = []
        for ps in beliefs.people.values():
            beliefs.propagate(ps, t)
            # an opening now is likelier if this person was about to come in than if not (a Poisson
            # onset: approaching people open within a minute; others' comings and goings are rarer)
            p = ps.p
            lr = c.door_approach_lr
            if p[sp.i_in] > 1e-9 and lr != 1.0:
                tot = 1.0 + p[sp.i_in] * (lr - 1.0)
                ps.p = p = [x / tot for x in p]
                p[sp.i_in] *= lr
            m = ps.p[sp.i_in] * c.door_enter
            if m > 1e-6:
                before = sum(ps.p[: sp.nr])
                ps.p[sp.i_in] -= m
                ps.p[ri] += m
                if m > 0.01:
                    ps.evidence.append(EvidenceEntry(t, inp.device, "door", describe(inp), before, before + m,
                                                     room, ps.p[ri] / (before + m)))
            out += beliefs.triggers(ps, t)
        return out

    def _instrument(self, ri: int, kind: str, rate: float) -> None:
        if (ri, kind) not in self._quiet_kinds:
            self._quiet_kinds[(ri, kind)] = rate
            self.quiet_rooms[ri] = self.quiet_rooms.get(ri, 0.0) + rate

    def expire_doors(self, t: float) -> None:
        """Forget openings more than an hour before `t`."""
        if self.door_until:
            self.door_until = {r: u for r, u in self.door_until.items() if u > t - 3600}

    def occupancy(self, room: str, people: dict[str, PersonState]) -> float:
        """P(someone is in `room`): tracked people's beliefs and recent unattributed detections."""
        i = self.space.idx[room]
        empty = 1.0
        for ps in people.values():
            empty *= 1.0 - ps.p[i]
        last = self._room_last.get(room)
        if last is not None:
            latest = max((ps.last_t or 0.0) for ps in people.values()) if people else last[0]
            empty *= 1.0 - last[1] * math.exp(-max(0.0, latest - last[0]) / 300.0)
        return 1.0 - empty

