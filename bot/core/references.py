"""Paragraph references in a question: 'what does ¶7 say', 'in para 5, who sold what'.

Students read the commentary with its numbered paragraphs in front of them and point at them.
A reference alone asks what the paragraph says; beside a question it says where to look.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.text import content_tokens

_PILCROWS = re.compile(r"¶+\s*(\d{1,3})(?:\s*(?:-|–|and|&|,)\s*¶*\s*(\d{1,3}))?")
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
_WORD = r"(?:paragraphs?|paras?|pars?|pgs?)"
_NUMBER = r"(\d{1,3})(?:st|nd|rd|th)?"
# 'para 5', 'paragraphs 3 and 4', 'paras 3-4'; '5th paragraph'; 'the fifth paragraph'; and the
# commentary's ends, which students name rather than number.
_AFTER = re.compile(rf"\b{_WORD}\s+{_NUMBER}(?:\s*(?:-|and|to|&)\s*{_NUMBER})?\b")
# Normalising turns '3-4' into '3 4', so after a plural a bare space makes a range too.
_RANGE = re.compile(rf"\b(?:paragraphs|paras|pars|pgs)\s+{_NUMBER}\s+{_NUMBER}\b")
_BEFORE = re.compile(rf"\b{_NUMBER}\s+{_WORD}\b")
_ORDINAL = re.compile(rf"\b(?:the\s+)?({'|'.join(_ORDINALS)})\s+{_WORD}\b")
_ENDS = re.compile(
    rf"\b(?:the\s+)?(last|final|closing|concluding|opening|intro|introductory)\s+{_WORD}\b"
)
_CLOSING = ("last", "final", "closing", "concluding")
# Words that, beside a bare reference, ask what the paragraph says.
_SUMMARY_WORDS = frozenset(
    content_tokens(
        "say says said summarise summarize summary sum up gist cover covers about discuss "
        "discusses argue argues main point points idea mean means talk talks explain describe "
        "describes tell me what is going on happening basically conclude concludes conclusion "
        "tldr tl dr overview content contents"
    )
)


@dataclass(frozen=True)
class Reference:
    paragraphs: tuple[int, ...]
    rest: str  # the question with the reference taken out

    @property
    def asks_for_summary(self) -> bool:
        """Whether nothing but the reference is asked: 'what does para 5 say?'"""
        return all(t in _SUMMARY_WORDS for t in content_tokens(self.rest))


def mark_pilcrows(text: str) -> str:
    """'¶7' and '¶¶3-4' as words, before normalising drops the pilcrow."""

    def spell(m: re.Match[str]) -> str:
        return f" paragraph {m.group(1)}" + (f" and {m.group(2)} " if m.group(2) else " ")

    return _PILCROWS.sub(spell, text)


def find_reference(cleaned: str, last: int) -> Reference | None:
    """The paragraphs a normalised question points at; `last` is the closing paragraph."""
    numbers: list[int] = []
    rest = cleaned

    def take(pattern: re.Pattern[str], read: Callable[[re.Match[str]], list[int]]) -> None:
        nonlocal rest
        for m in pattern.finditer(rest):
            numbers.extend(read(m))
        rest = pattern.sub(" ", rest)

    take(_RANGE, lambda m: _span(m.group(1), m.group(2)))
    take(_AFTER, lambda m: _span(m.group(1), m.group(2)))
    take(_BEFORE, lambda m: [int(m.group(1))])
    take(_ORDINAL, lambda m: [_ORDINALS[m.group(1)]])
    take(_ENDS, lambda m: [last if m.group(1) in _CLOSING else 1])
    if not numbers:
        return None
    return Reference(tuple(dict.fromkeys(numbers)), " ".join(rest.split()))


def _span(first: str, second: str | None) -> list[int]:
    """'3-5' is 3, 4 and 5; a wide or backward pair ('3 and 17') is just the two."""
    start = int(first)
    end = int(second) if second else start
    if end < start or end - start > 5:
        return [start, end] if second else [start]
    return list(range(start, end + 1))
