"""A request normalised and split into its clauses, each resolved on its own by the pipeline.

    "Switch off the fan and the desk lamp, please."   -> ["Switch off the fan", "Switch off the desk lamp"]
    "set the study to 20 and the nursery to 22"        -> ["set the study to 20", "set the nursery to 22"]
    "turn off the lights in the kitchen and the hall"  -> ["turn off the lights in the kitchen",
                                                           "turn off the lights in the hall"]
    "turn the fan and the lamp off"                    -> ["turn the fan off", "turn the lamp off"]
    "关掉风扇和台灯" (turn off the fan and the desk lamp) -> ["关掉风扇", "关掉台灯"]

Normalisation (:func:`normalise`) never changes a value: control characters, repeated spaces, a wake word,
politeness and filler ("could you", "please", "thanks", "for me") and final punctuation are taken off; a full
stop right after a number ("to 22.") is never part of the number.

Splitting (:func:`split_clauses`) cuts at sentence ends (".", "!" or "?" and a space; never inside a number
such as 21.5, after a title such as "Dr." or an initial, or inside a name the home has), "and", commas,
semicolons, "then", "and then", "as well as", "also", "plus" and the Chinese 和 并且 然后 and the ideographic
comma, full-width comma and semicolon. It never cuts inside a name the home has (a device, room, scene or
person called "Salt and Pepper"), inside a duration ("an hour and a half", "1 hour and 30 minutes"), or inside
a message: from a clause that starts with tell / announce / say / broadcast / send / remind, the rest of the
request is that clause. A sentence is a request of its own: it never shares a verb or a tail with the one
before it ("turn off the hall lights. arc lamp brightness 20"), nor does a piece that says an attribute and its
value. A piece that starts with no verb shares the verb of the clause before it ("the desk
lamp" -> "switch off the desk lamp"); a room after "in the <room>" shares the whole clause up to "in"; a final
"on"/"off" or "to <value>" is shared back with the clauses that lack one.

Limits (documented in the README): a request longer than :data:`MAX_REQUEST_CHARS` is refused, and so is one
with more than :data:`MAX_CLAUSES` clauses; a clause longer than :data:`MAX_CLAUSE_CHARS` is refused on its own.
Nothing is cut silently.
"""

from __future__ import annotations

import re
import unicodedata

from fusehub.context.graph import ContextGraph

__all__ = [
    "MAX_CLAUSES",
    "MAX_CLAUSE_CHARS",
    "MAX_REQUEST_CHARS",
    "Split",
    "aside",
    "canonical",
    "normalise",
    "split_clauses",
    "too_long",
]

