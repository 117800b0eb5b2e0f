"""What kind of fact a question asks for, and whether an answer holds one.

Word overlap cannot tell 'how long is the China-Russia border' from 'how long is the
Trans-Siberian railway': both name things the pack knows. What separates them is that only one
of the answers carries a length. A question that asks for a time, a count or a measure is only
answered by an entry whose answer states one; otherwise the bot offers suggestions instead. A
question that asks for a name needs an answer that names something the question did not; the
matcher checks that, since it depends on the question's words.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.core.text import NUMBER_WORDS, is_noise


class Kind(Enum):
    YEAR = "year"
    MONTH = "month"
    TIME = "time"
    AMOUNT = "amount"
    MEASURE = "measure"  # a length or a duration: 'how long is' can mean either
    DISTANCE = "distance"
    DURATION = "duration"  # 'how long has': a span, or the year it started from
    NAME = "name"  # checked against the question too: see `Matcher`


_LENGTH_UNIT = (
    r"km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|millimet(?:re|er)s?|centimet(?:re|er)s?|mm|cm|"
    r"inch(?:es)?|yards?|feet|foot|sq|square"
)
# Checked on cleaned text (lower case, punctuation turned into spaces).
_ASKS = (
    (
        Kind.DISTANCE,
        re.compile(
            r"\bhow (?:deep|far|tall|high|wide)\b|\bwhat(?:s| is| was)? the (?:\w+ ){0,2}"
            r"(?:range|length|depth|height|width|distance) (?:of|between)\b|"
            r"\bwhat (?:range|length|depth|height|width|distance) (?:did|does|do|is|was|has|had)\b|"
            rf"\bhow many (?:{_LENGTH_UNIT})\b"
        ),
    ),
    (
        Kind.DURATION,
        re.compile(
            r"\bhow long (?:has|have|had|did|do|does|will|would|could|can|should)\b|"
            r"\bhow many (?:hours|days|weeks|months|years|yrs|decades)\b"
        ),
    ),
    (Kind.MEASURE, re.compile(r"\bhow (?:long|old)\b(?! ago)")),
    (Kind.AMOUNT, re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|amount|percentage|share)\b")),
    (Kind.YEAR, re.compile(r"\b(?:what|which) (?:year|yr)\b|\bin what year\b")),
    # A date or a day is more than a year: it needs at least the month.
    (Kind.MONTH, re.compile(r"\b(?:what|which) month\b|\b(?:what|which|exact) (?:date|day)\b")),
    (
        Kind.TIME,
        re.compile(
            r"^when\b|\b(?:when (?:did|was|were|is|does|do|will|had|has)|what date|since when|"
            r"how long ago)\b"
        ),
    ),
    (
        Kind.NAME,
        re.compile(
            r"\b(?:names?|named|called|titled?|designation)\b|"
            # 'Which polling firm ran the survey' wants the firm's name, not the survey's figures.
            r"\b(?:which|what) (?:\w+ )?(?:compan(?:y|ies)|firms?|organi[sz]ations?|bod(?:y|ies)|"
            r"banks?|agenc(?:y|ies)|committees?|commissions?|institutes?|institutions?|"
            r"universit(?:y|ies)|schools?|newspapers?|magazines?|publishers?|books?|treat(?:y|ies)|"
            r"think tanks?)\b"
        ),
    ),
)

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
# The words `clean` reads as digits, and the ones it leaves as words.
_NUMBER_WORDS = [
    *NUMBER_WORDS,
    *"eleven forty hundreds thousands million millions billion billions trillion dozen dozens "
    "half double twice triple quarter third".split(),
]
# A year as the texts write one; the matcher reads years with it too.
YEAR_PATTERN = r"(?:1[5-9]|20)\d\d"
_TIME = re.compile(
    rf"\b(?:{YEAR_PATTERN}s?|\d\d?(?:st|nd|rd|th) century|{'|'.join(_MONTHS)}|"
    r"centur(?:y|ies)|decades?|years? ago|spring|summer|autumn|winter|today)\b",
    re.IGNORECASE,
)
_MONTH = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\b", re.IGNORECASE)
_YEAR_IN_TEXT = re.compile(rf"\b{YEAR_PATTERN}s?\b")
_COUNT = re.compile(
    # A digit joined to letters is a model or a group ('S-400', 'G20'), not a count; 'the two'
    # and 'the one' are the two countries and the one growing, not figures.
    rf"(?<![\w.-])(?!{YEAR_PATTERN}\b)\d[\d,.]*\b|\b(?<!the )(?:one|two)\b|"
    rf"\b(?:{'|'.join(w for w in _NUMBER_WORDS if w not in ('one', 'two'))})\b|%|\bpercent\b|\$",
    re.IGNORECASE,
)
_DISTANCE = re.compile(rf"\b(?:{_LENGTH_UNIT})\b", re.IGNORECASE)
_MEASURE = re.compile(
    rf"\b(?:{_LENGTH_UNIT}|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b",
    re.IGNORECASE,
)


def asked_kind(cleaned_question: str) -> Kind | None:
    """The kind of fact the question wants, if it names one."""
    for kind, pattern in _ASKS:
        if pattern.search(cleaned_question):
            return kind
    return None


_PROPER_NAMES = re.compile(r"\bnames\b|\b(?:actual|official|proper|real) names?\b")


def asks_for_proper_names(cleaned_question: str) -> bool:
    """Whether the question asks for names proper ('what are the names of the treaties'),
    which what something is called ('the unequal treaties') does not give."""
    return bool(_PROPER_NAMES.search(cleaned_question))


def asks_for_name(cleaned_question: str) -> bool:
    """Whether the question asks for a name, whatever else it asks for."""
    return any(kind is Kind.NAME and pattern.search(cleaned_question) for kind, pattern in _ASKS)


_HOW_MANY = re.compile(r"\bhow many (\w+)(?: (\w+))?")
_UNIT = re.compile(rf"(?:{_LENGTH_UNIT}|hours?|days?|weeks?|months?|years?|yrs|decades?)$")
# 'How many times bigger' asks for a multiple, and 'how many people' is answered by '6 million
# Russians': neither word is what the answer has to name.
_NOT_COUNTED = frozenset({"times", "people", "persons"})
_COMPARATIVES = frozenset({"bigger", "larger", "smaller", "greater", "higher", "lower"})


def counted_words(cleaned_question: str) -> str:
    """What 'how many' counts, read from the words after it: 'sailors' in 'how many sailors
    took part', 'chinese migrants' in 'how many chinese migrants live there'. An answer that
    never names them counts something else. Units are left to the asked kind."""
    found = _HOW_MANY.search(cleaned_question)
    if found is None or _UNIT.match(found.group(1)):
        return ""
    words = []
    for word in found.groups():
        if word is None or is_noise(word) or word in _COMPARATIVES or word in _NOT_COUNTED:
            break
        words.append(word)
    return " ".join(words)


_YEAR_ASKED = re.compile(r"\b(?:(after|since|post) )?((?:19|20)\d\d)s?\b")


def latest_year(cleaned_question: str) -> int | None:
    """The latest year a question asks about: 'in 2020' is 2020, 'after 2017' is 2018."""
    years = [
        int(year) + (1 if after else 0) for after, year in _YEAR_ASKED.findall(cleaned_question)
    ]
    return max(years) if years else None


# 'Did the EEU and OBOR ever merge', 'did THAAD end up staying': what happened next.
_LATER = re.compile(
    r"^(?:did|has|have|had)\b.*\b(?:ever|eventually|end(?:ed)? up|in the end|later|afterwards|"
    r"in the years? after|since then|(?:actually|really) happen|go ahead|take place)\b"
)


def asks_what_happened_later(cleaned_question: str) -> bool:
    """Whether the question asks how something turned out after the events described, which a
    source cannot know."""
    return bool(_LATER.search(cleaned_question))


_STANDS_FOR = re.compile(
    r"\bwhat (?:(?:does|do|did) )?(?:the )?(?:acronym |abbreviation )?(\w+) (?:\w+ ){0,2}"
    r"stands? for\b|"
    r"\b(\w+) (?:is )?(?:stands? for|short for) what\b"
)


def spelled_out(cleaned_question: str) -> str | None:
    """The abbreviation a question asks to spell out ('what does OBOR stand for'), or None."""
    found = _STANDS_FOR.search(cleaned_question)
    if found is None:
        return None
    return (found.group(1) or found.group(2)).lower()


def spells_out(answer: str, abbreviation: str) -> bool:
    """Whether the answer has capitalised words whose initials spell the abbreviation, in a
    run that may skip 'of', 'the' and 'and': 'One Belt One Road', 'Brazil, Russia, India,
    China and South Africa'. Lower-case words count too when the answer also gives the
    abbreviation itself: 'liquefied natural gas (LNG)'."""
    words = [w for w in re.findall(r"[\w']+", answer) if w.lower() not in ("of", "the", "and")]
    capitals = "".join(w[0].lower() if w[0].isupper() else " " for w in words)
    if abbreviation in capitals:
        return True
    lower = "".join(w[0] if w[0].islower() else " " for w in words)
    return abbreviation in lower and abbreviation.upper() in words


def kinds_in(answer: str) -> frozenset[Kind]:
    """The kinds of fact an answer states."""
    found = set()
    if _TIME.search(answer):
        found.add(Kind.TIME)
    if _MONTH.search(answer):
        found.add(Kind.MONTH)
    if _YEAR_IN_TEXT.search(answer):
        found.add(Kind.YEAR)
    if _COUNT.search(answer):
        found.add(Kind.AMOUNT)
        if _MEASURE.search(answer):
            found.add(Kind.MEASURE)
        if _DISTANCE.search(answer):
            found.add(Kind.DISTANCE)
    if Kind.MEASURE in found or Kind.YEAR in found:
        found.add(Kind.DURATION)
    return frozenset(found)


_QUOTED = re.compile(r"[\"“]([^\"”]{2,80})[\"”]")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*(?:[ -]+(?:of |the )?[A-Z][\w'’-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s+)$")


def names_in(answer: str) -> list[str]:
    """The names an answer gives: quoted terms, then runs of capitalised words."""
    return quoted_in(answer) + capitalised_in(answer)


def quoted_in(answer: str) -> list[str]:
    """The terms an answer puts in quotes ('the "unequal treaties"'): what something is called."""
    return [m.group(1) for m in _QUOTED.finditer(answer)]


def capitalised_in(answer: str) -> list[str]:
    """Runs of capitalised words, less a first word that is capitalised only because it starts
    a sentence ('Three', 'On')."""
    found = []
    for m in _CAPITALISED.finditer(answer):
        run = m.group()
        if _SENTENCE_START.search(answer[: m.start()]):
            run = run.partition(" ")[2]
        if run:
            found.append(run)
    return found
