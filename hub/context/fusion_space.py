"""The state space of a person's belief and its transition model (a continuous-time Markov chain).

States, in this order: each room of the home, each declared place, ``approaching``, ``leaving``, ``away``.
Between observations the belief moves with rates built from the home's layout: rooms move to adjacent rooms
(a share goes to a uniform pool of all rooms); only entry rooms, those with a door, lock or garage, lead
outside (any room does, rarely, for robustness); ``approaching`` ends at home or goes on past, ``leaving``
ends away or turns back; ``away`` heads home or reaches a place.

Room stays are learned (``dwell_learn``): each finished stay updates that room's mean stay, a gamma prior
worth ``dwell_prior_n`` stays of ``room_stay_s``; so when the sensors cannot tell two rooms apart, the one
people stay in (a bedroom at night, not the bathroom) keeps the belief.
"""

from __future__ import annotations

from fusehub.context.fusion_model import AWAY, NEAR_IN, NEAR_OUT, FusionConfig
from fusehub.home import Home, room_layout

__all__ = ["StateSpace"]


class StateSpace:
    """The states, their indices, the home's layout and, per state, the rate of leaving it and where to."""

    def __init__(self, home: Home, cfg: FusionConfig) -> None:
        self.cfg = cfg
        self.rooms = [r.id for r in home.rooms]
        self.places = [p.id for p in home.places]
        self.states = [*self.rooms, *self.places, NEAR_IN, NEAR_OUT, AWAY]
        self.idx = {s: i for i, s in enumerate(self.states)}
        self.nr = len(self.rooms)
        self.n = len(self.states)
        self.i_in, self.i_out, self.i_away = self.n - 3, self.n - 2, self.n - 1
        # layout: adjacency, hops, floors
        layout = room_layout(home)
        self.adj = adj = layout.adj
        self.level = layout.level
        self.hops = layout.hops
        if cfg.entry_rooms is not None:
            entry = [r for r in cfg.entry_rooms if r in adj]
        else:
            door_kinds = {"contact", "lock", "garage", "door"}
            entry = sorted({d.room for d in home.devices if d.room and d.kind in door_kinds})
        self.entry = set(entry or self.rooms)
        self.rate: list[float] = [0.0] * self.n
        self.dest: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        self.pool: list[float] = [0.0] * self.n  # share of leaving mass that goes to the uniform room pool
        self.entry_idx: list[int] = []
        self._build_transitions()
        # learned dwell: per room, number and total length of finished stays
        self._stay_n = [0] * self.nr
        self._stay_sum = [0.0] * self.nr

    def is_room(self, name: str | None) -> bool:
        """Whether `name` is one of the home's rooms (not a place or an outside state)."""
        return name is not None and name in self.idx and self.idx[name] < self.nr

    def _build_transitions(self) -> None:
        """Per state: total leaving rate and where it goes (index, share); room jumps go to a uniform pool."""
        c, nr = self.cfg, self.nr
        for i in range(nr):
            self._room_row(i, c.room_stay_s)
        entry_idx = [self.idx[r] for r in sorted(self.entry)]
        # approaching: home (entry rooms) or on past; leaving: away, or turning back
        self.rate[self.i_in] = 1.0 / c.near_stay_s
        self.dest[self.i_in] = [(j, c.near_to_home_share / len(entry_idx)) for j in entry_idx]
        self.dest[self.i_in].append((self.i_away, 1.0 - c.near_to_home_share))
        self.rate[self.i_out] = 1.0 / c.near_stay_s
        self.dest[self.i_out] = [(self.i_away, 1.0 - c.turn_back_share), (self.i_in, c.turn_back_share)]
        # away: near, or a place
        np_ = len(self.places)
        r_near, r_place = 1.0 / c.away_to_near_s, (1.0 / c.away_to_place_s if np_ else 0.0)
        self.rate[self.i_away] = r_near + r_place
        self.dest[self.i_away] = [(self.i_in, r_near / (r_near + r_place))]
        self.dest[self.i_away] += [(nr + k, r_place / np_ / (r_near + r_place)) for k in range(np_)]
        for k in range(np_):
            self.rate[nr + k] = 1.0 / c.place_stay_s
            self.dest[nr + k] = [(self.i_away, 1.0)]
        self.entry_idx = entry_idx

    def _room_row(self, i: int, stay_s: float) -> None:
        """Transitions out of room i for a mean stay of `stay_s` seconds."""
        c, r = self.cfg, self.rooms[i]
        move = 1.0 / stay_s
        out = 1.0 / c.home_exit_s if r in self.entry else 1.0 / c.any_room_exit_s
        total = move + out
        neigh = sorted(self.adj[r])
        share_adj = c.room_adjacent_share if neigh else 0.0
        dest = [(self.idx[a], move * share_adj / len(neigh) / total) for a in neigh]
        dest.append((self.i_out, out / total))
        self.rate[i] = total
        self.dest[i] = dest
        self.pool[i] = move * (1.0 - share_adj) / total

    def learn_stay(self, room: str, dur: float) -> None:
        """A stay in `room` of `dur` seconds ended: update the room's mean stay (a gamma prior on its rate,
        worth `dwell_prior_n` stays of `room_stay_s`), so that a bathroom is left soon and a bedroom at night
        is not: when the sensors cannot tell two rooms apart (a node down), the likelier one wins."""
        c = self.cfg
        i = self.idx[room]
        self._stay_n[i] += 1
        self._stay_sum[i] += min(max(dur, 0.0), c.dwell_max_s)
        k = c.dwell_prior_n
        mean = (k * c.room_stay_s + self._stay_sum[i]) / (k + self._stay_n[i])
        self._room_row(i, min(max(mean, c.dwell_min_s), c.dwell_max_s))

    def room_stay(self, room: str) -> float:
        """The mean stay in `room` (seconds) the transition model uses now (learned when `dwell_learn`)."""
        i = self.idx[room]
        c = self.cfg
        return 1.0 / (self.rate[i] - (1.0 / c.home_exit_s if room in self.entry else 1.0 / c.any_room_exit_s))