MAX_REQUEST_CHARS = 600
"""Longest request read (after normalisation); a longer one is refused, never cut."""
MAX_CLAUSES = 8
"""Most clauses in one request; more is refused as a whole, never cut."""
MAX_CLAUSE_CHARS = 200
"""Longest clause (the planner's line limit); a longer clause is refused on its own."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WAKE = re.compile(r"^(?:(?:hey|ok|okay|hi)\s+)?(?:fusehub|fuse hub|hub)\b[\s,:]*", re.I)
_LEAD = re.compile(
    r"^(?:(?:ok(?:ay)?|so|um+|uh+|hey|well|right|alright|all right|go ahead and|now)"
    r"\b[\s,]+|(?:please|kindly|just)\s+|(?:could|can|would|will)\s+you\s+(?:please\s+|kindly\s+|just\s+)?"
    r"(?=(?:turn|switch|set|make|put|dim|brighten|open|close|shut|lock|unlock|start|stop|pause|play|resume|raise|"
    r"lower|increase|decrease|change|activate|tell|announce|skip|mute|clean|vacuum|bump|crank|boost|drop|"
    r"power|adjust)\b)|i(?:'d| would) like you to\s+|i want you to\s+)+", re.I)
_TRAIL = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank you|thx|cheers|for me|if you can|if you could|if you don't mind|"
    r"would you|will you|now please|right away|right now|now|for a moment|for a bit|for now|for a while)\b)+"
    r"\s*[.!]*$", re.I)
_FINAL_MARK = re.compile(r"[\s.!,;:]+$")
_NUMBER_DOT = re.compile(r"(\d)\.(?!\d)")

_SENTENCE = "\ue002"
"""Stands for a sentence end while a request is split (so normalising never reads it as a number's full stop)."""
_SENTENCE_END = re.compile(
    r"(?<=[^\s.!?])(?<!\b[A-Za-z])(?<!\bmr)(?<!\bmrs)(?<!\bms)(?<!\bdr)(?<!\bst)(?<!\bprof)(?<!\bno)(?<!\bvs)"
    r"(?<!\betc)[.!?]+\s+(?=\S)", re.I)
"""A full stop, "!" or "?" with a space after it: the end of a sentence (not "21.5", "Dr. Lee", "J. Smith")."""
_SEP = re.compile(
    rf"\s*{_SENTENCE}\s*|"
    r"\s*(?:,\s*and\s+then\b|\band\s+then\b|,\s*then\b|,\s*and\s+also\b|\band\s+also\b|\bas\s+well\s+as\b|"
    r",\s*and\b|,\s*plus\b|\bplus\b|\bthen\b|\band\b|\balso\b|[,;])\s*"
    r"|\s*(?:并且|然后|和|\u3001|\uff0c|\uff1b)\s*", re.I)
_DURATION_AFTER = re.compile(
    r"^(?:a\s+half|a\s+quarter|half\b|(?:a\s+)?1/2\b|(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|"
    r"twenty|thirty|forty|forty five|fifty)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b)", re.I)
_UNIT_END = re.compile(r"\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)$", re.I)
_MESSAGE = re.compile(r"^(?:tell|announce|say|broadcast|send|remind|message|text|notify|let\b(?=.*\bknow\b)|ping|email|"
                      r"inform|write to|"
                      r"(?:drop|give|shoot|pass)\b(?=.{1,40}?\ban? (?:message|note|line|text|msg|heads up)\b))\b", re.I)
"""A message for someone ("ping Ben that ...", "drop my sister a line: ..."; "drop the blinds" is no message;
"let" only in "let X know": "let me in, unlock the door" is a reason and a request)."""
_VERBS = (
    "turn", "switch", "set", "make", "put", "dim", "brighten", "open", "close", "shut", "lock", "unlock", "start",
    "stop", "pause", "play", "resume", "raise", "lower", "increase", "decrease", "change", "activate", "tell",
    "announce", "skip", "mute", "unmute", "clean", "vacuum", "bump", "crank", "boost", "drop", "power", "adjust",
    "is", "are", "what", "what's", "whats", "how", "which", "who", "where", "when", "does", "do", "did", "can",
    "could", "i'm", "im", "i", "it's", "its", "it", "we're", "we", "cancel", "send", "say", "broadcast", "remind",
    "let", "run", "go", "return", "dock", "send", "check", "show", "give", "read", "enable", "disable", "arm",
    "disarm", "precondition", "warm", "cool", "heat", "reduce", "up", "down", "next", "please", "also",
    "ok", "okay", "thanks", "thank", "hello", "hi", "hey", "good", "bye", "goodbye", "never", "nevermind",
    "bring", "nudge", "knock", "push", "take", "pump", "kill", "flip", "fire", "get", "leave", "keep", "lift",
    "pull", "roll", "move", "let", "hit", "shut", "hold", "secure", "return", "warm", "heat", "cool", "next",
)
_VERB_SET = frozenset(_VERBS)
_ZH_VERBS = ("打开", "关掉", "关闭", "关上", "开启", "开", "关", "调高", "调低", "调到", "设置", "设为", "锁上", "解锁",
             "播放", "暂停", "把", "将", "请")
_HEAD = re.compile(
    r"^(?P<head>(?:turn|switch|shut|power)\s+(?:on|off|up|down)|(?:turn|switch|shut|power)|"
    r"(?:set|make|put|dim|brighten|open|close|lock|unlock|start|stop|pause|play|resume|raise|lower|increase|"
    r"decrease|change|activate|mute|unmute|clean|vacuum|bump|crank|boost|drop|adjust|reduce|enable|disable|"
    r"cancel|check|arm|disarm|precondition|run|dock))\b", re.I)
_ON_OFF_TAIL = re.compile(r"\s+(?:on|off)$", re.I)
_VALUE_TAIL = re.compile(r"\s+(?:to|at)\s+\S+(?:\s*(?:%|percent|per cent|degrees?(?:\s+celsius)?))?$", re.I)
_IN_ROOM = re.compile(r"^(?P<head>.+\s(?:in|on)\s)(?:the\s+)?\S", re.I)


class Split:
    """The clauses of one request, or why it is refused as a whole."""

    __slots__ = ("clauses", "refused")

    def __init__(self, clauses: list[str], refused: str | None = None) -> None:
        self.clauses = clauses
        """The clauses, in order (the whole request when it has one)."""
        self.refused = refused
        """Set when the request is too long or has too many clauses: the answer, with no call."""

    def __repr__(self) -> str:
        return f"Split({self.clauses!r}, refused={self.refused!r})"


def _tidy(text: str) -> str:
    t = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).replace("\u2019", "'")
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Cf")
    return " ".join(t.split())


