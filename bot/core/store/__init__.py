"""Persistent state: channel settings, votes, the gap and question logs and quizzes, on SQLite or
PostgreSQL.

Open one `Store` per process (`await Store.open()`: `DATABASE_URL` if set, else a SQLite file in
`BOT_DATA_DIR`); it applies pending schema migrations before returning.
"""

from bot.core.store.db import Store, async_url, database_url_from_env
from bot.core.store.feedback import StoreFeedbackSink
from bot.core.store.models import (
    ChannelRef,
    ChannelSettings,
    GapRecord,
    GapStatus,
    QuestionStats,
    Visibility,
    VoteChange,
    VoteResult,
    VoteTally,
)
from bot.core.store.quizzes import (
    Advance,
    PlannedRound,
    QuizAlreadyRunning,
    QuizRecord,
    QuizStatus,
    RoundRecord,
    RoundStatus,
    ScoreRow,
)

__all__ = [
    "Advance",
    "ChannelRef",
    "ChannelSettings",
    "GapRecord",
    "GapStatus",
    "PlannedRound",
    "QuestionStats",
    "QuizAlreadyRunning",
    "QuizRecord",
    "QuizStatus",
    "RoundRecord",
    "RoundStatus",
    "ScoreRow",
    "Store",
    "StoreFeedbackSink",
    "Visibility",
    "VoteChange",
    "VoteResult",
    "VoteTally",
    "async_url",
    "database_url_from_env",
]
