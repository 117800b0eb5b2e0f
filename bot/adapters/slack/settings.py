"""Slack settings from the environment, checked before anything connects.

Tokens are kept out of `repr`, so a settings object can be logged; `describe()` is the line the
bot logs at start, with secrets masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.config import CommonSettings, ConfigError, env_int, env_list, env_str, mask

Visibility = Literal["in_channel", "ephemeral"]

DEFAULT_COMMAND = "/ask"
DEFAULT_HTTP_PORT = 3000
EVENTS_PATH = "/slack/events"
# Slack's own rule for command names: a slash, then up to 31 lowercase letters, digits, - or _.
_COMMAND_NAME = re.compile(r"^/[a-z0-9_-]{1,31}$")
# Slack user ids: U or W (Enterprise Grid), then upper-case letters and digits.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    http_host: str = "0.0.0.0"
    http_port: int = DEFAULT_HTTP_PORT
    api_base_url: str | None = None
    command: str = DEFAULT_COMMAND
    answer_visibility: Visibility = "in_channel"
    # Moderators besides the workspace's admins and owners (user ids).
    moderator_ids: tuple[str, ...] = ()
    common: CommonSettings = field(default_factory=CommonSettings)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set: no public URL needed."""
        return bool(self.app_token)

    @classmethod
    def from_env(cls) -> SlackSettings:
        bot_token = env_str("SLACK_BOT_TOKEN")
        if not bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page"
            )
        if bot_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN holds an app-level token (xapp-...); it takes the Bot User OAuth "
                "Token (xoxb-...), and the app-level token goes in SLACK_APP_TOKEN"
            )
        app_token = env_str("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token (xapp-...) with the "
                "connections:write scope, from Basic Information > App-Level Tokens"
            )
        signing_secret = env_str("SLACK_SIGNING_SECRET")
        if not app_token and not signing_secret:
            raise ConfigError(
                "set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET (Basic Information > "
                "App Credentials) for HTTP mode"
            )
        port = env_int("SLACK_HTTP_PORT", DEFAULT_HTTP_PORT, minimum=0)
        if port > 65535:
            raise ConfigError(f"SLACK_HTTP_PORT must be at most 65535, got {port}")
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            http_host=env_str("SLACK_HTTP_HOST", "0.0.0.0") or "0.0.0.0",
            http_port=port,
            api_base_url=normalise_base_url(env_str("SLACK_API_BASE_URL")),
            command=parse_command(env_str("SLACK_COMMAND", DEFAULT_COMMAND)),
            answer_visibility=parse_visibility(env_str("SLACK_ANSWER_VISIBILITY", "in_channel")),
            moderator_ids=parse_user_ids(env_list("SLACK_MODERATOR_IDS")),
            common=CommonSettings.from_env(),
        )

    def describe(self) -> str:
        mode = "Socket Mode" if self.socket_mode else f"HTTP on {self.http_host}:{self.http_port}"
        parts = [
            mode,
            f"command {self.command}",
            f"answers {self.answer_visibility}",
            f"bot token {mask(self.bot_token)}",
        ]
        if self.socket_mode:
            parts.append(f"app token {mask(self.app_token)}")
        if self.api_base_url:
            parts.append(f"API {self.api_base_url}")
        if self.moderator_ids:
            parts.append(f"{len(self.moderator_ids)} moderator(s) besides the admins")
        return ", ".join(parts)


def parse_command(raw: str) -> str:
    command = raw.strip() or DEFAULT_COMMAND
    if not command.startswith("/"):
        command = "/" + command
    command = command.lower()
    if not _COMMAND_NAME.match(command):
        raise ConfigError(
            f"SLACK_COMMAND must be a slash command name like /ask (lowercase letters, digits, "
            f"- or _, at most 32 characters), got {raw!r}"
        )
    return command


def parse_user_ids(raw: tuple[str, ...]) -> tuple[str, ...]:
    """Moderator ids as Slack writes them; a name or an `@mention` would never match anyone."""
    ids = tuple(dict.fromkeys(value.strip().upper() for value in raw))
    bad = [value for value in ids if not _USER_ID.match(value)]
    if bad:
        raise ConfigError(
            "SLACK_MODERATOR_IDS must list Slack user ids such as U012ABCDEF (profile > ⋮ > "
            f"Copy member ID), got {', '.join(repr(b) for b in bad)}"
        )
    return ids


def parse_visibility(raw: str) -> Visibility:
    value = raw.strip().lower().replace("-", "_") or "in_channel"
    if value == "in_channel":
        return "in_channel"
    if value == "ephemeral":
        return "ephemeral"
    raise ConfigError(f"SLACK_ANSWER_VISIBILITY must be in_channel or ephemeral, got {raw!r}")


def normalise_base_url(raw: str) -> str | None:
    """The Web API base with the trailing slash slack_sdk needs (`https://host/api/`)."""
    url = raw.strip()
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"SLACK_API_BASE_URL must be an http(s) URL, got {raw!r}")
    return url if url.endswith("/") else url + "/"
