"""Text normalisation shared by the knowledge index and incoming questions.

Both sides go through the same steps, so whatever a question looks like on the wire (Discord or
Slack markup, emoji, zero-width joiners, accents, curly quotes) it is compared on equal terms.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import snowballstemmer

# Chat markup carries ids, not words: mentions, channels, roles, custom emoji, timestamps.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:\d+(?::\w)?|/[\w -]+:\d+)>")
_SLACK_LINK = re.compile(r"<(https?://[^>|]+)(?:\|([^>]*))?>")
_SLACK_MARKUP = re.compile(r"<[@#!][^>]*>")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
# A mention typed as plain text ('@studybot', '@everyone') names who is addressed, not what.
_AT_NAME = re.compile(r"(?<![\w.])@[\w.-]+")
_FENCE = re.compile(r"```[\w+-]*")
_EMOJI_SHORTCODE = re.compile(r":[a-z0-9_+-]{2,}:")
_INVISIBLE = dict.fromkeys(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x180E,
        0xFEFF,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
    ],
    None,
)
_APOSTROPHE_S = re.compile(r"(\w)['’`]s\b")
_LETTER_HYPHEN_DIGIT = re.compile(r"\b([a-z]{1,3})-(\d{2,4})\b")
_NON_WORD = re.compile(r"[^\w%$]+")
_PERCENT = re.compile(r"%")
_NUMBER_GROUPS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")

NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
}

# Function words, question words, chat filler and verbs so generic that they say nothing about
# which fact is wanted. Dropped on both sides, so nothing is lost by leaving one in a phrasing.
STOPWORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from into onto about as is are was
    were be been being am do does did doing done have has had having it its this that these
    those there here what whats which who whom whose why how when where wheres whos hows
    i im ive me my we our you your youre u ur he she they them their theirs his her him can cant
    could would should will wont shall may might must not no yes any some all also just only
    very really much many more most tell explain say said says according pls please plz pl thx
    hey hi hello yo bot quick q question know want wanted anyone someone like kind sort get got
    give gives mean means meant called call go goes going gone again still even ever way thing
    things stuff exactly actually basically literally lol lmao rn abt thru tho idk btw tl dr tldr
    fyi imo ok okay um uh hmm pls wanna gonna gotta yeah yep nope ya yall guys bro mentioned
    teh hte thw wat wut waht whta wht hwo wich whic wher happend happned hapened
    mention mentions talk talking talked text article piece paper reading read intro part
    happen happened happens use used using try tried make made makes put puts run runs keep
    keeps come comes came think thinks thought look looking find need needs one ones
    other others another something anything everything nothing else etc vs versus per now
    then than there thereby regarding re info information detail details describe described
    described exact according main mainly point points stated state states name named type
    kind sorts reason reasons mention role stand stands
    besides toward towards across under over while each both either neither via among within
    upon
    dont doesnt didnt isnt arent wasnt werent hes shes theyre thats nah smth sth tmrw tmr tomorrow
    tonight
    para paras paragraph paragraphs section sections week weeks
    suppose supposed supposedly seem seems seemed apparently too between went
    instead context acronym acronyms abbreviation abbreviations abbreviated mid
    """.split()
)

_STEMMER = snowballstemmer.stemmer("english")

# Everyday words that can carry a question's meaning but rarely pick out one fact: they count,
# at a discount, so "which city hosted the G20" is decided by "G20", not by "city". 'One' and
# 'two' (read as 1 and 2) mostly count "the two countries" rather than state a figure.
_GENERIC_WORDS = """
    city cities country countries place places year years date dates time times number numbers
    amount size part parts type types group groups title person people example examples cause
    result effect effects purpose goal aim idea view views opinion fact facts summary overview
    happen become became gotten take took see seen show shows want wants need needs feel
    feels believe believes start started end ended big small large little good bad new old long
    short high low last next few less least whole overall total currently today recently
    already never always often sometimes usually quite pretty rather mostly exact
    important importance matter matters deal dealing relation relations issue issues topic
    world public official officially situation position word words term terms center centre
    inside
    1 2
""".split()


@functools.lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Porter2 stems, so 'sanctions' meets 'sanctioned' and 'engineering' meets 'engineer'."""
    if len(token) <= 3 or not token.isalpha():
        return token
    return str(_STEMMER.stemWord(token))


GENERIC = frozenset(stem(w) for w in _GENERIC_WORDS)
_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)


def strip_markup(text: str) -> str:
    """Remove chat markup, URLs, code fences and invisible characters; keep the words."""
    text = text.translate(_INVISIBLE)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or " ", text)
    text = _DISCORD_MARKUP.sub(" ", text)
    text = _SLACK_MARKUP.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _AT_NAME.sub(" ", text)
    text = _FENCE.sub(" ", text)
    return text.replace("`", " ")


def fold(text: str) -> str:
    """NFKC, case folding and accent removal, so 'Pütin', 'ＰＵＴＩＮ' and 'putin' agree."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text)


def _drop_symbols(text: str) -> str:
    if text.isascii():
        return text
    # Emoji and other pictographs are So/Sk; they carry mood, not content.
    return "".join(
        " " if unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cn") else ch for ch in text
    )


def clean(text: str) -> str:
    """The visible words of a message, lower-cased and with single spaces."""
    text = fold(strip_markup(text))
    text = _EMOJI_SHORTCODE.sub(" ", text)
    text = _drop_symbols(text)
    text = text.replace("’", "'").replace("‘", "'")
    text = _APOSTROPHE_S.sub(r"\1", text)
    text = _NUMBER_GROUPS.sub("", text)
    text = _PERCENT.sub(" percent ", text)
    text = _LETTER_HYPHEN_DIGIT.sub(r"\1\2", text)
    text = _NON_WORD.sub(" ", text.replace("_", " ")).replace("$", " ")
    words = [NUMBER_WORDS.get(w, w) for w in text.split()]
    return " ".join(words)


class Synonyms:
    """Rewrites every curated variant of a term to the group's first (canonical) form."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        table: dict[str, str] = {}
        for group in groups:
            terms = [clean(t) for t in group]
            terms = [t for t in terms if t]
            if len(terms) < 2:
                continue
            canonical = terms[0]
            for term in terms:
                table.setdefault(term, canonical)
        self._table = table
        # For each word that starts a variant, the most words a variant starting with it has.
        self._starts: dict[str, int] = {}
        for term in table:
            first, length = term.split()[0], len(term.split())
            self._starts[first] = max(self._starts.get(first, 0), length)

    def apply(self, cleaned: str) -> str:
        """Greedy longest match over words: 'one belt one road' wins over 'one'."""
        if not self._table:
            return cleaned
        words = cleaned.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            longest = self._starts.get(words[i], 0)
            for n in range(min(longest, len(words) - i), 0, -1):
                canonical = self._table.get(" ".join(words[i : i + n]))
                if canonical is not None:
                    out.append(canonical)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)

    @property
    def variants(self) -> frozenset[str]:
        return frozenset(self._table)


def is_noise(word: str) -> bool:
    """Stopwords in any inflection ('meaning', 'happened'), and stray single letters."""
    if len(word) == 1:
        return not word.isdigit()
    return word in STOPWORDS or stem(word) in _STOP_STEMS


def content_tokens(cleaned: str) -> list[str]:
    """Stemmed tokens that carry meaning."""
    return [stem(word) for word in cleaned.split() if not is_noise(word)]
