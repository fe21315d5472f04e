"""Not a request: empty text, greetings, thanks, goodbyes, acknowledgements, praise and chit-chat get a short reply
and no action.

An utterance is read as a sequence of small-talk pieces ("hi fusehub, thanks a lot" is a greeting, the wake word
and thanks; "ok great, thank you" an acknowledgement and thanks), each a phrase of one kind, with the wake word,
"please" and joining words ("and", "so", "oh") between them. Only an utterance made of such pieces alone counts:
"hello, lights on" and "thanks, now lock the door" are requests, and a piece no kind holds ("thanks, the weather")
makes it no small talk. The reply says each kind once, in order ("Hello. You're welcome.").

Decided: "tell me a joke", "sing me a song" get a reply that fusehub has none and no action (there is no skill
for it, and a model must not make one up); "what time is it" is a question, never small talk.
"""

from __future__ import annotations

import re

from fusehub.events import Plan

__all__ = ["EMPTY_REPLY", "MAX_PIECES", "REPLIES", "plain", "small_talk", "small_talk_kinds"]

EMPTY_REPLY = "I didn't hear a request."
"""What an empty (or punctuation-only) utterance gets."""

MAX_PIECES = 6
"""More small-talk pieces than this in one utterance is no small talk ("hello " fifty times)."""

REPLIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "greeting": ("Hello.", (
        "hello", "hi", "hey", "hiya", "hey there", "hello there", "hi there", "good morning", "good afternoon",
        "good evening", "morning", "evening", "afternoon", "howdy", "yo", "greetings", "hello again", "hi again",
    )),
    "thanks": ("You're welcome.", (
        "thanks", "thank you", "thank u", "thx", "ty", "many thanks", "cheers", "much appreciated", "ta",
        "appreciate it", "i appreciate it", "thanks for that", "thank you for that", "thanks for your help",
        "thank you for your help", "thanks for the help",
    )),
    "goodbye": ("Goodbye.", ("bye", "goodbye", "bye bye", "good night", "night night", "see you", "see you later",
                             "see ya", "catch you later", "later", "talk to you later", "bye for now")),
    "acknowledgement": ("OK.", (
        "ok", "okay", "k", "cool", "great", "nice", "alright", "all right", "perfect", "awesome", "got it", "fine",
        "good", "sure", "never mind", "nevermind", "forget it", "nothing", "excellent", "yes", "yeah", "yep", "no",
        "nope", "no thanks", "no thank you", "that's all", "that is all", "that's it", "that is it", "that's fine",
        "that's great", "that's good", "that's perfect", "that's ok", "that's okay", "that's all for now",
        "that's enough", "understood", "noted", "i see", "fair enough", "good to know", "all good", "done",
        "that'll do", "that will do",
    )),
    "praise": ("Thank you!", (
        "good job", "great job", "nice job", "good work", "great work", "nice work", "well done", "you're the best",
        "you are the best", "you're great", "you are great", "you're awesome", "you are awesome", "you're amazing",
        "you are amazing", "you're a star", "you're a legend", "you're so helpful", "you're helpful",
        "you're clever", "you're smart", "you're so smart", "good bot", "good hub", "you rock", "love you",
        "i love you", "you're the man", "you're a genius", "you did great", "you did well",
    )),
    "how": ("I'm fine, thanks. What can I do for you?", (
        "how are you", "how are you doing", "how is it going", "how's it going", "what's up", "whats up",
        "how are things", "how do you do", "are you ok", "are you okay", "you ok", "how are you today",
        "how have you been",
    )),
    "who": ("I'm fusehub, this home's hub.", (
        "who are you", "what are you", "what is your name", "what's your name", "whats your name",
        "what can you do", "what do you do",
    )),
    "interjection": ("Yes? What can I do for you?", (
        "brr", "brrr", "brrrr", "ugh", "urgh", "argh", "hmm", "hm", "wow", "phew", "whew", "oof", "ooh", "oops",
        "gosh", "jeez", "geez", "yikes", "blimey", "sheesh", "meh", "huh", "aha", "oh my", "oh my god", "omg",
    )),
    "joke": ("I don't have jokes or songs, but I can run the home and tell you about it.", (
        "tell me a joke", "tell me another joke", "tell me something funny", "say something funny", "make me laugh",
        "sing me a song", "sing a song", "sing something", "tell me a story", "do you know any jokes",
        "know any jokes",
    )),
}
"""Kind -> (the reply, the phrases that are a piece of that kind of small talk)."""

