"""Find the curated entry a question asks for, or decide honestly that there is none.

Three signals, combined into one 0-100 score per entry:
- coverage: the share of the question's rare words (IDF-weighted) that the entry knows, from its
  phrasings and keywords at full weight and from its answer at a discount. It carries most of the
  recall, and it is also the evidence for abstaining: an off-topic question leaves its rarest
  words uncovered.
- overlap: the best IDF-weighted Jaccard between the question and one phrasing, which prefers the
  entry whose phrasing says the same thing and no more.
- fuzzy: rapidfuzz over the cleaned strings, which forgives typos and word order.

A question that asks for a date, a count, a measure or a name is answered only by an entry whose
answer states one (see `answer_kinds`), 'how many sailors' only by one that names sailors, and
'what does OBOR stand for' only by one that spells it out; a close fit without one becomes a
suggestion. So does one whose entry never mentions a name the
question gives, never reports the person it asks about saying anything (see `names`), or never
speaks of the deed whose doer is asked for ('who founded ...'). A question about a year after
the source was written is never answered from it.

A would-be answer is also held against the pack's not-covered questions, scored the same way on
an index of their own: when one fits better, the commentary does not answer what was asked.

Everything that does not depend on the question (tokens, IDF, postings, vocabulary) is built once
when the matcher is made.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core.answer_kinds import (
    YEAR_PATTERN,
    Kind,
    asked_kind,
    asks_for_name,
    asks_for_proper_names,
    asks_what_happened_later,
    counted_words,
    kinds_in,
    latest_year,
    spelled_out,
    spells_out,
)
from bot.core.knowledge import Entry, KnowledgeBase, NotCovered
from bot.core.names import NameIndex
from bot.core.text import GENERIC, STOPWORDS, Synonyms, clean, content_tokens, is_noise, stem

COMMON_ANSWER_SHARE = 0.1
ANSWER_WORDS_KEPT = 4096
_TIE = 1e-9
# A model or designation the pack never uses ("Su-35", read "su35") names something else.
_DESIGNATION = re.compile(r"[a-z]{1,3}\d{1,4}")
# 'How many X': X within this many words of a figure in the answer ('three Chinese ships').
_FIGURE_REACH = 3
_FIGURE_WORDS = frozenset("million billion trillion thousand hundred dozen half percent".split())
# Where one statement of an answer ends: 'Saudi Arabia: in 2016 Russia overtook it ..., though
# Russia still supplies only 20 percent' gives no figure for Saudi Arabia.
_CLAUSE = re.compile(r"[.;:]\s|,\s(?=(?:though|while|but|whereas|against|compared)\b)")
# A figure that is not a year, and the words of a sum or a conversion of units, as read.
_YEAR_TOKEN = re.compile(YEAR_PATTERN)
_FIGURE_TOKEN = re.compile(rf"(?!{YEAR_PATTERN}$)\d[\d.]*")
_SUM_WORDS = frozenset(
    stem(w)
    for w in """percent plus minus times multiply multiplied divide divided equal equals sum
    convert conversion calculate km kilometre kilometer kilometres kilometers mile miles sq square
    metre meter metres meters""".split()
)


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and weights; the defaults are tuned with `python -m bot eval --independent`,
    one setting at a time, for the most room above 90% answered right and below 5% of off-topic
    questions answered, both at once.

    The score needed to answer falls with the question's length, from `answer_threshold` for
    one or two content words by `threshold_step` per further word down to `threshold_floor`:
    a long question that the entry covers well is stronger evidence than a short one, whose
    one or two words ('lake baikal') can fit an entry by coincidence.
    """

    answer_threshold: float = 70.0
    threshold_step: float = 5.0
    threshold_floor: float = 50.0
    suggest_threshold: float = 45.0
    margin: float = 2.0
    min_coverage: float = 0.70
    suggest_coverage: float = 0.5
    max_suggestions: int = 3
    candidate_limit: int = 15
    # How many entries sharing the most weight with a question are scored in full: the right
    # one is almost always among the first few, and each costs a pass over its phrasings.
    shortlist: int = 20
    postings_cap: int = 1000
    weight_coverage: float = 0.4
    weight_overlap: float = 0.2
    weight_fuzzy: float = 0.4
    answer_word_weight: float = 0.9
    generic_word_weight: float = 0.4
    passage_word_weight: float = 0.6
    unknown_word_idf: float = 0.4
    not_covered_slack: float = 15.0
    vague_share: float = 0.5
    not_covered_shortlist: int = 10


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    coverage: float
    overlap: float
    fuzzy: float


