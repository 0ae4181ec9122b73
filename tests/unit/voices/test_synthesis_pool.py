"""The synthesis pool: bounded, first come first served, demoted, errors passed back."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from voicesmith.engine.priority import thread_nice, thread_policy
from voicesmith.voices.synthesis import SynthesisPool


def test_never_more_at_once_than_workers() -> None:
    pool = SynthesisPool(2)
    running, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    callers = [threading.Thread(target=pool.run, args=(work,)) for _ in range(8)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    pool.shutdown()
    assert most == 2


def test_turns_are_taken_in_the_order_asked() -> None:
    pool = SynthesisPool(1)
    gate = threading.Event()
    order: list[int] = []
    first = threading.Thread(target=pool.run, args=(gate.wait,))
    first.start()
    time.sleep(0.05)  # the one worker is now busy: the rest queue
    waiting = []
    for n in range(5):
        t = threading.Thread(target=pool.run, args=(lambda n=n: order.append(n),))
        t.start()
        waiting.append(t)
        time.sleep(0.02)
    gate.set()
    for t in [first, *waiting]:
        t.join()
    pool.shutdown()
    assert order == [0, 1, 2, 3, 4]


def test_an_error_is_raised_in_the_caller() -> None:
    pool = SynthesisPool(1)
    with pytest.raises(ValueError, match="bad piece"):
        pool.run(lambda: (_ for _ in ()).throw(ValueError("bad piece")))
    assert pool.run(lambda: 42) == 42  # the worker survives
    pool.shutdown()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread scheduling is Linux's")
def test_work_runs_demoted_and_the_caller_does_not() -> None:
    before = (thread_policy(), thread_nice())
    pool = SynthesisPool(1)
    assert pool.run(lambda: (thread_policy(), thread_nice())) == (os.SCHED_BATCH, before[1])
    pool.shutdown()
    niced = SynthesisPool(1, nice=4)
    assert niced.run(thread_nice) == min(19, before[1] + 4)
    niced.shutdown()
    assert (thread_policy(), thread_nice()) == before
