"""Study channels on Discord, through the real discord.py client against the fake Discord:
moderator settings, quizzes with leaderboards, votes, the gap log, reloads and restarts.

Each bot keeps its data in a SQLite file under the test's tmp_path (BOT_DATA_DIR); bots started
in one test share it, as a restarted process would.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa
import yaml
from bot.adapters.discord.moderation import REFUSAL
from bot.adapters.discord.responder import ANSWERS_OFF, PRIVATE_HERE
from bot.core.service import StudyService
from bot.core.store import ChannelRef, ChannelSettings, GapStatus, Visibility
from bot.core.store.schema import feedback_votes, quiz_scores

from tests.adapters.discord.conftest import Running, StartBot
from tests.adapters.discord.fake_discord import (
    ALICE,
    ALICE_ID,
    APP_ID,
    BOB,
    BOB_ID,
    CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    MANAGE_GUILD,
    MOD,
    MODERATOR_ROLE_ID,
    OTHER_CHANNEL_ID,
    FakeDiscord,
    Json,
    custom_ids,
)
from tests.adapters.discord.test_gateway_end_to_end import (
    ARMS_QUESTION,
    callback,
    posted,
    posts_in,
    replies_to,
    reply_to,
    shown_text,
)
from tests.conftest import MINI_PACK, REPO
from tests.ship.helpers import clean_env, run_bot

QUIZ_PACK = REPO / "tests" / "data" / "packs" / "quiz"
HERE = ChannelRef("discord", str(GUILD_ID), str(CHANNEL_ID))
ROUND = re.compile(r"Question (\d+) of (\d+): (.+)")
WAIT = 10.0  # a round's timer is a few seconds; everything else answers at once


def quiz_answers() -> dict[str, str]:
    """Each quiz prompt of the fixture pack with an answer it accepts."""
    entries = StudyService(QUIZ_PACK).kb.entries
    return {e.quiz.prompt: e.quiz.accept[0] for e in entries if e.quiz is not None}


def followups_for(fake: FakeDiscord, interaction: Json) -> list[Json]:
    path = rf"/webhooks/{APP_ID}/{re.escape(interaction['token'])}"
    return [r.body for r in fake.matching("POST", path, status=200)]


async def followup_for(fake: FakeDiscord, interaction: Json) -> Json:
    """What a deferred command finally said."""
    await fake.wait_until(lambda: bool(followups_for(fake, interaction)), WAIT)
    return followups_for(fake, interaction)[0]


async def private_answer(fake: FakeDiscord, interaction: Json) -> str:
    kind, data = await callback(fake, interaction)
    assert kind == 4 and data["flags"] & EPHEMERAL, data
    return shown_text(data)


async def moderator(
    fake: FakeDiscord,
    command: str,
    options: dict[str, object] | None = None,
    *,
    channel_id: int = CHANNEL_ID,
) -> Json:
    """A /studybot command from MOD, who has Manage Server."""
    return await fake.slash(
        f"studybot {command}",
        dict(options or {}),
        user=MOD,
        permissions=MANAGE_GUILD,
        channel_id=channel_id,
    )


def post_with(fake: FakeDiscord, text: str, channel_id: int = CHANNEL_ID) -> list[Json]:
    return [body for body in posts_in(fake, channel_id) if text in shown_text(body)]


async def posted_with(fake: FakeDiscord, text: str, seconds: float = WAIT) -> Json:
    await fake.wait_until(lambda: bool(post_with(fake, text)), seconds)
    (body,) = post_with(fake, text)
    return body


def current_prompt(text: str) -> tuple[int, str]:
    match = ROUND.search(text)
    assert match is not None, text
    return int(match[1]), match[3]


# -- moderator controls -------------------------------------------------------------------------


async def test_a_moderator_turns_answers_off_and_the_bot_is_silent_there(
    start_bot: StartBot,
) -> None:
    running = await start_bot(DISCORD_MODERATOR_ROLE_IDS=str(MODERATOR_ROLE_ID))
    fake, desk = running.fake, running.bot.desk

    # A student may not; nothing changes.
    refused = await fake.slash("studybot set", {"name": "answers", "value": "off"}, user=ALICE)
    assert await private_answer(fake, refused) == REFUSAL
    assert await desk.channel_settings(HERE) == ChannelSettings()

    done = await moderator(fake, "set", {"name": "answers", "value": "off"})
    assert "Answers are off in this channel" in await private_answer(fake, done)
    # A member with the configured role is a moderator too, without Manage Server.
    shown = await fake.slash("studybot settings", user=BOB, roles=(MODERATOR_ROLE_ID,))
    assert "answers: off" in await private_answer(fake, shown)

    silenced = await fake.user_says(ARMS_QUESTION)
    slash = await fake.slash("ask", {"question": ARMS_QUESTION}, user=BOB)
    elsewhere = await fake.user_says(ARMS_QUESTION, channel_id=OTHER_CHANNEL_ID)
    assert "2006" in shown_text(await reply_to(fake, elsewhere))

    assert await private_answer(fake, slash) == ANSWERS_OFF
    assert replies_to(fake, silenced) == []  # handled before `elsewhere`: events come in order
    assert posts_in(fake, CHANNEL_ID) == []

    back = await moderator(fake, "set", {"name": "answers", "value": "on"})
    assert "Answers are on" in await private_answer(fake, back)
    assert "2006" in shown_text(await reply_to(fake, await fake.user_says(ARMS_QUESTION)))


async def test_bad_values_and_direct_messages_are_refused_privately(
    running: Running, fake: FakeDiscord
) -> None:
    bad = await moderator(fake, "set", {"name": "cooldown", "value": "soon"})
    assert "cooldown takes a number of seconds" in await private_answer(fake, bad)
    for command in ("reload", "stats", "gaps"):
        refused = await fake.slash(f"studybot {command}", user=BOB)
        assert await private_answer(fake, refused) == REFUSAL
    assert await running.bot.desk.channel_settings(HERE) == ChannelSettings()


async def test_private_visibility_and_a_channel_cooldown(
    running: Running, fake: FakeDiscord
) -> None:
    await private_answer(
        fake, await moderator(fake, "set", {"name": "visibility", "value": "private"})
    )
    await private_answer(
        fake,
        await moderator(
            fake, "set", {"name": "cooldown", "value": "60"}, channel_id=OTHER_CHANNEL_ID
        ),
    )
    assert await running.bot.desk.channel_settings(HERE) == ChannelSettings(
        visibility=Visibility.PRIVATE
    )

    asked = await fake.slash("ask", {"question": ARMS_QUESTION})
    kind, data = await callback(fake, asked)
    assert kind == 4 and data["flags"] & EPHEMERAL
    assert "2006" in shown_text(data)
    assert f"study:del:{ALICE_ID}" not in custom_ids(data)  # nothing public to delete
    mention = await fake.user_says(ARMS_QUESTION)
    pointer = await reply_to(fake, mention)
    assert shown_text(pointer) == PRIVATE_HERE

    # BOT_COOLDOWN_SECONDS is 0 in these tests; the other channel asked for 60.
    first = await fake.user_says(ARMS_QUESTION, channel_id=OTHER_CHANNEL_ID)
    second = await fake.user_says(ARMS_QUESTION, channel_id=OTHER_CHANNEL_ID)
    assert "2006" in shown_text(await reply_to(fake, first))
    assert "You can ask again in" in shown_text(await reply_to(fake, second))


# -- quizzes ------------------------------------------------------------------------------------


async def test_a_three_round_quiz_with_two_players_ends_on_the_leaderboard(
    start_bot: StartBot,
) -> None:
    running = await start_bot(BOT_KNOWLEDGE_DIR=str(QUIZ_PACK), BOT_QUIZ_ROUND_SECONDS="3")
    fake = running.fake
    answers = quiz_answers()

    start = await fake.slash("quiz start", {"rounds": 3})
    kind, data = await callback(fake, start)
    assert kind == 4 and not data.get("flags", 0) & EPHEMERAL
    assert f"<@{ALICE_ID}> started a quiz: 3 questions" in shown_text(data)
    number, prompt = current_prompt(shown_text(data))
    assert number == 1

    # Round 1: Bob is wrong (no reply, no score), Alice is right.
    wrong = await fake.user_says("banana", author=BOB, mention_bot=False)
    right = await fake.user_says(f"I think it is {answers[prompt]}", mention_bot=False)
    reveal = await reply_to(fake, right)
    assert shown_text(reveal).startswith(f"<@{ALICE_ID}> got it!\nAnswer: {answers[prompt]}")
    assert "Source: Test Author" in shown_text(reveal)
    number, prompt = current_prompt(shown_text(await posted_with(fake, "Question 2 of 3")))
    assert replies_to(fake, wrong) == []

    # A second quiz in the same channel is refused politely.
    again = await fake.slash("quiz start", user=BOB)
    assert "A quiz is already running in this channel" in await private_answer(fake, again)

    # Round 2: Bob is first.
    bob = await fake.user_says(answers[prompt], author=BOB, mention_bot=False)
    assert shown_text(await reply_to(fake, bob)).startswith(f"<@{BOB_ID}> got it!")
    number, prompt = current_prompt(shown_text(await posted_with(fake, "Question 3 of 3")))

    # Round 3: Alice again, shouting; case and punctuation do not matter.
    shout = await fake.user_says(answers[prompt].upper() + "!", mention_bot=False)
    assert shown_text(await reply_to(fake, shout)).startswith(f"<@{ALICE_ID}> got it!")
    summary = shown_text(await posted_with(fake, "The quiz is over!"))
    assert "1. Alice: 2 points\n2. Bob: 1 point" in summary

    board = await fake.slash("quiz leaderboard", user=BOB)
    _, data = await callback(fake, board)
    text = shown_text(data)
    assert "Quiz leaderboard, this channel, all time:\n1. Alice: 2\n2. Bob: 1" in text
    assert "Quiz leaderboard, this server, this week:\n1. Alice: 2\n2. Bob: 1" in text
    for body in posts_in(fake):  # names players as mentions, which ping nobody
        assert body["allowed_mentions"]["parse"] == []
        assert body["allowed_mentions"].get("replied_user", False) is False


async def test_a_round_nobody_answers_times_out_with_the_answer_and_its_citation(
    start_bot: StartBot,
) -> None:
    running = await start_bot(BOT_KNOWLEDGE_DIR=str(QUIZ_PACK), BOT_QUIZ_ROUND_SECONDS="1")
    fake = running.fake
    answers = quiz_answers()

    _, data = await callback(fake, await fake.slash("quiz start", {"rounds": 2}))
    _, prompt = current_prompt(shown_text(data))
    timeout = shown_text(await posted_with(fake, "Time's up!"))
    assert f"Answer: {answers[prompt]}" in timeout and "Source: Test Author" in timeout
    await posted_with(fake, "Question 2 of 2")
    summary = shown_text(await posted_with(fake, "The quiz is over!"))
    assert "Nobody scored this time." in summary
    assert len(post_with(fake, "Time's up!")) == 2


async def test_only_the_starter_or_a_moderator_stops_a_quiz(start_bot: StartBot) -> None:
    running = await start_bot(BOT_KNOWLEDGE_DIR=str(QUIZ_PACK))
    fake = running.fake
    await callback(fake, await fake.slash("quiz start", {"rounds": 2}))

    refused = await fake.slash("quiz stop", user=BOB)
    assert "Only whoever started this quiz or a moderator" in await private_answer(fake, refused)
    stop = await fake.slash("quiz stop", user=MOD, permissions=MANAGE_GUILD)
    _, data = await callback(fake, stop)
    assert "Round stopped." in shown_text(data) and "The quiz was stopped." in shown_text(data)
    assert not running.bot.quizzes.active(HERE)

    quiz_off = await moderator(fake, "set", {"name": "quizzes", "value": "off"})
    await private_answer(fake, quiz_off)
    refused = await fake.slash("quiz start")
    assert "Quizzes are turned off in this channel" in await private_answer(fake, refused)


async def test_a_restart_in_the_middle_of_a_quiz_carries_on_without_double_scoring(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    env = {"BOT_KNOWLEDGE_DIR": str(QUIZ_PACK), "BOT_QUIZ_ROUND_SECONDS": "4"}
    first = await start_bot(**env)
    answers = quiz_answers()
    _, data = await callback(fake, await fake.slash("quiz start", {"rounds": 3}))
    _, round_one = current_prompt(shown_text(data))
    won = await fake.user_says(answers[round_one], mention_bot=False)
    await reply_to(fake, won)
    _, round_two = current_prompt(shown_text(await posted_with(fake, "Question 2 of 3")))
    await first.bot.close()

    second = await start_bot(**env)
    resumed = shown_text(await posted_with(fake, "I restarted; the quiz goes on."))
    assert f"Question 2 of 3: {round_two}" in resumed
    # Alice's round-one answer again: round two is open, so it scores nothing.
    again = await fake.user_says(answers[round_one], mention_bot=False)
    # Nobody answers round two: the timer the new process re-armed closes it.
    timeout = shown_text(await posted_with(fake, "Time's up!"))
    assert f"Answer: {answers[round_two]}" in timeout
    _, round_three = current_prompt(shown_text(await posted_with(fake, "Question 3 of 3")))
    bob = await fake.user_says(answers[round_three], author=BOB, mention_bot=False)
    await reply_to(fake, bob)
    summary = shown_text(await posted_with(fake, "The quiz is over!"))

    assert "1. Alice: 1 point\n2. Bob: 1 point" in summary
    assert replies_to(fake, again) == []
    # Asked, asked again on resuming, closed once.
    assert len(post_with(fake, "Question 2 of 3")) == 2
    assert len(post_with(fake, "Time's up!")) == 1
    async with second.bot.desk.store.read() as conn:
        scored = (await conn.execute(sa.select(quiz_scores.c.user_id))).scalars().all()
    assert sorted(scored) == sorted([str(ALICE_ID), str(BOB_ID)])


# -- feedback and the curators' loop ------------------------------------------------------------


async def test_a_vote_is_stored_once_and_can_be_changed(start_bot: StartBot) -> None:
    running = await start_bot(store_votes=True)
    fake, store = running.fake, running.bot.desk.store
    message = posted(fake, await reply_to(fake, await fake.user_says(ARMS_QUESTION)))

    up = await fake.click(message, "study:vote:up:arms-halt", user=BOB)
    assert await private_answer(fake, up) == "Thanks for the feedback!"
    down = await fake.click(message, "study:vote:down:arms-halt", user=BOB)
    assert "now 👎" in await private_answer(fake, down)
    repeat = await fake.click(message, "study:vote:down:arms-halt", user=BOB)
    assert "already voted 👎" in await private_answer(fake, repeat)

    async with store.read() as conn:
        rows = (await conn.execute(sa.select(feedback_votes))).mappings().all()
    assert [(r["user_id"], r["entry_id"], r["helpful"]) for r in rows] == [
        (str(BOB_ID), "arms-halt", False)
    ]
    assert rows[0]["message_id"] == message["id"]
    # The 👎 reached the curators once, with the question's words and no user.
    gaps = await store.gaps.fetch()
    assert [(g.question, g.status, g.entry_id) for g in gaps] == [
        (ARMS_QUESTION, GapStatus.DOWNVOTED, "arms-halt")
    ]


async def test_a_missed_question_is_logged_counted_and_exported_by_kb_gaps(
    running: Running, fake: FakeDiscord, tmp_path: Path
) -> None:
    store = running.bot.desk.store
    missed = "what is the capital of france"
    await reply_to(fake, await fake.user_says(missed))
    await reply_to(fake, await fake.user_says(ARMS_QUESTION, author=BOB))
    # Each question is recorded just after its reply.
    await eventually(lambda: _counted(running, 2))
    assert len(await store.gaps.fetch()) == 1
    # Another server's misses are its moderators' business, not this one's.
    await store.gaps.add(
        "what is another server asking", GapStatus.NO_MATCH, where=ChannelRef("discord", "9", "C1")
    )

    gaps = await private_answer(fake, await moderator(fake, "gaps"))
    assert f"1. {missed}  [1×: no_match ×1]" in gaps
    assert "another server" not in gaps
    stats = await private_answer(fake, await moderator(fake, "stats"))
    assert "Questions asked, the last 7 days: 2" in stats
    assert "answered 1 (50%), ambiguous 0 (0%), no match 1 (50%)" in stats
    assert "1. When did the arms sales stop? ×1" in stats

    env = clean_env(BOT_DATA_DIR=str(running.data_dir), BOT_KNOWLEDGE_DIR=str(MINI_PACK))
    out = await asyncio.to_thread(run_bot, "kb", "gaps", "--yaml", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = yaml.safe_load(out.stdout)
    assert doc["source"] == "mini"
    # Curators keep the pack for every server, so they see every server's misses.
    assert {e["question"] for e in doc["entries"]} == {
        "What is the capital of france?",
        "What is another server asking?",
    }


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = WAIT) -> None:
    """Poll a database condition, a bounded number of times."""
    for _ in range(int(seconds / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not true after {seconds}s")


async def _counted(running: Running, questions: int) -> bool:
    text = await running.bot.desk.stats_text("discord", str(GUILD_ID))
    return f"last 7 days: {questions}" in text


async def test_a_reload_with_a_broken_file_keeps_the_old_knowledge(
    start_bot: StartBot, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    running = await start_bot(BOT_KNOWLEDGE_DIR=str(pack))
    fake = running.fake
    questions = pack / "questions.yaml"
    good = questions.read_text()
    questions.write_text(good.replace("answer: The arms sales stopped in 2006.", "answr: 2006"))

    refused = await fake.slash("studybot reload", user=ALICE)
    assert await private_answer(fake, refused) == REFUSAL
    reload = await moderator(fake, "reload")
    kind, data = await callback(fake, reload)
    assert kind == 5 and data["flags"] & EPHEMERAL  # deferred: reloading may take a while
    report = shown_text(await followup_for(fake, reload))
    assert "pack/questions.yaml:" in report and "unknown field 'answr'" in report
    assert "still serving the previous knowledge (4 entries)" in report
    old = await reply_to(fake, await fake.user_says(ARMS_QUESTION))
    assert "The arms sales stopped in 2006." in shown_text(old)

    questions.write_text(good.replace("stopped in 2006.", "stopped in 2006, for good."))
    fixed = await moderator(fake, "reload")
    assert "4 entries" in shown_text(await followup_for(fake, fixed))
    new = await reply_to(fake, await fake.user_says(ARMS_QUESTION, author=BOB))
    assert "stopped in 2006, for good." in shown_text(new)


async def test_asking_the_bot_for_the_open_rounds_answer_is_refused(start_bot: StartBot) -> None:
    running = await start_bot(BOT_KNOWLEDGE_DIR=str(QUIZ_PACK), BOT_QUIZ_ROUND_SECONDS="30")
    fake = running.fake
    answers = quiz_answers()
    _, data = await callback(fake, await fake.slash("quiz start", {"rounds": 2}))
    _, prompt = current_prompt(shown_text(data))

    peek = await fake.user_says(prompt, author=BOB)
    text = shown_text(await reply_to(fake, peek))
    assert "quiz round running here" in text
    assert answers[prompt].lower() not in text.lower()
    asked = await fake.slash("ask", {"question": prompt}, user=BOB)
    _, slash = await callback(fake, asked)
    assert "quiz round running here" in shown_text(slash)
