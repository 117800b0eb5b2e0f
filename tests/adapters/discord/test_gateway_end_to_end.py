"""The real discord.py client, built as `main` builds it, against the fake Discord on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.adapters.discord.conftest import Running, StartBot
from tests.adapters.discord.fake_discord import (
    ALICE,
    ALICE_ID,
    APP_ID,
    BOB,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    EPHEMERAL,
    GUILD_ID,
    MANAGE_MESSAGES,
    MOD,
    OTHER_CHANNEL_ID,
    FakeDiscord,
    Json,
    custom_ids,
)
from tests.conftest import NOT_COVERED_QUESTION, mini_pack_with_not_covered

ARMS_QUESTION = "when did weapon sales stop"
AMBIGUOUS_QUESTION = "oil goods"
NO_PINGS = {"parse": [], "replied_user": False}

# Discord's intent bits: guilds, guild_messages, dm_messages, message_content.
EXPECTED_INTENTS = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15)


def shown_text(body: Json) -> str:
    """Everything a user reads in a message body: content, embed titles, texts, footers."""
    parts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def posts_in(fake: FakeDiscord, channel_id: int = CHANNEL_ID) -> list[Json]:
    return [r.body for r in fake.matching("POST", rf"/channels/{channel_id}/messages", status=200)]


def replies_to(fake: FakeDiscord, message: Json) -> list[Json]:
    return [
        body
        for body in posts_in(fake, int(message["channel_id"]))
        if str((body.get("message_reference") or {}).get("message_id")) == message["id"]
    ]


async def reply_to(fake: FakeDiscord, message: Json) -> Json:
    await fake.wait_until(lambda: bool(replies_to(fake, message)))
    return replies_to(fake, message)[0]


def posted(fake: FakeDiscord, body: Json) -> Json:
    """The message the fake created for this post, as a later click on it would carry it."""
    (record,) = [r for r in fake.requests if r.body is body]
    message: Json = record.response
    return message


async def callback(fake: FakeDiscord, interaction: Json) -> tuple[int, Json]:
    """The interaction callback's type and data."""
    recorded = await fake.callback_for(interaction)
    body: dict[str, Any] = recorded.body
    return body["type"], body.get("data") or {}


def callback_message(fake: FakeDiscord, interaction: Json) -> Json:
    """The message a type-4 callback created, for clicking its buttons."""
    (record,) = fake.callbacks_for(interaction)
    message: Json = record.response["resource"]["message"]
    return message


# -- connecting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "path"),
    [
        ({}, rf"/applications/{APP_ID}/commands"),
        (
            {"DISCORD_GUILD_ID": str(GUILD_ID)},
            rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands",
        ),
    ],
    ids=["global", "guild"],
)
async def test_connects_with_needed_intents_and_syncs_commands(
    start_bot: StartBot, fake: FakeDiscord, env: dict[str, str], path: str
) -> None:
    await start_bot(**env)

    (sync,) = fake.matching("PUT", path)
    commands = {c["name"]: c for c in sync.body}
    assert set(commands) == {"ask", "topics", "source", "help", "quiz", "studybot"}
    subcommands = {
        group: {o["name"] for o in commands[group]["options"]} for group in ("quiz", "studybot")
    }
    assert subcommands == {
        "quiz": {"start", "stop", "leaderboard"},
        "studybot": {"settings", "set", "reload", "stats", "gaps"},
    }
    (question,) = commands["ask"]["options"]
    assert question["name"] == "question" and question["autocomplete"] is True
    (paragraph,) = commands["source"]["options"]
    assert (paragraph["min_value"], paragraph["max_value"]) == (0, 2)  # the mini pack's ¶0..¶2
    assert fake.gateway.identifies[0]["intents"] == EXPECTED_INTENTS


# -- mentions and DMs ---------------------------------------------------------------------------


async def test_mention_is_answered_as_a_reply_with_citation_and_buttons(
    running: Running, fake: FakeDiscord
) -> None:
    question = await fake.user_says(ARMS_QUESTION)

    body = await reply_to(fake, question)

    assert body["message_reference"]["fail_if_not_exists"] is False
    (embed,) = body["embeds"]
    assert embed["description"] == "The arms sales stopped in 2006."
    assert embed["footer"]["text"].endswith("¶2")
    assert custom_ids(body) == [
        "study:more:arms-halt",
        "study:vote:up:arms-halt",
        "study:vote:down:arms-halt",
        f"study:del:{ALICE_ID}",
    ]


