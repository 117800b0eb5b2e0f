"""Prometheus metrics, fed by the core's telemetry events.

Names follow Prometheus conventions (`_total` is added to counters by the client library).
"""

from __future__ import annotations

import threading

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

from bot.core import telemetry
from bot.core.telemetry import Event, QuestionEvent, ReloadEvent, RoundEvent

QUESTIONS = Counter(
    "studybot_questions",
    "Questions handled, by platform and outcome (answered, ambiguous, no_match, error).",
    ["platform", "status"],
)
LATENCY = Histogram(
    "studybot_question_latency_seconds",
    "Time from question to reply inside the bot, by platform.",
    ["platform"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
RELOADS = Counter(
    "studybot_knowledge_reloads",
    "Knowledge reloads, by result (ok, failed).",
    ["result"],
)
RELOAD_FAILURES = Counter(
    "studybot_knowledge_reload_failures",
    "Knowledge reloads that failed; the bot kept serving the previous pack.",
)
QUIZ_ROUNDS = Counter(
    "studybot_quiz_rounds",
    "Quiz rounds closed, by platform and outcome (won, expired, stopped).",
    ["platform", "outcome"],
)

_installed = False
_lock = threading.Lock()


def observe(event: Event) -> None:
    if isinstance(event, QuestionEvent):
        QUESTIONS.labels(event.platform, event.status).inc()
        LATENCY.labels(event.platform).observe(event.latency)
    elif isinstance(event, ReloadEvent):
        RELOADS.labels("ok" if event.ok else "failed").inc()
        if not event.ok:
            RELOAD_FAILURES.inc()
    elif isinstance(event, RoundEvent):
        QUIZ_ROUNDS.labels(event.platform, event.outcome).inc()


def install() -> None:
    """Start counting (once per process, however often it is called)."""
    global _installed
    with _lock:
        if not _installed:
            telemetry.subscribe(observe)
            _installed = True


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
