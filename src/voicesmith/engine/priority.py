"""Running engine work so that request handling goes first.

Synthesis keeps both cores busy for seconds; the event loop that answers
reads needs a few milliseconds of one. Linux schedules each thread on its
own, and a thread inherits its creator's scheduling: so the threads that run
engine passes, and the onnxruntime thread pool (created with the session),
are demoted, and the scheduler hands a core to request handling as soon as it
wakes up with work.

Demoted means SCHED_BATCH: such a thread does not preempt others when it
wakes, and is preempted by normal threads that wake, but keeps its fair share
of the CPU. A nice value (``nice`` > 0, off by default) would also lower that
share against every other process on the machine: on a machine shared with
other work, speech would then slow to a crawl (seen: at nice 10, with two
other processes keeping both cores busy, real-model design requests in the
suite failed, most likely on the SDK's 60 s timeout). Elsewhere than
Linux these settings belong to the whole process, so nothing is changed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("voicesmith")
_LINUX = sys.platform.startswith("linux")


def lower_thread_priority(nice: int = 0) -> None:
    """Demote the calling thread (SCHED_BATCH), and raise its nice value by ``nice``.

    Both need no privilege (undoing them would), so a demoted thread stays so:
    only threads that do nothing else are demoted.
    """
    if not _LINUX:
        return
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_BATCH, os.sched_param(0))
        if nice > 0:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError as exc:  # a sandbox may forbid it; synthesis still works
        log.warning("could not lower the synthesis threads' priority: %s", exc)


def thread_nice() -> int:
    """The calling thread's nice value (the process's outside Linux)."""
    who = threading.get_native_id() if _LINUX else 0
    return os.getpriority(os.PRIO_PROCESS, who)


def thread_policy() -> int:
    """The calling thread's scheduling policy (``os.SCHED_*``; Linux)."""
    return os.sched_getscheduler(threading.get_native_id() if _LINUX else 0)


def call_at_lower_priority(nice: int, fn: Callable[[], T]) -> T:
    """``fn()`` in a new, demoted thread (``lower_thread_priority``); threads it starts inherit that."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        lower_thread_priority(nice)
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the caller, re-raised there
            error.append(exc)

    worker = threading.Thread(target=run, name="voicesmith-engine-load")
    worker.start()
    worker.join()
    if error:
        raise error[0]
    return result[0]
