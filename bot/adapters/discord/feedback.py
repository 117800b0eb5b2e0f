"""Where 👍/👎 votes go. Platform-neutral on purpose, so storage can move into the core later.

Until the study-channel storage lands, votes are logged; a store only has to implement
`FeedbackSink.record` and be passed to `build_bot`.
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
    guild_id: str | None = None
    message_id: str | None = None


class FeedbackSink(Protocol):
    async def record(self, feedback: Feedback) -> None: ...


class LoggingFeedbackSink:
    """Writes each vote as one log line, which is enough to count votes per entry by hand."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self._log = logger

    async def record(self, feedback: Feedback) -> None:
        self._log.info(
            "feedback platform=%s entry=%s helpful=%s user=%s channel=%s guild=%s message=%s",
            feedback.platform,
            feedback.entry_id,
            "yes" if feedback.helpful else "no",
            feedback.user_id,
            feedback.channel_id,
            feedback.guild_id,
            feedback.message_id,
        )
