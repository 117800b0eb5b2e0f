from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from bot.core.gaps import (
    GapLog,
    gaps_report,
    gaps_text,
    gaps_yaml,
    group_gaps,
    retention_days_from_env,
)
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.replies import Kind, Reply, Status
from bot.core.service import StudyService
from bot.core.store import ChannelRef, GapRecord, GapStatus, Store
from bot.core.store.schema import gap_log

from tests.store.conftest import PACK, FakeClock


async def test_only_real_questions_that_missed_are_logged(
    store: Store, pack_service: StudyService
) -> None:
    gaps = GapLog(store, retention_days=30)
    unknown = pack_service.ask("what is the population of the moon colony?")
    assert unknown.status is Status.NO_MATCH and unknown.kind is Kind.UNKNOWN
    assert await gaps.log_reply(unknown)
    assert await gaps.log_reply(Reply(Status.AMBIGUOUS, Kind.SUGGESTIONS, "arms or trade?"))
    assert await gaps.log_reply(Reply(Status.NO_MATCH, Kind.NOT_COVERED, "who sells the oil?"))
    assert not await gaps.log_reply(pack_service.ask("When did the arms sales stop?"))
    assert not await gaps.log_reply(pack_service.ask("hello!"))
    assert not await gaps.log_reply(Reply(Status.NO_MATCH, Kind.TOO_LONG, "x" * 300))
    assert not await gaps.log_reply(Reply(Status.NO_MATCH, Kind.UNKNOWN, "<@123> <#456>"))
    await gaps.log_downvote("why 2006?", "arms-halt")
    records = await store.gaps.fetch()
    assert [(r.question, r.status) for r in records] == [
        ("what is the population of the moon colony?", GapStatus.NO_MATCH),
        ("arms or trade?", GapStatus.AMBIGUOUS),
        ("who sells the oil?", GapStatus.NO_MATCH),
        ("why 2006?", GapStatus.DOWNVOTED),
    ]
    assert await store.gaps.fetch(statuses=(GapStatus.AMBIGUOUS,)) == [records[1]]


async def test_the_log_holds_text_time_and_community_only(store: Store) -> None:
    await GapLog(store).log_reply(
        Reply(Status.NO_MATCH, Kind.UNKNOWN, "<@U024BE7LH> hey <@!1234567> what about <#C99|x>?"),
        ChannelRef("slack", "T1", "C99"),
    )
    async with store.read() as conn:
        rows = (await conn.execute(sa.select(gap_log))).mappings().all()
    # No user and no channel: only the community, so its moderators can read its gaps.
    assert set(rows[0]) == {
        "id",
        "question",
        "status",
        "entry_id",
        "created_at",
        "platform",
        "workspace_id",
    }
    assert (rows[0]["platform"], rows[0]["workspace_id"]) == ("slack", "T1")
    assert rows[0]["question"] == "hey what about ?"


async def test_retention_purges_what_is_older_only(store: Store, clock: FakeClock) -> None:
    gaps = GapLog(store, retention_days=30)
    await store.gaps.add("very old", GapStatus.NO_MATCH, at=clock.now - timedelta(days=31))
    await store.gaps.add("just inside", GapStatus.NO_MATCH, at=clock.now - timedelta(days=29))
    await store.gaps.add("today", GapStatus.AMBIGUOUS)
    assert await gaps.purge() == 1
    assert [r.question for r in await store.gaps.fetch()] == ["just inside", "today"]
    assert await gaps.purge(now=clock.now + timedelta(days=2)) == 1
    assert await gaps.purge() == 0
    with pytest.raises(ValueError):
        await store.gaps.purge(-1)


def test_retention_days_come_from_the_environment() -> None:
    assert retention_days_from_env({}) == 90
    assert retention_days_from_env({"BOT_GAP_RETENTION_DAYS": "7"}) == 7
    with pytest.raises(ValueError, match="BOT_GAP_RETENTION_DAYS"):
        retention_days_from_env({"BOT_GAP_RETENTION_DAYS": "a week"})


