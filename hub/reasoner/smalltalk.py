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

from fusehub.context.graph import ContextGraph
from fusehub.events import Plan

__all__ = ["EMPTY_REPLY", "MAX_PIECES", "MAX_SOCIAL_WORDS", "REPLIES", "plain", "small_talk", "small_talk_kinds",
           "social_kinds"]

EMPTY_REPLY = "I didn't hear a request."
"""What an empty (or punctuation-only) utterance gets."""

MAX_PIECES = 6
"""More small-talk pieces than this in one utterance is no small talk ("hello " fifty times)."""

REPLIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "greeting": ("Hello.", (
        "hello", "hi", "hey", "hiya", "hey there", "hello there", "hi there", "good morning", "good afternoon",
        "good evening", "morning", "evening", "afternoon", "howdy", "yo", "greetings", "hello again", "hi again",
        "good day", "g'day", "top of the morning", "hey you", "heya", "hey ya",
        "sup", "wassup", "what's up", "hi ya", "good to see you", "nice to see you", "long time no see",
        "hullo", "hallo", "ahoy", "aloha", "salut", "bonjour", "hola", "morning all", "evening all", "hiya there",
    )),
    "thanks": ("You're welcome.", (
        "thanks", "thank you", "thank u", "thx", "ty", "many thanks", "cheers", "much appreciated", "ta",
        "appreciate it", "i appreciate it", "thanks for that", "thank you for that", "thanks for your help",
        "thank you for your help", "thanks for the help",
        "thank you kindly", "thanks kindly", "much obliged", "i'm obliged", "obliged", "ta very much", "tah", "thank",
        "thanks ever so much", "thank you ever so much", "thanks so", "many many thanks", "a thousand thanks",
        "thanks a ton", "thanks a heap", "i owe you one", "owe you one", "i owe you", "that's kind of you",
        "that's very kind", "that's very kind of you", "how kind", "very kind", "ta muchly", "merci", "gracias",
        "danke", "tysm", "tyvm", "thnx", "thnks", "tks", "thankyou", "thanks mate", "cheers mate", "cheers then",
        "thanks for that", "thanks for doing that", "thank you for doing that", "appreciated", "very much appreciated",
        "greatly appreciated", "much appreciated", "i really appreciate it", "really appreciate it",
    )),
    "goodbye": ("Goodbye.", ("bye", "goodbye", "bye bye", "good night", "night night", "see you", "see you later",
                             "see ya", "catch you later", "later", "talk to you later", "bye for now",
        "goodnight", "nighty night", "night", "nite", "sleep well", "sleep tight", "sweet dreams", "see you tomorrow",
        "see you soon", "see you in the morning", "laters", "cheerio", "ta ta", "tata", "ta ta for now", "ttfn",
        "farewell", "so long", "take care", "have a nice day", "have a good day", "have a good one",
        "have a good night", "have a nice evening", "have a good evening", "have a great day", "bye then",
        "i'm off", "i'm going",
        "i'm heading out", "i'm going to bed", "off to bed", "adios", "ciao", "au revoir", "toodles", "toodle pip",
        "peace out", "talk later", "gotta go", "got to go", "gotta run", "got to run",
        "i have to go", "i've got to go", "i must go", "i'm going to sleep", "i'm off to bed", "time for bed",
        "i'm going to sleep now", "catch you", "see you around", "later gator", "night all", "goodnight all",
        "bye all")),
    "acknowledgement": ("OK.", (
        "ok", "okay", "k", "cool", "great", "nice", "alright", "all right", "perfect", "awesome", "got it", "fine",
        "good", "sure", "never mind", "nevermind", "forget it", "nothing", "excellent", "yes", "yeah", "yep", "no",
        "nope", "no thanks", "no thank you", "that's all", "that is all", "that's it", "that is it", "that's fine",
        "that's great", "that's good", "that's perfect", "that's ok", "that's okay", "that's all for now",
        "that's enough", "understood", "noted", "i see", "fair enough", "good to know", "all good", "done",
        "that'll do", "that will do",
        "gotcha", "got you", "roger", "roger that", "copy", "copy that", "sure thing", "sounds good", "sounds great",
        "sounds fine", "that sounds good", "that sounds great", "works for me", "that works", "fine by me",
        "right", "right then", "right oh", "righto", "right you are", "okey dokey", "okie dokie", "ok then",
        "okay then", "alright then", "very well", "ok cool", "cool beans", "sweet", "lovely", "smashing",
        "brilliant", "brill", "fab", "fabulous", "wonderful", "fantastic", "splendid", "super", "superb",
        "marvellous", "marvelous", "terrific", "grand", "ace", "magic", "champion", "cracking", "sorted",
        "all sorted", "job done", "nice one", "good one", "good stuff", "great stuff", "spot on", "bang on",
        "no problem", "no worries", "no bother", "not a problem", "no prob", "no probs", "aye", "yup",
        "uh huh", "mm hmm", "mhm", "nah", "not now", "not right now", "not yet", "maybe later", "later maybe",
        "forget about it", "don't worry", "don't worry about it", "doesn't matter", "it doesn't matter",
        "no matter", "ignore that", "ignore me", "scratch that", "cancel that", "never mind that", "as you were",
        "carry on", "that's all thanks", "nothing else", "nothing more", "that's everything", "all done",
        "that's lovely", "that's brilliant", "that's better", "much better", "better", "that's much better",
        "that's nice", "that's cool", "that's awesome", "that's wonderful", "that's fantastic", "that's right",
        "that's correct", "correct", "exactly", "indeed", "of course", "absolutely", "definitely", "certainly",
        "fair", "makes sense", "that makes sense", "i understand", "ok got it", "very good",
        "interesting", "oh ok", "oh okay", "ah ok", "ah right", "oh right", "oh i see", "ah i see",
        "i get it", "got you", "oh really", "really", "is that so", "no way", "you don't say", "never mind then",
        "that'll be all", "that will be all", "top notch", "first class", "forget that",
        "do nothing", "that's all i needed", "that's all i need",
        "that's all i wanted", "i'm all set", "all set", "we're all set", "we're good", "we're done", "i'm done",
        "we're all good", "no need", "likewise", "same here", "you're welcome", "my pleasure", "just checking",
        "just testing", "just saying hi", "never you mind", "right on", "oh nothing", "is this thing on",
        "can i ask you something", "nice chatting", "good talk", "nice talking to you", "good chat", "i'm home",
        "i'm back", "we're home", "we're back", "i'm here",
    )),
    "praise": ("Thank you!", (
        "good job", "great job", "nice job", "good work", "great work", "nice work", "well done", "you're the best",
        "you are the best", "you're great", "you are great", "you're awesome", "you are awesome", "you're amazing",
        "you are amazing", "you're a star", "you're a legend", "you're so helpful", "you're helpful",
        "you're clever", "you're smart", "you're so smart", "good bot", "good hub", "you rock", "love you",
        "i love you", "you're the man", "you're a genius", "you did great", "you did well",
        "you're brilliant", "you are brilliant", "you're a lifesaver", "you are a lifesaver", "lifesaver",
        "you're a gem", "you're an angel", "you're a hero", "my hero", "legend", "what a legend", "you legend",
        "you star", "star", "bravo", "kudos", "well played", "nicely done", "good going", "way to go", "top job",
        "good boy", "good girl", "clever", "clever hub", "smart", "you're very clever", "you're so clever",
        "you're very helpful", "you're really helpful", "you're so good", "you're very good", "you're good",
        "you're fab", "you're the greatest", "you're wonderful", "you're lovely", "you're cool", "you're funny",
        "that was quick", "that was fast", "that was easy", "that was great", "that was perfect", "impressive",
        "very impressive", "love it", "i love it", "i like it", "i like that", "love that", "thank goodness",
        "you're a wizard", "you're magic", "you're ace", "you're the best hub", "best hub ever",
        "good on you", "good on ya", "fair play", "fair play to you",
    )),
    "how": ("I'm fine, thanks. What can I do for you?", (
        "how are you", "how are you doing", "how is it going", "how's it going", "what's up", "whats up",
        "how are things", "how do you do", "are you ok", "are you okay", "you ok", "how are you today",
        "how have you been",
        "how's life", "how's things", "how you doing", "how ya doing", "how're you", "how are ya", "you alright",
        "you all right", "alright mate", "are you alright", "are you well", "how's your day", "how's your day going",
        "how was your day", "how's it hanging", "what's new", "what's going on", "what's happening", "what's cracking",
        "how do", "how goes it", "how are you doing today", "you good", "are you good", "how's tricks",
        "are you there", "you there", "are you listening", "are you awake", "are you on", "can you hear me",
        "anybody there", "anyone there", "is anybody there", "is anyone there", "you awake",
        "what are you up to", "what you up to", "what are you doing", "what you doing", "how's your evening",
        "how's your evening going", "how was your weekend", "how was your day", "having a good day",
        "are you having a good day", "you having a good day", "how's your morning", "how goes",
    )),
    "who": ("I'm fusehub, this home's hub.", (
        "who are you", "what are you", "what is your name", "what's your name", "whats your name",
        "what can you do", "what do you do",
        "are you a robot", "are you human", "are you real", "are you alive", "who made you", "who built you",
        "do you have a name", "introduce yourself", "tell me about yourself", "what should i call you",
    )),
    "interjection": ("Yes? What can I do for you?", (
        "brr", "brrr", "brrrr", "ugh", "urgh", "argh", "hmm", "hm", "wow", "phew", "whew", "oof", "ooh", "oops",
        "gosh", "jeez", "geez", "yikes", "blimey", "sheesh", "meh", "huh", "aha", "oh my", "oh my god", "omg",
        "um", "umm", "uh", "uhh", "er", "erm", "ah", "ahh", "oh", "ooh", "hmmm", "lol", "haha", "hahaha", "hehe",
        "heh", "lmao", "rofl", "whoa", "woah", "ouch", "ow", "oi", "eh", "ha", "yay", "woohoo", "hooray",
        "hurray", "yippee", "crikey", "goodness", "good grief", "oh dear", "dear me", "oh well", "whatever",
        "so", "anyway", "anyhow", "test", "testing", "testing one two three",
    )),
    "joke": ("I don't have jokes or songs, but I can run the home and tell you about it.", (
        "tell me a joke", "tell me another joke", "tell me something funny", "say something funny", "make me laugh",
        "sing me a song", "sing a song", "sing something", "tell me a story", "do you know any jokes",
        "know any jokes",
    )),
    "sorry": ("No problem.", (
        "sorry", "so sorry", "i'm sorry", "sorry about that", "my bad", "my mistake", "oops sorry", "whoops",
        "apologies", "my apologies", "pardon", "pardon me", "excuse me", "sorry my mistake", "my fault",
    )),
    "chat": ("I see. What can I do for you?", (
        "i'm bored", "i'm tired", "i'm so tired", "i'm sleepy", "i'm exhausted", "i'm knackered", "i'm shattered",
        "i'm hungry", "i'm starving", "i'm happy", "i'm sad", "i'm fine", "i'm good", "i'm ok", "i'm okay",
        "i'm great", "not bad", "not too bad", "same old", "what a day", "long day", "what a long day",
        "it's been a long day", "busy day", "tough day", "good day", "nice day", "lovely day", "do you like me",
        "do you love me", "how old are you", "where are you from", "do you dream", "are you smart",
        "what's your favourite colour", "what's your favorite color", "what's your favourite food", "are you married",
        "do you sleep", "do you have feelings", "are you single", "you're a good listener", "are you happy",
        "are you sad", "what's the meaning of life", "i'm fine thanks",
        "i'm good thanks", "i'm well", "i'm well thanks", "same to you", "you too", "and you", "and you too",
    )),
    "wish": ("Thank you, and the same to you.", (
        "happy birthday", "merry christmas", "happy christmas", "happy new year", "happy holidays", "happy easter",
        "happy halloween", "happy thanksgiving", "happy hanukkah", "happy diwali", "eid mubarak", "season's greetings",
        "happy friday", "happy monday", "happy weekend", "have a good weekend", "have a nice weekend",
        "good luck", "congratulations", "congrats", "bless you", "cheers to that", "well done us",
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


def _words(text: str) -> list[str]:
    return text.split()


MAX_SOCIAL_WORDS = 8
"""Longer than this, an utterance of social words alone is no small talk the detector answers."""

_SOCIAL_BY_KIND: dict[str, str] = {
    "thanks": ("thanks thanking thank thankyou thx ty cheers ta appreciated appreciate obliged grateful gracias "
               "merci danke"),
    "greeting": "hello hi hey hiya heya howdy greetings morning evening afternoon yo g'day hullo hallo",
    "goodbye": "bye goodbye goodnight night nite cheerio laters farewell ciao adios",
    "sorry": "sorry apologies apologise apologize oops whoops pardon",
    "praise": ("brilliant lovely smashing wonderful fantastic splendid superb marvellous marvelous terrific fab "
               "fabulous amazing incredible beautiful gorgeous outstanding stellar impressive clever smart helpful "
               "genius legend star hero gem angel lifesaver brill wicked awesome excellent bravo kudos quick fast "
               "best greatest kind hilarious funny witty"),
    "acknowledgement": ("good great nice cool fine ok okay k alright perfect sweet super grand ace magic champion "
                        "cracking sorted spot bang exactly indeed absolutely definitely certainly correct right "
                        "sure yes yeah yep yup aye no nope nah understood noted gotcha roger fair better neat "
                        "lush top class dope rad lol haha hahaha hehe hmm hm um umm uh er erm ah ahh oh ooh wow "
                        "whoa phew meh huh aha done worries bother dramas problem prob probs doke dokey diamond beauty "
                        "safe bless ticket perfecto tops okey okie welcome pleasure likewise "
                        "interesting fascinating notch"),
}
_SOCIAL: dict[str, str] = {w: kind for kind, ws in _SOCIAL_BY_KIND.items() for w in _words(ws)}
"""Social words by the kind of small talk they make: greetings, thanks, farewells, apologies, praise, yes and no."""
_FUNCTION_WORDS = frozenset(_words(
    "you you're youre u ur are that that's thats this it it's its was is were been be so very really ever much "
    "such a an the one ones stuff thing things job work bot hub i i'm me my we us our just totally pretty quite too "
    "again then mate buddy pal friend love dear all everyone everybody folks guys team well sounds sound looks look "
    "seems works for of to and but with lot lots bunch million loads heaps ton tons help as always indeed muchly "
    "also anyway still now enough there dude bro man darling pet partner hun babe honey sweetie sweetheart chief "
    "boss ya as everything your yours today tonight at getting that'll that'd it'll will would i'd "
    "i'll way day weather"))
"""Joining words, pronouns and intensifiers that may stand between social words and add no content."""


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


def _home_words(graph: ContextGraph) -> frozenset[str]:
    """Every word of a name or alias in this home (devices, rooms, floors, people, scenes), but joining words."""
    names: list[str] = []
    for d in graph.device_ids():
        dev = graph.device(d)
        names += [dev.name, *dev.aliases]
    for r in graph.rooms():
        names += [r.name, *r.aliases]
    for f in graph.floors():
        names += [f.name, *f.aliases]
    for p in graph.people():
        names += [p.name, *p.aliases]
    names += [s.name for s in graph.scenes()]
    return frozenset(w for n in names for w in plain(n).split()) - _FUNCTION_WORDS


def social_kinds(text: str, graph: ContextGraph) -> list[str] | None:
    """The kind of small talk an utterance with no actionable content is, or None. Actionable content is any word
    outside the social vocabulary (so every action verb, domain noun and question word) or any word of a name in
    this home ("star" is praise unless a device is called "Star lamp"); the utterance must be short and carry at
    least one social word beyond joining words. "lovely stuff, cheers mate" is thanks, "that was really quick"
    praise, "right, fair enough then" an acknowledgement; "that's lovely, lights off" is none."""
    words = _normal(text).split()
    for lead in (["what", "a"], ["what", "an"], ["how"]):  # exclamations: "what a lovely day", "how kind"
        if words[:len(lead)] == lead and len(words) > len(lead):
            words = words[len(lead):]
    if not words or len(words) > MAX_SOCIAL_WORDS or max(words.count(w) for w in words) > 2:
        return None  # empty, long, or one word over and over ("hello hello hello hello")
    if any(w not in _SOCIAL and w not in _FUNCTION_WORDS for w in words) or set(words) & _home_words(graph):
        return None
    core = [w for w in words if w in _SOCIAL]
    if not core:
        return None
    for kind in ("thanks", "greeting", "goodbye", "sorry"):
        if any(_SOCIAL[w] == kind for w in core):
            return [kind]
    to_me = {"you", "you're", "youre", "u", "ur", "job", "work", "bot", "hub"} & set(words)  # praise is for the hub
    return ["praise"] if to_me and any(_SOCIAL[w] == "praise" for w in core) else ["acknowledgement"]


def small_talk(text: str, graph: ContextGraph | None = None) -> Plan | None:
    """The reply plan (no calls) when `text` is not a request, else None. With the home's `graph`, an utterance
    with no actionable content made of social words is small talk too (:func:`social_kinds`)."""
    if not re.search(r"\w", text):  # nothing, or punctuation only
        return Plan(source="intent", confidence=1.0, speech=EMPTY_REPLY)
    kinds = small_talk_kinds(text)
    if kinds is None and graph is not None:
        kinds = social_kinds(text, graph)
    if kinds is None:
        return None
    reply = " ".join(REPLIES[k][0] for k in kinds) if kinds else "Yes? What can I do for you?"
    return Plan(source="intent", confidence=1.0, speech=reply)
