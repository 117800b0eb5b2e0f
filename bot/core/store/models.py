"""The plain values the store hands out and takes in; no SQLAlchemy types leak past the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class ChannelRef:
    """Where something happens: a channel of a Discord guild or a Slack workspace.

    `platform` keeps a Discord guild and a Slack team apart when both share one database;
    direct messages have no workspace, which adapters pass as "".
    """

    platform: str
    workspace_id: str
    channel_id: str


class Visibility(StrEnum):
    PUBLIC = "public"  # answers are posted in the channel
    PRIVATE = "private"  # answers are shown only to the asker (ephemeral)


@dataclass(frozen=True)
class ChannelSettings:
    answers_on: bool = True
    quizzes_on: bool = True
    visibility: Visibility = Visibility.PUBLIC
    cooldown_seconds: float | None = None  # None: the bot's configured default

    @property
    def silent(self) -> bool:
        return not self.answers_on and not self.quizzes_on


class VoteChange(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class VoteResult:
    change: VoteChange
    helpful: bool
    previous: bool | None  # the vote it replaced, if any


@dataclass(frozen=True)
class VoteTally:
    helpful: int
    unhelpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.total if self.total else None


class GapStatus(StrEnum):
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"
    DOWNVOTED = "downvoted"  # an answer voted 👎

    @property
    def label(self) -> str:
        return "👎" if self is GapStatus.DOWNVOTED else self.value


@dataclass(frozen=True)
class GapRecord:
    question: str
    status: GapStatus
    entry_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class QuestionStats:
    """Questions over a period, for `/studybot stats`: counts by outcome, most-asked entries."""

    total: int
    answered: int
    ambiguous: int
    no_match: int
    top_entries: tuple[tuple[str, int], ...]  # (entry id, times answered), most first

    def share(self, count: int) -> float | None:
        return count / self.total if self.total else None
