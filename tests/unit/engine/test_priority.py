"""Engine work runs niced; request handling keeps its priority."""

from __future__ import annotations

import sys
import threading

import pytest

from voicesmith.engine.priority import call_at_lower_priority, lower_thread_priority, thread_nice

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values are Linux's")


@linux_only
def test_only_the_calling_thread_is_niced() -> None:
    before = thread_nice()
    seen: list[int] = []

    def work() -> None:
        lower_thread_priority(5)
        seen.append(thread_nice())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [min(19, before + 5)]
    assert thread_nice() == before


@linux_only
def test_threads_started_by_a_niced_call_inherit_its_priority() -> None:
    before = thread_nice()

    def starts_a_thread() -> int:
        inner: list[int] = []
        child = threading.Thread(target=lambda: inner.append(thread_nice()))
        child.start()
        child.join()
        return inner[0]

    assert call_at_lower_priority(7, starts_a_thread) == min(19, before + 7)
    assert thread_nice() == before


def test_a_failing_call_raises_in_the_caller() -> None:
    def fails() -> None:
        raise KeyError("no model")

    with pytest.raises(KeyError, match="no model"):
        call_at_lower_priority(3, fails)


def test_zero_changes_nothing() -> None:
    assert call_at_lower_priority(0, thread_nice) == thread_nice()
