from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import MINI_PACK, REPO


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_ask_plain_and_json() -> None:
    plain = run("--knowledge", str(MINI_PACK), "ask", "when did the weapon sales stop")
    assert plain.returncode == 0
    assert plain.stdout.strip().endswith("TestNet, 2020, ¶2")
    out = run("--knowledge", str(MINI_PACK), "ask", "--json", "who wrote this?")
    data = json.loads(out.stdout)
    assert data["status"] == "answered" and data["entry_id"] == "author-name"
    assert data["citation"]["paragraphs"] == [0]


def test_ask_stdin_one_json_per_line_in_order() -> None:
    questions = ["who wrote this?", "hi", "capital of peru", "when did weapon sales stop"]
    out = run("--knowledge", str(MINI_PACK), "ask", "--json", "-", stdin="\n".join(questions))
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["status"] for r in rows] == ["answered", "no_match", "no_match", "answered"]
    assert "message" in rows[1] and rows[1]["answer"] is None


def test_kb_check_shipped_pack_passes_with_anchors() -> None:
    out = run("kb", "check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("OK")
    if (REPO.parent / "shared" / "sources" / "power-couple.md").is_file():
        assert "anchors checked against" in out.stdout


def test_kb_check_broken_file_exit_1_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: qa\nentries:\n  - id: x\n    question: [\n")
    out = run("kb", "check", str(tmp_path))
    assert out.returncode == 1
    assert "a.yaml:" in out.stdout and "invalid YAML" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_broken_knowledge_at_start_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: source\nid: x\n")
    out = run("--knowledge", str(tmp_path), "ask", "hello")
    assert out.returncode == 1
    assert "a.yaml:" in out.stderr and "missing required field 'title'" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_arguments_are_clear() -> None:
    out = run("ask")
    assert out.returncode == 2 and "question" in out.stderr and "Traceback" not in out.stderr
    out = run("bench", "--scales", "lots")
    assert out.returncode == 2 and "--scales" in out.stderr


def test_console_commands_and_questions() -> None:
    script = "/help\n/topics\n/source 2\n/source x\nwhen did weapon sales stop\n/nope\n/quit\n"
    out = run("--knowledge", str(MINI_PACK), "console", stdin=script)
    assert out.returncode == 0
    text = out.stdout
    assert "Commands: /topics" in text
    assert "Military (1)" in text
    assert "¶2: One country stopped selling arms" in text
    assert "Usage: /source N" in text
    assert "The arms sales stopped in 2006." in text
    assert "Unknown command /nope" in text
    assert text.rstrip().endswith("Bye!")


def test_console_picks_a_suggestion_by_number() -> None:
    script = "pipeline\n2\n3\n/quit\n"
    out = run(
        "--knowledge", str(REPO / "tests" / "data" / "packs" / "slack"), "console", stdin=script
    )
    assert out.returncode == 0
    text = out.stdout
    assert "Did you mean:" in text and "(Type a number to pick one.)" in text
    picked = text.split("(Type a number to pick one.)", 1)[1]
    assert "It cost 25 billion dollars." in picked or "It runs from Siberia to the coast." in picked
    # Once picked, the list is spent: a further number is just a question.
    assert "I don't know that one" in picked
