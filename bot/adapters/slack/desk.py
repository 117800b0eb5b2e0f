"""The study desk on an event loop of its own, for Bolt's synchronous listeners.

The desk and its store are async and bound to the loop they were opened on, while Bolt runs each
listener on a worker thread. `DeskThread` owns that loop on a daemon thread: listeners wait for
desk calls with `run(...)`, and quiz round timers live on the same loop (`arm`), so they need no
thread each and all stop together on `close()`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from bot.core.service import StudyService
from bot.core.store import Store, database_url_from_env
from bot.core.study import StudyDesk
from bot.ops.health import HEALTH, CheckResult

log = logging.getLogger("bot.adapters.slack")

T = TypeVar("T")

OPEN_TIMEOUT = 60.0  # migrations on a big PostgreSQL database may take a while
CALL_TIMEOUT = 10.0
CLOSE_TIMEOUT = 10.0
PING_TIMEOUT = 2.0


def database_url(data_dir: Path) -> str:
    """`DATABASE_URL` when set, else the SQLite file in the configured data folder."""
    return database_url_from_env({**os.environ, "BOT_DATA_DIR": str(data_dir)})


class DeskThread:
    def __init__(self, name: str = "slack-desk") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._desk: StudyDesk | None = None
        self._store: Store | None = None
        self._timers: dict[Hashable, asyncio.Task[None]] = {}
        self._closing = False
        self._closed = False
        self._remove_check: Callable[[], None] | None = None

    @classmethod
    def open(
        cls,
        service: StudyService,
        *,
        url: str,
        round_seconds: float = 30.0,
        default_cooldown: float = 5.0,
        gap_retention_days: float | None = None,
        timeout: float = OPEN_TIMEOUT,
    ) -> DeskThread:
        """Start the loop, open the store (migrating it) and the desk; raise what failed."""
        desk_thread = cls()
        desk_thread._thread.start()
        opening = desk_thread._open(
            service, url, round_seconds, default_cooldown, gap_retention_days
        )
        try:
            asyncio.run_coroutine_threadsafe(opening, desk_thread._loop).result(timeout)
        except BaseException:
            desk_thread._stop_loop()
            raise
        # The desk's own `database` check would query the store from the health server's loop;
        # this one runs the query on the desk's loop, where the store's connections live.
        desk_thread._remove_check = HEALTH.register("database", desk_thread.health)
        return desk_thread

    async def _open(
        self,
        service: StudyService,
        url: str,
        round_seconds: float,
        default_cooldown: float,
        gap_retention_days: float | None,
    ) -> None:
        store = await Store.open(url)
        try:
            self._desk = await StudyDesk.open(
                service,
                store=store,
                round_seconds=round_seconds,
                default_cooldown=default_cooldown,
                gap_retention_days=gap_retention_days,
            )
        except BaseException:
            await store.close()
            raise
        self._store = store

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def desk(self) -> StudyDesk:
        if self._desk is None:
            raise RuntimeError("the study desk is not open")
        return self._desk

    @property
    def describe(self) -> str:
        return self._store.describe() if self._store is not None else "(not open)"

    # -- calls from listener threads ---------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T:
        """Run a desk coroutine on the desk's loop and wait for it; its exceptions reach us."""
        if self._closed or self._closing:
            coro.close()
            raise RuntimeError("the study desk is closed")
        return self.desk.store.run_threadsafe(coro, timeout)

    def arm(self, key: Hashable, delay: float, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` on the desk's loop after `delay` seconds; callable from any thread.

        A key already armed keeps its first timer: a round's deadline does not move, so a second
        arming of it (a retried event, a recovery) must not make it fire twice.
        """

        def schedule() -> None:
            if self._closing or key in self._timers:
                return
            task = self._loop.create_task(self._after(delay, action))
            self._timers[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))

        try:
            self._loop.call_soon_threadsafe(schedule)
        except RuntimeError:
            log.debug("the desk loop is closed; timer %r not armed", key)

    def armed(self) -> list[Hashable]:
        """The keys of the timers still waiting, read on the loop after any arming in flight."""

        async def keys() -> list[Hashable]:
            return list(self._timers)

        return asyncio.run_coroutine_threadsafe(keys(), self._loop).result(CALL_TIMEOUT)

    async def _after(self, delay: float, action: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(max(0.0, delay))
        try:
            await action()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a quiz timer failed")

    def _forget(self, key: Hashable, task: asyncio.Task[None]) -> None:
        if self._timers.get(key) is task:
            del self._timers[key]

    def health(self) -> CheckResult:
        """For `/healthz`: does the database answer?"""
        try:
            self.run(self._ping(), PING_TIMEOUT)
        except Exception as exc:
            return CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})
        return CheckResult(True, {"backend": self.desk.store.dialect})

    async def _ping(self) -> None:
        async with self.desk.store.read() as conn:
            await conn.execute(sa.text("SELECT 1"))

    # -- shutdown ----------------------------------------------------------------------------

    def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Stop the timers, close the desk and the store, and end the thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._remove_check is not None:
            self._remove_check()
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout)
        except Exception:
            log.exception("closing the study desk failed")
        finally:
            self._stop_loop(timeout)

    async def _close(self) -> None:
        self._closing = True
        timers = list(self._timers.values())
        for task in timers:
            task.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        if self._desk is not None:
            await self._desk.close()
        if self._store is not None:
            # The desk may or may not own the store it was given; disposing twice is harmless.
            await self._store.close()

    def _stop_loop(self, timeout: float = CLOSE_TIMEOUT) -> None:
        self._closing = True
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
