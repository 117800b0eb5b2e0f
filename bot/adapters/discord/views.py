"""The buttons under a reply, as persistent dynamic items.

Each button's custom_id carries everything its click needs (the entry id, or the asker's id), and
the items are registered with `Client.add_dynamic_items`, so a click on a reply posted before a
restart still works: nothing is looked up in memory that a restart would have lost.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self, cast

import discord

from bot.adapters.discord.rendering import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT, clip
from bot.core.replies import Kind, Reply, Suggestion

if TYPE_CHECKING:
    from bot.adapters.discord.client import StudyBot
    from bot.adapters.discord.responder import Responder

MAX_PICKS = 3

Button = discord.ui.Button[discord.ui.View]


def _responder(interaction: discord.Interaction) -> Responder:
    # These items are only ever registered by StudyBot.setup_hook, so the client is a StudyBot.
    return cast("StudyBot", interaction.client).responder


def _label(item: discord.ui.Item[Any], fallback: str) -> str:
    label = getattr(item, "label", None)
    return label if isinstance(label, str) and label else fallback


class PickButton(discord.ui.DynamicItem[Button], template=r"study:pick:(?P<entry_id>.+)"):
    """One "Did you mean" choice: a click answers that entry."""

    def __init__(self, entry_id: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label.strip() or entry_id, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.primary,
                custom_id=f"study:pick:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["entry_id"], _label(item, match["entry_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _responder(interaction).pick(interaction, self.entry_id)


class MoreButton(discord.ui.DynamicItem[Button], template=r"study:more:(?P<entry_id>.+)"):
    """ "Not what I meant": the other entries closest to the question."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Not what I meant",
                style=discord.ButtonStyle.secondary,
                custom_id=f"study:more:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["entry_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _responder(interaction).more(interaction, self.entry_id)


class VoteButton(
    discord.ui.DynamicItem[Button], template=r"study:vote:(?P<vote>up|down):(?P<entry_id>.+)"
):
    def __init__(self, entry_id: str, helpful: bool) -> None:
        vote = "up" if helpful else "down"
        super().__init__(
            discord.ui.Button(
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"study:vote:{vote}:{entry_id}",
            )
        )
        self.entry_id = entry_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["entry_id"], match["vote"] == "up")

    async def callback(self, interaction: discord.Interaction) -> None:
        await _responder(interaction).vote(interaction, self.entry_id, self.helpful)


class DeleteButton(discord.ui.DynamicItem[Button], template=r"study:del:(?P<asker_id>[0-9]+)"):
    """🗑: the asker (or a moderator) removes the reply."""

    def __init__(self, asker_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="🗑️",
                style=discord.ButtonStyle.secondary,
                custom_id=f"study:del:{asker_id}",
            )
        )
        self.asker_id = asker_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["asker_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _responder(interaction).delete(interaction, self.asker_id)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    PickButton,
    MoreButton,
    VoteButton,
    DeleteButton,
)


def _fits(prefix: str, entry_id: str) -> bool:
    return len(prefix) + len(entry_id) <= CUSTOM_ID_LIMIT


def pick_buttons(suggestions: tuple[Suggestion, ...] | list[Suggestion]) -> list[PickButton]:
    """Up to three choices; an entry id too long for a custom_id is left out, not truncated,
    because a truncated id would answer the wrong entry or none."""
    picks = [s for s in suggestions if _fits("study:pick:", s.entry_id)]
    return [PickButton(s.entry_id, s.question) for s in picks[:MAX_PICKS]]


def reply_view(reply: Reply, asker_id: int, *, deletable: bool = True) -> discord.ui.View:
    """The buttons under a reply; an ephemeral reply gets no 🗑, having nobody to bother."""
    view = discord.ui.View(timeout=None)
    entry_id = reply.entry_id
    if reply.kind is Kind.ANSWER and entry_id and _fits("study:vote:down:", entry_id):
        view.add_item(MoreButton(entry_id))
        view.add_item(VoteButton(entry_id, helpful=True))
        view.add_item(VoteButton(entry_id, helpful=False))
    elif reply.suggestions:
        for button in pick_buttons(reply.suggestions):
            view.add_item(button)
    if deletable:
        view.add_item(DeleteButton(asker_id))
    return view


def suggestions_view(suggestions: list[Suggestion]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in pick_buttons(suggestions):
        view.add_item(button)
    return view
