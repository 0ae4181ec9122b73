"""Blobs as objects in an S3 bucket (``VOICESMITH_BLOB_URL=s3://bucket/prefix``).

boto3 reads the endpoint (``AWS_ENDPOINT_URL``, for an S3-compatible store),
the region and the credentials from the standard AWS variables and files, so
an operator configures it as any other S3 client. A PUT is atomic in S3: a
reader sees the whole object or none, so no temporary object is needed; the
crash-safety order (blob, then row) is the same as on disk.

Each put re-uploads even when the key exists: that refreshes the object's
LastModified, so the sweep's grace period also covers a blob that another
replica is about to reference again. A store that cannot be reached answers
``BlobStoreUnavailableError`` (503, retry), never a 500.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from voicesmith.errors import BlobStoreUnavailableError, NotFoundError
from voicesmith.store.blobs import checked_digest, is_digest

T = TypeVar("T")
_MISSING = {"NoSuchKey", "404", "NotFound"}
# Bounded waits and boto3's standard retry mode (backoff on throttling and 5xx).
_CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=30,
                        retries={"max_attempts": 4, "mode": "standard"})


class S3BlobStore:
    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self._s3 = client or boto3.client("s3", config=_CLIENT_CONFIG)

    def object_name(self, key: str) -> str:
        checked_digest(key)
        return f"{self.prefix}{key[:2]}/{key}"

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        name = self.object_name(key)
        self._call("write the audio", lambda: self._s3.put_object(
            Bucket=self.bucket, Key=name, Body=data, ContentType="audio/wav"))
        return key

    def get(self, key: str) -> bytes:
        name = self.object_name(key)
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=name)
            body: bytes = response["Body"].read()
            return body
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise NotFoundError("The audio for this resource is missing") from None
            raise _unavailable("read the audio", exc) from exc
        except BotoCoreError as exc:
            raise _unavailable("read the audio", exc) from exc

    def delete(self, key: str) -> None:
        name = self.object_name(key)
        self._call("delete the audio", lambda: self._s3.delete_object(Bucket=self.bucket, Key=name))

    def keys(self) -> Iterable[str]:
        return (key for key, _ in self._listing())

    def sweep(self, referenced: set[str], *, grace_seconds: float) -> list[str]:
        cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
        removed: list[str] = []
        for key, modified in list(self._listing()):
            if key not in referenced and modified <= cutoff:
                self.delete(key)
                removed.append(key)
        return removed

    def _listing(self) -> Iterator[tuple[str, datetime]]:
        pages = self._call("list the audio", lambda: list(
            self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)))
        for page in pages:
            for obj in page.get("Contents", []):
                name = obj["Key"].rsplit("/", 1)[-1]
                if is_digest(name) and obj["Key"] == self.object_name(name):  # a stray object is no blob
                    yield name, obj["LastModified"]

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise _unavailable(what, exc) from exc


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _unavailable(what: str, exc: Exception) -> BlobStoreUnavailableError:
    return BlobStoreUnavailableError(
        f"The object store could not {what} ({type(exc).__name__}: {exc}); nothing was changed. "
        "Try again shortly.")
