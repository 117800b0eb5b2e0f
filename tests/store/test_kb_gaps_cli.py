"""`python -m bot kb gaps` as a real process over the bot's SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml
from bot.core.knowledge import MIN_ALTERNATES
from bot.core.replies import Kind, Reply, Status
from bot.core.service import StudyService
from bot.core.store import ChannelRef, GapStatus, Store
from bot.core.study import StudyDesk

from tests.conftest import MINI_PACK
from tests.ship.helpers import clean_env, run_bot
from tests.store.conftest import PACK

MISSED = "when did russia start selling oil to japan?"
NEAR = "when did russia start to sell oil to japan"


async def log_gaps(data_dir: Path) -> None:
    """What the bot does when questions miss, on the file the command will read."""
    store = await Store.open(f"sqlite:///{data_dir / 'studybot.sqlite3'}")
    desk = await StudyDesk.open(StudyService(PACK), store=store)
    try:
        for question in (MISSED, "When did Russia start selling oil to Japan", NEAR, "oil japan?"):
            await desk.record_question(
                ChannelRef("discord", "g", "c"),
                Reply(Status.NO_MATCH, Kind.UNKNOWN, question, message="?"),
            )
        await store.gaps.add("an old one", GapStatus.AMBIGUOUS, at=store.now() - timedelta(days=20))
    finally:
        await desk.close()
        await store.close()


async def test_kb_gaps_yaml_writes_draft_entries_from_the_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await log_gaps(data)
    env = clean_env(BOT_DATA_DIR=str(data), BOT_KNOWLEDGE_DIR=str(MINI_PACK))

    out = run_bot("kb", "gaps", "--yaml", env=env, cwd=tmp_path)

    assert out.returncode == 0, out.stderr
    doc = yaml.safe_load(out.stdout)
    assert doc["kind"] == "qa" and doc["source"] == "mini"
    # Most asked first; near-duplicates become the alternates of one draft.
    assert [e["question"] for e in doc["entries"]] == [
        "When did russia start selling oil to japan?",
        "An old one?",
        "Oil japan?",
    ]
    first = doc["entries"][0]
    assert first["alternates"][0] == NEAR and len(first["alternates"]) >= MIN_ALTERNATES
    assert first["answer"].startswith("TODO") and first["citation"]["paragraphs"] == ["TODO"]

    recent = run_bot("kb", "gaps", "--yaml", "--days", "7", "--limit", "1", env=env, cwd=tmp_path)
    assert recent.returncode == 0, recent.stderr
    assert [e["question"] for e in yaml.safe_load(recent.stdout)["entries"]] == [
        "When did russia start selling oil to japan?"
    ]


async def test_kb_gaps_lists_them_most_frequent_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    await log_gaps(data)
    env = clean_env(BOT_DATA_DIR=str(data), BOT_KNOWLEDGE_DIR=str(MINI_PACK))

    out = run_bot("kb", "gaps", env=env, cwd=tmp_path)

    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1].startswith(f"1. {MISSED}  [3×")
    assert lines[2] == f"     also asked: {NEAR}"
    assert "an old one" in out.stdout


def test_kb_gaps_refuses_a_bad_number_and_an_unreachable_database(tmp_path: Path) -> None:
    env = clean_env(BOT_DATA_DIR=str(tmp_path))
    bad = run_bot("kb", "gaps", "--days", "0", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "must be 1 or more" in bad.stderr

    unreachable = clean_env(DATABASE_URL="postgresql://bot:s3cret@127.0.0.1:1/nothing")
    down = run_bot("kb", "gaps", env=unreachable, cwd=tmp_path)
    assert down.returncode == 1 and "cannot read the bot's database" in down.stderr
    assert "s3cret" not in down.stderr
