"""`python -m bot discord`: run the study bot on Discord.

Settings come from the environment (or `.env`): DISCORD_TOKEN, and optionally
DISCORD_API_BASE_URL, DISCORD_GATEWAY_URL, DISCORD_GUILD_ID, DISCORD_REPLY_STYLE,
DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS, DISCORD_MODERATOR_ROLE_IDS, plus the shared BOT_*
settings and DATABASE_URL. The parts live in `bot.adapters.discord`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import discord

from bot.adapters.discord.client import StudyBot, build_bot
from bot.adapters.discord.settings import DiscordSettings
from bot.config import ConfigError, load_dotenv_file, mask
from bot.core.knowledge import KnowledgeError
from bot.core.study import DatabaseUnavailable
from bot.ops.health import HEALTH, knowledge_check
from bot.ops.lifecycle import STOP

log = logging.getLogger("bot.adapters.discord")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


def main() -> int:
    load_dotenv_file()
    if not logging.getLogger().handlers:
        discord.utils.setup_logging(level=logging.INFO)
    try:
        settings = DiscordSettings.from_env()
    except ConfigError as exc:
        log.error("%s", exc)
        return EXIT_CONFIG
    return run(settings)


def run(settings: DiscordSettings, **bot_options: Any) -> int:
    """Run until stopped; every way Discord can refuse us ends in one clear log line."""
    try:
        asyncio.run(_serve(settings, bot_options))
    except KeyboardInterrupt:
        return EXIT_OK
    except discord.LoginFailure:
        log.error(
            "Discord refused DISCORD_TOKEN (%s). Copy the token again from the developer "
            "portal (Applications > your app > Bot > Reset Token).",
            mask(settings.token),
        )
        return EXIT_FAILED
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the Message Content intent. Switch on 'Message Content Intent' "
            "in the developer portal (Applications > your app > Bot > Privileged Gateway "
            "Intents), then start the bot again."
        )
        return EXIT_FAILED
    except KnowledgeError as exc:
        log.error("Cannot load the knowledge pack in %s:\n%s", settings.common.knowledge_dir, exc)
        return EXIT_FAILED
    except DatabaseUnavailable as exc:
        log.error("%s (set by DATABASE_URL, else a SQLite file in BOT_DATA_DIR)", exc)
        return EXIT_FAILED
    except discord.ConnectionClosed as exc:
        log.error("Discord closed the gateway connection (code %s): %s", exc.code, exc.reason)
        return EXIT_FAILED
    except discord.HTTPException as exc:
        log.error("Discord refused a request while starting: %s", exc)
        return EXIT_FAILED
    except (discord.GatewayNotFound, aiohttp.ClientError, OSError) as exc:
        log.error("Cannot reach Discord at %s: %s", settings.api_base_url, exc)
        return EXIT_FAILED
    return EXIT_OK


async def _serve(settings: DiscordSettings, bot_options: dict[str, Any]) -> None:
    bot = build_bot(settings, **bot_options)
    async with bot:
        with STOP.handling_signals(), _health_checks(bot):
            unsubscribe = STOP.subscribe(_closer(bot, settings.common.shutdown_timeout))
            try:
                await bot.start(settings.token)
            finally:
                unsubscribe()


def _closer(bot: StudyBot, timeout: float) -> Callable[[], None]:
    """`docker stop` sends SIGTERM: finish the questions in flight, then log out cleanly."""
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()

    def begin() -> None:
        task = loop.create_task(bot.close_gracefully(timeout))
        closing.add(task)
        task.add_done_callback(closing.discard)

    def request() -> None:
        # From a signal handler or another thread: hand it to the bot's own loop.
        loop.call_soon_threadsafe(begin)

    return request


@contextlib.contextmanager
def _health_checks(bot: StudyBot) -> Iterator[None]:
    removers = [
        HEALTH.register("knowledge", knowledge_check(lambda: bot.service)),
        HEALTH.register("discord", bot.health),
    ]
    try:
        yield
    finally:
        for remove in removers:
            remove()
