"""The study-channel desk: one facade over the store, the quiz engine, the gap log and feedback.

Every chat adapter (Discord, Slack) opens one `StudyDesk` per process beside its `StudyService`
and goes through it for what moderated study channels need: per-channel settings, the question
log behind `stats`, the curators' gap report, knowledge reloads, votes and quizzes. What it
returns is plain text in platform-neutral wording; adapters only frame it (embeds, Block Kit).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.core.gaps import GapLog, gaps_report
from bot.core.gaps import gaps_text as render_gaps
from bot.core.knowledge import Problem
from bot.core.quiz import QuizEngine
from bot.core.replies import Kind, Reply, Status
from bot.core.service import StudyService
from bot.core.store import (
    ChannelRef,
    ChannelSettings,
    Store,
    StoreFeedbackSink,
    Visibility,
    database_url_from_env,
)
from bot.core.store.settings import MAX_COOLDOWN_SECONDS
from bot.ops.health import HEALTH, CheckResult

log = logging.getLogger(__name__)

SETTING_NAMES = ("answers", "quizzes", "visibility", "cooldown")
# Greetings and requests for help are not questions about the material, so stats leave them out.
NOT_QUESTIONS = (Kind.SMALL_TALK, Kind.HELP)
MAX_PROBLEMS_SHOWN = 10
QUIZ_SPOILER = (
    "Nice try! That is the question of the quiz round running here. Answer it in the channel, "
    "or ask me again once the round is over."
)
MAX_STATS_DAYS = 3650
HEALTH_TIMEOUT = 2.0  # the registry's own limit for a check

_ON = frozenset({"on", "yes", "true", "1", "enable", "enabled"})
_OFF = frozenset({"off", "no", "false", "0", "disable", "disabled"})
_VISIBILITY = {
    "public": Visibility.PUBLIC,
    "channel": Visibility.PUBLIC,
    "in_channel": Visibility.PUBLIC,
    "private": Visibility.PRIVATE,
    "ephemeral": Visibility.PRIVATE,
}
_ALIASES = {"answer": "answers", "quiz": "quizzes", "visible": "visibility"}
_SECONDS = re.compile(r"^(?P<n>[0-9]*\.?[0-9]+)\s*(?:s|sec|secs|second|seconds)?$")


class SettingError(ValueError):
    """A setting or value a moderator typed that cannot be used; `str(e)` says what can."""


class DatabaseUnavailable(RuntimeError):
    """`StudyDesk.open` could not open the database; the message names it, password hidden."""


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _shown(url: str) -> str:
    """A database URL fit for a log line: the password hidden, an unparsable one not shown."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(DATABASE_URL cannot be parsed)"


def problem_line(problem: Problem) -> str:
    """`file:line: reason`, the way a curator finds it in an editor."""
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    who = f" [{problem.entry_id}]" if problem.entry_id else ""
    return f"{where}:{who} {problem.message}"


