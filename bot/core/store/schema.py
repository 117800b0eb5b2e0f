"""The tables, as SQLAlchemy Core metadata shared by the queries and by Alembic's autogenerate.

The migrations under `migrations/versions` are the source of truth for what a database holds;
this module must describe the same schema as their head, which a test checks.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Platform ids are short strings everywhere (Discord snowflakes, Slack "T…"/"C…"/"U…" ids).
ID = sa.String(64)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database.

    SQLite has no time zones and PostgreSQL's `timestamptz` would hand back aware values only
    there; storing naive UTC on both keeps one code path and makes SQL comparisons exact.
    """

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


channel_settings = sa.Table(
    "channel_settings",
    metadata,
    sa.Column("platform", ID, primary_key=True),
    sa.Column("workspace_id", ID, primary_key=True),
    sa.Column("channel_id", ID, primary_key=True),
    sa.Column("answers_on", sa.Boolean(), nullable=False),
    sa.Column("quizzes_on", sa.Boolean(), nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),
    # NULL: the bot's configured default (BOT_COOLDOWN_SECONDS) applies.
    sa.Column("cooldown_seconds", sa.Float(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

feedback_votes = sa.Table(
    "feedback_votes",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("platform", ID, nullable=False),
    sa.Column("workspace_id", ID, nullable=False),
    sa.Column("channel_id", ID, nullable=False),
    sa.Column("message_id", ID, nullable=False),
    sa.Column("entry_id", sa.String(200), nullable=False),
    sa.Column("user_id", ID, nullable=False),
    sa.Column("helpful", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint(
        "platform", "message_id", "entry_id", "user_id", name="uq_feedback_votes_one_per_user"
    ),
    sa.Index("ix_feedback_votes_updated_at", "updated_at"),
)

gap_log = sa.Table(
    "gap_log",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # The entry a 👎 answer came from; never who asked or voted.
    sa.Column("entry_id", sa.String(200), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # The community it was asked in, so its moderators see only their own; empty before 0004.
    sa.Column("platform", ID, nullable=True),
    sa.Column("workspace_id", ID, nullable=True),
    sa.Index("ix_gap_log_created_at", "created_at"),
    sa.Index("ix_gap_log_workspace", "platform", "workspace_id", "created_at"),
)

quizzes = sa.Table(
    "quizzes",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("platform", ID, nullable=False),
    sa.Column("workspace_id", ID, nullable=False),
    sa.Column("channel_id", ID, nullable=False),
    sa.Column("started_by", ID, nullable=False),
    sa.Column("topic", sa.String(200), nullable=True),
    sa.Column("rounds_total", sa.Integer(), nullable=False),
    sa.Column("round_seconds", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
    # The database, not a check-then-insert, is what keeps a channel to one running quiz, so two
    # processes (or two clicks) racing to start cannot both win.
    sa.Index(
        "uq_quizzes_one_running_per_channel",
        "platform",
        "workspace_id",
        "channel_id",
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    ),
)

quiz_rounds = sa.Table(
    "quiz_rounds",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column(
        "quiz_id", sa.Integer(), sa.ForeignKey("quizzes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("entry_id", sa.String(200), nullable=False),
    # Snapshots, so a knowledge reload mid-quiz cannot change a question already asked.
    sa.Column("prompt", sa.Text(), nullable=False),
    sa.Column("accept", sa.JSON(), nullable=False),
    sa.Column("reveal", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("opened_at", UTCDateTime(), nullable=True),
    sa.Column("deadline", UTCDateTime(), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("winner_id", ID, nullable=True),
    sa.Column("winner_answer", sa.Text(), nullable=True),
    sa.UniqueConstraint("quiz_id", "number", name="uq_quiz_rounds_quiz_number"),
)

quiz_scores = sa.Table(
    "quiz_scores",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column(
        "quiz_id", sa.Integer(), sa.ForeignKey("quizzes.id", ondelete="CASCADE"), nullable=False
    ),
    # One score per round, enforced by the database: the guarantee against double scoring.
    sa.Column(
        "round_id",
        sa.Integer(),
        sa.ForeignKey("quiz_rounds.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("platform", ID, nullable=False),
    sa.Column("workspace_id", ID, nullable=False),
    sa.Column("channel_id", ID, nullable=False),
    sa.Column("user_id", ID, nullable=False),
    sa.Column("user_name", sa.String(200), nullable=True),
    sa.Column("points", sa.Integer(), nullable=False),
    sa.Column("scored_at", UTCDateTime(), nullable=False),
    sa.Index("ix_quiz_scores_workspace", "platform", "workspace_id", "scored_at"),
)

question_log = sa.Table(
    "question_log",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("platform", ID, nullable=False),
    sa.Column("workspace_id", ID, nullable=False),
    sa.Column("channel_id", ID, nullable=False),
    # What the bot made of the question, never the question itself nor who asked: the text of
    # the questions it could not answer goes to the gap log, without ids, and nowhere else.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("entry_id", sa.String(200), nullable=True),
    sa.Column("asked_at", UTCDateTime(), nullable=False),
    sa.Index("ix_question_log_workspace", "platform", "workspace_id", "asked_at"),
)
