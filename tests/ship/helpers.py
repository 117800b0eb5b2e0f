"""Running the bot as a real process, the way a container runs it: a clean environment, a
working folder with no `.env`, ports on 127.0.0.1, and waits that always end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bot.config import CONFIG_ENV, KEYS, SECRETS

from tests.conftest import REPO

# Every variable the bot reads, so the developer's own settings cannot leak into a test.
BOT_VARS = frozenset(
    {k.env for k in KEYS if k.env} | {s.env for s in SECRETS} | {CONFIG_ENV, "LOG_QUESTIONS"}
)
START_TIMEOUT = 20.0


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARS}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def bot_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def run_bot(
    *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        bot_command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_healthy(
    url: str, process: subprocess.Popen[str], timeout: float = START_TIMEOUT
) -> dict[str, Any]:
    """Poll `url` until it answers 200; fail early, with the bot's output, if the bot exits."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, stderr = process.communicate(timeout=5)
            raise AssertionError(f"the bot exited early ({process.returncode}):\n{stderr}")
        try:
            status, body = get(url, timeout=1)
        except OSError as exc:
            last = exc
        else:
            last = (status, body)
            if status == 200:
                data: dict[str, Any] = json.loads(body)
                return data
        time.sleep(0.05)
    raise AssertionError(f"{url} not healthy after {timeout}s; last answer: {last!r}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=5)


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text` as a JSON object; any line that is not one fails the test."""
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
        assert isinstance(record, dict), line
        records.append(record)
    return records
