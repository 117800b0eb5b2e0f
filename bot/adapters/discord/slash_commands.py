"""The application commands: /ask (with autocomplete), /topics, /source, /help.

No `from __future__ import annotations` here: /source's range comes from the loaded pack, and
discord.py reads parameter annotations as objects, which only works if they are evaluated where
the command is defined, with the range in scope.
"""

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.responder import Responder

COMMAND_NAMES = ("ask", "topics", "source", "help")


def register_commands(
    tree: app_commands.CommandTree[Any],
    responder: Responder,
    first_paragraph: int,
    last_paragraph: int,
) -> None:
    @tree.command(name="ask", description="Ask a question about the commentary")
    @app_commands.describe(question="Your question, in your own words")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await responder.ask(interaction, question)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return responder.autocomplete(current)

    @tree.command(name="topics", description="The topics I can answer, with sample questions")
    async def topics(interaction: discord.Interaction) -> None:
        await responder.topics(interaction)

    @tree.command(name="source", description="What one paragraph of the commentary says")
    @app_commands.describe(
        paragraph=f"Paragraph number, {first_paragraph} (front matter) to {last_paragraph}"
    )
    async def source(
        interaction: discord.Interaction,
        paragraph: app_commands.Range[int, first_paragraph, last_paragraph],
    ) -> None:
        await responder.source(interaction, paragraph)

    @tree.command(name="help", description="What I do and how to ask")
    async def help_(interaction: discord.Interaction) -> None:
        await responder.help(interaction)
