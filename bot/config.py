"""Settings: secrets from the environment (and a git-ignored `.env`), the rest from an optional
YAML file too.

Precedence, highest first: an environment variable (or `.env`), the config file named by
`--config` or `BOT_CONFIG`, the built-in default. Secrets have no file key at all: a file that
holds one is refused, so a token can never end up in a file that gets committed or baked into an
image. `mask()` is what logs and `config` output may show of a secret.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.matching import MatchSettings
from bot.core.service import DEFAULT_KNOWLEDGE_DIR

CONFIG_ENV = "BOT_CONFIG"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_SHUTDOWN_TIMEOUT = 8.0  # under Docker's 10 s between SIGTERM and SIGKILL


class ConfigError(Exception):
    """A setting has a value the bot cannot use; the message names the variable or key."""


def load_dotenv_file(path: Path | str = ".env") -> None:
    """Read `.env` into the environment without overriding what is already set."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a declared dependency
        return
    load_dotenv(path, override=False)


def env_str(name: str, default: str = "") -> str:
    """The variable if set and not blank, else the config file's value for it, else `default`."""
    raw = os.environ.get(name, "").strip()
    if raw:
        return raw
    from_file = active_config().env_values.get(name)
    if from_file is not None:
        return from_file
    return os.environ.get(name, default).strip()


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {raw!r}")
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


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (or true/false), got {raw!r}")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env_str(name, default).lower() or default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def mask(secret: str) -> str:
    if not secret:
        return "(not set)"
    return "****" + (secret[-4:] if len(secret) > 12 else "")


# -- the config file -----------------------------------------------------------------------------

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class _Invalid(ValueError):
    """A value a key cannot take; the message says what the key takes."""


Parser = Callable[[Any, Path], Any]


@dataclass(frozen=True)
class Key:
    """One setting the file may hold: its dotted path, its variable if it has one, its check."""

    path: str
    env: str | None
    parse: Parser
    default: Any
    help: str


@dataclass(frozen=True)
class Secret:
    env: str
    help: str
    # Where someone might try to put it in the file; refused there with a pointer to `env`.
    paths: tuple[str, ...]


