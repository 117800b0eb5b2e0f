"""Who and what the pack's answers name, for the matcher's checks on names.

Word overlap treats a name like any rare word, yet a name says what a question is about:
- a question for a name ('what was the missile called') needs an answer that names something
  the question did not;
- a question naming someone the entry's passage never mentions ('what did Putin say at
  Davos', against the entry on Xi's Davos speech) is about something else;
- a question for what someone said ('what did Trump say about ...') needs an answer that reports
  them saying something, not one that only names them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Container, Sequence

from bot.core.answer_kinds import capitalised_in, names_in, quoted_in
from bot.core.knowledge import Entry
from bot.core.text import clean, is_noise, stem

# Names that more answers than this share ('China', 'Putin') tell a student nothing new.
COMMON_NAME_SHARE = 0.05
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z]+(?![\w'’])")
# Verbs that report what someone said or wrote, in an answer.
_REPORTED = frozenset(
    """
    said says say argued argues argue wrote writes write boasted boasts boast warned warns warn
    called calls claimed claims noted notes note declared declares declare proposed proposes propose
    suggested suggests told tells announced announces announce insisted insists insist stated states
    described describes describe recommended recommends recommend concluded concludes found finds
    observed observes complained complains praised praises praise pledged pledges pledge promised
    promises promise vowed vows vow agreed agrees agree affirmed affirms hailed hails hail tweeted
    tweets tweet replied replies reply responded responds respond reacted reacts react
    rejected rejects defended defends championed champions spoke speaks urged urges
    dismissed dismisses welcomed welcomes backed backs endorsed endorses predicted predicts
    labelled labeled dubbed
    """.split()
)
# A reporting verb after a pronoun ('They called for ...') reports whom the entry is about.
_PRONOUNS = frozenset("they he she their his her both".split())
_CLAUSE = re.compile(r"[.;:!?]\s")
# 'what did Trump say about ...', 'how did Washington react to ...'
_ASKS_WHAT_SOMEONE_SAID = re.compile(
    r"\b(?:what|how) (?:did|does|do|has|have|had) ((?:\w+ ){1,5}?)(?:actually |really |ever )?"
    r"(?:say|said|tell|respond|react|reply|tweet|write|recommend|announce|propose|warn|claim|"
    r"argue|suggest|promise|pledge|think)\b"
)

# A word as the forms it may be asked by: its stem, and its synonym group's form.
Forms = frozenset[str]


class NameIndex:
    """The names of each entry's answer, built once with the matcher's index.

    `tokens` reads a text as the matcher does (synonyms, stopwords, stems); `holders` counts the
    entries holding a word; `known` holds every word the pack uses; a name held by more than
    `background_share` of the entries is the background of every question ('Russia').
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        strong: Sequence[frozenset[str]],
        summaries: Sequence[str],
        tokens: Callable[[str], list[str]],
        holders: Callable[[str], int],
        known: Container[str],
        background_share: float,
    ) -> None:
        self._tokens = tokens
        # A term in quotes ('the "unequal treaties"') is what something is called, not the
        # proper names of the things themselves.
        proper = {entry.id: self._forms(capitalised_in(entry.answer)) for entry in entries}
        names = {
            entry.id: self._forms(quoted_in(entry.answer)) + proper[entry.id] for entry in entries
        }
        self._new = _uncommon(names, max(3, len(entries) * COMMON_NAME_SHARE))
        self._new_proper = _uncommon(proper, max(3, len(entries) * COMMON_NAME_SHARE))
        texts = [entry.answer for entry in entries] + list(summaries)
        named = [*names.values(), *(self._forms(names_in(summary)) for summary in summaries)]
        limit = len(entries) * background_share
        # `anywhere`: the forms of every word of a name, as 'saudi' and 'arabia' are.
        self.proper, self.anywhere = self._proper_names(named, texts, holders, known, limit)
        self._speakers = {
            entry.id: self._speakers_in(entry.answer, words)
            for entry, words in zip(entries, strong, strict=True)
        }

    def gives_new_name(self, entry_id: str, asked: Container[str], proper: bool = False) -> bool:
        """Whether the answer names something the question did not: 'what was the missile
        called' is not answered by an entry that only repeats 'North Korea' and 'July 4'. With
        `proper`, only a capitalised name counts: 'the names of the treaties' are not answered
        by what the treaties are called."""
        new = self._new_proper if proper else self._new
        return any(not any(f in asked for f in forms) for forms in new.get(entry_id, ()))

    def asked_speakers(self, cleaned: str, read: Callable[[str], list[str]]) -> frozenset[str]:
        """The names a question (cleaned, before synonyms) asks to have reported: 'what did
        Trump say about ...'; `read` turns words into the matcher's tokens."""
        m = _ASKS_WHAT_SOMEONE_SAID.search(cleaned)
        if m is None:
            return frozenset()
        return frozenset(t for t in read(m.group(1)) if t in self.anywhere)

    def reports(self, entry_id: str, speakers: frozenset[str]) -> bool:
        return speakers <= self._speakers[entry_id]

    def _forms(self, found: list[str]) -> list[list[Forms]]:
        """Each name as its words, each word as its forms ('Pyongyang' is asked as 'north
        korea')."""
        names = []
        for name in found:
            words = []
            for word in clean(name).split():
                if is_noise(word) or word.isdigit():
                    continue
                words.append(frozenset([stem(word), *self._tokens(word)]))
            if words:
                names.append(words)
        return names

    def _proper_names(
        self,
        named: list[list[list[Forms]]],
        texts: list[str],
        holders: Callable[[str], int],
        known: Container[str],
        limit: float,
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The forms of one-word names ('Trump', 'Davos', 'US'), and of the words of all names
        ('Kim Jong Un'), among the names found in `texts`, less words the texts also write in
        lower case ('east' in 'turning east') and the names of the background."""
        single: set[str] = set()
        every: set[str] = set()
        for names in named:
            for name in names:
                for word in name:
                    every |= word
                if len(name) == 1:
                    single |= name[0]
        everyday: set[str] = set()
        for text in texts:
            for word in _LOWER_WORD.findall(text):
                everyday.update((stem(word), *self._tokens(word)))
        background = {form for form in every if holders(form) > limit}

        def proper(forms: set[str]) -> frozenset[str]:
            return frozenset(
                form
                for form in forms - everyday - background
                # 'Russians' is read as 'russian', a form of the background name 'Russia'.
                if form in known and not set(self._tokens(form)) <= background
            )

        return proper(single), proper(every)

    def _speakers_in(self, answer: str, strong: frozenset[str]) -> frozenset[str]:
        """The forms of the words in each clause before a verb of reporting: 'Putin boasted',
        'a study for the US Congress warned'; after a pronoun ('They called for'), the words
        of the entry's phrasings, which say whom the entry is about."""
        found: set[str] = set()
        for clause in _CLAUSE.split(answer):
            words = clean(clause).split()
            for i, word in enumerate(words):
                if word not in _REPORTED:
                    continue
                subject = words[max(0, i - 10) : i]
                for before in subject:
                    found.update((stem(before), *self._tokens(before)))
                if _PRONOUNS.intersection(subject):
                    found.update(strong)
        return frozenset(found)


def _uncommon(names: dict[str, list[list[Forms]]], limit: float) -> dict[str, tuple[Forms, ...]]:
    """For each entry, the words of the names its answer gives, less the words that more than
    `limit` answers name."""
    counts: dict[str, int] = defaultdict(int)
    for entry_names in names.values():
        for form in {f for name in entry_names for word in name for f in word}:
            counts[form] += 1
    common = {form for form, count in counts.items() if count > limit}
    uncommon = {
        entry_id: tuple(word for name in entry_names for word in name if not word & common)
        for entry_id, entry_names in names.items()
    }
    return {entry_id: words for entry_id, words in uncommon.items() if words}
