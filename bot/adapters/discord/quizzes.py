"""Quizzes on Discord: /quiz start|stop|leaderboard, answers typed in the channel, round timers.

The quiz engine keeps every state change in the database; this runner owns what only a running
process can: one asyncio timer per open round (it calls `expire_round` when the time is up) and
the posts in the channel. One lock per channel keeps those posts in order (a round's reveal
before the next question) and lets a timer and an answer never act on a round at once. After a
restart, `recover` re-arms the timers of the rounds still open and settles those that ran out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.adapters.discord.messaging import channel_ref, is_moderator, respond, settings_ref
from bot.adapters.discord.rendering import (
    CHOICE_LIMIT,
    MAX_CHOICES,
    NO_MENTIONS,
    clip,
    render_notice,
)
from bot.adapters.discord.settings import DiscordSettings
from bot.core.quiz import (
    AnswerKind,
    Leaderboard,
    QuizSummary,
    RecoveryAction,
    RoundResult,
    RoundView,
    StartRefusal,
    StopRefusal,
)
from bot.core.service import topic_name
from bot.core.store import ChannelRef
from bot.core.study import StudyDesk

log = logging.getLogger(__name__)

SERVER_ONLY = "Quizzes run in server channels, not in direct messages."
QUIZZES_OFF = "Quizzes are turned off in this channel."


@dataclass
class _Armed:
    quiz_id: int
    number: int
    timer: asyncio.Task[None]


def _named(summary: QuizSummary) -> QuizSummary:
    """Players' names as plain text: a name with Markdown in it must not format the list."""
    standings = tuple(
        dataclasses.replace(s, user_name=escape_markdown(s.label)) for s in summary.standings
    )
    return dataclasses.replace(summary, standings=standings)


def _board_text(board: Leaderboard) -> str:
    rows = tuple(dataclasses.replace(r, user_name=escape_markdown(r.label)) for r in board.rows)
    return dataclasses.replace(board, rows=rows).text()


