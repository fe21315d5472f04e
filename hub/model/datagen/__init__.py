"""Synthetic training and held-out data for the on-hub planner (SmolLM2-135M + LoRA).

Each example is one request against one generated home: a user turn built exactly as the runtime builds it
(`build_view` over a `ContextGraph` loaded from a generated `Home`, then `user_turn`) and the target plan in
the terse call syntax (`render_plan`). Every target is checked here: it parses back (`parse_plan`) to the
intended calls, and every device id it names is in the view (room, floor, person and scene ids come from the
rooms, floors, person and scenes lines).

Homes are random: 3-9 rooms, sometimes floors, 1-4 people with phones and sometimes cars, lights, switches,
plugs, climate, covers, locks, a garage, a vacuum, media players, speakers, sensors and generic devices with
declared attributes, in random states. A home is determined by its id (`home_for(home_id)`), so an evaluator
can rebuild its graph (for the decoding grammar) from an example.

The mapping from request to plan is kept simple and consistent, so a small model can learn it:

* a named device -> `device=<id>`; "the lights in the kitchen" / "kitchen lights" -> `room=kitchen`;
  "all the lights" -> `everywhere=true`; "the lights upstairs" -> `floor=upstairs`;
* no place named ("turn off the lights", "in here") -> the speaker's room, explicitly `room=<speaker room>`;
  "where Ben is" -> `room=<Ben's room from his person line>`;
* lights: "brighter"/"dimmer" -> `change=20`/`-20`, "much ..." -> +-40, "by 15%" -> +-15;
  climate: "warmer"/"colder" -> `change=1`/`-1`, "much ..." -> +-3; volume: "louder"/"quieter" -> +-10,
  "much ..." -> +-20; "turn off the thermostat" -> `climate_set_mode mode=off`;
* switches, plugs, TVs and generic devices use `switch_turn_on/off`, lights `light_turn_on/off`;
* questions -> `query_state` (a device; a room, with `capability=on_off` for "are the lights on in ..";
  `capability=lock` for "are the doors locked"; `attribute=` only for declared attributes, see
  STATE_ATTRIBUTE_QUERIES), `where_is`, `timer_status`;
* a missing device, room, person or feature -> `cannot "no oven"` / `cannot "kettle has no color"`.
* comfort statements ("I'm freezing", "it's too dark in the den") -> the named or speaker's room,
  `climate_set_temperature change=1/-1` or `light_set_brightness change=20/-20`; no room known -> `cannot`;
* not a request ("thanks", "hello", empty) -> `none` (no call, no refusal).

Situations (the `situation=` trigger, no utterance) and their plans:

* everyone left -> `light_turn_off everywhere=true` (+ `lock_lock device=..` for a door said to be unlocked);
* bedtime -> lights off everywhere (+ lock a door said to be unlocked, + `cover_close everywhere=true` when
  covers are said to be open);
* "<person> arriving home in N min, outside T C[, dark]" -> T <= 10: `climate_set_temperature everywhere=true
  temperature=21`; dark: `light_turn_on room=hallway`;
* "<person> woke up" -> `light_turn_on room=<their room> brightness=30` (+ `cover_open` there if it has covers);
* doorbell -> `speaker_announce message="someone is at the door" everywhere=true`;
* "<room> window open, heating on" -> `climate_set_mode room=<room> mode=off`;
* "<person> leaving in N min, outside T C" -> `car_precondition car=<their car> temperature=21` (T <= 5)
  or `temperature=20` (T >= 27).

Held out: other people's names, some other room names, other device names and other phrasing templates
(every fifth template of each intent, or the last of a short list), so the held-out split has homes and
phrasings never seen in training. `python -m fusehub.model.datagen --n 2000 --split train --out data.jsonl`.

Layout: the phrasing tables are package data (`fusehub/model/data/vocabulary.yaml`, `templates.yaml`, read by
`phrasing`); `homes` builds and randomizes homes; `drafts` is what a category generator works with; `control`,
`situated` and `questions` are the category generators; `checks` checks every target; `assembly` draws the
examples (`generate`); `examples` holds `Example` and JSONL; `cli` is the command line. `multiclause` is the
multi-clause category (`clauses`: 2-6 clauses mixing valid and refused requests over homes of up to 60 devices,
train and held-out with disjoint homes and phrasings) and the substitution test (requests naming only what the
home lacks); `bench/eval_clauses.py` and `bench/eval_heldout.py --path pipeline --category clauses` measure it.
"""

from __future__ import annotations

from fusehub.model.datagen import assembly, checks, homes
from fusehub.model.datagen.assembly import (
    CATEGORIES,
    FILLER_P,
    GROUP,
    TIME_LINE_P,
    generate,
    generate_with_stats,
)
from fusehub.model.datagen.cli import main
from fusehub.model.datagen.examples import Example, GenStats, read_jsonl, write_jsonl
from fusehub.model.datagen.homes import home_for
from fusehub.model.datagen.phrasing import TEMPLATES, VOCABULARY, Split, templates
from fusehub.model.datagen.questions import STATE_ATTRIBUTE_QUERIES

__all__ = [
    "CATEGORIES",
    "FILLER_P",
    "GROUP",
    "STATE_ATTRIBUTE_QUERIES",
    "TIME_LINE_P",
    "Example",
    "GenStats",
    "Split",
    "generate",
    "generate_with_stats",
    "home_for",
    "main",
    "read_jsonl",
    "templates",
    "write_jsonl",
]

# Internals that tests, the model card and train.py's help name (`datagen._TRAIN_ONLY_INTENTS`, ...).
_TRAIN_ONLY_INTENTS = TEMPLATES.train_only_intents
_TRAIN_ONLY = TEMPLATES.train_only
_FILLER_BEFORE = VOCABULARY.filler_before
_FILLER_BEFORE_ASK = VOCABULARY.filler_before_ask
_FILLER_AFTER = VOCABULARY.filler_after
_filler = assembly.filler
_build_home = homes.build_home
_check_ids = checks.check_ids
_check_grounded = checks.check_grounded
