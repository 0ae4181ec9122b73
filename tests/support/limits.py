"""A real "file too large" from the kernel, for tests of full-disk handling.

Lowering this process's RLIMIT_FSIZE makes any write that would grow a file
past the limit fail with EFBIG (Python ignores SIGXFSZ), which the store
treats as a full disk. Only the soft limit is lowered, and it is restored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    resource = pytest.importorskip("resource", reason="RLIMIT_FSIZE is POSIX")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
