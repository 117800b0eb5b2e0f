"""Small pieces every Discord handler shares: answering an interaction, naming the channel whose
settings apply, and telling a moderator from everyone else."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import discord
from discord.utils import MISSING

from bot.adapters.discord.rendering import NO_MENTIONS, Body
from bot.core.store import ChannelRef

PLATFORM = "discord"


def channel_ref(guild_id: int | None, channel_id: int | None) -> ChannelRef:
    """A channel as the store knows it; direct messages have no server, stored as ""."""
    return ChannelRef(PLATFORM, "" if guild_id is None else str(guild_id), str(channel_id or ""))


def settings_ref(guild_id: int | None, channel_id: int | None, channel: Any) -> ChannelRef:
    """The channel whose moderator settings apply: a thread follows its parent channel, so a
    channel a moderator turned off cannot be answered in through its threads."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return channel_ref(guild_id, channel.parent_id)
    return channel_ref(guild_id, channel_id)


def is_moderator(interaction: discord.Interaction, role_ids: Collection[int]) -> bool:
    """Manage Server (administrators have it too) in this server, or a configured role."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    roles = getattr(interaction.user, "roles", ())
    return any(role.id in role_ids for role in roles)


async def respond(
    interaction: discord.Interaction,
    body: Body,
    view: discord.ui.View | None = None,
    *,
    ephemeral: bool = False,
) -> None:
    """Answer an interaction, or follow up when it was answered (or deferred) already."""
    if interaction.response.is_done():
        await interaction.followup.send(
            content=body.content or MISSING,
            embeds=body.embeds,
            view=view if view is not None else MISSING,
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )
        return
    await interaction.response.send_message(
        content=body.content,
        embeds=body.embeds,
        view=view if view is not None else MISSING,
        ephemeral=ephemeral,
        allowed_mentions=NO_MENTIONS,
    )
