"""The curators' loop: what students asked that the knowledge did not answer well.

Questions that ended `no_match` or `ambiguous`, and answers voted 👎, are logged with their text,
time and community (a Discord guild or Slack workspace, so its moderators see only their own);
never the user or channel, and chat markup, which carries user ids, is stripped. `gaps_report`
groups them by near-duplicates, most frequent first; `gaps_yaml` turns the groups into draft
Q&A entries in the knowledge/README.md format, with what only a curator can write marked TODO.

Retention comes from `BOT_GAP_RETENTION_DAYS` (default 90), read here rather than in the shared
config so the store has no dependency on it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import yaml
from rapidfuzz import fuzz

from bot.core.knowledge import MIN_ALTERNATES
from bot.core.replies import Kind, Reply, Status
from bot.core.store import ChannelRef, GapRecord, GapStatus, Store
from bot.core.store.gaplog import scrub
from bot.core.text import clean

DEFAULT_RETENTION_DAYS = 90.0
RETENTION_ENV = "BOT_GAP_RETENTION_DAYS"
DEFAULT_SIMILARITY = 85.0
TODO = "TODO"


def retention_days_from_env(environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    raw = env.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        raise ValueError(f"{RETENTION_ENV} must be a number of days, got {raw!r}") from None
    if days < 0:
        raise ValueError(f"{RETENTION_ENV} must be 0 or more, got {raw!r}")
    return days


class GapLog:
    """What adapters call after answering: `await gaps.log_reply(reply)`."""

    def __init__(self, store: Store, retention_days: float | None = None) -> None:
        self.store = store
        self.retention_days = (
            retention_days_from_env() if retention_days is None else retention_days
        )

    async def log_reply(self, reply: Reply, where: ChannelRef | None = None) -> bool:
        """Log a reply that did not answer a real question; True if it was logged. `where` is
        the community it was asked in (the channel itself is not kept).

        Small talk, help, over-long messages and empty questions are not gaps in the knowledge.
        """
        if reply.status is Status.AMBIGUOUS:
            status = GapStatus.AMBIGUOUS
        elif reply.status is Status.NO_MATCH and reply.kind in (Kind.UNKNOWN, Kind.NOT_COVERED):
            status = GapStatus.NO_MATCH
        else:
            return False
        if not scrub(reply.question):
            return False
        await self.store.gaps.add(reply.question, status, where=where)
        return True

    async def log_downvote(
        self, question: str, entry_id: str | None, where: ChannelRef | None = None
    ) -> None:
        """For votes recorded without the store's vote table (it logs 👎 by itself)."""
        await self.store.gaps.add(question, GapStatus.DOWNVOTED, entry_id=entry_id, where=where)

    async def purge(self, now: datetime | None = None) -> int:
        return await self.store.gaps.purge(self.retention_days, now=now)


@dataclass(frozen=True)
class GapGroup:
    """Near-duplicate questions, counted together; `question` is the most asked phrasing."""

    question: str
    count: int
    phrasings: tuple[tuple[str, int], ...]  # each distinct phrasing and how often, most first
    statuses: Mapping[str, int] = field(default_factory=dict)
    entry_ids: tuple[str, ...] = ()  # the entries whose answers were voted 👎
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def status_label(self) -> str:
        return ", ".join(f"{GapStatus(s).label} ×{n}" for s, n in sorted(self.statuses.items()))


@dataclass
class _Building:
    key: str
    counts: Counter[str] = field(default_factory=Counter)  # by cleaned phrasing
    shown: dict[str, str] = field(default_factory=dict)  # each phrasing as first asked
    statuses: Counter[str] = field(default_factory=Counter)
    entries: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None

    def add(self, record: GapRecord, key: str, text: str) -> None:
        self.counts[key] += 1
        self.shown.setdefault(key, text)
        self.statuses[record.status.value] += 1
        if record.entry_id:
            self.entries[record.entry_id] += 1
        at = record.created_at
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last

    def freeze(self) -> GapGroup:
        # Ties go to what was asked first: `counts` keeps the order phrasings arrived in.
        ranked = sorted(self.counts.items(), key=lambda kv: -kv[1])
        phrasings = tuple((self.shown[key], n) for key, n in ranked)
        return GapGroup(
            question=phrasings[0][0],
            count=sum(self.counts.values()),
            phrasings=phrasings,
            statuses=dict(self.statuses),
            entry_ids=tuple(e for e, _ in self.entries.most_common()),
            first_seen=self.first,
            last_seen=self.last,
        )


