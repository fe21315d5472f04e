"""Comfort statements: "I'm freezing", "brr, it's freezing in here", "the living room is way too warm", "I can't
see a thing in here", "it's too bright" act with the household conventions' defaults (../shared/conventions.md,
rule 11): a thermostat 1 degree warmer or cooler, the lights 20 points brighter or dimmer.

A statement is read as parts, not matched as a whole sentence: interjections ("brr", "ugh", "oh"), a frame that
says who or what feels it ("I'm", "we are", "it's getting", "the kitchen feels", "my feet are", "not enough"), degree
words ("a bit", "way too", "really"), a feeling word (cold, chilly, frosty, stuffy, gloomy, glaring...; "not warm
enough" is cold) and where ("in here", "in the kitchen", "right now"). The room is the one it names, else the
speaker's room; with neither known it is asked, never guessed. A room without such a device is said. A rhetorical
question states it ("is it cold in here or is it just me", "why is it so dark"), and a reason or consequence after
it is its colour ("it's cold so I'm wearing two jumpers", "too hot to sleep") unless it asks for something. A
clause that states a comfort counts: "I'm cold, turn on the heater" is a request (the pipeline keeps a
statement only when no other clause asks for something), and "the soup is too hot" names no room, so it is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.smalltalk import plain

__all__ = ["BRIGHTNESS_STEP", "DEGREE_STEP", "REMARK_REPLY", "UNKNOWN_ROOM", "Statement", "asks", "comfort",
           "feeling_of", "remark", "rhetorical"]

DEGREE_STEP = 1.0
"""Degrees a "cold" or "hot" statement changes the thermostat by."""
BRIGHTNESS_STEP = 20
"""Points a "dark" or "bright" statement changes the lights' brightness by."""
REMARK_REPLY = "I see."
"""The answer to a remark ("the soup is too hot", "it's cold outside"): no action."""
UNKNOWN_ROOM = "I don't know which room you're in; say which room, for example 'it's cold in the kitchen'"
"""The answer to a comfort statement with no room named and no speaker's room known."""


@dataclass(frozen=True, slots=True)
class _Feeling:
    skill: str
    capability: str
    change: float
    missing: str
    """What to call the device the room lacks."""


_FEELINGS: dict[str, _Feeling] = {
    "cold": _Feeling("climate_set_temperature", "temperature_setpoint", DEGREE_STEP, "thermostat"),
    "hot": _Feeling("climate_set_temperature", "temperature_setpoint", -DEGREE_STEP, "thermostat"),
    "dark": _Feeling("light_set_brightness", "brightness", BRIGHTNESS_STEP, "dimmable light"),
    "bright": _Feeling("light_set_brightness", "brightness", -BRIGHTNESS_STEP, "dimmable light"),
}

