"""Health checks that `/healthz` runs: a registry any part of the bot can add a check to.

Each platform registers its connection check when it starts and removes it when it stops; the
knowledge pack registers its own. A database, once there is one, registers a `database` check
the same way. The report is healthy only when every registered check passes.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.service import StudyService


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


Check = Callable[[], CheckResult | Awaitable[CheckResult]]


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, CheckResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.checks.items() if not result.ok]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "failing",
            "failing": self.failing,
            "checks": {
                name: {"ok": result.ok, **result.detail} for name, result in self.checks.items()
            },
        }


class HealthRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checks: dict[str, Check] = {}

    def register(self, name: str, check: Check) -> Callable[[], None]:
        """Add (or replace) the check called `name`; returns a function that removes it."""
        with self._lock:
            self._checks[name] = check

        def unregister() -> None:
            with self._lock:
                # Only our own: someone may have registered the same name since.
                if self._checks.get(name) is check:
                    del self._checks[name]

        return unregister

    def expect(self, name: str, reason: str = "starting") -> Callable[[], None]:
        """A failing placeholder, so a component that has not come up yet is not missed."""
        return self.register(name, lambda: CheckResult(False, {"state": reason}))

    def names(self) -> list[str]:
        with self._lock:
            return list(self._checks)

    async def run(self, limit: float = 2.0) -> HealthReport:
        """Run every check concurrently; one that raises or takes over `limit` seconds fails."""
        with self._lock:
            checks = dict(self._checks)
        names = list(checks)
        results = await asyncio.gather(*(_run_one(checks[n], limit) for n in names))
        return HealthReport(dict(zip(names, results, strict=True)))


async def _run_one(check: Check, limit: float) -> CheckResult:
    try:
        async with asyncio.timeout(limit):
            if inspect.iscoroutinefunction(check):
                result = await check()
            else:
                # A synchronous check may block (a database ping): keep it off the loop.
                result = await asyncio.to_thread(check)
                if inspect.isawaitable(result):
                    result = await result
    except TimeoutError:
        return CheckResult(False, {"error": f"no answer within {limit:g}s"})
    except Exception as exc:
        return CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})
    if not isinstance(result, CheckResult):
        return CheckResult(False, {"error": "the check returned no result"})
    return result


HEALTH = HealthRegistry()


def knowledge_check(service: Callable[[], StudyService | None]) -> Check:
    """Healthy once a pack with at least one entry is loaded."""

    def check() -> CheckResult:
        current = service()
        if current is None:
            return CheckResult(False, {"state": "not loaded"})
        entries = len(current.kb.entries)
        return CheckResult(entries > 0, {"entries": entries, "folder": str(current.knowledge_dir)})

    return check
