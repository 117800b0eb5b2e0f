from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from bot.core.feedback import Feedback
from bot.core.store import (
    ChannelRef,
    ChannelSettings,
    GapStatus,
    Store,
    Visibility,
    async_url,
    database_url_from_env,
)
from bot.core.store.db import create_engine
from bot.core.store.migrate import current_revision, downgrade, head_revision, upgrade
from bot.core.store.schema import metadata

from tests.store.conftest import FakeClock

FIRST = "0001"
AT = datetime(2026, 1, 5, 9, 30)  # naive UTC, as the columns hold it


async def test_upgrading_from_the_first_revision_keeps_the_data(
    empty_db_url: str, clock: FakeClock
) -> None:
    engine = create_engine(empty_db_url)
    try:
        await upgrade(engine, FIRST)
        assert await current_revision(engine) == FIRST
        # Rows written by a bot that only knew revision 0001, in its own SQL.
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO channel_settings (platform, workspace_id, channel_id, answers_on,"
                    " quizzes_on, visibility, cooldown_seconds, updated_at)"
                    " VALUES ('slack', 'T1', 'C1', false, true, 'private', 9.5, :at)"
                ),
                {"at": AT},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO feedback_votes (platform, workspace_id, channel_id, message_id,"
                    " entry_id, user_id, helpful, created_at, updated_at)"
                    " VALUES ('slack', 'T1', 'C1', '1.2', 'arms-halt', 'U1', true, :at, :at)"
                ),
                {"at": AT},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO gap_log (question, status, entry_id, created_at)"
                    " VALUES ('what about oil?', 'no_match', NULL, :at)"
                ),
                {"at": AT},
            )
            tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        assert "quizzes" not in tables
    finally:
        await engine.dispose()

    store = await Store.open(empty_db_url, clock=clock)  # what a bot start does: to head
    try:
        assert await current_revision(store.engine) == head_revision() != FIRST
        ref = ChannelRef("slack", "T1", "C1")
        assert await store.settings.get(ref) == ChannelSettings(
            False, True, Visibility.PRIVATE, 9.5
        )
        gaps = await store.gaps.fetch()
        assert [(g.question, g.status) for g in gaps] == [("what about oil?", GapStatus.NO_MATCH)]
        # A gap from before revision 0004 belongs to no community: curators see it, no
        # moderator's view does.
        assert await store.gaps.fetch(platform="slack", workspace_id="T1") == []
        assert gaps[0].created_at == AT.replace(tzinfo=UTC)
        vote = Feedback("slack", "arms-halt", False, "U1", "C1", "T1", "1.2")
        changed = await store.votes.record(vote)
        assert changed.previous is True
        assert (await store.votes.tally()).unhelpful == 1
        assert await store.quizzes.running(ref) is None  # the new tables are there and usable
    finally:
        await store.close()


async def test_the_migrations_build_exactly_the_declared_schema(empty_db_url: str) -> None:
    engine = create_engine(empty_db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), metadata)
            )
        assert diff == []
        await upgrade(engine)  # again: nothing to do
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            left = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        assert left <= {"alembic_version"}
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_processes_starting_together_migrate_once(empty_db_url: str) -> None:
    stores = await asyncio.gather(*(Store.open(empty_db_url) for _ in range(3)))
    try:
        for store in stores:
            assert await current_revision(store.engine) == head_revision()
        await stores[0].settings.update(ChannelRef("discord", "g", "c"), quizzes_on=False)
        assert not (await stores[2].settings.get(ChannelRef("discord", "g", "c"))).quizzes_on
    finally:
        for store in stores:
            await store.close()


async def test_the_default_database_is_a_file_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "not-yet" / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    store = await Store.open()
    try:
        assert store.dialect == "sqlite"
        await store.settings.update(ChannelRef("discord", "g", "c"), answers_on=False)
    finally:
        await store.close()
    assert (folder / "studybot.sqlite3").is_file()


def test_database_urls() -> None:
    assert database_url_from_env({}) == "sqlite:///data/studybot.sqlite3"
    assert database_url_from_env({"BOT_DATA_DIR": "/srv/bot"}) == (
        "sqlite:////srv/bot/studybot.sqlite3"
    )
    pg = "postgres://bot:s3cret@db.internal:5433/study"
    assert database_url_from_env({"DATABASE_URL": pg, "BOT_DATA_DIR": "/x"}) == pg
    converted = async_url(pg)
    assert converted.drivername == "postgresql+asyncpg"
    assert (converted.host, converted.port, converted.database) == ("db.internal", 5433, "study")
    assert async_url("postgresql://h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgresql+asyncpg://h/db").drivername == "postgresql+asyncpg"
    assert dict(async_url("postgresql://h/db?sslmode=require").query) == {"ssl": "require"}
    assert async_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://h/db")


async def test_the_password_never_reaches_the_logs(empty_db_url: str) -> None:
    store = await Store.open(empty_db_url)
    try:
        assert "s3cret" not in store.describe()
    finally:
        await store.close()
    engine = create_engine("postgresql://bot:s3cret@127.0.0.1:1/x")
    try:
        assert "s3cret" not in Store(engine).describe()
    finally:
        await engine.dispose()
