"""The speech cache under faults: a full disk drops the entry, never the speech; a
process killed between an entry's two files leaves a half that the next start removes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.support.limits import file_size_limit
from voicesmith.engine.base import AudioChunk
from voicesmith.store.speech_cache import SpeechCache, cache_key

RATE = 24_000


def cache(root: Path) -> SpeechCache:
    return SpeechCache(root, max_bytes=100 << 20, max_entry_seconds=600, sample_rate=RATE)


def key(text: str) -> str:
    return cache_key(voice_fingerprint="v", language="en-us", speed=1.0, text=text)


def chunk(seconds: float, text: str = "Hello.") -> AudioChunk:
    samples = np.full(int(seconds * RATE), 0.25, dtype=np.float32)
    return AudioChunk(samples=samples, sample_rate=RATE, text=text, index=0, is_last=True)


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_an_entry_the_disk_cannot_hold_is_dropped_without_an_error(tmp_path: Path) -> None:
    speech = cache(tmp_path)
    writer = speech.writer(key("long"))
    assert writer is not None
    with file_size_limit(1 << 20):  # 1 MiB: 12 s of float32 audio is 1.1 MiB
        writer.add(chunk(6.0))
        writer.add(chunk(6.0))  # the kernel refuses this write (EFBIG): no exception here
        writer.commit()
    assert speech.lookup(key("long")) is None
    assert files(tmp_path) == []


def test_a_half_entry_left_by_a_crash_is_removed_at_start(tmp_path: Path) -> None:
    speech = cache(tmp_path)
    for text in ("whole", "audio only", "index only"):
        writer = speech.writer(key(text))
        assert writer is not None
        writer.add(chunk(0.5, text))
        writer.commit()
    audio_only, index_only = key("audio only"), key("index only")
    (tmp_path / audio_only[:2] / f"{audio_only}.json").unlink()
    (tmp_path / index_only[:2] / f"{index_only}.f32").unlink()

    restarted = cache(tmp_path)
    entry = restarted.lookup(key("whole"))
    assert entry is not None and [c.text for c in entry.replay()] == ["whole"]
    assert [p.name for p in files(tmp_path)] == sorted(
        [f"{key('whole')}.f32", f"{key('whole')}.json"])
