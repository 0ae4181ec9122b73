"""Faults a server meets in production: a full disk and a locked database.

A write that cannot be stored answers 507 in the Telnyx envelope and stores
nothing; speech is still served (its cache is only an optimization); a write
that finds the database locked waits for it (SQLite's busy handler) and, if it
stays locked past ``VOICESMITH_DATABASE_BUSY_TIMEOUT_SECONDS``, answers 503
with Retry-After. Nothing ever answers 500, and what was stored before reads
back byte for byte afterwards.

The full disk is real: a small tmpfs where this machine lets the test mount one
(root), else that test is skipped; and everywhere, a file-size limit on the
server process (RLIMIT_FSIZE), under which the kernel fails a write that would
grow a file past it (EFBIG).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import telnyx

from tests.e2e.consistency import (
    assert_audio_ids_whole,
    assert_cache_whole,
    assert_consistent,
    blob_files,
    leftovers,
)
from tests.e2e.server import RunningServer, server_env
from tests.e2e.test_crash_safety import audio_by_id, speak
from tests.e2e.test_voice_designs import create, unique

SENTENCE = "This is one more sentence of the long sample text."
# About 47 s of speech on the tiny model: a 4.5 MB WAV, a 9 MB cache entry.
LONG_TEXT = " ".join([SENTENCE] * 60)


def the_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error object of an envelope with this status and code."""
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert len(errors) == 1 and errors[0]["code"] == code, errors
    return errors[0]  # type: ignore[no-any-return]


def assert_storage_full(response: httpx.Response) -> None:
    error = the_error(response, 507, "10013")
    assert "storage is full" in error["detail"] and "nothing was changed" in error["detail"]
    assert response.headers["x-should-retry"] == "false"  # only freeing space helps


def refused(call: Callable[[], object]) -> httpx.Response:
    with pytest.raises(telnyx.APIStatusError) as caught:
        call()
    return caught.value.response


def nothing_half_written(data_dir: Path) -> None:
    assert leftovers(data_dir / "blobs" / "tmp") == []
    assert_cache_whole(data_dir)
    assert_audio_ids_whole(data_dir)


# -- a full disk -----------------------------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB tmpfs of its own, or a skip saying why there cannot be one."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs Linux's mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                    f"{done.stderr.strip()}; the RLIMIT_FSIZE test covers a full disk anyway")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the filesystem has not one byte left; the file, to free it later."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b"\0" * size
            while True:
                try:
                    os.write(fd, block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    return filler


def test_full_filesystem_answers_507_and_loses_nothing(small_filesystem: Path,
                                                       tiny_model: Path) -> None:
    server = RunningServer(small_filesystem,
                           server_env(VOICESMITH_MODEL_PATH=str(tiny_model))).start()
    try:
        client = server.client(max_retries=0)
        kept = create(client, "kept")
        kept_wav = client.voice_designs.download_sample(kept.id).read()
        kept_audio_id = speak(server, "Audio kept for later.", "audio_id").json()["audio_id"]
        kept_audio = audio_by_id(server, kept_audio_id).content
        blobs_before = blob_files(small_filesystem)
        filler = fill(small_filesystem)

        # Writes that must store something answer 507 and store nothing.
        clone_request: Any = {"name": "clone-while-full", "voice_design_id": kept.id,
                              "language": "en", "gender": "male"}
        for call in (lambda: create(client, "while-full"),
                     lambda: client.voice_designs.create(voice_design_id=kept.id,
                                                         prompt="Again", text="Again."),
                     lambda: client.voice_designs.rename(kept.id, name="renamed-while-full"),
                     lambda: client.voice_clones.create(voice_clone_request=clone_request)):
            assert_storage_full(refused(call))
        # Speech is served whole: only its cache entry could not be kept.
        spoken = speak(server, "Words spoken while the disk is full.")
        assert spoken.status_code == 200 and spoken.headers["x-voicesmith-cache"] == "miss"
        # Audio to keep for later cannot be kept: its download says why.
        job = speak(server, "Audio that cannot be kept.", "audio_id").json()["audio_id"]
        assert_storage_full(audio_by_id(server, job))
        assert client.voice_designs.retrieve("kept").data.version == 1  # reads go on
        nothing_half_written(small_filesystem)
        assert blob_files(small_filesystem) == blobs_before

        filler.unlink()
        assert client.voice_designs.download_sample(kept.id).read() == kept_wav
        assert audio_by_id(server, kept_audio_id).content == kept_audio
        for name in ("while-full", "renamed-while-full"):
            with pytest.raises(telnyx.NotFoundError):
                client.voice_designs.retrieve(name)
        assert create(client, "while-full").version == 1  # space again: it works
        again = speak(server, "Words spoken while the disk is full.")
        assert again.content == spoken.content  # what was served then was the whole speech
        assert speak(server, "Words spoken while the disk is full.").headers[
            "x-voicesmith-cache"] == "hit"
        assert_consistent(server)
    finally:
        server.stop()


def file_size_limit(limit: int) -> list[str]:
    """A launcher that limits the server's files to ``limit`` bytes, then execs the server."""
    script = ("import os, resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))\n"
              "os.execv(sys.argv[2], sys.argv[2:])\n")
    return [sys.executable, "-c", script, str(limit)]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_file_size_limit_answers_507_and_loses_nothing(tmp_path: Path, tiny_model: Path) -> None:
    # 4 MiB per file: the database's files (its WAL holds each voice's style, ~0.6 MB a
    # design) stay under it in this test; a long sample, cache entry or audio does not.
    server = RunningServer(tmp_path, server_env(VOICESMITH_MODEL_PATH=str(tiny_model)),
                           launcher=file_size_limit(4 << 20)).start()
    try:
        client = server.client(max_retries=0)
        kept = create(client, "kept")
        kept_wav = client.voice_designs.download_sample(kept.id).read()
        blobs_before = blob_files(tmp_path)

        assert_storage_full(refused(lambda: create(client, "too-long", text=LONG_TEXT,
                                                   max_new_tokens=4096)))
        assert_storage_full(refused(lambda: client.voice_designs.create(
            voice_design_id=kept.id, prompt="Again", text=LONG_TEXT, max_new_tokens=4096)))
        with pytest.raises(telnyx.NotFoundError):
            client.voice_designs.retrieve("too-long")
        assert client.voice_designs.retrieve("kept").data.version == 1

        # The cache cannot hold this speech; the speech is served whole all the same.
        first, second = speak(server, LONG_TEXT), speak(server, LONG_TEXT)
        assert first.status_code == second.status_code == 200
        assert second.headers["x-voicesmith-cache"] == "miss" and first.content == second.content
        assert len(first.content) > 4 << 20

        job = speak(server, LONG_TEXT, "audio_id").json()["audio_id"]
        first_try = audio_by_id(server, job)  # may stream what was written before the limit
        assert first_try.status_code in (200, 507)
        assert_storage_full(audio_by_id(server, job))  # the job has ended: it says why

        nothing_half_written(tmp_path)
        assert blob_files(tmp_path) == blobs_before
        assert client.voice_designs.download_sample(kept.id).read() == kept_wav
        assert_consistent(server)
    finally:
        server.stop()


# -- a locked database -------------------------------------------------------------

BUSY_TIMEOUT_S = 4


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory,
                tiny_model: Path) -> Iterator[RunningServer]:
    server = RunningServer(tmp_path_factory.mktemp("busy"), server_env(
        VOICESMITH_MODEL_PATH=str(tiny_model),
        VOICESMITH_DATABASE_BUSY_TIMEOUT_SECONDS=str(BUSY_TIMEOUT_S))).start()
    yield server
    server.stop()


