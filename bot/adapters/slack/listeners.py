"""The Bolt listeners: slash command, mentions, messages and button clicks.

`register(app, service, settings, desk=...)` adds them to any Bolt `App`, so HTTP mode and Socket
Mode run the very same code. Every listener acknowledges first (Slack wants that within 3
seconds) and then asks the core and posts; replies are rendered by `blocks`, delivered by an
outlet that knows whether the conversation has a response URL, a channel, or is a direct message.

With a study desk (`desk.py`) the channel's stored settings gate each answer, every question is
recorded for stats and the curators' gap log, votes are stored, and the study sub-commands and
channel quizzes (`commands.py`, `quizzes.py`) are on; without one the bot only answers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.blocks import (
    ACTION_DELETE,
    ACTION_FEEDBACK_PATTERN,
    ACTION_SUGGEST_PATTERN,
    help_text,
    is_public_kind,
    notice,
    reply_message,
    unpack_value,
)
from bot.adapters.slack.commands import StudyCommands, parse_study_command
from bot.adapters.slack.desk import DeskThread
from bot.adapters.slack.mrkdwn import decode_incoming, strip_user_mention
from bot.adapters.slack.outlets import ChannelOutlet, Outlet, ResponseUrlOutlet
from bot.adapters.slack.people import UserDirectory
from bot.adapters.slack.quizzes import QuizRunner, QuizUsage
from bot.adapters.slack.settings import SlackSettings
from bot.core.cooldown import Cooldown, Verdict, cooldown_notice
from bot.core.feedback import Feedback, FeedbackSink, LoggingFeedbackSink
from bot.core.replies import Kind, Reply, Status
from bot.core.service import StudyService
from bot.core.store import ChannelRef, ChannelSettings, Visibility, VoteChange

log = logging.getLogger("bot.adapters.slack")

RECENT_EVENTS = 10_000
_PARAGRAPH = re.compile(r"^[¶#]?\s*(\d{1,6})$")

NOT_HERE = (
    "I don't answer questions in this channel. Ask me in one of the study channels, "
    "or in a direct message."
)
NOT_YOURS = "Only the person who asked can delete this answer."
ANSWERS_OFF = "Answers are off here: a moderator has turned them off in this channel."
THANKS = {
    "up": "Thanks! Glad it helped.",
    "down": "Thanks for telling me. The curators will look at this answer.",
}
VOTE_CHANGED = "Vote changed. "
VOTE_UNCHANGED = "You had already voted that way; your vote stands."
VOTE_FAILED = "Sorry, I couldn't save your vote just now. Please try again in a moment."
PLATFORM = "slack"


class RecentIds:
    """The last `capacity` ids seen, to answer each Slack event once however often it arrives."""

    def __init__(self, capacity: int = RECENT_EVENTS) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return True


@dataclass(frozen=True)
class Where:
    """Who asked, and where."""

    user: str
    channel: str
    team: str
    direct: bool
    command: bool = False  # asked with the slash command, not by a mention or message

    @property
    def cooldown_key(self) -> str:
        return f"{self.team}:{self.user}"

    @property
    def ref(self) -> ChannelRef:
        return ChannelRef(PLATFORM, self.team, self.channel)


class SlackListeners:
    """The handlers `register` attaches; one instance holds the cooldown and the recent events."""

    def __init__(
        self,
        service: StudyService,
        settings: SlackSettings,
        feedback: FeedbackSink | None = None,
        cooldown: Cooldown | None = None,
        *,
        desk: DeskThread | None = None,
        client: WebClient | None = None,
    ) -> None:
        self._service = service
        self._settings = settings
        # An explicit sink wins; with a desk votes are stored; otherwise they are only logged.
        self._feedback = feedback
        common = settings.common
        default = cooldown or Cooldown(common.cooldown_rate, common.cooldown_seconds)
        # One cooldown per window length: a channel's moderators may set its own window.
        self._cooldowns: dict[float, Cooldown] = {common.cooldown_seconds: default}
        self._cooldown_lock = threading.Lock()
        self._recent = RecentIds()
        self._desk = desk
        self.quizzes: QuizRunner | None = None
        self._commands: StudyCommands | None = None
        if desk is not None:
            if client is None:
                raise ValueError("the study features need the app's WebClient")
            people = UserDirectory(client, settings.moderator_ids)
            self.quizzes = QuizRunner(desk, client, people, settings.command)
            self._commands = StudyCommands(desk, people, self.quizzes, settings.command)

    def recover_quizzes(self, workspace_id: str | None = None) -> int:
        """At start-up: post and re-arm the quizzes a previous run left going."""
        return self.quizzes.recover(workspace_id) if self.quizzes is not None else 0

    # -- global middleware -------------------------------------------------------------------

    def dedupe_events(self, body: dict[str, Any], next_: Callable[[], None]) -> BoltResponse | None:
        """Ack Slack's retries (`X-Slack-Retry-Num`) of an event already taken, without a rerun.

        Keyed on `event_id`, which a retry repeats, and checked after request verification, so a
        forged request cannot mark a real event as seen.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self._recent.first_time(event_id):
            log.info("event %s was already handled; acknowledging the retry only", event_id)
            return BoltResponse(status=200, body="")
        next_()
        return None

    # -- entry points ------------------------------------------------------------------------

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        channel = str(command.get("channel_id") or "")
        where = Where(
            user=str(command.get("user_id") or ""),
            channel=channel,
            team=str(command.get("team_id") or ""),
            direct=channel.startswith("D") or command.get("channel_name") == "directmessage",
            command=True,
        )
        text = decode_incoming(str(command.get("text") or ""))
        self._handle(text, where, ResponseUrlOutlet(respond), echo=True)

    def on_mention(
        self, ack: Ack, event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(user, str) or not isinstance(channel, str) or event.get("bot_id"):
            return
        if channel.startswith("D"):
            return  # the message.im listener answers direct messages
        where = Where(user, channel, _team(event, context), False)
        thread_ts = event.get("thread_ts") or event.get("ts")
        outlet = ChannelOutlet(client, channel, user, thread_ts, direct=False)
        text = decode_incoming(
            strip_user_mention(str(event.get("text") or ""), context.bot_user_id)
        )
        self._handle(text, where, outlet, echo=False)

    def on_message(
        self, ack: Ack, event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        # Edits, joins and bot posts arrive as message events too; only a person's new message
        # counts.
        if event.get("subtype") or event.get("bot_id"):
            return
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(user, str) or not isinstance(channel, str):
            return
        if event.get("channel_type") in ("channel", "group"):
            self._quiz_answer(event, user, channel, context)
            return
        if event.get("channel_type") != "im":
            return
        where = Where(user, channel, _team(event, context), True)
        outlet = ChannelOutlet(client, channel, user, event.get("thread_ts"), direct=True)
        text = decode_incoming(
            strip_user_mention(str(event.get("text") or ""), context.bot_user_id)
        )
        self._handle(text, where, outlet, echo=False)

    def on_suggestion(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        """A "did you mean" button: the asker's click turns the question into that answer."""
        ack()
        data = unpack_value(action.get("value"))
        asker = data.get("u", "")
        clicker = _clicker(body)
        reply = self._service.answer_entry(data.get("e", ""))
        outlet = ResponseUrlOutlet(respond)
        command = self._settings.command
        if clicker == asker and reply.status is Status.ANSWERED:
            deletable = not _container(body).get("is_ephemeral")
            outlet.replace(reply_message(reply, asker=asker, command=command, deletable=deletable))
        else:
            # Someone else's question: answer the clicker privately and leave the asker's be.
            outlet.private(reply_message(reply, asker=clicker, command=command, deletable=False))

    def on_feedback(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        match = ACTION_FEEDBACK_PATTERN.match(str(action.get("action_id") or ""))
        vote = "up" if match and match.group(1) == "up" else "down"
        data = unpack_value(action.get("value"))
        container = _container(body)
        feedback = Feedback(
            platform=PLATFORM,
            entry_id=data.get("e", ""),
            helpful=vote == "up",
            user_id=_clicker(body),
            channel_id=str(container.get("channel_id") or _nested(body, "channel", "id")),
            workspace_id=_nested(body, "team", "id"),
            message_id=container.get("message_ts"),
            question=data.get("q", ""),
        )
        ResponseUrlOutlet(respond).private(notice(self._record_vote(feedback, vote)))

    def _record_vote(self, feedback: Feedback, vote: str) -> str:
        """Store the vote (one per user per answer, the latest counting); the thanks to show."""
        if self._feedback is not None or self._desk is None:
            (self._feedback or LoggingFeedbackSink()).record(feedback)
            return THANKS[vote]
        try:
            result = self._desk.run(self._desk.desk.feedback.arecord(feedback))
        except Exception:
            log.exception("could not store a vote")
            return VOTE_FAILED
        if result.change is VoteChange.UNCHANGED:
            return VOTE_UNCHANGED
        if result.change is VoteChange.CHANGED:
            return VOTE_CHANGED + THANKS[vote]
        return THANKS[vote]

    def on_delete(
        self,
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: WebClient,
    ) -> None:
        ack()
        asker = unpack_value(action.get("value")).get("u")
        outlet = ResponseUrlOutlet(respond)
        if not asker or _clicker(body) != asker:
            outlet.private(notice(NOT_YOURS))
            return
        container = _container(body)
        channel = container.get("channel_id") or _nested(body, "channel", "id")
        ts = container.get("message_ts") or _nested(body, "message", "ts")
        if not container.get("is_ephemeral") and channel and ts:
            try:
                client.chat_delete(channel=channel, ts=ts)
                return
            except SlackApiError as exc:
                # A reply posted through a response URL may refuse chat.delete; that URL can
                # still remove it.
                log.info("chat.delete failed (%s); deleting via the response URL", _error(exc))
        outlet.delete_original()

    # -- shared flow -------------------------------------------------------------------------

    def _handle(self, text: str, where: Where, outlet: Outlet, *, echo: bool) -> None:
        """Sub-commands (`help`, `topics`, `source N`, the study commands) or a question, the
        same for every entry."""
        if self._commands is not None:
            study = parse_study_command(text)
            if study is not None:
                if study.verb == "quiz" and not self._allowed(where):
                    outlet.private(notice(NOT_HERE))
                    return
                # Moderators must reach their settings even where answers are off.
                self._commands.handle(study, where.ref, where.user, outlet, direct=where.direct)
                return
        words = text.strip().split(maxsplit=1)
        verb = words[0].lower() if words else ""
        rest = words[1].strip() if len(words) > 1 else ""
        settings = self._channel_settings(where)
        if not settings.answers_on and not where.command:
            return  # a mention where answers are off: stay silent, as the moderators asked
        if not words or (verb == "help" and not rest):
            outlet.private(notice(self._help()))
            return
        if verb == "topics" and not rest:
            outlet.private(notice(self._service.topics_text()))
            return
        if not settings.answers_on:
            outlet.private(notice(ANSWERS_OFF))
            return
        if verb == "source":
            number = _PARAGRAPH.match(rest)
            if not rest:
                outlet.private(notice(f"Usage: {self._settings.command} source N, e.g. source 2"))
                return
            if number:
                if self._admit(where, outlet, settings):
                    reply = self._service.paragraph(int(number.group(1)))
                    self._deliver(reply, where, outlet, settings=settings)
                return
        if self._admit(where, outlet, settings):
            reply = self._withhold_quiz_answer(where, self._service.ask(text, platform=PLATFORM))
            self._deliver(reply, where, outlet, echo=echo, settings=settings)
            self._record_question(where, reply)

    def _channel_settings(self, where: Where) -> ChannelSettings:
        """The moderators' settings for the channel; direct messages always get the defaults."""
        if self._desk is None or where.direct:
            return ChannelSettings()
        try:
            return self._desk.run(self._desk.desk.channel_settings(where.ref))
        except Exception:
            # Answering with the defaults beats going silent while the database is away.
            log.warning("channel settings unavailable; using the defaults", exc_info=True)
            return ChannelSettings()

    def _withhold_quiz_answer(self, where: Where, reply: Reply) -> Reply:
        """No asking the bot for the answer of the quiz round running in this channel."""
        if self._desk is None or where.direct:
            return reply
        try:
            return self._desk.run(self._desk.desk.withhold_quiz_answer(where.ref, reply))
        except Exception:
            log.warning("could not check the channel's quiz round", exc_info=True)
            return reply

    def _record_question(self, where: Where, reply: Reply) -> None:
        """Stats and the curators' gap log; a failure there must not cost the asker the answer."""
        if self._desk is None:
            return
        try:
            self._desk.run(self._desk.desk.record_question(where.ref, reply))
        except Exception:
            log.warning("could not record a question", exc_info=True)

    def _admit(self, where: Where, outlet: Outlet, settings: ChannelSettings) -> bool:
        """Channel allow-list and per-user cooldown: one notice, then silence."""
        if not self._allowed(where):
            outlet.private(notice(NOT_HERE))
            return False
        cooldown = self._cooldown_for(settings)
        with self._cooldown_lock:
            verdict = cooldown.check(where.cooldown_key)
            wait = cooldown.retry_after(where.cooldown_key)
        if verdict is Verdict.ALLOW:
            return True
        if verdict is Verdict.NOTICE:
            outlet.private(notice(cooldown_notice(wait)))
        return False

    def _allowed(self, where: Where) -> bool:
        """BOT_ALLOWED_CHANNELS: direct messages are always allowed."""
        allowed = self._settings.common.allowed_channels
        return where.direct or not allowed or where.channel in allowed

    def _cooldown_for(self, settings: ChannelSettings) -> Cooldown:
        seconds = self._settings.common.cooldown_seconds
        if self._desk is not None:
            seconds = self._desk.desk.cooldown_for(settings)
        with self._cooldown_lock:
            cooldown = self._cooldowns.get(seconds)
            if cooldown is None:
                cooldown = Cooldown(self._settings.common.cooldown_rate, seconds)
                self._cooldowns[seconds] = cooldown
            return cooldown

    def _quiz_answer(
        self, event: dict[str, Any], user: str, channel: str, context: BoltContext
    ) -> None:
        """A plain channel message: a quiz answer if a round is open there."""
        if self.quizzes is None:
            return
        text = str(event.get("text") or "")
        bot_user = context.bot_user_id
        if bot_user and f"<@{bot_user}" in text:
            return  # a question to the bot; the app_mention listener answers it
        ref = ChannelRef(PLATFORM, _team(event, context), channel)
        try:
            self.quizzes.on_channel_message(ref, user, decode_incoming(text))
        except Exception:
            log.exception("grading a quiz answer failed")

    def _deliver(
        self,
        reply: Reply,
        where: Where,
        outlet: Outlet,
        *,
        echo: bool = False,
        settings: ChannelSettings | None = None,
    ) -> None:
        # The core logs the question event itself; this adds where it was asked, for debugging.
        log.debug(
            "slack %s %s: %s%s",
            "dm" if where.direct else "channel",
            where.channel,
            reply.status.value,
            f" ({reply.entry_id})" if reply.entry_id else f" ({reply.kind.value})",
        )
        if reply.kind is Kind.HELP and reply.message == self._service.help_text():
            outlet.private(notice(self._help()))
            return
        public = (
            is_public_kind(reply)
            and self._settings.answer_visibility == "in_channel"
            and (settings is None or settings.visibility is Visibility.PUBLIC)
        )
        message = reply_message(
            reply,
            asker=where.user,
            command=self._settings.command,
            deletable=public and outlet.deletable,
            echo_question=echo,
        )
        if public:
            outlet.public(message)
        else:
            outlet.private(message)

    def _help(self) -> str:
        c = self._settings.command
        text = help_text(self._service.help_text(), c)
        if self.quizzes is None:
            return text
        return (
            f"{text}\n{QuizUsage(c).text()}\n"
            f"Moderators: `{c} settings`, `{c} settings set <name> <value>`, `{c} reload`, "
            f"`{c} stats [days]`, `{c} gaps`."
        )


def register(
    app: App,
    service: StudyService,
    settings: SlackSettings,
    *,
    feedback: FeedbackSink | None = None,
    desk: DeskThread | None = None,
) -> SlackListeners:
    """Add every listener to `app`; HTTP mode and Socket Mode both call this.

    With `desk` the study features are on (see the module docstring); call
    `recover_quizzes()` on the result once the app is ready to post.
    """
    listeners = SlackListeners(service, settings, feedback, desk=desk, client=app.client)
    app.use(listeners.dedupe_events)
    app.command(settings.command)(listeners.on_command)
    app.event("app_mention")(listeners.on_mention)
    app.event("message")(listeners.on_message)
    app.action(ACTION_SUGGEST_PATTERN)(listeners.on_suggestion)
    app.action(ACTION_FEEDBACK_PATTERN)(listeners.on_feedback)
    app.action(ACTION_DELETE)(listeners.on_delete)
    return listeners


def _team(event: dict[str, Any], context: BoltContext) -> str:
    """The workspace the app serves the event in: the same for a channel's slash commands and
    its messages, which keeps one channel's settings and quizzes under one key."""
    return str(context.team_id or event.get("team") or "")


def _container(body: dict[str, Any]) -> dict[str, Any]:
    container = body.get("container")
    return container if isinstance(container, dict) else {}


def _nested(body: dict[str, Any], key: str, field: str) -> str:
    inner = body.get(key)
    return str(inner.get(field) or "") if isinstance(inner, dict) else ""


def _clicker(body: dict[str, Any]) -> str:
    return _nested(body, "user", "id")


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown error"))
