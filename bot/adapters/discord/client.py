"""The discord.py bot: intents, endpoints, start-up work in `setup_hook`, events routed on.

`setup_hook` loads the knowledge, opens the study desk (the database: settings, stats, votes,
quizzes) and picks up the quizzes a previous process left running; `close` stops the quiz timers
and closes the desk after the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.moderation import Moderation
from bot.adapters.discord.quizzes import QuizRunner, shard_owner
from bot.adapters.discord.rendering import NO_MENTIONS
from bot.adapters.discord.responder import Responder
from bot.adapters.discord.settings import DiscordSettings
from bot.adapters.discord.slash_commands import register_commands
from bot.adapters.discord.views import DYNAMIC_ITEMS
from bot.core.feedback import FeedbackSink
from bot.core.service import StudyService
from bot.core.study import StudyDesk
from bot.ops.health import CheckResult
from bot.ops.lifecycle import InFlight

log = logging.getLogger(__name__)

INVITE_SCOPES = ("bot", "applications.commands")
# Replies need Read Message History (a reply references the question) and Embed Links.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)


def bot_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    # Privileged: must also be switched on in the developer portal, or login fails with 4014.
    intents.message_content = True
    return intents


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES
    )


def apply_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at Discord or at a proxy (or a test double).

    discord.py keeps both URLs as class attributes, so this is process-wide; interaction
    callbacks and webhooks go through `Route` too.
    """
    Route.BASE = settings.api_base_url
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class StudyTree(app_commands.CommandTree["StudyBot"]):
    async def on_error(
        self, interaction: discord.Interaction[StudyBot], error: app_commands.AppCommandError, /
    ) -> None:
        name = interaction.command.name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        text = "Sorry, something went wrong on my side. Please try again."
        # The interaction may have expired meanwhile; the log line above is what matters then.
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_MENTIONS
                )


