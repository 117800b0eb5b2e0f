"""The knowledge pack: sources, Q&A entries and synonyms, loaded from a folder of YAML files.

Loading is strict and total: every problem is collected with its file, line and entry id, and a
pack with any error is refused as a whole, so a half-loaded pack never reaches users.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_ANCHOR_WORDS = 12
MIN_ALTERNATES = 3
KINDS = ("source", "qa", "synonyms", "not_covered")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    author: str
    affiliation: str
    outlet: str
    publisher: str
    year: int
    paragraphs: Mapping[int, str]
    file: str = ""

    def label(self) -> str:
        """The citation line's prefix: author, quoted title, outlet, year."""
        return f'{self.author}, "{self.title}", {self.outlet}, {self.year}'


@dataclass(frozen=True)
class Quiz:
    prompt: str
    accept: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    id: str
    source: str
    topic: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    paragraphs: tuple[int, ...]
    anchor: str | None = None
    keywords: tuple[str, ...] = ()
    quiz: Quiz | None = None
    file: str = ""
    line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class NotCovered:
    """A question that sounds as if the commentary answers it but does not ('who runs
    Novatek'); the bot says so instead of answering with the nearest fact."""

    question: str
    source: str
    near: tuple[int, ...]
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class KnowledgeBase:
    sources: Mapping[str, Source]
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    not_covered: tuple[NotCovered, ...] = ()
    files: tuple[str, ...] = ()
    by_id: Mapping[str, Entry] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry | None:
        return self.by_id.get(entry_id)

    def topics(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.topic, []).append(entry)
        return grouped


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the pack, located well enough for a curator to fix it."""

    file: str
    line: int
    message: str
    entry_id: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" [{self.entry_id}]" if self.entry_id else ""
        return f"{where}:{who} {self.severity}: {self.message}"


class KnowledgeError(Exception):
    """The pack cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:20]]
        if len(problems) > 20:
            lines.append(f"... and {len(problems) - 20} more")
        super().__init__("\n".join(lines))


