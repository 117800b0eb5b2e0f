"""Settings shared by every adapter, read from the environment (and a git-ignored `.env`).

Secrets are only ever read here and by the adapters that need them; `masked()` is what logs and
`config` output may show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.service import DEFAULT_KNOWLEDGE_DIR


class ConfigError(Exception):
    """A setting has a value the bot cannot use; the message names the variable."""


def load_dotenv_file(path: Path | str = ".env") -> None:
    """Read `.env` into the environment without overriding what is already set."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a declared dependency
        return
    load_dotenv(path, override=False)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def env_list(name: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in env_str(name).split(",") if x.strip())


def mask(secret: str) -> str:
    if not secret:
        return "(not set)"
    return "****" + (secret[-4:] if len(secret) > 12 else "")


@dataclass(frozen=True)
class CommonSettings:
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    cooldown_rate: int = 1
    cooldown_seconds: float = 5.0
    allowed_channels: tuple[str, ...] = field(default=())

    @classmethod
    def from_env(cls) -> CommonSettings:
        folder = env_str("BOT_KNOWLEDGE_DIR")
        return cls(
            knowledge_dir=Path(folder) if folder else DEFAULT_KNOWLEDGE_DIR,
            cooldown_rate=env_int("BOT_COOLDOWN_RATE", 1, minimum=1),
            cooldown_seconds=env_float("BOT_COOLDOWN_SECONDS", 5.0),
            allowed_channels=env_list("BOT_ALLOWED_CHANNELS"),
        )
