"""Discord settings from the environment; the token never appears in a repr or a log line."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.config import CommonSettings, ConfigError, env_int, env_list, env_str

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"


class ReplyStyle(StrEnum):
    EMBED = "embed"
    PLAIN = "plain"


@dataclass(frozen=True)
class DiscordSettings:
    token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    gateway_url: str | None = None
    guild_id: int | None = None
    reply_style: ReplyStyle = ReplyStyle.EMBED
    sharded: bool = False
    # None with `sharded` means "ask Discord how many shards" (GET /gateway/bot).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # Members with one of these roles moderate (/studybot) besides those with Manage Server.
    moderator_role_ids: frozenset[int] = frozenset()
    common: CommonSettings = field(default_factory=CommonSettings)

    @classmethod
    def from_env(cls) -> DiscordSettings:
        token = env_str("DISCORD_TOKEN")
        if not token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: copy the bot token from the Discord developer portal "
                "(Applications > your app > Bot > Reset Token) into the environment or .env"
            )
        api_base_url = env_str("DISCORD_API_BASE_URL", DEFAULT_API_BASE_URL).rstrip("/")
        if not api_base_url.startswith(("https://", "http://")):
            raise ConfigError(f"DISCORD_API_BASE_URL must be an http(s) URL, got {api_base_url!r}")
        gateway_url = env_str("DISCORD_GATEWAY_URL") or None
        if gateway_url is not None and not gateway_url.startswith(("wss://", "ws://")):
            raise ConfigError(f"DISCORD_GATEWAY_URL must be a ws(s) URL, got {gateway_url!r}")
        guild_id = env_int("DISCORD_GUILD_ID", 0, minimum=0) or None

        style_raw = env_str("DISCORD_REPLY_STYLE", ReplyStyle.EMBED.value).lower()
        try:
            reply_style = ReplyStyle(style_raw)
        except ValueError:
            raise ConfigError(
                f"DISCORD_REPLY_STYLE must be 'embed' or 'plain', got {style_raw!r}"
            ) from None

        sharded, shard_count, shard_ids = _shards_from_env()
        return cls(
            token=token,
            api_base_url=api_base_url,
            gateway_url=gateway_url,
            guild_id=guild_id,
            reply_style=reply_style,
            sharded=sharded,
            shard_count=shard_count,
            shard_ids=shard_ids,
            moderator_role_ids=_moderator_roles_from_env(),
            common=CommonSettings.from_env(),
        )


def _moderator_roles_from_env() -> frozenset[int]:
    roles: set[int] = set()
    for raw in env_list("DISCORD_MODERATOR_ROLE_IDS"):
        if not raw.isdigit():
            raise ConfigError(
                f"DISCORD_MODERATOR_ROLE_IDS must be role ids separated by commas, got {raw!r} "
                "(in Discord: Server Settings > Roles > right-click a role > Copy Role ID)"
            )
        roles.add(int(raw))
    return frozenset(roles)


def _shards_from_env() -> tuple[bool, int | None, tuple[int, ...] | None]:
    count_raw = env_str("DISCORD_SHARD_COUNT").lower()
    ids_raw = env_list("DISCORD_SHARD_IDS")
    if not count_raw and not ids_raw:
        return False, None, None
    if count_raw in ("", "auto"):
        if ids_raw:
            # discord.py can only place explicit shard ids within an explicit total.
            raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT set to a number")
        return True, None, None
    count = env_int("DISCORD_SHARD_COUNT", 1, minimum=1)
    ids: list[int] = []
    for raw in ids_raw:
        try:
            shard = int(raw)
        except ValueError:
            raise ConfigError(
                f"DISCORD_SHARD_IDS must be whole numbers separated by commas, got {raw!r}"
            ) from None
        if not 0 <= shard < count:
            raise ConfigError(
                f"DISCORD_SHARD_IDS: shard {shard} is outside 0..{count - 1} "
                "(DISCORD_SHARD_COUNT is the total across all processes)"
            )
        ids.append(shard)
    return True, count, tuple(sorted(set(ids))) if ids else None
