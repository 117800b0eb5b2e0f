"""Replies in Discord's idiom: an embed or plain text, always inside Discord's size limits.

Lengths are measured in UTF-16 code units, the unit Discord's clients count in; it is never less
than the number of code points, so text clipped this way fits whichever way the API counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.adapters.discord.settings import ReplyStyle
from bot.core.replies import Kind, Reply, Status, render_text

CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100
CHOICE_LIMIT = 100
MAX_CHOICES = 25
ELLIPSIS = "…"

NO_MENTIONS = discord.AllowedMentions.none()

_COLOURS = {
    Status.ANSWERED: discord.Colour.blurple(),
    Status.AMBIGUOUS: discord.Colour.gold(),
    Status.NO_MATCH: discord.Colour.light_grey(),
}


def discord_len(text: str) -> int:
    # A JSON payload may carry a lone surrogate ("\ud800"); count it as the one unit it is.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` units, ending in an ellipsis when anything was cut."""
    if discord_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    budget = limit - 1
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > budget:
            return text[:index].rstrip() + ELLIPSIS
    return text


def clip_lines(text: str, limit: int) -> str:
    """Whole lines up to `limit`, then an ellipsis line, so a long list never ends mid-word."""
    if discord_len(text) <= limit:
        return text
    kept: list[str] = []
    used = discord_len(ELLIPSIS)
    for line in text.splitlines():
        cost = discord_len(line) + 1
        if used + cost > limit:
            break
        kept.append(line)
        used += cost
    if not kept:
        return clip(text, limit)
    return "\n".join([*kept, ELLIPSIS])


@dataclass(frozen=True)
class Body:
    """What a message says; the buttons are added separately (see views)."""

    content: str | None = None
    embed: discord.Embed | None = None

    @property
    def embeds(self) -> list[discord.Embed]:
        return [self.embed] if self.embed is not None else []


def render_reply(reply: Reply, style: ReplyStyle) -> Body:
    if style is ReplyStyle.PLAIN:
        return Body(content=_plain(reply))
    return Body(embed=_embed(reply))


def render_notice(text: str, style: ReplyStyle, title: str | None = None) -> Body:
    """Help, topics and notices: not answers, so no citation and no answer colour."""
    if style is ReplyStyle.PLAIN:
        lines = [f"**{title}**", text] if title else [text]
        return Body(content=clip_lines("\n".join(lines), CONTENT_LIMIT))
    embed = discord.Embed(
        title=clip(title, EMBED_TITLE_LIMIT) if title else None,
        description=clip_lines(text, EMBED_DESCRIPTION_LIMIT),
        colour=discord.Colour.light_grey(),
    )
    return Body(embed=embed)


def _plain(reply: Reply) -> str:
    if reply.status is Status.ANSWERED and reply.answer and reply.citation:
        # The citation is the point of the bot: it survives clipping, the answer gives way.
        line = clip(reply.citation.line(), CONTENT_LIMIT // 2)
        answer = clip(reply.answer, CONTENT_LIMIT - discord_len(line) - 1)
        return f"{answer}\n{line}"
    return clip_lines(render_text(reply) or ELLIPSIS, CONTENT_LIMIT)


def _embed(reply: Reply) -> discord.Embed:
    colour = _COLOURS[reply.status]
    if reply.status is Status.ANSWERED and reply.answer:
        description = clip(reply.answer, EMBED_DESCRIPTION_LIMIT)
        embed = discord.Embed(description=description, colour=colour)
        if reply.citation:
            room = min(EMBED_FOOTER_LIMIT, EMBED_TOTAL_LIMIT - discord_len(description))
            embed.set_footer(text=clip(reply.citation.line(), room))
        return embed
    if reply.status is Status.AMBIGUOUS:
        lines = [reply.message or "I'm not sure which of these you mean:"]
        lines.extend(f"{i}. {s.question}" for i, s in enumerate(reply.suggestions, 1))
        return discord.Embed(
            title="Did you mean…",
            description=clip_lines("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
            colour=colour,
        )
    text = render_text(reply) or ELLIPSIS
    title = "Message too long" if reply.kind is Kind.TOO_LONG else None
    return discord.Embed(
        title=title, description=clip_lines(text, EMBED_DESCRIPTION_LIMIT), colour=colour
    )
