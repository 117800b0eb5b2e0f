"""Quizzes, rounds and scores, each state change one transaction.

A quiz's rounds are written in full when it starts (status `pending`), so a restarted process
needs nothing but the database to carry on. Every state change is a conditional UPDATE
(`... WHERE status = 'open'`), and the database allows one score per round, so two answers racing
for the same round, or a timer racing an answer, can never both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.store.models import ChannelRef
from bot.core.store.schema import quiz_rounds as r
from bot.core.store.schema import quiz_scores as s
from bot.core.store.schema import quizzes as q

if TYPE_CHECKING:
    from bot.core.store.db import Store


class QuizStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"  # every round was played
    STOPPED = "stopped"  # by its starter or a moderator
    ABANDONED = "abandoned"  # closed after a restart found it stale


class RoundStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    WON = "won"
    EXPIRED = "expired"  # time ran out with no correct answer
    STOPPED = "stopped"  # the quiz was stopped while it was open
    SKIPPED = "skipped"  # never asked: the quiz ended first


@dataclass(frozen=True)
class PlannedRound:
    entry_id: str
    prompt: str
    accept: tuple[str, ...]
    reveal: str


@dataclass(frozen=True)
class QuizRecord:
    id: int
    ref: ChannelRef
    started_by: str
    topic: str | None
    rounds_total: int
    round_seconds: int
    status: QuizStatus
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class RoundRecord:
    id: int
    quiz_id: int
    number: int
    entry_id: str
    prompt: str
    accept: tuple[str, ...]
    reveal: str
    status: RoundStatus
    opened_at: datetime | None
    deadline: datetime | None
    closed_at: datetime | None
    winner_id: str | None
    winner_answer: str | None


@dataclass(frozen=True)
class Advance:
    """What one closed round led to: the next round opened, or the quiz ended."""

    quiz: QuizRecord
    closed: RoundRecord
    next_round: RoundRecord | None


@dataclass(frozen=True)
class ScoreRow:
    user_id: str
    user_name: str | None
    points: int


class QuizAlreadyRunning(Exception):
    def __init__(self, quiz: QuizRecord) -> None:
        super().__init__(f"quiz {quiz.id} is already running in this channel")
        self.quiz = quiz


def _quiz(row: sa.Row[Any]) -> QuizRecord:
    return QuizRecord(
        id=row.id,
        ref=ChannelRef(row.platform, row.workspace_id, row.channel_id),
        started_by=row.started_by,
        topic=row.topic,
        rounds_total=row.rounds_total,
        round_seconds=row.round_seconds,
        status=QuizStatus(row.status),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


def _round(row: sa.Row[Any]) -> RoundRecord:
    return RoundRecord(
        id=row.id,
        quiz_id=row.quiz_id,
        number=row.number,
        entry_id=row.entry_id,
        prompt=row.prompt,
        accept=tuple(row.accept),
        reveal=row.reveal,
        status=RoundStatus(row.status),
        opened_at=row.opened_at,
        deadline=row.deadline,
        closed_at=row.closed_at,
        winner_id=row.winner_id,
        winner_answer=row.winner_answer,
    )


def _in_channel(ref: ChannelRef) -> sa.ColumnElement[bool]:
    return sa.and_(
        q.c.platform == ref.platform,
        q.c.workspace_id == ref.workspace_id,
        q.c.channel_id == ref.channel_id,
    )


async def _get_quiz(conn: AsyncConnection, quiz_id: int) -> QuizRecord:
    return _quiz((await conn.execute(sa.select(q).where(q.c.id == quiz_id))).one())


async def _get_round(conn: AsyncConnection, round_id: int) -> RoundRecord:
    return _round((await conn.execute(sa.select(r).where(r.c.id == round_id))).one())


class QuizRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- reading ---------------------------------------------------------------------------

    async def running(self, ref: ChannelRef) -> QuizRecord | None:
        query = sa.select(q).where(_in_channel(ref), q.c.status == QuizStatus.RUNNING.value)
        async with self._store.read() as conn:
            row = (await conn.execute(query)).first()
        return _quiz(row) if row is not None else None

    async def all_running(self, platform: str | None = None) -> list[QuizRecord]:
        query = sa.select(q).where(q.c.status == QuizStatus.RUNNING.value).order_by(q.c.id)
        if platform is not None:
            query = query.where(q.c.platform == platform)
        async with self._store.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_quiz(row) for row in rows]

    async def get(self, quiz_id: int) -> QuizRecord | None:
        async with self._store.read() as conn:
            row = (await conn.execute(sa.select(q).where(q.c.id == quiz_id))).first()
        return _quiz(row) if row is not None else None

    async def open_round(self, quiz_id: int) -> RoundRecord | None:
        query = sa.select(r).where(r.c.quiz_id == quiz_id, r.c.status == RoundStatus.OPEN.value)
        async with self._store.read() as conn:
            row = (await conn.execute(query)).first()
        return _round(row) if row is not None else None

    async def rounds(self, quiz_id: int) -> list[RoundRecord]:
        query = sa.select(r).where(r.c.quiz_id == quiz_id).order_by(r.c.number)
        async with self._store.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_round(row) for row in rows]

    async def standings(self, quiz_id: int) -> list[ScoreRow]:
        """This quiz's scores, best first."""
        async with self._store.read() as conn:
            return await self._totals(conn, s.c.quiz_id == quiz_id, limit=None)

    async def leaderboard(
        self,
        platform: str,
        workspace_id: str,
        *,
        channel_id: str | None = None,
        since: datetime | None = None,
        limit: int | None = 10,
    ) -> list[ScoreRow]:
        """Points per player in a workspace (or one of its channels), optionally since a time."""
        where = [s.c.platform == platform, s.c.workspace_id == workspace_id]
        if channel_id is not None:
            where.append(s.c.channel_id == channel_id)
        if since is not None:
            where.append(s.c.scored_at >= since)
        async with self._store.read() as conn:
            return await self._totals(conn, sa.and_(*where), limit=limit)

    @staticmethod
    async def _totals(
        conn: AsyncConnection, where: sa.ColumnElement[bool], limit: int | None
    ) -> list[ScoreRow]:
        points = sa.func.sum(s.c.points).label("points")
        query = (
            sa.select(
                s.c.user_id,
                # The name a player last had is good enough; ids are what scores belong to.
                sa.func.max(s.c.user_name).label("user_name"),
                points,
                sa.func.min(s.c.scored_at).label("first_scored"),
            )
            .where(where)
            .group_by(s.c.user_id)
            .order_by(points.desc(), sa.text("first_scored"), s.c.user_id)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = (await conn.execute(query)).all()
        return [ScoreRow(row.user_id, row.user_name, int(row.points)) for row in rows]

    # -- changing --------------------------------------------------------------------------

    async def create(
        self,
        ref: ChannelRef,
        started_by: str,
        rounds: Sequence[PlannedRound],
        *,
        round_seconds: int,
        topic: str | None = None,
    ) -> tuple[QuizRecord, RoundRecord]:
        """Start a quiz with its first round open; QuizAlreadyRunning if the channel has one."""
        if not rounds:
            raise ValueError("a quiz needs at least one round")
        now = self._store.now()
        try:
            async with self._store.write() as conn:
                quiz_id = (
                    await conn.execute(
                        sa.insert(q)
                        .values(
                            platform=ref.platform,
                            workspace_id=ref.workspace_id,
                            channel_id=ref.channel_id,
                            started_by=started_by,
                            topic=topic,
                            rounds_total=len(rounds),
                            round_seconds=round_seconds,
                            status=QuizStatus.RUNNING.value,
                            started_at=now,
                        )
                        .returning(q.c.id)
                    )
                ).scalar_one()
                await conn.execute(
                    sa.insert(r),
                    [
                        {
                            "quiz_id": quiz_id,
                            "number": number,
                            "entry_id": planned.entry_id,
                            "prompt": planned.prompt,
                            "accept": list(planned.accept),
                            "reveal": planned.reveal,
                            "status": RoundStatus.PENDING.value,
                        }
                        for number, planned in enumerate(rounds, 1)
                    ],
                )
                first = await self._open_next(conn, quiz_id, 0, round_seconds, now)
                quiz = await _get_quiz(conn, quiz_id)
        except IntegrityError:
            running = await self.running(ref)
            if running is None:
                raise
            raise QuizAlreadyRunning(running) from None
        assert first is not None
        return quiz, first

    async def award(
        self,
        round_id: int,
        user_id: str,
        answer: str,
        *,
        user_name: str | None = None,
        points: int = 1,
    ) -> Advance | None:
        """Score the round for this user and move on; None if the round is no longer open or
        its time is up (someone else was first, the timer closed it, the quiz was stopped)."""
        now = self._store.now()
        async with self._store.write() as conn:
            won = await conn.execute(
                sa.update(r)
                .where(
                    r.c.id == round_id,
                    r.c.status == RoundStatus.OPEN.value,
                    r.c.deadline > now,
                )
                .values(
                    status=RoundStatus.WON.value,
                    closed_at=now,
                    winner_id=user_id,
                    winner_answer=answer[:500],
                )
            )
            if won.rowcount != 1:
                return None
            closed = await _get_round(conn, round_id)
            quiz = await _get_quiz(conn, closed.quiz_id)
            await conn.execute(
                sa.insert(s).values(
                    quiz_id=quiz.id,
                    round_id=round_id,
                    platform=quiz.ref.platform,
                    workspace_id=quiz.ref.workspace_id,
                    channel_id=quiz.ref.channel_id,
                    user_id=user_id,
                    user_name=user_name,
                    points=points,
                    scored_at=now,
                )
            )
            return await self._advance(conn, quiz, closed, now)

    async def close_round(
        self, quiz_id: int, number: int, status: RoundStatus = RoundStatus.EXPIRED
    ) -> Advance | None:
        """Close an open round without a winner and move on; None if it was not open."""
        now = self._store.now()
        async with self._store.write() as conn:
            closed_id = (
                await conn.execute(
                    sa.update(r)
                    .where(
                        r.c.quiz_id == quiz_id,
                        r.c.number == number,
                        r.c.status == RoundStatus.OPEN.value,
                    )
                    .values(status=status.value, closed_at=now)
                    .returning(r.c.id)
                )
            ).scalar_one_or_none()
            if closed_id is None:
                return None
            closed = await _get_round(conn, closed_id)
            quiz = await _get_quiz(conn, quiz_id)
            return await self._advance(conn, quiz, closed, now)

    async def end(
        self, quiz_id: int, status: QuizStatus = QuizStatus.STOPPED
    ) -> tuple[QuizRecord, RoundRecord | None] | None:
        """End a running quiz now; the open round (returned) scores nobody. None if not running."""
        now = self._store.now()
        async with self._store.write() as conn:
            ended = await conn.execute(
                sa.update(q)
                .where(q.c.id == quiz_id, q.c.status == QuizStatus.RUNNING.value)
                .values(status=status.value, ended_at=now)
            )
            if ended.rowcount != 1:
                return None
            open_id = (
                await conn.execute(
                    sa.update(r)
                    .where(r.c.quiz_id == quiz_id, r.c.status == RoundStatus.OPEN.value)
                    .values(status=RoundStatus.STOPPED.value, closed_at=now)
                    .returning(r.c.id)
                )
            ).scalar_one_or_none()
            await conn.execute(
                sa.update(r)
                .where(r.c.quiz_id == quiz_id, r.c.status == RoundStatus.PENDING.value)
                .values(status=RoundStatus.SKIPPED.value)
            )
            stopped = await _get_round(conn, open_id) if open_id is not None else None
            return await _get_quiz(conn, quiz_id), stopped

    async def reopen(self, quiz_id: int) -> RoundRecord | None:
        """Open the next pending round of a running quiz that has none open (or finish it)."""
        now = self._store.now()
        async with self._store.write() as conn:
            quiz = await _get_quiz(conn, quiz_id)
            if quiz.status is not QuizStatus.RUNNING:
                return None
            last = (
                await conn.execute(
                    sa.select(sa.func.max(r.c.number)).where(
                        r.c.quiz_id == quiz_id, r.c.status != RoundStatus.PENDING.value
                    )
                )
            ).scalar_one_or_none()
            opened = await self._open_next(conn, quiz_id, last or 0, quiz.round_seconds, now)
            if opened is None:
                await self._finish(conn, quiz_id, now)
            return opened

    # -- inside a transaction --------------------------------------------------------------

    async def _advance(
        self, conn: AsyncConnection, quiz: QuizRecord, closed: RoundRecord, now: datetime
    ) -> Advance:
        next_round = None
        if quiz.status is QuizStatus.RUNNING:
            next_round = await self._open_next(
                conn, quiz.id, closed.number, quiz.round_seconds, now
            )
            if next_round is None:
                await self._finish(conn, quiz.id, now)
                quiz = await _get_quiz(conn, quiz.id)
        return Advance(quiz, closed, next_round)

    @staticmethod
    async def _open_next(
        conn: AsyncConnection, quiz_id: int, after: int, seconds: int, now: datetime
    ) -> RoundRecord | None:
        round_id = (
            await conn.execute(
                sa.update(r)
                .where(
                    r.c.quiz_id == quiz_id,
                    r.c.number == after + 1,
                    r.c.status == RoundStatus.PENDING.value,
                )
                .values(
                    status=RoundStatus.OPEN.value,
                    opened_at=now,
                    deadline=now + timedelta(seconds=seconds),
                )
                .returning(r.c.id)
            )
        ).scalar_one_or_none()
        return await _get_round(conn, round_id) if round_id is not None else None

    @staticmethod
    async def _finish(conn: AsyncConnection, quiz_id: int, now: datetime) -> None:
        await conn.execute(
            sa.update(q)
            .where(q.c.id == quiz_id, q.c.status == QuizStatus.RUNNING.value)
            .values(status=QuizStatus.FINISHED.value, ended_at=now)
        )
