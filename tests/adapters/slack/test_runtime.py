"""Start-up and modes: Socket Mode shares the HTTP listeners; `main()` fails clearly, quietly."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from bot.adapters.slack.listeners import register
from bot.adapters.slack.runtime import build_app, build_client, build_socket_mode_handler
from bot.adapters.slack_app import main
from bot.core.service import StudyService
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware.custom_middleware import CustomMiddleware

from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlackApi
from tests.adapters.slack.harness import (
    SECRET,
    SLACK_VARS,
    TOKEN,
    SlackBot,
    settings_for,
    signed_post,
)
from tests.conftest import MINI_PACK, REPO

BAD_TOKEN = "xoxb-1111-2222-ThisTokenIsWrongAndSecret"

SAMPLES: dict[str, dict[str, Any]] = {
    "slash command": {"command": "/ask", "text": "topics", "user_id": "U1", "channel_id": "C1"},
    "mention": {
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {"type": "app_mention", "user": "U1", "channel": "C1", "text": "hi"},
    },
    "direct message": {
        "type": "event_callback",
        "event_id": "Ev2",
        "event": {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1"},
    },
    **{
        f"click {action_id}": {
            "type": "block_actions",
            "user": {"id": "U1"},
            "actions": [{"type": "button", "action_id": action_id, "value": "{}"}],
        }
        for action_id in (
            "studybot.suggest.0",
            "studybot.feedback.up",
            "studybot.feedback.down",
            "studybot.delete",
        )
    },
}


def _name(function: Callable[..., Any]) -> str:
    return str(getattr(function, "__func__", function).__qualname__)


def wiring(app: App) -> dict[str, Any]:
    """What the app does with each kind of request: global middleware and the listener it runs."""
    routes = {}
    for label, body in SAMPLES.items():
        request = BoltRequest(body=body, mode="socket_mode")
        routes[label] = [
            _name(listener.ack_function)
            for listener in app._listeners
            if listener.matches(req=request, resp=BoltResponse(status=200))
        ]
    middleware = [_name(m.func) for m in app._middleware_list if isinstance(m, CustomMiddleware)]
    listeners = sorted(_name(listener.ack_function) for listener in app._listeners)
    return {"middleware": middleware, "listeners": listeners, "routes": routes}


def test_socket_mode_app_runs_the_same_listeners(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    http_bot = make_bot()
    settings = settings_for(fake, app_token="xapp-1-A0APP-test", signing_secret="")
    socket_app = build_app(settings, build_client(settings))
    register(socket_app, StudyService(MINI_PACK), settings)
    handler: Any = build_socket_mode_handler(socket_app, settings)  # built, never connected
    try:
        assert handler.app is socket_app
        expected = wiring(http_bot.app)
        assert wiring(socket_app) == expected
        assert all(len(found) == 1 for found in expected["routes"].values()), expected
        assert expected["middleware"] == ["SlackListeners.dedupe_events"]

        # A Socket Mode request (no signature: the WebSocket is the authentication) is answered.
        command = {
            "command": "/ask",
            "text": "when did weapon sales stop",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": TEAM_ID,
            "response_url": fake.response_url("socket"),
        }
        assert socket_app.dispatch(BoltRequest(body=command, mode="socket_mode")).status == 200
        (answer,) = fake.wait_for("response_url")
        assert "¶2" in answer.body["text"]
    finally:
        handler.close()
    assert not [c for c in fake.calls() if c.method == "apps.connections.open"]


@pytest.fixture
def slack_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeSlackApi
) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_BASE_URL", fake.api_url)
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(MINI_PACK))
    return monkeypatch


def test_main_with_a_bad_token_fails_clearly_without_logging_it(
    slack_env: pytest.MonkeyPatch,
    fake: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack_env.setenv("SLACK_BOT_TOKEN", BAD_TOKEN)
    caplog.set_level(logging.DEBUG)
    assert main() == 1
    assert [c.token for c in fake.calls("auth.test")] == [BAD_TOKEN]  # it was really tried
    out = capsys.readouterr()
    shown = caplog.text + out.out + out.err
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in caplog.text
    assert BAD_TOKEN not in shown
    assert "ThisTokenIsWrongAndSecret" not in shown


def test_main_without_a_token_says_which_variable(
    slack_env: pytest.MonkeyPatch, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    assert main() == 2
    assert "SLACK_BOT_TOKEN is not set" in caplog.text
    assert fake.calls() == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_main_serves_http_until_sigterm(fake: FakeSlackApi, tmp_path: Path) -> None:
    """The whole start-up path in a process of its own, stopped the way a container stops it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env |= {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_BASE_URL": fake.api_url,
        "SLACK_HTTP_HOST": "127.0.0.1",
        "SLACK_HTTP_PORT": str(port),
        "BOT_KNOWLEDGE_DIR": str(MINI_PACK),
        "PYTHONPATH": str(REPO),
    }
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "from bot.adapters.slack_app import main\n"
        "sys.exit(main())\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(f"{base}/healthz", process)
        form = {
            "command": "/ask",
            "text": "when did weapon sales stop",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": TEAM_ID,
            "response_url": fake.response_url("main"),
        }
        result = signed_post(
            f"{base}/slack/events", urlencode(form), "application/x-www-form-urlencoded"
        )
        assert result.status == 200
        (answer,) = fake.wait_for("response_url")
        assert "¶2" in answer.body["text"]
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=5)
    assert process.returncode == 0, stderr
    assert "Slack events at http://127.0.0.1" in stderr
    assert TOKEN not in stderr and SECRET not in stderr


def _wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the bot exited early: {process.communicate()[1]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{url} not healthy after {timeout}s")


def test_main_in_socket_mode_with_a_bad_app_token_fails_clearly(
    slack_env: pytest.MonkeyPatch, fake: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    app_token = "xapp-1-A0APP-1234-ThisAppTokenIsWrong"
    slack_env.setenv("SLACK_BOT_TOKEN", TOKEN)
    slack_env.setenv("SLACK_APP_TOKEN", app_token)
    caplog.set_level(logging.DEBUG)
    assert main() == 1
    assert [c.token for c in fake.calls("apps.connections.open")] == [app_token]
    assert "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in caplog.text
    assert "ThisAppTokenIsWrong" not in caplog.text
