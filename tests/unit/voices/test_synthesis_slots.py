"""A process at its synthesis capacity refuses more (429) instead of queueing."""

from __future__ import annotations

import pytest

from voicesmith.errors import AtCapacityError, BusyError
from voicesmith.voices.synthesis import SynthesisSlots


def test_slots_admit_up_to_the_limit_then_refuse_with_retry_after() -> None:
    slots = SynthesisSlots(2)
    slots.acquire()
    slots.acquire()
    with pytest.raises(AtCapacityError) as refused:
        slots.acquire()
    assert isinstance(refused.value, BusyError) and refused.value.retry_after == 1
    slots.release()
    slots.acquire()  # a slot freed is a slot to use
    assert slots.active == 2


def test_held_releases_on_error() -> None:
    slots = SynthesisSlots(1)
    with pytest.raises(ValueError), slots.held():
        raise ValueError
    with slots.held():
        assert slots.active == 1
    assert slots.active == 0


def test_zero_is_no_limit() -> None:
    slots = SynthesisSlots(0)
    for _ in range(100):
        slots.acquire()
    assert slots.active == 100
