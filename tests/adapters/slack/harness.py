"""The real Bolt app under test: served over HTTP on 127.0.0.1, fed correctly signed requests.

`SlackBot` wires the adapter exactly as `main()` does (client, app, `register`, HTTP server, and
with `desk` the study desk and the quiz recovery), with two test seams: the Web API base URL
points at the fake, and Bolt's listener executor counts the listener runs in flight, so
`settle()` knows when every answer has been sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

from bot.adapters.slack.desk import DeskThread
from bot.adapters.slack.listeners import SlackListeners, register
from bot.adapters.slack.runtime import SlackHttpServer, build_app, build_client
from bot.adapters.slack.settings import EVENTS_PATH, SlackSettings
from bot.config import CommonSettings
from bot.core.feedback import Feedback
from bot.core.service import StudyService
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlackApi
from tests.conftest import MINI_PACK

P = ParamSpec("P")
T = TypeVar("T")

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
TIMEOUT = 5.0
# Every variable the Slack adapter reads, cleared by tests that build settings from the environment.
SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_HTTP_PORT",
    "SLACK_HTTP_HOST",
    "SLACK_API_BASE_URL",
    "SLACK_COMMAND",
    "SLACK_ANSWER_VISIBILITY",
    "SLACK_MODERATOR_IDS",
    "BOT_KNOWLEDGE_DIR",
    "BOT_COOLDOWN_RATE",
    "BOT_COOLDOWN_SECONDS",
    "BOT_ALLOWED_CHANNELS",
)


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting runs from submission to completion.

    Bolt submits a listener before it answers the HTTP request, so once a request has returned,
    `wait_idle()` returning means everything that request set off is finished.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="bolt-listener")
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._cond:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._cond:
            self._pending -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float = TIMEOUT) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError(f"listeners still running after {timeout}s")


class RecordingFeedback:
    def __init__(self) -> None:
        self.votes: list[Feedback] = []

    def record(self, feedback: Feedback) -> None:
        self.votes.append(feedback)


class ServerThread:
    """Runs the adapter's aiohttp server on an event loop of its own."""

    def __init__(self, server: SlackHttpServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(TIMEOUT)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)
        self._loop.close()


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: str
    seconds: float


def settings_for(fake: FakeSlackApi, **overrides: Any) -> SlackSettings:
    common = overrides.pop("common", CommonSettings(knowledge_dir=MINI_PACK, cooldown_seconds=0))
    base = SlackSettings(
        bot_token=TOKEN,
        signing_secret=SECRET,
        http_host="127.0.0.1",
        http_port=0,
        api_base_url=fake.api_url,
        common=common,
    )
    return replace(base, **overrides)


