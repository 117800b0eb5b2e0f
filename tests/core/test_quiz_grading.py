"""The quiz grader: what counts as the right answer, and what must not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bot.core.quiz import Number, analyse, grade
from bot.core.service import StudyService

ACCEPTED = [
    # case, accents, punctuation, filler
    ("wesleyan", ["Wesleyan"]),
    ("WÉSLEYAN!!", ["Wesleyan"]),
    ("  the answer is: Wesleyan.", ["Wesleyan"]),
    ("It's Singapore", ["Singapore"]),
    ("Putin's", ["Putin"]),
    ("<@123456> Moscow", ["Moscow"]),
    # small typos, fewer the shorter the word
    ("Rutlnad", ["Peter Rutland", "Rutland"]),
    ("Wesleyen", ["Wesleyan"]),
    ("singapour", ["Singapore"]),
    ("unprecednted", ["unprecedented"]),
    ("xi jin ping", ["Xi Jinping"]),
    ("Pac Net", ["PacNet"]),
    # word order, joiners
    ("Moscow and Beijing", ["Beijing-Moscow"]),
    ("russia & china", ["China and Russia"]),
    ("4th of July", ["July 4"]),
    ("the fourth of july", ["July 4"]),
    # numbers
    ("$66 billion", ["66 billion"]),
    ("66 billion", ["$66 billion"]),
    ("66bn", ["$66 billion"]),
    ("US$66bn", ["$66 billion"]),
    ("66", ["$66 billion"]),
    ("66,000,000,000", ["$66 billion"]),
    ("66 billion dollars", ["$66 billion"]),
    ("1.5 million", ["1,500,000"]),
    ("12%", ["12 percent"]),
    ("12 per cent", ["12%"]),
    ("12 percent", ["12%"]),
    ("eight", ["8"]),
    ("8", ["eight"]),
    ("Eight times", ["8 times"]),
    ("in 2006", ["2006"]),
    ("two thousand and six", ["2006"]),
    ("twenty oh six", ["2006"]),
    ("twenty seventeen", ["2017"]),
    ("nineteen ninety", ["1990"]),
    ("one hundred and five", ["105"]),
    ("twenty-one", ["21"]),
    ("more than twenty", ["more than 20"]),
    ("20+", ["over 20", "20+"]),
    # an answer that is only a word usually ignored
    ("US", ["US"]),
]

REFUSED = [
    ("2016", ["2006"]),
    ("2006 or 2016", ["2006"]),
    ("1996", ["2006"]),
    ("66 million", ["$66 billion"]),
    ("67 billion", ["$66 billion"]),
    ("21%", ["12%"]),
    ("seven", ["8"]),
    ("Xi", ["Bobo Lo", "Lo"]),
    ("Bobo Li", ["Bobo Lo"]),
    ("Prague", ["Hamburg"]),
    ("Wesleyan and Yale", ["Wesleyan"]),
    ("", ["Wesleyan"]),
    ("the", ["US"]),
    ("?!", ["2006"]),
    ("July 5", ["July 4"]),
]


@pytest.mark.parametrize(("answer", "accept"), ACCEPTED)
def test_accepted(answer: str, accept: list[str]) -> None:
    assert grade(answer, accept) is not None


@pytest.mark.parametrize(("answer", "accept"), REFUSED)
def test_refused(answer: str, accept: list[str]) -> None:
    assert grade(answer, accept) is None


def test_grade_names_the_accepted_answer_it_matched() -> None:
    assert grade("rutland", ["Peter Rutland", "Rutland"]) == "Rutland"


def test_numbers_are_read_with_their_scale() -> None:
    assert analyse("$66bn").numbers == (Number(Decimal(66), 10**9, True),)
    assert analyse("two thousand five hundred and twelve").numbers == (Number(Decimal(2512)),)
    assert analyse("1,500,000").numbers[0].value == analyse("1.5 million").numbers[0].value
    assert analyse("the year 2006").words == ()


def test_every_shipped_quiz_accepts_its_own_answers(shipped: StudyService) -> None:
    quizzes = [e for e in shipped.kb.entries if e.quiz is not None]
    assert quizzes
    for entry in quizzes:
        assert entry.quiz is not None
        for answer in entry.quiz.accept:
            assert grade(answer, entry.quiz.accept) is not None, (entry.id, answer)
            assert grade(answer.upper() + "!", entry.quiz.accept) is not None, (entry.id, answer)