_ADJECTIVES: dict[str, tuple[str, ...]] = {
    # a thesaurus of feeling cold, British and American everyday words, idioms and similes
    "cold": ("cold", "freezing", "freezing cold", "chilly", "chilled", "frozen", "cool", "icy", "ice cold", "frosty",
             "perishing", "baltic", "arctic", "bitter", "bitterly cold", "fresh", "parky", "shivering", "shaking",
             "nippy", "brisk", "raw", "wintry", "glacial", "polar", "frigid", "numb", "draughty", "drafty",
             "brass monkeys", "cold as ice", "cold as hell", "freezing my butt off", "freezing my ass off",
             "freezing my arse off", "freezing my tits off", "freezing to death", "frozen solid", "frozen stiff",
             "chilled to the bone", "frozen to the bone", "cold to the bone", "turning blue",
             "turning into an icicle", "an icebox", "an igloo", "a fridge", "a freezer",
             "like a fridge", "like a freezer", "like an icebox", "like an igloo", "like ice", "like the arctic",
             "like siberia", "like antarctica", "like a morgue", "like a walk in freezer", "sub zero", "below zero",
             "stone cold", "like an ice box", "like an ice rink", "like the north pole", "like the south pole",
             "like winter", "like the middle of winter", "like a meat locker", "like a cold store", "an ice box",
             "on the cold side", "on the chilly side", "on the cool side", "on the nippy side", "freezing my socks off",
             "freezing my bum off", "freezing my buns off", "freezing my nuts off", "freezing our butts off",
             "freezing our socks off", "freezing our bums off", "freezing our arses off", "freezing our asses off",
             "shivering cold", "freeze to death", "die of cold", "an ice cube", "a popsicle", "an icicle",
             "a block of ice", "into an icicle", "into a popsicle", "into an ice cube", "into a block of ice"),
    "hot": ("hot", "warm", "boiling", "boiling hot", "roasting", "roasting hot", "sweltering", "stuffy", "baking",
            "baking hot", "sweaty", "sweating", "sweating buckets", "steamy", "humid", "muggy", "scorching",
            "stifling", "toasty", "melting", "overheating", "cooking", "sticky", "clammy", "airless", "close",
            "sultry", "oppressive", "tropical", "sizzling", "blistering", "red hot", "hot as hell", "boiling alive",
            "cooking alive", "burning up", "on fire", "dying of heat", "dying in this heat", "suffocating",
            "flushed", "like an oven", "like a sauna", "like a furnace", "like a greenhouse", "like a hothouse",
            "like a steam room", "like a sweatbox", "like the tropics", "like a desert", "like the sahara",
            "like hell", "an oven", "a sauna", "a furnace", "a greenhouse", "a sweatbox", "on the warm side",
            "on the hot side", "like summer", "like midsummer", "like a heatwave", "like a jungle", "like the equator",
            "like a rainforest", "like a bakery", "dripping with sweat", "drenched in sweat", "too hot to sleep",
            "stale", "melt", "die of heat", "into a puddle", "melting into a puddle", "a puddle"),
    "dark": ("dark", "dim", "gloomy", "murky", "pitch black", "pitch dark", "shadowy", "dingy", "dull", "dusky",
             "unlit", "too dark to see", "too dark to read", "black", "dark as night", "black as night",
             "black as pitch", "like a cave", "like a dungeon", "like a tomb", "like a cellar", "like a coal mine",
             "like night", "like midnight", "a cave", "a dungeon", "on the dark side", "on the dim side",
             "like a crypt", "like a bat cave", "like a black hole", "too dark to work", "too dark to do anything",
             "blind", "going blind"),
    "bright": ("bright", "glaring", "dazzling", "garish", "glary", "blinding", "harsh", "searing", "piercing",
               "intense", "light", "blinding me", "dazzling me", "like a stadium", "like an operating theatre",
               "like an operating room", "like a lighthouse", "like the sun", "like a football stadium",
               "like a hospital", "like an interrogation room", "like a supermarket", "like a spotlight",
               "too bright to sleep", "too bright to see", "too bright to watch tv", "too bright to watch",
               "too sunny", "like a tanning salon", "like a sunbed", "like a tanning bed"),
}
_WORD_FEEL = {w: f for f, ws in _ADJECTIVES.items() for w in ws}
_ENOUGH = {"warm": "cold", "hot": "cold", "heated": "cold", "cold": "hot", "cool": "hot", "bright": "dark",
           "light": "dark", "lit": "dark", "dark": "bright"}
"""'not warm enough' is cold, 'not bright enough' dark."""
_NOT_VERY = {"warm": "cold", "toasty": "cold", "tropical": "cold", "cosy": "cold", "cozy": "cold", "balmy": "cold",
             "heated": "cold", "bright": "dark", "light": "dark", "lit": "dark", "sunny": "dark", "cool": "hot"}
"""'it's not very warm' is cold, 'not that bright' dark."""
_COMPARE = {"colder": "cold", "chillier": "cold", "cooler": "cold", "frostier": "cold", "warmer": "hot",
            "hotter": "hot", "stuffier": "hot", "darker": "dark", "dimmer": "dark", "gloomier": "dark",
            "brighter": "bright"}
"""A comparison with something ('colder than a fridge', 'warmer than I'd like') states the feeling."""
_NOUN = {"cold": "cold", "chill": "cold", "heat": "hot", "darkness": "dark", "gloom": "dark", "glare": "bright",
         "brightness": "bright", "light": "bright", "lighting": "bright"}
"""The feeling said as a thing: 'the cold is killing me', 'this light is too much'."""
_LEVEL = {"strong": "bright", "intense": "bright", "much": "bright", "high": "bright", "harsh": "bright",
          "low": "dark", "weak": "dark", "soft": "dark", "faint": "dark", "dull": "dark", "dim": "dark"}
"""The lights' level said as a size: 'the lights are too strong' is bright, 'too low' dark."""
_HEAT_LEVEL = {"high": "hot", "up": "hot", "strong": "hot", "much": "hot", "low": "cold", "down": "cold",
               "weak": "cold"}
