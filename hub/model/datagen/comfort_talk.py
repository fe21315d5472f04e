"""The data categories for statements that are not commands: ``comfort`` ("I'm freezing", "it's too dark in
here", "it's cold in the kitchen") and ``not_request`` (empty text, greetings, thanks, chit-chat).

Targets follow conventions.md: a comfort statement is a relative change in the speaker's room or the room it
names (rule 11: 1 degree on the room's climate, 20 brightness points on its lights); a room without the device
is refused (rule 13), and so is a statement with no room to act on (no speaker room, none named: never
guessed). Not a request is the empty plan (no calls, no refusal): the hub answers it and does nothing.

The phrasings are split like the household categories': the held-out templates were written as people speak,
before the runtime's word lists were read, and never occur in training.
"""

from __future__ import annotations

from fusehub.model.datagen.drafts import Ctx, Draft, Phrasings, Skip, call, cannot_draft
from fusehub.model.datagen.phrasing import Split

__all__ = ["GENERATORS", "template_keys"]

_T: dict[str, dict[Split, tuple[str, ...]]] = {
    # said in the speaker's room
    "cold_here": {"train": ("I'm cold", "I'm freezing", "it's cold in here", "it's too cold", "it's freezing in here",
                            "I feel cold", "it's a bit cold in here"),
                  "heldout": ("it's chilly in here", "I'm so cold", "my hands are like ice", "it feels cold in here",
                              "it's a bit nippy in here", "brr")},
    "hot_here": {"train": ("I'm hot", "it's too hot in here", "it's too warm", "I'm boiling", "it's hot in here",
                           "I feel hot"),
                 "heldout": ("it's boiling in here", "I'm sweating", "it's stuffy in here", "it's really warm in here",
                             "I'm roasting")},
    "dark_here": {"train": ("it's too dark in here", "it's dark in here", "I can't see", "it's too dark",
                            "it's a bit dark in here"),
                  "heldout": ("I can barely see", "it's gloomy in here", "it's rather dim in here",
                              "I can hardly see a thing")},
    "bright_here": {"train": ("it's too bright", "it's too bright in here", "the lights are too bright",
                              "it's a bit bright in here"),
                    "heldout": ("the light is blinding me", "it's way too bright in here", "the lights are too harsh",
                                "my eyes hurt, it's so bright")},
    # about a named room
    "cold_room": {"train": ("it's cold in the {r}", "the {r} is too cold", "it's freezing in the {r}",
                            "the {r} is cold"),
                  "heldout": ("it's chilly in the {r}", "the {r} feels cold", "the {r} is freezing")},
    "hot_room": {"train": ("it's hot in the {r}", "the {r} is too warm", "it's too hot in the {r}"),
                 "heldout": ("it's roasting in the {r}", "the {r} is boiling", "the {r} feels stuffy")},
    "dark_room": {"train": ("it's too dark in the {r}", "it's dark in the {r}", "the {r} is dark"),
                  "heldout": ("the {r} is too dark", "the {r} is gloomy", "it's so dim in the {r}")},
    "bright_room": {"train": ("it's too bright in the {r}", "the lights in the {r} are too bright"),
                    "heldout": ("the {r} is way too bright", "there's too much light in the {r}")},
    # not a request
    "greet": {"train": ("hello", "hi", "hey", "hi there", "hello fusehub", "good afternoon"),
              "heldout": ("hiya", "good morning", "hey there fusehub", "evening", "howdy")},
    "thanks": {"train": ("thanks", "thank you", "thanks a lot", "ok thanks", "great, thank you", "thank you so much"),
               "heldout": ("cheers", "thanks so much", "much appreciated", "thank you kindly", "lovely, cheers")},
    "chat": {"train": ("how are you", "good job", "you're the best", "who are you", "ok", "great", "that's all",
                       "never mind", "nice"),
             "heldout": ("how's it going", "nice one", "you're brilliant", "forget it", "sweet, that's perfect",
                         "what's new with you")},
    "empty": {"train": ("",), "heldout": ("   ",)},
}

_KINDS = {"cold": ("climate", 1), "hot": ("climate", -1), "dark": ("light", 20), "bright": ("light", -20)}
"""What a complaint changes: the kind of device and the change (conventions.md 11)."""

_MISSING = {"climate": "no climate control", "light": "no lights"}


_PHRASINGS = Phrasings("ct", _T)
template_keys = _PHRASINGS.keys
_pick = _PHRASINGS.pick


def _g_comfort(c: Ctx) -> Draft:
    h = c.h
    feel = c.choice(sorted(_KINDS))
    kind, change = _KINDS[feel]
    skill = "climate_set_temperature" if kind == "climate" else "light_set_brightness"
    named = c.rng.random() < 0.4
    room: str | None
    if named:
        rooms = list(h.room_name)
        with_it = h.rooms_with(kind)
        # mostly a room that has the device; sometimes one without it (refused, naming what is missing)
        room = c.choice(with_it if with_it and c.rng.random() < 0.8 else rooms)
        text = _pick(c, f"{feel}_room", r=h.room_name[room])
    else:
        room = c.room
        with_it = h.rooms_with(kind)
        if room is not None and room not in with_it and with_it and c.rng.random() < 0.75:
            speaker = c.speaker  # mostly said where it can be helped; the rest are refused
            room = c.choice(with_it)
            c.speak_from(room, speaker)
            if speaker is None:
                c.speaker = None
        text = _pick(c, f"{feel}_here")
        if room is None:
            return cannot_draft(text, "which room")
    if not h.devs(kind, room=room):
        return cannot_draft(text, f"{_MISSING[kind]} in {h.room_name[room]}")
    return Draft(text, [call(skill, room=room, change=change)])


def _g_not_request(c: Ctx) -> Draft:
    r = c.rng.random()
    kind = "greet" if r < 0.3 else "thanks" if r < 0.6 else "chat" if r < 0.92 else "empty"
    if kind not in _T:
        raise Skip
    return Draft(_pick(c, kind), [])


GENERATORS = {"comfort": _g_comfort, "not_request": _g_not_request}
