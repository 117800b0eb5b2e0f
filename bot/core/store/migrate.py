"""Alembic, driven from code: the bot brings its schema to head every time it opens the store.

Several processes (Discord shards, a Slack process) may start together against one PostgreSQL
database; a transaction-scoped advisory lock lets exactly one of them migrate while the others
wait and then find nothing to do. PostgreSQL runs DDL inside transactions, so a failed migration
leaves the schema as it was.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.store.db import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number; it only has to differ from other advisory locks on the same server.
_PG_MIGRATION_LOCK = 0x5354_5544_5942_4F54  # "STUDYBOT"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its revisions
        raise RuntimeError("no migrations found")
    return head


def _lock(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
        )


def _upgrade(connection: sa.Connection, revision: str) -> None:
    _lock(connection)
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: sa.Connection, revision: str) -> None:
    _lock(connection)
    command.downgrade(alembic_config(connection), revision)


def _current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        async with conn.begin():
            await conn.run_sync(_downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