class _Node(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on and each key's line."""

    line: int = 0
    key_lines: dict[str, int]


# libyaml's parser when it is there: several times faster on large packs, same marks and errors.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_of(node: object, key: str | None = None) -> int:
    if isinstance(node, _Node):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return 0


def iter_knowledge_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    files = [p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(files)


def read_yaml(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    """Parse one file; a syntax error becomes a Problem with the line YAML reports."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [Problem(shown, 0, f"cannot read the file: {exc.strerror or exc}")]
    try:
        return yaml.load(text, Loader=_LineLoader), []  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        reason = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        return None, [Problem(shown, line, f"invalid YAML: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 0, f"invalid YAML: {exc}")]


class _Collector:
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def error(
        self, node: object, message: str, key: str | None = None, entry: str | None = None
    ) -> None:
        self.problems.append(Problem(self.shown, _line_of(node, key), message, entry))

    def unknown_fields(self, node: _Node, known: set[str], entry: str | None = None) -> None:
        for key in node:
            if key not in known:
                self.error(node, f"unknown field '{key}'", str(key), entry)

    def text(self, node: _Node, key: str, entry: str | None = None, required: bool = True) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node, f"missing required field '{key}'", entry=entry)
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(node, f"'{key}' must be text", key, entry)
            return ""
        text = " ".join(str(value).split())
        if required and not text:
            self.error(node, f"'{key}' is empty", key, entry)
        return text

    def text_list(self, node: _Node, key: str, entry: str | None = None) -> tuple[str, ...]:
        value = node.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(node, f"'{key}' must be a list", key, entry)
            return ()
        out: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(node, f"every item of '{key}' must be text", key, entry)
                continue
            text = " ".join(str(item).split())
            if text:
                out.append(text)
        return tuple(out)


def _parse_source(doc: _Node, col: _Collector) -> Source | None:
    before = len(col.problems)
    sid = col.text(doc, "id")
    fields = {k: col.text(doc, k) for k in ("title", "author", "outlet")}
    affiliation = col.text(doc, "affiliation", required=False)
    publisher = col.text(doc, "publisher", required=False)
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        col.error(doc, "'year' must be a whole number", "year")
        year = 0
    raw = doc.get("paragraphs")
    paragraphs: dict[int, str] = {}
    if not isinstance(raw, dict) or not raw:
        col.error(
            doc, "'paragraphs' must map paragraph numbers to one-line summaries", "paragraphs"
        )
    else:
        for key, value in raw.items():
            if not isinstance(key, int) or isinstance(key, bool) or key < 0:
                col.error(raw, f"paragraph key {key!r} must be a number 0 or above", str(key))
                continue
            if not isinstance(value, str) or not value.strip():
                col.error(raw, f"paragraph {key} needs a summary", str(key))
                continue
            paragraphs[key] = " ".join(value.split())
    if len(col.problems) > before:
        return None
    return Source(
        id=sid,
        title=fields["title"],
        author=fields["author"],
        affiliation=affiliation,
        outlet=fields["outlet"],
        publisher=publisher,
        year=year,
        paragraphs=dict(sorted(paragraphs.items())),
        file=col.shown,
    )


def _parse_entry(node: object, default_source: str, col: _Collector) -> Entry | None:
    if not isinstance(node, _Node):
        col.error(node, "each entry must be a mapping with id, question, answer, ...")
        return None
    before = len(col.problems)
    eid = col.text(node, "id")
    label = eid or None
    known = {
        "id",
        "source",
        "topic",
        "question",
        "alternates",
        "keywords",
        "answer",
        "citation",
        "quiz",
    }
    col.unknown_fields(node, known, label)
    source = col.text(node, "source", label, required=False) or default_source
    if not source:
        col.error(node, "no 'source' on the entry or the file", entry=label)
    topic = col.text(node, "topic", label)
    question = col.text(node, "question", label)
    answer = col.text(node, "answer", label)
    if "alternates" not in node:
        col.error(node, "missing required field 'alternates'", entry=label)
    alternates = col.text_list(node, "alternates", label)
    keywords = col.text_list(node, "keywords", label)
    paragraphs: tuple[int, ...] = ()
    anchor: str | None = None
    citation = node.get("citation")
    if not isinstance(citation, _Node):
        col.error(node, "missing 'citation' with 'paragraphs'", "citation", label)
    else:
        paragraphs = _paragraph_list(citation, "paragraphs", col, label)
        anchor = col.text(citation, "anchor", label, required=False) or None
    quiz: Quiz | None = None
    raw_quiz = node.get("quiz")
    if raw_quiz is not None:
        if not isinstance(raw_quiz, _Node):
            col.error(node, "'quiz' must be a mapping with 'prompt' and 'accept'", "quiz", label)
        else:
            prompt = col.text(raw_quiz, "prompt", label)
            accept = col.text_list(raw_quiz, "accept", label)
            if not accept:
                col.error(raw_quiz, "'accept' needs at least one answer", "accept", label)
            quiz = Quiz(prompt, accept)
    if len(col.problems) > before:
        return None
    return Entry(
        id=eid,
        source=source,
        topic=topic,
        question=question,
        alternates=alternates,
        answer=answer,
        paragraphs=paragraphs,
        anchor=anchor,
        keywords=keywords,
        quiz=quiz,
        file=col.shown,
        line=_line_of(node),
    )


def _paragraph_list(node: _Node, key: str, col: _Collector, entry: str | None) -> tuple[int, ...]:
    raw = node.get(key)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in raw)
    ):
        col.error(node, f"'{key}' must be a list of paragraph numbers", key, entry)
        return ()
    return tuple(raw)


def _parse_not_covered(doc: _Node, col: _Collector) -> list[NotCovered]:
    default_source = col.text(doc, "source", required=False)
    items = doc.get("questions")
    if not isinstance(items, list):
        col.error(doc, "'questions' must be a list of items with 'q' and 'near'", "questions")
        return []
    out: list[NotCovered] = []
    for item in items:
        if not isinstance(item, _Node):
            col.error(item, "each item must be a mapping with 'q' and 'near'")
            continue
        before = len(col.problems)
        col.unknown_fields(item, {"q", "near", "source"})
        question = col.text(item, "q")
        source = col.text(item, "source", required=False) or default_source
        if not source:
            col.error(item, "no 'source' on the item or the file")
        near = _paragraph_list(item, "near", col, None)
        if len(col.problems) == before:
            out.append(NotCovered(question, source, near, col.shown, _line_of(item)))
    return out


def _parse_synonyms(doc: _Node, col: _Collector) -> list[tuple[str, ...]]:
    groups = doc.get("groups")
    if not isinstance(groups, list):
        col.error(doc, "'groups' must be a list of lists of terms", "groups")
        return []
    out: list[tuple[str, ...]] = []
    for group in groups:
        if not isinstance(group, list) or len(group) < 2:
            col.error(doc, f"synonym group {group!r} must list at least two terms", "groups")
            continue
        terms = tuple(" ".join(str(t).split()).lower() for t in group if str(t).strip())
        out.append(terms)
    return out


def _display_path(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _source_problem(
    kb_sources: Mapping[str, Source],
    source_id: str,
    paragraphs: tuple[int, ...],
    where: tuple[str, int],
    entry_id: str | None = None,
    naming: str = "cites",
) -> Problem | None:
    """An unknown source, or paragraphs the source does not have."""
    source = kb_sources.get(source_id)
    if source is None:
        return Problem(*where, f"unknown source '{source_id}'", entry_id)
    missing = [p for p in paragraphs if p not in source.paragraphs]
    if missing:
        return Problem(
            *where,
            f"{naming} paragraph(s) {missing} that source '{source.id}' does not have",
            entry_id,
        )
    return None


def _validate_not_covered(
    kb_sources: Mapping[str, Source], items: Iterable[NotCovered]
) -> list[Problem]:
    found = (
        _source_problem(kb_sources, n.source, n.near, (n.file, n.line), naming="'near' names")
        for n in items
    )
    return [p for p in found if p is not None]


def _validate(kb_sources: Mapping[str, Source], entries: Iterable[Entry]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"duplicate id (first defined at {first.file}:{first.line})",
                    entry.id,
                )
            )
        else:
            seen[entry.id] = entry
        if len(entry.alternates) < MIN_ALTERNATES:
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"only {len(entry.alternates)} alternates; at least {MIN_ALTERNATES} needed",
                    entry.id,
                )
            )
        problem = _source_problem(
            kb_sources, entry.source, entry.paragraphs, (entry.file, entry.line), entry.id
        )
        if problem is not None:
            problems.append(problem)
        if entry.anchor is not None and len(entry.anchor.split()) > MAX_ANCHOR_WORDS:
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    f"anchor has {len(entry.anchor.split())} words; at most {MAX_ANCHOR_WORDS}",
                    entry.id,
                )
            )
    return problems


def load_knowledge(folder: Path | str) -> KnowledgeBase:
    """Load and validate every YAML file under `folder`; KnowledgeError lists all problems."""
    root = Path(folder)
    if not root.exists():
        raise KnowledgeError([Problem(str(root), 0, "no such file or folder")])
    files = iter_knowledge_files(root)
    if not files:
        raise KnowledgeError([Problem(str(root), 0, "no .yaml files found")])
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    entries: list[Entry] = []
    synonyms: list[tuple[str, ...]] = []
    not_covered: list[NotCovered] = []
    for path in files:
        shown = _display_path(path, root)
        doc, errs = read_yaml(path, shown)
        problems.extend(errs)
        if errs:
            continue
        col = _Collector(shown)
        if not isinstance(doc, _Node):
            col.error(doc, "the file must be a mapping with a 'kind' key")
            problems.extend(col.problems)
            continue
        kind = doc.get("kind")
        if kind not in KINDS:
            col.error(doc, f"'kind' must be one of {', '.join(KINDS)} (got {kind!r})", "kind")
        elif kind == "source":
            src = _parse_source(doc, col)
            if src is not None:
                if src.id in sources:
                    col.error(doc, f"source id '{src.id}' is defined twice", "id")
                sources[src.id] = src
        elif kind == "qa":
            default_source = col.text(doc, "source", required=False)
            raw_entries = doc.get("entries")
            if not isinstance(raw_entries, list):
                col.error(doc, "'entries' must be a list of entries", "entries")
            else:
                for raw in raw_entries:
                    entry = _parse_entry(raw, default_source, col)
                    if entry is not None:
                        entries.append(entry)
        elif kind == "not_covered":
            not_covered.extend(_parse_not_covered(doc, col))
        else:
            synonyms.extend(_parse_synonyms(doc, col))
        problems.extend(col.problems)
    if not problems and not entries:
        problems.append(Problem(str(root), 0, "the pack has no Q&A entries"))
    problems.extend(_validate(sources, entries))
    problems.extend(_validate_not_covered(sources, not_covered))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        sources=sources,
        entries=tuple(entries),
        synonyms=tuple(synonyms),
        not_covered=tuple(not_covered),
        files=tuple(str(f) for f in files),
        by_id={e.id: e for e in entries},
    )