"""The heating's level: 'the heating is too high' is hot, 'the temperature is too low' cold."""

_DEGREE = (r"(?:(?:so|really|very|a bit|a little|a little bit|a tiny bit|a wee bit|bit|kind of|kinda|sort of|sorta|"
           r"quite|quite a bit|pretty|too|way too|much too|far too|a bit too|a little too|rather|super|a tad|a touch|"
           r"a smidge|bloody|damn|damned|well|just|still|already|getting|becoming|now|properly|freaking|fucking|"
           r"frigging|flipping|a lot|way|much|far|dead|proper|mega|crazy|ever so|like|that|even|bit of a|"
           r"(?!hardly|barely|scarcely)[a-z]+ly|this|all)\s+)*")
"""Degree words and intensifiers: any adverb in -ly ('awfully', 'unbearably', 'bitterly') is one."""
_INTERJECTION = (r"(?:(?:oh my god|oh my goodness|oh my|oh dear|oh|omg|man|ugh+|urgh|argh|hmm+|brr+|burr|god|"
                 r"good lord|lord|goodness|my goodness|gosh|jeez|geez|gee|golly|crikey|blimey|bloody hell|"
                 r"christ|jesus|heavens|dang|damn|darn|wow|whoa|woah|phew|whew|oof|ooft|ooh|ah+|ow|ouch|"
                 r"honestly|seriously|ok|okay|well|boy|yikes|geez louise|sheesh|hey|so|um|uh|er|erm|right|"
                 r"you know what|you know|i tell you|i must say|i have to say|i gotta say|i think|i feel like|"
                 r"i reckon|i swear|is it just me or|does anyone else think|fusehub|hey fusehub|mate)\s+)*")
"""Interjections, fillers and lead-ins before a statement ("brr", "gosh", "is it just me or", "I reckon")."""
_ADJ = "|".join(sorted((re.escape(w) for w in _WORD_FEEL), key=len, reverse=True))
_NOT = (r"(?:not|isn't|is not|'s not|aren't|are not|ain't|never|not quite|nowhere near|hardly|barely|scarcely|"
        r"not exactly|far from|anything but|not at all)")
_FEEL = (rf"(?:{_DEGREE}(?P<adj>{_ADJ})|{_NOT} {_DEGREE}(?P<enough>{'|'.join(_ENOUGH)}) enough"
         rf"|{_NOT} (?:very |that |particularly |exactly |really |at all |even |remotely |what i'd call |"
         rf"what you'd call |what you would call )?(?P<notvery>{'|'.join(_NOT_VERY)})(?: at all)?"
         rf"|{_DEGREE}(?P<cmp>{'|'.join(_COMPARE)})(?: in here)? than [a-z' ]+)(?:\s+me)?")
_AUX = (r"(?:\s+(?:is|was|are|has|have|had|feels|feel|felt|feeling|gets|get|getting|got|gotten|gone|turned|"
        r"all|both|become|becoming|became|starting to get|starting to feel|beginning to get|beginning to feel|"
        r"seems|seem|"
        r"seeming|looks|look|been|always|still|kind of|kinda|just|definitely|absolutely|really|going to|gonna|"
        r"about to|practically|literally|turning|turned|must be|must have|must have gone))*")
"""Verbs and adverbs between who feels it and the feeling ("it's getting", "I've been feeling", "it has gone")."""
_BE = r"(?:is|are|'s|s|feels|feel|is feeling|is getting|has gotten|has got|got|gets|has become|became|seems|looks)"
_PLACE = (r"in here|here|in this room|around here|in this house|in the house|in this place|in the flat|"
          r"in the apartment|in this flat|down here|up here|in (?:the )?(?P<room>[a-z' ]+?)")
_TAIL = (rf"(?P<tail>(?:\s+(?:{_PLACE}|right now|now|today|tonight|this morning|this evening|this afternoon|"
         r"at the moment|at the minute|again|already|lately|all of a sudden|suddenly|for me|for my liking|"
         r"to be honest|honestly|if i'm honest|isn't it|innit|don't you think|or what|though|as well|too|"
         r"like crazy|like mad|for words|mate|over here|all day|all morning|all afternoon|all evening|all night|"
         r"all week|"
         r"all the time|for reading|for working|for sleeping|to read in|to work in|for the baby|for the kids|"
         r"for the children))*)")
