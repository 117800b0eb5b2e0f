"""Study channels end to end: the real Bolt app with its desk on a SQLite file, a fake Web API.

Moderator settings, quizzes (timers included, and a restart in the middle of one), votes, the
curators' gap log and knowledge reloads, each driven by signed requests over 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bot.core.quiz import Scope
from bot.core.store import ChannelRef, GapStatus

from tests.adapters.slack.checks import assert_well_formed
from tests.adapters.slack.conftest import QUIZ_PACK
from tests.adapters.slack.fake_slack import TEAM_ID, Call, FakeSlackApi
from tests.adapters.slack.harness import SlackBot, button, mrkdwn_texts

CHANNEL = "C1STUDY"
REF = ChannelRef("slack", TEAM_ID, CHANNEL)
ADMIN = "U0ADMIN"  # a workspace admin, per users.info
LISTED = "U0LISTED"  # in SLACK_MODERATOR_IDS, not an admin
STUDENT = "U1ASKER"
ADA = "U2ADA"
BEN = "U3BEN"
# A display name that would ping the channel if it were posted raw.
BEN_NAME = "Ben @here"
BEN_SHOWN = "Ben @\u2060here"
QUESTION = "who built the pipeline"
ANSWERS = {
    "In which year did the pipeline open?": "in 2019",
    "At which port does the pipeline end?": "vladivostock",  # a small typo is accepted
    "Which company built the pipeline?": "Gazprom",
}
ROUND = re.compile(r"Question (\d) of (\d): (.+?)\n")
QUIZ_WAIT = 10.0


def people(fake: FakeSlackApi) -> None:
    fake.add_user(ADMIN, "Morgan Admin", admin=True)
    fake.add_user(LISTED, "Lee Listed")
    fake.add_user(STUDENT, "Sam Student")
    fake.add_user(ADA, "Ada")
    fake.add_user(BEN, BEN_NAME)


def reply(fake: FakeSlackApi, name: str) -> Call:
    """The single, well-formed message posted to the response URL called `name`."""
    (call,) = fake.wait_for("response_url", where=lambda c: c.path.endswith(f"/{name}"))
    assert_well_formed(call.body)
    return call


def private_reply(fake: FakeSlackApi, name: str) -> str:
    body = reply(fake, name).body
    assert body["response_type"] == "ephemeral", body
    return str(body["text"])


def channel_post(fake: FakeSlackApi, needle: str, timeout: float = QUIZ_WAIT) -> Call:
    """The first message posted in the channel whose text contains `needle`."""
    try:
        found = fake.wait_for(
            "chat.postMessage",
            timeout=timeout,
            where=lambda c: c.body.get("channel") == CHANNEL and needle in str(c.body.get("text")),
        )
    except AssertionError:
        raise AssertionError(f"no post with {needle!r}; posted: {fake.texts()}") from None
    assert_well_formed(found[0].body)
    return found[0]


def answer_to(post: Call, number: int) -> str:
    """The right answer to the round `post` announces, after checking it is round `number`."""
    found = ROUND.search(str(post.body["text"]))
    assert found is not None and int(found.group(1)) == number, post.body["text"]
    return ANSWERS[found.group(3).strip()]


def users_info_calls(fake: FakeSlackApi, user: str) -> int:
    return len([c for c in fake.calls("users.info") if c.body.get("user") == user])


# -- moderators ---------------------------------------------------------------------------------


def test_a_moderator_turns_answers_off_and_the_bot_goes_quiet_there(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi, tmp_path: Path
) -> None:
    people(fake)
    bot = make_study_bot(moderator_ids=(LISTED,))
    desk = bot.study
    assert (tmp_path / "data" / "studybot.sqlite3").is_file()

    # A student cannot change, or even read, the channel's settings.
    bot.command("settings set answers off", user=STUDENT, response="student-set")
    bot.command("settings", user=STUDENT, response="student-show")
    for name in ("student-set", "student-show"):
        assert "Only moderators can use `/ask settings`" in private_reply(fake, name)
    assert desk.run(desk.desk.channel_settings(REF)).answers_on is True
    bot.mention(QUESTION)
    assert "Gazprom" in channel_post(fake, "Gazprom").body["text"]

    # A workspace admin can; users.info is asked once for the two commands.
    bot.command("settings set answers off", user=ADMIN, response="off")
    assert "Answers are off in this channel" in private_reply(fake, "off")
    bot.command("settings", user=ADMIN, response="show")
    assert "answers: off" in private_reply(fake, "show")
    assert users_info_calls(fake, ADMIN) == 1

    # Now mentions get silence, and the slash command a private note; other channels carry on.
    before = len(fake.posts())
    bot.mention(QUESTION, ts="1700000000.000900")
    bot.settle()
    assert len(fake.posts()) == before
    bot.command(QUESTION, user=STUDENT, response="ask-off")
    assert (
        private_reply(fake, "ask-off")
        == "Answers are off here: a moderator has turned them off in this channel."
    )
    bot.command(QUESTION, user=STUDENT, channel="C2OTHER", response="elsewhere")
    assert reply(fake, "elsewhere").body["response_type"] == "in_channel"

    # Someone in SLACK_MODERATOR_IDS needs no admin role (and no users.info call).
    bot.command("settings set answers on", user=LISTED, response="on")
    assert "Answers are on" in private_reply(fake, "on")
    bot.command("settings set visibility private", user=LISTED, response="private")
    assert "now private" in private_reply(fake, "private")
    assert users_info_calls(fake, LISTED) == 0
    bot.command(QUESTION, user=STUDENT, response="ask-private")
    assert "Gazprom" in private_reply(fake, "ask-private")
    bot.mention(QUESTION, ts="1700000000.000950")
    (ephemeral,) = fake.wait_for("chat.postEphemeral")
    assert ephemeral.body["user"] == STUDENT and "Gazprom" in ephemeral.body["text"]

    # A bad value is explained and changes nothing.
    bot.command("settings set cooldown soon", user=ADMIN, response="bad")
    assert "cooldown takes a number of seconds" in private_reply(fake, "bad")
    stored = desk.run(desk.desk.channel_settings(REF))
    assert (stored.answers_on, stored.visibility.value, stored.cooldown_seconds) == (
        True,
        "private",
        None,
    )


def test_a_channel_cooldown_set_by_a_moderator_applies_there_only(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot()
    bot.command("settings set cooldown 60", user=ADMIN, response="cooldown")
    assert "60 s" in private_reply(fake, "cooldown")
    for i, response in enumerate(("first", "second", "third")):
        bot.command(QUESTION, user=STUDENT, response=response)
        bot.settle()  # one at a time, so the first is the one answered
        if i == 0:
            assert reply(fake, "first").body["response_type"] == "in_channel"
    assert "You can ask again in" in private_reply(fake, "second")
    bot.settle()
    assert not [c for c in fake.calls("response_url") if c.path.endswith("/third")]
    # The default (no cooldown in these tests) still holds in other channels.
    bot.command(QUESTION, user=STUDENT, channel="C2OTHER", response="other")
    assert reply(fake, "other").body["response_type"] == "in_channel"


# -- quizzes ------------------------------------------------------------------------------------


def test_a_three_round_quiz_with_two_players_ends_on_the_leaderboard(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot(round_seconds=3)
    bot.command("quiz start 3", user=ADA, response="start")
    first = channel_post(fake, "Question 1 of 3")
    assert "Ada started a quiz of 3 rounds" in first.body["text"]

    # Wrong answers, edits and the bot's own messages score nothing.
    right = answer_to(first, 1)
    bot.say("no idea, 1990?", user=BEN)
    bot.say(right, user=ADA, extra={"subtype": "message_changed"})
    bot.say(right, user="U0BOT", extra={"bot_id": "B0BOT"})
    bot.settle()
    assert not [t for t in fake.texts() if "got it" in t]

    bot.say(right, user=ADA)
    assert channel_post(fake, "Ada got it!").body["text"].count("Source: Quiz Author") == 1
    second = channel_post(fake, "Question 2 of 3")
    bot.say(answer_to(second, 2), user=BEN)
    won = channel_post(fake, f"{BEN_SHOWN} got it!")
    assert "Answer:" in won.body["text"]
    third = channel_post(fake, "Question 3 of 3")
    answer_to(third, 3)

    # Nobody answers the third: its timer closes it, with the answer and its citation.
    timeout = channel_post(fake, "Time's up!")
    assert re.search(r"Source: Quiz Author, .+, QuizNet, 2022, ¶\d", timeout.body["text"])
    summary = channel_post(fake, "The quiz is over!").body["text"]
    assert "Ada: 1 point" in summary and f"{BEN_SHOWN}: 1 point" in summary

    bot.command("quiz leaderboard", user=STUDENT, response="board")
    board = private_reply(fake, "board")
    assert "Quiz leaderboard, this channel, all time:" in board
    assert "Ada: 1" in board and f"{BEN_SHOWN}: 1" in board
    assert board.count("Quiz leaderboard") == 4  # channel and workspace, all time and this week

    bot.settle()
    for call in fake.posts():
        assert_well_formed(call.body)  # Ben's "@here" pings nobody, and every post fits


def test_quiz_start_and_stop_rules(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot()
    # Where the bot cannot post, the quiz is called off at once.
    fake.fail("chat.postMessage", "not_in_channel")
    bot.command("quiz start", user=ADA, response="uninvited")
    assert "Invite me first" in private_reply(fake, "uninvited")
    assert bot.study.run(bot.study.desk.quizzes.current(REF)) is None

    bot.command("quiz start history 2", user=ADA, response="start")
    assert "on history" in channel_post(fake, "Question 1 of 2").body["text"]
    bot.command("quiz start", user=BEN, response="second")
    assert "already running" in private_reply(fake, "second")
    bot.command("quiz stop", user=BEN, response="ben-stop")
    assert "Only whoever started this quiz or a moderator" in private_reply(fake, "ben-stop")
    bot.command("quiz stop", user=ADMIN, response="admin-stop")
    assert "The quiz was stopped." in channel_post(fake, "Round stopped.").body["text"]

    bot.command("settings set quizzes off", user=ADMIN, response="off")
    bot.command("quiz start", user=ADA, response="refused")
    assert "Quizzes are turned off in this channel." in private_reply(fake, "refused")
    bot.command("quiz", user=ADA, response="usage")
    assert "/ask quiz start [topic] [rounds]" in private_reply(fake, "usage")
    bot.command("help", user=ADA, response="help")
    help_ = private_reply(fake, "help")
    assert "`/ask quiz leaderboard`" in help_
    assert "`/ask settings set &lt;name&gt; &lt;value&gt;`" in help_  # shown as <name>


def test_a_restart_in_the_middle_of_a_quiz_carries_on_without_double_scoring(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    first = make_study_bot(round_seconds=20)
    first.command("quiz start 3", user=ADA, response="start")
    round_one = answer_to(channel_post(fake, "Question 1 of 3"), 1)
    first.say(round_one, user=ADA, event_id="Ev0ADAWINS")
    channel_post(fake, "Ada got it!")
    round_two = answer_to(channel_post(fake, "Question 2 of 3"), 2)
    first.close()  # the process stops with question 2 open

    second = make_study_bot(round_seconds=20)  # a new app and desk over the same file
    channel_post(fake, "I'm back. Question 2 of 3 is still open")
    assert second.study.armed() != []  # its timer is armed again

    # Slack delivers Ada's winning message again to the new process: it scores nothing.
    second.say(round_one, user=ADA, event_id="Ev0ADAWINS")
    second.settle()
    assert len([t for t in fake.texts() if "got it" in t]) == 1

    second.say(round_two, user=BEN)
    channel_post(fake, f"{BEN_SHOWN} got it!")
    second.say(answer_to(channel_post(fake, "Question 3 of 3"), 3), user=ADA)
    summary = channel_post(fake, "The quiz is over!").body["text"]
    assert "1. Ada: 2 points" in summary and f"2. {BEN_SHOWN}: 1 point" in summary

    desk = second.study
    board = desk.run(desk.desk.quizzes.leaderboard(REF, scope=Scope.WORKSPACE))
    assert [(row.user_id, row.points) for row in board.rows] == [(ADA, 2), (BEN, 1)]
    # One announcement per round: the stopped bot's timer never fired, nothing was re-asked.
    texts = fake.texts(channel=CHANNEL)
    assert [len([t for t in texts if f"Question {n} of 3:" in t]) for n in (1, 2, 3)] == [1, 1, 1]


def test_a_round_that_ran_out_while_the_bot_was_down_closes_at_start(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    first = make_study_bot(round_seconds=1)
    first.command("quiz start 2", user=ADA, response="start")
    prompt = ROUND.search(str(channel_post(fake, "Question 1 of 2").body["text"]))
    assert prompt is not None
    first.close()
    posted = len(fake.texts())
    time.sleep(1.5)  # question 1's time runs out while no bot is running
    assert len(fake.texts()) == posted  # the stopped bot's timer was cancelled with it

    make_study_bot(round_seconds=1)
    timeout = channel_post(fake, "Time's up!").body["text"]
    assert "Answer:" in timeout and "Source: Quiz Author" in timeout
    second = channel_post(fake, "Question 2 of 2").body["text"]
    assert prompt.group(3) not in second
    # Its timer was armed on start: it closes the quiz with nobody's help.
    channel_post(fake, "The quiz is over! Nobody scored this time.")
    # Question 1's reveal, question 2, its reveal, the scores: nothing twice.
    assert len(fake.texts()) == posted + 4


# -- feedback, gaps, stats, reload --------------------------------------------------------------


def test_a_changed_vote_is_stored_once_and_the_thumbs_down_logged(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot()
    bot.command("when did the pipeline open", response="ask")
    answer = reply(fake, "ask").body
    up = button(answer["blocks"], "studybot.feedback.up")
    down = button(answer["blocks"], "studybot.feedback.down")

    bot.click(up, user=BEN, response="up")
    assert private_reply(fake, "up") == "Thanks! Glad it helped."
    bot.click(down, user=BEN, response="down")
    assert private_reply(fake, "down").startswith("Vote changed.")
    bot.click(down, user=BEN, response="again")
    assert "already voted that way" in private_reply(fake, "again")
    bot.click(up, user=ADA, response="ada")

    desk = bot.study
    votes = desk.desk.store.votes
    stored = desk.run(votes.get("slack", "1700000001.000100", "pipeline-opened", BEN))
    assert stored is False
    tally = desk.run(votes.tally(platform="slack", workspace_id=TEAM_ID))
    assert (tally.helpful, tally.unhelpful) == (1, 1)  # one vote per user, as it now stands

    bot.command("gaps", user=ADMIN, response="gaps")
    gaps = private_reply(fake, "gaps")
    assert "when did the pipeline open" in gaps and "👎 ×1" in gaps


def test_unanswered_questions_reach_the_gap_log_and_the_stats(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot()
    bot.mention("what is the capital of france?")
    bot.command(QUESTION, response="answered")
    bot.command("hello there", response="small-talk")  # not a question: not counted
    bot.settle()
    assert "Gazprom" in reply(fake, "answered").body["text"]

    # Another workspace's misses are its moderators' business, not this one's.
    store = bot.study.desk.store
    bot.study.run(
        store.gaps.add(
            "what is another team asking", GapStatus.NO_MATCH, where=ChannelRef("slack", "T9", "C1")
        )
    )
    bot.command("gaps", user=STUDENT, response="student")
    assert "Only moderators can use `/ask gaps`" in private_reply(fake, "student")
    bot.command("gaps", user=ADMIN, response="gaps")
    gaps = private_reply(fake, "gaps")
    assert "what is the capital of france?" in gaps and "no_match ×1" in gaps
    assert "who built the pipeline" not in gaps and "another team" not in gaps

    bot.command("stats 7", user=ADMIN, response="stats")
    stats = private_reply(fake, "stats")
    assert "Questions asked, the last 7 days: 2" in stats
    assert "answered 1 (50%)" in stats and "no match 1 (50%)" in stats
    assert "Which company built the pipeline? ×1" in stats
    # "stats" followed by words is a question, not the command.
    bot.command("stats about the pipeline", user=STUDENT, response="question")
    assert "Only moderators" not in reply(fake, "question").body["text"]


def test_a_reload_with_a_broken_file_keeps_the_old_knowledge(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi, tmp_path: Path
) -> None:
    people(fake)
    pack = tmp_path / "pack"
    shutil.copytree(QUIZ_PACK, pack)
    questions = pack / "questions.yaml"
    good = questions.read_text(encoding="utf-8")
    bot = make_study_bot(knowledge=pack)

    questions.write_text(good + "  - id: [unclosed\n", encoding="utf-8")
    bot.command("reload", user=STUDENT, response="student")
    assert "Only moderators can use `/ask reload`" in private_reply(fake, "student")
    bot.command("reload", user=ADMIN, response="broken")
    broken = private_reply(fake, "broken")
    assert "was not reloaded" in broken
    assert re.search(r"questions\.yaml:\d+", broken), broken
    assert "still serving the previous knowledge (4 entries)" in broken
    bot.command(QUESTION, response="still")
    assert "Gazprom" in reply(fake, "still").body["text"]

    questions.write_text(
        good
        + "  - id: pipeline-width\n"
        + "    topic: geography\n"
        + "    question: How wide is the pipeline?\n"
        + "    alternates: [pipeline diameter, how broad is the pipe, width of the pipe]\n"
        + "    answer: It is one and a half metres wide.\n"
        + "    citation: {paragraphs: [4]}\n",
        encoding="utf-8",
    )
    bot.command("reload", user=ADMIN, response="fixed")
    assert "5 entries" in private_reply(fake, "fixed")
    bot.command("how wide is the pipeline", response="new")
    assert mrkdwn_texts(reply(fake, "new").body["blocks"], "section") == [
        "It is one and a half metres wide."
    ]


def test_asking_the_bot_for_the_open_rounds_answer_is_refused(
    make_study_bot: Callable[..., SlackBot], fake: FakeSlackApi
) -> None:
    people(fake)
    bot = make_study_bot(round_seconds=30)
    bot.command("quiz start 3", user=ADA, response="start")
    first = channel_post(fake, "Question 1 of 3")
    found = ROUND.search(str(first.body["text"]))
    assert found is not None
    prompt, right = found.group(3).strip(), answer_to(first, 1)

    bot.command(prompt, user=BEN, response="peek")
    peek = str(reply(fake, "peek").body["text"])
    assert "quiz round running here" in peek
    assert right.lower() not in peek.lower()
