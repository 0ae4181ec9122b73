"""Per-key request rate limits: a token bucket for each API key, in this process.

Each key has a bucket holding at most ``burst`` tokens, refilled at
``per_second`` tokens a second. A request (or a WebSocket connection) takes
one; a request that finds less than one is refused with the whole seconds
until one will be there, and takes nothing, so a client that waits as told
gets through. Buckets live in this process: servers sharing a database each
count on their own (`voicesmith serve` is one process).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from voicesmith.errors import RateLimitedError

# Float refills can land a hair under a whole token (0.1 * 10 == 0.9999999999999999).
_EPSILON = 1e-9


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``per_second`` 0 turns limiting off; otherwise ``burst`` must be at least 1."""

    def __init__(self, per_second: float, burst: int,
                 *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second < 0 or (per_second > 0 and burst < 1):
            raise ValueError("a rate limit needs per_second >= 0 and, when on, burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        # One bucket per key that has made a request: bounded by the number of keys,
        # since only authenticated keys get here.
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def take(self, key: str) -> None:
        """Spend one of ``key``'s tokens, or raise ``RateLimitedError`` (nothing spent)."""
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
            # A clock that went backwards (it should not: monotonic) refills nothing.
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
            bucket.updated = now
            if bucket.tokens >= 1 - _EPSILON:
                bucket.tokens = max(0.0, bucket.tokens - 1)
                return
            wait = (1 - bucket.tokens) / self.per_second
        retry_after = max(1, math.ceil(wait - _EPSILON))
        raise RateLimitedError(
            f"Too many requests with this API key: it may make {self.per_second:g} a second "
            f"(bursts of up to {self.burst}). Retry in {retry_after} s.",
            retry_after=retry_after)
