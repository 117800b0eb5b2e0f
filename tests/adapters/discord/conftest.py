"""Fixtures that run the real discord.py bot, built the way `main` builds it, against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
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
    "BOT_DATA_DIR",
    "BOT_QUIZ_ROUND_SECONDS",
    "BOT_GAP_RETENTION_DAYS",
    "DATABASE_URL",
    "DISCORD_MODERATOR_ROLE_IDS",
)


_THROWAWAY: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def _remove_throwaway_folders() -> Iterator[None]:
    yield
    for folder in _THROWAWAY:
        shutil.rmtree(folder, ignore_errors=True)


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
    data_dir: Path


StartBot = Callable[..., Awaitable[Running]]


@pytest.fixture(autouse=True)
def _restore_endpoints() -> Iterator[None]:
    """`apply_endpoints` sets discord.py class attributes; put Discord's back after each test."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE = base
    DiscordWebSocket.DEFAULT_GATEWAY = gateway


def set_env(monkeypatch: pytest.MonkeyPatch, fake: FakeDiscord, **env: str) -> None:
    """The bot's environment for one test. Its database is a SQLite file in BOT_DATA_DIR: pass
    the test's tmp_path; without one a throwaway folder is used, never the working folder."""
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    defaults = {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE_URL": fake.api_base_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "BOT_KNOWLEDGE_DIR": str(MINI_PACK),
        "BOT_COOLDOWN_SECONDS": "0",
    }
    if "BOT_DATA_DIR" not in env:
        folder = tempfile.mkdtemp(prefix="studybot-discord-")
        _THROWAWAY.append(folder)
        defaults["BOT_DATA_DIR"] = folder
    for name, value in {**defaults, **env}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(token=TOKEN)
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def start_bot(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start a bot; bots started in one test share its SQLite file, as a restart would.

    `store_votes=True` sends votes to the database, as in production, instead of a list."""
    started: list[tuple[StudyBot, asyncio.Task[None]]] = []
    data_dir = tmp_path / "data"

    async def start(*, store_votes: bool = False, **env: str) -> Running:
        set_env(monkeypatch, fake, BOT_DATA_DIR=str(data_dir), **env)
        settings = DiscordSettings.from_env()
        sink = RecordingSink()
        bot = build_bot(settings, feedback=None if store_votes else sink, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(settings.token))
        started.append((bot, task))
        async with asyncio.timeout(READY_TIMEOUT):
            while not bot.is_ready():
                if task.done():
                    task.result()  # raises what stopped the bot
                    raise AssertionError("the bot stopped before it was ready")
                await asyncio.sleep(0.01)
        return Running(bot, fake, sink, data_dir)

    yield start
    for bot, task in started:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, READY_TIMEOUT)


@pytest.fixture
async def running(start_bot: StartBot) -> Running:
    return await start_bot()
