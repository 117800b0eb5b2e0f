"""End to end: the real Bolt app over HTTP on 127.0.0.1, signed requests in, a fake Web API out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bot.config import CommonSettings
from bot.core.feedback import Feedback
from bot.core.service import StudyService

from tests.adapters.slack.checks import assert_well_formed
from tests.adapters.slack.fake_slack import TEAM_ID, Call, FakeSlackApi
from tests.adapters.slack.harness import SlackBot, button, buttons, mrkdwn_texts
from tests.conftest import MINI_PACK, NOT_COVERED_QUESTION, mini_pack_with_not_covered

ARMS = "when did weapon sales stop"
SLACK_PACK = MINI_PACK.parent / "slack"


def response(fake: FakeSlackApi, name: str) -> Call:
    """The single message posted to the response URL called `name`."""
    (call,) = fake.wait_for("response_url", where=lambda c: c.path.endswith(f"/{name}"))
    if not call.body.get("delete_original"):  # a deletion shows nothing, so needs no text
        assert_well_formed(call.body)
    return call


def test_slash_command_acks_at_once_then_posts_answer_blocks(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    result = bot.command(ARMS)
    assert result.status == 200
    assert result.body == ""  # the ack carries nothing; the answer follows on the response URL
    assert result.seconds < 3

    body = response(fake, "cmd").body
    assert body["response_type"] == "in_channel"
    assert mrkdwn_texts(body["blocks"], "section") == ["The arms sales stopped in 2006."]
    citation = mrkdwn_texts(body["blocks"], "context")
    assert any("¶2" in c and "TestNet, 2020" in c for c in citation), citation
    assert any(c == f"Asked: {ARMS}" for c in citation)
    assert "2006" in body["text"] and "¶2" in body["text"]
    assert [b["action_id"] for b in buttons(body["blocks"])] == [
        "studybot.feedback.up",
        "studybot.feedback.down",
        "studybot.delete",
    ]
    assert fake.calls("chat.postMessage") == []


def test_app_mention_is_answered_in_a_thread_under_the_question(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    bot.mention(ARMS, ts="1700000000.000200")
    (post,) = fake.wait_for("chat.postMessage")
    assert_well_formed(post.body)
    assert post.body["channel"] == "C1STUDY"
    assert post.body["thread_ts"] == "1700000000.000200"
    assert any("¶2" in c for c in mrkdwn_texts(post.body["blocks"], "context"))

    # Asked inside a thread: the reply joins that thread rather than starting one.
    bot.mention("who wrote this?", ts="1700000000.000300", thread_ts="1700000000.000100")
    second = fake.wait_for("chat.postMessage", count=2)[1]
    assert second.body["thread_ts"] == "1700000000.000100"
    assert "Test Author" in second.body["text"]


def test_direct_messages_are_answered_and_the_bots_own_ignored(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1700000000.000400"}
    bot.event({**dm, "user": "U1ASKER", "text": "who wrote this?"})
    bot.event({**dm, "user": "U0BOT", "bot_id": "B0BOT", "text": "It was written by Test Author"})
    bot.event({**dm, "user": "U1ASKER", "subtype": "message_changed", "text": "who wrote it"})
    bot.settle()
    (post,) = fake.calls("chat.postMessage")
    assert_well_formed(post.body)
    assert post.body["channel"] == "D1"
    assert "thread_ts" not in post.body
    assert "Test Author" in post.body["text"]
    assert "studybot.delete" not in [b["action_id"] for b in buttons(post.body["blocks"])]


def test_suggestion_click_answers_that_entry(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    bot = make_bot(common=CommonSettings(knowledge_dir=SLACK_PACK, cooldown_seconds=0))
    bot.command("pipeline", response="ask")  # fits both of the pack's entries equally
    asked = response(fake, "ask").body
    assert asked["response_type"] == "in_channel"
    suggestions = [b for b in buttons(asked["blocks"]) if b["action_id"].startswith("studybot.s")]
    assert sorted(b["text"]["text"] for b in suggestions) == [
        "How much did the pipeline cost?",
        "Which towns does the pipeline link?",
    ]
    price = next(b for b in suggestions if "cost" in b["text"]["text"])

    # Someone else's click answers them privately and leaves the asker's message alone.
    bot.click(price, user="U2OTHER", response="other")
    other = response(fake, "other").body
    assert other["response_type"] == "ephemeral" and other["replace_original"] is False
    assert mrkdwn_texts(other["blocks"], "section") == ["It cost 25 billion dollars."]

    # The asker's click turns the question into the answer, citation and delete button included.
    bot.click(price, user="U1ASKER", response="mine")
    mine = response(fake, "mine").body
    assert mine["replace_original"] is True
    assert mrkdwn_texts(mine["blocks"], "section") == ["It cost 25 billion dollars."]
    assert any(c.endswith("¶2") for c in mrkdwn_texts(mine["blocks"], "context"))
    assert json.loads(button(mine["blocks"], "studybot.delete")["value"]) == {"u": "U1ASKER"}


def test_a_question_the_commentary_does_not_answer_says_so_with_nearby_questions(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi, tmp_path: Path
) -> None:
    pack = mini_pack_with_not_covered(tmp_path)
    bot = make_bot(common=CommonSettings(knowledge_dir=pack, cooldown_seconds=0))
    bot.command(NOT_COVERED_QUESTION, response="ask")
    asked = response(fake, "ask").body
    (text,) = mrkdwn_texts(asked["blocks"], "section")
    assert text.startswith("The commentary doesn't answer that")
    # The entry that nearly answered is the closest thing said; the others are buttons.
    assert "The closest it comes (¶1): They trade grain and oil." in text
    picks = [b for b in buttons(asked["blocks"]) if b["action_id"].startswith("studybot.s")]
    assert [b["text"]["text"] for b in picks] == ["Does one country export oil to the other?"]


def test_delete_is_refused_for_others_and_done_for_the_asker(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    bot.mention(ARMS)
    (post,) = fake.wait_for("chat.postMessage")
    delete = button(post.body["blocks"], "studybot.delete")

    bot.click(delete, user="U2OTHER", response="other")
    refusal = response(fake, "other").body
    bot.settle()
    assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
    assert "Only the person who asked" in refusal["text"]
    assert fake.calls("chat.delete") == []

    bot.click(delete, user="U1ASKER", message_ts="1700000009.000100", response="mine")
    (deleted,) = fake.wait_for("chat.delete")
    assert (deleted.body["channel"], deleted.body["ts"]) == ("C1STUDY", "1700000009.000100")


def test_delete_falls_back_to_the_response_url(bot: SlackBot, fake: FakeSlackApi) -> None:
    bot.command(ARMS)
    delete = button(response(fake, "cmd").body["blocks"], "studybot.delete")

    # Slack may refuse chat.delete for a reply posted through a response URL.
    fake.fail("chat.delete", "cant_delete_message")
    bot.click(delete, user="U1ASKER", response="public")
    assert response(fake, "public").body["delete_original"] is True

    # An ephemeral message has no channel message to delete: only its response URL can.
    bot.click(delete, user="U1ASKER", ephemeral=True, response="private")
    assert response(fake, "private").body["delete_original"] is True
    bot.settle()
    assert [c.body.get("ok", True) for c in fake.calls("chat.delete")] == [True]


def test_feedback_buttons_reach_the_sink(bot: SlackBot, fake: FakeSlackApi) -> None:
    bot.command(ARMS)
    answer = response(fake, "cmd").body
    bot.click(button(answer["blocks"], "studybot.feedback.down"), user="U3", response="vote")
    thanks = response(fake, "vote").body
    assert thanks["response_type"] == "ephemeral"
    assert bot.feedback.votes == [
        Feedback(
            platform="slack",
            entry_id="arms-halt",
            helpful=False,
            user_id="U3",
            channel_id="C1STUDY",
            workspace_id=TEAM_ID,
            message_id="1700000001.000100",
            question=ARMS,
        )
    ]


def test_a_retried_event_is_answered_once(bot: SlackBot, fake: FakeSlackApi) -> None:
    results = [
        bot.mention(ARMS, event_id="Ev0SAME"),
        bot.mention(ARMS, event_id="Ev0SAME", retry=1),
        bot.mention(ARMS, event_id="Ev0SAME", retry=2),
    ]
    assert [r.status for r in results] == [200, 200, 200]
    bot.settle()
    assert len(fake.calls("chat.postMessage")) == 1

    bot.mention(ARMS, event_id="Ev0OTHER")  # a new event is not mistaken for a retry
    bot.settle()
    assert len(fake.calls("chat.postMessage")) == 2


@pytest.mark.parametrize(
    "tampering",
    [{"secret": "not-the-signing-secret"}, {"timestamp": int(time.time()) - 6 * 60}],
    ids=["forged-signature", "stale-timestamp"],
)
def test_unsigned_requests_are_rejected_and_nothing_posted(
    bot: SlackBot, fake: FakeSlackApi, tampering: dict[str, Any]
) -> None:
    delete = {"action_id": "studybot.delete", "text": {}, "value": '{"u":"U1ASKER"}'}
    results = [
        bot.command(ARMS, **tampering),
        bot.mention(ARMS, **tampering),
        bot.click(delete, user="U1ASKER", **tampering),
    ]
    assert [r.status for r in results] == [401, 401, 401]
    assert all("invalid request" in r.body for r in results)
    bot.settle()
    assert [c.method for c in fake.calls()] == ["auth.test"]


def test_broadcasts_and_mentions_in_a_question_ping_nobody(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    question = f"<!channel> <!here|here> <!everyone> <@U999> <!subteam^S123|@tutors> @here {ARMS}"
    bot.command(question)
    bot.mention(question)
    bot.settle()
    posts = fake.posts()
    assert {c.method for c in posts} == {"response_url", "chat.postMessage"}
    for call in posts:
        assert_well_formed(call.body)  # no raw <!channel>, <@U…>, @here ... anywhere
        assert "2006" in call.body["text"]  # and the question was still answered
    echo = mrkdwn_texts(response(fake, "cmd").body["blocks"], "context")[0]
    assert echo.startswith(
        "Asked: &lt;!channel&gt; &lt;!here|here&gt; &lt;!everyone&gt; &lt;@U999&gt;"
    )


def test_an_over_long_question_gets_the_cores_refusal_privately(
    bot: SlackBot, fake: FakeSlackApi
) -> None:
    core = StudyService(MINI_PACK)
    bot.command("why " * 700)
    refusal = response(fake, "cmd").body
    assert refusal["response_type"] == "ephemeral"
    assert refusal["text"] == core.ask("why " * 700).message

    bot.mention("x" * 3000)
    (private,) = fake.wait_for("chat.postEphemeral")
    assert_well_formed(private.body)
    assert private.body["user"] == "U1ASKER"
    assert private.body["text"] == core.ask("x" * 3000).message
    bot.settle()
    assert fake.calls("chat.postMessage") == []


def test_a_rate_limited_post_is_retried_and_arrives_once(bot: SlackBot, fake: FakeSlackApi) -> None:
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    bot.mention(ARMS)
    (answer,) = fake.wait_for("chat.postMessage")
    bot.settle()
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]
    assert "2006" in answer.body["text"]


def test_cooldown_gives_one_notice_then_silence(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    common = CommonSettings(knowledge_dir=MINI_PACK, cooldown_rate=1, cooldown_seconds=60)
    bot = make_bot(common=common)
    asks: list[Callable[[], object]] = [
        lambda: bot.mention(ARMS),
        lambda: bot.mention(ARMS),
        lambda: bot.mention(ARMS),
        lambda: bot.command(ARMS),  # the slash command shares the asker's cooldown
        lambda: bot.mention(ARMS, user="U2OTHER"),  # other students are not held up
    ]
    for ask in asks:
        ask()
        bot.settle()  # one at a time, so the first of them is the one answered
    assert len(fake.calls("chat.postMessage")) == 2
    (notice,) = fake.calls("chat.postEphemeral")
    assert notice.body["user"] == "U1ASKER"
    assert "You can ask again in" in notice.body["text"]
    assert fake.calls("response_url") == []


def test_help_topics_and_source(bot: SlackBot, fake: FakeSlackApi) -> None:
    for text in ("help", "topics", "source 2", "source 9", "source"):
        bot.command(text, response=text.replace(" ", "-"))
    help_ = response(fake, "help").body
    assert help_["response_type"] == "ephemeral"
    assert "`/ask topics`" in help_["text"] and "Commands: /topics" not in help_["text"]
    assert "Test Author" in help_["text"]

    topics = response(fake, "topics").body
    assert topics["response_type"] == "ephemeral"
    assert topics["text"] == StudyService(MINI_PACK).topics_text()

    source = response(fake, "source-2").body
    assert source["response_type"] == "in_channel"
    assert mrkdwn_texts(source["blocks"], "section") == [
        "¶2: One country stopped selling arms to the other in 2006."
    ]
    assert any(c.endswith("¶2") for c in mrkdwn_texts(source["blocks"], "context"))

    missing = response(fake, "source-9").body
    assert missing["response_type"] == "ephemeral"
    assert missing["text"] == StudyService(MINI_PACK).paragraph(9).message
    usage = response(fake, "source").body
    assert usage["response_type"] == "ephemeral" and "/ask source N" in usage["text"]


def test_command_name_and_visibility_are_configurable(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    bot = make_bot(command="/study", answer_visibility="ephemeral")
    assert bot.command(ARMS, command="/ask", response="old").status == 404
    bot.command(ARMS, command="/study", response="new")
    answer = response(fake, "new").body
    assert answer["response_type"] == "ephemeral"
    assert "2006" in answer["text"]
    assert "studybot.delete" not in [b["action_id"] for b in buttons(answer["blocks"])]
    bot.mention(ARMS)
    (private,) = fake.wait_for("chat.postEphemeral")
    assert "2006" in private.body["text"]
    bot.settle()
    assert fake.calls("chat.postMessage") == []
    assert len(fake.calls("response_url")) == 1


def test_allowed_channels_limit_where_the_bot_answers(
    make_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    common = CommonSettings(knowledge_dir=MINI_PACK, cooldown_seconds=0, allowed_channels=("C9",))
    bot = make_bot(common=common)
    bot.command(ARMS)
    refusal = response(fake, "cmd").body
    assert refusal["response_type"] == "ephemeral" and "this channel" in refusal["text"]
    bot.command(ARMS, channel="C9", response="allowed")
    assert "2006" in response(fake, "allowed").body["text"]


def test_url_verification_returns_the_challenge(bot: SlackBot) -> None:
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"}
    )
    result = bot.post(body, "application/json")
    assert result.status == 200
    assert json.loads(result.body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}
