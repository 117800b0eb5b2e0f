"""Where each gap was asked, so moderators see their own community's questions only.

Gaps logged before this revision have no workspace; curators still see them in `kb gaps`.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("gap_log") as batch:
        batch.add_column(sa.Column("platform", ID, nullable=True))
        batch.add_column(sa.Column("workspace_id", ID, nullable=True))
    op.create_index("ix_gap_log_workspace", "gap_log", ["platform", "workspace_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_gap_log_workspace", table_name="gap_log")
    with op.batch_alter_table("gap_log") as batch:
        batch.drop_column("workspace_id")
        batch.drop_column("platform")
