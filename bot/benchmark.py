"""Speed and memory figures, printed rather than asserted: load time, latency per question, and
how matching scales with a pack far larger than the shipped one."""

from __future__ import annotations

import os
import random
import statistics
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from bot.core.knowledge import Entry, KnowledgeBase, NotCovered, load_knowledge
from bot.core.matching import Matcher
from bot.core.service import StudyService
from bot.evaluation import DEFAULT_SETS, HOLDOUT_SET, INDEPENDENT_SETS, load_set


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    return (
        f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {at(0.95):.2f} ms, "
        f"p99 {at(0.99):.2f} ms, max {ordered[-1] * 1000:.2f} ms"
    )


def _rss_bytes() -> int:
    """Resident set size from /proc (Linux); 0 elsewhere, where the figure is left out."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _questions() -> list[str]:
    questions: list[str] = []
    for path in (*DEFAULT_SETS, HOLDOUT_SET, *INDEPENDENT_SETS):
        if path.is_file():
            cases, off = load_set(path)
            questions.extend(c.question for c in cases)
            questions.extend(off)
    return questions or ["why did russia stop selling arms to china", "what is the capital of peru"]


def synthetic_pack(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """`size` entries made by shuffling the real pack's words, so postings look realistic, with
    not-covered questions in the shipped pack's proportion to entries."""
    rng = random.Random(seed)
    words = sorted({w for e in kb.entries for p in e.phrasings for w in p.lower().split()})
    base = list(kb.entries)
    entries: list[Entry] = []

    def sentence(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    for i in range(size):
        template = base[i % len(base)]
        entries.append(
            replace(
                template,
                id=f"synthetic-{i}",
                question=sentence(rng.randint(5, 12)),
                alternates=tuple(sentence(rng.randint(3, 10)) for _ in range(3)),
                answer=sentence(rng.randint(15, 30)),
            )
        )
    share = len(kb.not_covered) / max(len(kb.entries), 1)
    source = base[0].source if base else ""
    not_covered = tuple(
        NotCovered(sentence(rng.randint(5, 12)), source, base[i % len(base)].paragraphs)
        for i in range(round(size * share))
    )
    return KnowledgeBase(
        sources=kb.sources,
        entries=tuple(entries),
        synonyms=kb.synonyms,
        not_covered=not_covered,
        by_id={e.id: e for e in entries},
    )


def run_benchmark(knowledge_dir: Path, scales: tuple[int, ...] = (1_000, 10_000, 100_000)) -> str:
    lines: list[str] = []
    started = time.perf_counter()
    service = StudyService(knowledge_dir)
    load_s = time.perf_counter() - started
    kb = service.kb
    lines.append(f"knowledge: {len(kb.entries)} entries from {len(kb.files)} files")
    lines.append(f"load + index build: {load_s * 1000:.1f} ms")

    questions = _questions()
    for q in questions[:20]:
        service.ask(q)  # warm caches before timing
    samples = []
    for q in questions:
        t0 = time.perf_counter()
        service.ask(q)
        samples.append(time.perf_counter() - t0)
    lines.append(f"ask() over {len(questions)} questions: {_percentiles(samples)}")

    tracemalloc.start()
    load_knowledge(knowledge_dir)
    Matcher(kb, service.settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    lines.append(f"peak Python memory to load and index the pack: {peak / 1e6:.1f} MB")

    for size in scales:
        big = synthetic_pack(kb, size)
        # Resident memory rather than tracemalloc here: tracing every allocation of a
        # 100,000-entry build would slow it several times over and distort the timing.
        before = _rss_bytes()
        t0 = time.perf_counter()
        matcher = Matcher(big, service.settings)
        build = time.perf_counter() - t0
        grown = _rss_bytes() - before
        timings = []
        for q in questions[:200]:
            t0 = time.perf_counter()
            matcher.match(q)
            timings.append(time.perf_counter() - t0)
        lines.append(
            f"synthetic {size:>7,} entries ({size * 4:,} phrasings, "
            f"{len(big.not_covered):,} not covered): index {build:.2f} s, "
            f"+{grown / 1e6:.0f} MB resident; match {_percentiles(timings)}"
        )
    return "\n".join(lines)