_SPEAKER = (r"(?:i'm|im|i am|i|i've|ive|i have|we're|we are|were|we|we've|we all|all of us|everyone's|everyone|"
            r"everybody's|everybody|the kids are|the baby is|the baby's|"
            r"(?:the |our )?(?:baby|kids|children|little ones?|boys|girls|twins)"
            r"(?:'s| is| are| seems?| looks?| feels?)|"
            r"my (?:hands|feet|toes|fingers|nose|ears|legs|face|arms|lips|body|back|neck|hands and feet|"
            r"feet and hands|whole body|skin))")
_LIGHTS = (r"(?:the )?(?:(?P<lroom>[a-z' ]+?) )?(?:lights?|lamps?|lighting|bulbs?|light in here|lights in here|"
           r"brightness|light levels?|lighting levels?)(?: in (?:the )?(?P<lroom2>[a-z' ]+?))?")
"""The lights, of a room it names: 'the study lights', 'the lights in the study'."""
_HEAT = (r"(?:the )?(?:heating|heat|heater|radiators?|temperature|thermostat|central heating|temp)")
_FRAMES = [
    # the speaker: "I'm freezing", "we are all a bit cold", "I've been sweating", "my feet are like ice"
    rf"{_SPEAKER}{_AUX} {_FEEL}",
    # the room: "it's chilly", "it's gone cold", "this room feels stuffy", "the kitchen's way too warm"
    rf"(?:it|its|it's|it is|it has|it's been|feels|feeling|getting|in here it's|in here it is|here it's|"
    rf"this room|this room's|the room|the room's|this place|this place's|the place|the air|the air's|"
    rf"is it just me or is it|is it just me or is this room|(?:the )?(?P<subject>[a-z' ]+?)(?:'s| {_BE})){_AUX} "
    rf"{_FEEL}",
    # light: "there's too much light", "there isn't enough light in here", "the lights are too strong"
    r"(?:there's|there is|theres|there|there are)?\s*"
    r"(?P<little>not enough|isn't enough|is not enough|'s not enough|too little|hardly any|barely any|no|not much|"
    r"very little)"
    r" (?:natural )?light",
    r"(?:there's|there is|theres)?\s*(?:way |far |much |a bit |a little )?(?P<much>too much) "
    r"(?:light|brightness|sun|sunlight|sunshine|glare)",
    rf"{_LIGHTS}(?:'s| is| are| feel| feels| seems?| seem) {_DEGREE}(?P<level>{'|'.join(_LEVEL)})",
    rf"{_HEAT}(?:'s| is| are| feels| seems?| seem| has been) (?:set |on |up |turned up |turned |way up )?{_DEGREE}"
    rf"(?P<heat>{'|'.join(_HEAT_LEVEL)})",
    # the heating or the radiators as felt: "the radiators are stone cold", "the heating isn't warm enough"
    rf"{_HEAT}(?:'s| is| are| feels| feel| has been| have been)? {_FEEL}",
    # the heating off or the temperature fallen is cold: "the heating isn't on", "the temperature has dropped"
    rf"{_HEAT}(?:'s| is| are| has| have| must be| must have| might be| seems to be| seems| must have gone)? "
    r"(?P<off>gone off|switched off|turned off|conked out|packed up|died|not doing its job|not doing anything|"
    r"not on|isn't on|aren't on|not working|isn't working|aren't working|"
    r"off|broken|not coming on|isn't coming on|dropped|fallen|gone down|plummeted|dropped a lot|really dropped|"
    r"(?:doesn't|does not|don't|do not) (?:seem to be |seem to )?(?:be on|on|working|work|doing anything)|"
    r"hasn't come on|haven't come on|won't come on|isn't doing anything|aren't doing anything|barely warm|"
    r"hardly warm|only lukewarm|lukewarm)",
    rf"{_HEAT}(?:'s| is| are| has| have)? (?P<blast>blasting|on full|on full blast|going full blast|gone up|risen|"
    r"shot up|through the roof)",
    # the feeling as a thing: "the cold is killing me", "I can't stand this heat", "this light is too much"
    r"(?:(?:the|this) (?P<noun>cold|chill|heat|darkness|gloom|glare|brightness|light|lighting)(?:'s| is) "
    r"(?:(?:just|really|a bit|way|far|honestly) )?(?:killing me|unbearable|too much|a bit much|awful|terrible|horrible|"
    r"getting to me|ridiculous|insane|crazy|brutal|intense|unreal)|i (?:can't|cannot|can not|couldn't) (?:stand|bear|"
    r"take|handle|cope with|deal with|stick) (?:the|this) (?P<noun2>cold|chill|heat|darkness|gloom|glare|brightness)"
    r"(?: much longer| any more| anymore)?)",
    r"(?:there's|there is|theres) (?:some |a lot of |loads of )?(?P<air>cold|freezing|icy|chilly) (?:air|wind|breeze)"
    r"(?: (?:coming|blowing|getting) in)?",
    rf"{_LIGHTS}(?:'s| is| are)? (?P<barely>barely|hardly|only just|scarcely) on",
    # a draught or a chill: "there's a draught in here", "there's a chill in the air"
    r"(?:there's|there is|theres|i can feel|i feel|feel) (?:a |such a |a real |a bit of a |quite a |an awful )?"
    r"(?:(?:cold|horrible|real|nasty|icy|freezing|proper) )*(?P<chill>draught|draft|chill|nip)(?: in the air)?",
    # the body says it: "I've got goosebumps", "my teeth are chattering", "I can see my breath"
    r"(?P<sym_cold>(?:i've got|i have|i've|i got|i'm getting|i am getting|i'm covered in|i've come out in) "
    r"(?:goosebumps|goose bumps|goose pimples|chills|the chills)|(?:my )?teeth (?:are|were|keep) chattering|"
    r"i can (?:even )?see my (?:own )?breath|i (?:can't|cannot|can not) (?:stop shivering|get warm|warm up|feel my "
    r"(?:fingers|toes|feet|hands|nose|legs))|i(?:'m| am) (?:really |definitely |properly )?feeling the (?:cold|chill)|"
    r"(?:i|you|we) can (?:even )?see (?:my|your|our) (?:own )?breath|i need (?:to warm up|"
    r"warming up|to get warm)|i'm shaking like a leaf)",
    r"(?P<sym_hot>i need (?:to cool down|cooling down|some air)|i (?:can't|cannot) (?:cool down|breathe in here)"
    r"|you could (?:fry an egg|bake bread|cook an egg|bake a cake)(?: in here)?"
    r"|i'm (?:dripping|pouring) (?:with )?sweat|i'm sweating (?:like a pig|buckets|like mad)|sweat is pouring off me)",
    r"(?P<sym_dark>i (?:need|could do with|could use|'d need) (?:a torch|a flashlight|a candle|night vision)|"
    r"i'm squinting|i am squinting|i have to squint|i've got to squint|i'm having to squint)"
    r"(?: (?:to (?:read|see)|at [a-z' ]+))?",
    r"(?P<sym_bright>(?:the )?(?:sun|sunlight|sunshine|glare|low sun)(?:'s| is)? (?:shining |right |streaming |"
    r"coming |directly |straight |bang )*(?:in|into) my eyes|(?:the )?(?:sun|sunlight|sunshine)(?:'s| is) (?:blinding"
    r"(?: me)?|too bright|dazzling me|glaring|too strong)|(?:the )?glare(?:'s| is) (?:awful|terrible|unbearable|"
    r"too much|killing me|"
    r"horrendous|horrible)|there's (?:too much |a lot of |such a |a |so much |loads of )?glare"
    r"(?: on (?:the |my )?[a-z]+)?|(?:the )?(?:sun|sunlight|sunshine)(?:'s| is) (?:glaring|shining|reflecting|"
    r"bouncing) (?:on|off) (?:my|the) (?:screen|tv|telly|monitor|laptop|computer|phone)|i (?:can't|cannot|can barely|"
    r"can hardly) see (?:[a-z' ]+ )?(?:for|because of|with) (?:the |all the |this )?(?:glare|sun|sunlight|light|"
    r"brightness))",
    rf"{_LIGHTS} (?:is|are|'s)?\s*(?:a bit |really |so )?(?P<eyes>hurting my eyes|burning my eyes|killing my eyes|"
    r"in my eyes|giving me a headache|blinding me|dazzling me|blinding)",
    r"(?P<eyes>my eyes (?:hurt|are hurting|are burning|are watering|hurt from the light)|i need (?:my )?sunglasses"
    r"|i'm being blinded|i am being blinded)",
    rf"{_LIGHTS}(?:'s| is| are| feel| feels| seems?| seem)? {_FEEL}",
    r"i (?P<see>can't|cannot|can not|cant|can barely|can hardly|can scarcely|barely can|hardly can|could barely|"
    r"could hardly|couldn't|can't really|cannot really|struggle to|am struggling to|'m struggling to) (?:see|read)"
    r"(?: (?:a thing|anything|a thing in here|much|at all|properly|my hands?|my fingers|my feet|my book|"
    r"my phone|the screen|my screen|where i'm going|what i'm doing|a thing at all))?"
    r"(?: (?:in this light|in this gloom|in the dark|by this light|with this light))?"
    r"(?: in front of (?:my|your) face)?",
    r"(?P<strain>i'm straining my eyes|i am straining my eyes|it's hard to see|it is hard to see|it's hard to read"
    r"|it's too dark to see|it's too dark to read)",
    # no frame, only with a degree, "not ... enough" or a place: "way too cold in here", "freezing in here"
    rf"(?=(?:so|really|very|a bit|bit|a little|too|way too|much too|far too|super|not|bloody|proper|dead|pretty|"
    rf"quite|rather|kinda|kind of|getting|freaking|damn|fairly) ){_FEEL}",
    rf"{_FEEL}(?=\s+(?:in here|in this room|in the |over here))",
]
_STATEMENT = [re.compile(rf"^{_INTERJECTION}{f}{_TAIL}$") for f in _FRAMES]
_HOUSE = frozenset({"it", "this", "this room", "the room", "room", "here", "in here", "this place", "place",
                    "the place", "house", "the house", "home", "the home", "flat", "the flat", "apartment",
                    "the apartment", "air", "the air", "temperature", "the temperature"})
