"""`/healthz` names every failing dependency and is 200 only when all pass; `/metrics` counts."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bot.adapters.discord.client import build_bot
from bot.adapters.discord.settings import DiscordSettings
from bot.adapters.slack.runtime import SlackHttpServer
from bot.core.service import StudyService
from bot.ops import metrics
from bot.ops.health import CheckResult, HealthRegistry, knowledge_check
from bot.ops.server import OpsServer
from discord.gateway import DiscordWebSocket
from discord.http import Route
from prometheus_client.parser import text_string_to_metric_families
from slack_bolt import App

from tests.adapters.discord.conftest import set_env
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.conftest import MINI_PACK, REPO
from tests.ship.helpers import clean_env

WAIT = 5.0


def tcp_check(port: int) -> Callable[[], Any]:
    """What a database check looks like: can we reach it? (asyncpg would also run SELECT 1.)"""

    async def check() -> CheckResult:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            return CheckResult(False, {"error": exc.strerror or str(exc)})
        writer.close()
        await writer.wait_closed()
        return CheckResult(True, {"port": port})

    return check


@pytest.fixture
async def ops() -> AsyncIterator[tuple[HealthRegistry, str]]:
    registry = HealthRegistry()
    server = OpsServer("127.0.0.1", 0, registry, check_timeout=1.0)
    await server.start()
    yield registry, f"http://127.0.0.1:{server.port}"
    await server.stop()


async def fetch(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def healthcheck_cli(url: str) -> tuple[int, str]:
    """`python -m bot healthcheck`, the image's HEALTHCHECK, against `url`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "healthcheck",
        "--url",
        url,
        env=clean_env(),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_healthz_names_each_failing_dependency_then_turns_healthy(
    ops: tuple[HealthRegistry, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    registry, base = ops
    fake = FakeDiscord()
    await fake.start()
    routes = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    set_env(monkeypatch, fake, BOT_DATA_DIR=str(tmp_path))
    discord_bot = build_bot(DiscordSettings.from_env(), guild_ready_timeout=0.05)
    slack_app = App(token="xoxb-test", signing_secret="s", token_verification_enabled=False)
    slack_server = SlackHttpServer(slack_app, "127.0.0.1", 0)
    database = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    db_port = database.sockets[0].getsockname()[1]
    database.close()
    await database.wait_closed()  # nothing listens there now: the database is "down"

    registry.register("knowledge", knowledge_check(lambda: discord_bot.service))
    registry.register("discord", discord_bot.health)
    registry.register("slack", slack_server.health)
    registry.register("database", tcp_check(db_port))
    task: asyncio.Task[None] | None = None
    try:
        status, body = await fetch(f"{base}/healthz")
        assert status == 503
        assert body["status"] == "failing"
        assert body["failing"] == ["knowledge", "discord", "slack", "database"]
        assert body["checks"]["knowledge"] == {"ok": False, "state": "not loaded"}
        assert body["checks"]["discord"] == {"ok": False, "state": "connecting"}
        assert body["checks"]["slack"]["state"] == "not serving"
        assert body["checks"]["database"]["ok"] is False
        code, output = await healthcheck_cli(f"{base}/healthz")
        assert code == 1 and "database" in output

        # Bring each one up for real.
        task = asyncio.create_task(discord_bot.start(fake.token))
        async with asyncio.timeout(WAIT):
            while not discord_bot.is_ready():
                assert not task.done(), "the Discord bot stopped before it was ready"
                await asyncio.sleep(0.01)
        await slack_server.start()
        database = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", db_port)

        status, body = await fetch(f"{base}/healthz")
        assert status == 200, body
        assert body["status"] == "ok" and body["failing"] == []
        assert body["checks"]["knowledge"]["entries"] == 4
        assert body["checks"]["discord"]["state"] == "ready"
        assert body["checks"]["slack"] == {
            "ok": True,
            "mode": "http",
            "state": "serving",
            "port": slack_server.port,
        }
        code, output = await healthcheck_cli(f"{base}/healthz")
        assert code == 0, output

        # Losing one dependency names just that one.
        await discord_bot.close()
        status, body = await fetch(f"{base}/healthz")
        assert status == 503
        assert body["failing"] == ["discord"]
        assert body["checks"]["discord"]["state"] == "closed"
    finally:
        await discord_bot.close()
        if task is not None:
            await asyncio.wait_for(task, WAIT)
        await slack_server.stop()
        database.close()
        await fake.close()
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = routes


async def test_a_check_that_hangs_or_raises_fails_without_blocking_the_others(
    ops: tuple[HealthRegistry, str],
) -> None:
    registry, base = ops

    async def hangs() -> CheckResult:
        await asyncio.sleep(60)
        return CheckResult(True)

    def raises() -> CheckResult:
        raise ConnectionRefusedError("connection refused")

    registry.register("knowledge", knowledge_check(lambda: StudyService(MINI_PACK)))
    registry.register("database", hangs)
    registry.register("cache", raises)
    async with asyncio.timeout(WAIT):
        status, body = await fetch(f"{base}/healthz")
    assert status == 503
    assert body["failing"] == ["database", "cache"]
    assert body["checks"]["database"]["error"] == "no answer within 1s"
    assert body["checks"]["cache"]["error"] == "ConnectionRefusedError: connection refused"
    assert body["checks"]["knowledge"]["ok"] is True


async def test_placeholders_fail_until_the_component_registers() -> None:
    registry = HealthRegistry()
    remove = registry.expect("discord")
    assert (await registry.run()).failing == ["discord"]
    registry.register("discord", lambda: CheckResult(True))
    remove()  # the placeholder's remover leaves the real check alone
    assert (await registry.run()).ok
    assert registry.names() == ["discord"]


def sample(text: str, name: str, labels: dict[str, str]) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


async def test_metrics_count_questions_latency_and_reload_failures(
    ops: tuple[HealthRegistry, str], tmp_path: Path
) -> None:
    _, base = ops
    metrics.install()
    metrics.install()  # idempotent: events are counted once
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    service = StudyService(pack)

    async def scrape() -> str:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
            return await response.text()

    before = await scrape()
    service.ask("when did the weapon sales stop", platform="metrics-test")
    service.ask("when did the weapon sales stop", platform="metrics-test")
    service.ask("capital of peru", platform="metrics-test")
    (pack / "broken.yaml").write_text("kind: qa\nentries: [\n")
    assert not service.reload().ok
    after = await scrape()

    answered = {"platform": "metrics-test", "status": "answered"}
    assert sample(after, "studybot_questions_total", answered) == 2
    assert sample(after, "studybot_questions_total", {**answered, "status": "no_match"}) == 1
    latency = {"platform": "metrics-test"}
    assert sample(after, "studybot_question_latency_seconds_count", latency) == 3
    assert sample(after, "studybot_question_latency_seconds_bucket", {**latency, "le": "+Inf"}) == 3
    failures = "studybot_knowledge_reload_failures_total"
    assert sample(after, failures, {}) == sample(before, failures, {}) + 1
