"""Crash safety with samples in S3 (moto's server on loopback, a stand-in for S3).

The same order as on disk: the sample is written, then the row commits. A
process killed in between leaves an unreferenced object, which the next start
sweeps; an object a row references is never swept, and a store that cannot be
reached is a 503 that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import telnyx

from tests.e2e.server import RunningServer, server_env
from tests.support.s3_standin import S3StandIn, s3_standin
from voicesmith.faults import CRASH_EXIT_CODE


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3StandIn]:
    with s3_standin(tmp_path_factory.mktemp("moto")) as standin:
        yield standin


def objects(s3: S3StandIn, bucket: str) -> set[str]:
    listing = s3.client().list_objects_v2(Bucket=bucket)
    return {o["Key"] for o in listing.get("Contents", [])}


def test_a_crash_between_sample_and_row_leaves_an_object_the_next_start_sweeps(
        tmp_path: Path, tiny_model: Path, s3: S3StandIn) -> None:
    bucket = s3.create_bucket("crash-sweep")
    env = server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_BLOB_URL=f"s3://{bucket}/b",
                     VOICESMITH_ORPHAN_GRACE_SECONDS="0", **s3.env)
    server = RunningServer(tmp_path, env).start()
    kept = server.client().voice_designs.create(name="kept", prompt="A calm voice", text="Kept.")
    before = objects(s3, bucket)
    assert len(before) == 1
    server.stop()

    crashing = RunningServer(tmp_path, {**env, "VOICESMITH_CRASH_AT": "design.before_commit"},
                             key=server.key).start()
    with pytest.raises(telnyx.APIConnectionError):
        crashing.client(max_retries=0).voice_designs.create(name="half", prompt="A bright voice",
                                                            text="Never committed.")
    assert crashing.proc is not None and crashing.proc.wait(60) == CRASH_EXIT_CODE
    assert len(objects(s3, bucket)) == 2  # the orphan the crash left

    restarted = RunningServer(tmp_path, env, key=server.key).start()
    try:
        assert objects(s3, bucket) == before  # swept; the referenced one kept
        names = {d.name for d in restarted.client().voice_designs.list().data}
        assert names == {"kept"}
        assert len(restarted.client().voice_designs.download_sample(kept.data.id).read()) > 1000
    finally:
        restarted.stop()


def test_an_unreachable_store_is_a_503_and_stores_nothing(tmp_path: Path, tiny_model: Path,
                                                          s3: S3StandIn) -> None:
    env = server_env(VOICESMITH_MODEL_PATH=str(tiny_model),
                     VOICESMITH_BLOB_URL="s3://no-such-bucket/b", **s3.env)
    server = RunningServer(tmp_path, env).start()
    try:
        with pytest.raises(telnyx.APIStatusError) as refused:
            server.client(max_retries=0).voice_designs.create(name="lost", prompt="A voice",
                                                              text="Hello.")
        assert refused.value.status_code == 503
        assert refused.value.response.headers["retry-after"] == "1"
        assert refused.value.response.json()["errors"][0]["code"] == "10014"
        assert server.client().voice_designs.list().data == []
    finally:
        server.stop()