"""Subjects that mean where the speaker is, not a named room."""


_SUBJECT = r"(?P<s>it|this room|this place|the room|the [a-z' ]+?|i|we)"
_QUESTIONS = [
    # "is it just me or is it freezing", "is it me or does it feel chilly in here": the statement after "or"
    re.compile(r"^is (?:it|that) (?:just )?me or (?:is it|it's|is this room|does it feel|has it got|has it gotten|"
               r"has it gone|did it get|is it getting) (?P<r>.+)$"),
    # "is it cold in here or is it just me", "is the study chilly or am I imagining it"
    re.compile(rf"^(?:is|does|has) {_SUBJECT} (?:feel |seem |got |gotten |gone |getting )?(?P<r>.+?) or (?:is it |"
               r"is that |am i |is this |are we )?(?:just )?(?:me|imagining it|imagining things|what)$"),
    # "why is it so cold in here", "how come it's this dark", "why am I so cold": a complaint, not a question
    re.compile(rf"^(?:why|how come|how)(?: is| am| are|'s| s)? {_SUBJECT}(?:'s| is| am| are| feel| feels)? "
               r"(?:so|this|that|always so|still so|getting so|so damn|so bloody|so freaking) (?P<r>.+)$"),
    # "isn't it cold in here", "don't you think it's a bit dark": asking for agreement states it
    re.compile(rf"^(?:isn't|is not|ain't) {_SUBJECT} (?P<r>.+)$"),
    re.compile(r"^(?:don't you think|do you not think|wouldn't you say|don't you find|would you not say) (?:that )?"
               r"(?P<r>.+)$"),
]
"""Rhetorical questions about a feeling, read as the statement they make."""
_SIMPLE = "|".join(sorted((re.escape(w) for w in _WORD_FEEL if " " not in w), key=len, reverse=True))
_BOTH = re.compile(rf"^(?P<pre>.*?\b)(?P<a>{_SIMPLE}) and (?:(?:a bit|really|very|so|too) )?(?P<b>{_SIMPLE})"
                   rf"(?P<post>\b.*)$")
