"""Block Kit renderings of the core's replies, kept inside Slack's limits whatever the input.

Every message carries a `text` fallback (notifications, screen readers) next to its blocks. All
text goes through `safe_mrkdwn`, so nothing posted can mention anyone; buttons carry small JSON
values whose markup characters (`&<>@`) are \\u-escaped, so not even a value holds a mention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.slack.mrkdwn import (
    ELLIPSIS,
    neutralise,
    safe_mrkdwn,
    safe_plain,
    slack_commands,
    slack_length,
)
from bot.core.replies import Kind, Reply, Status, render_text

# Slack's documented limits (https://docs.slack.dev/reference/block-kit/).
SECTION_TEXT_LIMIT = 3000
CONTEXT_TEXT_LIMIT = 3000
CONTEXT_ELEMENTS_LIMIT = 10
BUTTON_TEXT_LIMIT = 75
ACTION_VALUE_LIMIT = 2000
ACTION_ELEMENTS_LIMIT = 25
BLOCKS_LIMIT = 50
# Slack accepts 40,000 characters of `text` but advises 4,000; with blocks present it is only
# the notification and screen-reader line, so the shorter figure reads better.
FALLBACK_TEXT_LIMIT = 4000
ECHO_LIMIT = 300
FEEDBACK_QUESTION_LIMIT = 150
# Slack rejects empty text; only a degenerate reply has none.
EMPTY = "(no text)"

ACTION_PREFIX = "studybot"
ACTION_SUGGEST_PATTERN = re.compile(rf"^{ACTION_PREFIX}\.suggest\.\d+$")
ACTION_FEEDBACK_PATTERN = re.compile(rf"^{ACTION_PREFIX}\.feedback\.(up|down)$")
ACTION_DELETE = f"{ACTION_PREFIX}.delete"

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """What a listener sends: the fallback `text` and the blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


# -- button values --------------------------------------------------------------------------


def pack_value(data: dict[str, str]) -> str:
    """A button value: compact JSON, markup characters escaped, within the value limit."""
    value = _dumps(data)
    if len(value) > ACTION_VALUE_LIMIT and "q" in data:
        value = _dumps({k: v for k, v in data.items() if k != "q"})
    return value[:ACTION_VALUE_LIMIT]


def unpack_value(value: object) -> dict[str, str]:
    """The dict `pack_value` made, or `{}` for anything else (values come back from clients)."""
    if not isinstance(value, str):
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def _dumps(data: dict[str, str]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "&<>@":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# -- building blocks ------------------------------------------------------------------------


def section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": safe_mrkdwn(text, SECTION_TEXT_LIMIT).strip() or EMPTY},
    }


def context(*texts: str, limit: int = CONTEXT_TEXT_LIMIT) -> Block:
    elements = [{"type": "mrkdwn", "text": safe_mrkdwn(t, limit)} for t in texts if t.strip()][
        :CONTEXT_ELEMENTS_LIMIT
    ]
    return {"type": "context", "elements": elements}


def button(
    label: str,
    action_id: str,
    value: dict[str, str],
    *,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": safe_plain(label, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": pack_value(value),
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(elements: Iterable[Block]) -> Block:
    return {"type": "actions", "elements": list(elements)[:ACTION_ELEMENTS_LIMIT]}


def sections(text: str, max_blocks: int = BLOCKS_LIMIT) -> list[Block]:
    """Long text as several sections, split between lines, each within the section limit."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        candidate = f"{current}\n{line}" if current else line
        if slack_length(neutralise(candidate)) <= SECTION_TEXT_LIMIT:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = line
    if current:
        chunks.append(current)
    if len(chunks) > max_blocks:
        chunks = [*chunks[: max_blocks - 1], ELLIPSIS]
    return [section(chunk) for chunk in chunks] or [section(EMPTY)]


def fallback(text: str) -> str:
    return safe_mrkdwn(text, FALLBACK_TEXT_LIMIT).strip() or EMPTY


def delete_button(asker: str) -> Block:
    return button(
        "🗑 Delete",
        ACTION_DELETE,
        {"u": asker},
        style="danger",
        confirm={
            "title": {"type": "plain_text", "text": "Delete this answer?"},
            "text": {"type": "plain_text", "text": "It will be removed for everyone."},
            "confirm": {"type": "plain_text", "text": "Delete"},
            "deny": {"type": "plain_text", "text": "Keep it"},
        },
    )


# -- replies --------------------------------------------------------------------------------


def reply_message(
    reply: Reply,
    *,
    asker: str,
    command: str,
    deletable: bool,
    echo_question: bool = False,
) -> Message:
    """A core Reply in Block Kit: answer, citation, and the buttons that fit its status.

    `deletable` adds the asker-only delete button (for messages others can see); `echo_question`
    repeats the question above the answer, for replies to a slash command, whose text nobody else
    sees.
    """
    blocks: list[Block] = []
    if echo_question and reply.question.strip():
        blocks.append(context(f"Asked: {reply.question}", limit=ECHO_LIMIT))
    if reply.status is Status.ANSWERED and reply.answer:
        blocks.append(section(reply.answer))
        if reply.citation is not None:
            notes = [reply.citation.line()]
            if reply.citation.anchor:
                notes.append(f"“{reply.citation.anchor}”")
            blocks.append(context(*notes))
        buttons: list[Block] = []
        if reply.entry_id:
            vote = {"e": reply.entry_id, "q": reply.question[:FEEDBACK_QUESTION_LIMIT]}
            buttons.append(button("👍 Helpful", f"{ACTION_PREFIX}.feedback.up", vote))
            buttons.append(button("👎 Not helpful", f"{ACTION_PREFIX}.feedback.down", vote))
        if deletable:
            buttons.append(delete_button(asker))
        if buttons:
            blocks.append(actions(buttons))
    else:
        blocks.append(section(slack_commands(reply.message or "", command)))
        if reply.suggestions:
            blocks.append(
                actions(
                    button(
                        s.question, f"{ACTION_PREFIX}.suggest.{i}", {"e": s.entry_id, "u": asker}
                    )
                    for i, s in enumerate(reply.suggestions)
                )
            )
        if deletable:
            blocks.append(actions([delete_button(asker)]))
    return Message(fallback(slack_commands(render_text(reply), command)), blocks[:BLOCKS_LIMIT])


def is_public_kind(reply: Reply) -> bool:
    """Whether a reply may be shown to the channel; help and refusals go to the asker only."""
    return reply.kind not in (Kind.HELP, Kind.TOO_LONG)


def notice(text: str) -> Message:
    """A short plain message: help, refusals, cooldown, thanks."""
    return Message(fallback(text), sections(text))


def help_text(core_help: str, command: str) -> str:
    """The core's help with its command line replaced by the Slack ways to ask."""
    lines = [line for line in core_help.splitlines() if not line.startswith("Commands:")]
    lines.append(
        f"Ask with `{command} <question>`, mention me in a channel, or send me a direct message. "
        f"`{command} topics`: what I can answer. `{command} source N`: what paragraph N says. "
        f"`{command} help`: this message."
    )
    return "\n".join(lines)
