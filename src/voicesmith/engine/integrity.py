"""Checksums and verification stamps for the engine's asset files.

Hashing 120 MB on every server start would cost about a second, so a full
sha256 verification writes a *stamp* (name, size, mtime, checksum per file);
later starts only compare the stamp with ``stat()``, which any edit, partial
copy or replacement of a file changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from voicesmith.errors import AssetsError

_BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def copy_hashed(src: IO[bytes], dest: IO[bytes], *digests: hashlib._Hash) -> int:
    """Copy ``src`` to ``dest`` in blocks, feeding every digest; returns the size."""
    size = 0
    while block := src.read(_BLOCK):
        for digest in digests:
            digest.update(block)
        dest.write(block)
        size += len(block)
    return size


def check_sha256(what: str, expected: str, got: str, *, hint: str) -> None:
    """Raise an AssetsError naming the file and both checksums if they differ."""
    if expected != got:
        raise AssetsError(
            f"Checksum mismatch for {what}: expected sha256 {expected}, got {got}. {hint}"
        )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` so that readers see the old content or the new, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private; the cache may be shared with the
        # account the server runs as, which must read it.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_stamp(stamp: Path, directory: Path, checksums: Mapping[str, str]) -> None:
    """Record that the files ``checksums`` names in ``directory`` were verified."""
    files = {}
    for name, sha in sorted(checksums.items()):
        st = (directory / name).stat()
        files[name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}
    record = {"dir": str(directory.resolve()), "files": files}
    write_atomic(stamp, json.dumps(record, indent=1).encode())


def stamp_matches(
    stamp: Path, directory: Path, names: Iterable[str], pinned: Mapping[str, str]
) -> bool:
    """True if ``stamp`` vouches for exactly ``names`` in ``directory``, unchanged.

    A stamp written under other pins (an upgrade changed a checksum) does not
    match, so the files are verified again rather than trusted.
    """
    try:
        record = json.loads(stamp.read_text())
        if record["dir"] != str(directory.resolve()):
            return False
        files: dict[str, dict[str, object]] = record["files"]
        if set(files) != set(names):
            return False
        for name, entry in files.items():
            st = (directory / name).stat()
            if (
                entry["sha256"] != pinned.get(name)
                or entry["size"] != st.st_size
                or entry["mtime_ns"] != st.st_mtime_ns
            ):
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True
