"""`main()` end to end against the fake: the exit codes and log lines an operator relies on."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from bot.adapters.discord_app import main

from tests.adapters.discord.conftest import set_env
from tests.adapters.discord.fake_discord import TOKEN, FakeDiscord, serve_in_thread

WRONG_TOKEN = "wrong.discord-token.abcdefghijklmnop1234"


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`main` reads ./.env; run where there is none, so a developer's own .env cannot leak in."""
    monkeypatch.chdir(tmp_path)


def test_a_bad_token_exits_non_zero_without_logging_the_token(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    with serve_in_thread(FakeDiscord(token=TOKEN)) as fake:
        set_env(monkeypatch, fake, DISCORD_TOKEN=WRONG_TOKEN)
        code = main()

    assert code != 0
    assert fake.matching("GET", r"/users/@me", status=401)
    assert "Discord refused DISCORD_TOKEN" in caplog.text
    captured = capsys.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert WRONG_TOKEN not in text


def test_a_missing_message_content_intent_exits_non_zero_and_says_what_to_enable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_in_thread(FakeDiscord(token=TOKEN, allow_message_content=False)) as fake:
        set_env(monkeypatch, fake)
        code = main()

    assert code != 0
    assert fake.gateway.identifies, "the bot never reached the gateway"
    assert "Message Content Intent" in caplog.text
    assert TOKEN not in caplog.text


def test_a_missing_token_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    set_env(monkeypatch, fake)
    monkeypatch.delenv("DISCORD_TOKEN")

    assert main() == 2
    assert "DISCORD_TOKEN is not set" in caplog.text


def test_an_unreachable_discord_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    set_env(monkeypatch, FakeDiscord(), DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}/api/v10")

    assert main() == 1
    assert "Cannot reach Discord" in caplog.text


def test_an_unreachable_database_exits_non_zero_naming_it_without_the_password(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with serve_in_thread(FakeDiscord(token=TOKEN)) as fake:
        set_env(monkeypatch, fake)
        monkeypatch.setenv("DATABASE_URL", f"postgresql://bot:s3cret@127.0.0.1:{port}/study")
        code = main()

    assert code == 1
    assert f"cannot open the database postgresql://bot:***@127.0.0.1:{port}/study" in caplog.text
    assert "Cannot reach Discord" not in caplog.text
    assert "s3cret" not in caplog.text
