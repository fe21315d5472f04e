"""Not a request: empty text, greetings, thanks, goodbyes, acknowledgements and chit-chat get a short reply and
no action. Only a whole utterance counts ("hello" is small talk, "hello, lights on" is a request), after the
wake word, politeness and punctuation are taken off, so a real request never lands here."""

from __future__ import annotations

import re

from fusehub.events import Plan

__all__ = ["EMPTY_REPLY", "REPLIES", "plain", "small_talk"]

EMPTY_REPLY = "I didn't hear a request."
"""What an empty (or punctuation-only) utterance gets."""

REPLIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "greeting": ("Hello.", (
        "hello", "hi", "hey", "hiya", "hey there", "hello there", "hi there", "good morning", "good afternoon",
        "good evening", "morning", "evening", "howdy",
    )),
    "thanks": ("You're welcome.", (
        "thanks", "thank you", "thanks a lot", "thank you very much", "thanks so much", "many thanks", "cheers",
        "much appreciated", "thanks a million", "ta",
    )),
    "goodbye": ("Goodbye.", ("bye", "goodbye", "bye bye", "good night", "night night", "see you", "see you later")),
    "acknowledgement": ("OK.", (
        "ok", "okay", "cool", "great", "nice", "alright", "all right", "perfect", "awesome", "got it", "fine",
        "good", "sure", "never mind", "nevermind", "forget it", "nothing",
    )),
    "how": ("I'm fine, thanks. What can I do for you?", (
        "how are you", "how are you doing", "how is it going", "how's it going", "what's up", "whats up",
    )),
    "who": ("I'm fusehub, this home's hub.", (
        "who are you", "what are you", "what is your name", "what's your name", "whats your name",
    )),
}
"""Kind -> (the reply, the utterances that are that kind of small talk)."""

_WAKE = re.compile(r"^(?:(?:hey|ok|okay|hi)\s+)?(?:fusehub|fuse hub|home assistant)\b[\s,]*"
                   r"|[\s,]*\b(?:fusehub|fuse hub)$")
_POLITE = re.compile(r"\b(?:please|pls|very much indeed)\b")
_NOISE = re.compile(r"[^\w\s']+")
_LOOKUP = {phrase: reply for reply, phrases in REPLIES.values() for phrase in phrases}


def plain(text: str) -> str:
    """Lower case, a typographic apostrophe straightened, punctuation off, single spaces: how the whole-utterance
    matchers (small talk, comfort statements) read a request."""
    return " ".join(_NOISE.sub(" ", text.lower().replace("\u2019", "'")).split())


def _normal(text: str) -> str:
    t = _WAKE.sub("", plain(text)).strip()
    return " ".join(_POLITE.sub(" ", t).split())


def small_talk(text: str) -> Plan | None:
    """The reply plan (no calls) when `text` is not a request, else None."""
    t = _normal(text)
    if not t:  # nothing, punctuation, or only the wake word and "please"
        reply: str | None = EMPTY_REPLY if not re.search(r"\w", text) else "Yes? What can I do for you?"
    else:
        reply = _LOOKUP.get(t)
    return Plan(source="intent", confidence=1.0, speech=reply) if reply is not None else None