async def test_plain_style_puts_the_citation_on_the_last_line(start_bot: StartBot) -> None:
    bot = await start_bot(DISCORD_REPLY_STYLE="plain")
    question = await bot.fake.user_says(ARMS_QUESTION)

    body = await reply_to(bot.fake, question)

    assert body["embeds"] == []
    answer, citation = body["content"].split("\n")
    assert answer == "The arms sales stopped in 2006."
    assert citation.startswith("Source: Test Author") and citation.endswith("¶2")


async def test_only_mentions_are_answered_in_channels_and_everything_in_dms(
    running: Running, fake: FakeDiscord
) -> None:
    chatter = await fake.user_says(ARMS_QUESTION, mention_bot=False)
    in_dm = await fake.user_says(ARMS_QUESTION, channel_id=DM_CHANNEL_ID, mention_bot=False)
    mention = await fake.user_says(ARMS_QUESTION, author=BOB)

    dm_reply = await reply_to(fake, in_dm)
    await reply_to(fake, mention)

    assert "¶2" in shown_text(dm_reply)
    assert replies_to(fake, chatter) == []


async def test_an_unknown_question_says_so_and_points_to_topics(
    running: Running, fake: FakeDiscord
) -> None:
    question = await fake.user_says("what is the capital of france")

    body = await reply_to(fake, question)

    assert "I don't know that one" in shown_text(body)
    assert "/topics" in shown_text(body)
    assert custom_ids(body) == [f"study:del:{ALICE_ID}"]


async def test_a_question_the_commentary_does_not_answer_says_so_and_offers_nearby_ones(
    start_bot: StartBot, fake: FakeDiscord, tmp_path: Path
) -> None:
    await start_bot(BOT_KNOWLEDGE_DIR=str(mini_pack_with_not_covered(tmp_path)))
    question = await fake.user_says(NOT_COVERED_QUESTION)

    body = await reply_to(fake, question)

    text = shown_text(body)
    assert "The commentary doesn't answer that" in text
    # The entry that nearly answered is the closest thing said; the others are buttons.
    assert "The closest it comes (¶1): They trade grain and oil." in text
    assert "1. Does one country export oil to the other?" in text
    assert custom_ids(body) == ["study:pick:oil-exports", f"study:del:{ALICE_ID}"]


async def test_everyone_in_a_question_pings_nobody(running: Running, fake: FakeDiscord) -> None:
    question = await fake.user_says(f"@everyone <@&{GUILD_ID}> {ARMS_QUESTION}")
    interaction = await fake.slash("ask", {"question": f"@everyone {ARMS_QUESTION}"}, user=BOB)

    body = await reply_to(fake, question)
    _, data = await callback(fake, interaction)

    assert body["allowed_mentions"] == NO_PINGS
    assert data["allowed_mentions"]["parse"] == []


async def test_cooldown_notices_once_then_stays_quiet(start_bot: StartBot) -> None:
    bot = await start_bot(BOT_COOLDOWN_RATE="1", BOT_COOLDOWN_SECONDS="60")
    fake = bot.fake
    first = await fake.user_says(ARMS_QUESTION)
    second = await fake.user_says(ARMS_QUESTION)
    third = await fake.user_says(ARMS_QUESTION)
    # Events are handled in order, so once Bob is answered Alice's third has been handled too.
    bob = await fake.user_says(ARMS_QUESTION, author=BOB)
    await reply_to(fake, bob)

    assert "2006" in shown_text(await reply_to(fake, first))
    notice = await reply_to(fake, second)
    assert "You can ask again in" in shown_text(notice) and "2006" not in shown_text(notice)
    assert replies_to(fake, third) == []


async def test_cooldown_covers_slash_ask_with_a_private_notice(start_bot: StartBot) -> None:
    bot = await start_bot(BOT_COOLDOWN_RATE="1", BOT_COOLDOWN_SECONDS="60")
    fake = bot.fake
    await reply_to(fake, await fake.user_says(ARMS_QUESTION))

    kind, data = await callback(fake, await fake.slash("ask", {"question": ARMS_QUESTION}))

    assert kind == 4 and data["flags"] & EPHEMERAL
    assert "You can ask again in" in shown_text(data) and "2006" not in shown_text(data)


@pytest.mark.parametrize("style", ["embed", "plain"])
async def test_an_over_long_question_gets_the_refusal_within_limits(
    start_bot: StartBot, style: str
) -> None:
    bot = await start_bot(DISCORD_REPLY_STYLE=style)
    question = await bot.fake.user_says("why " * 700)  # 2,800 characters

    body = await reply_to(bot.fake, question)

    text = shown_text(body)
    assert "I can take questions of up to 2,000" in text
    assert len(body.get("content") or "") <= 2000
    assert all(len(e.get("description", "")) <= 4096 for e in body["embeds"])


