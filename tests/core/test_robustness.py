"""Answering never raises, whatever arrives over the wire."""

from __future__ import annotations

from bot.core.replies import Status, render_text
from bot.core.service import StudyService
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import KNOWLEDGE

SERVICE = StudyService(KNOWLEDGE)

ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400
) | st.sampled_from(
    [
        "\u202eaxis of convenience\u202c",
        "ما هو محور الملاءمة؟",
        "Ｗｈｏ ｗｒｏｔｅ ｉｔ",
        "e\u0301\u0301\u0301\u0301 thaad",
        "z\u200d\u200d\u200dero",
        "🇷🇺🇨🇳 trade?",
        "<@!1234> <@&5> <#6> @everyone @here <!channel>",
        "```py\nprint('x')\n```",
        "\x00\x01\x02",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ODD_TEXT)
def test_ask_never_raises(text: str) -> None:
    reply = SERVICE.ask(text)
    assert reply.status in set(Status)
    assert isinstance(render_text(reply), str) and render_text(reply)
    assert 0.0 <= reply.score <= 100.0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_autocomplete_never_raises(text: str) -> None:
    assert len(SERVICE.autocomplete(text, limit=25)) <= 25
