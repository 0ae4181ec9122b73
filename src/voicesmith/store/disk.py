"""A full disk, seen from the data layer: one domain error, whatever wrote.

ENOSPC (the filesystem is full), EDQUOT (the user's quota is) and EFBIG (the
file would pass the process's size limit, RLIMIT_FSIZE) all mean the same to a
client: the server could not store this, nothing was changed, and only freeing
space helps. Every other OSError is a fault of another kind and passes through.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from voicesmith.errors import StorageFullError

FULL_ERRNOS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG) if code is not None)


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def storage_full_error(what: str) -> StorageFullError:
    return StorageFullError(
        f"The server's storage is full: {what} could not be written, and nothing was "
        "changed. Free space in the server's data directory (or raise its quota), then "
        "try again.")


@contextmanager
def full_disk_as_domain_error(what: str) -> Iterator[None]:
    """Turn a full-disk OSError raised in the block into ``StorageFullError`` about ``what``."""
    try:
        yield
    except OSError as exc:
        if is_storage_full(exc):
            raise storage_full_error(what) from exc
        raise
