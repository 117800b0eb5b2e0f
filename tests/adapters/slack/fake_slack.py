"""A recording fake of the Slack Web API and of response URLs, on 127.0.0.1.

Point a WebClient at `api_url` and slash commands' `response_url` at `response_url(...)`; every
request is recorded (method, decoded form or JSON body, HTTP status) and tests wait for the calls
they expect. `rate_limit(method, times)` makes the next calls answer 429 `ratelimited`;
`add_user(...)` is what `users.info` knows (anyone else is `user_not_found`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

RESPONSE_PATH = "/response/"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0TEAM"


@dataclass(frozen=True)
class Call:
    method: str  # Web API method, or "response_url"
    path: str
    body: dict[str, Any]
    status: int
    token: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def dump(self) -> str:
        """The body as JSON text, for asserting on everything that was posted."""
        return json.dumps(self.body, ensure_ascii=False)


class FakeSlackApi:
    def __init__(self, valid_tokens: tuple[str, ...] = ("xoxb-test-token",)) -> None:
        self.valid_tokens = set(valid_tokens)
        self._calls: list[Call] = []
        self._cond = threading.Condition()
        self._rate_limited: dict[str, int] = {}
        self._retry_after = 0
        self._failing: dict[str, tuple[str, int]] = {}
        self._ts = itertools.count(1)
        self._users: dict[str, dict[str, Any]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"{self.base}{RESPONSE_PATH}{name}"

    # -- behaviour ---------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 `ratelimited`."""
        with self._cond:
            self._rate_limited[method] = times
            self._retry_after = retry_after

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        with self._cond:
            self._failing[method] = (error, times)

    def add_user(
        self, user_id: str, name: str, *, admin: bool = False, owner: bool = False
    ) -> None:
        """A workspace member as `users.info` describes one (the fields the bot reads)."""
        with self._cond:
            self._users[user_id] = {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name.lower().replace(" ", "."),
                "deleted": False,
                "real_name": name,
                "is_admin": admin,
                "is_owner": owner,
                "is_primary_owner": False,
                "is_bot": False,
                "profile": {"display_name": name, "real_name": name},
            }

    # -- what was called ---------------------------------------------------------------------

    def calls(self, method: str | None = None, *, ok_only: bool = False) -> list[Call]:
        with self._cond:
            found = [c for c in self._calls if method is None or c.method == method]
        return [c for c in found if c.ok] if ok_only else found

    def texts(self, method: str = "chat.postMessage", channel: str | None = None) -> list[str]:
        """The `text` of every successful `method` call (in `channel`), in order."""
        return [
            str(c.body.get("text", ""))
            for c in self.calls(method, ok_only=True)
            if channel is None or c.body.get("channel") == channel
        ]

    def posts(self) -> list[Call]:
        """Everything that would reach users: messages, ephemerals, updates, response URLs."""
        methods = {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"}
        return [c for c in self.calls() if c.method in methods]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `count` successful calls of `method` (matching `where`) were recorded."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c
                    for c in self._calls
                    if c.method == method and c.ok and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} x {method}; saw {seen}"
                    )
                self._cond.wait(left)

    # -- the HTTP side -----------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _take_rate_limit(self, method: str) -> int | None:
        with self._cond:
            left = self._rate_limited.get(method, 0)
            if left <= 0:
                return None
            self._rate_limited[method] = left - 1
            return self._retry_after

    def _answer(self, method: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "auth.test":
            if token not in self.valid_tokens:
                return {"ok": False, "error": "invalid_auth"}
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Study Group",
                "user": "studybot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if token not in self.valid_tokens:
            return {"ok": False, "error": "invalid_auth"}
        with self._cond:
            error, left = self._failing.get(method, ("", 0))
            if left > 0:
                self._failing[method] = (error, left - 1)
                return {"ok": False, "error": error}
        ts = f"1700000{next(self._ts):03d}.000100"
        channel = body.get("channel", "")
        if method == "chat.postMessage":
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, **body}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("chat.update", "chat.delete"):
            return {"ok": True, "channel": channel, "ts": body.get("ts", ts)}
        if method == "users.info":
            with self._cond:
                user = self._users.get(str(body.get("user", "")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        return {"ok": False, "error": "unknown_method"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                body = _decode(raw, self.headers.get("Content-Type") or "")
                if self.path.startswith(RESPONSE_PATH):
                    fake._record(Call("response_url", self.path, body, 200))
                    self._send(200, b"ok", "text/plain")
                    return
                self._api(body)

            def do_GET(self) -> None:
                # slack_sdk reads some methods (users.info) with GET and a query string.
                query = self.path.partition("?")[2]
                self._api({k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()})

            def _api(self, body: dict[str, Any]) -> None:
                method = self.path.removeprefix("/api/").split("?")[0]
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
                token = token or body.get("token")
                retry_after = fake._take_rate_limit(method)
                if retry_after is not None:
                    fake._record(Call(method, self.path, body, 429, token))
                    payload = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, payload, "application/json", {"Retry-After": str(retry_after)})
                    return
                answer = fake._answer(method, body, token)
                fake._record(Call(method, self.path, body, 200, token))
                self._send(200, json.dumps(answer).encode(), "application/json")

            def _send(
                self,
                status: int,
                payload: bytes,
                content_type: str,
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output to what the tests print

        return Handler


def _decode(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        data = json.loads(raw or "{}")
        return data if isinstance(data, dict) else {"_": data}
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    # slack_sdk sends list arguments such as `blocks` as JSON strings inside a form.
    for key in ("blocks", "attachments"):
        if isinstance(form.get(key), str):
            with contextlib.suppress(ValueError):
                form[key] = json.loads(form[key])
    return form
