"""Per-user cooldowns: a flood gets one polite notice, then silence until the window passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    ALLOW = "allow"
    NOTICE = "notice"  # refused; tell the user once
    SILENT = "silent"  # refused again within the same window; say nothing


@dataclass
class _Window:
    started: float
    used: int
    noticed: bool


class Cooldown:
    """`rate` questions per `per` seconds for each key (a user, or a user in a channel).

    A fixed window is enough here: it is what users read as "wait a few seconds", and unlike a
    token bucket it gives a clear moment after which the user may ask again.
    """

    def __init__(
        self,
        rate: int = 1,
        per: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.rate = max(1, rate)
        self.per = max(0.0, per)
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._max_keys = max_keys

    def check(self, key: str) -> Verdict:
        if self.per <= 0:
            return Verdict.ALLOW
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now - window.started >= self.per:
            if len(self._windows) >= self._max_keys:
                self._prune(now)
            self._windows[key] = _Window(now, 1, False)
            return Verdict.ALLOW
        if window.used < self.rate:
            window.used += 1
            return Verdict.ALLOW
        if window.noticed:
            return Verdict.SILENT
        window.noticed = True
        return Verdict.NOTICE

    def retry_after(self, key: str) -> float:
        window = self._windows.get(key)
        if window is None:
            return 0.0
        return max(0.0, self.per - (self._clock() - window.started))

    def _prune(self, now: float) -> None:
        stale = [k for k, w in self._windows.items() if now - w.started >= self.per]
        for key in stale:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:
            self._windows.clear()


def cooldown_notice(seconds: float) -> str:
    return f"Easy there! You can ask again in {max(1, round(seconds))} s."
