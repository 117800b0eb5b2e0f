"""The study sub-commands of the slash command: channel settings, reload, stats, gaps, quizzes.

`parse_study_command` recognises them only in their exact shapes (`stats 7`, not "stats on
trade"), so a question that happens to start with one of these words is still answered as a
question. Moderator commands are checked against `UserDirectory.is_moderator` before anything
is read or changed; everyone else gets a private refusal.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.adapters.slack.blocks import notice
from bot.adapters.slack.desk import DeskThread
from bot.adapters.slack.outlets import Outlet
from bot.adapters.slack.people import UserDirectory
from bot.adapters.slack.quizzes import QuizRunner, QuizUsage
from bot.core.store import ChannelRef
from bot.core.study import SETTING_NAMES, SettingError

log = logging.getLogger("bot.adapters.slack")

MODERATED = frozenset({"settings", "set", "reload", "stats", "gaps"})
DEFAULT_STATS_DAYS = 7
MAX_STATS_DAYS = 3650
GAPS_SHOWN = 10
_DAYS = re.compile(r"^([0-9]{1,4})d?$")

NOT_A_MODERATOR = (
    "Only moderators can use `{command} {verb}`: workspace admins and owners, and the people "
    "the bot's operator has named. Nothing was changed."
)
SETTINGS_IN_CHANNEL = (
    "Channel settings belong to a channel: use `{command} settings` in the channel you want to "
    "see or change."
)
FAILED = "Something went wrong on my side, so nothing was done. Please try again in a moment."


@dataclass(frozen=True)
class StudyCommand:
    verb: str  # settings, set, reload, stats, gaps or quiz
    args: tuple[str, ...] = ()


def parse_study_command(text: str) -> StudyCommand | None:
    """The sub-command `text` spells, or None when it reads as a question."""
    words = text.split()
    if not words:
        return None
    verb, rest = words[0].lower(), words[1:]
    if verb == "settings":
        if not rest:
            return StudyCommand("settings")
        if rest[0].lower() == "set":
            return StudyCommand("set", tuple(rest[1:]))
        return None
    if verb in ("reload", "gaps") and not rest:
        return StudyCommand(verb)
    if verb == "stats":
        shape = [w.lower() for w in rest]
        if shape and shape[-1] in ("day", "days"):
            shape.pop()
        if not shape or (len(shape) == 1 and (shape[0] == "all" or _DAYS.match(shape[0]))):
            return StudyCommand("stats", tuple(shape))
        return None
    if verb == "quiz":
        return StudyCommand("quiz", tuple(rest))
    return None


class StudyCommands:
    def __init__(
        self, desk: DeskThread, people: UserDirectory, quizzes: QuizRunner, command: str
    ) -> None:
        self._desk = desk
        self._people = people
        self._quizzes = quizzes
        self._command = command

    def handle(
        self, cmd: StudyCommand, ref: ChannelRef, user_id: str, outlet: Outlet, *, direct: bool
    ) -> None:
        try:
            self._handle(cmd, ref, user_id, outlet, direct=direct)
        except Exception:
            # Whatever broke (the database, most likely), the user hears back and nothing
            # half-done is reported as done.
            log.exception("the %s command failed", cmd.verb)
            outlet.private(notice(FAILED))

    def _handle(
        self, cmd: StudyCommand, ref: ChannelRef, user_id: str, outlet: Outlet, *, direct: bool
    ) -> None:
        if cmd.verb in MODERATED and not self._people.is_moderator(user_id):
            shown = "settings" if cmd.verb == "set" else cmd.verb
            outlet.private(notice(NOT_A_MODERATOR.format(command=self._command, verb=shown)))
            return
        desk = self._desk.desk
        if cmd.verb in ("settings", "set") and direct:
            outlet.private(notice(SETTINGS_IN_CHANNEL.format(command=self._command)))
        elif cmd.verb == "settings":
            outlet.private(notice(self._desk.run(desk.settings_text(ref))))
        elif cmd.verb == "set":
            self._set(cmd.args, ref, user_id, outlet)
        elif cmd.verb == "reload":
            ok, text = desk.reload()
            log.info("knowledge reload asked for in Slack: %s", "ok" if ok else "kept the old")
            outlet.private(notice(text))
        elif cmd.verb == "stats":
            days = _days(cmd.args)
            text = self._desk.run(desk.stats_text("slack", ref.workspace_id, days))
            outlet.private(notice(text))
        elif cmd.verb == "gaps":
            text = self._desk.run(desk.gaps_text("slack", ref.workspace_id, GAPS_SHOWN))
            outlet.private(notice(text))
        else:
            self._quiz(cmd.args, ref, user_id, outlet, direct=direct)

    def _set(self, args: tuple[str, ...], ref: ChannelRef, user_id: str, outlet: Outlet) -> None:
        if len(args) < 2:
            names = " | ".join(SETTING_NAMES)
            outlet.private(
                notice(f"Usage: `{self._command} settings set <{names}> <value>`, e.g. answers off")
            )
            return
        name, value = args[0].lower(), " ".join(args[1:])
        try:
            text = self._desk.run(self._desk.desk.change_setting(ref, name, value))
        except SettingError as exc:
            outlet.private(notice(str(exc)))
            return
        log.info("channel setting %s changed in Slack channel %s", name, ref.channel_id)
        outlet.private(notice(text))

    def _quiz(
        self, args: tuple[str, ...], ref: ChannelRef, user_id: str, outlet: Outlet, *, direct: bool
    ) -> None:
        action = args[0].lower() if args else ""
        if action == "start":
            self._quizzes.start(ref, user_id, list(args[1:]), outlet, direct=direct)
        elif direct and action in ("stop", "leaderboard"):
            outlet.private(notice(QuizUsage(self._command).text()))
        elif action == "stop" and len(args) == 1:
            self._quizzes.stop(ref, user_id, outlet)
        elif action in ("leaderboard", "scores") and len(args) == 1:
            self._quizzes.leaderboard(ref, outlet)
        else:
            outlet.private(notice(QuizUsage(self._command).text()))


def _days(args: tuple[str, ...]) -> int | None:
    if not args:
        return DEFAULT_STATS_DAYS
    if args[0] == "all":
        return None
    match = _DAYS.match(args[0])
    return max(1, min(int(match.group(1)), MAX_STATS_DAYS)) if match else DEFAULT_STATS_DAYS