async def test_channels_outside_the_allow_list_are_ignored(start_bot: StartBot) -> None:
    bot = await start_bot(BOT_ALLOWED_CHANNELS=str(CHANNEL_ID))
    fake = bot.fake
    elsewhere = await fake.user_says(ARMS_QUESTION, channel_id=OTHER_CHANNEL_ID)
    slash_elsewhere = await fake.slash(
        "ask", {"question": ARMS_QUESTION}, channel_id=OTHER_CHANNEL_ID
    )
    allowed = await fake.user_says(ARMS_QUESTION, author=BOB)

    await reply_to(fake, allowed)
    kind, data = await callback(fake, slash_elsewhere)

    assert replies_to(fake, elsewhere) == []
    assert kind == 4 and data["flags"] & EPHEMERAL
    assert "2006" not in shown_text(data)


# -- slash commands -----------------------------------------------------------------------------


async def test_slash_ask_is_answered_through_the_interaction_callback(
    running: Running, fake: FakeDiscord
) -> None:
    interaction = await fake.slash("ask", {"question": ARMS_QUESTION})

    kind, data = await callback(fake, interaction)

    assert kind == 4
    assert not data.get("flags", 0) & EPHEMERAL
    assert data["embeds"][0]["description"] == "The arms sales stopped in 2006."
    assert data["embeds"][0]["footer"]["text"].endswith("¶2")
    assert f"study:del:{ALICE_ID}" in custom_ids(data)
    assert data["allowed_mentions"]["parse"] == []


async def test_autocomplete_offers_the_closest_known_questions(
    running: Running, fake: FakeDiscord
) -> None:
    interaction = await fake.slash("ask", {"question": "arms"}, focused="question")

    kind, data = await callback(fake, interaction)

    assert kind == 8
    choices = data["choices"]
    assert choices[0] == {
        "name": "When did the arms sales stop?",
        "value": "When did the arms sales stop?",
    }
    assert 1 <= len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


async def test_topics_source_and_help(running: Running, fake: FakeDiscord) -> None:
    topics = await fake.slash("topics")
    source = await fake.slash("source", {"paragraph": 2}, user=BOB)
    help_ = await fake.slash("help", user=MOD)

    _, topics_data = await callback(fake, topics)
    _, source_data = await callback(fake, source)
    _, help_data = await callback(fake, help_)

    assert "Trade (2)" in shown_text(topics_data)
    assert "What do the two countries trade?" in shown_text(topics_data)
    assert "¶2: One country stopped selling arms" in shown_text(source_data)
    assert shown_text(source_data).endswith("¶2")
    assert help_data["flags"] & EPHEMERAL and "/topics" in shown_text(help_data)


# -- buttons ------------------------------------------------------------------------------------


async def test_did_you_mean_click_answers_that_entry(running: Running, fake: FakeDiscord) -> None:
    question = await fake.user_says(AMBIGUOUS_QUESTION)
    body = await reply_to(fake, question)
    assert "study:pick:oil-exports" in custom_ids(body)
    assert "study:pick:grain-trade" in custom_ids(body)

    click = await fake.click(posted(fake, body), "study:pick:oil-exports", user=BOB)
    kind, data = await callback(fake, click)

    assert kind == 4
    assert "Yes, oil is one of the two goods they trade." in shown_text(data)
    assert shown_text(data).endswith("¶1")
    assert f"study:del:{BOB['id']}" in custom_ids(data)


