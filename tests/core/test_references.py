from __future__ import annotations

import pytest
from bot.core.references import find_reference, mark_pilcrows
from bot.core.replies import Kind, Status
from bot.core.service import StudyService
from bot.core.text import clean


def _read(text: str) -> tuple[tuple[int, ...], str, bool] | None:
    reference = find_reference(clean(mark_pilcrows(text)), last=18)
    if reference is None:
        return None
    return reference.paragraphs, reference.rest, reference.asks_for_summary


@pytest.mark.parametrize(
    ("text", "paragraphs", "summary"),
    [
        ("what does ¶7 say?", (7,), True),
        ("¶¶3-4", (3, 4), True),
        ("summarise paragraphs 3-4 pls", (3, 4), True),
        ("what do paras 2 and 3 cover", (2, 3), True),
        ("Paragraph five?", (5,), True),
        ("gist of the 5th para", (5,), True),
        ("what's the first paragraph about", (1,), True),
        ("what does the last paragraph conclude", (18,), True),
        ("in para 16, how much did China lend?", (16,), False),
        ("who sold arms to whom in the fifth paragraph", (5,), False),
    ],
)
def test_references_are_read(text: str, paragraphs: tuple[int, ...], summary: bool) -> None:
    found = _read(text)
    assert found is not None
    assert found[0] == paragraphs and found[2] is summary


def test_numbers_that_are_not_paragraphs_are_left_alone() -> None:
    for text in ["who wrote this", "what happened in 2006", "the two countries", "5 ships"]:
        assert _read(text) is None
    found = _read("in para 16, how much did China lend?")
    assert found is not None and found[1] == "in how much did china lend"


def test_a_bare_reference_gets_the_paragraph_summary(shipped: StudyService) -> None:
    reply = shipped.ask("what does ¶7 say?")
    summary = shipped.kb.sources["power-couple"].paragraphs[7]
    assert reply.status is Status.ANSWERED and reply.kind is Kind.SOURCE
    assert reply.answer == f"¶7: {summary}" and reply.question == "what does ¶7 say?"
    assert reply.citation is not None and reply.citation.paragraphs == (7,)
    both = shipped.ask("summarise paras 3-4")
    assert both.citation is not None and both.citation.paragraphs == (3, 4)
    assert both.answer is not None and len(both.answer.splitlines()) == 2
    missing = shipped.ask("what is paragraph 25 about")
    assert missing.status is Status.NO_MATCH and missing.message is not None
    assert "There is no ¶25" in missing.message


def test_a_reference_beside_a_question_says_where_to_look(shipped: StudyService) -> None:
    def cited(reply_entries: list[str]) -> set[int]:
        return {p for e in reply_entries for p in shipped.kb.by_id[e].paragraphs}

    plain = shipped.ask("what happened in 2011")
    assert plain.status is Status.AMBIGUOUS
    assert {5, 16} <= cited([s.entry_id for s in plain.suggestions])
    for number in (5, 16):
        pointed = shipped.ask(f"in paragraph {number}, what happened in 2011")
        entries = [s.entry_id for s in pointed.suggestions] + [pointed.entry_id or ""]
        assert cited([e for e in entries if e]) == {number}
    # The reference's own words ('para', '1') no longer count against the question.
    reply = shipped.ask("para 1 says russia has to swallow what to side with china")
    assert reply.status is Status.ANSWERED and reply.citation is not None
    assert 1 in reply.citation.paragraphs
