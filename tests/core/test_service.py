from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bot.core.replies import Kind, Status, render_text
from bot.core.service import MAX_QUESTION_CHARS, StudyService
from bot.core.smalltalk import strip_lead_in

from tests.conftest import MINI_PACK


def test_answer_carries_citation_line(mini: StudyService) -> None:
    reply = mini.ask("when did weapon sales stop?")
    assert reply.status is Status.ANSWERED and reply.entry_id == "arms-halt"
    assert reply.citation is not None and reply.citation.paragraphs == (2,)
    assert render_text(reply).splitlines() == [
        "The arms sales stopped in 2006.",
        'Source: Test Author, "A small test commentary", TestNet, 2020, ¶2',
    ]


def test_json_shape(mini: StudyService) -> None:
    data = mini.ask("who wrote it").to_json()
    assert set(data) == {
        "status",
        "question",
        "entry_id",
        "answer",
        "score",
        "citation",
        "suggestions",
    }
    assert data["citation"] == {
        "source": "mini",
        "title": "A small test commentary",
        "author": "Test Author",
        "paragraphs": [0],
    }
    assert 0 <= data["score"] <= 100


def test_empty_and_whitespace_get_help(mini: StudyService) -> None:
    for text in ["", "   ", "\n\t", "\u200b", "<@123>", "🙂"]:
        reply = mini.ask(text)
        assert reply.kind is Kind.HELP, text
        assert reply.message and "/topics" in reply.message


