"""The one entry point adapters call: a question in, a Reply out.

The service owns the loaded knowledge and its matcher as one immutable pair, swapped whole on
reload, so a question never sees half of an old pack and half of a new one, and a broken file
leaves the last good pack serving.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.core import telemetry
from bot.core.knowledge import (
    Entry,
    KnowledgeBase,
    KnowledgeError,
    NotCovered,
    Problem,
    Source,
    load_knowledge,
)
from bot.core.matching import Candidate, Matcher, MatchResult, MatchSettings
from bot.core.references import find_reference, mark_pilcrows
from bot.core.replies import PILCROW, Citation, Kind, Reply, Status, Suggestion
from bot.core.smalltalk import small_talk_reply, strip_lead_in
from bot.core.text import clean

# A question mark followed by more text ends one question and starts another.
_QUESTION_END = re.compile(r"\?+(?=\s+\S)")
MAX_QUESTION_CHARS = 2000
# Sentence ends, and the colon or dash after a lead-in ('For my slides: ...', '... - which ...').
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=\S)|\s+[-\u2013\u2014]+\s+")
_ASKS = re.compile(
    r"\?\s*$|^\W*(?:what|whats|what's|why|how|who|whos|who's|when|where|which|whose|is|are|was|"
    r"were|does|do|did|can|could|would|will|should)\b",
    re.IGNORECASE,
)
# Words that point back to an earlier question in the same message.
_POINTS_BACK = re.compile(
    r"\b(?:it|its|he|his|him|she|her|they|them|their|this|that|these|those)\b"
)
# The fewest words a part needs to be read as a question on its own.
PART_WORDS = 4
SUGGESTION_SPREAD = 15.0
DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


@dataclass(frozen=True)
class TopicSummary:
    tag: str
    name: str
    count: int
    samples: tuple[str, ...]


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    entries: int
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class _Loaded:
    kb: KnowledgeBase
    matcher: Matcher


def topic_name(tag: str) -> str:
    words = tag.replace("_", "-").split("-")
    special = {"and": "and", "of": "of", "the": "the"}
    out = [special.get(w, w.capitalize()) for w in words if w]
    if out:
        out[0] = out[0].capitalize()
    return " ".join(out)


class StudyService:
    def __init__(
        self,
        knowledge_dir: Path | str = DEFAULT_KNOWLEDGE_DIR,
        settings: MatchSettings | None = None,
    ) -> None:
        self.knowledge_dir = Path(knowledge_dir)
        self.settings = settings or MatchSettings()
        self._lock = threading.Lock()
        self._loaded = self._load()

    def _load(self) -> _Loaded:
        kb = load_knowledge(self.knowledge_dir)
        return _Loaded(kb, Matcher(kb, self.settings))

    @property
    def kb(self) -> KnowledgeBase:
        return self._loaded.kb

    @property
    def matcher(self) -> Matcher:
        return self._loaded.matcher

    def reload(self) -> ReloadResult:
        """Load the folder again; on any problem keep serving what was loaded before."""
        with self._lock:
            try:
                loaded = self._load()
            except KnowledgeError as exc:
                result = ReloadResult(False, len(self._loaded.kb.entries), tuple(exc.problems))
            else:
                self._loaded = loaded
                result = ReloadResult(True, len(loaded.kb.entries))
        telemetry.reload_finished(result.ok, result.entries, len(result.problems))
        return result

    # -- questions -------------------------------------------------------------------------

    def ask(self, text: str, *, platform: str | None = None) -> Reply:
        """The reply to one question; with `platform`, also logged and counted as handled there."""
        if platform is None:
            return self._ask(text)
        started = time.perf_counter()
        try:
            reply = self._ask(text)
        except Exception:
            telemetry.question_failed(platform, text.strip(), time.perf_counter() - started)
            raise
        telemetry.question_handled(platform, reply, time.perf_counter() - started)
        return reply

    def _ask(self, text: str) -> Reply:
        question = text.strip()
        if len(text) > MAX_QUESTION_CHARS:
            return Reply(
                Status.NO_MATCH,
                Kind.TOO_LONG,
                question[:200],
                message=(
                    f"That message is {len(text):,} characters long; I can take questions of up "
                    f"to {MAX_QUESTION_CHARS:,}. Please ask one short question at a time."
                ),
            )
        cleaned = clean(mark_pilcrows(question))
        if not cleaned:
            return Reply(Status.NO_MATCH, Kind.HELP, question, message=self.help_text())
        chat = small_talk_reply(cleaned)
        if chat is not None:
            src = self.default_source()
            message = chat.format(
                author=src.author, title=src.title, outlet=src.outlet, year=src.year
            )
            return Reply(Status.NO_MATCH, Kind.SMALL_TALK, question, message=message)
        core = strip_lead_in(cleaned)
        if not core:
            return Reply(Status.NO_MATCH, Kind.HELP, question, message=self.help_text())
        loaded = self._loaded
        source = self.default_source(loaded.kb)
        reference = find_reference(core, max(source.paragraphs))
        if reference is not None and reference.asks_for_summary:
            return self._summaries(source, reference.paragraphs, question)
        if reference is not None:
            result = loaded.matcher.match(reference.rest, within=reference.paragraphs)
        else:
            result = loaded.matcher.match(core)
            if result.status != "answered":
                result = self._one_of_several(loaded.matcher, question, result)
        best = result.best
        if result.status == "answered" and best is not None:
            return self._answer(loaded.kb, best.entry, question, best.score)
        # Only for a question near something the commentary covers: 'who won the 2018 world
        # cup' is better told what the bot knows than when the commentary was written.
        if (
            best is not None
            and best.score >= self.settings.suggest_threshold
            and loaded.matcher.after_source(best.entry.source, result.query)
        ):
            return self._after_source(
                loaded.kb.sources[best.entry.source], question, result.candidates
            )
        if result.status == "not_covered" and result.not_covered is not None:
            return self._not_covered(loaded.kb, result.not_covered, question, result.candidates)
        if result.status == "ambiguous" and best is not None:
            suggestions = self._suggestions(result.candidates)
            return Reply(
                Status.AMBIGUOUS,
                Kind.SUGGESTIONS,
                question,
                score=best.score,
                suggestions=suggestions,
                message="I'm not sure I understood. Did you mean:",
            )
        return Reply(
            Status.NO_MATCH,
            Kind.UNKNOWN,
            question,
            score=best.score if best else 0.0,
            message=self._unknown_text(loaded.kb),
        )

    @staticmethod
    def _one_of_several(matcher: Matcher, question: str, whole: MatchResult) -> MatchResult:
        """Two questions in one message ('Why is Russia wary of globalization? What does it
        fear becoming?') read as one blur two facts; when the whole finds no answer, the part
        that does, if any, is answered."""
        parts = [p for p in _QUESTION_END.split(question) if p.strip()]
        # 'I'm writing my essay on the EEU. What does the author think of it?': a message that
        # sets the scene before asking is read by its question, and the scene is not answered.
        sentences = [s for s in _SENTENCE_END.split(question) if s.strip()]
        if len(sentences) > len(parts):
            parts = [s for s in sentences if _ASKS.search(s)]
        if len(parts) < 2 and len(sentences) < 2:
            return whole
        # A part that points back ('how does it work') or says little ('what's the
        # comparison') has lost its subject to the part before it: it is not read alone.
        readable = [
            cleaned
            for cleaned in (strip_lead_in(clean(p)) for p in parts)
            if not _POINTS_BACK.search(cleaned) and len(cleaned.split()) >= PART_WORDS
        ]
        answered = [
            r for r in map(matcher.match, readable) if r.status == "answered" and r.best is not None
        ]
        if not answered:
            return whole
        return max(answered, key=lambda r: r.best.score if r.best else 0.0)

    def answer_entry(self, entry_id: str, question: str | None = None) -> Reply:
        """The answer for a known entry, e.g. after a 'did you mean' click."""
        loaded = self._loaded
        entry = loaded.kb.entry(entry_id)
        if entry is None:
            return Reply(
                Status.NO_MATCH,
                Kind.UNKNOWN,
                question or entry_id,
                message="That question is no longer in my notes. Type /topics to see what I know.",
            )
        return self._answer(loaded.kb, entry, question or entry.question, 100.0)

    def citation_for(self, entry: Entry, kb: KnowledgeBase | None = None) -> Citation:
        source = (kb or self.kb).sources[entry.source]
        return self._citation(source, entry.paragraphs, entry.anchor)

    @staticmethod
    def _citation(source: Source, paragraphs: tuple[int, ...], anchor: str | None) -> Citation:
        return Citation(
            source=source.id,
            title=source.title,
            author=source.author,
            outlet=source.outlet,
            year=source.year,
            paragraphs=paragraphs,
            anchor=anchor,
        )

    def _answer(self, kb: KnowledgeBase, entry: Entry, question: str, score: float) -> Reply:
        return Reply(
            Status.ANSWERED,
            Kind.ANSWER,
            question,
            entry_id=entry.id,
            answer=entry.answer,
            score=score,
            citation=self.citation_for(entry, kb),
            topic=entry.topic,
        )

    def _not_covered(
        self,
        kb: KnowledgeBase,
        item: NotCovered,
        question: str,
        candidates: tuple[Candidate, ...],
    ) -> Reply:
        lines = ["The commentary doesn't answer that, as far as my notes go."]
        closest = candidates[0].entry if candidates else None
        if closest is not None and set(closest.paragraphs) & set(item.near):
            # The entry that nearly answered sits in the passage the curators named: its answer
            # is the most the commentary says on the question, and more use than a summary.
            cited = ", ".join(f"{PILCROW}{p}" for p in closest.paragraphs)
            lines.append(f"The closest it comes ({cited}): {closest.answer}")
            candidates = candidates[1:]
        else:
            near = ", ".join(f"{PILCROW}{p}" for p in item.near)
            summary = kb.sources[item.source].paragraphs.get(item.near[0], "")
            lines.append(f"It comes closest in {near}: {summary}")
        return self._beyond_notes(question, lines, candidates)

    def _after_source(
        self, source: Source, question: str, candidates: tuple[Candidate, ...]
    ) -> Reply:
        line = (
            f"{source.author}'s commentary dates from {source.year}, so it can't say what "
            "happened after that."
        )
        return self._beyond_notes(question, [line], candidates)

    def _beyond_notes(
        self, question: str, lines: list[str], candidates: tuple[Candidate, ...]
    ) -> Reply:
        """A question the commentary does not answer: why, then what it can answer nearby."""
        suggestions = self._suggestions(candidates)
        if suggestions:
            lines.append("Nearby questions I can answer:")
        return Reply(
            Status.NO_MATCH,
            Kind.NOT_COVERED,
            question,
            score=candidates[0].score if candidates else 0.0,
            suggestions=suggestions,
            message="\n".join(lines),
        )

    def _suggestions(self, candidates: tuple[Candidate, ...]) -> tuple[Suggestion, ...]:
        # Runners-up far behind the best guess are noise, not alternatives worth a button.
        best = candidates[0].score if candidates else 0.0
        floor = max(self.settings.suggest_threshold * 0.75, best - SUGGESTION_SPREAD)
        picked = [c for c in candidates if c.score >= floor][: self.settings.max_suggestions]
        return tuple(Suggestion(c.entry.id, c.entry.question, c.score) for c in picked)

    def _unknown_text(self, kb: KnowledgeBase) -> str:
        names = [topic_name(t) for t in kb.topics()]
        shown = ", ".join(names[:5]) + (" and more" if len(names) > 5 else "")
        return (
            "I don't know that one: it isn't something my notes on the commentary cover. "
            f"I can answer questions on {shown}; type /topics for sample questions."
        )

    # -- browsing --------------------------------------------------------------------------

    def topics(self, samples: int = 3) -> list[TopicSummary]:
        out = []
        for tag, entries in self.kb.topics().items():
            out.append(
                TopicSummary(
                    tag, topic_name(tag), len(entries), tuple(e.question for e in entries[:samples])
                )
            )
        return out

    def topics_text(self, samples: int = 2) -> str:
        lines = ["Topics I can answer (with sample questions):"]
        for topic in self.topics(samples):
            lines.append(f"• {topic.name} ({topic.count})")
            lines.extend(f"    - {q}" for q in topic.samples)
        return "\n".join(lines)

    def default_source(self, kb: KnowledgeBase | None = None) -> Source:
        return min((kb or self.kb).sources.values(), key=lambda s: s.id)

    def paragraph(self, number: int, source_id: str | None = None) -> Reply:
        """The curated one-line summary of one paragraph, with its citation."""
        kb = self.kb
        source = kb.sources.get(source_id) if source_id else self.default_source()
        question = f"/source {number}"
        if source is None:
            return Reply(Status.NO_MATCH, Kind.HELP, question, message=f"No source '{source_id}'.")
        return self._summaries(source, (number,), question)

    def _summaries(self, source: Source, numbers: tuple[int, ...], question: str) -> Reply:
        """The curated summary of each paragraph asked about ('/source 5', 'what does para 5
        say'), or which paragraphs there are when one does not exist."""
        missing = [n for n in numbers if n not in source.paragraphs]
        if missing:
            first, last = min(source.paragraphs), max(source.paragraphs)
            return Reply(
                Status.NO_MATCH,
                Kind.HELP,
                question,
                message=(
                    f"There is no {PILCROW}{missing[0]}: the commentary runs from "
                    f"{PILCROW}{first} (front matter) to {PILCROW}{last}."
                ),
            )
        return Reply(
            Status.ANSWERED,
            Kind.SOURCE,
            question,
            answer="\n".join(f"{PILCROW}{n}: {source.paragraphs[n]}" for n in numbers),
            score=100.0,
            citation=self._citation(source, numbers, None),
        )

    def help_text(self) -> str:
        source = self.default_source()
        return (
            f'I answer questions about {source.author}\'s commentary "{source.title}" '
            f"({source.outlet}, {source.year}), citing the paragraph each answer comes from.\n"
            'Just ask in your own words, e.g. "Why did Russia stop selling arms to China?", '
            'or point at a paragraph: "in para 5, who copied whose weapons?"\n'
            "Commands: /topics (what I can answer), /source N (what paragraph N says), /help."
        )

    def autocomplete(self, text: str, limit: int = 25) -> list[Suggestion]:
        """Known questions that fit what the user has typed so far."""
        loaded = self._loaded
        if not clean(text):
            return [Suggestion(e.id, e.question, 0.0) for e in loaded.kb.entries[:limit]]
        return [
            Suggestion(c.entry.id, c.entry.question, c.score)
            for c in loaded.matcher.suggest(text, limit)
        ]
