"""`kb check`: everything a curator can get wrong, reported together with file, line and id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.core.knowledge import KnowledgeBase, KnowledgeError, Problem, load_knowledge
from bot.core.matching import Matcher
from bot.core.source_text import read_paragraphs, squash
from bot.core.text import clean

# Two canonical questions this alike leave the matcher guessing between their entries.
NEAR_DUPLICATE_SCORE = 90.0


@dataclass(frozen=True)
class CheckReport:
    kb: KnowledgeBase | None
    problems: tuple[Problem, ...]
    texts_checked: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def near_duplicates(kb: KnowledgeBase) -> list[Problem]:
    entries = list(kb.entries)
    questions = [clean(e.question) for e in entries]
    problems: list[Problem] = []
    for i, question in enumerate(questions):
        later = questions[i + 1 :]
        hits = process.extract(
            question,
            later,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=NEAR_DUPLICATE_SCORE,
            limit=None,
        )
        for _, _, offset in hits:
            a, b = entries[i], entries[i + 1 + offset]
            problems.append(
                Problem(
                    b.file,
                    b.line,
                    f"question is nearly the same as '{a.id}' ({a.file}:{a.line}); "
                    "merge them or tell them apart",
                    b.id,
                )
            )
    owner: dict[str, str] = {}
    for entry in entries:
        for phrasing in entry.phrasings:
            key = clean(phrasing)
            other = owner.setdefault(key, entry.id)
            if other != entry.id:
                problems.append(
                    Problem(
                        entry.file,
                        entry.line,
                        f"phrasing '{phrasing}' also belongs to '{other}'",
                        entry.id,
                    )
                )
    return problems


def not_covered_twins(kb: KnowledgeBase) -> list[Problem]:
    """A not-covered question that reads word for word like an entry's phrasing once the small
    words go ('what is OBOR called now' is 'what is OBOR') cannot be told apart from it. Nor can
    one whose every word the entry's phrasings and keywords already hold ('who else besides
    Bobo Lo used the phrase' is 'Bobo Lo phrase axis convenience'): the matcher sees the
    entry's own question, and turns away students who ask it."""
    if not kb.not_covered:
        return []
    matcher = Matcher(kb)
    owner: dict[frozenset[str], tuple[str, str]] = {}
    holders: dict[str, set[str]] = defaultdict(set)
    for entry in kb.entries:
        for phrasing in entry.phrasings:
            words = matcher.reads_as(phrasing)
            owner.setdefault(words, (entry.id, phrasing))
            for word in words:
                holders[word].add(entry.id)
        for keyword in entry.keywords:
            for word in matcher.reads_as(keyword):
                holders[word].add(entry.id)
    problems: list[Problem] = []
    for item in kb.not_covered:
        words = matcher.reads_as(item.question)
        twin = owner.get(words)
        if twin is not None:
            problems.append(
                Problem(
                    item.file,
                    item.line,
                    f"not-covered question {item.question!r} reads the same as {twin[1]!r} of "
                    f"entry '{twin[0]}' once small words are dropped; make it more specific",
                )
            )
            continue
        within = set.intersection(*(holders.get(w, set()) for w in words)) if words else set()
        if within:
            problems.append(
                Problem(
                    item.file,
                    item.line,
                    f"not-covered question {item.question!r} uses only words that entry "
                    f"'{min(within)}' already holds; add the word that makes it a different "
                    "question",
                )
            )
    return problems


def check_anchors(kb: KnowledgeBase, texts_dir: Path) -> tuple[list[Problem], list[str]]:
    """Every anchor must appear verbatim in the first paragraph it cites."""
    problems: list[Problem] = []
    checked: list[str] = []
    cache: dict[str, dict[int, str] | None] = {}
    for entry in kb.entries:
        if entry.anchor is None:
            continue
        if entry.source not in cache:
            path = texts_dir / f"{entry.source}.md"
            cache[entry.source] = read_paragraphs(path) if path.is_file() else None
            if path.is_file():
                checked.append(str(path))
        paragraphs = cache[entry.source]
        if paragraphs is None:
            continue
        cited = [paragraphs.get(p, "") for p in entry.paragraphs]
        anchor = squash(entry.anchor)
        if not any(anchor in text for text in cited):
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"anchor {entry.anchor!r} is not verbatim in paragraph(s) "
                    f"{list(entry.paragraphs)} of {entry.source}",
                    entry.id,
                )
            )
    return problems, checked


def run_checks(folder: Path, texts_dir: Path | None = None) -> CheckReport:
    try:
        kb = load_knowledge(folder)
    except KnowledgeError as exc:
        return CheckReport(None, tuple(exc.problems))
    problems = near_duplicates(kb)
    problems.extend(not_covered_twins(kb))
    checked: list[str] = []
    if texts_dir is not None and texts_dir.is_dir():
        anchor_problems, checked = check_anchors(kb, texts_dir)
        problems.extend(anchor_problems)
    return CheckReport(kb, tuple(problems), tuple(checked))
