"""What happened, told once: each question handled and each reload, as a log line and an event.

`StudyService` reports here, so every platform's questions are logged and counted by the same
code. Listeners (the Prometheus metrics) subscribe; the core itself depends on none of them.
The question's text is left out of the log unless an operator opts in (`LOG_QUESTIONS=1`):
students' words are theirs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.replies import Reply

log = logging.getLogger("bot.questions")
reload_log = logging.getLogger("bot.knowledge")

ERROR = "error"


@dataclass(frozen=True)
class QuestionEvent:
    platform: str
    status: str  # a Status value, or "error"
    kind: str | None
    entry_id: str | None
    score: float | None
    latency: float  # seconds
    question: str

    @property
    def latency_ms(self) -> float:
        return round(self.latency * 1000, 2)


@dataclass(frozen=True)
class ReloadEvent:
    ok: bool
    entries: int
    problems: int


@dataclass(frozen=True)
class RoundEvent:
    platform: str
    outcome: str  # a RoundStatus value: won, expired or stopped


Event = QuestionEvent | ReloadEvent | RoundEvent
Listener = Callable[[Event], None]

_lock = threading.Lock()
_listeners: list[Listener] = []
_log_questions = False


def configure(*, log_questions: bool) -> None:
    global _log_questions
    _log_questions = log_questions


def subscribe(listener: Listener) -> Callable[[], None]:
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def _publish(event: Event) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            # Telemetry must never cost a student their answer.
            log.exception("a telemetry listener failed")


def question_handled(platform: str, reply: Reply, latency: float) -> QuestionEvent:
    event = QuestionEvent(
        platform=platform,
        status=reply.status.value,
        kind=reply.kind.value,
        entry_id=reply.entry_id,
        score=round(reply.score, 1),
        latency=latency,
        question=reply.question,
    )
    fields: dict[str, Any] = {
        "platform": event.platform,
        "status": event.status,
        "kind": event.kind,
        "entry_id": event.entry_id,
        "score": event.score,
        "latency_ms": event.latency_ms,
    }
    text = (
        f"question platform={event.platform} status={event.status} kind={event.kind} "
        f"entry={event.entry_id or '-'} score={_score(event.score)} "
        f"latency_ms={event.latency_ms}"
    )
    if _log_questions:
        fields["question"] = event.question
        text += f" question={event.question!r}"
    log.info(text, extra={"event": "question", "fields": fields})
    _publish(event)
    return event


def question_failed(platform: str, question: str, latency: float) -> QuestionEvent:
    """Called from an `except` block: the log line carries the traceback."""
    event = QuestionEvent(platform, ERROR, None, None, None, latency, question)
    fields: dict[str, Any] = {
        "platform": platform,
        "status": ERROR,
        "latency_ms": event.latency_ms,
    }
    if _log_questions:
        fields["question"] = question
    log.exception(
        "question failed platform=%s latency_ms=%s",
        platform,
        event.latency_ms,
        extra={"event": "question", "fields": fields},
    )
    _publish(event)
    return event


def round_closed(platform: str, outcome: str) -> RoundEvent:
    event = RoundEvent(platform, outcome)
    log.debug(
        "quiz round closed platform=%s outcome=%s",
        platform,
        outcome,
        extra={"event": "quiz_round", "fields": {"platform": platform, "outcome": outcome}},
    )
    _publish(event)
    return event


def reload_finished(ok: bool, entries: int, problems: int) -> ReloadEvent:
    event = ReloadEvent(ok, entries, problems)
    fields = {"ok": ok, "entries": entries, "problems": problems}
    if ok:
        reload_log.info(
            "knowledge reloaded entries=%d", entries, extra={"event": "reload", "fields": fields}
        )
    else:
        reload_log.warning(
            "knowledge reload failed problems=%d; still serving the previous %d entries",
            problems,
            entries,
            extra={"event": "reload", "fields": fields},
        )
    _publish(event)
    return event


def _score(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"
