"""Quizzes, their rounds and the scores they award.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.String(64)
RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("started_by", ID, nullable=False),
        sa.Column("topic", sa.String(200), nullable=True),
        sa.Column("rounds_total", sa.Integer(), nullable=False),
        sa.Column("round_seconds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quizzes"),
    )
    op.create_index(
        "uq_quizzes_one_running_per_channel",
        "quizzes",
        ["platform", "workspace_id", "channel_id"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_table(
        "quiz_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("accept", sa.JSON(), nullable=False),
        sa.Column("reveal", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("winner_id", ID, nullable=True),
        sa.Column("winner_answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name="fk_quiz_rounds_quiz_id_quizzes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_rounds"),
        sa.UniqueConstraint("quiz_id", "number", name="uq_quiz_rounds_quiz_number"),
    )
    op.create_table(
        "quiz_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("platform", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name="fk_quiz_scores_quiz_id_quizzes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["quiz_rounds.id"],
            name="fk_quiz_scores_round_id_quiz_rounds",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_quiz_scores"),
        sa.UniqueConstraint("round_id", name="uq_quiz_scores_round_id"),
    )
    op.create_index(
        "ix_quiz_scores_workspace", "quiz_scores", ["platform", "workspace_id", "scored_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_quiz_scores_workspace", table_name="quiz_scores")
    op.drop_table("quiz_scores")
    op.drop_table("quiz_rounds")
    op.drop_index("uq_quizzes_one_running_per_channel", table_name="quizzes")
    op.drop_table("quizzes")
