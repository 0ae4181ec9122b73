"""What every fault test checks after its fault: the data dir is whole.

Every row's audio exists and every audio file belongs to a row; every speech
cache entry and every audio_id file is complete (audio and index together);
no temporary file is left behind.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import telnyx

from tests.e2e.server import RunningServer


def blob_files(data_dir: Path) -> set[str]:
    return {p.name for p in (data_dir / "blobs").glob("??/*")}


def referenced_keys(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "voicesmith.db") as db:
        rows = db.execute("SELECT sample_key FROM voice_design_versions "
                          "UNION SELECT sample_key FROM voice_clones").fetchall()
    return {r[0] for r in rows}


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def assert_cache_whole(data_dir: Path) -> None:
    """Each speech cache entry has its audio and its index; no temp file remains."""
    cache = data_dir / "speech-cache"
    audio = {p.stem for p in cache.glob("??/*.f32")}
    index = {p.stem for p in cache.glob("??/*.json")}
    assert audio == index, (audio ^ index)
    assert leftovers(cache / "tmp") == []


def assert_audio_ids_whole(data_dir: Path) -> None:
    """Each kept audio_id file has its sidecar and the reverse; nothing half-written."""
    folder = data_dir / "speech-audio"
    files = leftovers(folder)
    assert not [p for p in files if p.suffix in (".part", ".tmp")]
    sidecars = [p for p in files if p.suffix == ".json"]
    named = {json.loads(p.read_text())["file"] for p in sidecars}
    assert named == {p.name for p in files if p.suffix != ".json"}


def assert_consistent(server: RunningServer) -> None:
    """Every stored version and clone has its audio, and every file belongs to something."""
    data_dir = server.data_dir
    assert blob_files(data_dir) == referenced_keys(data_dir)
    assert leftovers(data_dir / "blobs" / "tmp") == []
    client = server.client()
    for d in client.voice_designs.list(page_size=250):
        full = client.voice_designs.retrieve(d.id).data
        for v in range(1, full.version + 1):
            try:
                client.voice_designs.download_sample(d.id, version=v).read()
            except telnyx.NotFoundError:
                continue  # a deleted version number
    for c in client.voice_clones.list(page_size=250):
        assert client.voice_clones.download_sample(c.id).read()
    assert_cache_whole(data_dir)
    assert_audio_ids_whole(data_dir)
