from __future__ import annotations

import pytest
from bot.core.matching import Matcher, MatchSettings
from bot.core.replies import Status
from bot.core.service import StudyService

from tests.conftest import MINI_PACK, REPO

SLACK_PACK = REPO / "tests" / "data" / "packs" / "slack"


def test_typos_and_synonyms_still_find_the_entry(mini: StudyService) -> None:
    for question in ["when did the weapn sales stopp", "WEAPONS sales ended which year?"]:
        reply = mini.ask(question)
        assert reply.status is Status.ANSWERED and reply.entry_id == "arms-halt", question


def test_four_letter_words_are_corrected_only_for_a_dropped_letter(mini: StudyService) -> None:
    matcher = mini.matcher
    assert "sale" in matcher.prepare("weapon sals").tokens  # 'sales' with a letter lost
    # Swapping or changing a letter of a short word too often makes another real word.
    assert "slae" in matcher.prepare("weapon slae").unknown


def test_a_tie_between_passages_asks_which_one() -> None:
    service = StudyService(SLACK_PACK)
    reply = service.ask("pipeline")
    assert reply.status is Status.AMBIGUOUS
    assert {s.entry_id for s in reply.suggestions} == {"pipeline-route", "pipeline-price"}


def test_thresholds_are_settings() -> None:
    strict = StudyService(MINI_PACK, MatchSettings(answer_threshold=101.0, threshold_step=0.0))
    assert strict.ask("when did weapon sales stop").status is not Status.ANSWERED
    # The bar falls with each content word past two, so the same strict start still lets a
    # three-word question through once the step is large enough.
    stepped = StudyService(MINI_PACK, MatchSettings(answer_threshold=101.0, threshold_step=10.0))
    assert stepped.ask("when did weapon sales stop").status is Status.ANSWERED
    assert stepped.ask("weapon sales").status is not Status.ANSWERED
    lenient = StudyService(MINI_PACK, MatchSettings(answer_threshold=0.0, min_coverage=0.0))
    assert lenient.ask("when did weapon sales stop").status is Status.ANSWERED


def test_unknown_words_count_against_an_answer(mini: StudyService) -> None:
    ranked = mini.matcher.rank(mini.matcher.prepare("weapon sales in the zanzibar archipelago"))
    assert ranked[0].entry.id == "arms-halt"
    assert ranked[0].coverage < 0.7
    assert mini.ask("weapon sales in the zanzibar archipelago").status is not Status.ANSWERED


def test_index_is_built_once(mini: StudyService, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    original = Matcher.__init__

    def counting(self: Matcher, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Matcher, "__init__", counting)
    for question in ["who wrote it", "what do they trade", "weapons?", "oil"]:
        mini.ask(question)
    assert built == []
    mini.reload()
    assert len(built) == 1