def normalise(text: str) -> str:
    """`text` with wake word, politeness, filler and final punctuation off, and no full stop after a number.

    Never changes a value or a name; what is left is the request itself (the original when nothing is left:
    "thanks" alone stays "thanks", for small talk to answer)."""
    t = _tidy(text)
    out = _strip(_WAKE.sub("", t))
    return out or t


_SEQUENCE = re.compile(r"^(?:first|firstly)[\s,]+(?=(?:" + "|".join(re.escape(v) for v in _VERBS) + r")\b)"
                       r"|^(?:finally|after that|afterwards|and|also|lastly)[\s,]+|^both\s+(?=the\b|my\b)", re.I)
"""A word that orders the clauses ("first turn off ..., then ...") or pairs them ("both the lamp and ..."),
taken off only before a verb or an object, so "first floor lights" and "next track" keep theirs."""
_FIXED = ("each and every", "black and white", "rock and roll", "up and down", "on and off", "back and forth",
          "now and then", "again and again", "safe and sound", "bread and butter")
"""Phrases whose "and" joins no clauses."""


def _strip(clause: str) -> str:
    t = clause
    for _ in range(3):
        before = t
        t = _SEQUENCE.sub("", t).strip()
        t = _LEAD.sub("", t).strip()
        if _MESSAGE.match(t):  # a message is a value: its words (a final "please" too) are the message's
            return t
        t = _NUMBER_DOT.sub(r"\1", t)
        t = _TRAIL.sub("", t).strip()
        t = _FINAL_MARK.sub("", t).strip()
        if t == before:
            break
    return t


_PLACE = r"(?P<rest>\s+(?:in|on|at|upstairs|downstairs|everywhere)\b.*)?"
"""Where, after the object and its particle ("bring the blinds down in the den")."""

