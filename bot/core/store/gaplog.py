"""The curators' gap log: questions the bot could not answer well, with no trace of who asked.

Each gap keeps the community it was asked in, so moderators read their own community's only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.store.models import ChannelRef, GapRecord, GapStatus
from bot.core.store.schema import gap_log as t
from bot.core.text import strip_markup

if TYPE_CHECKING:
    from bot.core.store.db import Store

MAX_GAP_CHARS = 500


def scrub(question: str) -> str:
    """The question's words only: chat markup carries user and channel ids, so it goes."""
    return " ".join(strip_markup(question).split())[:MAX_GAP_CHARS]


async def insert_gap(
    conn: AsyncConnection,
    question: str,
    status: GapStatus,
    *,
    entry_id: str | None,
    at: datetime,
    platform: str | None = None,
    workspace_id: str | None = None,
) -> None:
    await conn.execute(
        sa.insert(t).values(
            question=scrub(question),
            status=GapStatus(status).value,
            entry_id=entry_id,
            created_at=at,
            platform=platform,
            workspace_id=workspace_id,
        )
    )


class GapRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(
        self,
        question: str,
        status: GapStatus,
        *,
        entry_id: str | None = None,
        at: datetime | None = None,
        where: ChannelRef | None = None,
    ) -> None:
        """Log one gap; `where` gives its community (the channel is not kept)."""
        async with self._store.write() as conn:
            await insert_gap(
                conn,
                question,
                status,
                entry_id=entry_id,
                at=at or self._store.now(),
                platform=where.platform if where else None,
                workspace_id=where.workspace_id if where else None,
            )

    async def fetch(
        self,
        *,
        since: datetime | None = None,
        statuses: tuple[GapStatus, ...] = (),
        platform: str | None = None,
        workspace_id: str | None = None,
    ) -> list[GapRecord]:
        """The gaps logged, oldest first; with `platform` and `workspace_id`, only those asked
        in that community."""
        query = sa.select(t).order_by(t.c.created_at, t.c.id)
        if platform is not None:
            query = query.where(t.c.platform == platform, t.c.workspace_id == workspace_id)
        if since is not None:
            query = query.where(t.c.created_at >= since)
        if statuses:
            query = query.where(t.c.status.in_([s.value for s in statuses]))
        async with self._store.read() as conn:
            rows = (await conn.execute(query)).all()
        return [GapRecord(r.question, GapStatus(r.status), r.entry_id, r.created_at) for r in rows]

    async def purge(self, retention_days: float, *, now: datetime | None = None) -> int:
        """Delete what is older than the retention period; returns how many rows went."""
        if retention_days < 0:
            raise ValueError("retention_days must be 0 or more")
        cutoff = (now or self._store.now()) - timedelta(days=retention_days)
        async with self._store.write() as conn:
            result = await conn.execute(sa.delete(t).where(t.c.created_at < cutoff))
        return int(result.rowcount or 0)
