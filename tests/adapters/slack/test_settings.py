"""SlackSettings from the environment: the defaults, the modes, and clear errors."""

from __future__ import annotations

import pytest
import yaml
from bot.adapters.slack.settings import DEFAULT_COMMAND, SlackSettings
from bot.config import ConfigError

from tests.adapters.slack.harness import SLACK_VARS
from tests.conftest import REPO


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_http_mode_defaults(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1-abcdefghijklmnop")
    env.setenv("SLACK_SIGNING_SECRET", "s3cret-signing")
    settings = SlackSettings.from_env()
    assert not settings.socket_mode
    assert (settings.http_port, settings.command, settings.answer_visibility) == (
        3000,
        "/ask",
        "in_channel",
    )
    assert settings.api_base_url is None
    assert "xoxb" not in repr(settings) and "s3cret" not in repr(settings)
    assert "abcdefghijklmnop" not in settings.describe()
    assert "HTTP on 0.0.0.0:3000" in settings.describe()


def test_socket_mode_and_options(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    env.setenv("SLACK_APP_TOKEN", "xapp-1-A1-secretpart")
    env.setenv("SLACK_API_BASE_URL", "https://slack-gov.com/api")
    env.setenv("SLACK_COMMAND", "StudyAsk")
    env.setenv("SLACK_ANSWER_VISIBILITY", "Ephemeral")
    env.setenv("SLACK_HTTP_PORT", "8080")
    env.setenv("BOT_ALLOWED_CHANNELS", "C1, C2")
    env.setenv("SLACK_MODERATOR_IDS", "U01MOD, w02grid ,U01MOD")
    settings = SlackSettings.from_env()
    assert settings.socket_mode
    assert settings.api_base_url == "https://slack-gov.com/api/"
    assert settings.command == "/studyask"
    assert settings.answer_visibility == "ephemeral"
    assert settings.http_port == 8080
    assert settings.common.allowed_channels == ("C1", "C2")
    assert settings.moderator_ids == ("U01MOD", "W02GRID")
    assert "secretpart" not in settings.describe()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xapp-1-oops"}, "SLACK_BOT_TOKEN holds an app-level token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN must be"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_COMMAND": "/a b"},
            "SLACK_COMMAND",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_HTTP_PORT": "x"},
            "SLACK_HTTP_PORT",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_HTTP_PORT": "70000"},
            "SLACK_HTTP_PORT",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_BASE_URL": "x"},
            "SLACK_API_BASE_URL",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_ANSWER_VISIBILITY": "everyone",
            },
            "SLACK_ANSWER_VISIBILITY",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_MODERATOR_IDS": "U01MOD, @alice",
            },
            "SLACK_MODERATOR_IDS must list Slack user ids",
        ),
    ],
)
def test_bad_settings_name_the_variable(
    env: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        SlackSettings.from_env()


def test_the_manifest_matches_what_the_adapter_listens_for() -> None:
    manifest = yaml.safe_load((REPO / "slack-manifest.yaml").read_text(encoding="utf-8"))
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == DEFAULT_COMMAND
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",
        "channels:history",  # quiz answers in public channels
        "chat:write",
        "commands",
        "groups:history",  # and in private ones
        "im:history",
        "im:read",
        "im:write",
        "users:read",  # moderators (admins, owners) and players' names
    }
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
    ]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
