"""The question log: what the bot made of each question (status, kind, entry), for statistics.

Rows hold where and when a question was asked and how it ended, never its words or its asker,
so the log needs no retention rule of its own; the gap log keeps the words of the misses.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.core.store.models import ChannelRef, QuestionStats
from bot.core.store.schema import question_log as t

if TYPE_CHECKING:
    from bot.core.store.db import Store


class QuestionRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(
        self,
        ref: ChannelRef,
        status: str,
        kind: str,
        entry_id: str | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        async with self._store.write() as conn:
            await conn.execute(
                sa.insert(t).values(
                    platform=ref.platform,
                    workspace_id=ref.workspace_id,
                    channel_id=ref.channel_id,
                    status=str(status),
                    kind=str(kind),
                    entry_id=entry_id,
                    asked_at=at or self._store.now(),
                )
            )

    async def stats(
        self,
        platform: str,
        workspace_id: str,
        *,
        since: datetime | None = None,
        exclude_kinds: Iterable[str] = (),
        top: int = 5,
    ) -> QuestionStats:
        """Counts by status over the period, and the entries answered most often.

        `exclude_kinds` leaves out what is not a question about the material (greetings, help).
        """
        where = [t.c.platform == platform, t.c.workspace_id == workspace_id]
        if since is not None:
            where.append(t.c.asked_at >= since)
        excluded = [str(k) for k in exclude_kinds]
        if excluded:
            where.append(t.c.kind.not_in(excluded))
        count = sa.func.count().label("n")
        by_status = sa.select(t.c.status, count).where(*where).group_by(t.c.status)
        top_entries = (
            sa.select(t.c.entry_id, count)
            .where(*where, t.c.status == "answered", t.c.entry_id.is_not(None))
            .group_by(t.c.entry_id)
            .order_by(count.desc(), t.c.entry_id)
            .limit(top)
        )
        async with self._store.read() as conn:
            counts = {row.status: int(row.n) for row in (await conn.execute(by_status)).all()}
            entries = [(row.entry_id, int(row.n)) for row in (await conn.execute(top_entries))]
        return QuestionStats(
            total=sum(counts.values()),
            answered=counts.get("answered", 0),
            ambiguous=counts.get("ambiguous", 0),
            no_match=counts.get("no_match", 0),
            top_entries=tuple(entries),
        )
