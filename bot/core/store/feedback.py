"""A `FeedbackSink` that stores votes, for adapters whose handlers are sync or async.

`FeedbackSink.record` is synchronous, but the store is async and bound to one event loop. So:
- async code (the Discord adapter) should `await sink.arecord(feedback)` and see failures;
- sync code running on a worker thread (Slack Bolt listeners) calls `sink.record(feedback)`,
  which runs the write on the store's loop and waits for it, so errors reach the caller;
- sync code running *on* the store's loop cannot wait without blocking that loop, so `record`
  schedules the write and returns; `drain()` awaits what is still pending (call it on shutdown).
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.feedback import Feedback
from bot.core.store.db import Store
from bot.core.store.models import VoteResult

log = logging.getLogger(__name__)


class StoreFeedbackSink:
    def __init__(self, store: Store, *, timeout: float = 10.0, log_gaps: bool = True) -> None:
        self._store = store
        self._timeout = timeout
        self._log_gaps = log_gaps
        self._pending: set[asyncio.Task[VoteResult]] = set()

    async def arecord(self, feedback: Feedback) -> VoteResult:
        return await self._store.votes.record(feedback, log_gap=self._log_gaps)

    def record(self, feedback: Feedback) -> None:
        loop = self._store.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task = loop.create_task(self.arecord(feedback))
            self._pending.add(task)
            task.add_done_callback(self._done)
            return
        if running is not None:
            raise RuntimeError("StoreFeedbackSink.record called on a loop the store is not on")
        self._store.run_threadsafe(self.arecord(feedback), self._timeout)

    def _done(self, task: asyncio.Task[VoteResult]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("could not store a vote", exc_info=task.exception())

    async def drain(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