def group_gaps(
    records: Iterable[GapRecord], similarity: float = DEFAULT_SIMILARITY
) -> list[GapGroup]:
    """Group near-duplicate questions, most frequent group first.

    Phrasings that differ only in case, accents or punctuation count as one (shown as first
    asked); near-duplicates are compared by their cleaned words in any order, so "when did
    russia stop arms sales?" and "Russia stop arms sales when" meet. A 👎 with no question text
    is grouped under the entry it was about.
    """
    # Records come oldest first, so each dict below keeps phrasings in the order first asked.
    by_key: dict[str, list[tuple[GapRecord, str]]] = {}
    for record in records:
        text = " ".join(record.question.split())
        key = clean(text)
        if not key:
            if not record.entry_id:
                continue
            key, text = f"entry:{record.entry_id}", f"(an answer from {record.entry_id})"
        by_key.setdefault(key, []).append((record, text))
    # The most asked phrasings seed the groups, so a group is named after what students ask most.
    keys = sorted(by_key, key=lambda k: -len(by_key[k]))
    groups: list[_Building] = []
    for key in keys:
        home = None
        if not key.startswith("entry:"):
            for group in groups:
                if not group.key.startswith("entry:") and (
                    fuzz.token_sort_ratio(key, group.key) >= similarity
                ):
                    home = group
                    break
        if home is None:
            home = _Building(key)
            groups.append(home)
        for record, text in by_key[key]:
            home.add(record, key, text)
    frozen = [g.freeze() for g in groups]
    return sorted(frozen, key=lambda g: (-g.count, g.question.casefold()))


async def gaps_report(
    store: Store,
    *,
    since: datetime | None = None,
    statuses: Sequence[GapStatus] = (),
    limit: int | None = None,
    similarity: float = DEFAULT_SIMILARITY,
    platform: str | None = None,
    workspace_id: str | None = None,
) -> list[GapGroup]:
    """The logged gaps, grouped by near-duplicates, most frequent first; with `platform` and
    `workspace_id`, those of one community (a moderator's view), else all (a curator's)."""
    records = await store.gaps.fetch(
        since=since, statuses=tuple(statuses), platform=platform, workspace_id=workspace_id
    )
    groups = group_gaps(records, similarity)
    return groups if limit is None else groups[:limit]


def gaps_text(groups: Sequence[GapGroup], limit: int = 10) -> str:
    """A plain listing for `kb gaps` and `/studybot gaps`."""
    if not groups:
        return "No gaps logged: every question asked was answered."
    lines = [
        f"Most asked questions the knowledge did not answer well (top {min(limit, len(groups))}):"
    ]
    for i, group in enumerate(groups[:limit], 1):
        lines.append(f"{i}. {group.question}  [{group.count}×: {group.status_label()}]")
        others = [p for p, _ in group.phrasings[1:4]]
        if others:
            lines.append("     also asked: " + " | ".join(others))
        if group.entry_ids:
            lines.append("     👎 answers from: " + ", ".join(group.entry_ids))
    return "\n".join(lines)


def _slug(text: str, taken: set[str]) -> str:
    words = clean(text).split()[:8]
    base = "-".join(re.sub(r"[^a-z0-9]+", "", w) for w in words).strip("-") or "question"
    base = re.sub(r"-+", "-", base)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _as_question(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith("?") else text.rstrip(".!") + "?"


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as in knowledge/README.md and the shipped files."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def gaps_yaml(
    groups: Sequence[GapGroup], *, source: str | None = None, limit: int | None = None
) -> str:
    """Draft `kind: qa` entries for the curator to finish, ready to paste into the knowledge.

    The asked phrasings become the question and its alternates; the answer, topic and citation
    are TODO values (paragraphs as the text "TODO", which `kb check` refuses, so an unfinished
    draft can never load by accident). A 👎 without question text has nothing to draft from.
    """
    taken: set[str] = set()
    entries: list[dict[str, object]] = []
    for group in groups if limit is None else groups[:limit]:
        asked = [p for p, _ in group.phrasings if not p.startswith("(an answer from")]
        if not asked:
            continue
        question = _as_question(asked[0])
        alternates: list[str] = []
        seen = {clean(question)}
        for phrasing in asked[1:]:
            if clean(phrasing) not in seen:
                seen.add(clean(phrasing))
                alternates.append(phrasing)
        while len(alternates) < MIN_ALTERNATES:
            alternates.append(f"{TODO}: another way students ask this")
        entries.append(
            {
                "id": _slug(question, taken),
                "topic": TODO,
                "question": question,
                "alternates": alternates,
                "answer": f"{TODO}: 1-3 sentences in our own words, names, numbers and dates kept",
                "citation": {"paragraphs": [TODO], "anchor": f"{TODO}: verbatim, at most 12 words"},
            }
        )
    header = [
        "# Draft entries from the gap log: questions students asked that the bot could not",
        "# answer well. Fill in every TODO (topic, answer, citation paragraphs and anchor, or",
        "# drop the anchor), check the ids, then paste the entries into a knowledge file and run",
        "# `python -m bot kb check`.",
    ]
    for group in groups if limit is None else groups[:limit]:
        if group.entry_ids and any(not p.startswith("(an answer") for p, _ in group.phrasings):
            header.append(
                f"# '{group.question}' got 👎 on the answer from {', '.join(group.entry_ids)};"
                "\n#   perhaps that entry needs fixing rather than a new one."
            )
    doc: dict[str, object] = {"kind": "qa", "source": source or TODO, "entries": entries}
    body = yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return "\n".join(header) + "\n" + body
