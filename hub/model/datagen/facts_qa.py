"""Category generators for questions over what the graph knows: where a person is and when they will be home
(`person_location` -> where_is), and declared attributes of devices nobody listed, in any word order
(`attribute_question` -> attribute_get).

The phrasings live here, one list per split; the held-out ones are never in training (checked by
tests/test_facts_data.py). Names and homes come from the split's own vocabulary (`homes.build_home`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fusehub.model.datagen.drafts import Ctx, Draft, Phrasings, call
from fusehub.model.datagen.phrasing import VOCABULARY as V
from fusehub.model.datagen.phrasing import Split

__all__ = ["GENERATORS", "PHRASINGS", "template_keys"]

PHRASINGS: Mapping[str, Mapping[Split, tuple[str, ...]]] = {
    "where": {
        "train": (
            "where is {p}", "when will {p} be home", "how far away is {p}", "is {p} on the way home",
            "when is {p} getting home", "how long until {p} is home", "is {p} back yet", "what's {p}'s eta",
            "is {p} home yet", "how far is {p} from home", "tell me when {p} will be home", "where is {p} now",
            "when will {p} get back", "is {p} coming home", "how long till {p} gets home",
        ),
        "heldout": (
            "when does {p} get home", "how long before {p} arrives home", "any idea where {p} is",
            "has {p} arrived home", "how soon will {p} be back", "do you know when {p} will be back",
            "can you tell me how far away {p} is", "what is {p}'s location", "is {p} driving home",
            "when should {p} be home",
        ),
    },
    "attr": {
        "train": (
            "what's the {a} of the {d}", "what is the {a} on the {d}", "tell me the {a} of the {d}",
            "what {a} is the {d} set to", "what's the {d}'s {a}", "how is the {d}'s {a} set",
        ),
        "heldout": (
            "what {a} does the {d} have", "which {a} is the {d} on", "can you tell me the {d}'s {a}",
            "what's the current {a} of the {d}", "do you know the {a} of the {d}",
        ),
    },
}
"""Question phrasings per kind and split ({p}: a person's name, {d}: how people name the device, {a}: the
attribute as people say it)."""


_PHRASINGS = Phrasings("fq", PHRASINGS)
template_keys = _PHRASINGS.keys
_pick = _PHRASINGS.pick


def _g_person_location(c: Ctx) -> Draft:
    """Where someone else is, or when they will be home: where_is, whatever the graph believes of them (the skill
    says what is known, the plan is the same)."""
    p = c.choice([x for x in c.h.home.people if x.id != c.speaker])
    return Draft(_pick(c, "where", p=p.name), [call("where_is", person=p.id)])


def _g_attribute_question(c: Ctx) -> Draft:
    """A declared attribute of a generic device, asked in other word orders than "what is the <d> <a>"."""
    h = c.h
    d = c.choice([x for x in h.home.devices if x.kind in V.generic_by_kind])
    a = c.choice([x for x in V.generic_by_kind[d.kind].attrs if x.type != "bool"])  # "is it oscillating": another
    # phrasing than "what <attribute> ..."
    aph = c.choice(a.phrases)
    text = _pick(c, "attr", d=h.phrase[d.id], a=aph)
    return Draft(text, [call("attribute_get", device=d.id, attribute=a.name)], need=[d.id])


GENERATORS: dict[str, Callable[[Ctx], Draft]] = {
    "person_location": _g_person_location, "attribute_question": _g_attribute_question,
}
"""Category -> generator."""
