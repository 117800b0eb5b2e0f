"""The stop request and the in-flight count that graceful shutdown is built on."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from bot.ops.lifecycle import InFlight, StopRequest


def test_a_signal_becomes_one_stop_request_for_every_subscriber() -> None:
    stop = StopRequest()
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    heard: list[str] = []
    with stop.handling_signals():
        with stop.handling_signals():  # nested: the outer block's handlers stay
            stop.subscribe(lambda: heard.append("discord"))
            unsubscribe = stop.subscribe(lambda: heard.append("gone"))
            unsubscribe()
            os.kill(os.getpid(), signal.SIGTERM)
            assert stop.requested
        assert heard == ["discord"]
        stop.subscribe(lambda: heard.append("late"))  # told at once: it came already
        assert heard == ["discord", "late"]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)  # a second signal: stop now
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
    assert not stop.requested  # forgotten, so the process could serve again


def test_off_the_main_thread_nothing_is_installed() -> None:
    stop = StopRequest()
    seen: list[object] = []

    def run() -> None:
        with stop.handling_signals():
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert seen == [before]


def test_in_flight_work_is_waited_for_and_new_work_refused() -> None:
    inflight = InFlight()
    release = threading.Event()
    started = threading.Event()

    def question() -> None:
        with inflight.track() as admitted:
            assert admitted
            started.set()
            release.wait(5)

    worker = threading.Thread(target=question)
    worker.start()
    assert started.wait(5)
    inflight.close()
    with inflight.track() as admitted:
        assert not admitted
    assert inflight.count == 1
    assert not inflight.wait_idle(0.05)  # bounded: gives up when the time is up
    threading.Timer(0.1, release.set).start()
    began = time.monotonic()
    assert inflight.wait_idle(5)
    assert time.monotonic() - began < 4
    worker.join(5)
    assert inflight.count == 0
