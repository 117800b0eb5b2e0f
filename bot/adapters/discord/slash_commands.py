"""The application commands: /ask (with autocomplete), /topics, /source, /help, and with the
study desk open the /quiz and /studybot groups.

No `from __future__ import annotations` here: /source's range comes from the loaded pack, and
discord.py reads parameter annotations as objects, which only works if they are evaluated where
the command is defined, with the range in scope.
"""

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.moderation import Moderation
from bot.adapters.discord.quizzes import QuizRunner
from bot.adapters.discord.responder import Responder
from bot.core.quiz import DEFAULT_ROUNDS, MAX_ROUNDS
from bot.core.study import MAX_STATS_DAYS, SETTING_NAMES

COMMAND_NAMES = ("ask", "topics", "source", "help")
STUDY_COMMAND_NAMES = ("quiz", "studybot")


def register_commands(
    tree: app_commands.CommandTree[Any],
    responder: Responder,
    first_paragraph: int,
    last_paragraph: int,
    *,
    quizzes: QuizRunner | None = None,
    moderation: Moderation | None = None,
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

    if quizzes is not None:
        tree.add_command(quiz_group(quizzes))
    if moderation is not None:
        tree.add_command(studybot_group(moderation))


def quiz_group(runner: QuizRunner) -> app_commands.Group:
    quiz = app_commands.Group(
        name="quiz", description="Quizzes on the commentary, in this channel", guild_only=True
    )

    @quiz.command(name="start", description="Start a quiz in this channel")
    @app_commands.describe(
        topic="Only questions on this topic (default: any)",
        rounds=f"How many questions, 1 to {MAX_ROUNDS} (default: {DEFAULT_ROUNDS})",
    )
    async def start(
        interaction: discord.Interaction,
        topic: str | None = None,
        rounds: app_commands.Range[int, 1, MAX_ROUNDS] = DEFAULT_ROUNDS,
    ) -> None:
        await runner.start(interaction, topic, rounds)

    @start.autocomplete("topic")
    async def start_topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return runner.topic_choices(current)

    @quiz.command(name="stop", description="Stop the quiz (whoever started it, or a moderator)")
    async def stop(interaction: discord.Interaction) -> None:
        await runner.stop(interaction)

    @quiz.command(
        name="leaderboard", description="Quiz scores: this channel and server, all time and week"
    )
    async def leaderboard(interaction: discord.Interaction) -> None:
        await runner.leaderboard(interaction)

    return quiz


def studybot_group(moderation: Moderation) -> app_commands.Group:
    studybot = app_commands.Group(
        name="studybot", description="Moderator tools for the study bot", guild_only=True
    )

    @studybot.command(name="settings", description="Show this channel's settings")
    async def settings(interaction: discord.Interaction) -> None:
        await moderation.show_settings(interaction)

    @studybot.command(name="set", description="Change one of this channel's settings")
    @app_commands.describe(
        name="answers, quizzes, visibility or cooldown",
        value="on/off (answers, quizzes), public/private (visibility), seconds or default",
    )
    @app_commands.choices(name=[app_commands.Choice(name=n, value=n) for n in SETTING_NAMES])
    async def set_(interaction: discord.Interaction, name: str, value: str) -> None:
        await moderation.change(interaction, name, value)

    @set_.autocomplete("value")
    async def set_values(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return moderation.value_choices(getattr(interaction.namespace, "name", None), current)

    @studybot.command(name="reload", description="Reload the knowledge from disk")
    async def reload(interaction: discord.Interaction) -> None:
        await moderation.reload(interaction)

    @studybot.command(name="stats", description="Questions, answers and feedback over a period")
    @app_commands.describe(days=f"The last N days, 1 to {MAX_STATS_DAYS}; 0 for all time")
    async def stats(
        interaction: discord.Interaction,
        days: app_commands.Range[int, 0, MAX_STATS_DAYS] = 7,
    ) -> None:
        await moderation.stats(interaction, days)

    @studybot.command(name="gaps", description="The questions I answered worst, most asked first")
    async def gaps(interaction: discord.Interaction) -> None:
        await moderation.gaps(interaction)

    return studybot
