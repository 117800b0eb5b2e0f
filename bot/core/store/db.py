"""The database handle: one async engine, SQLite (aiosqlite) or PostgreSQL (asyncpg).

Every query goes through SQLAlchemy Core, so both back ends share one code path; the only
dialect-specific parts are the connection set-up below and the choice of `INSERT ... ON CONFLICT`
construct, whose two spellings take the same arguments.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from bot.core.store.gaplog import GapRepo
    from bot.core.store.questions import QuestionRepo
    from bot.core.store.quizzes import QuizRepo
    from bot.core.store.settings import SettingsRepo
    from bot.core.store.votes import VoteRepo

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = "data"
SQLITE_FILE = "studybot.sqlite3"
WRITE_OPTION = "studybot_write"  # marks a write transaction: BEGIN IMMEDIATE on SQLite

Clock = Callable[[], datetime]
T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """`DATABASE_URL` if set, else a SQLite file in `BOT_DATA_DIR` (default ./data)."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip()
    if url:
        return url
    folder = env.get("BOT_DATA_DIR", "").strip() or DEFAULT_DATA_DIR
    return f"sqlite:///{Path(folder) / SQLITE_FILE}"


def async_url(url: str | URL) -> URL:
    """The async-driver form of a URL: postgres:// and postgresql:// become asyncpg, sqlite://
    becomes aiosqlite; libpq's `sslmode` becomes asyncpg's `ssl`, which takes the same values."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.drivername.split("+", 1)[0]
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
        query = dict(parsed.query)
        if "sslmode" in query and "ssl" not in query:
            query["ssl"] = query.pop("sslmode")
            parsed = parsed.set(query=query)
        return parsed
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    raise ValueError(
        f"unsupported database URL scheme {parsed.drivername!r}: use postgresql:// or sqlite://"
    )


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _set_wal(cursor: Any, attempts: int = 50) -> None:
    """Switch to WAL, retrying: the switch needs an exclusive lock and SQLite reports "database
    is locked" at once, without waiting out busy_timeout, when several processes open a new
    file together."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Real transactions on SQLite, as SQLAlchemy's documentation prescribes for (aio)sqlite.

    The sqlite3 module otherwise opens a transaction only at the first write, so a read followed
    by a write is not atomic; here every transaction starts with our own BEGIN, and writes take
    the write lock up front (BEGIN IMMEDIATE) so two processes never deadlock upgrading a read.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 10000")
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(url: str | URL, **options: Any) -> AsyncEngine:
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        path = _sqlite_file(target)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(target, **options)
        _configure_sqlite(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 5)
    options.setdefault("max_overflow", 5)
    return create_async_engine(target, **options)


class Store:
    """The bot's database. Open it once per process with `await Store.open()`.

    The repositories hang off it: `settings`, `votes`, `gaps`, `quizzes`, `questions`. Async
    engines belong to the event loop they were opened on; code running in another thread goes
    through `run_coroutine_threadsafe(..., store.loop)` (see `StoreFeedbackSink`).
    """

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        from bot.core.store.gaplog import GapRepo
        from bot.core.store.questions import QuestionRepo
        from bot.core.store.quizzes import QuizRepo
        from bot.core.store.settings import SettingsRepo
        from bot.core.store.votes import VoteRepo

        self.engine = engine
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self.settings: SettingsRepo = SettingsRepo(self)
        self.votes: VoteRepo = VoteRepo(self)
        self.gaps: GapRepo = GapRepo(self)
        self.quizzes: QuizRepo = QuizRepo(self)
        self.questions: QuestionRepo = QuestionRepo(self)

    @classmethod
    async def open(
        cls,
        url: str | URL | None = None,
        *,
        migrate: bool = True,
        clock: Clock = utcnow,
        **engine_options: Any,
    ) -> Store:
        """Connect (to `database_url_from_env()` by default) and bring the schema to head."""
        engine = create_engine(url or database_url_from_env(), **engine_options)
        store = cls(engine, clock)
        store._loop = asyncio.get_running_loop()
        try:
            if migrate:
                from bot.core.store.migrate import upgrade

                await upgrade(engine)
        except BaseException:
            await engine.dispose()
            raise
        log.info("store open: %s", store.describe())
        return store

    async def close(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the store was not opened with Store.open()")
        return self._loop

    def run_threadsafe(self, coro: Coroutine[Any, Any, T], timeout: float | None = 10.0) -> T:
        """Run a store (or quiz engine) coroutine from sync code on another thread, such as a
        Slack Bolt listener, and wait for its result; its exceptions reach the caller."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            coro.close()
            raise RuntimeError("run_threadsafe would block the store's own event loop")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return self.engine.url.render_as_string(hide_password=True)

    def now(self) -> datetime:
        return self.clock()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction that commits on success and rolls back on any exception."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    def insert(self, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports `.on_conflict_do_update(...)` on this database."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
