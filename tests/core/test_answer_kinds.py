from __future__ import annotations

import pytest
from bot.core.answer_kinds import (
    Kind,
    asked_kind,
    asks_for_name,
    asks_what_happened_later,
    counted_words,
    kinds_in,
    latest_year,
    names_in,
    spelled_out,
    spells_out,
)
from bot.core.replies import Status
from bot.core.service import StudyService
from bot.core.text import clean

from tests.conftest import answered


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long is the China-Russia border?", Kind.MEASURE),
        ("how deep is lake baikal", Kind.DISTANCE),
        ("how wide is russia's broad gauge", Kind.DISTANCE),
        ("what's the range of the S-400?", Kind.DISTANCE),
        ("what range did the july 4 missile have", Kind.DISTANCE),
        ("what is the length of the border between them", Kind.DISTANCE),
        ("what is the exact track width of the broad gauge", Kind.DISTANCE),
        ("what was the designation of the missile", Kind.NAME),
        ("what range of issues do they agree on", None),
        ("how long do trains wait at the border", Kind.DURATION),
        ("how long is the china russia border", Kind.MEASURE),
        ("how long has russia's economy been stagnant", Kind.DURATION),
        ("how long ago did the arms sales stop", Kind.TIME),
        ("how many chinese ships went to the baltic", Kind.AMOUNT),
        ("how many millimetres wide is the russian gauge", Kind.DISTANCE),
        ("how many km of pipeline did they build", Kind.DISTANCE),
        ("how many days do trains wait at the border", Kind.DURATION),
        ("in what month was thaad deployed", Kind.MONTH),
        ("which month did putin praise the ties", Kind.MONTH),
        ("what exact date did the us deploy thaad", Kind.MONTH),
        ("which day did the drills start", Kind.MONTH),
        ("How much did China lend for the pipeline?", Kind.AMOUNT),
        ("what year did trade peak", Kind.YEAR),
        ("which yr did the pipeline open", Kind.YEAR),
        ("When did Russia annex Crimea?", Kind.TIME),
        ("since when have chinese banks kept away", Kind.TIME),
        ("what was the missile called", Kind.NAME),
        ("name the two big chinese energy investments", Kind.NAME),
        ("what was the title of the study", Kind.NAME),
        ("which polling firm ran the survey", Kind.NAME),
        ("what think tank does trenin head", Kind.NAME),
        ("which chinese bank lent the money", Kind.NAME),
        ("which country overtook saudi arabia", None),
        ("why did russia halt arms sales", None),
        ("who wrote this", None),
        ("what happened when putin went to beijing", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_for(question: str, kind: Kind | None) -> None:
    assert asked_kind(clean(question)) is kind


@pytest.mark.parametrize(
    ("answer", "kinds"),
    [
        ("In 2006 Moscow suspended all arms sales.", {Kind.YEAR, Kind.TIME, Kind.DURATION}),
        ("In April Putin bragged about the ties.", {Kind.TIME, Kind.MONTH}),
        ("Three Chinese ships sailed to the Baltic.", {Kind.AMOUNT}),
        (
            "The border is 4,000 km long.",
            {Kind.AMOUNT, Kind.MEASURE, Kind.DISTANCE, Kind.DURATION},
        ),
        ("Trains lose 1-2 days at the border.", {Kind.AMOUNT, Kind.MEASURE, Kind.DURATION}),
        ("Trade reached $88 billion in 2012.", {Kind.AMOUNT, Kind.YEAR, Kind.TIME, Kind.DURATION}),
        ("Russia and China oppose US-led regime change.", set()),
        # A model number is not a count.
        ("Russia sells China the S-400 and the SU-27.", set()),
        # A year is a date, not a count: 'how many' is not answered by 'in 2006'.
        ("Sales resumed in 2011.", {Kind.YEAR, Kind.TIME, Kind.DURATION}),
        # 'The two' are the two countries, not a figure; 'two' elsewhere still counts.
        ("The two have stepped up military cooperation.", set()),
        ("Putin and Xi met two times that spring.", {Kind.AMOUNT, Kind.TIME}),
        ("The three ships sailed on.", {Kind.AMOUNT}),
    ],
)
def test_the_kinds_of_fact_an_answer_states(answer: str, kinds: set[Kind]) -> None:
    assert kinds_in(answer) == kinds


def test_a_question_for_a_missing_kind_of_fact_is_not_answered(mini: StudyService) -> None:
    # The trade entry fits the words, but its answer holds no date and no count.
    assert mini.ask("what goods do they trade").status is Status.ANSWERED
    for question in ["when did they start trading goods", "how many goods are traded"]:
        reply = mini.ask(question)
        assert reply.status is not Status.ANSWERED, question
        assert "grain-trade" in {s.entry_id for s in reply.suggestions}, question
    assert mini.ask("what year did weapon sales end").entry_id == "arms-halt"


def test_near_misses_about_things_the_commentary_names(shipped: StudyService) -> None:
    # Each of these fits one entry's words closely; none of those answers holds a date.
    assert answered(shipped, ["when was brics founded", "when was wesleyan founded"]) == []
    reply = shipped.ask("how many russians live east of lake baikal")
    assert reply.status is Status.ANSWERED and "6 million" in (reply.answer or "")


def test_a_month_or_a_unit_asked_for_must_be_in_the_answer(shipped: StudyService) -> None:
    # The THAAD answer has a year but no month; the gauge answer has no length.
    questions = [
        "in what month was thaad installed in south korea",
        "how many millimetres wide is the russian railway gauge",
        "what exact date did the us deploy thaad in south korea",
    ]
    assert answered(shipped, questions) == []
    reply = shipped.ask("which month did putin say ties had reached unprecedented heights")
    assert reply.status is Status.ANSWERED and "April" in (reply.answer or "")
    reply = shipped.ask("how many days do trains lose at the border")
    assert reply.status is Status.ANSWERED and "days" in (reply.answer or "")


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("how many sailors took part in the drill", "sailors took"),
        ("how many chinese migrants live in the far east", "chinese migrants"),
        ("how many countries are in the eeu", "countries"),
        # A multiple, people in general, and units (left to the asked kind) name nothing.
        ("how many times bigger is china's economy", ""),
        ("how many people live east of baikal", ""),
        ("how many chinese people like russia", "chinese"),
        ("how many days do trains wait", ""),
        ("how many km is the border", ""),
        ("how much did china lend", ""),
    ],
)
def test_what_how_many_counts(question: str, counted: str) -> None:
    assert counted_words(clean(question)) == counted


