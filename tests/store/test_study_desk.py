"""The study desk, the facade both chat adapters use, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from bot.core.feedback import Feedback
from bot.core.gaps import gaps_report
from bot.core.replies import Kind, Reply, Status
from bot.core.service import StudyService
from bot.core.store import ChannelRef, ChannelSettings, GapStatus, Store, Visibility
from bot.core.store.schema import question_log
from bot.core.study import SETTING_NAMES, SettingError, StudyDesk
from bot.ops.health import HEALTH

from tests.store.conftest import PACK, FakeClock

UNKNOWN = "what is the population of the moon colony?"


@pytest.fixture
async def desk(store: Store, pack_service: StudyService) -> AsyncIterator[StudyDesk]:
    opened = await StudyDesk.open(pack_service, store=store, default_cooldown=5.0)
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_question_is_counted_without_its_words_and_a_miss_is_logged_for_curators(
    desk: StudyDesk, store: Store, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    answered = pack_service.ask("When did the arms sales stop?")
    missed = pack_service.ask(UNKNOWN)
    hello = pack_service.ask("hello!")
    for reply in (answered, missed, hello):
        await desk.record_question(ref, reply)

    async with store.read() as conn:
        rows = (await conn.execute(sa.select(question_log).order_by("id"))).mappings().all()
    assert set(rows[0]) == {
        "id",
        "platform",
        "workspace_id",
        "channel_id",
        "status",
        "kind",
        "entry_id",
        "asked_at",
    }
    assert [(r["status"], r["kind"], r["entry_id"]) for r in rows] == [
        ("answered", "answer", "arms-halt"),
        ("no_match", "unknown", None),
        ("no_match", "small_talk", None),
    ]
    assert {(r["platform"], r["workspace_id"], r["channel_id"]) for r in rows} == {
        (ref.platform, ref.workspace_id, ref.channel_id)
    }
    assert rows[0]["asked_at"] == clock.now
    gaps = await store.gaps.fetch()
    assert [(g.question, g.status) for g in gaps] == [(UNKNOWN, GapStatus.NO_MATCH)]


@pytest.mark.parametrize(
    ("name", "value", "expected", "says"),
    [
        ("answers", "off", ChannelSettings(answers_on=False), "silent"),
        ("Answers", " ON ", ChannelSettings(), "Answers are on"),
        ("quizzes", "off", ChannelSettings(quizzes_on=False), "Quizzes are off"),
        ("visibility", "private", ChannelSettings(visibility=Visibility.PRIVATE), "private"),
        ("visibility", "public", ChannelSettings(), "public"),
        ("cooldown", "12.5", ChannelSettings(cooldown_seconds=12.5), "12.5 s"),
        ("cooldown", "30s", ChannelSettings(cooldown_seconds=30), "30 s"),
        ("cooldown", "0", ChannelSettings(cooldown_seconds=0), "No cooldown"),
        ("cooldown", "default", ChannelSettings(), "default (5 s"),
    ],
)
async def test_moderator_settings_are_stored_per_channel(
    desk: StudyDesk, ref: ChannelRef, name: str, value: str, expected: ChannelSettings, says: str
) -> None:
    confirmation = await desk.change_setting(ref, name, value)

    assert says in confirmation
    assert await desk.channel_settings(ref) == expected
    other = ChannelRef(ref.platform, ref.workspace_id, "another-channel")
    assert await desk.channel_settings(other) == ChannelSettings()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("answers", "maybe", "answers takes on or off, not 'maybe'"),
        ("quizzes", "", "quizzes takes on or off"),
        ("visibility", "secret", "visibility takes public or private, not 'secret'"),
        ("cooldown", "-1", "cooldown takes a number of seconds from 0 to 86400"),
        ("cooldown", "forever", "or default, not 'forever'"),
        ("cooldown", "nan", "cooldown takes"),
        ("cooldown", "90000", "cooldown takes"),
        ("colour", "blue", "There is no setting 'colour'. Settings: answers, quizzes"),
    ],
)
async def test_bad_settings_are_refused_with_what_is_accepted_and_nothing_changes(
    desk: StudyDesk, ref: ChannelRef, name: str, value: str, message: str
) -> None:
    await desk.change_setting(ref, "cooldown", "7")

    with pytest.raises(SettingError, match=message):
        await desk.change_setting(ref, name, value)

    assert await desk.channel_settings(ref) == ChannelSettings(cooldown_seconds=7)


async def test_settings_text_and_the_cooldown_in_force(desk: StudyDesk, ref: ChannelRef) -> None:
    assert SETTING_NAMES == ("answers", "quizzes", "visibility", "cooldown")
    text = await desk.settings_text(ref)
    assert "answers: on" in text and "quizzes: on" in text
    assert "visibility: public" in text and "cooldown: default (5 s)" in text
    assert desk.cooldown_for(await desk.channel_settings(ref)) == 5.0

    await desk.change_setting(ref, "answers", "off")
    await desk.change_setting(ref, "visibility", "private")
    await desk.change_setting(ref, "cooldown", "20")

    text = await desk.settings_text(ref)
    assert "answers: off" in text and "visibility: private" in text and "cooldown: 20 s" in text
    assert desk.cooldown_for(await desk.channel_settings(ref)) == 20.0


async def test_stats_count_the_period_the_outcomes_the_top_entries_and_the_votes(
    desk: StudyDesk, pack_service: StudyService, ref: ChannelRef, clock: FakeClock
) -> None:
    arms = pack_service.ask("When did the arms sales stop?")
    trade = pack_service.ask("How much is the trade between the two countries worth?")
    assert (arms.entry_id, trade.entry_id) == ("arms-halt", "trade-value")
    ambiguous = Reply(Status.AMBIGUOUS, Kind.SUGGESTIONS, "arms or trade?")
    missed = pack_service.ask(UNKNOWN)
    # Ten days ago: outside the default week, inside all time.
    clock.advance(-10 * 86400)
    await desk.record_question(ref, arms)
    await desk.record_question(ref, missed)
    clock.advance(10 * 86400)
    for reply in (arms, arms, arms, trade, ambiguous, missed, pack_service.ask("thanks!")):
        await desk.record_question(ref, reply)
    # Another workspace and another platform never count here.
    await desk.record_question(ChannelRef("discord", "other-guild", "c"), arms)
    await desk.record_question(ChannelRef("slack", ref.workspace_id, "c"), arms)
    for user, helpful in (("u1", True), ("u2", True), ("u3", True), ("u4", False)):
        vote = Feedback("discord", "arms-halt", helpful, user, ref.channel_id, ref.workspace_id)
        await desk.feedback.arecord(vote)

    week = await desk.stats_text(ref.platform, ref.workspace_id)
    forever = await desk.stats_text(ref.platform, ref.workspace_id, days=None)

    assert week.splitlines() == [
        "Questions asked, the last 7 days: 6",
        "answered 4 (67%), ambiguous 1 (17%), no match 1 (17%)",
        "Most asked:",
        "1. When did the arms sales stop? ×3",
        "2. How much is the trade between the two countries worth? ×1",
        "Feedback: 3 👍, 1 👎 (helpful rate 75%)",
    ]
    assert forever.splitlines()[:2] == [
        "Questions asked, all time: 8",
        "answered 5 (62%), ambiguous 1 (12%), no match 2 (25%)",
    ]
    assert "1. When did the arms sales stop? ×4" in forever
    empty = await desk.stats_text("discord", "quiet-guild", days=1)
    assert empty.splitlines() == [
        "Questions asked, the last 1 day: 0",
        "Feedback: no votes yet.",
    ]
    with pytest.raises(SettingError):
        await desk.stats_text(ref.platform, ref.workspace_id, days=0)


async def test_gaps_text_lists_the_misses_most_frequent_first(
    desk: StudyDesk, pack_service: StudyService, ref: ChannelRef
) -> None:
    assert "No gaps logged" in await desk.gaps_text(ref.platform, ref.workspace_id)
    for question in (UNKNOWN, UNKNOWN, "Who won the 1998 world cup?"):
        await desk.record_question(ref, pack_service.ask(question))

    lines = (await desk.gaps_text(ref.platform, ref.workspace_id, limit=5)).splitlines()

    assert lines[1].startswith(f"1. {UNKNOWN}  [2×")
    assert lines[2].startswith("2. Who won the 1998 world cup?  [1×")


async def test_moderators_see_only_their_own_communitys_gaps(
    desk: StudyDesk, store: Store, pack_service: StudyService, ref: ChannelRef
) -> None:
    elsewhere = ChannelRef(ref.platform, "another-" + ref.workspace_id, "C9")
    same_id_on_slack = ChannelRef(
        "slack" if ref.platform != "slack" else "discord", ref.workspace_id, "C1"
    )
    await desk.record_question(ref, pack_service.ask(UNKNOWN))
    await desk.record_question(elsewhere, pack_service.ask("Who won the 1998 world cup?"))
    await desk.record_question(same_id_on_slack, pack_service.ask("what is a tariff?"))
    await store.votes.record(
        Feedback(
            elsewhere.platform,
            "arms-halt",
            False,
            "U1",
            "C9",
            elsewhere.workspace_id,
            "m1",
            question="why 2006?",
        )
    )

    ours = await desk.gaps_text(ref.platform, ref.workspace_id)
    theirs = await desk.gaps_text(elsewhere.platform, elsewhere.workspace_id)

    assert UNKNOWN in ours and "1998" not in ours and "tariff" not in ours
    assert "1998" in theirs and "why 2006?" in theirs and UNKNOWN not in theirs
    # Curators, who keep the pack for every community, see them all.
    everything = {g.question for g in await gaps_report(store)}
    assert {UNKNOWN, "Who won the 1998 world cup?", "what is a tariff?", "why 2006?"} <= everything


async def test_a_broken_file_is_reported_and_the_last_good_knowledge_kept(
    tmp_path: Path, store: Store
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    service = StudyService(pack)
    desk = await StudyDesk.open(service, store=store)
    try:
        questions = pack / "questions.yaml"
        good = questions.read_text()
        questions.write_text(good.replace("answer: The arms sales stopped in 2006.", "answr: x"))

        ok, message = desk.reload()

        assert not ok
        assert "pack/questions.yaml:" in message and "unknown field 'answr'" in message
        assert "still serving the previous knowledge (5 entries)" in message
        reply = service.ask("When did the arms sales stop?")
        assert reply.answer == "The arms sales stopped in 2006."

        questions.write_text(good.replace("stopped in 2006.", "stopped in 2006, for good."))
        ok, message = desk.reload()
        assert ok and "5 entries" in message
        assert service.ask("When did the arms sales stop?").answer == (
            "The arms sales stopped in 2006, for good."
        )
    finally:
        await desk.close()


async def test_the_desk_registers_a_database_health_check_while_open(
    store: Store, pack_service: StudyService
) -> None:
    desk = await StudyDesk.open(pack_service, store=store)
    try:
        report = await HEALTH.run()
        assert report.checks["database"].ok
        assert report.checks["database"].detail == {"dialect": store.dialect}
        # `/healthz` runs the checks on a loop of its own, in another thread.
        elsewhere = await asyncio.to_thread(asyncio.run, HEALTH.run())
        assert elsewhere.checks["database"].ok, elsewhere.checks["database"]
    finally:
        await desk.close()
    assert "database" not in HEALTH.names()


async def test_open_without_a_store_uses_the_data_folder_and_closes_what_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pack_service: StudyService
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BOT_GAP_RETENTION_DAYS", "30")
    desk = await StudyDesk.open(pack_service, round_seconds=12, default_cooldown=2)
    try:
        assert desk.store.dialect == "sqlite"
        assert desk.quizzes.round_seconds == 12
        assert desk.gaps.retention_days == 30
        assert desk.cooldown_for(ChannelSettings()) == 2
    finally:
        await desk.close()
    assert (tmp_path / "data" / "studybot.sqlite3").is_file()
    # A retention given by the adapter (from its validated settings) wins over the variable.
    desk = await StudyDesk.open(pack_service, gap_retention_days=3)
    try:
        assert desk.gaps.retention_days == 3
    finally:
        await desk.close()


async def test_opening_purges_gaps_past_their_retention(
    store: Store, pack_service: StudyService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_GAP_RETENTION_DAYS", "30")
    await store.gaps.add("old", GapStatus.NO_MATCH, at=clock.now - timedelta(days=40))
    await store.gaps.add("recent", GapStatus.NO_MATCH, at=clock.now - timedelta(days=3))

    desk = await StudyDesk.open(pack_service, store=store)
    await desk.close()

    assert [g.question for g in await store.gaps.fetch()] == ["recent"]
