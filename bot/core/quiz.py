"""Quizzes in a channel: rounds drawn from the knowledge, free-text answers graded, scores kept.

The engine is platform-neutral and keeps no state of its own: every change goes through the
store in one transaction, so a restarted process (or another process on the same database)
picks up where the last one stopped. Adapters own the clock that closes rounds: after posting a
round they arm a timer for `RoundView.seconds_left()` and call `expire_round` when it fires.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from rapidfuzz.distance import OSA

from bot.core import telemetry
from bot.core.knowledge import Entry
from bot.core.service import StudyService, topic_name
from bot.core.store import (
    Advance,
    ChannelRef,
    PlannedRound,
    QuizAlreadyRunning,
    QuizRecord,
    QuizStatus,
    RoundRecord,
    RoundStatus,
    ScoreRow,
    Store,
)
from bot.core.text import fold, strip_markup

DEFAULT_ROUND_SECONDS = 30
DEFAULT_ROUNDS = 5
MAX_ROUNDS = 20
MAX_ANSWER_CHARS = 200

# -- grading ---------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_SCALES = {
    "thousand": 10**3, "k": 10**3,
    "million": 10**6, "millions": 10**6, "m": 10**6, "mn": 10**6, "mln": 10**6,
    "billion": 10**9, "billions": 10**9, "bn": 10**9, "b": 10**9, "bln": 10**9,
    "trillion": 10**12, "trillions": 10**12, "tn": 10**12, "trn": 10**12,
}  # fmt: skip
# Words that qualify an answer without changing it: articles, "in 2006", units and currencies.
_IGNORED = frozenset(
    "a an the of in on at and year years about around approximately roughly some nearly almost "
    "percent usd dollar dollars eur euro euros".split()
)
_FILLER_PREFIXES = tuple(
    tuple(p.split())
    for p in (
        "i think it is",
        "i think it was",
        "i think",
        "the answer is",
        "answer",
        "it is",
        "it was",
        "is it",
        "maybe",
        "probably",
    )
)

_CONTRACTED_IS = re.compile(r"\b(it|that|he|she|there)['’`]s\b")
_APOSTROPHE_S = re.compile(r"(\w)['’`]s\b")
_APOSTROPHE = re.compile(r"['’`]")
_CURRENCY = re.compile(r"\bus\$|[$€£¥]")
_PER_CENT = re.compile(r"%|\bper\s*cent\b|\bpct\b")
_THOUSANDS_SEP = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_ORDINAL_SUFFIX = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_NON_WORD = re.compile(r"[^\w.]+|_")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


@dataclass(frozen=True)
class Number:
    """A number as said: "66 billion" is base 66 with scale 10^9 (`scaled`); "66" is not."""

    base: Decimal
    scale: int = 1
    scaled: bool = False

    @property
    def value(self) -> Decimal:
        return self.base * self.scale

    def matches(self, other: Number) -> bool:
        if self.value == other.value:
            return True
        # "66" answers "$66 billion": the scale is the unit, left out; "66 million" does not.
        return self.scaled != other.scaled and self.base == other.base


@dataclass(frozen=True)
class Analysed:
    words: tuple[str, ...]
    numbers: tuple[Number, ...]
    all_words: tuple[str, ...]  # before dropping the ignorable ones


def _tokens(text: str) -> list[str]:
    text = fold(strip_markup(text))
    text = _CONTRACTED_IS.sub(r"\1 is", text)
    text = _APOSTROPHE_S.sub(r"\1", text)
    text = _APOSTROPHE.sub("", text)
    text = _CURRENCY.sub(" ", text)
    text = _PER_CENT.sub(" percent ", text)
    text = _THOUSANDS_SEP.sub("", text)
    text = _ORDINAL_SUFFIX.sub(r"\1", text)
    text = _DIGIT_LETTER.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    text = _STRAY_DOT.sub(" ", text)
    return text.split()


def _small(tokens: list[str], j: int) -> tuple[int, int] | None:
    """A number from 0 to 99 said in words at tokens[j] ("seven", "twenty one", "fourth")."""
    word = tokens[j]
    if word in _ORDINALS:
        return _ORDINALS[word], j + 1
    if word in _UNITS and word != "oh":
        return _UNITS[word], j + 1
    if word not in _TENS:
        return None
    value, j = _TENS[word], j + 1
    if j < len(tokens):
        unit = _UNITS.get(tokens[j], _ORDINALS.get(tokens[j], 0))
        if 0 < unit < 10 and tokens[j] != "oh":
            value, j = value + unit, j + 1
    return value, j


def _word_number(tokens: list[str], i: int) -> tuple[int, int] | None:
    """A number spelled in words starting at tokens[i]: (value, tokens used), or None."""
    first = _small(tokens, i)
    if first is None:
        return None
    current, j = first
    n = len(tokens)
    if 10 <= current <= 99 and j < n:
        # A year said in pairs: "nineteen ninety", "twenty seventeen", "twenty oh six".
        if tokens[j] == "oh" and j + 1 < n and 0 < _UNITS.get(tokens[j + 1], 0) < 10:
            return current * 100 + _UNITS[tokens[j + 1]], j + 2 - i
        pair = _small(tokens, j)
        if pair is not None and 10 <= pair[0] <= 99:
            return current * 100 + pair[0], pair[1] - i
    total = 0
    while j < n:
        word = tokens[j]
        if word == "hundred" and current < 100:
            current, j = max(current, 1) * 100, j + 1
            k = j + 1 if j < n and tokens[j] == "and" else j
            part = _small(tokens, k) if k < n else None
            if part is not None:
                current, j = current + part[0], part[1]
        elif word == "thousand" and not total and current < 1000:
            k = j + 2 if j + 1 < n and tokens[j + 1] == "and" else j + 1
            part = _small(tokens, k) if k < n else None
            if part is None:
                break  # "two thousand" at the end: the scale handles it
            total, current, j = current * 1000, part[0], part[1]
        else:
            break
    return total + current, j - i


def analyse(text: str) -> Analysed:
    return _analyse(_tokens(text))


def _analyse(tokens: list[str]) -> Analysed:
    words: list[str] = []
    numbers: list[Number] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        base: Decimal | None = None
        used = 1
        if token[0].isdigit() or (token[0] == "." and token[1:2].isdigit()):
            try:
                base = Decimal(token)
            except InvalidOperation:
                base = None
        else:
            spelled = _word_number(tokens, i)
            if spelled is not None:
                base, used = Decimal(spelled[0]), spelled[1]
        if base is None:
            words.append(token)
            i += 1
            continue
        i += used
        if i < len(tokens) and tokens[i] in _SCALES:
            numbers.append(Number(base, _SCALES[tokens[i]], True))
            i += 1
        else:
            numbers.append(Number(base))
    kept = tuple(w for w in words if w not in _IGNORED)
    return Analysed(kept, tuple(numbers), tuple(words))


def _strip_fillers(tokens: list[str]) -> list[str]:
    """Drop "the answer is", "I think it was" and the like from the front of an answer."""
    changed = True
    while changed:
        changed = False
        for prefix in _FILLER_PREFIXES:
            if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
                tokens = tokens[len(prefix) :]
                changed = True
                break
    return tokens


def _typos_allowed(word: str) -> int:
    """Short words must be exact ("Xi" is not "Lo"); longer ones may have a slip or two."""
    n = len(word)
    if n <= 3:
        return 0
    if n <= 6:
        return 1
    if n <= 11:
        return 2
    return 3


def _words_match(given: Sequence[str], wanted: Sequence[str]) -> bool:
    if "".join(given) == "".join(wanted):
        return True
    if len(given) != len(wanted):
        return False
    for left, right in ((given, wanted), (sorted(given), sorted(wanted))):
        if all(
            OSA.distance(g, w, score_cutoff=_typos_allowed(w)) <= _typos_allowed(w)
            for g, w in zip(left, right, strict=True)
        ):
            return True
    return False


def _numbers_match(given: Sequence[Number], wanted: Sequence[Number]) -> bool:
    if len(given) != len(wanted):
        return False
    left = list(given)
    for number in wanted:
        hit = next((g for g in left if g.matches(number)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def grade(answer: str, accept: Sequence[str]) -> str | None:
    """The accepted answer `answer` counts as, or None.

    Case, accents and punctuation never matter; words may carry small typos (fewer the shorter
    the word); numbers must be equal as numbers: "$66 billion", "66bn" and "66" agree, "eight"
    is 8, "12%" is "12 percent", but "2006" is never "2016".
    """
    given = _analyse(_strip_fillers(_tokens(answer[:MAX_ANSWER_CHARS])))
    if not given.all_words and not given.numbers:
        return None
    for option in accept:
        wanted = analyse(option)
        if not wanted.words and not wanted.numbers:
            # The whole answer is a word we usually ignore ("US"): then it is what counts.
            if wanted.all_words and _words_match(given.all_words, wanted.all_words):
                return option
            continue
        if _numbers_match(given.numbers, wanted.numbers) and _words_match(
            given.words, wanted.words
        ):
            return option
    return None


# -- what adapters show ----------------------------------------------------------------------


class Scope(StrEnum):
    CHANNEL = "channel"
    WORKSPACE = "workspace"


class Period(StrEnum):
    ALL_TIME = "all_time"
    WEEK = "week"  # since Monday 00:00 UTC


@dataclass(frozen=True)
class RoundView:
    """A question being asked."""

    quiz_id: int
    number: int
    total: int
    prompt: str
    deadline: datetime
    round_seconds: int
    entry_id: str = ""

    def seconds_left(self, now: datetime) -> float:
        return max(0.0, (self.deadline - now).total_seconds())

    def text(self) -> str:
        return (
            f"Question {self.number} of {self.total}: {self.prompt}\n"
            f"First correct answer in {self.round_seconds} seconds scores."
        )


@dataclass(frozen=True)
class Standing:
    user_id: str
    user_name: str | None
    points: int

    @property
    def label(self) -> str:
        return self.user_name or self.user_id


@dataclass(frozen=True)
class QuizSummary:
    quiz_id: int
    ref: ChannelRef
    status: QuizStatus
    rounds_played: int
    rounds_total: int
    standings: tuple[Standing, ...]

    def text(self) -> str:
        head = {
            QuizStatus.FINISHED: "The quiz is over!",
            QuizStatus.STOPPED: "The quiz was stopped.",
            QuizStatus.ABANDONED: "The quiz was closed after the bot restarted.",
            QuizStatus.RUNNING: "The quiz is still running.",
        }[self.status]
        if not self.standings:
            return f"{head} Nobody scored this time."
        lines = [f"{head} Final scores:"]
        lines.extend(
            f"{i}. {s.label}: {s.points} point{'s' if s.points != 1 else ''}"
            for i, s in enumerate(self.standings, 1)
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class RoundResult:
    """A round that just closed, and what comes next: another round, or the final scores."""

    quiz_id: int
    number: int
    total: int
    status: RoundStatus
    winner_id: str | None
    winner_answer: str | None
    reveal: str  # the answer, the entry's explanation and its citation line
    next_round: RoundView | None
    summary: QuizSummary | None  # set when the quiz ended with this round

    def headline(self, winner_label: str | None = None) -> str:
        """`winner_label` is the adapter's way of naming the winner (a mention, say)."""
        if self.status is RoundStatus.WON:
            return f"{winner_label or self.winner_id} got it!"
        if self.status is RoundStatus.EXPIRED:
            return "Time's up! Nobody got that one."
        return "Round stopped."

    def text(self, winner_label: str | None = None) -> str:
        return f"{self.headline(winner_label)}\n{self.reveal}"


