from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from tests.support.limits import file_size_limit
from voicesmith.errors import NotFoundError, StorageFullError, StorageKeyError
from voicesmith.store.file_blobs import FileBlobStore


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    blobs = FileBlobStore(tmp_path)
    key = blobs.put(b"RIFF audio")
    assert key == hashlib.sha256(b"RIFF audio").hexdigest()
    assert blobs.put(b"RIFF audio") == key
    assert blobs.get(key) == b"RIFF audio"
    assert list(blobs.keys()) == [key]
    assert not list((tmp_path / "tmp").iterdir())


def test_missing_blob_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        FileBlobStore(tmp_path).get("0" * 64)


def test_bad_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageKeyError):
        FileBlobStore(tmp_path).path_for("../../etc/passwd")


def test_sweep_removes_only_old_unreferenced_files(tmp_path: Path) -> None:
    blobs = FileBlobStore(tmp_path)
    kept, orphan, young = blobs.put(b"kept"), blobs.put(b"orphan"), blobs.put(b"young")
    leftover = tmp_path / "tmp" / "x.part"
    leftover.write_bytes(b"half")
    old = time.time() - 3600
    for key in (kept, orphan):
        os.utime(blobs.path_for(key), (old, old))
    os.utime(leftover, (old, old))
    removed = blobs.sweep({kept}, grace_seconds=600)
    assert removed == [orphan]
    assert set(blobs.keys()) == {kept, young}  # young may be another process's write in flight
    assert not leftover.exists()


def test_a_full_disk_is_storage_full_and_leaves_nothing(tmp_path: Path) -> None:
    blobs = FileBlobStore(tmp_path)
    kept = blobs.put(b"kept audio")
    with file_size_limit(1 << 20), pytest.raises(StorageFullError):
        blobs.put(b"\1" * (2 << 20))  # the kernel refuses the write past 1 MiB (EFBIG)
    assert list(blobs.keys()) == [kept] and blobs.get(kept) == b"kept audio"
    assert not list((tmp_path / "tmp").iterdir())