ASKED = [
    ("when did russia start selling oil to japan?", GapStatus.NO_MATCH),
    ("When did Russia start selling oil to Japan", GapStatus.NO_MATCH),
    ("when did russia start selling oil to japan ?", GapStatus.AMBIGUOUS),
    ("russia start selling oil to japan when", GapStatus.NO_MATCH),
    ("who is the prime minister of japan?", GapStatus.NO_MATCH),
    ("who's the prime minister of japan", GapStatus.DOWNVOTED),
    ("what is the weather like", GapStatus.NO_MATCH),
]


async def test_report_groups_near_duplicates_most_frequent_first(
    store: Store, clock: FakeClock
) -> None:
    for question, status in ASKED:
        entry = "author" if status is GapStatus.DOWNVOTED else None
        await store.gaps.add(question, status, entry_id=entry)
        clock.advance(60)
    await store.gaps.add("", GapStatus.DOWNVOTED, entry_id="arms-halt")
    groups = await gaps_report(store)
    assert [g.count for g in groups] == [4, 2, 1, 1]
    top = groups[0]
    assert top.question == "when did russia start selling oil to japan?"
    assert dict(top.statuses) == {"no_match": 3, "ambiguous": 1}
    assert top.phrasings == (
        ("when did russia start selling oil to japan?", 3),
        ("russia start selling oil to japan when", 1),
    )
    assert top.first_seen is not None and top.last_seen is not None
    assert top.last_seen - top.first_seen == timedelta(minutes=3)
    assert groups[1].entry_ids == ("author",)
    assert {g.question for g in groups[2:]} == {
        "what is the weather like",
        "(an answer from arms-halt)",
    }
    text = gaps_text(groups, limit=2)
    assert "1. when did russia start selling oil to japan?  [4×: ambiguous ×1, no_match ×3]" in text
    assert "also asked: russia start selling oil to japan when" in text
    assert "👎 ×1" in text and "weather" not in text
    assert len(await gaps_report(store, limit=1)) == 1
    assert len(await gaps_report(store, since=clock.now)) == 1
    assert await gaps_report(store, since=clock.now + timedelta(seconds=1)) == []


def test_distinct_questions_stay_apart() -> None:
    at = FakeClock().now
    records = [
        GapRecord("when did russia stop arms sales", GapStatus.NO_MATCH, None, at),
        GapRecord("when did china stop oil sales", GapStatus.NO_MATCH, None, at),
    ]
    assert len(group_gaps(records)) == 2


async def test_yaml_drafts_load_once_the_todos_are_filled(store: Store, tmp_path: Path) -> None:
    for question, status in ASKED:
        await store.gaps.add(question, status)
    await store.gaps.add("", GapStatus.DOWNVOTED, entry_id="arms-halt")
    draft = gaps_yaml(await gaps_report(store), source="quizpack")
    assert draft.startswith("# Draft entries")
    doc = yaml.safe_load(draft)
    assert doc["kind"] == "qa" and doc["source"] == "quizpack"
    entries = doc["entries"]
    assert len(entries) == 3  # the 👎 with no text has nothing to draft from
    first = entries[0]
    assert first["question"] == "When did russia start selling oil to japan?"
    assert "russia start selling oil to japan when" in first["alternates"]
    assert first["answer"].startswith("TODO") and first["topic"] == "TODO"
    assert first["citation"]["paragraphs"] == ["TODO"]
    assert entries[2]["alternates"][0] == "what is the weather like" or any(
        a.startswith("TODO") for a in entries[2]["alternates"]
    )

    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    (pack / "drafts.yaml").write_text(draft, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="paragraph"):
        load_knowledge(pack)  # unfinished drafts never load by accident

    filled = draft.replace("- TODO\n", "- 1\n")
    filled = filled.replace("topic: TODO", "topic: trade")
    filled = filled.replace("TODO: another way students ask this", "another phrasing")
    filled = filled.replace("TODO: verbatim, at most 12 words", "trade grain and oil")
    filled = filled.replace("TODO: 1-3 sentences", "Curated answer:")
    assert not [line for line in filled.splitlines() if "TODO" in line and "#" not in line]
    (pack / "drafts.yaml").write_text(filled, encoding="utf-8")
    kb = load_knowledge(pack)
    drafted = [e for e in kb.entries if e.file.endswith("drafts.yaml")]
    assert [e.question for e in drafted] == [e["question"] for e in entries]
    assert all(len(e.alternates) >= 3 and e.paragraphs == (1,) for e in drafted)
    assert len({e.id for e in drafted}) == 3