class StudyDesk:
    """Open with `await StudyDesk.open(service)`; close with `await desk.close()` on shutdown."""

    def __init__(
        self,
        service: StudyService,
        store: Store,
        *,
        round_seconds: float = 30.0,
        default_cooldown: float = 5.0,
        gap_retention_days: float | None = None,
        owns_store: bool = False,
    ) -> None:
        self.service = service
        self.store = store
        # The store keeps whole seconds per round; a round shorter than one is no round at all.
        self.quizzes = QuizEngine(store, service, round_seconds=max(1, round(round_seconds)))
        # None: BOT_GAP_RETENTION_DAYS, read by the gap log itself (default 90 days).
        self.gaps = GapLog(store, gap_retention_days)
        self.feedback = StoreFeedbackSink(store)
        self.default_cooldown = default_cooldown
        self._owns_store = owns_store
        self._unregister: Callable[[], None] | None = None

    @classmethod
    async def open(
        cls,
        service: StudyService,
        *,
        store: Store | None = None,
        round_seconds: float = 30.0,
        default_cooldown: float = 5.0,
        gap_retention_days: float | None = None,
    ) -> StudyDesk:
        """The desk over `store`, or over `Store.open()` (DATABASE_URL, else a SQLite file in
        BOT_DATA_DIR), which the desk then also closes. Registers the `database` health check."""
        owns = store is None
        if store is not None:
            opened = store
        else:
            url = database_url_from_env()
            try:
                opened = await Store.open(url)
            except (OSError, SQLAlchemyError, ValueError) as exc:
                # Drivers raise plain OSError for a refused connection; say it is the database.
                raise DatabaseUnavailable(f"cannot open the database {_shown(url)}: {exc}") from exc
        try:
            desk = cls(
                service,
                opened,
                round_seconds=round_seconds,
                default_cooldown=default_cooldown,
                gap_retention_days=gap_retention_days,
                owns_store=owns,
            )
        except BaseException:
            if owns:
                await opened.close()
            raise
        desk._unregister = HEALTH.register("database", desk.health)
        try:
            purged = await desk.gaps.purge()
        except Exception:
            # Retention is housekeeping: a failure here must not keep the bot from starting.
            log.exception("could not purge the gap log")
        else:
            if purged:
                log.info("gap log: %d entries past their retention removed", purged)
        return desk

    async def close(self) -> None:
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        await self.feedback.drain()
        if self._owns_store:
            self._owns_store = False
            await self.store.close()

    def health(self) -> CheckResult:
        """One round trip to the database, for `/healthz`.

        Synchronous on purpose: the health endpoint runs on an event loop of its own, and the
        store's connections belong to the loop it was opened on, so the query is handed to that
        loop (the registry runs sync checks on a worker thread, never on a loop).
        """
        self.store.run_threadsafe(self._ping(), HEALTH_TIMEOUT)
        return CheckResult(True, {"dialect": self.store.dialect})

    async def _ping(self) -> None:
        async with self.store.read() as conn:
            await conn.execute(sa.select(1))

    # -- questions --------------------------------------------------------------------------

    async def record_question(self, ref: ChannelRef, reply: Reply) -> None:
        """Count the question for stats (where, when, how it ended: no words, no user), and log
        its words for curators when the knowledge did not answer it."""
        await self.store.questions.record(ref, reply.status, reply.kind, reply.entry_id)
        await self.gaps.log_reply(reply, ref)

    # -- channel settings -------------------------------------------------------------------

    async def withhold_quiz_answer(self, ref: ChannelRef, reply: Reply) -> Reply:
        """`reply`, unless it would give away the answer of the quiz round open in `ref`."""
        if reply.entry_id is None:
            return reply
        current = await self.quizzes.current(ref)
        if current is None or current.entry_id != reply.entry_id:
            return reply
        return Reply(Status.NO_MATCH, Kind.HELP, reply.question, message=QUIZ_SPOILER)

    async def channel_settings(self, ref: ChannelRef) -> ChannelSettings:
        return await self.store.settings.get(ref)

    def cooldown_for(self, settings: ChannelSettings) -> float:
        if settings.cooldown_seconds is None:
            return self.default_cooldown
        return settings.cooldown_seconds

    async def change_setting(self, ref: ChannelRef, name: str, value: str) -> str:
        """Apply one moderator setting; the confirmation to show, or SettingError."""
        key = " ".join(name.split()).lower()
        key = _ALIASES.get(key, key)
        raw = " ".join(value.split()).lower()
        if key in ("answers", "quizzes"):
            if raw in _ON:
                on = True
            elif raw in _OFF:
                on = False
            else:
                raise SettingError(f"{key} takes on or off, not '{value.strip()}'.")
            if key == "answers":
                await self.store.settings.update(ref, answers_on=on)
                if on:
                    return "Answers are on in this channel: I answer questions here."
                return "Answers are off in this channel: I stay silent when asked here."
            await self.store.settings.update(ref, quizzes_on=on)
            if on:
                return "Quizzes are on in this channel."
            return "Quizzes are off in this channel: a quiz can no longer be started here."
        if key == "visibility":
            visibility = _VISIBILITY.get(raw.replace("-", "_"))
            if visibility is None:
                raise SettingError(f"visibility takes public or private, not '{value.strip()}'.")
            await self.store.settings.update(ref, visibility=visibility)
            if visibility is Visibility.PRIVATE:
                return "Answers in this channel are now private: only the asker sees them."
            return "Answers in this channel are now public: everyone sees them."
        if key == "cooldown":
            if raw == "default":
                await self.store.settings.update(ref, cooldown_seconds=None)
                return (
                    "The cooldown in this channel is back to the default "
                    f"({_seconds(self.default_cooldown)} between questions per person)."
                )
            seconds = self._parse_cooldown(raw, value)
            await self.store.settings.update(ref, cooldown_seconds=seconds)
            if seconds == 0:
                return "No cooldown in this channel: people may ask as often as they like."
            return (
                f"The cooldown in this channel is now {_seconds(seconds)} between questions "
                "per person."
            )
        raise SettingError(
            f"There is no setting '{name.strip()}'. Settings: {', '.join(SETTING_NAMES)}."
        )

    @staticmethod
    def _parse_cooldown(raw: str, value: str) -> float:
        match = _SECONDS.match(raw)
        seconds = float(match["n"]) if match else math.nan
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_COOLDOWN_SECONDS:
            raise SettingError(
                f"cooldown takes a number of seconds from 0 to {MAX_COOLDOWN_SECONDS:.0f}, "
                f"or default, not '{value.strip()}'."
            )
        return seconds

    async def settings_text(self, ref: ChannelRef) -> str:
        settings = await self.channel_settings(ref)
        if settings.cooldown_seconds is None:
            default = _seconds(self.default_cooldown) if self.default_cooldown else "none"
            cooldown = f"default ({default})"
        elif settings.cooldown_seconds == 0:
            cooldown = "none"
        else:
            cooldown = _seconds(settings.cooldown_seconds)
        answers = "on" if settings.answers_on else "off (I stay silent here)"
        visibility = (
            "private (only the asker sees answers)"
            if settings.visibility is Visibility.PRIVATE
            else "public (answers are posted for everyone)"
        )
        return "\n".join(
            [
                "Settings for this channel:",
                f"• answers: {answers}",
                f"• quizzes: {'on' if settings.quizzes_on else 'off'}",
                f"• visibility: {visibility}",
                f"• cooldown: {cooldown}",
            ]
        )

    # -- reports ----------------------------------------------------------------------------

    async def stats_text(self, platform: str, workspace_id: str, days: int | None = 7) -> str:
        """Questions asked over the last `days` days (None: all time), how they ended, the most
        asked entries and the helpful rate of the votes cast in that time."""
        if days is not None and not 1 <= days <= MAX_STATS_DAYS:
            raise SettingError(f"The period is 1 to {MAX_STATS_DAYS} days, or all time.")
        since = self.store.now() - timedelta(days=days) if days is not None else None
        period = "all time" if days is None else f"the last {days} day{'s' if days != 1 else ''}"
        stats = await self.store.questions.stats(
            platform, workspace_id, since=since, exclude_kinds=NOT_QUESTIONS
        )
        votes = await self.store.votes.tally(
            since=since, platform=platform, workspace_id=workspace_id
        )
        lines = [f"Questions asked, {period}: {stats.total}"]
        if stats.total:
            lines.append(
                f"answered {stats.answered} ({_percent(stats.answered, stats.total)}), "
                f"ambiguous {stats.ambiguous} ({_percent(stats.ambiguous, stats.total)}), "
                f"no match {stats.no_match} ({_percent(stats.no_match, stats.total)})"
            )
        if stats.top_entries:
            lines.append("Most asked:")
            kb = self.service.kb
            for i, (entry_id, count) in enumerate(stats.top_entries, 1):
                entry = kb.entry(entry_id)
                label = entry.question if entry is not None else entry_id
                lines.append(f"{i}. {label} ×{count}")
        if votes.total:
            rate = votes.helpful_rate or 0.0
            lines.append(
                f"Feedback: {votes.helpful} 👍, {votes.unhelpful} 👎 "
                f"(helpful rate {round(100 * rate)}%)"
            )
        else:
            lines.append("Feedback: no votes yet.")
        return "\n".join(lines)

    async def gaps_text(self, platform: str, workspace_id: str, limit: int = 10) -> str:
        """The questions the knowledge answered worst in one community, most frequent first,
        for its moderators: another community's questions are not theirs to read."""
        groups = await gaps_report(
            self.store, limit=limit, platform=platform, workspace_id=workspace_id
        )
        return render_gaps(groups, limit)

    # -- knowledge --------------------------------------------------------------------------

    def reload(self) -> tuple[bool, str]:
        """Load the knowledge folder again (blocking: run it off the event loop). On a broken
        file the message says where and why, and the previous knowledge keeps being served."""
        result = self.service.reload()
        folder = self.service.knowledge_dir
        if result.ok:
            return True, f"Reloaded the knowledge from {folder.name}: {result.entries} entries."
        problems = [p for p in result.problems if p.severity == "error"] or list(result.problems)
        lines = [
            f"The knowledge in {folder.name} was not reloaded: "
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''}."
        ]
        lines.extend(problem_line(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        lines.append(
            f"I am still serving the previous knowledge ({result.entries} entries). "
            "Fix the file and reload again."
        )
        return False, "\n".join(lines)
