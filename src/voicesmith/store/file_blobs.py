"""Blobs as files under a local folder (the default: the data dir's ``blobs``).

A blob is written to a temporary file, fsynced and renamed into place, so a
reader never sees half a file. Several server processes may share the folder
(replicas on one machine, or a shared mount): a rename is atomic, and the
sweep's grace period spares another process's write in flight.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from voicesmith.errors import NotFoundError
from voicesmith.store.blobs import checked_digest, is_digest
from voicesmith.store.disk import full_disk_as_domain_error


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        checked_digest(key)
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        final = self.path_for(key)
        if final.exists():
            return key
        tmp = self._tmp / f"{uuid.uuid4().hex}.part"
        try:
            with full_disk_as_domain_error("the audio"):
                final.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, final)
                _fsync_dir(final.parent)
        finally:
            # Gone once renamed; on any failure, no half file is left to fill the disk.
            tmp.unlink(missing_ok=True)
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
                    if is_digest(f.name):  # a stray file is no blob
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
