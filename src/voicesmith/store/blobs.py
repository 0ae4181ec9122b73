"""Content-addressed blob store for audio, under the data dir.

A blob is written to a temporary file, fsynced and renamed into place, so a
reader never sees half a file. Keys are the sha256 of the content, so the same
audio stored twice (a clone's sample is its design version's sample, byte for
byte) is one file.

Rows reference blobs by key. The order of a write is: blob first, then the
row's commit. A crash in between leaves an unreferenced file, which
``sweep`` removes at the next start; it never leaves a row without its file.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from voicesmith.errors import NotFoundError


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        final = self.path_for(key)
        if final.exists():
            return key
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp / f"{uuid.uuid4().hex}.part"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError:
            raise NotFoundError("The audio for this resource is missing") from None

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def keys(self) -> Iterable[str]:
        for sub in self.root.iterdir():
            if sub.is_dir() and len(sub.name) == 2:
                for f in sub.iterdir():
                    if len(f.name) == 64:
                        yield f.name

    def sweep(self, referenced: set[str], *, grace_seconds: float) -> list[str]:
        """Delete unreferenced blobs and leftover temp files older than the grace period.

        The grace period protects writes in flight from another server process
        sharing this data dir (blob written, row not yet committed).
        """
        cutoff = time.time() - grace_seconds
        removed: list[str] = []
        for tmp in self._tmp.iterdir():
            if tmp.stat().st_mtime <= cutoff:
                tmp.unlink(missing_ok=True)
        for key in list(self.keys()):
            path = self.path_for(key)
            if key not in referenced and path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                removed.append(key)
        return removed


def _fsync_dir(path: Path) -> None:
    # Make the rename itself durable.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
