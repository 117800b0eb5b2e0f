from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bot.adapters.slack.desk import database_url
from bot.config import CommonSettings

from tests.adapters.slack.fake_slack import FakeSlackApi
from tests.adapters.slack.harness import SlackBot, settings_for
from tests.conftest import REPO

QUIZ_PACK = REPO / "tests" / "data" / "packs" / "slackquiz"


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def make_bot(fake: FakeSlackApi) -> Iterator[Callable[..., SlackBot]]:
    """Start the real Bolt app against `fake`; keyword arguments override SlackSettings."""
    started: list[SlackBot] = []

    def start(**overrides: Any) -> SlackBot:
        bot = SlackBot.start(fake, settings_for(fake, **overrides))
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.close()


@pytest.fixture
def bot(make_bot: Callable[..., SlackBot]) -> SlackBot:
    return make_bot()


@pytest.fixture
def make_study_bot(
    fake: FakeSlackApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., SlackBot]]:
    """Start the real Bolt app with its study desk on a SQLite file in `tmp_path`.

    Every bot started by one test shares that file, so starting a second one after closing the
    first is a restart. The file is found as `main()` finds it (BOT_DATA_DIR, no DATABASE_URL).
    """
    data = tmp_path / "data"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(data))
    started: list[SlackBot] = []

    def start(
        *, knowledge: Path = QUIZ_PACK, round_seconds: float = 30.0, **overrides: Any
    ) -> SlackBot:
        common = CommonSettings(knowledge_dir=knowledge, cooldown_seconds=0, data_dir=data)
        settings = settings_for(fake, common=common, **overrides)
        bot = SlackBot.start(
            fake, settings, database=database_url(data), round_seconds=round_seconds
        )
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.close()
