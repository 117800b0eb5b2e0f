"""What the bot does for each Discord event: gate it, ask the core, render, send.

The client and the command tree only route events here, so every user-visible behaviour of the
adapter is in this one class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.utils import MISSING

from bot.adapters.discord.messaging import respond, settings_ref
from bot.adapters.discord.rendering import (
    CHOICE_LIMIT,
    MAX_CHOICES,
    NO_MENTIONS,
    Body,
    clip,
    render_notice,
    render_reply,
)
from bot.adapters.discord.settings import DiscordSettings
from bot.adapters.discord.views import MAX_PICKS, reply_view, suggestions_view
from bot.core.cooldown import Cooldown, Verdict, cooldown_notice
from bot.core.feedback import Feedback, FeedbackSink
from bot.core.replies import Reply, Suggestion
from bot.core.service import StudyService
from bot.core.store import (
    ChannelRef,
    ChannelSettings,
    StoreFeedbackSink,
    Visibility,
    VoteChange,
    VoteResult,
)
from bot.ops.lifecycle import InFlight

if TYPE_CHECKING:
    from bot.adapters.discord.quizzes import QuizRunner
    from bot.core.study import StudyDesk

log = logging.getLogger(__name__)

NOT_HERE = "I don't answer in this channel. Ask me in one of the study channels, or in a DM."
NOT_YOURS = "Only the person who asked, or a moderator, can delete this answer."
RESTARTING = "I'm restarting right now; please ask again in a minute."
NOTHING_CLOSER = (
    "I have nothing closer to that question. Try rephrasing it, or type /topics to see "
    "what I can answer."
)
ANSWERS_OFF = "Answers are off here: a moderator turned them off in this channel."
PRIVATE_HERE = (
    "Answers in this channel are private: ask with /ask and only you will see the answer."
)


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass(frozen=True)
class Place:
    """Where an event happened, as the moderator settings see it."""

    ref: ChannelRef
    settings: ChannelSettings

    @property
    def private(self) -> bool:
        return self.settings.visibility is Visibility.PRIVATE


def strip_mentions_of(user_id: int, text: str) -> str:
    return re.sub(rf"<@!?{user_id}>", " ", text).strip()


class Responder:
    def __init__(
        self,
        client: discord.Client,
        service: StudyService,
        settings: DiscordSettings,
        feedback: FeedbackSink,
        inflight: InFlight | None = None,
        *,
        desk: StudyDesk | None = None,
        quizzes: QuizRunner | None = None,
    ) -> None:
        self.client = client
        self.service = service
        self.settings = settings
        self.style = settings.reply_style
        self.feedback = feedback
        # Without a desk (no database) every channel has the default settings and nothing is
        # counted; the bot still answers.
        self.desk = desk
        self.quizzes = quizzes
        self.cooldown = Cooldown(settings.common.cooldown_rate, settings.common.cooldown_seconds)
        # Moderators set a cooldown per channel; one window per length keeps each user's count
        # under the cooldown that channel asked for.
        self._cooldowns: dict[float, Cooldown] = {settings.common.cooldown_seconds: self.cooldown}
        self._allowed_channels = frozenset(settings.common.allowed_channels)
        self._turns: dict[int, _Turn] = {}
        # Questions being answered: on shutdown new ones are refused and these are finished.
        self.inflight = inflight or InFlight()

    # -- gates ------------------------------------------------------------------------------

    def channel_allowed(self, guild_id: int | None, channel_id: int | None, channel: Any) -> bool:
        """DMs are always allowed; in a server, the channel or a thread's parent must be listed."""
        if not self._allowed_channels or guild_id is None:
            return True
        ids = {channel_id, getattr(channel, "parent_id", None)}
        return any(str(i) in self._allowed_channels for i in ids if i is not None)

    async def place(self, guild_id: int | None, channel_id: int | None, channel: Any) -> Place:
        ref = settings_ref(guild_id, channel_id, channel)
        if self.desk is None or guild_id is None:
            # Nobody moderates a direct message: it always has the defaults.
            return Place(ref, ChannelSettings())
        try:
            return Place(ref, await self.desk.channel_settings(ref))
        except Exception:
            # A database outage must not silence the bot: answer with the defaults meanwhile.
            log.exception("could not read the settings of channel %s; using the defaults", ref)
            return Place(ref, ChannelSettings())

    @contextlib.asynccontextmanager
    async def _in_turn(self, user_id: int) -> AsyncIterator[None]:
        """One user's events through the gate in the order they arrived.

        Reading the channel's settings awaits the database, and without this a user's second
        question could pass the cooldown before the first; asyncio locks wake in FIFO order.
        """
        turn = self._turns.get(user_id)
        if turn is None:
            turn = self._turns[user_id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[user_id]

    def cooldown_for(self, settings: ChannelSettings) -> Cooldown:
        seconds = (
            self.desk.cooldown_for(settings)
            if self.desk is not None
            else self.settings.common.cooldown_seconds
        )
        cooldown = self._cooldowns.get(seconds)
        if cooldown is None:
            cooldown = Cooldown(self.settings.common.cooldown_rate, seconds)
            self._cooldowns[seconds] = cooldown
        return cooldown

    def _notice(self, cooldown: Cooldown, key: str) -> Body:
        return render_notice(cooldown_notice(cooldown.retry_after(key)), self.style)

    async def _gate(self, interaction: discord.Interaction, bucket: str) -> Place | None:
        """The channel's place if this interaction may be served; else the user is told why."""
        if not self.channel_allowed(
            interaction.guild_id, interaction.channel_id, interaction.channel
        ):
            await self._respond(interaction, render_notice(NOT_HERE, self.style), ephemeral=True)
            return None
        key = f"{bucket}:{interaction.user.id}"
        async with self._in_turn(interaction.user.id):
            place = await self.place(
                interaction.guild_id, interaction.channel_id, interaction.channel
            )
            cooldown = self.cooldown_for(place.settings)
            verdict = cooldown.check(key) if place.settings.answers_on else None
        if verdict is None:
            body = render_notice(ANSWERS_OFF, self.style)
            await self._respond(interaction, body, ephemeral=True)
            return None
        # Ephemeral notices disturb nobody else, so an interaction is always told why, unlike
        # a flood of mentions, which gets one notice and then silence.
        if verdict is not Verdict.ALLOW:
            await self._respond(interaction, self._notice(cooldown, key), ephemeral=True)
            return None
        return place

    async def _record(self, ref: ChannelRef, reply: Reply) -> None:
        """Count the question and log a miss; after replying, so the asker never waits on it."""
        if self.desk is None:
            return
        try:
            await self.desk.record_question(ref, reply)
        except Exception:
            log.exception("could not record a question for the stats and the gap log")

    async def _withhold_quiz_answer(self, ref: ChannelRef, reply: Reply) -> Reply:
        if self.desk is None:
            return reply
        try:
            return await self.desk.withhold_quiz_answer(ref, reply)
        except Exception:
            log.exception("could not check the channel's quiz round")
            return reply

    # -- mentions and DMs -------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        with self.inflight.track() as admitted:
            if admitted:
                await self._on_message(message)

    async def _on_message(self, message: discord.Message) -> None:
        me = self.client.user
        if me is None or message.author.bot:
            return
        in_dm = message.guild is None
        if not in_dm and not any(user.id == me.id for user in message.mentions):
            # Not a question for the bot, but perhaps an answer to a quiz running here.
            if self.quizzes is not None:
                await self.quizzes.on_message(message)
            return
        guild_id = message.guild.id if message.guild else None
        if not self.channel_allowed(guild_id, message.channel.id, message.channel):
            return
        key = f"ask:{message.author.id}"
        async with self._in_turn(message.author.id):
            place = await self.place(guild_id, message.channel.id, message.channel)
            if not place.settings.answers_on:
                return  # a moderator asked for silence here: not even a notice
            cooldown = self.cooldown_for(place.settings)
            verdict = cooldown.check(key)
        if verdict is Verdict.SILENT:
            return
        if verdict is Verdict.NOTICE:
            await self._reply_to(message, self._notice(cooldown, key))
            return
        if place.private:
            # A message cannot be answered privately; /ask can, so point there.
            await self._reply_to(message, render_notice(PRIVATE_HERE, self.style))
            return
        reply = self.service.ask(strip_mentions_of(me.id, message.content), platform="discord")
        reply = await self._withhold_quiz_answer(place.ref, reply)
        self._log_reply("mention", reply)
        await self._reply_to(
            message, render_reply(reply, self.style), reply_view(reply, message.author.id)
        )
        await self._record(place.ref, reply)

    async def _reply_to(
        self, message: discord.Message, body: Body, view: discord.ui.View | None = None
    ) -> None:
        try:
            await message.channel.send(
                content=body.content,
                embeds=body.embeds,
                view=view if view is not None else MISSING,
                # The question may be deleted while we answer; post the answer anyway.
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
            )
        except discord.Forbidden:
            log.warning(
                "cannot reply in channel %s: missing Send Messages, Embed Links or "
                "Read Message History permission",
                message.channel.id,
            )

    # -- slash commands ---------------------------------------------------------------------

    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        with self.inflight.track() as admitted:
            if not admitted:
                await self._respond(
                    interaction, render_notice(RESTARTING, self.style), ephemeral=True
                )
                return
            await self._ask(interaction, question)

    async def _ask(self, interaction: discord.Interaction, question: str) -> None:
        place = await self._gate(interaction, "ask")
        if place is None:
            return
        reply = self.service.ask(question, platform="discord")
        reply = await self._withhold_quiz_answer(place.ref, reply)
        self._log_reply("slash", reply)
        await self._respond(
            interaction,
            render_reply(reply, self.style),
            reply_view(reply, interaction.user.id, deletable=not place.private),
            ephemeral=place.private,
        )
        await self._record(place.ref, reply)

    def autocomplete(self, current: str) -> list[app_commands.Choice[str]]:
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()
        for suggestion in self.service.autocomplete(current, MAX_CHOICES):
            name = clip(suggestion.question, CHOICE_LIMIT)
            if name not in seen:
                seen.add(name)
                choices.append(app_commands.Choice(name=name, value=name))
        return choices[:MAX_CHOICES]

    async def topics(self, interaction: discord.Interaction) -> None:
        place = await self._gate(interaction, "browse")
        if place is not None:
            body = render_notice(self.service.topics_text(), self.style)
            await self._respond(interaction, body, ephemeral=place.private)

    async def source(self, interaction: discord.Interaction, paragraph: int) -> None:
        place = await self._gate(interaction, "browse")
        if place is None:
            return
        reply = self.service.paragraph(paragraph)
        await self._respond(
            interaction,
            render_reply(reply, self.style),
            reply_view(reply, interaction.user.id, deletable=not place.private),
            ephemeral=place.private,
        )

    async def help(self, interaction: discord.Interaction) -> None:
        body = render_notice(self.service.help_text(), self.style)
        await self._respond(interaction, body, ephemeral=True)

    # -- buttons ----------------------------------------------------------------------------

    async def pick(self, interaction: discord.Interaction, entry_id: str) -> None:
        with self.inflight.track() as admitted:
            if not admitted:
                await self._respond(
                    interaction, render_notice(RESTARTING, self.style), ephemeral=True
                )
                return
            await self._pick(interaction, entry_id)

    async def _pick(self, interaction: discord.Interaction, entry_id: str) -> None:
        # Not counted as a question: the question behind it was, when it was asked.
        place = await self._gate(interaction, "pick")
        if place is None:
            return
        reply = self.service.answer_entry(entry_id)
        self._log_reply("pick", reply)
        await self._respond(
            interaction,
            render_reply(reply, self.style),
            reply_view(reply, interaction.user.id, deletable=not place.private),
            ephemeral=place.private,
        )

    async def more(self, interaction: discord.Interaction, entry_id: str) -> None:
        suggestions = self._alternatives(self._question_behind(interaction.message), entry_id)
        if not suggestions:
            body = render_notice(NOTHING_CLOSER, self.style)
            await self._respond(interaction, body, ephemeral=True)
            return
        body = render_notice("Did you mean one of these?", self.style)
        await self._respond(interaction, body, suggestions_view(suggestions), ephemeral=True)

    async def vote(self, interaction: discord.Interaction, entry_id: str, helpful: bool) -> None:
        feedback = Feedback(
            platform="discord",
            entry_id=entry_id,
            helpful=helpful,
            user_id=str(interaction.user.id),
            channel_id=_str_or_none(interaction.channel_id),
            workspace_id=_str_or_none(interaction.guild_id),
            message_id=_str_or_none(interaction.message.id if interaction.message else None),
            # The asker's words, when the answer replies to them, go to the gap log on a 👎.
            question=self._question_behind(interaction.message) or None,
        )
        try:
            if isinstance(self.feedback, StoreFeedbackSink):
                text = _vote_text(await self.feedback.arecord(feedback))
            else:
                self.feedback.record(feedback)
                text = "Thanks for the feedback!"
        except Exception:
            log.exception("could not record feedback for entry %s", entry_id)
            text = "Sorry, I couldn't save that just now."
        await self._respond(interaction, render_notice(text, self.style), ephemeral=True)

    async def delete(self, interaction: discord.Interaction, asker_id: int) -> None:
        if interaction.user.id != asker_id and not interaction.permissions.manage_messages:
            await self._respond(interaction, render_notice(NOT_YOURS, self.style), ephemeral=True)
            return
        await interaction.response.defer()
        if interaction.message is None:
            return
        # NotFound: someone else deleted it first, which is what was wanted anyway.
        with contextlib.suppress(discord.NotFound):
            await interaction.message.delete()

    # -- helpers ----------------------------------------------------------------------------

    def _alternatives(self, question: str, answered: str) -> list[Suggestion]:
        """Other entries close to the user's words, then the answered entry's topic-mates."""
        entry = self.service.kb.entry(answered)
        text = question or (entry.question if entry else "")
        picked: dict[str, Suggestion] = {}
        for found in self.service.autocomplete(text) if text else []:
            if found.entry_id != answered and found.score > 0:
                picked.setdefault(found.entry_id, found)
        if entry is not None:
            for mate in self.service.kb.topics().get(entry.topic, []):
                if mate.id != answered:
                    picked.setdefault(mate.id, Suggestion(mate.id, mate.question, 0.0))
        return list(picked.values())[:MAX_PICKS]

    def _question_behind(self, message: discord.Message | None) -> str:
        """The user's own words, when the reply answers a message (mentions and DMs)."""
        reference = message.reference if message else None
        original = reference.resolved if reference else None
        if not isinstance(original, discord.Message):
            return ""
        me = self.client.user
        return strip_mentions_of(me.id, original.content) if me else original.content

    async def _respond(
        self,
        interaction: discord.Interaction,
        body: Body,
        view: discord.ui.View | None = None,
        *,
        ephemeral: bool = False,
    ) -> None:
        await respond(interaction, body, view, ephemeral=ephemeral)

    @staticmethod
    def _log_reply(route: str, reply: Reply) -> None:
        # Status and entry only: questions are users' words and stay out of the logs.
        log.debug("%s reply status=%s entry=%s", route, reply.status, reply.entry_id)


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


def _vote_text(result: VoteResult) -> str:
    thumb = "👍" if result.helpful else "👎"
    if result.change is VoteChange.CHANGED:
        return f"Thanks: your vote on this answer is now {thumb}."
    if result.change is VoteChange.UNCHANGED:
        return f"You already voted {thumb} on this answer; thanks!"
    return "Thanks for the feedback!"
