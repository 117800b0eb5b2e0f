"""The question log behind `/studybot stats`: one row per question, no text and no user.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("channel_id", ID, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_question_log"),
    )
    op.create_index(
        "ix_question_log_workspace", "question_log", ["platform", "workspace_id", "asked_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_question_log_workspace", table_name="question_log")
    op.drop_table("question_log")
