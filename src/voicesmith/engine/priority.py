"""Running engine work at a lower OS priority than request handling.

Synthesis keeps both cores busy for seconds; the event loop that answers
reads needs a few milliseconds of one. Linux schedules each thread on its
own, with its own nice value, and a thread inherits its creator's: so the
threads that run engine passes, and the onnxruntime thread pool (created
with the session), are niced, and the scheduler hands a core to request
handling as soon as it has work. Elsewhere a nice value belongs to the whole
process, so nothing is changed there.
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


def lower_thread_priority(nice: int) -> None:
    """Raise the calling thread's nice value by ``nice`` (0: leave it; Linux only).

    Raising needs no privilege (lowering it back would), so a thread that was
    niced stays so: only threads that do nothing else are niced.
    """
    if nice <= 0 or not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + nice))
    except OSError as exc:  # a sandbox may forbid it; synthesis still works
        log.warning("could not lower the synthesis threads' priority: %s", exc)


def thread_nice() -> int:
    """The calling thread's nice value (the process's outside Linux)."""
    who = threading.get_native_id() if sys.platform.startswith("linux") else 0
    return os.getpriority(os.PRIO_PROCESS, who)


def call_at_lower_priority(nice: int, fn: Callable[[], T]) -> T:
    """``fn()`` in a new thread niced by ``nice``; threads it starts inherit that."""
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
