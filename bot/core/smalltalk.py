"""Greetings, thanks and chit-chat: answered kindly, never with a fact from the commentary."""

from __future__ import annotations

import re

_GREETING = r"(?:hi+|hey+a?|hello+|hiya|howdy|yo+|sup|good (?:morning|afternoon|evening)|greetings)"
_ADDRESS = r"(?:\s+(?:there|bot|studybot|everyone|all|guys|folks|friend))?"
_LEAD_IN = re.compile(
    rf"^(?:{_GREETING}{_ADDRESS}|quick (?:q|question)|question|ok(?:ay)?|so|um+|uh+|wait|"
    r"is it (?:true|right|correct)(?: that)?|"
    r"sorry(?: if this is (?:a )?(?:dumb|stupid|silly|basic|obvious)(?: question| q)?)?(?: but)?)"
    r"\b[\s,.!:;-]*",
)

_REPLIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(rf"^{_GREETING}{_ADDRESS}$"),
        'Hi! Ask me anything about {author}\'s commentary "{title}", '
        "or type /topics to see what I can answer.",
    ),
    (
        re.compile(
            r"^(?:thanks?(?: you)?|thank u|thx|ty|cheers|much appreciated|great|nice|cool|"
            r"awesome|perfect|got it|ok(?:ay)?|good bot|love it)(?: (?:so much|a lot|bot))*$"
        ),
        "You're welcome! Happy studying.",
    ),
    (
        re.compile(r"^(?:h+m+|lol+|lmao|haha+|hehe+|ah+|oh+|wow|nice one|interesting)$"),
        "Anything else you'd like to know about the commentary? Type /topics for ideas.",
    ),
    (
        re.compile(r"^(?:bye|goodbye|see (?:you|ya)|cya|good night|gn|later)$"),
        "Good luck with your studies. See you!",
    ),
    (
        re.compile(
            r"^(?:how are (?:you|u)|how r u|hows? it going|how is it going|whats? up|wassup|"
            r"how(?:s| is| was)? (?:your|ur) (?:day|week|weekend|morning)(?: going| been)?)$"
        ),
        "I'm doing well, thanks for asking! What would you like to know about the commentary?",
    ),
    (
        re.compile(
            r"^(?:who are you|what are you|what can you do|what do you do|are you a bot|"
            r"who made you|what is this bot)$"
        ),
        "I'm a study bot: I answer questions about {author}'s commentary \"{title}\" "
        "({outlet}, {year}), with the paragraph each answer comes from. "
        "Type /help or /topics to start.",
    ),
    (
        # A request to do the student's own work names 'essay' or 'homework' like a question
        # about the commentary would, so it is caught before matching.
        re.compile(
            r"^(?:(?:can|could|will|would) (?:you|u) |pls |please )?(?:please )?"
            r"(?:write|do|finish|make|draft|complete) (?:my|our|me an?|me my|an?) "
            r"(?:\w+ )?(?:essay|homework|hw|assignment|paper|report|summary|coursework)\b"
        ),
        "I can't write your work for you, but I can help you study for it: ask me about "
        '{author}\'s "{title}", or type /topics to see what I can answer.',
    ),
    (
        re.compile(r"^(?:bad bot|wrong|thats? wrong|you re wrong|useless)$"),
        "Sorry about that. Try rephrasing, or use /topics to find the right question.",
    ),
)


def strip_lead_in(cleaned: str) -> str:
    """Drop 'hey bot,' and 'quick q:' so the question itself is what gets matched."""
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _LEAD_IN.sub("", cleaned).strip()
    return cleaned


def small_talk_reply(cleaned: str) -> str | None:
    """A friendly reply when the whole message is small talk, else None.

    Replies may name the commentary through `{author}`, `{title}`, `{outlet}` and `{year}`.
    """
    text = cleaned.strip()
    for pattern, reply in _REPLIES:
        if pattern.match(text):
            return reply
    return None