"""Two feeling words joined: 'cold and dark', 'too hot and too bright'."""
_WHEN = re.compile(r"^(?:it was|it's going to be|it is going to be|it will be|it'll be|it's gonna be|it gets|it got|"
                   r"it's been|it has been)\b")
"""Another time than now: a remark ('it was boiling yesterday', 'it's going to be hot tomorrow')."""
_OUTSIDE = re.compile(r"\s+(?:outside|out there|out|outdoors|today|tomorrow|tonight|yesterday|this week|next week|"
                      r"in the mornings?|at night|already|again|these days|lately|early)$")
"""Outdoors or a time: 'it's cold outside', 'it's dark early these days'."""
_LIKE_BEING = re.compile(r" like (?:being|living|sitting|working|sleeping|standing) (?:in|inside|on) ")
"""'like being in a fridge' is 'like a fridge'."""
_JOINS = frozenset({"so", "because", "cos", "coz", "cause", "since", "as", "and", "but", "that", "i", "i'm", "im",
                    "we", "we're", "my", "it's", "to", "which", "can", "even", "though", "although", "plus", "also",
                    "really", "it", "honestly", "can't", "cant", "you", "everyone", "the", "like", "just", "they",
                    "absolutely", "totally", "completely", "properly", "seriously", "literally", "someone", "now"})
