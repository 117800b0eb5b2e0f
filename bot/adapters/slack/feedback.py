"""Where 👍/👎 clicks go. Only logged for now; a store can implement the same protocol later."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, Protocol

Vote = Literal["up", "down"]

log = logging.getLogger("bot.adapters.slack.feedback")


@dataclass(frozen=True)
class Feedback:
    vote: Vote
    entry_id: str
    question: str
    user: str
    channel: str
    team: str
    message_ts: str | None = None


class FeedbackSink(Protocol):
    def record(self, feedback: Feedback) -> None: ...


class LoggingFeedbackSink:
    """Writes each vote to the log, where a curator can grep for the answers students disliked."""

    def record(self, feedback: Feedback) -> None:
        log.info(
            "feedback %s on entry %s (question %r) from %s in %s",
            feedback.vote,
            feedback.entry_id or "-",
            feedback.question,
            feedback.user,
            feedback.channel,
        )