def test_a_count_of_something_else_is_not_an_answer(shipped: StudyService) -> None:
    # The Far East answer counts Russians, not Chinese migrants; the flotilla answer counts
    # ships, not sailors. It names Chinese labor too, but not beside its figure.
    questions = [
        "how many chinese migrants live in the russian far east",
        "how many sailors took part in the baltic sea drill",
        "how many chinese live east of lake baikal",
    ]
    assert answered(shipped, questions) == []
    for question, figure in [
        ("how many russians live east of lake baikal", "6 million"),
        ("how many chinese ships sailed to the baltic", "three"),
    ]:
        reply = shipped.ask(question)
        assert reply.status is Status.ANSWERED, question
        assert figure in (reply.answer or "").lower(), question


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("what was trade worth in 2020", 2020),
        ("did they sign an alliance after 2017", 2018),
        ("how did ties change between 2014 and 2016", 2016),
        ("what happened in the 1990s", 1990),
        ("how big is the s-400 deal", None),
    ],
)
def test_the_latest_year_a_question_asks_about(question: str, year: int | None) -> None:
    assert latest_year(clean(question)) == year


def test_the_kind_asked_for_decides_between_equal_fits(shipped: StudyService) -> None:
    # 'published' fits the outlet entry and the year entry equally; only one states a year.
    reply = shipped.ask("when was it published")
    assert reply.status is Status.ANSWERED and "2017" in (reply.answer or "")


def test_names_in_an_answer() -> None:
    answer = (
        "Three Chinese ships sailed to the Baltic Sea. In 2008 Bobo Lo called the partnership "
        'an "axis of convenience".'
    )
    # 'Three' and 'In' are capitalised only because they start a sentence.
    assert names_in(answer) == ["axis of convenience", "Chinese", "Baltic Sea", "Bobo Lo"]


def test_a_question_for_a_name_needs_a_name_it_did_not_give(
    mini: StudyService, shipped: StudyService
) -> None:
    reply = mini.ask("what is the name of the author")
    assert reply.status is Status.ANSWERED and reply.entry_id == "author-name"
    # The launch entry fits every word, but names only what the question already did.
    question = "what was the name of the missile north korea launched on july 4"
    reply = shipped.ask(question)
    assert reply.status is not Status.ANSWERED
    assert "north-korea-july-4-missile-launch" in {s.entry_id for s in reply.suggestions}