@dataclass(frozen=True)
class Query:
    text: str
    cleaned: str
    tokens: tuple[str, ...]
    unknown: tuple[str, ...]
    wants: Kind | None = None
    # 'is he a professor or a journalist': the words either side of each 'or'. An entry that
    # knows one side answers the question; the side it lacks is the option it rules out.
    choices: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    # Tokens read from a word taken for a typo ('lunch' read as 'launch').
    guessed: frozenset[str] = frozenset()
    # 'what did Trump say ...': the names whose words the question asks for.
    speakers: frozenset[str] = frozenset()
    # 'how many sailors ...': the words the answer's count must be of, read as `_same` reads
    # the answer's words.
    counted: tuple[str, ...] = ()
    # 'who founded ...': the deed whose doer is asked for.
    deed: tuple[str, ...] = ()
    # 'trade in 2020': the latest year asked about, which a source written before cannot know.
    year: int | None = None
    # 'what does OBOR stand for': the abbreviation the answer has to spell out.
    spelled: str | None = None
    # 'besides the rail gauge, what slows goods down': words naming an answer the student
    # already has.
    set_aside: frozenset[str] = frozenset()
    # 'what was it called and when': a name asked for besides the kind of fact in `wants`.
    names_asked: bool = False
    # 'the names of the treaties': capitalised names, not what the treaties are called.
    proper_names: bool = False
    # 'did they ever merge': how things turned out, which no source knows when it is written.
    later: bool = False


@dataclass(frozen=True)
class MatchResult:
    status: str  # "answered" | "ambiguous" | "no_match" | "not_covered"
    query: Query
    candidates: tuple[Candidate, ...]
    # With "not_covered": the curated question the commentary does not answer that fits better
    # than any entry.
    not_covered: NotCovered | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class _Doc:
    """What the matcher knows of one entry, or of one question the commentary does not answer."""

    strong: frozenset[str]
    weak: frozenset[str]
    passages: tuple[tuple[str, int], ...]
    phrasings: tuple[frozenset[str], ...]
    strings: tuple[str, ...]


_Postings = dict[str, tuple[list[int], list[int]]]
_NO_POSTINGS: tuple[list[int], list[int]] = ([], [])


def _holders(postings: _Postings, token: str) -> int:
    """How many docs hold the word, in their phrasings or their answer."""
    strong, weak = postings.get(token, _NO_POSTINGS)
    return len(strong) + len(weak)


@dataclass(frozen=True, slots=True)
class _Scored:
    index: int
    score: float
    coverage: float
    overlap: float
    fuzzy: float