_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^power\s+(on|off|up|down)\b", re.I), r"turn \1"),
    (re.compile(r"^power\b(?=.*\b(?:on|off)$)", re.I), "turn"),
    (re.compile(r"^shut\s+(?:off|down)\b", re.I), "turn off"),
    (re.compile(r"^kill\b", re.I), "turn off"),
    (re.compile(r"^hold\s+(?!on\b|off\b)", re.I), "pause "),
    (re.compile(r"^draw\s+(?:back|open)\s+", re.I), "open "),
    (re.compile(r"^draw\s+(?=(?:the\s+)?(?:[\w']+\s+)*?(?:blinds?|shades?|curtains?|drapes?)\b)", re.I), "close "),
    (re.compile(r"^secure\s+", re.I), "lock "),
    (re.compile(r"^lock\s+up\s+(?=\S)", re.I), "lock "),
    (re.compile(r"^(?:play|skip\s+to|go\s+to)\s+(?:the\s+)?next\s+(?:track|song|tune|one)\b", re.I), "next track"),
    (re.compile(r"^(?:send|return|take)\s+(?:the\s+)?(?P<x>.+?)\s+(?:back\s+)?(?:to\s+(?:(?:its|the|her|his)\s+)?)?"
                r"(?:dock|base|charger|charging\s+station)$", re.I), r"return the \g<x> to base"),
    (re.compile(r"^(?:set\s+|move\s+)?(?:the\s+)?(?P<x>[a-z][\w\s']*?)\s+position\s+(?:to\s+|at\s+)?"
                r"(?P<n>\d+)\s*(?:%|percent|per\s+cent)?$", re.I), r"set the \g<x> position to \g<n>%"),
    (re.compile(r"^(?!(?:" + "|".join(_VERBS) + r")\b)(?:the\s+)?(?P<x>[a-z][\w\s']*?\s(?:brightness|volume))\s+"
                r"(?:to\s+|at\s+)?(?P<n>\d+)$", re.I), r"set the \g<x> to \g<n>%"),
    (re.compile(r"^(?:set|open|close|move|put|bring)\s+(?P<x>.+?)\s+(?:to\s+)?half\s*-?\s*way(?:\s+(?:open|up|down))?$",
                re.I), r"set \g<x> to 50%"),
    (re.compile(r"^fire\s+up\b", re.I), "turn on"),
    (re.compile(r"^(?:turn|switch)\s+on\s+(?P<x>.+?)\s+(?:at|to)\s+(?P<n>\d+)\s*(?P<u>%|percent|per\s+cent)$", re.I),
     r"set \g<x> to \g<n> \g<u>"),  # brightness implies on (conventions 6)
    (re.compile(r"^(?:put|get|bring|have|leave|keep|i\s+want|i'd\s+like|i\s+would\s+like)\s+(?P<obj>.+?)\s+"
                r"(?:on\s+)?(?:at|on|to)\s+(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|per\s+cent|degrees?(?:\s+celsius)?)?$",
                re.I), r"set \g<obj> to \g<n> \g<unit>"),
    (re.compile(r"^(?:stop|pause)\s+(?:the\s+)?(?:playback|music|playing|the\s+music)\s+(?:on|of|in)\s+", re.I),
     "pause "),
    (re.compile(r"^(?:i\s+want|i\s+need|i'd\s+like|i\s+would\s+like)\s+(?P<x>.+?)\s+(?P<s>on|off)$", re.I),
     r"turn \g<s> \g<x>"),
    # a wish with the place after it: "I'd like the lights on in the den", "get the lights off in Mia's room"
    (re.compile(r"^(?:i\s+want|i\s+need|i'd\s+like|i\s+would\s+like|get)\s+(?P<x>(?:the|all\s+the|my)\s+.+?)\s+"
                r"(?P<s>on|off)(?P<rest>\s+(?:in|on|at|upstairs|downstairs|everywhere|outside)\b.*)?$", re.I),
     r"turn \g<s> \g<x>\g<rest>"),
    # "could the lights in the den go on", "can the heater go off"
    (re.compile(r"^(?:could|can|would|will|let)\s+(?P<x>(?:the|all\s+the|my)\s+.+?)\s+(?:go|come|be\s+turned|be\s+switched)"
                r"\s+(?P<s>on|off)$", re.I), r"turn \g<s> \g<x>"),
    (re.compile(r"^make\s+(?P<x>.+?)\s+(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|degrees?)$", re.I),
     r"set \g<x> to \g<n> \g<unit>"),
    (re.compile(r"^(?:put|set)\s+(?P<x>.+?)\s+on\s+pause$", re.I), r"pause \g<x>"),
    (re.compile(r"^(?P<x>.+?)\s+pause$", re.I), r"pause \g<x>"),
    (re.compile(r"^(?:(?:pull|roll|bring|let|put|move|drop)\s+(?:down\s+)?)?(?:the\s+)?(?P<x>(?:[\w']+\s+)*?"
                r"(?:blinds?|shades?|shutters?|curtains?|drapes?|awnings?))(?:\s+down)" + _PLACE + "$", re.I),
     r"close the \g<x>\g<rest>"),
    (re.compile(r"^(?:pull|roll|bring|let|move|drop)\s+down\s+(?:the\s+)?(?P<x>(?:[\w']+\s+)*?"
                r"(?:blinds?|shades?|shutters?|curtains?|drapes?|awnings?))" + _PLACE + "$", re.I),
     r"close the \g<x>\g<rest>"),
    (re.compile(r"^(?:(?:pull|roll|raise|lift|bring|put|move)\s+(?:up\s+)?)?(?:the\s+)?(?P<x>(?:[\w']+\s+)*?"
                r"(?:blinds?|shades?|shutters?|curtains?|drapes?|awnings?))(?:\s+up)" + _PLACE + "$", re.I),
     r"open the \g<x>\g<rest>"),
    (re.compile(r"^(?:pull|roll|raise|lift|bring|move)\s+up\s+(?:the\s+)?(?P<x>(?:[\w']+\s+)*?"
                r"(?:blinds?|shades?|shutters?|curtains?|drapes?|awnings?))" + _PLACE + "$", re.I),
     r"open the \g<x>\g<rest>"),
    (re.compile(r"^put\s+(?P<x>.+?)\s+(?P<s>on|off)\b(?P<rest>.*)$", re.I), r"turn \g<s> \g<x>\g<rest>"),
    (re.compile(r"^(?!(?:" + "|".join(_VERBS) + r"|on|in|at|to|for|with|by|from|of)\b)(?:the\s+)?"
                r"(?!.*\b(?:increase|decrease|raise|lower|turn|switch|set|make|put|dim|change|want|need)\b)"
                r"(?P<x>[a-z][\w\s']*?)"
                r"\s+(?:to\s+|at\s+)?(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|degrees?)$", re.I),
     r"set the \g<x> to \g<n> \g<unit>"),
)
"""Verb synonyms read as the verb the templates know ("power off" is "turn off"; "put the lamp at 40 percent" is
"set the lamp to 40 percent"): general English, never a value changed."""


