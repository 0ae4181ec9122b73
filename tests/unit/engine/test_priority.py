"""Engine work is demoted; request handling keeps its priority."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from voicesmith.engine.priority import (
    call_at_lower_priority,
    lower_thread_priority,
    thread_nice,
    thread_policy,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread scheduling is Linux's")


def _in_thread(fn):  # type: ignore[no-untyped-def]
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(fn()))
    worker.start()
    worker.join()
    return seen[0]


@linux_only
def test_only_the_calling_thread_is_demoted_and_keeps_its_share() -> None:
    before = (thread_policy(), thread_nice())

    def work() -> tuple[int, int]:
        lower_thread_priority()
        return thread_policy(), thread_nice()

    # Batch scheduling, the same nice: a fair share against other processes.
    assert _in_thread(work) == (os.SCHED_BATCH, before[1])
    assert (thread_policy(), thread_nice()) == before


@linux_only
def test_a_nice_value_is_added_only_when_asked() -> None:
    before = thread_nice()

    def work() -> int:
        lower_thread_priority(5)
        return thread_nice()

    assert _in_thread(work) == min(19, before + 5)


@linux_only
def test_threads_started_by_a_demoted_call_inherit_it() -> None:
    before = thread_policy()

    def starts_a_thread() -> object:
        return _in_thread(thread_policy)

    assert call_at_lower_priority(0, starts_a_thread) == os.SCHED_BATCH
    assert thread_policy() == before


def test_a_failing_call_raises_in_the_caller() -> None:
    def fails() -> None:
        raise KeyError("no model")

    with pytest.raises(KeyError, match="no model"):
        call_at_lower_priority(0, fails)
