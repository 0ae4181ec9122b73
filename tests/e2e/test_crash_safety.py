"""Killing the server mid-creation loses nothing committed and leaves no orphan audio."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
import telnyx

from tests.e2e.server import RunningServer, server_env
from tests.e2e.test_voice_designs import create


def blob_files(data_dir: Path) -> set[str]:
    return {p.name for p in (data_dir / "blobs").glob("??/*")}


def referenced_keys(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "voicesmith.db") as db:
        rows = db.execute("SELECT sample_key FROM voice_design_versions "
                          "UNION SELECT sample_key FROM voice_clones").fetchall()
    return {r[0] for r in rows}


def assert_consistent(server: RunningServer) -> None:
    """Every stored version has its audio, and every audio file belongs to a row."""
    assert blob_files(server.data_dir) == referenced_keys(server.data_dir)
    client = server.client()
    for d in client.voice_designs.list(page_size=250):
        full = client.voice_designs.retrieve(d.id).data
        for v in range(1, full.version + 1):
            try:
                client.voice_designs.download_sample(d.id, version=v).read()
            except telnyx.NotFoundError:
                continue  # a deleted version number
    assert not list((server.data_dir / "blobs" / "tmp").iterdir())


@pytest.mark.parametrize("crash_point", ["after_sample_write", "before_commit"])
def test_crash_between_audio_and_row(tmp_path: Path, tiny_model: Path, crash_point: str) -> None:
    env = server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_ORPHAN_GRACE_SECONDS="0")
    server = RunningServer(tmp_path, env).start()
    kept = create(server.client(), "committed-before")
    kept_wav = server.client().voice_designs.download_sample(kept.id).read()
    server.stop()

    crashing = RunningServer(tmp_path, {**env, "VOICESMITH_CRASH_AT": crash_point}, key=server.key)
    crashing.start()
    with pytest.raises(telnyx.APIConnectionError):
        create(crashing.client(max_retries=0), "lost-in-crash")
    assert crashing.proc is not None and crashing.proc.wait(10) == 70
    assert len(blob_files(tmp_path)) == 2  # the crash left the new sample behind...

    restarted = RunningServer(tmp_path, env, key=server.key).start()
    try:
        client = restarted.client()
        assert client.voice_designs.download_sample(kept.id).read() == kept_wav
        with pytest.raises(telnyx.NotFoundError):
            client.voice_designs.retrieve("lost-in-crash")
        assert_consistent(restarted)  # ...and the restart swept it.
        # The name is free again: the half-made design never existed.
        assert create(client, "lost-in-crash").version == 1
    finally:
        restarted.stop()


def test_sigkill_under_concurrent_creations(tmp_path: Path, tiny_model: Path) -> None:
    env = server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_ORPHAN_GRACE_SECONDS="0")
    server = RunningServer(tmp_path, env).start()
    base = create(server.client(), "anchor")
    stop = threading.Event()

    def hammer(worker: int) -> None:
        client = server.client(max_retries=0, timeout=10)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                client.voice_designs.create(name=f"w{worker}-{i}", prompt="A calm voice",
                                            text="Some words to speak now. And a second sentence.")
                client.voice_designs.create(voice_design_id=base.id, prompt="Another take",
                                            text="More words.")
            except (telnyx.APIConnectionError, telnyx.APIStatusError, httpx.HTTPError):
                return

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    server.kill()
    stop.set()
    for t in threads:
        t.join(15)

    restarted = RunningServer(tmp_path, env, key=server.key).start()
    try:
        assert restarted.client().voice_designs.retrieve("anchor").data.id == base.id
        assert_consistent(restarted)
    finally:
        restarted.stop()
