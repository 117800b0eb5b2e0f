"""/studybot: the moderators' commands (settings, set, reload, stats, gaps).

Moderators are members with Manage Server (administrators included) or with one of the roles in
DISCORD_MODERATOR_ROLE_IDS. The commands are visible to everyone, so a configured role works
without server admins editing command permissions; the check is here, and anyone else gets a
private refusal with nothing changed. Every reply is ephemeral: it is the moderator's business.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.adapters.discord.messaging import channel_ref, is_moderator, respond, settings_ref
from bot.adapters.discord.rendering import render_notice
from bot.adapters.discord.settings import DiscordSettings
from bot.core.store import ChannelRef
from bot.core.study import SettingError, StudyDesk

log = logging.getLogger(__name__)

REFUSAL = (
    "Only moderators can use /studybot: members with the Manage Server permission or a "
    "moderator role. Nothing was changed."
)
SERVER_ONLY = "The moderator commands work in server channels, not in direct messages."
VALUE_HINTS = {
    "answers": ("on", "off"),
    "quizzes": ("on", "off"),
    "visibility": ("public", "private"),
    "cooldown": ("default", "0", "5", "10", "30", "60"),
}


class Moderation:
    def __init__(self, desk: StudyDesk, settings: DiscordSettings) -> None:
        self.desk = desk
        self.settings = settings
        self.style = settings.reply_style

    async def _tell(self, interaction: discord.Interaction, text: str, title: str | None) -> None:
        await respond(interaction, render_notice(text, self.style, title=title), ephemeral=True)

    async def _admit(self, interaction: discord.Interaction) -> ChannelRef | None:
        """The channel whose settings the command is about, if the user is a moderator."""
        if interaction.guild_id is None:
            await self._tell(interaction, SERVER_ONLY, None)
            return None
        if not is_moderator(interaction, self.settings.moderator_role_ids):
            await self._tell(interaction, REFUSAL, None)
            return None
        return settings_ref(interaction.guild_id, interaction.channel_id, interaction.channel)

    async def show_settings(self, interaction: discord.Interaction) -> None:
        ref = await self._admit(interaction)
        if ref is not None:
            await self._tell(interaction, await self.desk.settings_text(ref), "Channel settings")

    async def change(self, interaction: discord.Interaction, name: str, value: str) -> None:
        ref = await self._admit(interaction)
        if ref is None:
            return
        try:
            confirmation = await self.desk.change_setting(ref, name, value)
        except SettingError as exc:
            await self._tell(interaction, str(exc), None)
            return
        # Who changed what, for the server's own audit: no message content is involved.
        log.info(
            "channel setting changed guild=%s channel=%s %s=%s by=%s",
            ref.workspace_id,
            ref.channel_id,
            name,
            value,
            interaction.user.id,
        )
        await self._tell(interaction, confirmation, None)

    def value_choices(self, name: str | None, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        hints = VALUE_HINTS.get((name or "").lower(), ())
        return [app_commands.Choice(name=v, value=v) for v in hints if v.startswith(typed)]

    async def reload(self, interaction: discord.Interaction) -> None:
        if await self._admit(interaction) is None:
            return
        # Loading and indexing a pack can outlast the 3 s Discord gives an interaction.
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok, message = await asyncio.to_thread(self.desk.reload)
        log.info("knowledge reload from Discord guild=%s ok=%s", interaction.guild_id, ok)
        await self._tell(interaction, message, "Knowledge reloaded" if ok else "Reload failed")

    async def stats(self, interaction: discord.Interaction, days: int) -> None:
        if await self._admit(interaction) is None:
            return
        guild = channel_ref(interaction.guild_id, interaction.channel_id).workspace_id
        text = await self.desk.stats_text("discord", guild, days or None)
        await self._tell(interaction, text, "Study bot statistics")

    async def gaps(self, interaction: discord.Interaction) -> None:
        if await self._admit(interaction) is None:
            return
        guild = channel_ref(interaction.guild_id, interaction.channel_id).workspace_id
        text = await self.desk.gaps_text("discord", guild, limit=10)
        footer = "\nCurators: `python -m bot kb gaps --yaml` drafts entries for these."
        await self._tell(interaction, text + footer, "Questions I could not answer well")
