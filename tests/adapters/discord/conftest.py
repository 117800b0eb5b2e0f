"""Fixtures that run the real discord.py bot, built the way `main` builds it, against the fake."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bot.adapters.discord.client import StudyBot, build_bot
from bot.adapters.discord.settings import DiscordSettings
from bot.core.feedback import Feedback
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.adapters.discord.fake_discord import TOKEN, FakeDiscord

MINI_PACK = Path(__file__).resolve().parents[2] / "data" / "packs" / "mini"
READY_TIMEOUT = 5.0

# Cleared before each bot starts, so the machine's own environment cannot leak into a test.
SETTINGS_VARS = (
    "DISCORD_TOKEN",
    "DISCORD_API_BASE_URL",
    "DISCORD_GATEWAY_URL",
    "DISCORD_GUILD_ID",
    "DISCORD_REPLY_STYLE",
    "DISCORD_SHARD_COUNT",
    "DISCORD_SHARD_IDS",
    "BOT_KNOWLEDGE_DIR",
    "BOT_COOLDOWN_RATE",
    "BOT_COOLDOWN_SECONDS",
    "BOT_ALLOWED_CHANNELS",
)


@dataclass
class RecordingSink:
    votes: list[Feedback] = field(default_factory=list)

    def record(self, feedback: Feedback) -> None:
        self.votes.append(feedback)


@dataclass
class Running:
    bot: StudyBot
    fake: FakeDiscord
    feedback: RecordingSink


StartBot = Callable[..., Awaitable[Running]]


@pytest.fixture(autouse=True)
def _restore_endpoints() -> Iterator[None]:
    """`apply_endpoints` sets discord.py class attributes; put Discord's back after each test."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = gateway


def set_env(monkeypatch: pytest.MonkeyPatch, fake: FakeDiscord, **env: str) -> None:
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    defaults = {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE_URL": fake.api_base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "BOT_KNOWLEDGE_DIR": str(MINI_PACK),
        "BOT_COOLDOWN_SECONDS": "0",
    }
    for name, value in {**defaults, **env}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=TOKEN)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def start_bot(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StartBot]:
    started: list[tuple[StudyBot, asyncio.Task[None]]] = []

    async def start(**env: str) -> Running:
        set_env(monkeypatch, fake, **env)
        settings = DiscordSettings.from_env()
        sink = RecordingSink()
        bot = build_bot(settings, feedback=sink, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(settings.token))
        started.append((bot, task))
        async with asyncio.timeout(READY_TIMEOUT):
            while not bot.is_ready():
                if task.done():
                    task.result()  # raises what stopped the bot
                    raise AssertionError("the bot stopped before it was ready")
                await asyncio.sleep(0.01)
        return Running(bot, fake, sink)

    yield start
    for bot, task in started:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, READY_TIMEOUT)


@pytest.fixture
async def running(start_bot: StartBot) -> Running:
    return await start_bot()