async def test_buttons_work_on_replies_posted_before_a_restart(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    first = await start_bot()
    question = await fake.user_says(AMBIGUOUS_QUESTION)
    message = posted(fake, await reply_to(fake, question))
    await first.bot.close()

    await start_bot()
    click = await fake.click(message, "study:pick:grain-trade")
    _, data = await callback(fake, click)

    assert "They trade grain and oil." in shown_text(data)


async def test_not_what_i_meant_offers_the_other_entries(
    running: Running, fake: FakeDiscord
) -> None:
    question = await fake.user_says("oil exports")
    message = posted(fake, await reply_to(fake, question))

    click = await fake.click(message, "study:more:oil-exports")
    kind, data = await callback(fake, click)

    assert kind == 4 and data["flags"] & EPHEMERAL
    picks = [c for c in custom_ids(data) if c.startswith("study:pick:")]
    assert "study:pick:grain-trade" in picks
    assert "study:pick:oil-exports" not in picks
    assert len(picks) <= 3

    follow = await fake.click(callback_message(fake, click), "study:pick:grain-trade")
    _, answer = await callback(fake, follow)
    assert "They trade grain and oil." in shown_text(answer)


async def test_not_what_i_meant_with_nothing_closer_points_to_topics(
    running: Running, fake: FakeDiscord
) -> None:
    question = await fake.user_says(ARMS_QUESTION)
    message = posted(fake, await reply_to(fake, question))

    click = await fake.click(message, "study:more:arms-halt")
    kind, data = await callback(fake, click)

    assert kind == 4 and data["flags"] & EPHEMERAL
    assert "/topics" in shown_text(data)
    assert custom_ids(data) == []


async def test_votes_go_to_the_feedback_sink(running: Running, fake: FakeDiscord) -> None:
    question = await fake.user_says(ARMS_QUESTION)
    message = posted(fake, await reply_to(fake, question))

    up = await fake.click(message, "study:vote:up:arms-halt", user=BOB)
    kind, data = await callback(fake, up)

    assert kind == 4 and data["flags"] & EPHEMERAL
    (vote,) = running.feedback.votes
    assert (vote.entry_id, vote.helpful, vote.user_id) == ("arms-halt", True, BOB["id"])
    assert (vote.channel_id, vote.workspace_id, vote.message_id) == (
        str(CHANNEL_ID),
        str(GUILD_ID),
        message["id"],
    )


async def test_delete_is_refused_for_another_user(running: Running, fake: FakeDiscord) -> None:
    question = await fake.user_says(ARMS_QUESTION)
    message = posted(fake, await reply_to(fake, question))

    click = await fake.click(message, f"study:del:{ALICE_ID}", user=BOB)
    kind, data = await callback(fake, click)

    assert kind == 4 and data["flags"] & EPHEMERAL
    assert "Only the person who asked" in shown_text(data)
    assert fake.matching("DELETE", r"/channels/.*") == []
    assert message["id"] in fake.messages


@pytest.mark.parametrize(
    ("who", "permissions"), [(ALICE, 0), (MOD, MANAGE_MESSAGES)], ids=["asker", "moderator"]
)
async def test_delete_is_accepted_for_the_asker_or_a_moderator(
    running: Running, fake: FakeDiscord, who: Json, permissions: int
) -> None:
    question = await fake.user_says(ARMS_QUESTION)
    message = posted(fake, await reply_to(fake, question))

    click = await fake.click(message, f"study:del:{ALICE_ID}", user=who, permissions=permissions)
    kind, _ = await callback(fake, click)
    (delete,) = await fake.wait_for_request("DELETE", rf"/channels/{CHANNEL_ID}/messages/\d+")

    assert kind == 6  # acknowledged without a message of its own
    assert delete.path == f"/channels/{CHANNEL_ID}/messages/{message['id']}"
    assert delete.status == 204


# -- the connection -----------------------------------------------------------------------------


@pytest.mark.parametrize("resumable", [True, False], ids=["resume", "identify-again"])
async def test_answers_again_after_the_gateway_drops(
    running: Running, fake: FakeDiscord, resumable: bool
) -> None:
    fake.allow_resume = resumable

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before identifying again, to respect Discord's identify limit."""

    running.bot.before_identify_hook = identify_now  # type: ignore[method-assign]
    await fake.drop_connection()

    await fake.wait_until(lambda: len(fake.gateway.resumes) == 1)
    await fake.wait_streaming()
    question = await fake.user_says(ARMS_QUESTION)
    body = await reply_to(fake, question)

    assert "¶2" in shown_text(body)
    assert len(fake.gateway.identifies) == (1 if resumable else 2)


async def test_a_rate_limited_post_is_retried(running: Running, fake: FakeDiscord) -> None:
    fake.rate_limit_next("POST", rf"/channels/{CHANNEL_ID}/messages", retry_after=0.2)
    question = await fake.user_says(ARMS_QUESTION)

    body = await reply_to(fake, question)

    limited, answered = fake.matching("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert (limited.status, answered.status) == (429, 200)
    assert limited.body == answered.body == body


async def test_sharded_bot_asks_discord_for_the_gateway_and_answers(
    start_bot: StartBot, fake: FakeDiscord
) -> None:
    await start_bot(DISCORD_SHARD_COUNT="auto")
    question = await fake.user_says(ARMS_QUESTION)

    body = await reply_to(fake, question)

    assert fake.matching("GET", r"/gateway/bot")
    assert fake.gateway.identifies[0]["shard"] == [0, 1]
    assert "¶2" in shown_text(body)
