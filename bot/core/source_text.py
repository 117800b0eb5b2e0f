"""Read a commentary's numbered text (`## ¶N` sections) so anchors can be checked against it."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^##\s*¶\s*(\d+)\b.*$", re.MULTILINE)
_TAGS = re.compile(r"</?(?:sup|sub|em|strong|b|i)>")


def squash(text: str) -> str:
    """Whitespace and inline HTML do not count when comparing an anchor with the text."""
    return " ".join(_TAGS.sub("", text).split())


def read_paragraphs(path: Path) -> dict[int, str]:
    """Map paragraph number to its text; a section ends at the next `##` heading."""
    text = path.read_text(encoding="utf-8")
    paragraphs: dict[int, str] = {}
    matches = list(_HEADING.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end]
        next_heading = re.search(r"^##\s", body, re.MULTILINE)
        if next_heading:
            body = body[: next_heading.start()]
        paragraphs[int(match.group(1))] = squash(body)
    return paragraphs
