"""A disk cache of synthesized speech, keyed by everything that shapes the audio.

What is cached is the engine's output (float32 chunks at the engine's rate,
after a clone's post-process), not an encoded file: one entry then serves every
format, sample rate and volume, and the WebSocket can replay it chunk by chunk
with each chunk's text. Keys hash the voice (its stored style bytes and
post-process), the language, the speed and the text, so an edited voice never
hits an old entry.

An entry is written while the audio streams out (``CacheWriter``) and appears
only when complete (temp files renamed into place, index last), so an
interrupted stream leaves nothing readable. Memory stays bounded: chunks go to
disk as they come; entries longer than ``max_entry_seconds`` are not kept.
The total size is bounded too: the least recently used entries go first.

The cache is an optimization, so failing to write it (a full disk) never fails
the speech: the entry is dropped, its files removed, and the audio streams on.
A process killed between an entry's two renames leaves audio without an index,
never read and removed at the next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voicesmith.engine.base import AudioChunk
from voicesmith.faults import crash_point
from voicesmith.store.blobs import checked_digest

log = logging.getLogger(__name__)

_FLOAT_BYTES = 4


def cache_key(*, voice_fingerprint: str, language: str, speed: float, text: str) -> str:
    payload = json.dumps({"v": 1, "voice": voice_fingerprint, "language": language,
                          "speed": round(speed, 6), "text": text}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def voice_fingerprint(style_bytes: bytes, postprocess: dict[str, Any] | None) -> str:
    h = hashlib.sha256(style_bytes)
    h.update(json.dumps(postprocess, sort_keys=True).encode())
    return h.hexdigest()


class SpeechCache:
    def __init__(self, root: Path, *, max_bytes: int, max_entry_seconds: float,
                 sample_rate: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_entry_samples = int(max_entry_seconds * sample_rate)
        self.sample_rate = sample_rate
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._evict_lock = threading.Lock()
        for leftover in self._tmp.iterdir():  # an earlier process died mid-write
            leftover.unlink(missing_ok=True)
        self._remove_halves()

    def _remove_halves(self) -> None:
        """An entry's audio without its index, or the reverse: an earlier process died between."""
        for path in [*self.root.glob("??/*.f32"), *self.root.glob("??/*.json")]:
            other = path.with_suffix(".json" if path.suffix == ".f32" else ".f32")
            if not other.exists():
                path.unlink(missing_ok=True)

    def _paths(self, key: str) -> tuple[Path, Path]:
        base = self.root / key[:2] / checked_digest(key)  # keys are cache_key()'s digests
        return base.with_suffix(".f32"), base.with_suffix(".json")

    def lookup(self, key: str) -> CacheEntry | None:
        audio, index = self._paths(key)
        try:
            chunks = json.loads(index.read_text(encoding="utf-8"))["chunks"]
        except (FileNotFoundError, ValueError, KeyError):
            return None
        if not audio.exists():
            return None
        with contextlib.suppress(OSError):
            os.utime(index)  # recency for eviction
        return CacheEntry(audio, [(str(t), int(n)) for t, n in chunks], self.sample_rate)

    def writer(self, key: str) -> CacheWriter | None:
        """A writer for a new entry; None when the cache cannot be written (the speech goes on)."""
        checked_digest(key)  # refused before a temp file exists
        try:
            return CacheWriter(self, key)
        except OSError as exc:
            log.warning("speech cache not written (%s); serving uncached", exc)
            return None

    def _commit(self, key: str, tmp_audio: Path, chunks: list[tuple[str, int]]) -> None:
        audio, index = self._paths(key)
        tmp_index = self._tmp / f"{uuid.uuid4().hex}.json"
        try:
            audio.parent.mkdir(parents=True, exist_ok=True)
            tmp_index.write_text(json.dumps({"chunks": chunks}), encoding="utf-8")
            os.replace(tmp_audio, audio)
            crash_point("speech_cache.before_index")
            os.replace(tmp_index, index)  # the entry exists from here on
        except OSError:
            # Whatever was written goes: a full disk keeps no half entry (lookup
            # needs both files, so a lone audio file is never read meanwhile).
            for path in (tmp_index, tmp_audio, audio):
                path.unlink(missing_ok=True)
            raise
        self._evict()

    def _evict(self) -> None:
        with self._evict_lock:
            entries = []
            total = 0
            for index in self.root.glob("??/*.json"):
                audio = index.with_suffix(".f32")
                try:
                    size = audio.stat().st_size + index.stat().st_size
                    entries.append((index.stat().st_mtime, index, audio, size))
                except FileNotFoundError:
                    continue
                total += size
            for _, index, audio, size in sorted(entries, key=lambda e: e[0]):
                if total <= self.max_bytes:
                    break
                index.unlink(missing_ok=True)  # the index first: no half entry is readable
                audio.unlink(missing_ok=True)
                total -= size


class CacheEntry:
    """A complete cached synthesis: replays its chunks, reading one at a time."""

    def __init__(self, audio: Path, chunks: list[tuple[str, int]], sample_rate: int) -> None:
        self.audio = audio
        self.chunks = chunks
        self.sample_rate = sample_rate

    def replay(self) -> Iterator[AudioChunk]:
        last = len(self.chunks) - 1
        with open(self.audio, "rb") as f:
            for i, (text, n) in enumerate(self.chunks):
                samples = np.frombuffer(f.read(n * _FLOAT_BYTES), dtype=np.float32)
                if samples.size != n:
                    return  # truncated by an outside hand: end rather than misplay
                yield AudioChunk(samples=samples, sample_rate=self.sample_rate, text=text,
                                 index=i, is_last=i == last)


class CacheWriter:
    """Collects one synthesis as it streams; ``commit`` publishes it, ``abort`` drops it."""

    def __init__(self, cache: SpeechCache, key: str) -> None:
        self._cache = cache
        self._key = key
        self._tmp = cache._tmp / f"{uuid.uuid4().hex}.f32"
        self._file = open(self._tmp, "wb")  # noqa: SIM115 - closed by commit/abort
        self._chunks: list[tuple[str, int]] = []
        self._samples = 0
        self._dropped = False

    def add(self, chunk: AudioChunk) -> None:
        if self._dropped:
            return
        self._samples += chunk.samples.size
        if self._samples > self._cache.max_entry_samples:
            self.abort()  # too long to keep: stream on, uncached
            return
        try:
            self._file.write(np.ascontiguousarray(chunk.samples, dtype=np.float32).tobytes())
        except OSError as exc:  # a full disk: the speech streams on, uncached
            log.warning("speech cache entry not written (%s); serving uncached", exc)
            self.abort()
            return
        self._chunks.append((chunk.text, int(chunk.samples.size)))

    def commit(self) -> None:
        if self._dropped:
            return
        self._dropped = True
        try:
            self._file.close()  # flushes: a full disk may show only here
            self._cache._commit(self._key, self._tmp, self._chunks)
        except OSError as exc:
            log.warning("speech cache entry not written (%s); serving uncached", exc)
            self._tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        if not self._dropped:
            self._dropped = True
            with contextlib.suppress(OSError):  # the buffer's flush on a full disk
                self._file.close()
            self._tmp.unlink(missing_ok=True)


