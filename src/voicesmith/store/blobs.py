"""Where audio blobs live: one interface, a local folder or an S3 bucket.

Samples are stored content-addressed: a key is the sha256 hex digest of the
bytes, so the same audio stored twice (a clone's sample is its design
version's sample, byte for byte) is one blob, and a key that is not such a
digest never reaches a path or an object name.

Rows reference blobs by key. Every store keeps the same order of a write: the
blob first, then the row's commit. A crash in between leaves an unreferenced
blob, which ``sweep`` removes at a later start once it is older than the grace
period (younger ones may be another replica's write in flight); it never
leaves a row without its blob.

``VOICESMITH_BLOB_URL`` picks the store: ``file:///path`` (the default is the
data dir's ``blobs`` folder) or ``s3://bucket/prefix`` (boto3; endpoint and
credentials from the standard ``AWS_*`` variables).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from voicesmith.errors import FeatureUnavailableError, StorageKeyError, ValidationError

_DIGEST = re.compile(r"[0-9a-f]{64}")


def checked_digest(key: str) -> str:
    """``key`` if it is a sha256 hex digest (safe as a file or object name), else StorageKeyError."""
    if not isinstance(key, str) or _DIGEST.fullmatch(key) is None:
        raise StorageKeyError(f"Not a storage key (a sha256 hex digest): {key!r:.80}")
    return key


def is_digest(name: str) -> bool:
    return _DIGEST.fullmatch(name) is not None


class BlobStore(Protocol):
    """Immutable, content-addressed blobs; every method may raise a domain error."""

    def put(self, data: bytes) -> str:
        """Store ``data`` durably and return its key (its sha256 hex digest)."""
        ...

    def get(self, key: str) -> bytes:
        """The blob's bytes; NotFoundError if it is missing."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; a missing one is not an error."""
        ...

    def keys(self) -> Iterable[str]:
        ...

    def sweep(self, referenced: set[str], *, grace_seconds: float) -> list[str]:
        """Delete blobs no row references that are older than the grace period; their keys."""
        ...


def open_blob_store(url: str | None, default_dir: Path) -> BlobStore:
    """The store a ``VOICESMITH_BLOB_URL`` names (None: ``default_dir`` on local disk)."""
    from voicesmith.store.file_blobs import FileBlobStore

    if not url:
        return FileBlobStore(default_dir)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValidationError(f"A file:// blob URL names a local folder, not host {parts.netloc!r}")
        return FileBlobStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValidationError("An s3:// blob URL needs a bucket: s3://BUCKET/PREFIX")
        try:
            from voicesmith.store.s3_blobs import S3BlobStore
        except ImportError as exc:  # boto3 is in the cluster extra only
            raise FeatureUnavailableError(
                "s3:// blob storage needs boto3: pip install 'voicesmith[cluster]'") from exc
        return S3BlobStore(parts.netloc, parts.path.strip("/"))
    raise ValidationError(f"VOICESMITH_BLOB_URL must be file:///PATH or s3://BUCKET/PREFIX, not {url!r}")
