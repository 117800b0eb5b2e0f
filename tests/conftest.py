from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from bot.core.replies import Status
from bot.core.service import StudyService

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
MINI_PACK = REPO / "tests" / "data" / "packs" / "mini"
SOURCE_TEXTS = REPO.parent / "shared" / "sources"
# Asked of the mini pack with `mini_pack_with_not_covered`, this gets 'not covered', though the
# pack alone answers it from its trade entry.
NOT_COVERED_QUESTION = "who buys oil"


def answered(service: StudyService, questions: Iterable[str]) -> list[str]:
    """The questions the service answers outright, for tests that expect none of them to be."""
    return [q for q in questions if service.ask(q).status is Status.ANSWERED]


def mini_pack_with_not_covered(folder: Path) -> Path:
    """A copy of the mini pack, in `folder`, that also lists a question it does not answer."""
    pack = folder / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "not-covered.yaml").write_text(
        "kind: not_covered\nsource: mini\nquestions:\n"
        "  - {q: who buys the most oil from them, near: [1]}\n"
    )
    return pack


@pytest.fixture(scope="session")
def shipped() -> StudyService:
    return StudyService(KNOWLEDGE)


@pytest.fixture
def mini() -> StudyService:
    return StudyService(MINI_PACK)
