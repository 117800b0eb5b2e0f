"""The platform-neutral reply: what the bot decided, and its plain-text and JSON renderings.

Adapters render a Reply in their platform's idiom (embeds, Block Kit); this module owns the
wording that every platform shares, so the console, Discord and Slack say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PILCROW = "¶"


class Status(StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"


class Kind(StrEnum):
    """Why a reply has the status it has; lets adapters pick tone and visibility."""

    ANSWER = "answer"
    SUGGESTIONS = "suggestions"
    UNKNOWN = "unknown"
    NOT_COVERED = "not_covered"
    SMALL_TALK = "small_talk"
    HELP = "help"
    TOO_LONG = "too_long"
    SOURCE = "source"


@dataclass(frozen=True)
class Citation:
    source: str
    title: str
    author: str
    outlet: str
    year: int
    paragraphs: tuple[int, ...]
    anchor: str | None = None

    @property
    def paragraph_label(self) -> str:
        return ", ".join(f"{PILCROW}{p}" for p in self.paragraphs)

    def line(self) -> str:
        """`Source: Peter Rutland, "The power couple: ...", PacNet, 2017, ¶5`"""
        return (
            f'Source: {self.author}, "{self.title}", {self.outlet}, {self.year}, '
            f"{self.paragraph_label}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "title": self.title,
            "author": self.author,
            "paragraphs": list(self.paragraphs),
        }


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    question: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "question": self.question, "score": round(self.score, 1)}


@dataclass(frozen=True)
class Reply:
    status: Status
    kind: Kind
    question: str
    entry_id: str | None = None
    answer: str | None = None
    score: float = 0.0
    citation: Citation | None = None
    suggestions: tuple[Suggestion, ...] = ()
    message: str | None = None
    topic: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status.value,
            "question": self.question,
            "entry_id": self.entry_id,
            "answer": self.answer,
            "score": round(self.score, 1),
            "citation": self.citation.to_json() if self.citation else None,
            "suggestions": [s.to_json() for s in self.suggestions],
        }
        if self.message is not None:
            data["message"] = self.message
        return data


def render_text(reply: Reply) -> str:
    """The plain-text reply the console and `ask` print; chat adapters reuse its parts."""
    if reply.status is Status.ANSWERED and reply.answer:
        lines = [reply.answer]
        if reply.citation:
            lines.append(reply.citation.line())
        return "\n".join(lines)
    lines = [reply.message] if reply.message else []
    if reply.suggestions:
        if not reply.message:
            lines.append("Did you mean:")
        lines.extend(f"  {i}. {s.question}" for i, s in enumerate(reply.suggestions, 1))
    return "\n".join(lines)
