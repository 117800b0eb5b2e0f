"""👍/👎 votes on answers, in one shape for every platform.

Adapters build a Feedback and hand it to a FeedbackSink; until votes are stored, the sink writes
them to the log, where a curator can count the answers students found unhelpful.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Feedback:
    platform: str
    entry_id: str
    helpful: bool
    user_id: str
    channel_id: str | None = None
    workspace_id: str | None = None  # a Discord guild or a Slack team
    message_id: str | None = None  # a Discord message id or a Slack message ts
    question: str | None = None


class FeedbackSink(Protocol):
    def record(self, feedback: Feedback) -> None: ...


class LoggingFeedbackSink:
    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger

    def record(self, feedback: Feedback) -> None:
        self._log.info(
            "feedback platform=%s entry=%s helpful=%s channel=%s workspace=%s message=%s",
            feedback.platform,
            feedback.entry_id or "-",
            "yes" if feedback.helpful else "no",
            feedback.channel_id,
            feedback.workspace_id,
            feedback.message_id,
        )
