"""SIGTERM, as `docker stop` sends it, to a real bot process with a question in flight.

Each test makes one answer slow the way the platform can: the platform API answers the bot's
first attempt to post it with HTTP 429 and a Retry-After, so the answer is still on its way when
the signal arrives. The process must stop taking new questions, post that answer anyway, close
its connections and exit 0; its JSON log must parse and hold no token.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from bot.logs import REDACTED

from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlackApi
from tests.adapters.slack.harness import SECRET, TOKEN, signed_post
from tests.conftest import MINI_PACK
from tests.ship.helpers import (
    START_TIMEOUT,
    bot_command,
    clean_env,
    free_port,
    json_lines,
    stop,
    wait_healthy,
)

WAIT = 10.0
QUESTION = "when did the weapon sales stop"
MESSAGES = r"/channels/\d+/messages"


def mention_event(text: str, event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": {
                "type": "app_mention",
                "user": "U1ASKER",
                "text": f"<@U0BOT> {text}",
                "ts": "1700000000.000100",
                "event_ts": "1700000000.000100",
                "channel": "C1STUDY",
                "team": TEAM_ID,
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}],
        }
    )


def port_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except OSError:
        return True


def wait_for(predicate: Any, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


def check_log(stderr: str, platform: str, secrets: tuple[str, ...]) -> list[dict[str, Any]]:
    records = json_lines(stderr)
    questions = [r for r in records if r["event"] == "question"]
    assert [(q["platform"], q["status"], q["entry_id"]) for q in questions] == [
        (platform, "answered", "arms-halt")
    ]
    assert "weapon" not in json.dumps(questions)  # no question text unless LOG_QUESTIONS=1
    assert any(r["message"].startswith("stopping (SIGTERM)") for r in records)
    for secret in secrets:
        assert secret not in stderr
    return records


def test_sigterm_during_a_slack_question_answers_it_and_exits_0(tmp_path: Path) -> None:
    fake = FakeSlackApi().start()
    events_port, ops_port = free_port(), free_port()
    # Everything but the secrets from the config file, as a deployment would have it.
    config = tmp_path / "bot.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "knowledge_dir": str(MINI_PACK),
                "cooldown": {"seconds": 0},
                "logging": {"format": "json", "level": "info"},
                "metrics": {"host": "127.0.0.1", "port": ops_port},
                "slack": {
                    "http_host": "127.0.0.1",
                    "http_port": events_port,
                    "api_base_url": fake.api_url,
                },
            }
        )
    )
    env = clean_env(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET)
    process = subprocess.Popen(
        bot_command("slack", "--config", str(config)),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = wait_healthy(f"http://127.0.0.1:{ops_port}/healthz", process)
        assert health["checks"]["slack"]["state"] == "serving"
        assert health["checks"]["knowledge"]["entries"] == 4

        fake.rate_limit("chat.postMessage", times=1, retry_after=2)
        events = f"http://127.0.0.1:{events_port}/slack/events"
        assert signed_post(events, mention_event(QUESTION, "Ev1"), "application/json").status == 200
        wait_for(lambda: fake.calls("chat.postMessage"), "the first, rate-limited, post")
        assert not fake.calls("chat.postMessage", ok_only=True)

        process.send_signal(signal.SIGTERM)
        # No new questions: the events port closes while the answer is still on its way.
        wait_for(lambda: port_closed(events_port), "the events port to close")
        assert not fake.calls("chat.postMessage", ok_only=True)

        (answer,) = fake.wait_for("chat.postMessage", timeout=WAIT)
        assert "2006" in answer.dump()
        _, stderr = process.communicate(timeout=WAIT)
    finally:
        stop(process)
        fake.stop()
    assert process.returncode == 0, stderr
    records = check_log(stderr, "slack", (TOKEN, SECRET))
    assert any("Slack request(s) in flight" in r["message"] for r in records)


class Output:
    """A subprocess's stderr, read as it comes, so a test can wait for a given line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.lines.append(line.decode())
            self._changed.set()

    async def wait_for(self, text: str) -> None:
        async with asyncio.timeout(WAIT):
            while not any(text in line for line in self.lines):
                self._changed.clear()
                await self._changed.wait()

    async def text(self) -> str:
        await asyncio.wait_for(self._task, WAIT)
        return "".join(self.lines)