"""Words where a statement's reason or consequence starts: 'it's cold in here so I'm wearing two jumpers', 'it's so
cold I can't feel my toes', 'it's too cold to sit here', 'I'm cold, really cold'."""
_REQUEST = re.compile(r"^(?:(?:so|and|but|because|cos|since|as|then|now|just|maybe|perhaps) )*(?:don't|dont|do not|"
                      r"no need|never mind|leave|turn|switch|put|"
                      r"set|make|bump|raise|lower|dim|brighten|increase|decrease|open|close|shut|start|stop|play|lock|unlock|crank|"
                      r"boost|pop|whack|knock|fix|sort|do)\b|\b(?:can you|could you|would you|will you|can we|could we|"
                      r"shall we|please|you should|we should|let's|lets|i want|i'd like|i need you)\b")
"""A rest that asks for something ('it's dark so turn on the lights') is a request, not a statement's reason."""
_ABOUT_IT = re.compile(r"(?:(?:do|change) (?:something|anything)(?: about (?:it|that|this))?|"
                       r"(?:fix|sort) (?:it|that|this)(?: out)?|help(?: me)?)(?: please)?$")
"""'can we do something about it', 'could you sort it out': the statement is what is asked, nothing else."""


def asks(text: str) -> bool:
    """Whether `text` (a clause, or the rest of one after a statement) asks for something: "so turn on the lamp",
    "could you warm it up", "don't touch the heating". The pipeline keeps such a clause beside a statement even
    when no stage understood it, so that what was asked is answered."""
    t = plain(text)
    if _REQUEST.search(t) is None:
        return False
    return re.search(r"\b(?:don't|dont|do not|no need|never mind)\b", t) is not None or _ABOUT_IT.search(t) is None


def rhetorical(text: str) -> str | None:
    """The statement a rhetorical question about a feeling makes ("why is it so cold in here": "it is so cold in
    here"), or None when `text` is not such a question (whether it states a feeling is for :func:`feeling_of`)."""
    t = plain(text)
    for rx in _QUESTIONS:
        m = rx.match(t)
        if m is not None:
            who = m.groupdict().get("s") or "it"
            be = {"i": "am", "we": "are"}.get(who, "is")
            so = "so " if rx is _QUESTIONS[2] else ""
            if rx is _QUESTIONS[4]:
                return m.group("r")
            return f"{who} {be} {so}{m.group('r')}"
    return None


@dataclass(frozen=True, slots=True)
class Statement:
    """A comfort statement read from a clause: what is felt and where (None: the speaker's room)."""

    feeling: str
    room: str | None


def feeling_of(text: str, graph: ContextGraph) -> Statement | None:
    """The comfort statement `text` makes, or None when it makes none (a request, a question, another subject). A
    rhetorical question states it ("is it cold in here or is it just me"); a reason or consequence after it is
    left out ("it's cold in here so I'm wearing two jumpers") unless it asks for something."""
    t = _LIKE_BEING.sub(" like ", rhetorical(text) or plain(text))
    said = _read(t, graph)
    if said is not None:
        return said
    words = t.split()
    if "but" in words:  # "the heating's on but it's still cold": what comes after "but" is the point
        rest = " ".join(words[len(words) - words[::-1].index("but"):])
        said = _read(rest, graph) if asks(rest) is False else None
        if said is not None:
            return said
    for k in range(len(words) - 1, 1, -1):
        if words[k] in _JOINS and not asks(" ".join(words[k:])):
            said = _read(" ".join(words[:k]), graph)
            if said is not None:
                return said
    return None


def remark(text: str, graph: ContextGraph) -> bool:
    """Whether `text` says a feeling of something that is no room of this home and no device of it: "the soup is too
    hot", "my tea's gone cold", "it's cold outside", "it was boiling yesterday", "it's going to be hot tomorrow". A
    remark, not a request: it gets a short reply and no action (no "I did not understand")."""
    if feeling_of(text, graph) is not None:
        return False
    t = _WHEN.sub("it's", plain(text))
    while (cut := _OUTSIDE.sub("", t)) != t:
        t = cut
    return _read(t, graph, lenient=True) is not None


