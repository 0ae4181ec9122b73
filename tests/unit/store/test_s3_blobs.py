"""The S3 blob store against an S3 API on loopback (moto's server mode)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.s3_standin import S3StandIn, s3_standin
from voicesmith.errors import BlobStoreUnavailableError, NotFoundError, StorageKeyError
from voicesmith.store.blobs import open_blob_store
from voicesmith.store.s3_blobs import S3BlobStore


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3StandIn]:
    with s3_standin(tmp_path_factory.mktemp("moto")) as standin:
        yield standin


@pytest.fixture
def store(s3: S3StandIn, request: pytest.FixtureRequest) -> S3BlobStore:
    bucket = s3.create_bucket(request.node.name.lower().replace("_", "-")[:50])
    return S3BlobStore(bucket, "voices/blobs", client=s3.client())


def test_put_get_delete_round_trip(store: S3BlobStore) -> None:
    key = store.put(b"RIFF audio")
    assert key == hashlib.sha256(b"RIFF audio").hexdigest()
    assert store.put(b"RIFF audio") == key  # content-addressed: one object
    assert store.get(key) == b"RIFF audio"
    assert list(store.keys()) == [key]
    store.delete(key)
    store.delete(key)  # gone already: not an error
    with pytest.raises(NotFoundError):
        store.get(key)


def test_objects_live_under_the_prefix(store: S3BlobStore, s3: S3StandIn) -> None:
    key = store.put(b"x")
    names = [o["Key"] for o in s3.client().list_objects_v2(Bucket=store.bucket)["Contents"]]
    assert names == [f"voices/blobs/{key[:2]}/{key}"]


def test_bad_key_never_becomes_an_object_name(store: S3BlobStore) -> None:
    with pytest.raises(StorageKeyError):
        store.get("../../other-bucket/secret")


def test_sweep_removes_only_old_unreferenced_blobs(store: S3BlobStore, s3: S3StandIn) -> None:
    kept, orphan = store.put(b"kept"), store.put(b"orphan")
    # A stray object under the prefix is not a blob: never listed, never swept.
    s3.client().put_object(Bucket=store.bucket, Key="voices/blobs/readme.txt", Body=b"hi")
    assert store.sweep({kept}, grace_seconds=600) == []  # both young: maybe in flight
    assert store.sweep({kept}, grace_seconds=0) == [orphan]
    assert list(store.keys()) == [kept]
    assert s3.client().get_object(Bucket=store.bucket, Key="voices/blobs/readme.txt")


def test_a_store_that_cannot_be_reached_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url="http://127.0.0.1:9", aws_access_key_id="x",
                          aws_secret_access_key="x", region_name="us-east-1",
                          config=Config(connect_timeout=0.5, retries={"max_attempts": 1}))
    dead = S3BlobStore("bucket", "", client=client)
    with pytest.raises(BlobStoreUnavailableError):
        dead.put(b"audio")
    with pytest.raises(BlobStoreUnavailableError):
        dead.get("0" * 64)


def test_missing_bucket_is_unavailable(s3: S3StandIn) -> None:
    store = S3BlobStore("no-such-bucket", "", client=s3.client())
    with pytest.raises(BlobStoreUnavailableError, match="NoSuchBucket"):
        store.put(b"audio")


def test_blob_url_picks_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  s3: S3StandIn) -> None:
    from voicesmith.errors import ValidationError
    from voicesmith.store.file_blobs import FileBlobStore

    assert isinstance(open_blob_store(None, tmp_path / "a"), FileBlobStore)
    chosen = open_blob_store(f"file://{tmp_path / 'b'}", tmp_path / "a")
    assert isinstance(chosen, FileBlobStore) and chosen.root == tmp_path / "b"
    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)
    s3_store = open_blob_store("s3://from-url/some/prefix/", tmp_path)
    assert isinstance(s3_store, S3BlobStore) and s3_store.prefix == "some/prefix/"
    s3.create_bucket("from-url")
    assert s3_store.get(s3_store.put(b"via env")) == b"via env"  # endpoint from AWS_ENDPOINT_URL
    for bad in ("s3://", "ftp://host/x", "file://otherhost/x"):
        with pytest.raises(ValidationError):
            open_blob_store(bad, tmp_path)


def test_last_modified_is_what_the_grace_period_reads(store: S3BlobStore) -> None:
    key = store.put(b"fresh")
    ((listed, modified),) = list(store._listing())
    assert listed == key
    assert abs(modified - datetime.now(UTC)) < timedelta(minutes=5)
