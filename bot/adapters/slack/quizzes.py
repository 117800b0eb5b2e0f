"""Quizzes in Slack channels: rounds posted in the channel, answers read from channel messages.

The core's quiz engine keeps every state change in the store; this module only speaks Slack. It
posts rounds and reveals with chat.postMessage (a round's timer has no response URL), grades
plain channel messages while a round is open, and arms one timer per round on the desk's loop.
Timers are keyed by quiz and round, and the engine closes a round once, so a timer that fires
after the round was won, or twice, posts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.blocks import Message, notice
from bot.adapters.slack.desk import DeskThread
from bot.adapters.slack.outlets import Outlet
from bot.adapters.slack.people import UserDirectory
from bot.core.quiz import AnswerKind, RecoveryAction, RoundResult, RoundView
from bot.core.store import ChannelRef

log = logging.getLogger("bot.adapters.slack")

PLATFORM = "slack"
RECOVER_TIMEOUT = 60.0
# Errors that mean the bot cannot write in the channel at all, which an invitation fixes.
_NOT_POSTABLE = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
)

NO_QUIZ_IN_DMS = (
    "Quizzes run in channels: start one in a study channel with `{command} quiz start`."
)
CANNOT_POST = (
    "I can't post in this channel, so the quiz was called off. Invite me first "
    "(`/invite @studybot`), then start it again."
)
POST_FAILED = "Slack would not take the quiz's first question just now, so the quiz was called off."
TOO_LATE = "Right answer, but someone got there first."
UNKNOWN_PLAYER = "Someone"
_ROUNDS = re.compile(r"^[0-9]{1,4}$")


@dataclass(frozen=True)
class QuizUsage:
    command: str

    def text(self) -> str:
        c = self.command
        return (
            f"`{c} quiz start [topic] [rounds]`: start a quiz here; answer by typing in the "
            f"channel, the first correct answer scores.\n"
            f"`{c} quiz stop`: stop it (whoever started it, or a moderator).\n"
            f"`{c} quiz leaderboard`: scores in this channel and the workspace."
        )


class QuizRunner:
    def __init__(
        self,
        desk: DeskThread,
        client: WebClient,
        people: UserDirectory,
        command: str,
    ) -> None:
        self._desk = desk
        self._client = client
        self._people = people
        self._command = command

    # -- commands ----------------------------------------------------------------------------

    def start(
        self, ref: ChannelRef, user_id: str, args: list[str], outlet: Outlet, *, direct: bool
    ) -> None:
        if direct:
            outlet.private(notice(NO_QUIZ_IN_DMS.format(command=self._command)))
            return
        topic, rounds = parse_start(args)
        quizzes = self._desk.desk.quizzes
        result = self._desk.run(quizzes.start(ref, user_id, topic=topic, rounds=rounds))
        if result.round is None:
            outlet.private(notice(result.message or "I couldn't start a quiz here."))
            return
        starter = self._people.name(user_id) or UNKNOWN_PLAYER
        lines = [
            f"{starter} started a quiz of {result.round.total} "
            f"round{'s' if result.round.total != 1 else ''}"
            + (f" on {topic}" if topic else "")
            + ". Type your answers in this channel; the first correct answer scores."
        ]
        if result.message:
            lines.append(result.message)
        lines += ["", result.round.text()]
        error = self._post(ref.channel_id, "\n".join(lines))
        if error is not None:
            # Nobody saw the question: a quiz left running would only block the next start.
            self._desk.run(quizzes.stop(ref, user_id, is_moderator=True))
            outlet.private(notice(CANNOT_POST if error in _NOT_POSTABLE else POST_FAILED))
            return
        self._arm(ref, result.round)

    def stop(self, ref: ChannelRef, user_id: str, outlet: Outlet) -> None:
        moderator = self._people.is_moderator(user_id)
        quizzes = self._desk.desk.quizzes
        result = self._desk.run(quizzes.stop(ref, user_id, is_moderator=moderator))
        if result.summary is None:
            outlet.private(notice(result.message or "No quiz is running here."))
            return
        parts = []
        if result.stopped_round is not None:
            parts.append(result.stopped_round.text())
        parts.append(result.summary.text())
        self._post(ref.channel_id, "\n\n".join(parts))

    def leaderboard(self, ref: ChannelRef, outlet: Outlet) -> None:
        boards = self._desk.run(self._desk.desk.quizzes.leaderboards(ref))
        outlet.private(notice("\n\n".join(board.text() for board in boards)))

    # -- answers -----------------------------------------------------------------------------

    def on_channel_message(self, ref: ChannelRef, user_id: str, text: str) -> None:
        """A plain message in a channel: graded when a round is open there, else ignored."""
        quizzes = self._desk.desk.quizzes
        # Most channel messages arrive with no quiz running; only then is the name looked up.
        if self._desk.run(quizzes.current(ref)) is None:
            return
        name = self._people.name(user_id)
        answer = self._desk.run(quizzes.answer(ref, user_id, text, user_name=name))
        if answer.kind is AnswerKind.CORRECT and answer.result is not None:
            self.post_result(ref, answer.result, winner_label=name)
        elif answer.kind is AnswerKind.EXPIRED and answer.result is not None:
            self.post_result(ref, answer.result)
        elif answer.kind is AnswerKind.TOO_LATE:
            self._post_private(ref.channel_id, user_id, TOO_LATE)

    # -- rounds ------------------------------------------------------------------------------

    def post_result(
        self, ref: ChannelRef, result: RoundResult, *, winner_label: str | None = None
    ) -> None:
        """A closed round's reveal (answer and citation), then the next round or the scores."""
        label = winner_label or self._people.name(result.winner_id) or UNKNOWN_PLAYER
        self._post(ref.channel_id, result.text(label))
        if result.next_round is not None:
            self._post(ref.channel_id, result.next_round.text())
            self._arm(ref, result.next_round)
        elif result.summary is not None:
            self._post(ref.channel_id, result.summary.text())

    def _arm(self, ref: ChannelRef, view: RoundView) -> None:
        left = view.seconds_left(self._desk.desk.store.now())
        self._desk.arm(
            (view.quiz_id, view.number), left, lambda: self._expire(ref, view.quiz_id, view.number)
        )

    async def _expire(self, ref: ChannelRef, quiz_id: int, number: int) -> None:
        """Runs on the desk's loop when a round's time is up; posting happens off the loop."""
        result = await self._desk.desk.quizzes.expire_round(quiz_id, number)
        if result is not None:
            await asyncio.to_thread(self.post_result, ref, result)

    def recover(self, workspace_id: str | None = None) -> int:
        """At start-up: carry on the quizzes that were running when the bot stopped.

        Returns how many were picked up. `workspace_id` keeps a process to its own workspace
        when several share one database.
        """
        owns = None if not workspace_id else (lambda ref: ref.workspace_id == workspace_id)
        quizzes = self._desk.desk.quizzes
        recovered = self._desk.run(quizzes.recover(platform=PLATFORM, owns=owns), RECOVER_TIMEOUT)
        for item in recovered:
            channel = item.ref.channel_id
            if item.action is RecoveryAction.RESUMED and item.round is not None:
                view = item.round
                left = round(view.seconds_left(self._desk.desk.store.now()))
                self._post(
                    channel,
                    f"I'm back. Question {view.number} of {view.total} is still open "
                    f"({left} s left): {view.prompt}",
                )
                self._arm(item.ref, view)
            elif item.action is RecoveryAction.ADVANCED and item.closed is not None:
                self.post_result(item.ref, item.closed)
            elif item.summary is not None:
                self._post(channel, item.summary.text())
        if recovered:
            log.info("picked up %d quiz(zes) after the restart", len(recovered))
        return len(recovered)

    # -- posting -----------------------------------------------------------------------------

    def _post(self, channel: str, text: str) -> str | None:
        """Post `text` in the channel; the Slack error code if it failed, else None."""
        message = notice(text)
        try:
            self._client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            log.warning("posting a quiz message failed: %s", error)
            return error
        except OSError as exc:
            log.warning("posting a quiz message failed: %s", exc)
            return "unreachable"
        return None

    def _post_private(self, channel: str, user: str, text: str) -> None:
        message: Message = notice(text)
        try:
            self._client.chat_postEphemeral(
                channel=channel, user=user, text=message.text, blocks=message.blocks
            )
        except (SlackApiError, OSError) as exc:
            log.info("an ephemeral quiz note was not delivered: %s", exc)


def parse_start(args: list[str]) -> tuple[str | None, int | None]:
    """`[topic words] [rounds]`: a trailing whole number is the rounds, the rest the topic."""
    words = list(args)
    rounds = None
    if words and _ROUNDS.match(words[-1]):
        rounds = int(words.pop())
    topic = " ".join(words).strip() or None
    return topic, rounds
