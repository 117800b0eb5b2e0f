from __future__ import annotations

from pathlib import Path

import pytest
from bot.core.service import StudyService

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
MINI_PACK = REPO / "tests" / "data" / "packs" / "mini"
SOURCE_TEXTS = REPO.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def shipped() -> StudyService:
    return StudyService(KNOWLEDGE)


@pytest.fixture
def mini() -> StudyService:
    return StudyService(MINI_PACK)
