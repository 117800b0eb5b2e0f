"""Who is a moderator: admins and owners per users.info (cached briefly), and the listed ids."""

from __future__ import annotations

from bot.adapters.slack.people import UserDirectory
from slack_sdk import WebClient

from tests.adapters.slack.fake_slack import FakeSlackApi
from tests.adapters.slack.harness import TOKEN


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_moderators_come_from_users_info_and_the_list(fake: FakeSlackApi) -> None:
    fake.add_user("U0ADMIN", "Admin", admin=True)
    fake.add_user("U0OWNER", "Owner", owner=True)
    fake.add_user("U1STUDENT", "Student")
    clock = Clock()
    people = UserDirectory(
        WebClient(token=TOKEN, base_url=fake.api_url), ("U0LISTED",), ttl=60, clock=clock
    )
    assert people.is_moderator("U0ADMIN") and people.is_moderator("U0OWNER")
    assert not people.is_moderator("U1STUDENT")
    assert people.is_moderator("U0LISTED")  # listed: no lookup needed
    assert not people.is_moderator("U9NOBODY")  # users.info fails: never a moderator
    assert not people.is_moderator("")
    assert people.name("U1STUDENT") == "Student"
    assert len(fake.calls("users.info")) == 4  # the student's name came from the cache

    # A minute later Slack is asked again, and a demotion takes effect.
    fake.add_user("U0ADMIN", "Admin", admin=False)
    assert people.is_moderator("U0ADMIN")
    clock.now = 61
    assert not people.is_moderator("U0ADMIN")
    # A failed lookup is not cached: the next call asks again.
    assert not people.is_moderator("U9NOBODY")
    assert len([c for c in fake.calls("users.info") if c.body["user"] == "U9NOBODY"]) == 2
