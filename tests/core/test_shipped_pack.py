"""The shipped pack: coverage of the commentary, its own words, and the terms students ask about."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from bot.core.checks import check_anchors, near_duplicates
from bot.core.replies import Status
from bot.core.service import StudyService
from bot.core.source_text import read_paragraphs

from tests.conftest import REPO, SOURCE_TEXTS

TEXT = SOURCE_TEXTS / "power-couple.md"
KNOWLEDGE = REPO / "knowledge"
needs_text = pytest.mark.skipif(not TEXT.is_file(), reason=f"{TEXT} not present")


def test_size_and_paragraph_coverage(shipped: StudyService) -> None:
    kb = shipped.kb
    assert len(kb.entries) >= 80
    cited = Counter(p for e in kb.entries for p in e.paragraphs)
    thin = {p: cited[p] for p in range(19) if cited[p] < 3}
    assert not thin, f"paragraphs cited by fewer than 3 entries: {thin}"
    assert all(len(e.alternates) >= 3 for e in kb.entries)
    source = kb.sources["power-couple"]
    assert sorted(source.paragraphs) == list(range(19))
    assert source.outlet == "PacNet" and source.publisher == "Pacific Forum"
    assert source.year == 2017 and source.author == "Peter Rutland"


def test_no_near_duplicates(shipped: StudyService) -> None:
    assert near_duplicates(shipped.kb) == []


@needs_text
def test_anchors_are_verbatim_in_cited_paragraph(shipped: StudyService) -> None:
    problems, checked = check_anchors(shipped.kb, SOURCE_TEXTS)
    assert checked == [str(TEXT)]
    assert problems == []
    assert sum(1 for e in shipped.kb.entries if e.anchor) >= 60


@needs_text
def test_answers_are_in_our_own_words(shipped: StudyService) -> None:
    """No answer repeats eight or more consecutive words of the commentary (its title aside)."""
    words = re.compile(r"[a-z0-9]+")
    source_text = " ".join(read_paragraphs(TEXT).values()).lower().replace("’", "'")
    source_words = words.findall(source_text)
    runs = {tuple(source_words[i : i + 8]) for i in range(len(source_words) - 7)}
    copied = []
    for entry in shipped.kb.entries:
        title = shipped.kb.sources[entry.source].title.lower()
        answer = words.findall(entry.answer.lower().replace("’", "'").replace(title, " "))
        for i in range(len(answer) - 7):
            if tuple(answer[i : i + 8]) in runs:
                copied.append((entry.id, " ".join(answer[i : i + 8])))
                break
    assert copied == []


@pytest.mark.parametrize(
    ("question", "paragraph", "fact"),
    [
        ("what is THAAD?", 3, "south korea"),
        ("what's OBOR", 8, "trillion"),
        ("belt and road initiative?", 8, "trillion"),
        ("which countries are in the EEU", 9, "armenia"),
        ("what is the S-400", 5, "s-400"),
        ("what is the ESPO pipeline", 16, "25 billion"),
        ("yamal lng stake", 16, "30"),
        ("what are the unequal treaties", 17, "600,000"),
        ("who said axis of convenience", 1, "bobo lo"),
        ("is china in the brics", 14, "brics"),
        ("who wrote this commentary", 0, "rutland"),
    ],
)
def test_terms_students_ask_about(
    shipped: StudyService, question: str, paragraph: int, fact: str
) -> None:
    reply = shipped.ask(question)
    assert reply.status is Status.ANSWERED, (question, reply.suggestions)
    assert reply.citation is not None and paragraph in reply.citation.paragraphs
    assert fact in (reply.answer or "").lower()


@pytest.mark.parametrize(
    "question",
    ["what is the capital of france", "how do i center a div", "who won the world cup in 2018"],
)
def test_general_knowledge_is_not_answered(shipped: StudyService, question: str) -> None:
    assert shipped.ask(question).status is Status.NO_MATCH


def test_every_knowledge_file_reads_with_the_pure_python_yaml_parser() -> None:
    """LibYAML accepts a few things the pure-Python parser rejects ('{q: why?, near: [1]}');
    curators' editors and scripts may use either, so the pack must satisfy both."""
    files = sorted(KNOWLEDGE.rglob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        assert isinstance(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader), dict)