class StartRefusal(StrEnum):
    QUIZZES_OFF = "quizzes_off"
    ALREADY_RUNNING = "already_running"
    NO_QUESTIONS = "no_questions"


@dataclass(frozen=True)
class StartResult:
    round: RoundView | None
    refusal: StartRefusal | None = None
    message: str = ""  # why it was refused, or a note for the channel (fewer rounds than asked)
    running: QuizRecord | None = None  # the quiz already running, when that is the refusal

    @property
    def ok(self) -> bool:
        return self.round is not None


class AnswerKind(StrEnum):
    NO_QUIZ = "no_quiz"  # nothing running here: an ordinary message
    WRONG = "wrong"
    CORRECT = "correct"  # this answer scored; `result` says what comes next
    TOO_LATE = "too_late"  # right, but someone was first or the time was up
    EXPIRED = "expired"  # the time was up: `result` closes the round (post it like a timeout)


@dataclass(frozen=True)
class AnswerResult:
    kind: AnswerKind
    result: RoundResult | None = None


class StopRefusal(StrEnum):
    NO_QUIZ = "no_quiz"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class StopResult:
    summary: QuizSummary | None
    stopped_round: RoundResult | None = None
    refusal: StopRefusal | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.summary is not None


@dataclass(frozen=True)
class Leaderboard:
    scope: Scope
    period: Period
    since: datetime | None
    rows: tuple[Standing, ...]

    def title(self) -> str:
        where = "this channel" if self.scope is Scope.CHANNEL else "this server"
        when = "this week" if self.period is Period.WEEK else "all time"
        return f"Quiz leaderboard, {where}, {when}"

    def text(self) -> str:
        if not self.rows:
            return f"{self.title()}: no scores yet."
        lines = [f"{self.title()}:"]
        lines.extend(f"{i}. {row.label}: {row.points}" for i, row in enumerate(self.rows, 1))
        return "\n".join(lines)


