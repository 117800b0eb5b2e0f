from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bot.core.checks import run_checks
from bot.core.knowledge import KnowledgeError, load_knowledge

from tests.conftest import MINI_PACK


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(MINI_PACK, target)
    return target


def test_mini_pack_loads_with_lines_and_sources() -> None:
    kb = load_knowledge(MINI_PACK)
    assert [e.id for e in kb.entries] == ["grain-trade", "arms-halt", "author-name", "oil-exports"]
    entry = kb.by_id["arms-halt"]
    assert entry.source == "mini" and entry.paragraphs == (2,)
    assert entry.file.endswith("questions.yaml") and entry.line == 11
    assert entry.quiz is not None and entry.quiz.accept == ("2006",)
    assert kb.sources["mini"].paragraphs[2].startswith("One country stopped")
    assert kb.synonyms == (("arms", "weapons", "weapon"),)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    qa = pack / "questions.yaml"
    lines = qa.read_text().splitlines()
    lines[5] = "    alternates: [unclosed, list"
    qa.write_text("\n".join(lines) + "\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(pack)
    [problem] = info.value.problems
    assert problem.file == "pack/questions.yaml"
    assert problem.line in (6, 7)
    assert "invalid YAML" in problem.message


def test_schema_errors_are_all_reported_with_entry_ids(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "more.yaml").write_text(
        "kind: qa\n"
        "source: mini\n"
        "entries:\n"
        "  - id: no-answer\n"
        "    topic: x\n"
        "    question: Where is the answer?\n"
        "    alternates: [a, b, c]\n"
        "    citation: {paragraphs: [1]}\n"
        "  - id: grain-trade\n"
        "    topic: x\n"
        "    question: A second grain question that differs?\n"
        "    alternates: [only one]\n"
        "    answer: Something.\n"
        "    citation: {paragraphs: [7], anchor: one two three four five six seven eight nine ten "
        "eleven twelve thirteen}\n"
        "    colour: blue\n"
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(pack)
    messages = [(p.entry_id, p.line, p.message) for p in info.value.problems]
    assert ("no-answer", 4, "missing required field 'answer'") in messages
    assert any(e == "grain-trade" and "unknown field 'colour'" in m for e, _, m in messages)
    # The broken second entry is refused before cross-entry checks, so fix it and look again.
    text = (pack / "more.yaml").read_text().replace("    colour: blue\n", "")
    text = text.replace(
        "    citation: {paragraphs: [1]}\n", "    answer: A.\n    citation: {paragraphs: [1]}\n"
    )
    (pack / "more.yaml").write_text(text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(pack)
    found = {(p.entry_id, p.message.split(" (")[0].split(";")[0]) for p in info.value.problems}
    assert ("grain-trade", "duplicate id") in found
    assert ("grain-trade", "only 1 alternates") in found
    assert any(e == "grain-trade" and m.startswith("cites paragraph(s) [7]") for e, m in found)
    assert any(e == "grain-trade" and m.startswith("anchor has 13 words") for e, m in found)


def test_unknown_kind_and_non_mapping_files(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "odd.yaml").write_text("kind: recipes\n")
    (pack / "list.yml").write_text("- just\n- a list\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(pack)
    text = str(info.value)
    assert "pack/odd.yaml:1" in text and "'kind' must be one of" in text
    assert "pack/list.yml" in text and "mapping" in text


def test_non_utf8_and_missing_folder(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "bad.yaml").write_bytes(b"kind: qa\nsource: \xff\xfe\n")
    with pytest.raises(KnowledgeError, match="not UTF-8"):
        load_knowledge(pack)
    with pytest.raises(KnowledgeError, match="no such file or folder"):
        load_knowledge(tmp_path / "nowhere")


def test_check_finds_near_duplicate_questions(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    qa = pack / "questions.yaml"
    qa.write_text(
        qa.read_text().replace(
            "question: Does one country export oil to the other?",
            "question: What do the two countries trade??",
        )
    )
    report = run_checks(pack)
    assert not report.ok
    assert any(
        p.entry_id == "oil-exports" and "nearly the same as 'grain-trade'" in p.message
        for p in report.errors
    )


def test_check_verifies_anchor_against_text(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "mini.md").write_text(
        "# mini\n\n## ¶0 (front matter)\n\nTitle.\n\n## ¶1\n\nThe two countries trade grain and\n"
        "oil across the border.\n\n## ¶2\n\nArms sales stopped in 2006.\n"
    )
    assert run_checks(pack, texts).ok
    qa = pack / "questions.yaml"
    qa.write_text(qa.read_text().replace("anchor: trade grain and oil", "anchor: trade wheat"))
    report = run_checks(pack, texts)
    assert [p.entry_id for p in report.errors] == ["grain-trade"]
    assert "not verbatim" in report.errors[0].message


NOT_COVERED = """kind: not_covered
source: mini
questions:
  - {q: which port does the oil leave from, near: [1]}
  - q: who founded the arms trade
    near: 2
"""


def test_not_covered_questions_load_with_lines(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "not-covered.yaml").write_text(NOT_COVERED)
    kb = load_knowledge(pack)
    assert [(n.question, n.near, n.line) for n in kb.not_covered] == [
        ("which port does the oil leave from", (1,), 4),
        ("who founded the arms trade", (2,), 5),
    ]
    assert all(n.source == "mini" and n.file.endswith("not-covered.yaml") for n in kb.not_covered)


def test_not_covered_errors_name_file_line_and_reason(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "not-covered.yaml").write_text(
        "kind: not_covered\n"
        "source: mini\n"
        "questions:\n"
        "  - {q: which port does the oil leave from, near: [7]}\n"
        "  - {near: [1]}\n"
        "  - {q: who founded it, near: [1], answer: nobody}\n"
        "  - {q: where is it, near: [1], source: elsewhere}\n"
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(pack)
    text = str(caught.value)
    assert "not-covered.yaml:4: error: 'near' names paragraph(s) [7]" in text
    assert "not-covered.yaml:5: error: missing required field 'q'" in text
    assert "not-covered.yaml:6: error: unknown field 'answer'" in text
    assert "not-covered.yaml:7: error: unknown source 'elsewhere'" in text


def test_check_flags_a_not_covered_question_that_reads_like_an_entry(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "not-covered.yaml").write_text(NOT_COVERED)
    assert run_checks(pack).ok
    # Once 'exactly' goes it is the entry's own question: the two cannot be told apart.
    (pack / "not-covered.yaml").write_text(
        NOT_COVERED + "  - {q: when exactly did the weapon sales stop, near: [2]}\n"
    )
    report = run_checks(pack)
    assert not report.ok
    assert any(
        p.file.endswith("not-covered.yaml")
        and p.line == 7
        and "reads the same as 'When did the arms sales stop?' of entry 'arms-halt'" in p.message
        for p in report.errors
    )


def test_check_flags_a_not_covered_question_made_of_one_entrys_words(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    # No phrasing of 'arms-halt' reads like it, but its phrasings hold every word it keeps.
    (pack / "not-covered.yaml").write_text(
        NOT_COVERED + "  - {q: did the arms sales ever stop for a year, near: [2]}\n"
    )
    report = run_checks(pack)
    assert [(p.line, p.message) for p in report.errors] == [
        (
            7,
            "not-covered question 'did the arms sales ever stop for a year' uses only words "
            "that entry 'arms-halt' already holds; add the word that makes it a different "
            "question",
        )
    ]
