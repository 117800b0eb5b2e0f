"""Building and serving the Bolt app: the Web API client, the token check, HTTP and Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from aiohttp import web
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.adapters.slack.settings import EVENTS_PATH, SlackSettings
from bot.ops.health import HEALTH, CheckResult
from bot.ops.lifecycle import STOP
from bot.ops.server import bound_port

log = logging.getLogger("bot.adapters.slack")

RATE_LIMIT_RETRIES = 3
HEALTH_PATH = "/healthz"
# Bolt holds a request until its listener acks (at most 3 s), so requests need threads of
# their own, not the event loop.
DISPATCH_THREADS = 16


LISTENER_THREADS = 10

P = ParamSpec("P")
T = TypeVar("T")


class StartupError(Exception):
    """Slack refused the credentials or could not be reached; the message says which."""


class ListenerExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting the runs not yet finished so shutdown can wait for them.

    Bolt acknowledges a request before its listener answers, so "in flight" means submitted
    here and not yet done, whatever the HTTP server or the socket has already finished.
    """

    def __init__(self, threads: int = LISTENER_THREADS) -> None:
        super().__init__(max_workers=threads, thread_name_prefix="slack-listener")
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._cond:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any] | None) -> None:
        with self._cond:
            self._pending -= 1
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def drain(self, grace: float) -> bool:
        """Wait up to `grace` seconds for every listener run; False if some were still going."""
        if self._pending:
            log.info("waiting up to %gs for %d Slack request(s) in flight", grace, self._pending)
        with self._cond:
            idle = self._cond.wait_for(lambda: self._pending == 0, grace)
        if not idle:
            log.warning("%d Slack request(s) still running after %gs", self._pending, grace)
        self.shutdown(wait=False, cancel_futures=True)
        return idle


def build_client(settings: SlackSettings, logger: logging.Logger | None = None) -> WebClient:
    """The Web API client: SLACK_API_BASE_URL honoured, and a 429 retried after Retry-After."""
    options: dict[str, Any] = {
        "token": settings.bot_token,
        "retry_handlers": [
            *default_retry_handlers(),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
        "logger": logger or logging.getLogger("bot.adapters.slack.web"),
    }
    if settings.api_base_url:
        options["base_url"] = settings.api_base_url
    return WebClient(**options)


def verify_token(client: WebClient) -> dict[str, Any]:
    """auth.test, turned into a clear StartupError (never showing the token) when it fails."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error", "unknown_error")
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token (xoxb-...) "
            "again from your app's OAuth & Permissions page, and install the app to the "
            "workspace if you have not."
        ) from None
    except OSError as exc:
        raise StartupError(
            f"Could not reach the Slack Web API at {client.base_url}: {exc}"
        ) from None
    return dict(response.data) if isinstance(response.data, dict) else {}


def build_app(
    settings: SlackSettings,
    client: WebClient,
    *,
    listener_executor: Executor | None = None,
) -> App:
    """The Bolt app, with request verification on (Socket Mode requests skip it by design)."""
    return App(
        name="studybot",
        client=client,
        signing_secret=settings.signing_secret,
        listener_executor=listener_executor,
        logger=logging.getLogger("bot.adapters.slack.bolt"),
    )


def build_socket_mode_handler(app: App, settings: SlackSettings) -> SocketModeHandler:
    """Socket Mode over slack_sdk's built-in WebSocket client; connects only on `connect()`."""
    return SocketModeHandler(
        app,
        app_token=settings.app_token,
        logger=logging.getLogger("bot.adapters.slack.socket"),
    )


class SlackHttpServer:
    """Serves a Bolt app over HTTP at `path` (POST) with a health check for load balancers."""

    def __init__(
        self,
        app: App,
        host: str,
        port: int,
        path: str = EVENTS_PATH,
        threads: int = DISPATCH_THREADS,
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slack-http")
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started with port 0)."""
        return bound_port(self._runner)

    async def start(self) -> None:
        web_app = web.Application()
        web_app.router.add_post(self._path, self._events)
        web_app.router.add_get(HEALTH_PATH, self._health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._executor.shutdown(wait=False, cancel_futures=True)

    def health(self) -> CheckResult:
        """For `/healthz`: is the events endpoint up?"""
        if self._runner is None:
            return CheckResult(False, {"mode": "http", "state": "not serving"})
        return CheckResult(True, {"mode": "http", "state": "serving", "port": self.port})

    async def _events(self, request: web.Request) -> web.Response:
        bolt_request = BoltRequest(
            body=await request.text(),
            query=request.query_string,
            headers={key.lower(): request.headers.getall(key) for key in request.headers},
        )
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self._executor, self._app.dispatch, bolt_request)
        return web.Response(
            status=response.status,
            body=response.body.encode("utf-8"),
            headers=response.first_headers_without_set_cookie(),
        )

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")


async def serve_http(
    app: App, settings: SlackSettings, *, listeners: ListenerExecutor | None = None
) -> None:
    """Serve until SIGINT/SIGTERM (or cancellation), then finish what is in flight."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    server = SlackHttpServer(app, settings.http_host, settings.http_port)
    with STOP.handling_signals():
        unsubscribe = STOP.subscribe(lambda: _set_from_anywhere(loop, stop))
        try:
            await server.start()
            log.info("Slack events at http://%s:%s%s", settings.http_host, server.port, EVENTS_PATH)
            remove_check = HEALTH.register("slack", server.health)
            try:
                await stop.wait()
            finally:
                remove_check()
        finally:
            unsubscribe()
            # Closing the port first: Slack retries what it cannot deliver, elsewhere or later.
            await server.stop()
            if listeners is not None:
                await asyncio.to_thread(listeners.drain, settings.common.shutdown_timeout)


def _set_from_anywhere(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    if not loop.is_closed():
        loop.call_soon_threadsafe(event.set)


def socket_health(handler: Any) -> Callable[[], CheckResult]:
    """For `/healthz`: is the Socket Mode WebSocket connected?"""

    def check() -> CheckResult:
        connected = bool(handler.client.is_connected())
        state = "connected" if connected else "disconnected"
        return CheckResult(connected, {"mode": "socket", "state": state})

    return check


def run_socket_mode(
    app: App, settings: SlackSettings, *, listeners: ListenerExecutor | None = None
) -> None:
    """Connect over Socket Mode and block until stopped; a bad app token is a StartupError."""
    # slack_bolt leaves connect() and close() unannotated.
    handler: Any = build_socket_mode_handler(app, settings)
    with STOP.handling_signals():
        try:
            handler.connect()
        except SlackApiError as exc:
            handler.close()
            code = exc.response.get("error", "unknown_error")
            raise StartupError(
                f"Slack rejected SLACK_APP_TOKEN ({code}). Create an app-level token with the "
                "connections:write scope under Basic Information > App-Level Tokens, and turn "
                "on Socket Mode."
            ) from None
        except OSError as exc:
            handler.close()
            raise StartupError(f"Could not open a Socket Mode connection: {exc}") from None
        log.info("connected to Slack over Socket Mode")
        stop = threading.Event()
        unsubscribe = STOP.subscribe(stop.set)
        remove_check = HEALTH.register("slack", socket_health(handler))
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            unsubscribe()
            remove_check()
            # No new events once the socket is closed; answers go over the Web API, still open.
            handler.close()
            if listeners is not None:
                listeners.drain(settings.common.shutdown_timeout)