class QuizRunner:
    def __init__(
        self,
        client: discord.Client,
        desk: StudyDesk,
        settings: DiscordSettings,
        *,
        allowed: Callable[[int | None, int | None, object], bool] = lambda *_: True,
    ) -> None:
        self.client = client
        self.desk = desk
        self.settings = settings
        self.style = settings.reply_style
        self._allowed = allowed
        self._active: dict[ChannelRef, _Armed] = {}
        self._locks: dict[ChannelRef, asyncio.Lock] = {}
        self._closed = False

    # -- state ------------------------------------------------------------------------------

    def active(self, ref: ChannelRef) -> bool:
        return ref in self._active

    def _lock(self, ref: ChannelRef) -> asyncio.Lock:
        lock = self._locks.get(ref)
        if lock is None:
            lock = self._locks[ref] = asyncio.Lock()
        return lock

    def _arm(self, ref: ChannelRef, view: RoundView) -> None:
        """Start the clock of the round now open in `ref`, replacing the previous round's."""
        self._disarm(ref)
        if self._closed:
            return  # shutting down: the next process recovers the round from the database
        delay = view.seconds_left(self.desk.store.now())
        timer = asyncio.create_task(
            self._expire_after(ref, view.quiz_id, view.number, delay),
            name=f"quiz-{view.quiz_id}-round-{view.number}",
        )
        self._active[ref] = _Armed(view.quiz_id, view.number, timer)

    def _disarm(self, ref: ChannelRef) -> None:
        armed = self._active.pop(ref, None)
        # A timer that is itself announcing the next round must not cancel itself.
        if armed is not None and armed.timer is not asyncio.current_task():
            armed.timer.cancel()

    async def close(self) -> None:
        """Stop every timer (on shutdown). Rounds stay open in the database: `recover` in the
        next process picks them up."""
        self._closed = True
        timers = [armed.timer for armed in self._active.values()]
        self._active.clear()
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)

    # -- the clock --------------------------------------------------------------------------

    async def _expire_after(self, ref: ChannelRef, quiz_id: int, number: int, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self._lock(ref):
            try:
                result = await self.desk.quizzes.expire_round(quiz_id, number)
            except Exception:
                # The round stays open in the database; the next message in the channel closes
                # it (the engine sees its time is up), and a restart would too.
                log.exception("could not close quiz %s round %s", quiz_id, number)
                return
            if result is not None:
                await self._announce(ref, result)

    async def _announce(
        self, ref: ChannelRef, result: RoundResult, winner: discord.Message | None = None
    ) -> None:
        """Post a closed round's reveal, then the next question (its timer armed) or the end."""
        label = f"<@{result.winner_id}>" if result.winner_id else None
        await self._post(ref, result.text(label), reply_to=winner)
        if result.next_round is not None:
            self._arm(ref, result.next_round)
            await self._post(ref, result.next_round.text())
            return
        self._disarm(ref)
        if result.summary is not None:
            await self._post(ref, _named(result.summary).text())

    async def _post(
        self, ref: ChannelRef, text: str, *, reply_to: discord.Message | None = None
    ) -> None:
        # A partial channel needs nothing from the gateway's cache, so this also works while
        # the bot is still starting (recovery runs before the gateway is up).
        guild_id = int(ref.workspace_id) if ref.workspace_id else None
        channel = self.client.get_partial_messageable(int(ref.channel_id), guild_id=guild_id)
        body = render_notice(text, self.style)
        try:
            if reply_to is None:
                await channel.send(
                    content=body.content, embeds=body.embeds, allowed_mentions=NO_MENTIONS
                )
            else:
                await channel.send(
                    content=body.content,
                    embeds=body.embeds,
                    reference=reply_to.to_reference(fail_if_not_exists=False),
                    mention_author=False,
                    allowed_mentions=NO_MENTIONS,
                )
        except discord.HTTPException as exc:
            log.warning("could not post in quiz channel %s: %s", ref.channel_id, exc)

    # -- answers in the channel -------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """Grade a plain message in a channel with a quiz; wrong answers get no reply, so the
        channel is not flooded, and the first right one gets the reveal as a reply."""
        if message.guild is None or message.author.bot:
            return
        ref = channel_ref(message.guild.id, message.channel.id)
        text = message.content.strip()
        if ref not in self._active or not text:
            return
        async with self._lock(ref):
            try:
                outcome = await self.desk.quizzes.answer(
                    ref, str(message.author.id), text, user_name=message.author.display_name
                )
            except Exception:
                log.exception("could not grade a quiz answer in channel %s", ref.channel_id)
                return
            if outcome.kind is AnswerKind.NO_QUIZ:
                self._disarm(ref)  # ended elsewhere (stopped by another process)
            elif outcome.kind is AnswerKind.CORRECT and outcome.result is not None:
                await self._announce(ref, outcome.result, winner=message)
            elif outcome.kind is AnswerKind.EXPIRED and outcome.result is not None:
                await self._announce(ref, outcome.result)

    # -- commands ---------------------------------------------------------------------------

    async def _where(self, interaction: discord.Interaction) -> ChannelRef | None:
        if interaction.guild_id is None or interaction.channel_id is None:
            await self._tell(interaction, SERVER_ONLY)
            return None
        if not self._allowed(interaction.guild_id, interaction.channel_id, interaction.channel):
            await self._tell(
                interaction, "I don't run quizzes in this channel; try one of the study channels."
            )
            return None
        return channel_ref(interaction.guild_id, interaction.channel_id)

    async def _tell(self, interaction: discord.Interaction, text: str) -> None:
        await respond(interaction, render_notice(text, self.style), ephemeral=True)

    async def start(self, interaction: discord.Interaction, topic: str | None, rounds: int) -> None:
        ref = await self._where(interaction)
        if ref is None:
            return
        governing = settings_ref(interaction.guild_id, interaction.channel_id, interaction.channel)
        if governing != ref and not (await self.desk.channel_settings(governing)).quizzes_on:
            await self._tell(interaction, QUIZZES_OFF)  # a thread follows its channel
            return
        async with self._lock(ref):
            started = await self.desk.quizzes.start(
                ref, str(interaction.user.id), topic=topic or None, rounds=rounds
            )
            if started.round is None:
                if started.refusal is StartRefusal.ALREADY_RUNNING and ref not in self._active:
                    # Running in the database but not here (started by a process that died
                    # before recovery ran): take its clock over.
                    current = await self.desk.quizzes.current(ref)
                    if current is not None:
                        self._arm(ref, current)
                await self._tell(interaction, started.message)
                return
            self._arm(ref, started.round)
            what = f" on {topic_name(topic)}" if topic else ""
            total = started.round.total
            lines = [
                f"<@{interaction.user.id}> started a quiz{what}: {total} "
                f"question{'s' if total != 1 else ''}. Type your answers here; the first correct "
                "answer scores."
            ]
            if started.message:
                lines.append(started.message)
            lines.extend(["", started.round.text()])
            text = "\n".join(lines)
            try:
                await respond(interaction, render_notice(text, self.style))
            except discord.HTTPException:
                # The interaction expired (Discord allows 3 s): post the question anyway.
                await self._post(ref, text)

    async def stop(self, interaction: discord.Interaction) -> None:
        ref = await self._where(interaction)
        if ref is None:
            return
        moderator = is_moderator(interaction, self.settings.moderator_role_ids)
        async with self._lock(ref):
            stopped = await self.desk.quizzes.stop(
                ref, str(interaction.user.id), is_moderator=moderator
            )
            if stopped.summary is None:
                if stopped.refusal is StopRefusal.NO_QUIZ:
                    self._disarm(ref)
                await self._tell(interaction, stopped.message)
                return
            self._disarm(ref)
            parts = []
            if stopped.stopped_round is not None:
                parts.append(stopped.stopped_round.text())
            parts.append(_named(stopped.summary).text())
            await respond(interaction, render_notice("\n\n".join(parts), self.style))

    async def leaderboard(self, interaction: discord.Interaction) -> None:
        ref = await self._where(interaction)
        if ref is None:
            return
        boards = await self.desk.quizzes.leaderboards(ref)
        text = "\n\n".join(_board_text(board) for board in boards)
        await respond(interaction, render_notice(text, self.style, title="Quiz leaderboards"))

    def topic_choices(self, current: str) -> list[app_commands.Choice[str]]:
        typed = current.casefold().strip()
        choices = []
        for tag, count in self.desk.quizzes.quiz_topics().items():
            name = topic_name(tag)
            if typed and typed not in name.casefold() and typed not in tag:
                continue
            label = clip(f"{name} ({count} question{'s' if count != 1 else ''})", CHOICE_LIMIT)
            choices.append(app_commands.Choice(name=label, value=tag))
        return choices[:MAX_CHOICES]

    # -- restarts ---------------------------------------------------------------------------

    async def recover(self, owns: Callable[[ChannelRef], bool] | None = None) -> int:
        """Pick up the quizzes that were running when the last process stopped; how many."""
        try:
            recoveries = await self.desk.quizzes.recover(platform="discord", owns=owns)
        except Exception:
            log.exception("could not recover the running quizzes")
            return 0
        for found in recoveries:
            async with self._lock(found.ref):
                if found.action is RecoveryAction.RESUMED and found.round is not None:
                    self._arm(found.ref, found.round)
                    view = found.round
                    left = max(1, round(view.seconds_left(self.desk.store.now())))
                    await self._post(
                        found.ref,
                        "I restarted; the quiz goes on.\n"
                        f"Question {view.number} of {view.total}: {view.prompt}\n"
                        f"{left} seconds left; the first correct answer scores.",
                    )
                elif found.action is RecoveryAction.ADVANCED and found.closed is not None:
                    await self._announce(found.ref, found.closed)
                elif found.summary is not None:
                    await self._post(found.ref, _named(found.summary).text())
        if recoveries:
            log.info("recovered %d running quiz(zes)", len(recoveries))
        return len(recoveries)


def shard_owner(settings: DiscordSettings) -> Callable[[ChannelRef], bool] | None:
    """Which quizzes this process recovers when the servers are split over processes: a server
    belongs to shard (server id >> 22) % shard count, Discord's own rule."""
    ids, count = settings.shard_ids, settings.shard_count
    if not settings.sharded or ids is None or not count:
        return None
    mine = frozenset(ids)

    def owns(ref: ChannelRef) -> bool:
        guild = int(ref.workspace_id) if ref.workspace_id.isdigit() else 0
        return (guild >> 22) % count in mine

    return owns
