"""👍/👎 votes: one per user per answer message and entry, changeable."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bot.core.feedback import Feedback
from bot.core.store.gaplog import insert_gap
from bot.core.store.models import GapStatus, VoteChange, VoteResult, VoteTally
from bot.core.store.schema import feedback_votes as t

if TYPE_CHECKING:
    from bot.core.store.db import Store


class VoteRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, feedback: Feedback, *, log_gap: bool = True) -> VoteResult:
        """Store a vote, replacing the user's earlier vote on the same answer.

        A vote that becomes 👎 is also written to the curators' gap log, in the same transaction,
        with the question text and entry only; a repeated 👎 click is not logged twice.
        """
        key = {
            "platform": feedback.platform,
            "message_id": feedback.message_id or "",
            "entry_id": feedback.entry_id,
            "user_id": feedback.user_id,
        }
        now = self._store.now()
        where = sa.and_(*(t.c[name] == value for name, value in key.items()))
        stmt = self._store.insert(t).values(
            **key,
            workspace_id=feedback.workspace_id or "",
            channel_id=feedback.channel_id or "",
            helpful=feedback.helpful,
            created_at=now,
            updated_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.platform, t.c.message_id, t.c.entry_id, t.c.user_id],
            set_={"helpful": feedback.helpful, "updated_at": now},
        )
        async with self._store.write() as conn:
            previous = (
                await conn.execute(sa.select(t.c.helpful).where(where).with_for_update())
            ).scalar_one_or_none()
            if previous is not None and bool(previous) == feedback.helpful:
                return VoteResult(VoteChange.UNCHANGED, feedback.helpful, bool(previous))
            await conn.execute(stmt)
            if log_gap and not feedback.helpful:
                await insert_gap(
                    conn,
                    feedback.question or "",
                    GapStatus.DOWNVOTED,
                    entry_id=feedback.entry_id or None,
                    at=now,
                    platform=feedback.platform,
                    workspace_id=feedback.workspace_id or "",
                )
        change = VoteChange.NEW if previous is None else VoteChange.CHANGED
        return VoteResult(change, feedback.helpful, None if previous is None else bool(previous))

    async def get(self, platform: str, message_id: str, entry_id: str, user_id: str) -> bool | None:
        query = sa.select(t.c.helpful).where(
            t.c.platform == platform,
            t.c.message_id == message_id,
            t.c.entry_id == entry_id,
            t.c.user_id == user_id,
        )
        async with self._store.read() as conn:
            value = (await conn.execute(query)).scalar_one_or_none()
        return None if value is None else bool(value)

    async def tally(
        self,
        *,
        since: datetime | None = None,
        platform: str | None = None,
        workspace_id: str | None = None,
        entry_id: str | None = None,
    ) -> VoteTally:
        """Current votes (a changed vote counts once, as it now stands), for `/studybot stats`."""
        helpful = sa.func.sum(sa.case((t.c.helpful.is_(True), 1), else_=0))
        unhelpful = sa.func.sum(sa.case((t.c.helpful.is_(False), 1), else_=0))
        query = sa.select(helpful, unhelpful)
        if since is not None:
            query = query.where(t.c.updated_at >= since)
        if platform is not None:
            query = query.where(t.c.platform == platform)
        if workspace_id is not None:
            query = query.where(t.c.workspace_id == workspace_id)
        if entry_id is not None:
            query = query.where(t.c.entry_id == entry_id)
        async with self._store.read() as conn:
            row = (await conn.execute(query)).one()
        return VoteTally(int(row[0] or 0), int(row[1] or 0))
