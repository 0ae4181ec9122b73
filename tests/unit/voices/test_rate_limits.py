"""The per-key token bucket, on a clock the test moves by hand."""

from __future__ import annotations

import pytest

from voicesmith.errors import BusyError, RateLimitedError
from voicesmith.voices.rate_limits import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(limiter: RateLimiter, key: str) -> RateLimitedError:
    with pytest.raises(RateLimitedError) as caught:
        limiter.take(key)
    return caught.value


def test_a_burst_is_allowed_then_refused_with_whole_seconds_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=0.5, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("k")
    error = refused(limiter, "k")
    # One token every 2 s, and the bucket is empty: 2 s.
    assert error.retry_after == 2
    assert isinstance(error, BusyError) and error.code == "10011"
    assert "0.5 a second" in error.detail and "bursts of up to 3" in error.detail
    assert "Retry in 2 s" in error.detail


def test_retry_after_is_rounded_up_and_never_zero() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=0.4, burst=1, clock=clock)
    limiter.take("k")
    assert refused(limiter, "k").retry_after == 3  # 2.5 s, rounded up
    clock.now += 2.4  # 0.96 of a token: 0.1 s to go
    assert refused(limiter, "k").retry_after == 1
    fast = RateLimiter(per_second=1000, burst=1, clock=clock)
    fast.take("k")
    assert refused(fast, "k").retry_after == 1  # 1 ms, but Retry-After is whole seconds


def test_waiting_as_told_gets_through_and_refusals_cost_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=0.5, burst=2, clock=clock)
    limiter.take("k")
    limiter.take("k")
    wait = refused(limiter, "k").retry_after
    for _ in range(5):  # a client that keeps knocking does not push its turn back
        assert refused(limiter, "k").retry_after == wait
    clock.now += wait
    limiter.take("k")
    refused(limiter, "k")


def test_tokens_refill_at_the_rate_up_to_the_burst_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=10, burst=5, clock=clock)
    for _ in range(5):
        limiter.take("k")
    clock.now += 0.3  # three tokens back (in floats, a hair under 3)
    for _ in range(3):
        limiter.take("k")
    refused(limiter, "k")
    clock.now += 3600  # a long quiet spell refills to the burst, no further
    for _ in range(5):
        limiter.take("k")
    refused(limiter, "k")


def test_each_key_has_its_own_bucket() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=1, burst=1, clock=clock)
    limiter.take("a")
    refused(limiter, "a")
    limiter.take("b")


def test_a_clock_going_backwards_refills_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second=1, burst=1, clock=clock)
    limiter.take("k")
    clock.now -= 100
    refused(limiter, "k")
    clock.now += 1  # the bucket counts from where the clock went back to
    limiter.take("k")


def test_zero_is_off() -> None:
    limiter = RateLimiter(per_second=0, burst=1, clock=FakeClock())
    assert not limiter.enabled
    for _ in range(10_000):
        limiter.take("k")


@pytest.mark.parametrize(("per_second", "burst"), [(-1, 5), (1, 0)])
def test_nonsense_settings_are_refused(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(per_second=per_second, burst=burst)