def test_over_long_question_refused(mini: StudyService) -> None:
    reply = mini.ask("why " * (MAX_QUESTION_CHARS // 4 + 1))
    assert reply.kind is Kind.TOO_LONG and reply.status is Status.NO_MATCH
    assert reply.message and "2,000" in reply.message
    assert mini.ask("a" * MAX_QUESTION_CHARS).kind is not Kind.TOO_LONG


def test_small_talk_never_answers_a_fact(mini: StudyService) -> None:
    for text in ["hi", "Hello there!", "thanks!!", "thank you so much", "bye", "how are you?"]:
        reply = mini.ask(text)
        assert reply.kind is Kind.SMALL_TALK, text
        assert reply.status is Status.NO_MATCH and reply.answer is None
        assert reply.to_json()["message"] == reply.message


def test_a_request_to_write_the_students_work_is_declined(shipped: StudyService) -> None:
    # 'essay' reads as 'commentary', so without this the request would match an entry.
    for text in ["can you write my essay for me", "pls do my homework", "write me an essay"]:
        reply = shipped.ask(text)
        assert reply.kind is Kind.SMALL_TALK and reply.status is Status.NO_MATCH, text
        assert reply.message and "can't write your work" in reply.message
    assert shipped.ask("when was the essay written").status is Status.ANSWERED


def test_greeting_before_a_question_still_answers(mini: StudyService) -> None:
    reply = mini.ask("hey bot, quick q: who is the author?")
    assert reply.status is Status.ANSWERED and reply.entry_id == "author-name"
    # 'Wait' opening a message is a pause, not the trains waiting at the border.
    assert strip_lead_in("wait, which 1990s wars") == "which 1990s wars"
    assert strip_lead_in("how long do trains wait") == "how long do trains wait"
    assert strip_lead_in("is it true that russia sold the s400") == "russia sold the s400"
    assert strip_lead_in("sorry if this is dumb but who wrote this") == "who wrote this"


def test_unknown_points_to_topics(mini: StudyService) -> None:
    reply = mini.ask("what is the capital of peru")
    assert reply.status is Status.NO_MATCH and reply.kind is Kind.UNKNOWN
    assert reply.message and "/topics" in reply.message and "Military" in reply.message


def test_answer_entry_and_unknown_entry(mini: StudyService) -> None:
    assert mini.answer_entry("grain-trade").answer == "They trade grain and oil."
    assert mini.answer_entry("gone").status is Status.NO_MATCH


def test_paragraph_summary_and_range(mini: StudyService) -> None:
    reply = mini.paragraph(2)
    assert reply.answer == "¶2: One country stopped selling arms to the other in 2006."
    assert reply.citation and reply.citation.paragraphs == (2,)
    missing = mini.paragraph(9)
    assert missing.status is Status.NO_MATCH and "¶0" in (missing.message or "")


def test_topics_and_autocomplete(mini: StudyService) -> None:
    names = {t.name: t.count for t in mini.topics()}
    assert names == {"Trade": 2, "Military": 1, "Author and Source": 1}
    assert mini.autocomplete("weapon")[0].entry_id == "arms-halt"
    assert len(mini.autocomplete("", limit=2)) == 2


def test_reload_keeps_last_good_knowledge(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    service = StudyService(pack)
    qa = pack / "questions.yaml"
    good = qa.read_text()
    qa.write_text(good.replace("entries:", "entries: [oops"))
    result = service.reload()
    assert not result.ok and result.entries == 4
    assert result.problems[0].file.endswith("questions.yaml") and result.problems[0].line > 0
    assert service.ask("when did weapon sales stop").entry_id == "arms-halt"
    qa.write_text(good.replace("The arms sales stopped in 2006.", "They stopped in 2006."))
    assert service.reload().ok
    assert service.ask("when did weapon sales stop").answer == "They stopped in 2006."


@pytest.mark.parametrize("closest_in_the_passage", [True, False])
def test_a_not_covered_question_is_told_so_with_the_nearest_passage(
    shipped: StudyService, closest_in_the_passage: bool
) -> None:
    def fits(question: str, near: tuple[int, ...]) -> bool:
        result = shipped.matcher.match(question)
        if result.status != "not_covered" or result.best is None:
            return False
        return bool(set(result.best.entry.paragraphs) & set(near)) is closest_in_the_passage

    item = next(n for n in shipped.kb.not_covered if fits(n.question, n.near))
    reply = shipped.ask(item.question)
    assert reply.status is Status.NO_MATCH and reply.kind is Kind.NOT_COVERED
    assert reply.answer is None and reply.citation is None and reply.entry_id is None
    assert reply.message is not None
    assert reply.message.startswith("The commentary doesn't answer that")
    closest = shipped.matcher.match(item.question).best
    assert closest is not None
    if set(closest.entry.paragraphs) & set(item.near):
        # The entry that nearly answered is in the passage named: its answer is the closest.
        cited = ", ".join(f"¶{p}" for p in closest.entry.paragraphs)
        assert f"The closest it comes ({cited}): {closest.entry.answer}" in reply.message
        assert closest.entry.id not in {s.entry_id for s in reply.suggestions}
    else:
        summary = shipped.kb.sources["power-couple"].paragraphs[item.near[0]]
        assert f"¶{item.near[0]}: {summary}" in reply.message
    assert reply.suggestions, "it points to questions it can answer instead"
    lines = render_text(reply).splitlines()
    listed = lines.index("Nearby questions I can answer:")
    assert lines[listed + 1 :] == [
        f"  {i}. {s.question}" for i, s in enumerate(reply.suggestions, 1)
    ]
    data = reply.to_json()
    assert data["status"] == "no_match" and data["message"] == reply.message
    assert [s["entry_id"] for s in data["suggestions"]] == [s.entry_id for s in reply.suggestions]


def test_a_question_about_after_the_commentary_says_when_it_was_written(
    shipped: StudyService,
) -> None:
    reply = shipped.ask("what was russia china trade worth in 2020")
    assert reply.status is Status.NO_MATCH and reply.kind is Kind.NOT_COVERED
    assert reply.message and "dates from 2017" in reply.message
    assert "trade-volume-2016" in {s.entry_id for s in reply.suggestions}
    assert shipped.ask("what was russia china trade worth in 2016").status is Status.ANSWERED
    # The year the commentary cannot know weighs against every entry, but the topic is near.
    assert shipped.ask("what was russia china trade in 2020").kind is Kind.NOT_COVERED
    # Nothing near the commentary: what the bot knows is the better reply.
    assert shipped.ask("who won the 2018 world cup").kind is Kind.UNKNOWN
    # How things turned out is after the commentary too, though no year is named.
    for question in [
        "did the eeu and obor ever merge",
        "did the baltic drill between the two navies actually happen",
    ]:
        reply = shipped.ask(question)
        assert reply.status is Status.NO_MATCH and reply.message, question
        assert "dates from 2017" in reply.message, question
    assert shipped.ask("did putin actually sign on to obor").status is Status.ANSWERED


def test_two_questions_in_one_message_answer_the_one_the_notes_cover(
    shipped: StudyService,
) -> None:
    # Read as one, the two blur; the first is answered on its own, the second is past 2017.
    reply = shipped.ask("What is the EEU? Is it working well for Russian industry in 2019?")
    assert reply.status is Status.ANSWERED
    assert reply.entry_id == "what-is-eeu-eurasian-economic-union"
    assert shipped.ask("any good reference manager? zotero vs mendeley?").status is not (
        Status.ANSWERED
    )
    # 'How does it work' read alone is about the author's work, not the EEU: a part that points
    # back to the one before is not read alone.
    for question in [
        "the eeu keeps out foreign goods, right? how does it work",
        "russia complained about missile defence somewhere else too? whats the comparison",
    ]:
        reply = shipped.ask(question)
        assert reply.entry_id not in (
            "power-couple-author-wesleyan",
            "china-growing-russia-stagnating",
        )


def test_a_message_that_sets_the_scene_is_answered_by_its_question(
    shipped: StudyService,
) -> None:
    for message, entry_id in [
        (
            "I am writing my essay on energy ties between the two countries. How much did "
            "China lend for the ESPO pipeline?",
            "espo-pipeline-loan",
        ),
        (
            "Our tutor spent ages on the arms trade in class today. When did Russia resume arms "
            "sales to China?",
            "arms-sales-resumed-2011-s400",
        ),
    ]:
        reply = shipped.ask(message)
        assert reply.status is Status.ANSWERED and reply.entry_id == entry_id, message
    # A colon or a dash can end the scene as well as a full stop.
    for message in [
        "For my slides: which university is the author at?",
        "doing my bibliography for the reading - which university is the author based at?",
    ]:
        assert shipped.ask(message).entry_id == "power-couple-author-wesleyan", message
    # The scene alone asks nothing.
    reply = shipped.ask("Our tutor spent ages on the arms trade in class today. See you all soon.")
    assert reply.status is not Status.ANSWERED
