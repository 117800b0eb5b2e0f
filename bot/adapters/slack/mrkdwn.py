"""Slack's text rules: what arrives is entity-escaped markup; what leaves must trigger nothing.

Slack sends `&`, `<` and `>` in message text as `&amp;`, `&lt;` and `&gt;`, and writes mentions
as `<@U123>`, `<!channel>` or `<!subteam^S1>`. A question is decoded once, for matching and for
echoing; everything the bot posts is escaped again, so markup a user typed is shown as text and
never pings anyone, and then cut to Slack's length limits without breaking an escape in half.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
WORD_JOINER = "\u2060"

_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
# Posted without link_names, a plain "@channel" is not a broadcast; the word joiner keeps it that
# way even for a client that linkifies bare words, and is invisible to readers. No word boundary
# at the end: clipping "@everyone00" to "@everyone…" must not leave a live word behind.
_BROADCAST_WORD = re.compile(r"@(channel|here|everyone)", re.IGNORECASE)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
# The core's messages name the Discord-style commands; in Slack they are sub-commands of one
# slash command.
_CORE_COMMAND = re.compile(r"(?<![\w/])/(topics|source|help)\b")


def decode_incoming(text: str) -> str:
    """Undo Slack's entity escaping of message and command text."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text)


def strip_user_mention(text: str, user_id: str | None) -> str:
    """`text` without mentions of `user_id` (the bot's own `<@U…>` that starts an app_mention)."""
    if not user_id:
        return text
    return re.sub(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", " ", text).strip()


def slack_length(text: str) -> int:
    """Length as Slack may count it: UTF-16 code units, so an emoji can count as two."""
    return len(text.encode("utf-16-le")) // 2


def neutralise(text: str) -> str:
    """`text` escaped per Slack's rules, so that it is shown literally and mentions nobody."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST_WORD.sub(lambda m: "@" + WORD_JOINER + m.group(1), escaped)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in an ellipsis when cut."""
    if slack_length(text) <= limit:
        return text
    budget = max(0, limit - 1)
    used = 0
    end = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        end = index + 1
    return text[:end].rstrip() + ELLIPSIS


def safe_mrkdwn(text: str, limit: int) -> str:
    """`text` neutralised and clipped to `limit`, never ending in half an escape."""
    escaped = neutralise(text)
    if slack_length(escaped) <= limit:
        return escaped
    cut = clip(escaped, limit)
    head = _PARTIAL_ENTITY.sub("", cut[: -len(ELLIPSIS)])
    return head.rstrip() + ELLIPSIS


def safe_plain(text: str, limit: int) -> str:
    """Text for a plain_text object (button labels), with no markup characters left in it.

    Slack does not say whether plain_text decodes `&lt;`, so escaping could show the entity
    literally; look-alike angle quotes read the same and can never form markup.
    """
    text = text.replace("<", "‹").replace(">", "›")
    return clip(_BROADCAST_WORD.sub(lambda m: "@" + WORD_JOINER + m.group(1), text), limit)


def slack_commands(text: str, command: str) -> str:
    """The core's `/topics`, `/source N` and `/help` written as `/ask topics` and so on."""
    return _CORE_COMMAND.sub(lambda m: f"{command} {m.group(1)}", text)
