"""fusehub's own English templates for device requests Home Assistant's templates do not phrase: merged into the
English templates by :func:`fusehub.reasoner.sentences.extra_intents`.

- A vacuum addressed by name first: "roborock, clean the kitchen" (``HassVacuumCleanArea``).
- A media player named with its room: "pause the homepod in the bathroom", "next track on the tv in the den".
- Stopping a vacuum: "stop the cleaning", "stop the deebot" (``FusehubVacuumStop``).
- Locking the whole home: "lock up", "lock the house", "lock all the doors" (``HassTurnOn``, domain lock).
- "open the garage": the garage door(s), read as the garage-class covers (``HassTurnOn`` / ``HassTurnOff``).
- Drapes (curtains) with their room, "close the mudroom drapes"; a cover named with its room and a position.
- Opening or closing every cover: "close the shades everywhere", "open all the blinds" (``HassTurnOn`` /
  ``HassTurnOff``, domain cover): every cover in the home, whichever word is used, as "the lights" is every light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["device_intents"]

_META = {"source": "fusehub"}
_CLEANING = "(cleaning|vacuuming|hoovering|vacuum|vacuum cleaner|robot vacuum|robot|cleaning robot)"


def _vacuum() -> dict[str, Any]:
    return {
        "HassVacuumCleanArea": {"data": [{
            "sentences": ["{name} [(please|can you|could you)] <clean> [up] [<the>] {area}"],
            "requires_context": {"domain": ["vacuum"]},
            "metadata": {"slot_combination": "name_first", **_META},
        }]},
        "FusehubVacuumStop": {"data": [
            {"sentences": [f"(stop|end|halt|finish|cancel) [<the>] {_CLEANING} [[<in>] [<the>] {{area}}]",
                           "stop [<the>] {name} [cleaning]", "{name} stop [cleaning]"],
             "metadata": {"slot_combination": "stop", **_META}},
        ]},
    }


def _media_in_room() -> dict[str, Any]:
    """"pause the homepod in the bathroom": a player named with its room (Home Assistant's name the player alone)."""
    where = "<in> [<the>] {area}"
    ctx = {"domain": ["media_player"]}
    meta = {"slot_combination": "name_area", **_META}
    return {
        "HassMediaPause": {"data": [{"sentences": [f"pause [<the>] {{name}} {where}"], "requires_context": ctx,
                                     "metadata": meta}]},
        "HassMediaUnpause": {"data": [{"sentences": [f"(resume|unpause|continue) [<the>] {{name}} {where}"],
                                       "requires_context": ctx, "metadata": meta}]},
        "HassMediaNext": {"data": [{"sentences": [f"next [track|song] on [<the>] {{name}} {where}",
                                                  f"skip [to the next (track|song)] on [<the>] {{name}} {where}"],
                                    "requires_context": ctx, "metadata": meta}]},
    }


def _covers() -> tuple[dict[str, Any], dict[str, Any]]:
    """"close the mudroom drapes" (drapes are curtains; Home Assistant's cover classes lack the word) and "set the
    drapes in the mudroom position to 80" (a cover named with its room). Returns (lists, intents)."""
    drapes = [{"in": "drape[s]", "out": "curtain"}, {"in": "draperies", "out": "curtain"}]
    lists = {"fh_drape_nouns": {"values": drapes}}
    nouns = "{fh_drape_nouns:device_class}"

    def turn(verb: str) -> dict[str, Any]:
        return {"sentences": [f"{verb} [<the>] {{area}} {nouns}", f"{verb} [<the>] {nouns} <in> [<the>] {{area}}"],
                "slots": {"domain": "cover"}, "metadata": {"slot_combination": "area_drapes", **_META}}

    position = {"sentences": ["<numeric_value_set> [<the>] {name} <in> [<the>] {area} [position] to "
                              "{position}[([ ]%)| percent]"],
                "requires_context": {"domain": ["cover"]}, "metadata": {"slot_combination": "name_area", **_META}}
    return lists, {"on": turn("<open>"), "off": turn("<close>"), "HassSetPosition": {"data": [position]}}


def _whole_home_lock() -> dict[str, Any]:
    return {"sentences": [
        "lock up [[<the>] <home>]",
        "lock [up] [<the>] <home>",
        "lock [up] (everything|every door|all doors|all locks)",
        "lock <all> (door|doors|lock|locks) [<everywhere>]",
        "lock [<the>] (doors|locks) <everywhere>",
    ], "slots": {"domain": "lock"}, "metadata": {"slot_combination": "everywhere", **_META}}


_COVER_NOUNS = "(blind|blinds|shade|shades|shutter|shutters|curtain|curtains|drape|drapes|awning|awnings|cover|covers)"


def _every_cover(verb: str) -> dict[str, Any]:
    """"close the shades everywhere": every cover in the home (whatever its kind, as "the lights" is every light;
    a garage door is no cover here)."""
    return {"sentences": [f"{verb} <all> {_COVER_NOUNS} [<everywhere>]", f"{verb} [<the>] {_COVER_NOUNS} <everywhere>"],
            "slots": {"domain": "cover"}, "metadata": {"slot_combination": "everywhere", **_META}}


def _garage(verb: str) -> dict[str, Any]:
    """"open the garage": the home's garage door(s), not the room's other covers."""
    return {"sentences": [f"{verb} [<the>] garage", f"{verb} [<the>] garage please"],
            "slots": {"domain": "cover", "device_class": "garage"},
            "metadata": {"slot_combination": "garage", **_META}}


def device_intents() -> dict[str, Any]:
    """The additions, in the templates' file format (a list of fusehub's own; no list or rule is redefined)."""
    lists, covers = _covers()
    intents = {**_vacuum(), **_media_in_room(), "HassSetPosition": covers["HassSetPosition"]}
    intents["HassTurnOn"] = {"data": [_whole_home_lock(), _every_cover("<open>"), _garage("<open>"), covers["on"]]}
    intents["HassTurnOff"] = {"data": [_every_cover("<close>"), _garage("<close>"), covers["off"]]}
    return {"lists": lists, "intents": intents}
