"""Assertions every posted Slack message must pass: limits, fallback text, nothing that pings."""

from __future__ import annotations

import re
from typing import Any

from bot.adapters.slack.blocks import (
    ACTION_VALUE_LIMIT,
    BLOCKS_LIMIT,
    BUTTON_TEXT_LIMIT,
    CONTEXT_TEXT_LIMIT,
    FALLBACK_TEXT_LIMIT,
    SECTION_TEXT_LIMIT,
)
from bot.adapters.slack.mrkdwn import slack_length

# Slack's mention markup, and the bare words some clients would linkify.
PINGS = re.compile(r"<[@!#]|@(channel|here|everyone)\b", re.IGNORECASE)


def assert_well_formed(message: dict[str, Any]) -> None:
    """`message` (a chat.* or response-URL body) fits Slack's limits and mentions nobody."""
    text = message.get("text")
    assert isinstance(text, str) and text.strip(), f"no text fallback in {message}"
    assert slack_length(text) <= FALLBACK_TEXT_LIMIT
    assert not message.get("link_names"), "link_names would turn @words into mentions"
    blocks = message.get("blocks") or []
    assert len(blocks) <= BLOCKS_LIMIT
    for block in blocks:
        if block["type"] == "section":
            assert slack_length(block["text"]["text"]) <= SECTION_TEXT_LIMIT
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert slack_length(element["text"]) <= CONTEXT_TEXT_LIMIT
        elif block["type"] == "actions":
            for element in block["elements"]:
                assert slack_length(element["text"]["text"]) <= BUTTON_TEXT_LIMIT
                assert len(element["value"]) <= ACTION_VALUE_LIMIT
                assert len(element["action_id"]) <= 255
    assert_pings_nobody(message)


def assert_pings_nobody(message: dict[str, Any]) -> None:
    for value in _strings(message):
        found = PINGS.search(value)
        assert found is None, f"{found.group(0)!r} posted raw in {value!r}"
        assert "<" not in value, f"raw '<' posted in {value!r}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