def canonical(clause: str) -> str:
    """`clause` with a synonym verb read as the common one (see :data:`_SYNONYMS`)."""
    for rx, repl in _SYNONYMS:
        clause = rx.sub(repl, clause, count=1)
    return " ".join(clause.split()).replace(" %", "%")


_ASIDE = re.compile(
    r"^(?:let\s+(?:me|us|him|her|them|the\s+\w+|some\s+(?:\w+\s+)?\w+)\s+(?:in|out|inside|outside)"
    r"|(?:so|so\s+that)\s+(?:i|we)\s+can\b.*|because\b.*|i'?m\s+(?:home|back|here|at\s+the\s+door|outside)"
    r"|it'?s\s+(?:me|us))$", re.I)


def aside(clause: str) -> bool:
    """Whether `clause` only gives the reason for the request beside it ("let me in, unlock the front door", "let
    some light in, open the drapes"): the pipeline drops it when another clause of the request acts."""
    return bool(_ASIDE.match(clause.strip()))


def too_long(text: str) -> str | None:
    """Why a (normalised) request is refused for its length, or None."""
    if len(text) > MAX_REQUEST_CHARS:
        return (f"that request is too long for me ({len(text)} characters; at most {MAX_REQUEST_CHARS}): "
                "please say it in shorter parts")
    return None


def _protected_names(graph: ContextGraph | None) -> list[str]:
    """Names in the home that a separator would cut ("Salt and Pepper Lamp"), longest first."""
    if graph is None:
        return list(_FIXED)
    names: list[str] = []
    for d in graph.devices():
        names += [d.name, *d.aliases]
    for r in graph.rooms():
        names += [r.name, *r.aliases]
    names += [s.name for s in graph.scenes()]
    for p in graph.people():
        names += [p.name, *getattr(p, "aliases", ())]
    cut = [n for n in names if n and _SEP.search(n)] + list(_FIXED)
    return sorted(set(cut), key=len, reverse=True)


def _room_names(graph: ContextGraph | None) -> set[str]:
    if graph is None:
        return set()
    out: set[str] = set()
    for r in graph.rooms():
        out |= {r.name.casefold(), *(a.casefold() for a in r.aliases), r.id.replace("_", " ")}
    return out


def _starts_with_verb(piece: str) -> bool:
    if piece.startswith(_ZH_VERBS):
        return True
    first = piece.split(" ", 1)[0].casefold()
    return first in _VERB_SET


_ACTION = re.compile(
    r"\b(?:turn|switch|set|make|put|dim|brighten|open|close|shut|lock|unlock|start|stop|pause|play|resume|raise|"
    r"lower|increase|decrease|change|activate|mute|want|like|need|is|are|tell|announce|cancel)\b", re.I)
