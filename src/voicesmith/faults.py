"""Fault injection for the crash-safety tests: end the process hard at a named point.

``VOICESMITH_CRASH_AT=<point>`` arms one point at start-up (``arm``); the write
that reaches it exits with ``os._exit(CRASH_EXIT_CODE)``: no cleanup, no
``finally``, no flush of Python buffers, as when the process is killed. What a
write path has done before its point (files renamed into place, rows
committed) is on disk; the rest never happens. Unarmed, a point costs one
comparison.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

CRASH_EXIT_CODE = 70

# Every point, and where it is: a write path between two of its durable steps.
CRASH_POINTS: dict[str, str] = {
    "design.after_sample_write": "design or version create: sample blob written, row not committed",
    "design.before_commit": "design or version create: row added, not committed",
    "clone.before_commit": "clone from a design: row added, not committed",
    "upload.after_sample_write": "clone from an upload: recording blob written, no row",
    "upload.after_pending_commit": "clone from an upload: pending row committed, no capture",
    "rename.before_commit": "design rename or clone update: changed, not committed",
    "delete.before_commit": "design, version or clone delete: deleted, not committed",
    "delete.after_commit": "design, version or clone delete: committed, sample not discarded",
    "speech_cache.before_index": "speech cache entry: audio in place, index not written",
    "audio_id.before_index": "audio_id speech: audio file in place, sidecar not written",
}

_armed: str | None = None


def arm(point: str | None) -> None:
    """Arm ``point`` (None disarms); an unknown name is refused, so a typo cannot pass silently."""
    global _armed
    if point is not None and point not in CRASH_POINTS:
        raise ValueError(f"unknown crash point {point!r}; known: {', '.join(CRASH_POINTS)}")
    _armed = point


def crash_point(name: str) -> None:
    """Exit hard here if this point is armed."""
    if name == _armed:
        log.critical("crash point %s reached: exiting hard", name)
        os._exit(CRASH_EXIT_CODE)
