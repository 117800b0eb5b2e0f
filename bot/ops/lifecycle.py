"""Stopping well: one stop request per process, fanned out to every running platform.

A container is stopped with SIGTERM and, some seconds later, SIGKILL. On the first SIGTERM or
SIGINT each platform stops taking new questions, finishes those in flight (bounded by
`shutdown_timeout`), closes its connections and returns, so the process exits 0. A second signal
means "now": it raises KeyboardInterrupt as Ctrl-C always did.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

log = logging.getLogger("bot.lifecycle")

_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
    """Process-wide: signal handlers set it; each running platform subscribes to it."""

    def __init__(self) -> None:
        # Re-entrant: the signal handler runs on the main thread, possibly while that thread is
        # inside `subscribe` holding this lock.
        self._lock = threading.RLock()
        self._reason: str | None = None
        self._subscribers: dict[int, Callable[[], None]] = {}
        self._next = 0
        self._depth = 0
        self._previous: dict[signal.Signals, Any] = {}

    @property
    def requested(self) -> bool:
        return self._reason is not None

    def request(self, reason: str) -> None:
        with self._lock:
            if self._reason is not None:
                return
            self._reason = reason
            subscribers = list(self._subscribers.values())
        log.info("stopping (%s): finishing the questions in flight", reason)
        for callback in subscribers:
            try:
                callback()
            except Exception:
                log.exception("a stop callback failed")

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` on the stop request (at once if it came already); returns unsubscribe.

        Callbacks run on whichever thread made the request, usually the main thread inside a
        signal handler: they must only hand the news on (set an event, call_soon_threadsafe).
        """
        with self._lock:
            token = self._next
            self._next += 1
            self._subscribers[token] = callback
            already = self._reason is not None
        if already:
            callback()

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(token, None)

        return unsubscribe

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Turn SIGTERM/SIGINT into a stop request while the block runs.

        Nested blocks share the outermost one's handlers. Outside the main thread (Slack beside
        Discord under `run`) nothing is installed: the main thread's handlers reach every
        subscriber anyway. On leaving the outermost block the old handlers come back and the
        request is forgotten, so a process (or a test) can serve again.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        with self._lock:
            self._depth += 1
            outermost = self._depth == 1
        if outermost:
            for sig in _SIGNALS:
                self._previous[sig] = signal.signal(sig, self._on_signal)
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                last = self._depth == 0
            if last:
                for sig, handler in self._previous.items():
                    signal.signal(sig, handler)
                self._previous.clear()
                with self._lock:
                    self._reason = None

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.requested:
            log.warning("%s again: stopping without waiting", name)
            raise KeyboardInterrupt
        self.request(name)


STOP = StopRequest()


class InFlight:
    """Counts the questions being answered, and refuses new ones once closing.

    Thread-safe, so the same object serves Discord handlers on an event loop (wait for it with
    `asyncio.to_thread(inflight.wait_idle, timeout)`) and Slack listeners on worker threads.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0
        self._closing = False

    @property
    def closing(self) -> bool:
        return self._closing

    @property
    def count(self) -> int:
        return self._count

    @contextlib.contextmanager
    def track(self) -> Iterator[bool]:
        """Yields whether the work is admitted; admitted work is counted until the block ends."""
        with self._cond:
            if self._closing:
                admitted = False
            else:
                admitted = True
                self._count += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._cond:
                    self._count -= 1
                    self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is in flight; False if `timeout` seconds were not enough."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout)
