"""Settings parsing, Discord's size limits and the custom_id scheme, without a connection."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest
from bot.adapters.discord.client import INVITE_PERMISSIONS, invite_url
from bot.adapters.discord.rendering import (
    BUTTON_LABEL_LIMIT,
    CONTENT_LIMIT,
    CUSTOM_ID_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    clip,
    discord_len,
    render_notice,
    render_reply,
)
from bot.adapters.discord.responder import Responder
from bot.adapters.discord.settings import DiscordSettings, ReplyStyle
from bot.adapters.discord.views import reply_view
from bot.config import ConfigError
from bot.core.replies import Citation, Kind, Reply, Status, Suggestion
from bot.core.service import StudyService
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.adapters.discord.conftest import SETTINGS_VARS

MINI_PACK = Path(__file__).resolve().parents[2] / "data" / "packs" / "mini"

# Wide text: astral emoji (two UTF-16 units), combining marks, newlines, mentions.
_pieces = st.one_of(st.characters(), st.sampled_from(["😀", "\n", "@everyone ", "¶", "<@1>"]))
_short = st.lists(_pieces, max_size=300).map("".join)
# Repeating a short text reaches past every limit (2,000 to 6,000) without slow generation.
wide_text = st.one_of(_short, st.tuples(_short, st.integers(1, 40)).map(lambda t: t[0] * t[1]))
entry_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=150)


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    status = draw(st.sampled_from(list(Status)))
    kind = {
        Status.ANSWERED: draw(st.sampled_from([Kind.ANSWER, Kind.SOURCE])),
        Status.AMBIGUOUS: Kind.SUGGESTIONS,
        Status.NO_MATCH: draw(
            st.sampled_from([Kind.UNKNOWN, Kind.NOT_COVERED, Kind.TOO_LONG, Kind.HELP])
        ),
    }[status]
    citation = Citation(
        source="s",
        title=draw(wide_text),
        author=draw(wide_text),
        outlet="o",
        year=2020,
        paragraphs=tuple(draw(st.lists(st.integers(0, 99), min_size=1, max_size=40))),
    )
    suggestions = tuple(
        Suggestion(draw(entry_ids), draw(wide_text), 50.0) for _ in range(draw(st.integers(0, 5)))
    )
    return Reply(
        status,
        kind,
        draw(wide_text),
        entry_id=draw(entry_ids),
        answer=draw(wide_text),
        citation=citation,
        suggestions=suggestions,
        message=draw(wide_text),
    )


@settings(max_examples=60, deadline=None)
@given(reply=replies(), style=st.sampled_from(list(ReplyStyle)))
def test_every_reply_fits_discord_limits(reply: Reply, style: ReplyStyle) -> None:
    body = render_reply(reply, style)

    assert body.content is not None or body.embed is not None
    assert discord_len(body.content or "") <= CONTENT_LIMIT
    if body.embed is not None:
        title = body.embed.title or ""
        description = body.embed.description or ""
        footer = body.embed.footer.text or ""
        assert discord_len(title) <= EMBED_TITLE_LIMIT
        assert discord_len(description) <= EMBED_DESCRIPTION_LIMIT
        assert discord_len(footer) <= EMBED_FOOTER_LIMIT
        assert discord_len(title + description + footer) <= EMBED_TOTAL_LIMIT


@settings(max_examples=60, deadline=None)
@given(reply=replies(), asker=st.integers(1, 2**63 - 1))
def test_every_button_fits_discord_limits(reply: Reply, asker: int) -> None:
    view = reply_view(reply, asker)

    assert 1 <= len(view.children) <= 5  # one row
    for item in view.children:
        assert isinstance(item, discord.ui.DynamicItem)
        button = item.item
        assert isinstance(button, discord.ui.Button)
        assert len(button.custom_id or "") <= CUSTOM_ID_LIMIT
        assert button.label or button.emoji
        assert discord_len(button.label or "") <= BUTTON_LABEL_LIMIT


@given(text=wide_text, limit=st.integers(0, 5000))
def test_clip_fits_and_keeps_what_already_fits(text: str, limit: int) -> None:
    clipped = clip(text, limit)

    assert discord_len(clipped) <= limit
    if discord_len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…") or limit == 0


def test_plain_answer_keeps_the_citation_when_the_answer_is_clipped() -> None:
    citation = Citation("s", "Title", "Author", "Outlet", 2020, (2,))
    reply = Reply(
        Status.ANSWERED, Kind.ANSWER, "q", entry_id="e", answer="x" * 5000, citation=citation
    )

    content = render_reply(reply, ReplyStyle.PLAIN).content or ""

    assert len(content) <= CONTENT_LIMIT
    assert content.endswith('Source: Author, "Title", Outlet, 2020, ¶2')


def test_not_covered_lists_the_nearby_questions_with_buttons_to_pick_them() -> None:
    reply = Reply(
        Status.NO_MATCH,
        Kind.NOT_COVERED,
        "who runs the pipeline company",
        suggestions=(Suggestion("pipeline-route", "Where does the pipeline run?", 70.0),),
        message="The commentary doesn't answer that.\nNearby questions I can answer:",
    )
    for style in ReplyStyle:
        body = render_reply(reply, style)
        shown = body.content if body.embed is None else body.embed.description
        assert shown is not None and shown.endswith("1. Where does the pipeline run?")
    labels = []
    for item in reply_view(reply, 42).children:
        assert isinstance(item, discord.ui.DynamicItem)
        assert isinstance(item.item, discord.ui.Button)
        labels.append(item.item.label)
    assert labels[0] == "Where does the pipeline run?"


def test_long_topic_lists_are_cut_at_a_line() -> None:
    text = "\n".join(f"• Topic number {i} with a sample question" for i in range(200))

    content = render_notice(text, ReplyStyle.PLAIN).content or ""

    assert len(content) <= CONTENT_LIMIT
    assert content.endswith("\n…")
    assert all(line.startswith("•") for line in content.splitlines()[:-1])


def test_autocomplete_choices_fit_discord_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    service = StudyService(MINI_PACK)
    long_questions = [Suggestion(f"e{i}", f"{i} " + "why " * 60, 50.0) for i in range(40)]
    monkeypatch.setattr(service, "autocomplete", lambda text, limit=25: long_questions[:limit])
    responder = Responder(
        discord.Client(intents=discord.Intents.none()),
        service,
        DiscordSettings(token="t"),
        feedback=_NoFeedback(),
    )

    choices = responder.autocomplete("why")

    assert len(choices) == 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)


class _NoFeedback:
    def record(self, feedback: object) -> None:
        raise AssertionError("not expected")


def test_invite_url_asks_for_both_scopes_and_the_permissions_replies_need() -> None:
    query = parse_qs(urlparse(invite_url(1234)).query)

    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    permissions = discord.Permissions(int(query["permissions"][0]))
    assert permissions == INVITE_PERMISSIONS
    assert permissions.send_messages and permissions.embed_links
    assert permissions.read_message_history  # a reply references the question
    assert not permissions.administrator and not permissions.manage_messages


# -- settings -----------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value-1234")
    return monkeypatch


def test_defaults(env: pytest.MonkeyPatch) -> None:
    settings = DiscordSettings.from_env()

    assert settings.api_base_url == "https://discord.com/api/v10"
    assert settings.gateway_url is None and settings.guild_id is None
    assert settings.reply_style is ReplyStyle.EMBED
    assert not settings.sharded
    assert "secret-token-value-1234" not in repr(settings)


def test_all_settings(env: pytest.MonkeyPatch) -> None:
    env.setenv("DISCORD_API_BASE_URL", "http://proxy.internal:8080/api/v10/")
    env.setenv("DISCORD_GATEWAY_URL", "ws://gateway-proxy.internal:7878")
    env.setenv("DISCORD_GUILD_ID", "123")
    env.setenv("DISCORD_REPLY_STYLE", "Plain")
    env.setenv("DISCORD_SHARD_COUNT", "4")
    env.setenv("DISCORD_SHARD_IDS", "3, 1")

    settings = DiscordSettings.from_env()

    assert settings.api_base_url == "http://proxy.internal:8080/api/v10"
    assert settings.gateway_url == "ws://gateway-proxy.internal:7878"
    assert settings.guild_id == 123
    assert settings.reply_style is ReplyStyle.PLAIN
    assert (settings.sharded, settings.shard_count, settings.shard_ids) == (True, 4, (1, 3))


def test_auto_shard_count(env: pytest.MonkeyPatch) -> None:
    env.setenv("DISCORD_SHARD_COUNT", "auto")

    settings = DiscordSettings.from_env()

    assert (settings.sharded, settings.shard_count, settings.shard_ids) == (True, None, None)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISCORD_TOKEN", "", "DISCORD_TOKEN is not set"),
        ("DISCORD_REPLY_STYLE", "fancy", "DISCORD_REPLY_STYLE"),
        ("DISCORD_API_BASE_URL", "discord.com/api", "DISCORD_API_BASE_URL"),
        ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg", "DISCORD_GATEWAY_URL"),
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID"),
        ("DISCORD_SHARD_IDS", "0", "needs DISCORD_SHARD_COUNT"),
        ("DISCORD_SHARD_COUNT", "0", "DISCORD_SHARD_COUNT"),
    ],
)
def test_bad_settings_name_the_variable(
    env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    env.setenv(name, value)

    with pytest.raises(ConfigError, match=message):
        DiscordSettings.from_env()


def test_shard_ids_must_be_within_the_count(env: pytest.MonkeyPatch) -> None:
    env.setenv("DISCORD_SHARD_COUNT", "2")
    env.setenv("DISCORD_SHARD_IDS", "2")

    with pytest.raises(ConfigError, match=r"outside 0\.\.1"):
        DiscordSettings.from_env()


def test_lone_surrogates_are_measured_not_crashed_on() -> None:
    """JSON may carry a lone surrogate ('\\ud800'); measuring and clipping must still work."""
    text = "a\ud800b" * 1000
    assert discord_len(text) == 3000
    assert discord_len(clip(text, 10)) <= 10
