from __future__ import annotations

import pytest
from bot.core.text import Synonyms, clean, content_tokens, stem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@123456789> Why did Russia stop?", "why did russia stop"),
        ("<@!42> hi <#99> <@&7>", "hi"),
        ("<@U12AB|maria> <!here> what is THAAD", "what is thaad"),
        ("see <https://example.org/x|this link> now", "see this link now"),
        ("look https://example.org/a?b=c here", "look here"),
        ("```\nwhat is obor\n```", "what is obor"),
        ("wh\u200bat is o\u200dbor\ufeff", "what is obor"),
        ("Pütin and ＸＩ", "putin and xi"),
        ("russia’s economy", "russia economy"),
        ("the S-400 and SU-27", "the s400 and su27"),
        ("12% and $66 billion", "12 percent and 66 billion"),
        ("eight times bigger 🚀🔥 :thinking:", "8 times bigger"),
        ("\u202ewhat is brics\u202c", "what is brics"),
        ("600,000 sq km", "600000 sq km"),
        ("@studybot what did xi announce", "what did xi announce"),
        ("write to a@b.org", "write to a b org"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_synonyms_rewrite_longest_phrase_first() -> None:
    syn = Synonyms([["obor", "one belt one road", "belt and road", "bri"], ["us", "united states"]])
    assert syn.apply(clean("Is the Belt and Road the same as One Belt One Road?")) == (
        "is the obor the same as obor"
    )
    assert syn.apply("the united states and bri") == "the us and obor"
    assert syn.apply("bridge") == "bridge"


def test_content_tokens_drop_stopwords_and_stem() -> None:
    assert content_tokens("why did the sanctions hurt russian banks") == [
        "sanction",
        "hurt",
        "russian",
        "bank",
    ]
    assert stem("invested") == stem("investment") == "invest"
    assert stem("engineering") == stem("engineer") and stem("gas") == "gas"