"""A verb anywhere in a piece: a request of its own ("kitchen lights off and also I want the radiator at 19")."""
_OWN_VALUE = re.compile(r"\b(?:brightness|volume|position|temperature)\s+(?:to\s+|at\s+)?\d"
                        r"|^(?!(?:the|my|our|a|an|all|every|both|this|that)\b).*\b(?:at|to)\s+\d+(?:\.\d+)?\s*"
                        r"(?:%|percent|per\s+cent)$", re.I)
"""An attribute and its value, or a name and a level: a piece with these is a request of its own ("wall sconce
brightness 80", "wall sconce in the den at 70 percent"); "the nursery to 22" is an object sharing the verb before."""
_WISH = re.compile(r"^(?:i\s+want|i\s+need|i'd\s+like|i\s+would\s+like)\b", re.I)
_TAILISH = re.compile(r"\b(?:on|off|up|down)\b|\b(?:to|at)\s+\S+|\d\s*(?:%|percent|degrees?)", re.I)
"""What a verb-less piece may say besides its object: a state, a direction or a value."""


def _object_only(piece: str, rooms: set[str], devices: set[str]) -> bool:
    """Whether `piece` is only an object for the verb before it: it starts with an article or a possessive
    ("the desk lamp", "the nursery to 22", "my lamp off"), or is a room or a device name; a piece that says
    more than a name ("kitchen purifier fan speed up one") is a request of its own."""
    if re.match(r"(?:the|my|our|all|every|both|a|an|this|that|his|her|their)\b", piece, re.I):
        return True
    bare = piece.casefold()
    return bare in rooms or bare in devices or not re.search(r"[a-z]", bare)


_KIND_WORDS = frozenset((
    "light", "lights", "lamp", "lamps", "fan", "fans", "tv", "speaker", "speakers", "heater", "thermostat", "blinds",
    "blind", "curtains", "curtain", "door", "lock", "plug", "switch", "vacuum", "music", "radio", "heating",
    "temperature", "humidity", "volume", "brightness",
))


def _device_names(graph: ContextGraph | None) -> set[str]:
    if graph is None:
        return set()
    return {n.casefold() for d in graph.devices() for n in (d.name, *d.aliases)}


_CLEAN = re.compile(r"^(?P<head>.*\b(?:clean|vacuum|hoover|mop)(?:\s+up)?(?:\s+the)?\s+)", re.I)
"""A cleaning clause up to its rooms: "roborock clean the hallway" -> "roborock clean the "."""