_THANKS_MORE = ("a lot", "so much", "very much", "a million", "a bunch", "again", "loads", "heaps", "very much indeed",
                "so very much")
"""What may follow a thanks ("thanks a lot", "thank you so much")."""
_JOINERS = frozenset({"and", "so", "oh", "well", "then", "also", "anyway", "again", "ah", "mate", "buddy", "pal",
                      "dear", "really", "very", "much", "indeed"})
"""Words between pieces that add nothing ("oh thanks", "thanks again mate")."""

_WAKE = re.compile(r"^(?:(?:hey|ok|okay)\s+)?(?:fusehub|fuse hub|home assistant)\b[\s,]*"
                   r"|[\s,]*\b(?:fusehub|fuse hub)$")
_WAKE_WORDS = ("fusehub", "fuse hub", "home assistant", "hub")
_POLITE = re.compile(r"\b(?:please|pls|plz)\b")
_NOISE = re.compile(r"[^\w\s']+")


def _phrases() -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for kind, (_, phrases) in REPLIES.items():
        for p in phrases:
            out[tuple(p.split())] = kind
    for t in ("thanks", "thank you", "thank u", "cheers"):
        for more in _THANKS_MORE:
            out[tuple(f"{t} {more}".split())] = "thanks"
    for w in _WAKE_WORDS:
        out[tuple(w.split())] = "wake"
    for w in _JOINERS:
        out[(w,)] = "joiner"
    return out


_PHRASES = _phrases()
_LONGEST = max(len(k) for k in _PHRASES)


def plain(text: str) -> str:
    """Lower case, a typographic apostrophe straightened, punctuation off, single spaces: how the whole-utterance
    matchers (small talk, comfort statements) read a request."""
    return " ".join(_NOISE.sub(" ", text.lower().replace("\u2019", "'")).split())


def _normal(text: str) -> str:
    t = _WAKE.sub("", plain(text)).strip()
    return " ".join(_POLITE.sub(" ", t).split())


def small_talk_kinds(text: str) -> list[str] | None:
    """The kinds of small talk `text` is made of, in order, each once (wake and joining words left out); [] for
    only the wake word or nothing; None when some part of it is not small talk."""
    words = _normal(text).split()
    # the fewest pieces that cover every word, longest phrases first (a small dynamic programme over the words)
    best: list[list[str] | None] = [None] * (len(words) + 1)
    best[0] = []
    for i in range(len(words)):
        done = best[i]
        if done is None:
            continue
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            kind = _PHRASES.get(tuple(words[i:i + n]))
            if kind is None:
                continue
            nxt = [*done, kind]
            if best[i + n] is None or len(nxt) < len(best[i + n] or ()):
                best[i + n] = nxt
    pieces = best[len(words)]
    if pieces is None or len(pieces) > MAX_PIECES:
        return None
    kinds = [k for k in pieces if k not in ("wake", "joiner")]
    if pieces and not kinds:
        return None if any(k == "joiner" for k in pieces) else []
    return list(dict.fromkeys(kinds))


def small_talk(text: str) -> Plan | None:
    """The reply plan (no calls) when `text` is not a request, else None."""
    if not re.search(r"\w", text):  # nothing, or punctuation only
        return Plan(source="intent", confidence=1.0, speech=EMPTY_REPLY)
    kinds = small_talk_kinds(text)
    if kinds is None:
        return None
    reply = " ".join(REPLIES[k][0] for k in kinds) if kinds else "Yes? What can I do for you?"
    return Plan(source="intent", confidence=1.0, speech=reply)