class RecoveryAction(StrEnum):
    RESUMED = "resumed"  # the round is still open: re-arm its timer for `round.seconds_left()`
    ADVANCED = "advanced"  # its time ran out while down: post `closed`, then its next round
    ABANDONED = "abandoned"  # idle too long: post `summary`


@dataclass(frozen=True)
class Recovery:
    ref: ChannelRef
    quiz_id: int
    action: RecoveryAction
    round: RoundView | None = None
    closed: RoundResult | None = None
    summary: QuizSummary | None = None


def week_start(now: datetime) -> datetime:
    monday = now - timedelta(days=now.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def _topic_key(text: str) -> str:
    return "-".join(fold(text).replace("_", " ").replace("-", " ").split())


class QuizEngine:
    def __init__(
        self,
        store: Store,
        service: StudyService,
        *,
        round_seconds: int = DEFAULT_ROUND_SECONDS,
        default_rounds: int = DEFAULT_ROUNDS,
        max_rounds: int = MAX_ROUNDS,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.service = service
        self.round_seconds = round_seconds
        self.default_rounds = default_rounds
        self.max_rounds = max_rounds
        self._rng = rng or random.Random()

    # -- starting --------------------------------------------------------------------------

    def quiz_entries(self, topic: str | None = None) -> list[Entry]:
        entries = [e for e in self.service.kb.entries if e.quiz is not None]
        if topic:
            key = _topic_key(topic)
            entries = [
                e for e in entries if key in (_topic_key(e.topic), _topic_key(topic_name(e.topic)))
            ]
        return entries

    def quiz_topics(self) -> dict[str, int]:
        """Topic tags that have quiz questions, with how many."""
        return dict(sorted(Counter(e.topic for e in self.quiz_entries()).items()))

    def _plan(self, entry: Entry) -> PlannedRound:
        assert entry.quiz is not None
        citation = self.service.citation_for(entry)
        reveal = f"Answer: {entry.quiz.accept[0]}\n{entry.answer}\n{citation.line()}"
        return PlannedRound(entry.id, entry.quiz.prompt, entry.quiz.accept, reveal)

    async def start(
        self,
        ref: ChannelRef,
        user_id: str,
        *,
        topic: str | None = None,
        rounds: int | None = None,
    ) -> StartResult:
        settings = await self.store.settings.get(ref)
        if not settings.quizzes_on:
            return StartResult(
                None, StartRefusal.QUIZZES_OFF, "Quizzes are turned off in this channel."
            )
        running = await self.store.quizzes.running(ref)
        if running is not None:
            return await self._already_running(running)
        pool = self.quiz_entries(topic)
        if not pool:
            names = ", ".join(topic_name(t) for t in self.quiz_topics()) or "none"
            what = f"on '{topic}'" if topic else "in my notes"
            return StartResult(
                None,
                StartRefusal.NO_QUESTIONS,
                f"I have no quiz questions {what}. Topics with quizzes: {names}.",
            )
        wanted = self.default_rounds if rounds is None else rounds
        wanted = max(1, min(wanted, self.max_rounds))
        count = min(wanted, len(pool))
        note = ""
        if count < wanted:
            note = f"I only have {count} quiz question{'s' if count != 1 else ''} for that, "
            note += f"so this quiz has {count} round{'s' if count != 1 else ''}."
        drawn = self._rng.sample(pool, count)
        try:
            quiz, first = await self.store.quizzes.create(
                ref,
                user_id,
                [self._plan(e) for e in drawn],
                round_seconds=self.round_seconds,
                topic=topic,
            )
        except QuizAlreadyRunning as exc:
            return await self._already_running(exc.quiz)
        return StartResult(self._view(quiz, first), message=note)

    async def _already_running(self, quiz: QuizRecord) -> StartResult:
        current = await self.store.quizzes.open_round(quiz.id)
        where = f" (question {current.number} of {quiz.rounds_total})" if current else ""
        return StartResult(
            None,
            StartRefusal.ALREADY_RUNNING,
            f"A quiz is already running in this channel{where}. Join in, or ask whoever "
            "started it or a moderator to stop it first.",
            running=quiz,
        )

    # -- playing ---------------------------------------------------------------------------

    async def answer(
        self, ref: ChannelRef, user_id: str, text: str, *, user_name: str | None = None
    ) -> AnswerResult:
        """Grade a message posted in a channel; only the first correct answer per round scores."""
        quiz = await self.store.quizzes.running(ref)
        if quiz is None:
            return AnswerResult(AnswerKind.NO_QUIZ)
        current = await self.store.quizzes.open_round(quiz.id)
        if current is None:
            return AnswerResult(AnswerKind.NO_QUIZ)
        if current.deadline is None or current.deadline <= self.store.now():
            closed = await self.expire_round(quiz.id, current.number)
            return AnswerResult(AnswerKind.EXPIRED, closed)
        if grade(text, current.accept) is None:
            return AnswerResult(AnswerKind.WRONG)
        advance = await self.store.quizzes.award(
            current.id, user_id, text.strip(), user_name=user_name
        )
        if advance is None:
            return AnswerResult(AnswerKind.TOO_LATE)
        return AnswerResult(AnswerKind.CORRECT, await self._result(advance))

    async def expire_round(self, quiz_id: int, number: int) -> RoundResult | None:
        """The adapter's timer for round `number` fired. None if that round is already closed
        (won, stopped, or expired by an earlier call), so a late timer does nothing."""
        advance = await self.store.quizzes.close_round(quiz_id, number, RoundStatus.EXPIRED)
        return await self._result(advance) if advance is not None else None

    async def stop(
        self, ref: ChannelRef, user_id: str, *, is_moderator: bool = False
    ) -> StopResult:
        quiz = await self.store.quizzes.running(ref)
        if quiz is None:
            return StopResult(None, refusal=StopRefusal.NO_QUIZ, message="No quiz is running here.")
        if user_id != quiz.started_by and not is_moderator:
            return StopResult(
                None,
                refusal=StopRefusal.NOT_ALLOWED,
                message="Only whoever started this quiz or a moderator can stop it.",
            )
        ended = await self.store.quizzes.end(quiz.id, QuizStatus.STOPPED)
        if ended is None:
            return StopResult(None, refusal=StopRefusal.NO_QUIZ, message="The quiz already ended.")
        quiz, stopped = ended
        summary = await self._summary(quiz)
        stopped_result = None
        if stopped is not None:
            telemetry.round_closed(quiz.ref.platform, stopped.status.value)
            stopped_result = RoundResult(
                quiz.id,
                stopped.number,
                quiz.rounds_total,
                stopped.status,
                None,
                None,
                stopped.reveal,
                None,
                summary,
            )
        return StopResult(summary, stopped_result)

    async def current(self, ref: ChannelRef) -> RoundView | None:
        quiz = await self.store.quizzes.running(ref)
        if quiz is None:
            return None
        current = await self.store.quizzes.open_round(quiz.id)
        return self._view(quiz, current) if current is not None else None

    # -- restarts --------------------------------------------------------------------------

    async def recover(
        self,
        *,
        platform: str | None = None,
        max_idle: timedelta = timedelta(minutes=30),
        owns: Callable[[ChannelRef], bool] | None = None,
    ) -> list[Recovery]:
        """Pick up the quizzes that were running when the process stopped (call at start-up).

        A round still within its time resumes; one whose time ran out while the bot was down
        closes unscored and the next one opens; a quiz idle longer than `max_idle` is closed,
        keeping its scores. `owns` restricts this to the channels this process serves (a shard).
        """
        out: list[Recovery] = []
        for quiz in await self.store.quizzes.all_running(platform):
            if owns is not None and not owns(quiz.ref):
                continue
            now = self.store.now()
            current = await self.store.quizzes.open_round(quiz.id)
            if current is None:
                reopened = await self.store.quizzes.reopen(quiz.id)
                if reopened is not None:
                    out.append(
                        Recovery(
                            quiz.ref,
                            quiz.id,
                            RecoveryAction.RESUMED,
                            round=self._view(quiz, reopened),
                        )
                    )
                continue
            deadline = current.deadline or now
            if now - deadline > max_idle:
                ended = await self.store.quizzes.end(quiz.id, QuizStatus.ABANDONED)
                if ended is not None:
                    summary = await self._summary(ended[0])
                    out.append(
                        Recovery(quiz.ref, quiz.id, RecoveryAction.ABANDONED, summary=summary)
                    )
            elif deadline > now:
                out.append(
                    Recovery(
                        quiz.ref, quiz.id, RecoveryAction.RESUMED, round=self._view(quiz, current)
                    )
                )
            else:
                closed = await self.expire_round(quiz.id, current.number)
                if closed is not None:
                    out.append(
                        Recovery(
                            quiz.ref,
                            quiz.id,
                            RecoveryAction.ADVANCED,
                            round=closed.next_round,
                            closed=closed,
                            summary=closed.summary,
                        )
                    )
        return out

    # -- leaderboards ----------------------------------------------------------------------

    async def leaderboard(
        self,
        ref: ChannelRef,
        *,
        scope: Scope = Scope.CHANNEL,
        period: Period = Period.ALL_TIME,
        limit: int = 10,
    ) -> Leaderboard:
        since = week_start(self.store.now()) if period is Period.WEEK else None
        rows = await self.store.quizzes.leaderboard(
            ref.platform,
            ref.workspace_id,
            channel_id=ref.channel_id if scope is Scope.CHANNEL else None,
            since=since,
            limit=limit,
        )
        return Leaderboard(scope, period, since, tuple(_standing(r) for r in rows))

    async def leaderboards(self, ref: ChannelRef, limit: int = 10) -> list[Leaderboard]:
        """All four boards for `/quiz leaderboard`: channel and server, all time and this week."""
        return [
            await self.leaderboard(ref, scope=scope, period=period, limit=limit)
            for scope in (Scope.CHANNEL, Scope.WORKSPACE)
            for period in (Period.ALL_TIME, Period.WEEK)
        ]

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _view(quiz: QuizRecord, current: RoundRecord) -> RoundView:
        assert current.deadline is not None
        return RoundView(
            quiz.id,
            current.number,
            quiz.rounds_total,
            current.prompt,
            current.deadline,
            quiz.round_seconds,
            current.entry_id,
        )

    async def _summary(self, quiz: QuizRecord) -> QuizSummary:
        rounds = await self.store.quizzes.rounds(quiz.id)
        played = sum(1 for r in rounds if r.status in (RoundStatus.WON, RoundStatus.EXPIRED))
        standings = await self.store.quizzes.standings(quiz.id)
        return QuizSummary(
            quiz.id,
            quiz.ref,
            quiz.status,
            played,
            quiz.rounds_total,
            tuple(_standing(s) for s in standings),
        )

    async def _result(self, advance: Advance) -> RoundResult:
        quiz, closed = advance.quiz, advance.closed
        telemetry.round_closed(quiz.ref.platform, closed.status.value)
        next_view = self._view(quiz, advance.next_round) if advance.next_round else None
        summary = None
        if quiz.status is not QuizStatus.RUNNING:
            summary = await self._summary(quiz)
        return RoundResult(
            quiz.id,
            closed.number,
            quiz.rounds_total,
            closed.status,
            closed.winner_id,
            closed.winner_answer,
            closed.reveal,
            next_view,
            summary,
        )


def _standing(row: ScoreRow) -> Standing:
    return Standing(row.user_id, row.user_name, row.points)