class Matcher:
    def __init__(self, kb: KnowledgeBase, settings: MatchSettings | None = None) -> None:
        self.settings = settings or MatchSettings()
        self.synonyms = Synonyms(kb.synonyms)
        self._words: set[str] = set()
        self._token_cache: dict[str, list[str]] = {}
        parsed = []
        for entry in kb.entries:
            phrasing_tokens = [frozenset(self._tokens(p)) for p in entry.phrasings]
            strong = set().union(*phrasing_tokens)
            for keyword in entry.keywords:
                strong.update(self._tokens(keyword))
            answer_tokens = set(self._tokens(entry.answer))
            parsed.append(
                (
                    entry,
                    phrasing_tokens,
                    frozenset(_with_decades(strong)),
                    _with_decades(answer_tokens),
                )
            )
        # Words most answers share ('author', 'says') would tie every entry to every question.
        answer_df: dict[str, int] = defaultdict(int)
        for *_, answer_tokens in parsed:
            for token in answer_tokens:
                answer_df[token] += 1
        common = {t for t, c in answer_df.items() if c > max(3, len(parsed) * COMMON_ANSWER_SHARE)}
        # A student who has just read a paragraph borrows its words: every word the pack uses
        # for a passage (its entries and its summary) is weak evidence for each entry citing it.
        passages: dict[tuple[str, int], set[str]] = defaultdict(set)
        for entry, _, entry_tokens, _ in parsed:
            for paragraph in entry.paragraphs:
                passages[(entry.source, paragraph)].update(entry_tokens)
        for source in kb.sources.values():
            for paragraph, summary in source.paragraphs.items():
                passages[(source.id, paragraph)].update(self._tokens(summary))
        # Kept per passage, not copied into each entry: at 100,000 entries a copy per entry
        # would cost gigabytes for no gain.
        self._passages = {key: frozenset(tokens - common) for key, tokens in passages.items()}
        docs: list[_Doc] = []
        # Most answers state the same few kinds of fact; one shared set per combination.
        kind_sets: dict[frozenset[Kind], frozenset[Kind]] = {}
        self._kinds: dict[str, frozenset[Kind]] = {}
        for entry, phrasing_tokens, entry_tokens, answer_tokens in parsed:
            kinds = kinds_in(entry.answer)
            self._kinds[entry.id] = kind_sets.setdefault(kinds, kinds)
            docs.append(
                _Doc(
                    entry_tokens,
                    frozenset(answer_tokens - entry_tokens - common),
                    tuple((entry.source, p) for p in entry.paragraphs),
                    tuple(phrasing_tokens),
                    tuple(" ".join(sorted(p)) for p in phrasing_tokens),
                )
            )
        self._entries = [entry for entry, *_ in parsed]
        self._source_years = {source.id: source.year for source in kb.sources.values()}
        self._position = {entry.id: i for i, entry in enumerate(self._entries)}
        # Answers' words are read only for 'how many' questions, and kept only for the entries
        # such questions meet most: keeping every answer's words would cost memory at scale.
        self._answer_words = functools.lru_cache(maxsize=ANSWER_WORDS_KEPT)(self._read_answer)
        self._figure_clauses = functools.lru_cache(maxsize=ANSWER_WORDS_KEPT)(
            self._read_figure_clauses
        )
        self._questions = [clean(entry.question) for entry in self._entries]
        self._docs = docs
        # Questions the commentary does not answer are scored like entries, on their own index.
        # They cite nothing, so they lend no words to passages.
        self._not_covered = list(kb.not_covered)
        not_covered_docs = []
        for item in self._not_covered:
            tokens = frozenset(self._tokens(item.question))
            not_covered_docs.append(
                _Doc(tokens, frozenset(), (), (tokens,), (" ".join(sorted(tokens)),))
            )
        self._not_covered_docs = not_covered_docs
        df: dict[str, int] = defaultdict(int)
        # Per word, the docs that hold it in their phrasings and those that hold it only in
        # their answer, kept apart so gathering candidates needs no per-doc lookup.
        postings: _Postings = defaultdict(lambda: ([], []))
        not_covered_postings: _Postings = defaultdict(lambda: ([], []))
        citing: dict[tuple[str, int], int] = defaultdict(int)
        for i, doc in enumerate(docs):
            for token in doc.strong:
                df[token] += 1
                postings[token][0].append(i)
            for token in doc.weak:
                df[token] += 1
                postings[token][1].append(i)
            for key in doc.passages:
                citing[key] += 1
        for i, doc in enumerate(not_covered_docs):
            for token in doc.strong:
                df[token] += 1
                not_covered_postings[token][0].append(i)
        for key, tokens in self._passages.items():
            for token in tokens:
                # Words only summaries use still need a rarity, or questions using them look
                # unknown; count every entry citing such a passage as holding the word.
                if token not in postings:
                    df[token] += citing[key]
        n = max(len(docs) + len(not_covered_docs), 1)
        self._idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._postings = dict(postings)
        self._not_covered_postings = dict(not_covered_postings)
        # Each phrasing's IDF mass, so the overlap of a question with it costs one pass over the
        # question's few words rather than over the union of both.
        self._phrasing_mass = self._masses(docs)
        self._not_covered_mass = self._masses(not_covered_docs)
        self._names = NameIndex(
            self._entries,
            [doc.strong for doc in docs],
            [t for source in kb.sources.values() for t in source.paragraphs.values()],
            self._tokens,
            lambda token: _holders(self._postings, token),
            self._idf,
            self.settings.vague_share,
        )
        # Typos are corrected towards any word the pack knows, synonym variants included.
        known = self._words | STOPWORDS | {t for t in self.synonyms.variants if " " not in t}
        self._vocab: dict[str, list[str]] = defaultdict(list)
        for word in sorted(w for w in known if w.isalpha() and len(w) >= 3):
            self._vocab[word[0]].append(word)

    def _tokens(self, text: str) -> list[str]:
        # Keywords and short phrasings repeat across entries ('year', 'share'); each is
        # normalised once per build.
        tokens = self._token_cache.get(text)
        if tokens is None:
            cleaned = self.synonyms.apply(clean(text))
            self._words.update(cleaned.split())
            tokens = self._token_cache[text] = content_tokens(cleaned)
        return tokens

    def reads_as(self, text: str) -> frozenset[str]:
        """The words the matcher keeps of a curated phrasing."""
        return frozenset(self._tokens(text))

    def prepare(self, text: str) -> Query:
        plain = clean(text)
        cleaned = self.synonyms.apply(plain)
        tokens: list[str] = []
        unknown: list[str] = []
        read: dict[str, tuple[str, ...]] = {}
        guessed: set[str] = set()
        excluded = _excluded(cleaned)
        for word in dict.fromkeys(cleaned.split()):
            if is_noise(word):
                continue
            found = [stem(word)]
            fixed = None
            if found[0] not in self._idf:
                fixed = self._correct(word)
                if fixed is None:
                    unknown.append(found[0])
                    read[word] = (found[0],)
                    continue
            elif word not in self._words:
                # A form the pack never uses whose stem it knows ('offical' reads as 'offic',
                # as in 'office') may still be a slip: only a lost letter is put back, since
                # changing a letter of a real word ('stayed') makes another ('stated').
                fixed = self._correct(word, lost_letter=True)
            if fixed is not None:
                # The corrected word may be a synonym variant ('weapn' -> 'weapon' -> 'arms').
                found = content_tokens(self.synonyms.apply(fixed))
                guessed.update(found)
            read[word] = tuple(found)
            for token in found:
                if token not in self._idf:
                    unknown.append(token)
                elif token not in tokens:
                    tokens.append(token)
        elsewhere = {t for word, found in read.items() if word not in excluded for t in found}
        set_aside = {t for word in excluded for t in read.get(word, ()) if t not in elsewhere}
        return Query(
            text,
            cleaned,
            tuple(tokens),
            tuple(unknown),
            asked_kind(plain),
            _choices(cleaned.split(), read),
            frozenset(guessed),
            self._names.asked_speakers(plain, self._read),
            tuple(
                self._same(t) for word in counted_words(cleaned).split() for t in read.get(word, ())
            ),
            self._deed_tokens(_deed(cleaned), read),
            latest_year(plain),
            spelled_out(plain),
            frozenset(set_aside),
            asks_for_name(plain),
            asks_for_proper_names(cleaned),
            asks_what_happened_later(plain),
        )

    def _deed_tokens(self, deed: str, read: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        # 'Who runs the survey firm' asks for its head: 'run' is too common a word to be read,
        # but an entry that answers it names a director.
        if deed in _RUNS:
            return tuple(self._read("director"))
        return tuple(t for t in read.get(deed, ()) if t not in GENERIC)

    def _correct(self, word: str, lost_letter: bool = False) -> str | None:
        """Map a misspelt word onto a word the pack uses ('sanctons' -> 'sanctions'); with
        `lost_letter`, only onto a word one letter longer ('visting' -> 'visiting') whose stem
        differs (one with the same stem is the same word)."""
        if len(word) < 4 or not word.isalpha():
            return None
        # One slip (a swap counts as one) per short word, two in a long one: looser matching
        # turns real but unknown words ('inflation') into known ones ('information'). A
        # four-letter word may only have lost a letter ('basd', 'goin'): changing or swapping
        # one of its letters makes another real word too often ('clam' is not 'calm').
        # Students rarely get the first letter wrong, and searching one letter's words is faster.
        choices = self._vocab.get(word[0], [])
        if lost_letter or len(word) == 4:
            choices = [w for w in choices if len(w) == len(word) + 1]
        if lost_letter:
            stemmed = stem(word)
            choices = [w for w in choices if stem(w) != stemmed]
        limit = 1 if lost_letter or len(word) < 8 else 2
        found = process.extractOne(
            word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return None if found is None else str(found[0])

    def _masses(self, docs: list[_Doc]) -> list[tuple[float, ...]]:
        return [tuple(sum(self._idf[t] for t in p) for p in doc.phrasings) for doc in docs]

    def rank(self, query: Query, limit: int | None = None) -> list[Candidate]:
        scored = self._score(
            query,
            self._docs,
            self._postings,
            self._phrasing_mass,
            max(self.settings.shortlist, self.settings.candidate_limit),
        )
        return [
            Candidate(self._entries[x.index], x.score, x.coverage, x.overlap, x.fuzzy)
            for x in scored[: limit or self.settings.candidate_limit]
        ]

    def _weights(self, query: Query) -> tuple[dict[str, float], float]:
        """Each known word's weight, and the weight of the unknown words together."""
        s = self.settings
        weights = {
            t: self._idf[t] * (s.generic_word_weight if t in GENERIC else 1.0) for t in query.tokens
        }
        return weights, sum(self._unknown_weight(t) for t in query.unknown)

    def _unknown_weight(self, token: str) -> float:
        """A word the pack never uses weighs as a rare one, at a discount."""
        s = self.settings
        return (
            self._max_idf
            * s.unknown_word_idf
            * (s.generic_word_weight if token in GENERIC else 1.0)
        )

    def _score(
        self,
        query: Query,
        docs: list[_Doc],
        postings: _Postings,
        masses: list[tuple[float, ...]],
        shortlist: int,
    ) -> list[_Scored]:
        """Score the `shortlist` docs that share the most weight with the question."""
        s = self.settings
        if not query.tokens or not docs:
            return []
        weights, unknown_weight = self._weights(query)
        total = sum(weights.values()) + unknown_weight
        # Candidates come from the rarer words: in a very large pack the postings of a word
        # like 'russia' run to tens of thousands of entries, and such a word cannot decide
        # between them anyway. It still counts when the shortlist is scored below.
        # When every word is that common, the rarest one alone picks the candidates.
        cap = max(s.postings_cap, len(docs) // 20)
        found = {t: postings.get(t, _NO_POSTINGS) for t in weights}
        size = {t: _holders(postings, t) for t in weights}
        seeds = [t for t in weights if size[t] <= cap] or [min(weights, key=size.__getitem__)]
        hits: dict[int, float] = defaultdict(float)
        for token in seeds:
            weight = weights[token]
            strong, weak = found[token]
            for i in strong:
                hits[i] += weight
            weight *= s.answer_word_weight
            for i in weak:
                hits[i] += weight
        picked = heapq.nlargest(shortlist, hits, key=hits.__getitem__)
        qweights = {t: self._idf[t] for t in query.tokens}
        qmass = sum(qweights.values()) + unknown_weight
        qstring = " ".join(sorted(query.tokens + query.unknown))
        out: list[_Scored] = []
        for i in picked:
            doc = docs[i]
            matched = self._matched(doc, weights)
            ruled_out = self._ruled_out(doc, query, weights) if query.choices else 0.0
            coverage = matched / (total - ruled_out) if total > ruled_out else 0.0
            shared = tuple((t, w) for t, w in qweights.items() if t in doc.strong)
            overlap = self._best_overlap(shared, qmass, doc.phrasings, masses[i])
            best = process.extractOne(qstring, doc.strings, scorer=fuzz.token_sort_ratio)
            fuzzy = float(best[1]) / 100.0 if best else 0.0
            score = 100.0 * (
                s.weight_coverage * coverage + s.weight_overlap * overlap + s.weight_fuzzy * fuzzy
            )
            out.append(_Scored(i, score, coverage, overlap, fuzzy))
        out.sort(key=lambda x: x.score, reverse=True)
        return out

    def _knows(self, doc: _Doc, token: str) -> bool:
        return (
            token in doc.strong
            or token in doc.weak
            or any(token in self._passages[key] for key in doc.passages)
        )

    def _ruled_out(self, doc: _Doc, query: Query, weights: dict[str, float]) -> float:
        """The weight of each choice's option that this entry does not know while it knows the
        other: 'oil or gas' is fully answered by an entry about oil."""
        dropped = 0.0
        for left, right in query.choices:
            knows_left = all(self._knows(doc, t) for t in left)
            knows_right = all(self._knows(doc, t) for t in right)
            if knows_left != knows_right:
                lacking = right if knows_left else left
                dropped += sum(weights.get(t) or self._unknown_weight(t) for t in lacking)
        return dropped

    def _matched(self, doc: _Doc, weights: dict[str, float]) -> float:
        """The weight of the question's words this entry knows, by where it knows them."""
        s = self.settings
        matched = 0.0
        for token, weight in weights.items():
            if token in doc.strong:
                matched += weight
            elif token in doc.weak:
                matched += weight * s.answer_word_weight
            elif any(token in self._passages[key] for key in doc.passages):
                matched += weight * s.passage_word_weight
        return matched

    @staticmethod
    def _best_overlap(
        shared: tuple[tuple[str, float], ...],
        qmass: float,
        phrasings: tuple[frozenset[str], ...],
        masses: tuple[float, ...],
    ) -> float:
        """The best IDF-weighted Jaccard between the question (all of whose weight, unknown words
        included, is `qmass`) and one phrasing; `shared` holds the question's words that the
        entry's phrasings use. Runs for every phrasing of every shortlisted entry, hence the
        plain loops."""
        if not shared:
            return 0.0
        best = 0.0
        for phrasing, mass in zip(phrasings, masses, strict=True):
            inter = 0.0
            for token, weight in shared:
                if token in phrasing:
                    inter += weight
            if inter:
                best = max(best, inter / (qmass + mass - inter))
        return best

    def match(self, text: str, within: tuple[int, ...] = ()) -> MatchResult:
        """The decision for one question; `within` names the paragraphs the student pointed
        at ('in para 5, ...'), whose entries are preferred when any of them fits."""
        query = self.prepare(text)
        result = self._decide(query, within)
        had = result.best
        if query.set_aside and result.status == "answered" and had is not None:
            # 'Who else spoke besides Xi and Putin' is not answered by an entry naming only them.
            if _WHO_ELSE.search(query.cleaned) and not self._names.gives_new_name(
                had.entry.id, query.tokens
            ):
                return MatchResult("ambiguous", query, result.candidates)
            # The entry the set-aside words point to is the one the student already has: when
            # the rest of the question finds another entry, that is the one asked for. When it
            # finds none, the words were context ('besides politics, what else do they share'
            # is answered by the entry on politics and economics).
            rest = dataclasses.replace(
                query,
                tokens=tuple(t for t in query.tokens if t not in query.set_aside),
                unknown=tuple(t for t in query.unknown if t not in query.set_aside),
            )
            # One word left ('what else ties them') says too little to answer on its own.
            if len(rest.tokens) + len(rest.unknown) < 2:
                return result
            other = self._decide(rest, within)
            found = other.best
            if other.status == "answered" and found and found.entry.id != had.entry.id:
                return other
        return result

    def _decide(self, query: Query, within: tuple[int, ...]) -> MatchResult:
        s = self.settings
        ranked = self.rank(query)
        if within:
            pointed = [c for c in ranked if set(c.entry.paragraphs) & set(within)]
            ranked = pointed or ranked
        if not ranked:
            return MatchResult("no_match", query, ())
        # An entry whose answer holds no date cannot answer 'when', however well its words fit:
        # only entries that state the kind of fact asked for may answer, and only they compete.
        fitting = ranked
        if query.wants not in (None, Kind.NAME):
            fitting = [c for c in fitting if query.wants in self._kinds[c.entry.id]]
        # 'What were they called and when were they signed' wants a name besides a date.
        if query.wants is Kind.NAME or query.names_asked:
            fitting = [
                c
                for c in fitting
                if self._names.gives_new_name(c.entry.id, query.tokens, query.proper_names)
            ]
        # Likewise 'what did Trump say' needs an entry that reports Trump saying something:
        # one that merely names him answers a question the student did not ask.
        if query.speakers:
            fitting = [c for c in fitting if self._names.reports(c.entry.id, query.speakers)]
        # And 'how many Chinese migrants' is not answered by a count of Russians.
        if query.counted:
            fitting = [c for c in fitting if self._counts(c.entry, query.counted)]
        # Nor is 'how much oil does Saudi Arabia sell' by Russia's share: a name asked about
        # has to stand in a clause of the answer that gives a figure.
        if query.wants is Kind.AMOUNT:
            named = [t for t in query.tokens if t in self._names.anywhere]
            if named:
                fitting = [c for c in fitting if self._figures_name(c.entry, named)]
        # 'What does GDP stand for' is not answered by China's GDP figures.
        if query.spelled:
            fitting = [c for c in fitting if spells_out(c.entry.answer, query.spelled)]
        best = fitting[0] if fitting else ranked[0]
        # A close runner-up only matters when it would cite something else: two entries on the
        # same paragraph are two views of one passage, and the better one is a fine answer.
        rivals = [
            c
            for c in fitting
            if c is not best and not set(c.entry.paragraphs) & set(best.entry.paragraphs)
        ]
        runner_up = rivals[0].score if rivals else 0.0
        words = len(query.tokens) + len(query.unknown)
        needed = max(s.threshold_floor, s.answer_threshold - s.threshold_step * max(0, words - 2))
        if (
            bool(fitting)
            and not self._vague(query)
            # A question read only through typo corrections may be a word the pack never uses
            # ('lunch'): offer the guess rather than answer it.
            and not set(query.tokens) <= query.guessed
            and not self._names_another(best.entry, query)
            and not self._misses_deed(best.entry, query)
            and not self.after_source(best.entry.source, query)
            and best.score >= needed
            and best.coverage >= s.min_coverage
            and best.score - runner_up >= s.margin
        ):
            ordered = (best, *(c for c in ranked if c is not best))
            gap = self._not_covered_over(query, best)
            if gap is not None:
                return MatchResult("not_covered", query, ordered, gap)
            return MatchResult("answered", query, ordered)
        top = ranked[0]
        # Only a would-be answer is checked: when the best fit is too weak to answer, 'did you
        # mean' is the honest reply, and a question that merely resembles a not-covered one
        # must not be told the commentary is silent on it.
        if top.score >= s.suggest_threshold and top.coverage >= s.suggest_coverage:
            return MatchResult("ambiguous", query, tuple(ranked))
        return MatchResult("no_match", query, tuple(ranked))

    def _counts(self, entry: Entry, counted: tuple[str, ...]) -> bool:
        """Whether the entry's answer names what the question counts next to a figure: '6
        million Russians' counts Russians, though the same answer goes on to name Chinese
        labor."""
        words = self._answer_words(entry.id)
        figures = [i for i, w in enumerate(words) if w[:1].isdigit() or w in _FIGURE_WORDS]
        return all(
            any(abs(i - j) <= _FIGURE_REACH for i, w in enumerate(words) if w == t for j in figures)
            for t in counted
        )

    def _figures_name(self, entry: Entry, named: list[str]) -> bool:
        """Whether each name is in a clause of the answer that gives a figure (a year is a
        date, not a figure)."""
        clauses = self._figure_clauses(entry.id)
        return all(any(t in clause for clause in clauses) for t in named)

    def _read_figure_clauses(self, entry_id: str) -> tuple[frozenset[str], ...]:
        answer = self._entries[self._position[entry_id]].answer
        found = []
        for clause in _CLAUSE.split(answer):
            cleaned = clean(clause)
            # The surface words too: the synonyms read 'East Siberia-Pacific Ocean' as 'espo'.
            words = frozenset(self._read(cleaned)) | {stem(w) for w in cleaned.split()}
            if any(
                (w[:1].isdigit() and not _YEAR_TOKEN.fullmatch(w)) or w in _FIGURE_WORDS
                for w in words
            ):
                found.append(words)
        return tuple(found)

    def _same(self, token: str) -> str:
        # 'Russians' and 'Russian' read apart ('russian', 'russia'); here they are one people.
        return (self._read(token) or [token])[0]

    def _read_answer(self, entry_id: str) -> tuple[str, ...]:
        entry = self._entries[self._position[entry_id]]
        return tuple(self._same(w) for w in self._read(clean(entry.answer)))

    def _vague(self, query: Query) -> bool:
        """Whether every word of the question is one most entries share ('russia', 'china'):
        'tell me about Russia' picks out no fact, however well some entry's words fit it. Nor
        does a sum made only of figures and units ('what is 15% of 240', 'how many km is a
        mile'), though an entry may give the very same figures."""
        if all(_FIGURE_TOKEN.fullmatch(t) or t in _SUM_WORDS for t in query.tokens + query.unknown):
            return True
        if query.unknown:
            return False
        limit = len(self._docs) * self.settings.vague_share
        return all(_holders(self._postings, t) > limit for t in query.tokens)

    def _not_covered_over(self, query: Query, top: Candidate) -> NotCovered | None:
        """A question the commentary does not answer that fits better than the entry `top`.

        It wins on a higher score, or on a score within `not_covered_slack` when its own words
        hold more of the question than the entry's phrasings do: the entry then leans on its
        answer and passage ('which Chinese bank lent the money for ESPO' finds 'bank' only in
        the paragraph's summary). A tie otherwise goes to the entry: 'what is OBOR called now'
        reads as 'what is OBOR' once the small words go, and that student deserves the answer.
        """
        # Only the best fit matters here, and it shares the most words with the question.
        scored = self._score(
            query,
            self._not_covered_docs,
            self._not_covered_postings,
            self._not_covered_mass,
            self.settings.not_covered_shortlist,
        )
        if not scored:
            return None
        rival = scored[0]
        if rival.score > top.score:
            return self._not_covered[rival.index]
        if rival.score > top.score - self.settings.not_covered_slack:
            weights, unknown_weight = self._weights(query)
            total = sum(weights.values()) + unknown_weight
            doc = self._docs[self._position[top.entry.id]]
            in_phrasings = sum(w for t, w in weights.items() if t in doc.strong)
            # Both shares are sums of the same floats in different orders: equal ones may
            # differ in the last bit, and a tie goes to the entry.
            if total and rival.coverage > in_phrasings / total + _TIE:
                return self._not_covered[rival.index]
        return None

    def _names_another(self, entry: Entry, query: Query) -> bool:
        """Whether the question names someone or something that the entry and its paragraph
        never mention: 'what did Putin say at Davos' is not answered by Xi's Davos speech. A
        year counts as a name here, and the entry itself has to give it: the 2016 trade figure
        does not answer 'what was trade worth in 2017'."""
        if any(_DESIGNATION.fullmatch(t) for t in query.unknown):
            return True
        doc = self._docs[self._position[entry.id]]
        if any(
            _YEAR_TOKEN.fullmatch(t) and t not in doc.strong and t not in doc.weak
            for t in query.tokens
        ):
            return True
        return any(t in self._names.proper and not self._knows(doc, t) for t in query.tokens)

    def after_source(self, source: str, query: Query) -> bool:
        """Whether the question asks about a year after the source was written, or how things
        turned out after it ('did they ever merge')."""
        if query.later:
            return True
        return query.year is not None and query.year > self._source_years[source]

    def _misses_deed(self, entry: Entry, query: Query) -> bool:
        """Whether the question asks who did something ('who founded the Carnegie Center')
        that the entry and its paragraph never speak of: the people it names did something
        else."""
        doc = self._docs[self._position[entry.id]]
        return any(not self._knows(doc, t) for t in query.deed)

    def _read(self, cleaned: str) -> list[str]:
        """A question's words as tokens, without the build-time cache (which would grow with
        every question asked)."""
        return content_tokens(self.synonyms.apply(cleaned))

    def suggest(self, text: str, limit: int = 25) -> list[Candidate]:
        """Entries for autocomplete: ranked by match, falling back to question prefixes."""
        query = self.prepare(text)
        ranked = self.rank(query, limit)
        if ranked:
            return ranked
        needle = clean(text)
        scored = [
            Candidate(entry, float(fuzz.partial_ratio(needle, question)), 0, 0, 0)
            for entry, question in zip(self._entries, self._questions, strict=True)
        ]
        scored.sort(key=lambda c: c.score, reverse=True)
        return scored[:limit]


def _with_decades(tokens: set[str]) -> set[str]:
    """The tokens with the decade of each year: an entry that gives 2006 answers a question
    about 'the mid-2000s'."""
    return tokens | {t[:3] + "0s" for t in tokens if _YEAR_TOKEN.fullmatch(t)}


_WHO = re.compile(r"\bwho (\w+)")
_RUNS = frozenset({"run", "runs", "ran", "running"})
_WHO_ELSE = re.compile(r"\b(?:who|which \w+) else\b|^who\b")
# 'besides' stands for 'apart from', 'other than' and the like (see the synonyms).
# What is set aside runs to the question word after it ('besides the rail gauge, what ...'),
# or is a few words at the end ('what else ties them besides politics').
_BESIDES = re.compile(
    r"\bbesides ((?:\w+ ){0,6}?\w+)"
    r"(?= (?:what|whats|which|who|whos|how|why|where|when|is|are|does|do|did)\b)|"
    r"\bbesides ((?:\w+ ){0,3}\w+)$"
)


def _excluded(cleaned: str) -> frozenset[str]:
    """The words a question sets aside ('besides the rail gauge, what slows goods down'):
    they name the answer the student already has, not the one they ask for."""
    found = _BESIDES.search(cleaned)
    if found is None:
        return frozenset()
    aside = set((found.group(1) or found.group(2)).split())
    rest = set(cleaned.split()) - aside
    if not any(not is_noise(w) for w in rest):
        return frozenset()
    return frozenset(aside - rest)


def _deed(cleaned: str) -> str:
    """The word after 'who' ('founded' in 'who founded the centre'), or ''."""
    found = _WHO.search(cleaned)
    return found.group(1) if found else ""


def _choices(
    words: list[str], read: dict[str, tuple[str, ...]]
) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The content words next to each 'or' ('a professor or a journalist'), as read."""
    pairs = []
    for i, word in enumerate(words):
        if word != "or":
            continue
        left = next((read[w] for w in reversed(words[:i]) if w in read), ())
        right = next((read[w] for w in words[i + 1 :] if w in read), ())
        if left and right and left != right:
            pairs.append((left, right))
    return tuple(pairs)