class StudyBot(commands.Bot):
    def __init__(
        self,
        settings: DiscordSettings,
        *,
        feedback: FeedbackSink | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            # commands.Bot needs a prefix; there are no prefix commands (see on_message).
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=StudyTree,
            **options,
        )
        self.settings = settings
        # Votes go to the desk's store unless a sink is given (tests record them in memory).
        self._feedback = feedback
        self.inflight = InFlight()
        self._responder: Responder | None = None
        self._desk: StudyDesk | None = None
        self._quizzes: QuizRunner | None = None

    @property
    def responder(self) -> Responder:
        if self._responder is None:
            raise RuntimeError("StudyBot.setup_hook has not run yet")
        return self._responder

    @property
    def service(self) -> StudyService | None:
        """The loaded knowledge, once `setup_hook` has run."""
        return self._responder.service if self._responder is not None else None

    @property
    def desk(self) -> StudyDesk:
        if self._desk is None:
            raise RuntimeError("the study desk is not open (before setup_hook or after close)")
        return self._desk

    @property
    def quizzes(self) -> QuizRunner:
        if self._quizzes is None:
            raise RuntimeError("StudyBot.setup_hook has not run yet")
        return self._quizzes

    async def setup_hook(self) -> None:
        common = self.settings.common
        service = await asyncio.to_thread(StudyService, common.knowledge_dir, common.matching)
        desk = self._desk = await StudyDesk.open(
            service,
            round_seconds=common.quiz_round_seconds,
            default_cooldown=common.cooldown_seconds,
            gap_retention_days=common.gap_retention_days,
        )
        log.info("study desk open: %s", desk.store.describe())
        self._responder = Responder(
            self,
            service,
            self.settings,
            self._feedback or desk.feedback,
            self.inflight,
            desk=desk,
        )
        quizzes = self._quizzes = QuizRunner(
            self, desk, self.settings, allowed=self._responder.channel_allowed
        )
        self._responder.quizzes = quizzes
        paragraphs = service.default_source().paragraphs
        register_commands(
            self.tree,
            self._responder,
            min(paragraphs, default=0),
            max(paragraphs, default=0),
            quizzes=quizzes,
            moderation=Moderation(desk, self.settings),
        )
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self._sync_commands()
        # Before the gateway connects, so no answer is graded against a round whose clock
        # nobody is running.
        await quizzes.recover(shard_owner(self.settings))
        if self.application_id is not None:
            log.info("Invite the bot with: %s", invite_url(self.application_id))

    async def close(self) -> None:
        # Timers first: a round closing while the store shuts would be half announced. Rounds
        # stay open in the database for the next process to recover.
        if self._quizzes is not None:
            await self._quizzes.close()
        await super().close()
        desk, self._desk = self._desk, None
        if desk is not None:
            # No new events come now; a question answered a moment ago may still be writing
            # its stats row, so let it finish (bounded) before the database goes.
            grace = self.settings.common.shutdown_timeout
            await asyncio.to_thread(self.inflight.wait_idle, grace)
            await desk.close()

    async def _sync_commands(self) -> None:
        guild_id = self.settings.guild_id
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            # Mentions and DMs still work without slash commands, so keep running.
            log.error(
                "Could not sync slash commands (%s). Was the bot invited with the "
                "applications.commands scope%s?",
                exc,
                f", and is it in server {guild_id}" if guild_id is not None else "",
            )
            return
        where = f"to server {guild_id}" if guild_id is not None else "globally"
        log.info("Synced %d slash commands %s", len(synced), where)

    async def on_ready(self) -> None:
        if self.user is not None:
            servers = len(self.guilds)
            log.info("Connected as %s (id %s) in %d servers", self.user, self.user.id, servers)

    async def on_message(self, message: discord.Message, /) -> None:
        # Replaces commands.Bot's prefix-command processing: a mention is a question here.
        await self.responder.on_message(message)

    async def close_gracefully(self, grace: float) -> None:
        """Refuse new questions, give those in flight `grace` seconds, then disconnect."""
        self.inflight.close()
        if self.inflight.count:
            log.info("waiting up to %gs for %d question(s) in flight", grace, self.inflight.count)
        if not await asyncio.to_thread(self.inflight.wait_idle, grace):
            log.warning("%d question(s) still unanswered after %gs", self.inflight.count, grace)
        await self.close()

    def health(self) -> CheckResult:
        """The gateway connection, for `/healthz`: ready, and every shard's socket open."""
        if self.is_closed():
            return CheckResult(False, {"state": "closed"})
        if not self.is_ready():
            return CheckResult(False, {"state": "connecting"})
        detail: dict[str, Any] = {"state": "ready", "guilds": len(self.guilds)}
        if isinstance(self, commands.AutoShardedBot):
            down = sorted(i for i, shard in self.shards.items() if shard.is_closed())
            detail["shards"] = len(self.shards)
            if down:
                return CheckResult(False, {**detail, "state": "shards down", "down": down})
            return CheckResult(True, detail)
        ws = getattr(self, "ws", None)
        if ws is None or not ws.open:
            return CheckResult(False, {**detail, "state": "reconnecting"})
        if math.isfinite(self.latency):
            detail["latency_ms"] = round(self.latency * 1000, 1)
        return CheckResult(True, detail)


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """The same bot over several gateway connections, for deployments in many servers."""


def build_bot(
    settings: DiscordSettings, *, feedback: FeedbackSink | None = None, **options: Any
) -> StudyBot:
    """The bot `main` runs; tests build it the same way, with a smaller guild_ready_timeout."""
    apply_endpoints(settings)
    if settings.sharded:
        shard_ids = list(settings.shard_ids) if settings.shard_ids else None
        return ShardedStudyBot(
            settings,
            feedback=feedback,
            shard_count=settings.shard_count,
            shard_ids=shard_ids,
            **options,
        )
    return StudyBot(settings, feedback=feedback, **options)
