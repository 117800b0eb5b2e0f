from __future__ import annotations

import asyncio

import pytest
from bot.core.feedback import Feedback, FeedbackSink
from bot.core.store import (
    ChannelRef,
    ChannelSettings,
    GapStatus,
    Store,
    StoreFeedbackSink,
    Visibility,
    VoteChange,
)


async def test_a_channel_nobody_configured_has_the_defaults(store: Store, ref: ChannelRef) -> None:
    assert await store.settings.get(ref) == ChannelSettings(True, True, Visibility.PUBLIC, None)


async def test_settings_change_one_at_a_time_and_stay_per_channel(
    store: Store, ref: ChannelRef
) -> None:
    other = ChannelRef(ref.platform, ref.workspace_id, "chan-2")
    slack = ChannelRef("slack", ref.workspace_id, ref.channel_id)
    await store.settings.update(ref, answers_on=False)
    await store.settings.update(ref, visibility="private", cooldown_seconds=12.5)
    saved = await store.settings.update(ref, quizzes_on=False)
    assert saved == ChannelSettings(False, False, Visibility.PRIVATE, 12.5)
    assert saved.silent
    assert await store.settings.get(ref) == saved
    assert await store.settings.get(other) == ChannelSettings()
    assert await store.settings.get(slack) == ChannelSettings()
    back = await store.settings.update(ref, answers_on=True, cooldown_seconds=None)
    assert back == ChannelSettings(True, False, Visibility.PRIVATE, None)
    assert await store.settings.configured("discord", ref.workspace_id) == {"chan-1": back}
    await store.settings.reset(ref)
    assert await store.settings.get(ref) == ChannelSettings()


async def test_bad_settings_are_refused_and_nothing_changes(store: Store, ref: ChannelRef) -> None:
    await store.settings.update(ref, cooldown_seconds=5)
    with pytest.raises(ValueError):
        await store.settings.update(ref, cooldown_seconds=-1)
    with pytest.raises(ValueError):
        await store.settings.update(ref, visibility="secret")
    assert await store.settings.get(ref) == ChannelSettings(cooldown_seconds=5)


def _vote(
    helpful: bool, user: str = "u1", message: str = "m1", question: str = "why 2006?"
) -> Feedback:
    return Feedback(
        platform="discord",
        entry_id="arms-halt",
        helpful=helpful,
        user_id=user,
        channel_id="chan-1",
        workspace_id="guild-1",
        message_id=message,
        question=question,
    )


async def test_one_vote_per_user_per_answer_and_it_can_change(store: Store) -> None:
    first = await store.votes.record(_vote(True))
    assert (first.change, first.previous) == (VoteChange.NEW, None)
    again = await store.votes.record(_vote(True))
    assert again.change is VoteChange.UNCHANGED
    changed = await store.votes.record(_vote(False))
    assert (changed.change, changed.helpful, changed.previous) == (VoteChange.CHANGED, False, True)
    assert await store.votes.get("discord", "m1", "arms-halt", "u1") is False
    await store.votes.record(_vote(True, user="u2"))
    await store.votes.record(_vote(True, message="m2"))
    tally = await store.votes.tally()
    assert (tally.helpful, tally.unhelpful) == (2, 1)
    assert tally.helpful_rate == pytest.approx(2 / 3)
    assert (await store.votes.tally(entry_id="other")).helpful_rate is None


async def test_a_downvote_is_logged_for_curators_once_and_without_the_voter(store: Store) -> None:
    await store.votes.record(_vote(False, question="<@4242> why 2006?"))
    await store.votes.record(_vote(False, question="<@4242> why 2006?"))  # same click again
    await store.votes.record(_vote(True, user="u2"))
    gaps = await store.gaps.fetch()
    assert [(g.question, g.status, g.entry_id) for g in gaps] == [
        ("why 2006?", GapStatus.DOWNVOTED, "arms-halt")
    ]


async def test_the_sink_is_a_feedback_sink_for_sync_and_async_callers(store: Store) -> None:
    sink = StoreFeedbackSink(store)
    as_protocol: FeedbackSink = sink
    # A Slack Bolt listener: a worker thread with no event loop; record() waits for the write.
    await asyncio.to_thread(as_protocol.record, _vote(True, user="thread"))
    assert await store.votes.get("discord", "m1", "arms-halt", "thread") is True
    # A sync callback on the store's own loop cannot block it: the write is scheduled.
    sink.record(_vote(False, user="loop"))
    await sink.drain()
    assert await store.votes.get("discord", "m1", "arms-halt", "loop") is False
    result = await sink.arecord(_vote(True, user="loop"))
    assert result.change is VoteChange.CHANGED


async def test_sync_code_on_another_thread_can_call_the_store(
    store: Store, ref: ChannelRef
) -> None:
    def slack_listener() -> bool:
        store.run_threadsafe(store.settings.update(ref, answers_on=False))
        return store.run_threadsafe(store.settings.get(ref)).answers_on

    assert await asyncio.to_thread(slack_listener) is False
    with pytest.raises(RuntimeError, match="block"):
        store.run_threadsafe(store.settings.get(ref))
