"""Accuracy on paraphrased student questions, and how often off-topic questions get answered.

An in-scope question counts as correct only when the bot answers (not 'did you mean'), cites one
of the expected paragraphs, and its answer states every expected fact; so a right-paragraph answer
with the wrong figure is a miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.replies import Reply, Status
from bot.core.service import StudyService

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = (REPO_ROOT / "tests" / "data" / "eval.yaml",)
HOLDOUT_SET = REPO_ROOT / "tests" / "data" / "holdout.yaml"
# Written from the commentary alone, by writers who never saw the knowledge pack: the closest
# stand-in for questions from real students, so each is reported on its own.
INDEPENDENT_SETS = tuple(
    # Named a to z, then aa, ab, ...: shorter names first keeps that order.
    sorted(
        (REPO_ROOT / "tests" / "data").glob("independent-*.yaml"),
        key=lambda path: (len(path.stem), path.stem),
    )
)


class EvalSetError(Exception):
    pass


@dataclass(frozen=True)
class Case:
    question: str
    paragraphs: tuple[int, ...]
    facts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Outcome:
    question: str
    status: str
    entry_id: str | None
    paragraphs: tuple[int, ...]
    score: float
    reason: str


@dataclass
class EvalReport:
    in_scope: int = 0
    correct: int = 0
    off_topic: int = 0
    false_answers: int = 0
    misses: list[Outcome] = field(default_factory=list)
    false_answered: list[Outcome] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.in_scope if self.in_scope else 0.0

    @property
    def false_answer_rate(self) -> float:
        return self.false_answers / self.off_topic if self.off_topic else 0.0


def load_set(path: Path) -> tuple[list[Case], list[str]]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalSetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise EvalSetError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: expected a mapping with in_scope and off_topic")
    cases = []
    for i, item in enumerate(data.get("in_scope") or []):
        try:
            facts = tuple(
                tuple(a.strip().lower() for a in str(f).split("|")) for f in item["facts"]
            )
            cases.append(Case(str(item["q"]), tuple(int(p) for p in item["paragraphs"]), facts))
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalSetError(f"{path}: in_scope item {i} is malformed ({exc})") from None
    off = [str(q["q"]) if isinstance(q, dict) else str(q) for q in (data.get("off_topic") or [])]
    return cases, off


def judge(case: Case, reply: Reply) -> str:
    """'' when the reply is right, else why it is not."""
    if reply.status is not Status.ANSWERED:
        return reply.status.value
    cited = reply.citation.paragraphs if reply.citation else ()
    if not set(cited) & set(case.paragraphs):
        return f"cited {list(cited)}, expected {list(case.paragraphs)}"
    answer = (reply.answer or "").lower()
    for alternatives in case.facts:
        if not any(a in answer for a in alternatives):
            return f"answer lacks {'|'.join(alternatives)!r}"
    return ""


def _outcome(question: str, reply: Reply, reason: str) -> Outcome:
    paragraphs = reply.citation.paragraphs if reply.citation else ()
    return Outcome(question, reply.status.value, reply.entry_id, paragraphs, reply.score, reason)


def evaluate(service: StudyService, paths: tuple[Path, ...] = DEFAULT_SETS) -> EvalReport:
    report = EvalReport()
    for path in paths:
        cases, off_topic = load_set(path)
        for case in cases:
            reply = service.ask(case.question)
            report.in_scope += 1
            report.statuses[reply.status.value] = report.statuses.get(reply.status.value, 0) + 1
            reason = judge(case, reply)
            if reason:
                report.misses.append(_outcome(case.question, reply, reason))
            else:
                report.correct += 1
        for question in off_topic:
            reply = service.ask(question)
            report.off_topic += 1
            if reply.status is Status.ANSWERED:
                report.false_answers += 1
                report.false_answered.append(_outcome(question, reply, "answered off-topic"))
    return report


def format_report(report: EvalReport, label: str, show_misses: bool = True) -> str:
    lines = [
        f"== {label}",
        f"in-scope accuracy:        {report.correct}/{report.in_scope} = {report.accuracy:.1%}",
        f"off-topic false answers:  {report.false_answers}/{report.off_topic} "
        f"= {report.false_answer_rate:.1%}",
        "in-scope statuses:        "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())),
    ]
    if show_misses:
        if report.misses:
            lines.append("misses:")
            lines.extend(
                f"  [{m.status} {m.score:.0f} {m.entry_id or '-'}] {m.question!r}: {m.reason}"
                for m in report.misses
            )
        if report.false_answered:
            lines.append("off-topic questions answered:")
            lines.extend(
                f"  [{m.score:.0f} {m.entry_id}] {m.question!r}" for m in report.false_answered
            )
    return "\n".join(lines)
