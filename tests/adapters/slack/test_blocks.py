"""Rendering: Slack's limits and mention safety for any text, and the pieces that get there."""

from __future__ import annotations

from bot.adapters.slack.blocks import (
    ACTION_VALUE_LIMIT,
    help_text,
    pack_value,
    reply_message,
    sections,
    unpack_value,
)
from bot.adapters.slack.mrkdwn import (
    decode_incoming,
    neutralise,
    safe_mrkdwn,
    safe_plain,
    slack_commands,
    slack_length,
    strip_user_mention,
)
from bot.core.replies import Citation, Kind, Reply, Status, Suggestion
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.adapters.slack.checks import assert_well_formed

CITATION = Citation("mini", "A <b>title</b> & more", "Test Author", "TestNet", 2020, (2,), "x & y")
SLACKY = st.sampled_from(
    ["<!channel>", "<!here>", "<@U1>", "<!subteam^S1|@g>", "@everyone", "&amp;", "&lt;", "<", ">",
     "&", "😀", "¶", "*", "`", "\n", "a", " "]
)  # fmt: skip
TEXT = st.lists(st.one_of(SLACKY, st.text(max_size=40)), max_size=400).map("".join)


@settings(max_examples=60, deadline=None)
@given(answer=TEXT, question=TEXT, message=TEXT, suggestions=st.lists(TEXT, max_size=5))
def test_any_reply_fits_slack_and_pings_nobody(
    answer: str, question: str, message: str, suggestions: list[str]
) -> None:
    replies = [
        Reply(Status.ANSWERED, Kind.ANSWER, question, "e1", answer or "a", citation=CITATION),
        Reply(
            Status.AMBIGUOUS,
            Kind.SUGGESTIONS,
            question,
            suggestions=tuple(Suggestion(f"e{i}", s, 50.0) for i, s in enumerate(suggestions)),
            message=message,
        ),
        Reply(Status.NO_MATCH, Kind.TOO_LONG, question, message=message),
    ]
    for reply in replies:
        for deletable in (True, False):
            rendered = reply_message(
                reply, asker="U1", command="/ask", deletable=deletable, echo_question=True
            )
            assert_well_formed({"text": rendered.text, "blocks": rendered.blocks})


def test_long_texts_are_cut_to_the_limits() -> None:
    reply = Reply(
        Status.AMBIGUOUS,
        Kind.SUGGESTIONS,
        "<!channel> " * 500,
        suggestions=(Suggestion("e" * 900, "w" * 200, 50.0), Suggestion("x", "😀" * 100, 50.0)),
        message="&" * 5000,
    )
    rendered = reply_message(reply, asker="U1", command="/ask", deletable=True, echo_question=True)
    assert_well_formed({"text": rendered.text, "blocks": rendered.blocks})
    section = rendered.blocks[1]["text"]["text"]
    assert section.endswith("&amp;…") and slack_length(section) <= 3000
    labels = [e["text"]["text"] for e in rendered.blocks[2]["elements"]]
    assert labels[0] == "w" * 74 + "…"
    assert slack_length(labels[1]) <= 75 and labels[1].endswith("…")


def test_answer_blocks_hold_answer_citation_anchor_and_buttons() -> None:
    reply = Reply(Status.ANSWERED, Kind.ANSWER, "q?", "e1", "It's <b> & c.", citation=CITATION)
    rendered = reply_message(reply, asker="U7", command="/ask", deletable=True)
    types = [b["type"] for b in rendered.blocks]
    assert types == ["section", "context", "actions"]
    assert rendered.blocks[0]["text"]["text"] == "It's &lt;b&gt; &amp; c."
    notes = [e["text"] for e in rendered.blocks[1]["elements"]]
    assert notes == [
        'Source: Test Author, "A &lt;b&gt;title&lt;/b&gt; &amp; more", TestNet, 2020, ¶2',
        "“x &amp; y”",
    ]
    values = [unpack_value(e["value"]) for e in rendered.blocks[2]["elements"]]
    assert values == [{"e": "e1", "q": "q?"}, {"e": "e1", "q": "q?"}, {"u": "U7"}]


def test_core_command_names_become_slack_sub_commands() -> None:
    text = "Type /topics for samples; /source 3 or /help. Not a/topics or //help."
    assert slack_commands(text, "/study") == (
        "Type /study topics for samples; /study source 3 or /study help. Not a/topics or //help."
    )
    core_help = "I answer questions.\nCommands: /topics, /source N, /help."
    assert help_text(core_help, "/ask").splitlines()[0] == "I answer questions."
    assert "Commands:" not in help_text(core_help, "/ask")
    assert "`/ask source N`" in help_text(core_help, "/ask")


def test_incoming_text_is_decoded_and_the_bots_mention_removed() -> None:
    raw = "<@U0BOT> is a &lt; b &amp;&amp; <@U0BOT|studybot> c &gt; d? <@U2>"
    assert decode_incoming(strip_user_mention(raw, "U0BOT")) == "is a < b &&   c > d? <@U2>"
    assert strip_user_mention("<@U0BOT> hi", None) == "<@U0BOT> hi"


@given(st.text(max_size=300), st.integers(min_value=1, max_value=400))
def test_safe_mrkdwn_is_bounded_and_escaped(text: str, limit: int) -> None:
    out = safe_mrkdwn(text, limit)
    assert slack_length(out) <= limit
    assert "<" not in out and ">" not in out
    if slack_length(neutralise(text)) <= limit:
        assert out == neutralise(text)


@given(st.dictionaries(st.sampled_from(["e", "u", "q"]), st.text(max_size=3000)))
def test_button_values_round_trip_within_the_limit(data: dict[str, str]) -> None:
    value = pack_value(data)
    assert len(value) <= ACTION_VALUE_LIMIT
    assert not any(c in value for c in "<>&@")
    # Escaping can grow a character sixfold; below that budget nothing may be dropped.
    if sum(len(v) + 10 for v in data.values()) * 6 <= ACTION_VALUE_LIMIT:
        assert unpack_value(value) == data


def test_unpack_value_tolerates_anything() -> None:
    assert unpack_value(None) == {}
    assert unpack_value("not json") == {}
    assert unpack_value("[1]") == {}
    assert unpack_value('{"e": 1, "u": "U1"}') == {"u": "U1"}


def test_long_text_is_split_into_sections_between_lines() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(200))
    blocks = sections(text)
    assert len(blocks) > 1
    assert all(slack_length(b["text"]["text"]) <= 3000 for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text
    assert len(sections("y" * 100 + "\n", max_blocks=50)) == 1
    assert len(sections("\n".join(["z" * 2999] * 80))) == 50


def test_clipping_never_uncovers_a_broadcast_word() -> None:
    label = safe_plain("x" * 60 + "@everyone00", 70)
    assert "@everyone" not in label
