"""Logs: one line per event, JSON that parses, the question event, and never a token."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot.config import LogSettings
from bot.core import telemetry
from bot.core.service import StudyService
from bot.logs import REDACTED, Redactor, build_handler

from tests.conftest import MINI_PACK
from tests.ship.helpers import clean_env, json_lines, run_bot

SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0APP-1234567890-abcdef0123456789"
SLACK_USER = "xoxp-1111-2222-3333-abcdefabcdef"
DISCORD = "MTAwMDAwMDAwMDAwMDAwMDAw.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789"
CONFIGURED = "plain-configured-secret-value"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO, list[str]]]:
    """A logger writing JSON to a buffer through the real handler; `configured` secrets known."""
    stream = io.StringIO()
    handler = build_handler(LogSettings(format="json"), [CONFIGURED], stream)
    logger = logging.getLogger("tests.ship.capture")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream, [SLACK_BOT, SLACK_APP, SLACK_USER, DISCORD, CONFIGURED]
    logger.removeHandler(handler)


def test_redactor_catches_token_shapes_and_configured_values() -> None:
    redact = Redactor([CONFIGURED, "short"])
    text = f"a {SLACK_BOT} b {SLACK_APP} c {SLACK_USER} d {DISCORD} e {CONFIGURED} f short"
    out = redact(text)
    for secret in (SLACK_BOT, SLACK_APP, SLACK_USER, DISCORD, CONFIGURED):
        assert secret not in out
    assert out.count(REDACTED) == 5
    assert out.endswith("f short")  # too short to be a secret: ordinary words stay


def test_json_lines_parse_and_carry_no_token(
    capture: tuple[logging.Logger, io.StringIO, list[str]],
) -> None:
    logger, stream, secrets = capture
    logger.info("connecting with %s and %s", SLACK_BOT, DISCORD)
    logger.warning("multi\nline message with %s", CONFIGURED)
    logger.info("fields", extra={"event": "custom", "fields": {"token": SLACK_APP, "n": 3}})
    try:
        raise RuntimeError(f"auth failed for {SLACK_USER}")
    except RuntimeError:
        logger.exception("request failed")

    text = stream.getvalue()
    records = json_lines(text)
    assert len(records) == 4  # one line per event, the newline inside a message escaped
    for secret in secrets:
        assert secret not in text
    assert records[0]["message"] == f"connecting with {REDACTED} and {REDACTED}"
    assert records[0]["level"] == "info" and records[0]["logger"] == "tests.ship.capture"
    assert records[1]["message"].startswith("multi\nline")
    assert records[2]["event"] == "custom" and records[2]["token"] == REDACTED
    assert records[2]["n"] == 3
    assert "RuntimeError: auth failed for [redacted]" in records[3]["exc"]
    assert {"time", "level", "logger", "event", "message"} <= set(records[0])


@contextlib.contextmanager
def question_log(log_format: str = "json") -> Iterator[io.StringIO]:
    """What the core's question logger writes, through the real handler, at INFO."""
    stream = io.StringIO()
    handler = build_handler(LogSettings(format=log_format), [], stream)
    logger = logging.getLogger("bot.questions")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        telemetry.configure(log_questions=False)


def test_each_question_is_one_event_with_its_outcome_and_no_text(mini: StudyService) -> None:
    with question_log() as stream:
        mini.ask("when did the weapon sales stop", platform="slack")
        mini.ask("what is the capital of peru", platform="discord")
        mini.ask("not logged: no platform")
        telemetry.configure(log_questions=True)
        mini.ask("who wrote this?", platform="cli")

    answered, unknown, opted_in = json_lines(stream.getvalue())
    assert answered["event"] == "question"
    assert answered["platform"] == "slack"
    assert answered["status"] == "answered"
    assert answered["entry_id"] == "arms-halt"
    assert answered["score"] == 100.0
    assert isinstance(answered["latency_ms"], float) and answered["latency_ms"] >= 0
    assert "weapon" not in json.dumps(answered)
    assert unknown["platform"] == "discord" and unknown["status"] == "no_match"
    assert unknown["entry_id"] is None and "peru" not in json.dumps(unknown)
    assert opted_in["question"] == "who wrote this?"


def test_a_failing_question_is_logged_with_context_and_counted(
    mini: StudyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[telemetry.Event] = []

    def broken(_text: str) -> None:
        raise ValueError("index corrupted")

    monkeypatch.setattr(mini.matcher, "match", broken)
    unsubscribe = telemetry.subscribe(seen.append)
    try:
        with question_log() as stream, pytest.raises(ValueError):
            mini.ask("when did the weapon sales stop", platform="discord")
    finally:
        unsubscribe()
    (record,) = json_lines(stream.getvalue())
    assert record["level"] == "error" and record["status"] == "error"
    assert record["platform"] == "discord"
    assert "ValueError: index corrupted" in record["exc"]
    assert [getattr(e, "status", None) for e in seen] == ["error"]


def test_text_format_is_one_readable_line_per_question(mini: StudyService) -> None:
    with question_log("text") as stream:
        mini.ask("when did the weapon sales stop", platform="console")
    (line,) = stream.getvalue().splitlines()
    assert " INFO bot.questions: question platform=console status=answered" in line
    assert "entry=arms-halt score=100.0 latency_ms=" in line


def test_a_real_process_logs_json_without_tokens(tmp_path: Path) -> None:
    """The whole path: env, LOG_FORMAT/LOG_LEVEL, the root handler and its redaction filter."""
    env = clean_env(
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        LOG_QUESTIONS="1",
        BOT_KNOWLEDGE_DIR=str(MINI_PACK),
        SLACK_BOT_TOKEN=SLACK_BOT,
        SLACK_SIGNING_SECRET=CONFIGURED,
    )
    # A student pasting a token into a question: even the opted-in question text is redacted.
    question = f"why does {SLACK_BOT} and {CONFIGURED} not work"
    out = run_bot("ask", question, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    (record,) = [r for r in json_lines(out.stderr) if r["event"] == "question"]
    assert record["platform"] == "cli"
    assert record["question"] == f"why does {REDACTED} and {REDACTED} not work"
    assert SLACK_BOT not in out.stderr and CONFIGURED not in out.stderr