async def wait_healthy_async(url: str, process: asyncio.subprocess.Process) -> dict[str, Any]:
    async with asyncio.timeout(START_TIMEOUT), aiohttp.ClientSession() as session:
        while True:
            assert process.returncode is None, "the bot exited early"
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        data: dict[str, Any] = await response.json()
                        return data
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)


async def test_sigterm_during_a_discord_question_answers_it_and_exits_0(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    ops_port = free_port()
    env = clean_env(
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE_URL=fake.api_base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        BOT_KNOWLEDGE_DIR=str(MINI_PACK),
        BOT_COOLDOWN_SECONDS="0",
        METRICS_HOST="127.0.0.1",
        METRICS_PORT=str(ops_port),
        LOG_FORMAT="json",
    )
    # `run` picks Discord because only its token is set: the image's own command.
    process = await asyncio.create_subprocess_exec(
        *bot_command("run"),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    output = Output(process.stderr)
    try:
        health = await wait_healthy_async(f"http://127.0.0.1:{ops_port}/healthz", process)
        assert health["checks"]["discord"]["state"] == "ready"
        await fake.wait_streaming()

        fake.rate_limit_next("POST", MESSAGES, retry_after=1.5)
        await fake.user_says(QUESTION)
        await fake.wait_until(lambda: bool(fake.matching("POST", MESSAGES, status=429)), WAIT)

        process.send_signal(signal.SIGTERM)
        await output.wait_for("stopping (SIGTERM)")
        # Asked after the signal: not taken (the gateway is still open, the bot just declines).
        await fake.user_says("who wrote this?")

        await fake.wait_until(lambda: bool(fake.matching("POST", MESSAGES, status=200)), WAIT)
        returncode = await asyncio.wait_for(process.wait(), WAIT)
        stderr = await output.text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()

    assert returncode == 0, stderr
    (answer,) = fake.matching("POST", MESSAGES, status=200)
    assert "2006" in json.dumps(answer.body)
    check_log(stderr, "discord", (fake.token,))
    assert REDACTED not in stderr  # nothing needed redacting: the bot never logged the token


async def test_run_with_both_platforms_stops_both_on_one_sigterm(tmp_path: Path) -> None:
    discord = FakeDiscord()
    await discord.start()
    slack = FakeSlackApi().start()
    ops_port, events_port = free_port(), free_port()
    env = clean_env(
        DISCORD_TOKEN=discord.token,
        DISCORD_API_BASE_URL=discord.api_base_url,
        DISCORD_GATEWAY_URL=discord.gateway_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_BASE_URL=slack.api_url,
        SLACK_HTTP_HOST="127.0.0.1",
        SLACK_HTTP_PORT=str(events_port),
        BOT_KNOWLEDGE_DIR=str(MINI_PACK),
        METRICS_HOST="127.0.0.1",
        METRICS_PORT=str(ops_port),
        LOG_FORMAT="json",
    )
    process = await asyncio.create_subprocess_exec(
        *bot_command("run"),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    output = Output(process.stderr)
    try:
        url = f"http://127.0.0.1:{ops_port}/healthz"
        health = await wait_healthy_async(url, process)
        assert {name: check["ok"] for name, check in health["checks"].items()} == {
            "knowledge": True,
            "discord": True,
            "slack": True,
            "database": True,
        }
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), WAIT)
        stderr = await output.text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await discord.close()
        slack.stop()
    assert returncode == 0, stderr
    assert port_closed(events_port)
    messages = [r["message"] for r in json_lines(stderr)]
    assert sum(m.startswith("stopping (SIGTERM)") for m in messages) == 1
    for secret in (discord.token, TOKEN, SECRET):
        assert secret not in stderr
