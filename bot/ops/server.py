"""The optional operations endpoint (`METRICS_PORT`): `/healthz` and `/metrics`.

It runs on a thread and event loop of its own, so it answers the same way whichever platform
runs (Discord's loop, Slack's worker threads or both) and keeps answering while they stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator

from aiohttp import web

from bot.config import MetricsSettings
from bot.ops import metrics
from bot.ops.health import HEALTH, HealthRegistry

log = logging.getLogger("bot.ops")

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
START_TIMEOUT = 10.0


def bound_port(runner: web.AppRunner | None) -> int:
    """The TCP port an aiohttp runner listens on, which tests start on port 0."""
    if runner is None:
        raise RuntimeError("the server is not running")
    for address in runner.addresses:
        if isinstance(address, tuple):
            return int(address[1])
    raise RuntimeError("the server has no TCP address")


class OpsServer:
    def __init__(
        self, host: str, port: int, health: HealthRegistry = HEALTH, check_timeout: float = 2.0
    ) -> None:
        self._host = host
        self._port = port
        self._health = health
        self._check_timeout = check_timeout
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started with port 0)."""
        return bound_port(self._runner)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(HEALTH_PATH, self._healthz)
        app.router.add_get(METRICS_PATH, self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await self._health.run(self._check_timeout)
        return web.json_response(report.to_json(), status=200 if report.ok else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        body, content_type = metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})


class OpsServerThread:
    """An OpsServer on a daemon thread; `start()` returns once the port is bound."""

    def __init__(self, server: OpsServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="ops-http", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.server.start(), self._loop)
        try:
            future.result(START_TIMEOUT)
        except BaseException:
            self._halt()
            raise

    def stop(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop)
        with contextlib.suppress(Exception):
            future.result(START_TIMEOUT)
        self._halt()

    def _halt(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()


@contextlib.contextmanager
def ops_endpoint(settings: MetricsSettings, expected: tuple[str, ...] = ()) -> Iterator[None]:
    """Serve `/healthz` and `/metrics` while the block runs, if a port is configured.

    `expected` names checks that fail as "starting" until their component registers the real
    one, so an orchestrator never sees a healthy bot that has not connected yet.
    """
    if settings.port is None:
        yield
        return
    metrics.install()
    placeholders = [HEALTH.expect(name) for name in expected if name not in HEALTH.names()]
    thread = OpsServerThread(OpsServer(settings.host, settings.port))
    try:
        thread.start()
    except OSError as exc:
        for remove in placeholders:
            remove()
        raise OSError(
            f"cannot serve /healthz and /metrics on {settings.host}:{settings.port}: {exc}"
        ) from exc
    log.info(
        "health and metrics at http://%s:%s%s and %s",
        settings.host,
        thread.server.port,
        HEALTH_PATH,
        METRICS_PATH,
    )
    try:
        yield
    finally:
        thread.stop()
        for remove in placeholders:
            remove()