def _device_words(graph: ContextGraph) -> frozenset[str]:
    """Every word of a device's name or alias in this home."""
    names = [n for d in graph.device_ids() for n in (graph.device(d).name, *graph.device(d).aliases)]
    return frozenset(w for n in names for w in plain(n).split()) - {"the", "a", "my", "our", "of", "in", "on"}


def _read(t: str, graph: ContextGraph, *, lenient: bool = False) -> Statement | None:
    """The statement the plain text `t` makes as a whole. `lenient`: a subject that is no room is let pass (a
    remark) unless it names a device of the home ("the fridge is too warm" is for the other stages)."""
    for rx in _STATEMENT:
        m = rx.match(t)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("little") or g.get("see") or g.get("strain"):
            feeling = "dark"
        elif g.get("noun") or g.get("noun2"):
            feeling = _NOUN[g.get("noun") or g["noun2"]]
        elif g.get("sym_cold") or g.get("off") or g.get("chill") or g.get("air"):
            feeling = "cold"
        elif g.get("sym_hot") or g.get("blast"):
            feeling = "hot"
        elif g.get("sym_dark") or g.get("barely"):
            feeling = "dark"
        elif g.get("cmp"):
            feeling = _COMPARE[g["cmp"]]
        elif g.get("much") or g.get("eyes") or g.get("sym_bright"):
            feeling = "bright"
        elif g.get("level"):
            feeling = _LEVEL[g["level"]]
        elif g.get("heat"):
            feeling = _HEAT_LEVEL[g["heat"]]
        elif g.get("enough"):
            feeling = _ENOUGH[g["enough"]]
        elif g.get("notvery"):
            feeling = _NOT_VERY[g["notvery"]]
        else:
            feeling = _WORD_FEEL[g["adj"]]
        rooms: list[str | None] = []
        for said in (g.get("subject"), g.get("room"), g.get("lroom"), g.get("lroom2")):
            if said is None or said.strip() in _HOUSE:
                continue
            short = said.strip().removeprefix("the ").removeprefix("our ").removeprefix("my ")
            rid = graph.resolve_room(said.strip()) or graph.resolve_room(short) or _room_by_head(short, graph)
            if rid is None and lenient and not set(short.split()) & _device_words(graph):
                continue
            if rid is None:
                break  # "the soup is too hot", "cold in january": not about a room of this home
            rooms.append(rid)
        else:
            if len(set(rooms)) > 1:
                return None
            return Statement(feeling, rooms[0] if rooms else None)
    return None


def _room_by_head(said: str, graph: ContextGraph) -> str | None:
    """The one room whose name or an alias ends in `said` as whole words ("bedroom": the "Master bedroom" when no
    other room is a bedroom), else None."""
    found = {r.id for r in graph.rooms() for n in (r.name, *r.aliases) if n.lower().endswith(f" {said}")}
    return found.pop() if len(found) == 1 else None


def comfort(text: str, graph: ContextGraph, room: str | None) -> Plan | None:
    """The plan for a comfort statement about the room it names or the speaker's `room`, or None when `text` is
    not one. With no room named and the speaker's room not known, the answer asks which room."""
    s = feeling_of(text, graph)
    if s is None:
        return None
    said = [s]
    both = _BOTH.match(plain(text))  # "it's cold and dark in here": two feelings, two adjustments, one place
    if both is not None:
        each = [feeling_of(f"{both['pre']}{adj}{both['post']}", graph) for adj in (both["a"], both["b"])]
        if each[0] is not None and each[1] is not None:
            said = [each[0]] + ([each[1]] if each[1].feeling != each[0].feeling else [])
    calls: list[SkillCall] = []
    missing: str | None = None
    for one in said:
        where = one.room or (room if room is not None and graph.has_room(room) else None)
        if where is None:
            return Plan(source="intent", confidence=1.0, cannot=UNKNOWN_ROOM)
        feeling = _FEELINGS[one.feeling]
        if not graph.devices(room=where, capability=feeling.capability):
            missing = missing or f"There's no {feeling.missing} in the {graph.room(where).name}"
            continue
        change: float | int = feeling.change if feeling.skill.startswith("climate") else int(feeling.change)
        calls.append(SkillCall(skill=feeling.skill, args={"room": where, "change": change}))
    if not calls:
        return Plan(source="intent", confidence=1.0, cannot=missing)
    return Plan(source="intent", confidence=1.0, calls=calls)
