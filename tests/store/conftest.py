"""Storage fixtures: every `store` test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per session (see pgserver.py) and each test gets a fresh
database on it. Where no server can be started the PostgreSQL half is skipped with the reason,
unless STUDYBOT_REQUIRE_POSTGRES is set (CI sets it), where that is a failure instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bot.core.service import StudyService
from bot.core.store import ChannelRef, Store
from bot.core.store.schema import metadata

from tests.store.pgserver import PostgresServer, ServerUnavailable

PACK = Path(__file__).resolve().parent / "pack"
REQUIRE_PG = "STUDYBOT_REQUIRE_POSTGRES"
SHARED_DB = "studybot_shared"


class FakeClock:
    """The store's clock, moved by hand; starts on a Wednesday so "this week" has a past."""

    def __init__(self, start: datetime = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.start()
    except ServerUnavailable as exc:
        reason = f"PostgreSQL tests need a server that could not be started: {exc}"
        if os.environ.get(REQUIRE_PG):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        # One database migrated once and emptied before each test: creating a database per
        # test costs ten times as much.
        url = server.create_database(name=SHARED_DB)
        asyncio.run(_migrate(url))
        yield server
    finally:
        server.stop()


async def _migrate(url: str) -> None:
    store = await Store.open(url)
    await store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database brought to the current schema (Store.open finds nothing left to do)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'studybot.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    server.sql(SHARED_DB, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return server.url(SHARED_DB)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all, for the migration tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'studybot.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(db_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(db_url, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="session")
def pack_service() -> StudyService:
    return StudyService(PACK)


@pytest.fixture
def ref() -> ChannelRef:
    return ChannelRef("discord", "guild-1", "chan-1")