def test_a_question_for_an_organisation_needs_an_answer_naming_one(shipped: StudyService) -> None:
    # The survey entry gives figures, not who ran the survey.
    question = "which polling firm ran the 2015 survey of russian and chinese opinion"
    assert shipped.ask(question).status is not Status.ANSWERED
    reply = shipped.ask("which think tank does trenin run")
    assert reply.status is Status.ANSWERED and "Carnegie" in (reply.answer or "")


def test_a_name_the_question_already_gave_is_not_an_answer(shipped: StudyService) -> None:
    # The leverage entry names Kim Jong Un, China and Russia: nothing the question lacks.
    assert shipped.ask("kim jong un sister name").status is not Status.ANSWERED
    reply = shipped.ask("name the two big chinese energy investments in russia")
    assert reply.status is Status.ANSWERED and "Yamal" in (reply.answer or "")


@pytest.mark.parametrize(
    ("question", "abbreviation"),
    [
        ("what does THAAD stand for", "thaad"),
        ("What does the acronym BRICS stand for?", "brics"),
        ("what does the ESPO pipeline's name stand for", "espo"),
        ("OBOR is stand for what", "obor"),
        ("what thaad stand for", "thaad"),
        ("what is obor", None),
    ],
)
def test_what_a_question_asks_to_spell_out(question: str, abbreviation: str | None) -> None:
    assert spelled_out(clean(question)) == abbreviation


def test_an_answer_spells_out_an_abbreviation_by_its_initials() -> None:
    assert spells_out("One Belt One Road (OBOR) is China's program.", "obor")
    assert spells_out("Five countries: Brazil, Russia, India, China and South Africa.", "brics")
    assert spells_out("the East Siberia-Pacific Ocean oil pipeline", "espo")
    assert not spells_out("China's GDP is eight times Russia's.", "gdp")
    # Lower-case words spell it out only beside the abbreviation itself.
    assert spells_out("Yamal makes liquefied natural gas (LNG) in the Arctic.", "lng")
    assert not spells_out("Its exports grew during peak years.", "gdp")


def test_a_question_to_spell_out_needs_an_answer_that_does(shipped: StudyService) -> None:
    assert shipped.ask("what does GDP stand for").status is not Status.ANSWERED
    reply = shipped.ask("what does THAAD stand for")
    assert reply.status is Status.ANSWERED and "Terminal High Altitude" in (reply.answer or "")


def test_a_name_asked_for_besides_a_date_is_needed_too(shipped: StudyService) -> None:
    assert asks_for_name(clean("what were they called and when were they signed"))
    assert not asks_for_name(clean("when were they signed"))
    # The treaties entry gives their century but no names beyond the label the question used.
    question = "what were the unequal treaties called and when were they signed"
    assert shipped.ask(question).status is not Status.ANSWERED
    reply = shipped.ask("what did bobo lo call the relationship and when")
    assert reply.status is Status.ANSWERED
    assert reply.entry_id == "bobo-lo-axis-of-convenience-2008"


def test_the_names_of_things_are_not_what_they_are_called(shipped: StudyService) -> None:
    # The treaties entry calls them the "unequal treaties" but names none of them.
    question = "what were the names of the treaties under which russia took chinese land"
    assert shipped.ask(question).status is not Status.ANSWERED
    reply = shipped.ask("what are the treaties china lost land under called")
    assert reply.status is Status.ANSWERED
    assert reply.entry_id == "unequal-treaties-19th-century"
    reply = shipped.ask("what are the names of the eeu members")
    assert reply.status is Status.ANSWERED and "Kazakhstan" in (reply.answer or "")


def test_a_name_asked_about_in_a_count_has_to_stand_by_the_figure(shipped: StudyService) -> None:
    # The oil entry opens with Saudi Arabia, but its figure is Russia's share.
    question = "what share of china's crude oil came from saudi arabia in 2016"
    assert shipped.ask(question).status is not Status.ANSWERED
    reply = shipped.ask("how much did china lend for the east siberia pacific ocean pipeline")
    assert reply.status is Status.ANSWERED and reply.entry_id == "espo-pipeline-loan"


@pytest.mark.parametrize(
    ("question", "later"),
    [
        ("did the eeu and obor ever merge", True),
        ("did thaad end up staying in south korea", True),
        ("did the exercise actually happen", True),
        ("has russia sold more arms since then", True),
        ("has russia sold arms to china", False),
        ("did putin actually sign on to obor", False),
        ("does the author think the merger will ever work", False),
    ],
)
def test_a_question_about_how_things_turned_out(question: str, later: bool) -> None:
    assert asks_what_happened_later(clean(question)) is later