@dataclass
class SlackBot:
    fake: FakeSlackApi
    settings: SlackSettings
    app: App
    listeners: SlackListeners
    executor: TrackingExecutor
    feedback: RecordingFeedback
    server: ServerThread
    desk: DeskThread | None = None
    closed: bool = False
    _event_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(
        cls,
        fake: FakeSlackApi,
        settings: SlackSettings,
        *,
        database: str | None = None,
        round_seconds: float = 30.0,
    ) -> SlackBot:
        """The bot; with `database` (a URL) also its study desk, as `main()` opens it.

        With a desk, votes go to the desk's store (as in `main()`), not to `feedback`.
        """
        executor = TrackingExecutor()
        app = build_app(settings, build_client(settings), listener_executor=executor)
        feedback = RecordingFeedback()
        service = StudyService(settings.common.knowledge_dir)
        desk = None
        if database is not None:
            desk = DeskThread.open(
                service,
                url=database,
                round_seconds=round_seconds,
                default_cooldown=settings.common.cooldown_seconds,
            )
            listeners = register(app, service, settings, desk=desk)
            listeners.recover_quizzes(TEAM_ID)
        else:
            listeners = register(app, service, settings, feedback=feedback)
        server = ServerThread(SlackHttpServer(app, "127.0.0.1", 0))
        server.start()
        return cls(fake, settings, app, listeners, executor, feedback, server, desk)

    def close(self) -> None:
        """Stop as `main()` does: the port, then the listeners in flight, then the desk."""
        if self.closed:
            return
        self.closed = True
        self.server.stop()
        self.executor.shutdown(wait=True)
        if self.desk is not None:
            self.desk.close()

    @property
    def study(self) -> DeskThread:
        assert self.desk is not None, "started without a database"
        return self.desk

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server.port}{EVENTS_PATH}"

    # -- requests ----------------------------------------------------------------------------

    def post(self, body: str, content_type: str, **options: Any) -> HttpResult:
        return signed_post(self.url, body, content_type, **options)

    def command(
        self,
        text: str,
        *,
        user: str = "U1ASKER",
        channel: str = "C1STUDY",
        command: str | None = None,
        response: str = "cmd",
        **post_options: Any,
    ) -> HttpResult:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "channel_name": "study",
            "user_id": user,
            "user_name": "student",
            "command": command or self.settings.command,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.fake.response_url(response),
            "trigger_id": "1.2.3",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **post_options)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        **post_options: Any,
    ) -> HttpResult:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": {"event_ts": event.get("ts", "1700000000.000100"), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._event_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}],
        }
        headers = dict(post_options.pop("headers", None) or {})
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(envelope), "application/json", headers=headers, **post_options)

    def mention(self, text: str, *, user: str = "U1ASKER", **options: Any) -> HttpResult:
        ts = str(options.pop("ts", "1700000000.000100"))
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": f"<@U0BOT> {text}",
            "ts": ts,
            "channel": "C1STUDY",
            "team": TEAM_ID,
        }
        if "thread_ts" in options:
            event["thread_ts"] = options.pop("thread_ts")
        return self.event(event, **options)

    def say(
        self,
        text: str,
        *,
        user: str,
        channel: str = "C1STUDY",
        ts: str | None = None,
        **options: Any,
    ) -> HttpResult:
        """A plain message in a channel (a `message.channels` event), such as a quiz answer."""
        event: dict[str, Any] = {
            "type": "message",
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts or f"1700001{next(self._event_ids):03d}.000100",
            "channel": channel,
            "team": TEAM_ID,
        }
        event |= options.pop("extra", {})
        return self.event(event, **options)

    def click(
        self,
        button: dict[str, Any],
        *,
        user: str,
        channel: str = "C1STUDY",
        message_ts: str = "1700000001.000100",
        ephemeral: bool = False,
        response: str = "click",
        **post_options: Any,
    ) -> HttpResult:
        """A block_actions payload for a click on `button` (an element the bot posted)."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "study"},
            "user": {"id": user, "name": "student", "team_id": TEAM_ID},
            "api_app_id": "A0APP",
            "token": "legacy-verification-token",
            "container": {
                "type": "ephemeral" if ephemeral else "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": "1.2.3",
            "channel": {"id": channel, "name": "study"},
            "message": {"type": "message", "ts": message_ts, "user": "U0BOT", "text": "answer"},
            "response_url": self.fake.response_url(response),
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button["value"],
                    "action_ts": "1700000002.000100",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **post_options)

    def settle(self) -> None:
        """Wait until every listener set off so far has finished (and so has posted)."""
        self.executor.wait_idle()


def signed_post(
    url: str,
    body: str,
    content_type: str,
    *,
    headers: dict[str, str] | None = None,
    timestamp: int | None = None,
    secret: str = SECRET,
) -> HttpResult:
    """POST `body` signed as Slack signs it (with `secret`, at `timestamp`)."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            **(headers or {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return HttpResult(response.status, response.read().decode(), _since(started))
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, exc.read().decode(), _since(started))


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def button(blocks: list[dict[str, Any]], action_prefix: str) -> dict[str, Any]:
    found = [b for b in buttons(blocks) if str(b["action_id"]).startswith(action_prefix)]
    assert found, f"no {action_prefix} button in {blocks}"
    return found[0]


def mrkdwn_texts(blocks: list[dict[str, Any]], block_type: str) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        if block.get("type") != block_type:
            continue
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(e["text"] for e in block.get("elements", []) if "text" in e)
    return texts


def _since(started: float) -> float:
    return time.monotonic() - started
