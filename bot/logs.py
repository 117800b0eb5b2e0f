"""Log output: one line per event, human-readable or JSON (`LOG_FORMAT=json`), tokens redacted.

Events that carry data (a question handled, a reload) pass it as `extra={"event": ...,
"fields": {...}}`; the JSON format puts those fields at the top level of the line, the text
format already has them in the message. The redaction filter is a second line of defence: the
code never logs a secret on purpose, and this catches one that slips into an error message,
a traceback or a third-party library's debug output.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import LogSettings, secret_values
from bot.core import telemetry

REDACTED = "[redacted]"
# Slack bot/user/app-level/refresh tokens, and Discord bot tokens (base64 user id, timestamp,
# HMAC, separated by dots).
TOKEN_PATTERN = re.compile(
    r"xox[abeprs]-[A-Za-z0-9-]+"
    r"|xapp-[A-Za-z0-9-]+"
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"
)
# Shorter configured values would redact ordinary words.
MIN_SECRET_LENGTH = 8
_HANDLER_MARK = "_studybot_handler"


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, fields and traceback with secrets replaced."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self._redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {
                k: self._redact(v) if isinstance(v, str) else v for k, v in fields.items()
            }
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, message, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                data.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_handler(
    settings: LogSettings, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    setattr(handler, _HANDLER_MARK, True)
    return handler


def setup_logging(settings: LogSettings, stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to stderr in the configured format, at the configured level.

    Replaces a handler installed by an earlier call; handlers someone else installed (a test
    runner's, an embedding application's) stay, with the redaction filter added to them too.
    """
    secrets = list(secret_values().values())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = build_handler(settings, secrets, stream)
    redacting = RedactingFilter(Redactor(secrets))
    for other in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in other.filters):
            other.addFilter(redacting)
    root.addHandler(handler)
    root.setLevel(settings.level)
    telemetry.configure(log_questions=settings.questions)
    return handler