def _number(low: float | None = None, high: float | None = None) -> Parser:
    if low is not None and high is not None:
        wanted = f"a number between {low:g} and {high:g}"
    elif low is not None:
        wanted = f"a number of at least {low:g}"
    else:
        wanted = "a number"

    def parse(value: Any, _base: Path) -> float:
        if isinstance(value, bool):
            raise _Invalid(f"must be {wanted}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _Invalid(f"must be {wanted}") from None
        if not math.isfinite(number):
            raise _Invalid(f"must be {wanted}")
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Invalid(f"must be {wanted}")
        return number

    return parse


def _whole(low: int = 0, high: int | None = None) -> Parser:
    wanted = (
        f"a whole number between {low} and {high}"
        if high is not None
        else f"a whole number of at least {low}"
    )

    def parse(value: Any, _base: Path) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise _Invalid(f"must be {wanted}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise _Invalid(f"must be {wanted}") from None
        if number < low or (high is not None and number > high):
            raise _Invalid(f"must be {wanted}")
        return number

    return parse


def _text(value: Any, _base: Path) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise _Invalid("must be a non-empty string")
    return str(value).strip()


def _url(*schemes: str) -> Parser:
    def parse(value: Any, base: Path) -> str:
        text = _text(value, base)
        if not text.startswith(tuple(f"{s}://" for s in schemes)):
            raise _Invalid(f"must be a {'/'.join(schemes)} URL")
        return text

    return parse


def _choice(*choices: str, upper: bool = False) -> Parser:
    def parse(value: Any, base: Path) -> str:
        text = _text(value, base)
        text = text.upper() if upper else text.lower()
        if text not in choices:
            raise _Invalid(f"must be one of {', '.join(choices)}")
        return text

    return parse


def _boolean(value: Any, _base: Path) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Invalid("must be true or false")


def _folder(value: Any, base: Path) -> Path:
    # Relative to the file, so a config file and the folders it names can move together.
    path = Path(_text(value, base)).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _strings(value: Any, base: Path) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise _Invalid("must be a list")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise _Invalid("must be a list of ids")
        if str(item).strip():
            out.append(str(item).strip())
    return tuple(out)


def _shard_count(value: Any, base: Path) -> str:
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        return str(_whole(1)(value, base))
    except _Invalid:
        raise _Invalid("must be a whole number of at least 1, or auto") from None


def _shard_ids(value: Any, base: Path) -> tuple[int, ...]:
    parse = _whole(0)
    try:
        return tuple(parse(item, base) for item in _strings(value, base))
    except _Invalid:
        raise _Invalid("must be a list of shard numbers (0, 1, ...)") from None


def _slack_command(value: Any, base: Path) -> str:
    text = _text(value, base).lower()
    text = text if text.startswith("/") else "/" + text
    if len(text) > 32 or not all(c.isalnum() or c in "-_" for c in text[1:]):
        raise _Invalid("must be a slash command name like /ask")
    return text


def _visibility(value: Any, base: Path) -> str:
    return str(_choice("in_channel", "ephemeral")(_text(value, base).replace("-", "_"), base))


def _match_parser(field: dataclasses.Field[Any]) -> Parser:
    """The range a MatchSettings field takes, read from its type and name, so a field added to
    the matcher is configurable without an entry here."""
    name = field.name
    if name.endswith("_threshold") or name == "margin":
        return _number(0, 100)
    if name.endswith(("_coverage", "_weight")) or name.startswith("weight_"):
        return _number(0, 1)
    if field.type in ("int", int):
        return _whole(1)
    return _number(0)


def _match_keys() -> list[Key]:
    defaults = MatchSettings()
    return [
        Key(
            f"matching.{f.name}",
            None,
            _match_parser(f),
            getattr(defaults, f.name),
            "matcher setting (see bot/core/matching.py)",
        )
        for f in dataclasses.fields(MatchSettings)
    ]


KEYS: tuple[Key, ...] = (
    Key("knowledge_dir", "BOT_KNOWLEDGE_DIR", _folder, None, "the knowledge folder"),
    Key("data_dir", "BOT_DATA_DIR", _folder, DEFAULT_DATA_DIR, "where the bot keeps its data"),
    Key(
        "allowed_channels",
        "BOT_ALLOWED_CHANNELS",
        _strings,
        (),
        "channel ids to answer in (empty: every channel)",
    ),
    Key(
        "shutdown_timeout",
        "BOT_SHUTDOWN_TIMEOUT",
        _number(0),
        DEFAULT_SHUTDOWN_TIMEOUT,
        "seconds to finish questions in flight on SIGTERM",
    ),
    Key("cooldown.rate", "BOT_COOLDOWN_RATE", _whole(1), 1, "questions per window per user"),
    Key("cooldown.seconds", "BOT_COOLDOWN_SECONDS", _number(0), 5.0, "the cooldown window"),
    Key(
        "quiz.round_seconds",
        "BOT_QUIZ_ROUND_SECONDS",
        _whole(1, 3600),
        30,
        "seconds to answer each quiz question",
    ),
    Key(
        "gaps.retention_days",
        "BOT_GAP_RETENTION_DAYS",
        _number(0),
        90.0,
        "days the curators' gap log keeps a question",
    ),
    *_match_keys(),
    Key("logging.format", "LOG_FORMAT", _choice(*LOG_FORMATS), "text", "text or json"),
    Key("logging.level", "LOG_LEVEL", _choice(*LOG_LEVELS, upper=True), "INFO", "log level"),
    Key("logging.questions", "LOG_QUESTIONS", _boolean, False, "log the question text too"),
    Key("metrics.host", "METRICS_HOST", _text, "0.0.0.0", "address of /healthz and /metrics"),
    Key(
        "metrics.port",
        "METRICS_PORT",
        _whole(0, 65535),
        None,
        "port of /healthz and /metrics (unset: off)",
    ),
    Key("discord.reply_style", "DISCORD_REPLY_STYLE", _choice("embed", "plain"), "embed", ""),
    Key("discord.guild_id", "DISCORD_GUILD_ID", _whole(1), None, "sync commands to one server"),
    Key("discord.api_base_url", "DISCORD_API_BASE_URL", _url("https", "http"), None, "REST base"),
    Key("discord.gateway_url", "DISCORD_GATEWAY_URL", _url("wss", "ws"), None, "gateway URL"),
    Key("discord.shard_count", "DISCORD_SHARD_COUNT", _shard_count, None, "a number, or auto"),
    Key("discord.shard_ids", "DISCORD_SHARD_IDS", _shard_ids, None, "this process's shards"),
    Key(
        "discord.moderator_role_ids",
        "DISCORD_MODERATOR_ROLE_IDS",
        _strings,
        (),
        "roles whose members may use /studybot (besides Manage Server)",
    ),
    Key("slack.command", "SLACK_COMMAND", _slack_command, "/ask", "the slash command"),
    Key(
        "slack.answer_visibility",
        "SLACK_ANSWER_VISIBILITY",
        _visibility,
        "in_channel",
        "in_channel or ephemeral",
    ),
    Key(
        "slack.moderator_ids",
        "SLACK_MODERATOR_IDS",
        _strings,
        (),
        "users who may use the moderator commands (besides workspace admins)",
    ),
    Key("slack.http_host", "SLACK_HTTP_HOST", _text, "0.0.0.0", "HTTP mode address"),
    Key("slack.http_port", "SLACK_HTTP_PORT", _whole(0, 65535), 3000, "HTTP mode port"),
    Key("slack.api_base_url", "SLACK_API_BASE_URL", _url("https", "http"), None, "Web API base"),
)

SECRETS: tuple[Secret, ...] = (
    Secret("DISCORD_TOKEN", "the Discord bot token", ("discord.token", "discord_token")),
    Secret("SLACK_BOT_TOKEN", "the Slack bot token (xoxb-...)", ("slack.bot_token",)),
    Secret("SLACK_APP_TOKEN", "the Slack app-level token (xapp-...)", ("slack.app_token",)),
    Secret("SLACK_SIGNING_SECRET", "the Slack signing secret", ("slack.signing_secret",)),
    Secret(
        "DATABASE_URL",
        "the database URL (it may hold a password)",
        ("database_url", "database.url"),
    ),
)

_KEYS_BY_PATH = {key.path: key for key in KEYS}
_SECRET_PATHS = {
    path: secret for secret in SECRETS for path in (*secret.paths, secret.env, secret.env.lower())
}
_SECTIONS = {key.path.split(".")[0] for key in KEYS if "." in key.path}


@dataclass(frozen=True)
class ConfigFile:
    """A validated config file: the values it sets, by dotted key path."""

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def env_values(self) -> dict[str, str]:
        """The file's values for keys that have a variable, as that variable would spell them."""
        out = {}
        for path, value in self.values.items():
            key = _KEYS_BY_PATH[path]
            if key.env is not None and value is not None:
                out[key.env] = _as_env(value)
        return out


def _as_env(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _flatten(data: Mapping[Any, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for raw_key, value in data.items():
        path = f"{prefix}{raw_key}"
        if isinstance(value, Mapping) and (path in _SECTIONS or path.split(".")[0] == "database"):
            yield from _flatten(value, path + ".")
        else:
            yield path, value


def parse_config(data: Any, base: Path) -> dict[str, Any]:
    """Check a loaded YAML document; every problem is one line naming the key's path."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            "(top level): must be a mapping of settings, e.g. `logging: {level: INFO}`"
        )
    problems: list[str] = []
    values: dict[str, Any] = {}
    for path, value in _flatten(data):
        if path in _SECRET_PATHS:
            env = _SECRET_PATHS[path].env
            problems.append(
                f"{path}: secrets are read from the environment only; set {env} instead"
            )
            continue
        key = _KEYS_BY_PATH.get(path)
        if key is None:
            if path in _SECTIONS and value is None:
                continue  # a section written out with nothing under it
            if path in _SECTIONS:
                problems.append(f"{path}: must be a mapping of settings")
                continue
            close = difflib.get_close_matches(path, list(_KEYS_BY_PATH), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{path}: unknown setting{hint}")
            continue
        if value is None:
            continue  # written out but left empty: the default
        try:
            values[path] = key.parse(value, base)
        except _Invalid as exc:
            problems.append(f"{path}: {exc}, got {value!r}")
    suggest = values.get("matching.suggest_threshold", MatchSettings().suggest_threshold)
    answer = values.get("matching.answer_threshold", MatchSettings().answer_threshold)
    if not problems and suggest > answer:
        problems.append(
            f"matching.suggest_threshold: must not be above matching.answer_threshold "
            f"({answer:g}), got {suggest:g}"
        )
    if problems:
        raise ConfigError("\n".join(problems))
    return values


def load_config_file(path: Path | str) -> ConfigFile:
    """Read and check one YAML config file; ConfigError names the file and each bad key."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {file}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"config file {file}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config file {file}{where}: not valid YAML") from None
    try:
        values = parse_config(data, file.resolve().parent)
    except ConfigError as exc:
        lines = "\n".join(f"  {line}" for line in str(exc).splitlines())
        raise ConfigError(f"config file {file}:\n{lines}") from None
    return ConfigFile(file, values)


@lru_cache(maxsize=8)
def _cached_file(path: str, _mtime_ns: int, _size: int) -> ConfigFile:
    return load_config_file(path)


def active_config() -> ConfigFile:
    """The file `BOT_CONFIG` names (empty when unset), read again only when it changes."""
    name = os.environ.get(CONFIG_ENV, "").strip()
    if not name:
        return ConfigFile()
    try:
        stat = Path(name).stat()
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_ENV}: config file {name} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"{CONFIG_ENV}: config file {name} cannot be read: {exc}") from None
    return _cached_file(name, stat.st_mtime_ns, stat.st_size)


def use_config_file(path: Path | str | None = None) -> ConfigFile:
    """Make `path` (or the file `BOT_CONFIG` already names) the config for this process.

    Its values for keys that have a variable are exported as that variable wherever the variable
    is not set, so parts that read the environment directly, and the processes the bot starts,
    see the same settings; `BOT_CONFIG` is set for the `matching.*` keys, which have none.
    """
    if path is not None:
        os.environ[CONFIG_ENV] = str(Path(path).expanduser().resolve())
    file = active_config()
    for name, value in file.env_values.items():
        if not os.environ.get(name, "").strip():
            os.environ[name] = value
            _exported[name] = value
    return file


# Variables set from the file above, so `config` can still say the value came from the file.
_exported: dict[str, str] = {}


def match_settings() -> MatchSettings:
    """The matcher settings: the defaults with the config file's `matching.*` values over them."""
    values = active_config().values
    overrides = {
        path.removeprefix("matching."): value
        for path, value in values.items()
        if path.startswith("matching.")
    }
    return dataclasses.replace(MatchSettings(), **overrides)


def default_knowledge_dir() -> Path:
    """The checkout's own pack; an installed wheel has none, so then ./knowledge if present."""
    if DEFAULT_KNOWLEDGE_DIR.is_dir():
        return DEFAULT_KNOWLEDGE_DIR
    here = Path("knowledge")
    if here.is_dir():
        return here.resolve()
    raise ConfigError(
        "no knowledge folder: set BOT_KNOWLEDGE_DIR (or knowledge_dir in the config file, or "
        "--knowledge) to the folder of YAML files the bot answers from"
    )


# -- settings objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommonSettings:
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    cooldown_rate: int = 1
    cooldown_seconds: float = 5.0
    allowed_channels: tuple[str, ...] = field(default=())
    data_dir: Path = DEFAULT_DATA_DIR
    matching: MatchSettings = field(default_factory=MatchSettings)
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    quiz_round_seconds: int = 30
    gap_retention_days: float = 90.0

    @classmethod
    def from_env(cls) -> CommonSettings:
        folder = env_str("BOT_KNOWLEDGE_DIR")
        data = env_str("BOT_DATA_DIR")
        return cls(
            knowledge_dir=Path(folder) if folder else default_knowledge_dir(),
            cooldown_rate=env_int("BOT_COOLDOWN_RATE", 1, minimum=1),
            cooldown_seconds=env_float("BOT_COOLDOWN_SECONDS", 5.0),
            allowed_channels=env_list("BOT_ALLOWED_CHANNELS"),
            data_dir=Path(data) if data else DEFAULT_DATA_DIR,
            matching=match_settings(),
            shutdown_timeout=env_float("BOT_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT),
            quiz_round_seconds=_quiz_round_seconds(),
            gap_retention_days=env_float("BOT_GAP_RETENTION_DAYS", 90.0),
        )


def _quiz_round_seconds() -> int:
    seconds = env_int("BOT_QUIZ_ROUND_SECONDS", 30, minimum=1)
    if seconds > 3600:
        raise ConfigError(f"BOT_QUIZ_ROUND_SECONDS must be at most 3600, got {seconds}")
    return seconds


@dataclass(frozen=True)
class LogSettings:
    format: str = "text"
    level: str = "INFO"
    questions: bool = False

    @classmethod
    def from_env(cls) -> LogSettings:
        level = env_str("LOG_LEVEL", "INFO").upper() or "INFO"
        if level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        return cls(
            format=env_choice("LOG_FORMAT", "text", LOG_FORMATS),
            level=level,
            questions=env_bool("LOG_QUESTIONS"),
        )


@dataclass(frozen=True)
class MetricsSettings:
    host: str = "0.0.0.0"
    port: int | None = None

    @property
    def enabled(self) -> bool:
        return self.port is not None

    @classmethod
    def from_env(cls) -> MetricsSettings:
        port = env_int("METRICS_PORT", -1, minimum=0)
        if port > 65535:
            raise ConfigError(f"METRICS_PORT must be at most 65535, got {port}")
        return cls(
            host=env_str("METRICS_HOST", "0.0.0.0") or "0.0.0.0",
            port=None if port < 0 else port,
        )


def secret_values() -> dict[str, str]:
    """The secrets that are set, by variable: what the log filter must never let through."""
    return {s.env: os.environ[s.env].strip() for s in SECRETS if os.environ.get(s.env, "").strip()}


# -- `python -m bot config` ----------------------------------------------------------------------


@dataclass(frozen=True)
class Effective:
    path: str
    value: Any
    source: str  # "default", "file", or "env NAME"


def effective_config() -> tuple[ConfigFile, list[Effective], list[tuple[Secret, str]]]:
    """Every key with the value in force and where it came from; secrets masked.

    Building the settings objects first makes a bad variable fail here as it would at start.
    """
    file = active_config()
    common = CommonSettings.from_env()
    LogSettings.from_env()
    MetricsSettings.from_env()
    rows: list[Effective] = []
    for key in KEYS:
        raw = os.environ.get(key.env, "").strip() if key.env else ""
        if raw and key.env is not None and _exported.get(key.env) == raw:
            raw = ""
        if raw:
            try:
                value = key.parse(raw, Path.cwd())
            except _Invalid as exc:
                raise ConfigError(f"{key.env}: {exc}, got {raw!r}") from None
            rows.append(Effective(key.path, value, f"env {key.env}"))
        elif key.path in file.values:
            rows.append(Effective(key.path, file.values[key.path], "file"))
        elif key.path == "knowledge_dir":
            rows.append(Effective(key.path, common.knowledge_dir, "default"))
        else:
            rows.append(Effective(key.path, key.default, "default"))
    secrets = [(s, mask(os.environ.get(s.env, "").strip())) for s in SECRETS]
    return file, rows, secrets


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def effective_config_dict() -> dict[str, Any]:
    file, rows, secrets = effective_config()
    return {
        "config_file": str(file.path) if file.path else None,
        "settings": {row.path: _plain(row.value) for row in rows},
        "sources": {row.path: row.source for row in rows},
        "secrets": {secret.env: shown for secret, shown in secrets},
    }


def format_effective_config() -> str:
    """The effective configuration as YAML a config file could start from, sources as comments."""
    file, rows, secrets = effective_config()
    lines = [
        f"# config file: {file.path if file.path else '(none; set BOT_CONFIG or --config)'}",
        "# precedence: environment (and .env) > config file > default",
    ]
    section = ""
    for row in rows:
        head, _, leaf = row.path.rpartition(".")
        if head != section:
            if head:
                lines.append(f"{head}:")
            section = head
        indent = "  " if head else ""
        shown = yaml.safe_dump(_plain(row.value), default_flow_style=True, width=1000)
        shown = shown.strip().removesuffix("...").strip()
        lines.append(f"{indent}{leaf or row.path}: {shown}  # {row.source}")
    lines.append("# secrets: environment (or .env) only")
    lines.extend(f"#   {secret.env}: {shown}" for secret, shown in secrets)
    return "\n".join(lines)
