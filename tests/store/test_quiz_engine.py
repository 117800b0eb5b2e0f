"""The quiz engine end to end on a real database: what an adapter sees, round by round."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import sqlalchemy as sa
from bot.core.quiz import (
    AnswerKind,
    Period,
    QuizEngine,
    RecoveryAction,
    RoundView,
    Scope,
    StartRefusal,
    StopRefusal,
)
from bot.core.service import StudyService
from bot.core.store import ChannelRef, QuizStatus, RoundStatus, Store
from bot.core.store.schema import quiz_scores

from tests.store.conftest import FakeClock

ALICE, BOB = "u-alice", "u-bob"


def engine_for(store: Store, service: StudyService, seed: int = 7) -> QuizEngine:
    return QuizEngine(store, service, round_seconds=30, rng=random.Random(seed))


def right(service: StudyService, view: RoundView) -> str:
    entry = next(e for e in service.kb.entries if e.quiz and e.quiz.prompt == view.prompt)
    assert entry.quiz is not None
    return entry.quiz.accept[0]


def wrong(service: StudyService, view: RoundView) -> str:
    return "definitely not " + right(service, view) + " 1999"


async def score_count(store: Store) -> int:
    async with store.read() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(quiz_scores))).scalar_one()
        )


async def test_a_full_three_round_quiz_with_two_players(
    store: Store, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    engine = engine_for(store, pack_service)
    started = await engine.start(ref, ALICE, rounds=3)
    assert started.ok and started.round is not None
    first = started.round
    assert (first.number, first.total) == (1, 3)
    assert first.seconds_left(clock.now) == 30
    assert first.prompt in first.text()

    # Round 1: Bob is wrong, Alice is right; Bob's late right answer is graded against round 2.
    assert (await engine.answer(ref, BOB, wrong(pack_service, first))).kind is AnswerKind.WRONG
    won = await engine.answer(ref, ALICE, right(pack_service, first), user_name="Alice")
    assert won.kind is AnswerKind.CORRECT and won.result is not None
    r1 = won.result
    assert (r1.number, r1.status, r1.winner_id) == (1, RoundStatus.WON, ALICE)
    entry = next(e for e in pack_service.kb.entries if e.quiz and e.quiz.prompt == first.prompt)
    assert entry.answer in r1.reveal
    assert pack_service.citation_for(entry).line() in r1.reveal
    assert r1.text("@Alice").startswith("@Alice got it!")
    assert r1.next_round is not None and r1.summary is None
    second = r1.next_round
    assert second.number == 2 and second.prompt != first.prompt
    late = await engine.answer(ref, BOB, right(pack_service, first))
    assert late.kind is AnswerKind.WRONG

    # Round 2: Bob is first; Alice's right answer after him does not score.
    clock.advance(5)
    bob = await engine.answer(ref, BOB, right(pack_service, second), user_name="Bob")
    assert bob.kind is AnswerKind.CORRECT and bob.result is not None
    assert bob.result.winner_id == BOB
    third = bob.result.next_round
    assert third is not None and third.number == 3
    assert third.deadline == clock.now + timedelta(seconds=30)

    # Round 3: nobody answers; the adapter's timer closes it and the quiz ends.
    clock.advance(31)
    result = await engine.expire_round(third.quiz_id, 3)
    assert result is not None and result.status is RoundStatus.EXPIRED
    assert result.winner_id is None and result.next_round is None
    assert result.headline() == "Time's up! Nobody got that one."
    summary = result.summary
    assert summary is not None and summary.status is QuizStatus.FINISHED
    assert (summary.rounds_played, summary.rounds_total) == (3, 3)
    assert [(s.user_id, s.points) for s in summary.standings] == [(ALICE, 1), (BOB, 1)]
    assert "Final scores" in summary.text()
    assert await engine.expire_round(third.quiz_id, 3) is None  # a late second timer
    assert (await engine.answer(ref, ALICE, "anything")).kind is AnswerKind.NO_QUIZ

    # A second quiz in the same channel; Alice wins a round, so she leads the boards.
    again = await engine.start(ref, BOB, rounds=1)
    assert again.round is not None
    await engine.answer(ref, ALICE, right(pack_service, again.round), user_name="Alice")
    boards = await engine.leaderboards(ref)
    assert [(b.scope, b.period) for b in boards] == [
        (Scope.CHANNEL, Period.ALL_TIME),
        (Scope.CHANNEL, Period.WEEK),
        (Scope.WORKSPACE, Period.ALL_TIME),
        (Scope.WORKSPACE, Period.WEEK),
    ]
    for board in boards:
        assert [(r.user_id, r.label, r.points) for r in board.rows] == [
            (ALICE, "Alice", 2),
            (BOB, "Bob", 1),
        ]
    assert boards[0].text().splitlines()[1] == "1. Alice: 2"


async def test_leaderboards_per_channel_per_workspace_and_this_week(
    store: Store, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    engine = engine_for(store, pack_service)
    elsewhere = ChannelRef(ref.platform, ref.workspace_id, "chan-other")
    other_server = ChannelRef(ref.platform, "guild-2", ref.channel_id)

    async def win(where: ChannelRef, user: str) -> None:
        started = await engine.start(where, user, rounds=1)
        assert started.round is not None
        result = await engine.answer(where, user, right(pack_service, started.round))
        assert result.kind is AnswerKind.CORRECT

    clock.advance(-3 * 24 * 3600)  # the Sunday before: last week
    await win(ref, ALICE)
    clock.advance(3 * 24 * 3600)
    await win(ref, BOB)
    await win(elsewhere, BOB)
    await win(other_server, ALICE)

    async def board(where: ChannelRef, scope: Scope, period: Period) -> list[tuple[str, int]]:
        rows = (await engine.leaderboard(where, scope=scope, period=period)).rows
        return [(r.user_id, r.points) for r in rows]

    assert await board(ref, Scope.CHANNEL, Period.ALL_TIME) == [(ALICE, 1), (BOB, 1)]
    assert await board(ref, Scope.CHANNEL, Period.WEEK) == [(BOB, 1)]
    assert await board(ref, Scope.WORKSPACE, Period.ALL_TIME) == [(BOB, 2), (ALICE, 1)]
    assert await board(ref, Scope.WORKSPACE, Period.WEEK) == [(BOB, 2)]
    assert await board(other_server, Scope.WORKSPACE, Period.ALL_TIME) == [(ALICE, 1)]
    empty = await engine.leaderboard(ChannelRef("slack", "T1", "C1"))
    assert empty.rows == () and "no scores yet" in empty.text()


async def test_one_quiz_per_channel_and_refusals_are_explained(
    store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    engine = engine_for(store, pack_service)
    first = await engine.start(ref, ALICE, rounds=2)
    assert first.ok
    second = await engine.start(ref, BOB)
    assert not second.ok and second.refusal is StartRefusal.ALREADY_RUNNING
    assert "already running" in second.message and "question 1 of 2" in second.message
    assert second.running is not None and second.running.started_by == ALICE
    # Another channel is free.
    assert (await engine.start(ChannelRef(ref.platform, ref.workspace_id, "c2"), BOB)).ok

    off = ChannelRef(ref.platform, ref.workspace_id, "quiet")
    await store.settings.update(off, quizzes_on=False)
    refused = await engine.start(off, ALICE)
    assert refused.refusal is StartRefusal.QUIZZES_OFF and "turned off" in refused.message

    none = await engine.start(ChannelRef("slack", "T", "C"), ALICE, topic="astronomy")
    assert none.refusal is StartRefusal.NO_QUESTIONS
    assert "Diplomacy" in none.message and "Military" in none.message


async def test_two_starts_racing_let_exactly_one_through(
    store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    engine = engine_for(store, pack_service)
    results = await asyncio.gather(*(engine.start(ref, user) for user in (ALICE, BOB, "u-3")))
    assert sum(r.ok for r in results) == 1
    assert {r.refusal for r in results if not r.ok} == {StartRefusal.ALREADY_RUNNING}


async def test_two_right_answers_racing_score_once(
    store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    engine = engine_for(store, pack_service)
    started = await engine.start(ref, ALICE, rounds=2)
    assert started.round is not None
    answer = right(pack_service, started.round)
    results = await asyncio.gather(*(engine.answer(ref, u, answer) for u in (ALICE, BOB, "u-3")))
    kinds = sorted(r.kind.value for r in results)
    assert kinds.count(AnswerKind.CORRECT.value) == 1
    assert await score_count(store) == 1


async def test_topics_rounds_and_grading_leniency(
    store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    engine = engine_for(store, pack_service)
    assert engine.quiz_topics() == {"diplomacy": 2, "military": 1, "trade": 1}
    started = await engine.start(ref, ALICE, topic="Diplomacy", rounds=5)
    assert started.round is not None
    assert "only have 2 quiz questions" in started.message
    assert started.round.total == 2
    prompts = {
        "How many times have the leaders met?",
        "What is the capital of the smaller country?",
    }
    assert started.round.prompt in prompts
    typo = {"8": "eight", "Astana": "astanna"}[right(pack_service, started.round)]
    assert (await engine.answer(ref, BOB, typo)).kind is AnswerKind.CORRECT

    trade = ChannelRef(ref.platform, ref.workspace_id, "trade")
    quiz = await engine.start(trade, ALICE, topic="trade")
    assert quiz.round is not None and quiz.round.total == 1
    assert (await engine.answer(trade, BOB, "66 million")).kind is AnswerKind.WRONG
    assert (await engine.answer(trade, BOB, "66bn")).kind is AnswerKind.CORRECT


async def test_an_answer_after_the_deadline_closes_the_round_unscored(
    store: Store, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    engine = engine_for(store, pack_service)
    started = await engine.start(ref, ALICE, rounds=2)
    assert started.round is not None
    clock.advance(30)
    late = await engine.answer(ref, BOB, right(pack_service, started.round))
    assert late.kind is AnswerKind.EXPIRED and late.result is not None
    assert late.result.status is RoundStatus.EXPIRED and late.result.next_round is not None
    assert await engine.expire_round(started.round.quiz_id, 1) is None  # the timer, afterwards
    assert await score_count(store) == 0


async def test_stop_by_the_starter_or_a_moderator_only(
    store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    engine = engine_for(store, pack_service)
    started = await engine.start(ref, ALICE, rounds=3)
    assert started.round is not None
    await engine.answer(ref, ALICE, right(pack_service, started.round), user_name="Alice")
    refused = await engine.stop(ref, BOB)
    assert refused.refusal is StopRefusal.NOT_ALLOWED and "moderator" in refused.message
    assert await engine.current(ref) is not None
    stopped = await engine.stop(ref, BOB, is_moderator=True)
    assert stopped.ok and stopped.summary is not None
    assert stopped.summary.status is QuizStatus.STOPPED
    assert [(s.user_id, s.points) for s in stopped.summary.standings] == [(ALICE, 1)]
    assert stopped.stopped_round is not None and stopped.stopped_round.number == 2
    assert stopped.stopped_round.reveal.startswith("Answer: ")
    assert await engine.current(ref) is None
    assert (await engine.stop(ref, ALICE)).refusal is StopRefusal.NO_QUIZ
    rounds = await store.quizzes.rounds(started.round.quiz_id)
    assert [r.status for r in rounds] == [RoundStatus.WON, RoundStatus.STOPPED, RoundStatus.SKIPPED]
    # The starter may stop their own quiz.
    mine = await engine.start(ref, BOB)
    assert mine.ok and (await engine.stop(ref, BOB)).ok


async def test_a_restart_mid_quiz_resumes_without_double_scoring(
    db_url: str, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    before = await Store.open(db_url, clock=clock)
    engine = engine_for(before, pack_service)
    started = await engine.start(ref, ALICE, rounds=3)
    assert started.round is not None
    won = await engine.answer(ref, ALICE, right(pack_service, started.round))
    assert won.result is not None and won.result.next_round is not None
    second = won.result.next_round
    round_one = (await before.quizzes.rounds(second.quiz_id))[0]
    await before.engine.dispose()  # the process dies: no goodbye, timers gone

    clock.advance(10)
    after = await Store.open(db_url, clock=clock)
    try:
        engine = engine_for(after, pack_service, seed=99)
        recovered = await engine.recover(platform="discord")
        assert len(recovered) == 1
        resumed = recovered[0]
        assert resumed.action is RecoveryAction.RESUMED and resumed.round is not None
        assert (resumed.round.number, resumed.round.prompt) == (2, second.prompt)
        assert resumed.round.seconds_left(clock.now) == 20
        # A redelivered round-1 win scores nothing, whether by message or straight at the store.
        assert await after.quizzes.award(round_one.id, ALICE, "again") is None
        assert await score_count(after) == 1
        assert (await engine.start(ref, BOB)).refusal is StartRefusal.ALREADY_RUNNING
        bob = await engine.answer(ref, BOB, right(pack_service, resumed.round))
        assert bob.kind is AnswerKind.CORRECT and bob.result is not None
        third = bob.result.next_round
        assert third is not None
        await engine.answer(ref, ALICE, right(pack_service, third))
        board = await engine.leaderboard(ref)
        assert [(r.user_id, r.points) for r in board.rows] == [(ALICE, 2), (BOB, 1)]
        assert await engine.recover() == []
    finally:
        await after.close()


async def test_a_restart_after_the_deadline_moves_on_and_a_stale_quiz_is_closed(
    db_url: str, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    store = await Store.open(db_url, clock=clock)
    try:
        engine = engine_for(store, pack_service)
        stale = ChannelRef(ref.platform, ref.workspace_id, "stale")
        shard_b = ChannelRef(ref.platform, "guild-b", "c")
        one = await engine.start(ref, ALICE, rounds=2)
        two = await engine.start(stale, ALICE, rounds=2)
        assert one.round is not None and two.round is not None
        await engine.answer(stale, BOB, right(pack_service, two.round))
        await engine.start(shard_b, ALICE)
        await store.engine.dispose()

        clock.advance(45)  # past round 1's deadline in `ref` and round 2's in `stale`
        engine = engine_for(store, pack_service)
        recovered = await engine.recover(
            max_idle=timedelta(seconds=30), owns=lambda where: where.channel_id == "chan-1"
        )
        assert [r.ref for r in recovered] == [ref]
        moved = recovered[0]
        assert moved.action is RecoveryAction.ADVANCED
        assert moved.closed is not None and moved.closed.status is RoundStatus.EXPIRED
        assert moved.closed.number == 1 and moved.closed.reveal.startswith("Answer: ")
        assert moved.round is not None and moved.round.number == 2
        assert moved.round.seconds_left(clock.now) == 30

        clock.advance(60)  # `stale` round 2 was due at +30 s: idle for 75 s now
        closed = await engine.recover(
            max_idle=timedelta(seconds=30), owns=lambda where: where.workspace_id == "guild-1"
        )
        assert {r.ref.channel_id: r.action for r in closed} == {
            "chan-1": RecoveryAction.ADVANCED,  # its round 2 ran out too: the quiz finishes
            "stale": RecoveryAction.ABANDONED,
        }
        closed = [r for r in closed if r.ref == stale]
        assert [r.action for r in closed] == [RecoveryAction.ABANDONED]
        summary = closed[0].summary
        assert summary is not None and summary.status is QuizStatus.ABANDONED
        assert [(s.user_id, s.points) for s in summary.standings] == [(BOB, 1)]
        assert "restarted" in summary.text()
        assert await store.quizzes.running(stale) is None
        assert await store.quizzes.running(shard_b) is not None
    finally:
        await store.close()


async def test_closed_rounds_are_counted_for_metrics(
    store: Store, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    from bot.ops import metrics
    from prometheus_client import REGISTRY

    metrics.install()

    def rounds(outcome: str) -> float:
        labels = {"platform": ref.platform, "outcome": outcome}
        return REGISTRY.get_sample_value("studybot_quiz_rounds_total", labels) or 0.0

    won, expired, stopped = rounds("won"), rounds("expired"), rounds("stopped")
    engine = engine_for(store, pack_service)
    started = await engine.start(ref, ALICE, rounds=3)
    assert started.round is not None
    first = await engine.answer(ref, BOB, right(pack_service, started.round))
    assert first.result is not None and first.result.next_round is not None
    clock.advance(31)
    assert await engine.expire_round(first.result.quiz_id, first.result.next_round.number)
    await engine.stop(ref, ALICE)
    assert (rounds("won"), rounds("expired"), rounds("stopped")) == (
        won + 1,
        expired + 1,
        stopped + 1,
    )
