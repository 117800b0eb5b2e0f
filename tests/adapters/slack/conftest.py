from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.adapters.slack.fake_slack import FakeSlackApi
from tests.adapters.slack.harness import SlackBot, settings_for


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
