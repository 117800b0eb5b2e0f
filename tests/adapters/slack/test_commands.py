"""The study sub-commands' shapes: exact forms are commands, anything else is still a question."""

from __future__ import annotations

import pytest
from bot.adapters.slack.commands import StudyCommand, parse_study_command
from bot.adapters.slack.quizzes import parse_start


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("settings", StudyCommand("settings")),
        ("Settings set Answers OFF", StudyCommand("set", ("Answers", "OFF"))),
        ("settings set", StudyCommand("set")),
        ("reload", StudyCommand("reload")),
        ("gaps", StudyCommand("gaps")),
        ("stats", StudyCommand("stats")),
        ("stats 30", StudyCommand("stats", ("30",))),
        ("stats 30 days", StudyCommand("stats", ("30",))),
        ("stats 7d", StudyCommand("stats", ("7d",))),
        ("stats all", StudyCommand("stats", ("all",))),
        ("quiz", StudyCommand("quiz")),
        ("quiz start trade 3", StudyCommand("quiz", ("start", "trade", "3"))),
        # Questions that happen to start with a command word.
        ("settings of the summit", None),
        ("reload the pipeline?", None),
        ("gaps between russia and china", None),
        ("stats on trade", None),
        ("when did the arms sales stop", None),
        ("", None),
    ],
)
def test_study_commands_are_recognised_only_in_their_exact_shapes(
    text: str, expected: StudyCommand | None
) -> None:
    assert parse_study_command(text) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], (None, None)),
        (["3"], (None, 3)),
        (["energy", "security", "5"], ("energy security", 5)),
        (["trade"], ("trade", None)),
        (["²"], ("²", None)),  # not a number Python's int() would take for rounds
    ],
)
def test_quiz_start_takes_an_optional_topic_then_an_optional_round_count(
    args: list[str], expected: tuple[str | None, int | None]
) -> None:
    assert parse_start(args) == expected