@contextmanager
def write_lock(server: RunningServer) -> Iterator[None]:
    """Another writer holding the database (as an operator's sqlite3 shell would)."""
    db = sqlite3.connect(server.data_dir / "voicesmith.db", isolation_level=None, timeout=30)
    try:
        db.execute("BEGIN EXCLUSIVE")  # in WAL mode: the write lock; readers go on
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


def test_a_short_lock_is_waited_out(busy_server: RunningServer) -> None:
    client = busy_server.client(max_retries=0)
    design = create(client, unique("short"))
    new_name, created = unique("renamed"), unique("created")
    outcomes: dict[str, object] = {}

    def run(what: str, call: Callable[[], object]) -> None:
        try:
            outcomes[what] = call()
        except Exception as exc:  # recorded, and the assertion below shows it
            outcomes[what] = exc

    calls = {"rename": lambda: client.voice_designs.rename(design.id, name=new_name),
             "create": lambda: create(client, created)}
    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    with write_lock(busy_server):
        for t in threads:
            t.start()
        threads[0].join(1.0)
        assert threads[0].is_alive() and not outcomes  # waiting for the lock, not failed
    for t in threads:
        t.join(60)
    assert client.voice_designs.retrieve(design.id).data.name == new_name, outcomes
    assert client.voice_designs.retrieve(created).data.version == 1, outcomes


def test_a_lock_held_past_the_wait_answers_503_and_changes_nothing(
        busy_server: RunningServer) -> None:
    client = busy_server.client(max_retries=0)
    design = create(client, unique("long"))
    wav = client.voice_designs.download_sample(design.id).read()
    blocked, renamed = unique("blocked"), unique("renamed")
    blobs_before = blob_files(busy_server.data_dir)
    calls: list[Callable[[], object]] = [
        lambda: create(client, blocked),
        lambda: client.voice_designs.rename(design.id, name=renamed),
        lambda: client.voice_designs.delete(design.id),
    ]
    with write_lock(busy_server):
        assert client.voice_designs.retrieve(design.id).data.name == design.name  # reads go on
        with ThreadPoolExecutor(len(calls)) as pool:  # they wait out the timeout together
            responses = list(pool.map(refused, calls))
    for response in responses:
        error = the_error(response, 503, "10014")
        assert "busy" in error["detail"] and "Nothing was changed" in error["detail"]
        assert response.headers["retry-after"] == "1"
        assert "x-should-retry" not in response.headers  # retrying is the fix

    assert client.voice_designs.retrieve(design.id).data.name == design.name
    assert client.voice_designs.download_sample(design.id).read() == wav
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.retrieve(blocked)
    assert blob_files(busy_server.data_dir) == blobs_before  # the sample made for it is gone
    assert_consistent(busy_server)
    assert create(client, blocked).version == 1  # unlocked: the same request succeeds