def _share(prev: str, piece: str, rooms: set[str], devices: set[str]) -> str:
    """`piece` (no verb of its own) with the verb, or the clause up to "in", of the clause before it."""
    bare = re.sub(r"^the\s+", "", piece, flags=re.I).casefold()
    c = _CLEAN.match(prev)
    if c and bare in rooms:  # "roborock clean the hallway and bedroom": the bedroom is cleaned too
        return f"{c.group('head')}{bare}"
    m = _IN_ROOM.match(prev)
    thing = set(bare.split()) & _KIND_WORDS
    if m and (bare in rooms or (len(bare.split()) <= 2 and not thing and bare not in devices
                                 and not re.search(r"\d|\b(?:to|by|on|off|up|down)\b", bare))):
        return f"{m.group('head')}{piece}"
    h = _HEAD.match(prev) or _WISH.match(prev)
    if h:
        return f"{h.group(0) if h.re is _WISH else h.group('head')} {piece}"
    for zh in _ZH_VERBS:
        if prev.startswith(zh):
            return f"{zh}{piece}"
    return piece


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator before, piece) pairs; durations keep their "and"."""
    parts = _SEP.split(text)
    seps = _SEP.findall(text)
    out: list[tuple[str, str]] = [("", parts[0])]
    for sep, part in zip(seps, parts[1:], strict=True):
        prev_unit = bool(out) and bool(_UNIT_END.search(out[-1][1]))
        if out and _DURATION_AFTER.match(part) and (re.fullmatch(r"\s*and\s*", sep, re.I)
                                                  or (prev_unit and re.fullmatch(r"\s*,\s*(?:and\s*)?", sep))):
            s, p = out[-1]
            out[-1] = (s, f"{p}{sep}{part}")
            continue
        out.append((sep, part))
    return out


def split_clauses(text: str, graph: ContextGraph | None = None) -> Split:
    """The clauses of a request (normalised first), or the reason it is refused as a whole."""
    t = normalise(_SENTENCE_END.sub(f" {_SENTENCE} ", _tidy(text)))
    why = too_long(t)
    if why is not None:
        return Split([], why)
    names = _protected_names(graph)
    keep: dict[str, str] = {}
    for i, n in enumerate(names):
        token = f"\ue000{i}\ue001"
        t2 = re.sub(rf"(?<!\w){re.escape(n)}(?!\w)", token, t, flags=re.I)
        if t2 != t:
            found = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", t, flags=re.I)
            keep[token] = found.group(0) if found else n
            t = t2
    raw = _pieces(t)
    rooms = _room_names(graph)
    devices = _device_names(graph)
    clauses: list[str] = []
    groups: list[int] = []  # per clause: the index of the clause whose verb it shares
    message_from: int | None = None
    for k, (sep, piece) in enumerate(raw):
        if message_from is not None:
            clauses[-1] = f"{clauses[-1]}{sep}{piece}"
            continue
        piece = _strip(piece)
        if not piece:
            continue
        own = _SENTENCE in sep or bool(_OWN_VALUE.search(piece))  # a sentence, or an attribute and its value
        if clauses and not own and not _starts_with_verb(piece) and not _ACTION.search(piece):
            prev = clauses[-1]
            head = _HEAD.match(prev)
            verbless = not _starts_with_verb(prev) or bool(_WISH.match(prev))
            on_off_alone = bool(re.search(r"\b(?:on|off|up|down)\b", piece, re.I)) and (
                head is None or not re.fullmatch(r"turn|switch|shut|power|put", head.group("head"), re.I))
            if not _TAILISH.search(piece) or (head is not None and not on_off_alone) or _WISH.match(prev):
                shared = _share(prev, piece, rooms, devices)
                if shared != piece:
                    clauses.append(shared)
                    groups.append(groups[-1])
                    continue
                if not verbless:  # no verb to share: a name the splitter should not have cut; keep it together
                    clauses[-1] = f"{prev}{sep}{piece}"
                    continue
            if verbless:  # "table lamp and porch light off": verb-less objects share the last one's "off"
                clauses.append(piece)
                groups.append(groups[-1])
                continue
        clauses.append(piece)
        groups.append(len(clauses) - 1)
        if _MESSAGE.match(piece) and k + 1 < len(raw):
            message_from = len(clauses) - 1
    clauses = _share_tails(clauses, groups)
    out = []
    for c in clauses:
        for token, name in keep.items():
            c = c.replace(token, name)
        out.append(re.sub(rf"\s*{_SENTENCE}\s*", ". ", c).strip())
    out = [canonical(c) for c in out if c]
    if len(out) > MAX_CLAUSES:
        return Split([], f"that is {len(out)} requests at once; I can take at most {MAX_CLAUSES}: please say it "
                         "in parts")
    return Split(out or [normalise(text)])


def _share_tails(clauses: list[str], groups: list[int]) -> list[str]:
    """A group of clauses sharing one verb: a final "off" or "to 30%" the last has and the others lack is shared."""
    out = list(clauses)
    for g in set(groups):
        members = [i for i, x in enumerate(groups) if x == g]
        if len(members) < 2:
            continue
        last = out[members[-1]]
        for tail_re in (_ON_OFF_TAIL, _VALUE_TAIL):
            m = tail_re.search(last)
            if not m:
                continue
            head = _HEAD.match(out[members[0]])
            if tail_re is _ON_OFF_TAIL and head is not None \
                    and not re.fullmatch(r"turn|switch|shut|power|put", head.group("head"), re.I):
                continue
            for i in members[:-1]:
                if not _ON_OFF_TAIL.search(out[i]) and not _VALUE_TAIL.search(out[i]) \
                        and not re.search(r"\b(?:to|at|by|on|off|pause)\b", out[i]):
                    out[i] = out[i] + m.group(0)
            break
    return out
