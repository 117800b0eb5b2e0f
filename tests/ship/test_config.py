"""The config file and the environment: precedence, errors naming the key, secrets masked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from bot.adapters.discord.client import build_bot
from bot.adapters.discord.settings import DiscordSettings
from bot.config import (
    CONFIG_ENV,
    KEYS,
    SECRETS,
    CommonSettings,
    ConfigError,
    load_config_file,
    parse_config,
)
from bot.core.matching import MatchSettings
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.adapters.discord.conftest import set_env
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.conftest import MINI_PACK, REPO
from tests.ship.helpers import clean_env, run_bot

# Answered at about 77 with the default thresholds; a stricter answer threshold makes it a
# "did you mean", which is how these tests see that the configured matcher is the one in use.
BORDERLINE = "what do they trade"
STRICT = {"matching": {"answer_threshold": 90, "suggest_threshold": 40}}

DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789"
SLACK_TOKEN = "xoxb-1111-2222-SecretSlackTokenValue"
DATABASE_URL = "postgresql://studybot:VeryS3cretPassw0rd@db:5432/studybot"


def write(folder: Path, data: Any, name: str = "bot.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"matching": {"answer_threshold": "high"}},
            "matching.answer_threshold: must be a number between 0 and 100, got 'high'",
        ),
        (
            {"matching": {"answer_threshold": 101}},
            "matching.answer_threshold: must be a number between 0 and 100, got 101",
        ),
        ({"matching": {"min_coverage": 2}}, "matching.min_coverage: must be a number between 0"),
        ({"matching": {"max_suggestions": 0}}, "matching.max_suggestions: must be a whole number"),
        ({"matching": {"margin": True}}, "matching.margin: must be a number"),
        (
            {"matching": {"answer_treshold": 70}},
            "matching.answer_treshold: unknown setting (did you mean matching.answer_threshold?)",
        ),
        (
            {"matching": {"suggest_threshold": 80, "answer_threshold": 70}},
            "matching.suggest_threshold: must not be above matching.answer_threshold",
        ),
        ({"colour": "blue"}, "colour: unknown setting"),
        ({"logging": "loud"}, "logging: must be a mapping of settings"),
        ({"logging": {"format": "xml"}}, "logging.format: must be one of text, json, got 'xml'"),
        ({"logging": {"level": "chatty"}}, "logging.level: must be one of DEBUG"),
        ({"cooldown": {"seconds": -1}}, "cooldown.seconds: must be a number of at least 0"),
        ({"cooldown": {"rate": 1.5}}, "cooldown.rate: must be a whole number of at least 1"),
        ({"metrics": {"port": 70000}}, "metrics.port: must be a whole number between 0 and 65535"),
        ({"discord": {"reply_style": "fancy"}}, "discord.reply_style: must be one of embed, plain"),
        ({"discord": {"shard_count": "lots"}}, "discord.shard_count: must be a whole number"),
        ({"discord": {"api_base_url": "discord.com"}}, "discord.api_base_url: must be a https"),
        ({"slack": {"answer_visibility": "loud"}}, "slack.answer_visibility: must be one of"),
        ({"slack": {"command": "/ask me"}}, "slack.command: must be a slash command name"),
        ({"allowed_channels": {"a": 1}}, "allowed_channels: must be a list"),
        (["matching"], "(top level): must be a mapping"),
    ],
)
def test_a_bad_value_or_unknown_key_is_an_error_naming_its_path(data: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, Path.cwd())
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("data", "variable"),
    [
        ({"discord": {"token": "abc"}}, "DISCORD_TOKEN"),
        ({"slack": {"bot_token": "xoxb-1"}}, "SLACK_BOT_TOKEN"),
        ({"slack": {"app_token": "xapp-1"}}, "SLACK_APP_TOKEN"),
        ({"slack": {"signing_secret": "s"}}, "SLACK_SIGNING_SECRET"),
        ({"DISCORD_TOKEN": "abc"}, "DISCORD_TOKEN"),
        ({"database_url": "postgresql://x"}, "DATABASE_URL"),
        ({"database": {"url": "postgresql://x"}}, "DATABASE_URL"),
    ],
)
def test_a_secret_in_the_file_is_refused_with_its_variable(data: Any, variable: str) -> None:
    with pytest.raises(ConfigError, match=f"environment only; set {variable} instead"):
        parse_config(data, Path.cwd())


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, {"matching": {"answer_threshold": "x", "nope": 1}, "extra": 2})
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    text = str(caught.value)
    assert text.startswith(f"config file {path}:")
    for key in ("matching.answer_threshold:", "matching.nope:", "extra:"):
        assert key in text


def test_empty_file_and_empty_sections_mean_the_defaults(tmp_path: Path) -> None:
    assert load_config_file(write(tmp_path, "")).values == {}
    values = load_config_file(write(tmp_path, "matching:\nlogging:\n  level:\n")).values
    assert values == {}


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "logging:\n  level: [info\n")
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load_config_file(path)


def test_folders_in_the_file_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = write(tmp_path / "conf", {"knowledge_dir": "../pack", "data_dir": "state"})
    values = load_config_file(path).values
    assert values["knowledge_dir"] == (tmp_path / "pack").resolve()
    assert values["data_dir"] == (tmp_path / "conf" / "state").resolve()


def test_the_environment_overrides_the_file_which_overrides_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        {
            "cooldown": {"rate": 3, "seconds": 30},
            "matching": {"answer_threshold": 75.5},
            "knowledge_dir": str(MINI_PACK),
        },
    )
    for name in ("BOT_COOLDOWN_RATE", "BOT_COOLDOWN_SECONDS", "BOT_KNOWLEDGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.setenv("BOT_COOLDOWN_SECONDS", "2")

    settings = CommonSettings.from_env()
    assert settings.cooldown_seconds == 2.0  # environment
    assert settings.cooldown_rate == 3  # file
    assert settings.knowledge_dir == MINI_PACK  # file
    assert settings.matching.answer_threshold == 75.5  # file
    assert settings.matching.margin == MatchSettings().margin  # default


def test_a_missing_config_file_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.yaml"))
    with pytest.raises(ConfigError, match=r"BOT_CONFIG: config file .*absent\.yaml does not exist"):
        CommonSettings.from_env()


def test_the_cli_stops_at_start_on_a_bad_file_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, {"matching": {"answer_threshold": 150}})
    for args, env in (
        (("--config", str(path), "ask", "hi"), clean_env()),
        (("run",), clean_env(BOT_CONFIG=str(path), DISCORD_TOKEN=DISCORD_TOKEN)),
        (("slack", "--config", str(path)), clean_env(SLACK_BOT_TOKEN=SLACK_TOKEN)),
    ):
        out = run_bot(*args, env=env, cwd=tmp_path)
        assert out.returncode == 2, out.stderr
        assert "matching.answer_threshold: must be a number between 0 and 100, got 150" in (
            out.stderr
        )
        assert "Traceback" not in out.stderr
        assert DISCORD_TOKEN not in out.stderr


def test_a_bad_variable_is_an_error_naming_it(tmp_path: Path) -> None:
    out = run_bot("ask", "hi", env=clean_env(LOG_FORMAT="xml"), cwd=tmp_path)
    assert out.returncode == 2
    assert "LOG_FORMAT must be one of text, json, got 'xml'" in out.stderr


def test_config_command_shows_values_and_sources_with_secrets_masked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {"logging": {"format": "json"}, "cooldown": {"seconds": 9}, **STRICT},
    )
    env = clean_env(
        BOT_CONFIG=str(path),
        BOT_COOLDOWN_SECONDS="4",
        DISCORD_TOKEN=DISCORD_TOKEN,
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        DATABASE_URL=DATABASE_URL,
        BOT_KNOWLEDGE_DIR=str(MINI_PACK),
    )
    text = run_bot("config", env=env, cwd=tmp_path)
    as_json = run_bot("config", "--json", env=env, cwd=tmp_path)
    for out in (text, as_json):
        assert out.returncode == 0, out.stderr
        for secret in (DISCORD_TOKEN, SLACK_TOKEN, DATABASE_URL, "VeryS3cretPassw0rd"):
            assert secret not in out.stdout + out.stderr

    assert "answer_threshold: 90.0  # file" in text.stdout
    assert "seconds: 4.0  # env BOT_COOLDOWN_SECONDS" in text.stdout
    assert f"margin: {MatchSettings().margin}  # default" in text.stdout
    assert "DISCORD_TOKEN: ****6789" in text.stdout
    yaml.safe_load(text.stdout)  # the output is itself a YAML document

    data = json.loads(as_json.stdout)
    assert data["config_file"] == str(path)
    assert data["settings"]["logging.format"] == "json"
    assert data["sources"]["logging.format"] == "file"
    assert data["settings"]["cooldown.seconds"] == 4.0
    assert data["sources"]["cooldown.seconds"] == "env BOT_COOLDOWN_SECONDS"
    assert data["sources"]["matching.margin"] == "default"
    assert data["secrets"] == {
        "DISCORD_TOKEN": "****6789",
        "SLACK_BOT_TOKEN": "****alue",
        "SLACK_APP_TOKEN": "(not set)",
        "SLACK_SIGNING_SECRET": "(not set)",
        "DATABASE_URL": "****ybot",
    }
    assert set(data["settings"]) >= {
        "knowledge_dir",
        "data_dir",
        "matching.answer_threshold",
        "metrics.port",
        "logging.level",
        "discord.reply_style",
        "slack.answer_visibility",
    }


def test_the_cli_answers_with_the_configured_matcher(tmp_path: Path) -> None:
    env = clean_env(BOT_KNOWLEDGE_DIR=str(MINI_PACK))
    default = run_bot("ask", "--json", BORDERLINE, env=env, cwd=tmp_path)
    assert json.loads(default.stdout)["status"] == "answered", default.stderr
    path = write(tmp_path, STRICT)
    strict = run_bot("--config", str(path), "ask", "--json", BORDERLINE, env=env, cwd=tmp_path)
    assert json.loads(strict.stdout)["status"] == "ambiguous", strict.stderr


async def test_the_discord_bot_answers_with_the_configured_matcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDiscord()
    await fake.start()
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    set_env(monkeypatch, fake, BOT_DATA_DIR=str(tmp_path / "data"))
    monkeypatch.setenv(CONFIG_ENV, str(write(tmp_path, STRICT)))
    bot = build_bot(DiscordSettings.from_env(), guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        async with asyncio.timeout(5):
            while not bot.is_ready():
                assert not task.done(), "the bot stopped before it was ready"
                await asyncio.sleep(0.01)
        assert bot.service is not None
        assert bot.service.settings.answer_threshold == 90
        assert bot.service.ask(BORDERLINE).status.value == "ambiguous"
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
        await fake.close()
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def test_the_readme_documents_every_key_and_variable() -> None:
    readme = (REPO / "README.md").read_text()
    # The matcher's keys follow its settings class, so the README gives the rule for them.
    assert "`bot.core.matching.MatchSettings`" in readme
    for key in KEYS:
        if not key.path.startswith("matching."):
            assert f"`{key.path}`" in readme, key.path
        if key.env:
            assert f"`{key.env}`" in readme, key.env
    for secret in SECRETS:
        assert f"`{secret.env}`" in readme, secret.env


def test_moderators_can_come_from_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.adapters.slack.settings import SlackSettings

    path = write(
        tmp_path,
        {"slack": {"moderator_ids": ["U012ABCDEF"]}, "discord": {"moderator_role_ids": ["42"]}},
    )
    for name in ("SLACK_MODERATOR_IDS", "DISCORD_MODERATOR_ROLE_IDS", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert SlackSettings.from_env().moderator_ids == ("U012ABCDEF",)
    assert DiscordSettings.from_env().moderator_role_ids == frozenset({42})
