"""No key that is not the store's own shape becomes a path (blob store, speech cache)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import numpy as np
import pytest

from voicesmith.engine.base import AudioChunk
from voicesmith.errors import StorageKeyError
from voicesmith.store.file_blobs import FileBlobStore
from voicesmith.store.speech_cache import SpeechCache

HOSTILE_KEYS = [
    "../../etc/passwd", "..", "", "/etc/passwd", "%2e%2e%2f%2e%2e%2fsentinel",
    "..\\..\\sentinel", "ab/../../../sentinel", "0" * 63 + "/", "0" * 64 + "\n",
    "0" * 32 + "\0" + "0" * 31, "A" * 64, "0" * 65, "0" * 5000,
    # 64 characters that walk out of the store if joined as a path.
    "../../" + "0" * 58,
]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the store, where ``../..`` from inside it would land."""
    sentinel = tmp_path / "sentinel"
    sentinel.write_bytes(b"not yours")
    return sentinel


def untouched(sentinel: Path) -> bool:
    return sentinel.read_bytes() == b"not yours"


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_blob_store_refuses_hostile_keys(tmp_path: Path, outside: Path, key: str) -> None:
    blobs = FileBlobStore(tmp_path / "data" / "blobs")
    for use in (blobs.path_for, blobs.get, blobs.delete):
        with pytest.raises(StorageKeyError, match="Not a storage key"):
            use(key)
    assert untouched(outside)


def test_stray_files_in_the_store_are_no_blobs(tmp_path: Path) -> None:
    """A file someone put in a blob folder is neither listed nor trips the start-up sweep."""
    blobs = FileBlobStore(tmp_path)
    key = blobs.put(b"audio")
    stray = tmp_path / key[:2] / ("Z" * 64)
    stray.write_bytes(b"stray")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    assert list(blobs.keys()) == [key]
    assert blobs.sweep({key}, grace_seconds=60) == []
    assert stray.exists()


def _chunk() -> AudioChunk:
    return AudioChunk(samples=np.zeros(240, dtype=np.float32), sample_rate=24000, text="Hi.",
                      index=0, is_last=True)


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_speech_cache_refuses_hostile_keys(tmp_path: Path, outside: Path, key: str) -> None:
    cache = SpeechCache(tmp_path / "data" / "cache", max_bytes=10**9, max_entry_seconds=60,
                        sample_rate=24000)
    with pytest.raises(StorageKeyError):
        cache.lookup(key)
    with pytest.raises(StorageKeyError):
        cache.writer(key)  # before any temp file is made
    assert untouched(outside)
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]


def test_speech_cache_keys_are_digests(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path, max_bytes=10**9, max_entry_seconds=60, sample_rate=24000)
    key = hashlib.sha256(b"request").hexdigest()
    writer = cache.writer(key)
    assert writer is not None
    writer.add(_chunk())
    writer.commit()
    entry = cache.lookup(key)
    assert entry is not None and entry.audio.parent.parent == tmp_path
