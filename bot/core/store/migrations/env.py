"""Alembic's environment: runs on the connection `bot.core.store.migrate` hands it.

The bot's drivers are async, and an async engine cannot be built here in the middle of the
caller's event loop, so migrations run only through `bot.core.store.migrate`, never from a bare
`alembic` command line.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from bot.core.store.schema import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, sa.Connection):
    raise RuntimeError("run migrations with bot.core.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead, on SQLite only.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
