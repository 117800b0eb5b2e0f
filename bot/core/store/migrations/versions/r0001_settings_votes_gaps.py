"""Channel settings, feedback votes and the curators' gap log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "channel_settings",
        sa.Column("platform", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("answers_on", sa.Boolean(), nullable=False),
        sa.Column("quizzes_on", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("cooldown_seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "channel_id", name="pk_channel_settings"
        ),
    )
    op.create_table(
        "feedback_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_votes"),
        sa.UniqueConstraint(
            "platform", "message_id", "entry_id", "user_id", name="uq_feedback_votes_one_per_user"
        ),
    )
    op.create_index("ix_feedback_votes_updated_at", "feedback_votes", ["updated_at"])
    op.create_table(
        "gap_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gap_log"),
    )
    op.create_index("ix_gap_log_created_at", "gap_log", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_gap_log_created_at", table_name="gap_log")
    op.drop_table("gap_log")
    op.drop_index("ix_feedback_votes_updated_at", table_name="feedback_votes")
    op.drop_table("feedback_votes")
    op.drop_table("channel_settings")
