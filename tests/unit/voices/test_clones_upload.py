"""CloneService.create_from_upload: what is stored, and that nothing is on any error.

The capture itself is replaced by a fake (the real one is tested in
tests/unit/cloning and end to end); decoding is the real one.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

import voicesmith.voices.uploads as uploads_module
from tests.unit.cloning.conftest import SPEECH
from voicesmith.api.errors import envelope, status_for
from voicesmith.cloning import availability
from voicesmith.engine.base import VoiceStyle
from voicesmith.errors import (
    AudioProcessingError,
    BusyError,
    ConflictError,
    FeatureUnavailableError,
    SynthesisError,
    UploadAudioError,
)
from voicesmith.store.database import open_database
from voicesmith.store.file_blobs import FileBlobStore
from voicesmith.store.models import VoiceClone, utcnow
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.clones import CloneService
from voicesmith.voices.uploads import CapturedUpload, CloneFromUpload, UploadCapturer

ORG = "acme"
STYLE = VoiceStyle(np.full((510, 256), 0.25, np.float32), speed=1.1)
POST = {"kind": "world_f0_warp", "version": 1, "f0_ratio": 1.1, "warp": 0.96}


class FakeCapturer(UploadCapturer):
    """Captures instantly (or after ``delay``), or fails with ``error``; records the gender."""

    def __init__(self, *, delay: float = 0.0, error: Exception | None = None,
                 gate: threading.Event | None = None) -> None:
        super().__init__(None)
        self.delay, self.error, self.gate = delay, error, gate
        self.genders: list[str | None] = []

    def _fit(self, req, checked, recording, engine):  # type: ignore[no-untyped-def]
        self.genders.append(checked.capture_gender)
        if self.gate is not None:
            self.gate.wait(5)
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return CapturedUpload(style=STYLE, postprocess=POST,
                              report={"selected": {"name": "am_fake"}, "gender": "male"})


@pytest.fixture(autouse=True)
def _clone_extra_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads_module, "require_capture", lambda: None)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


def service(sessions: sessionmaker[Session], blobs: FileBlobStore, capturer: UploadCapturer,
            sync_wait_s: float = 10.0) -> CloneService:
    return CloneService(sessions, blobs, stock_cache_path=blobs.root.parent / "stock.json",
                        uploads=capturer, sync_wait_s=sync_wait_s)


def request(name: str = "narrator", audio: bytes | None = None, **kw: object) -> CloneFromUpload:
    return CloneFromUpload(name=name, language=str(kw.pop("language", "en")),
                           gender=str(kw.pop("gender", "male")),
                           audio=SPEECH.read_bytes() if audio is None else audio,
                           filename="speech.flac", **kw)  # type: ignore[arg-type]


def stored(sessions: sessionmaker[Session]) -> list[VoiceClone]:
    with UnitOfWork(sessions) as uow:
        return list(uow.session.query(VoiceClone))


def test_capture_is_stored_with_the_trimmed_recording_as_sample(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    clones = service(sessions, blobs, FakeCapturer())
    clone = clones.create_from_upload(ORG, request(label="calm", ref_text="Some words."), None)  # type: ignore[arg-type]
    assert clone.status == "active" and clone.source == "upload"
    assert clone.source_design_id is None and clone.model_id == "Qwen3TTS"
    again = clones.get(ORG, "narrator")
    assert VoiceStyle.from_bytes(again.style).speed == 1.1
    assert np.array_equal(VoiceStyle.from_bytes(again.style).pack, STYLE.pack)
    assert again.postprocess == POST and again.capture["selected"]["name"] == "am_fake"
    assert again.capture["recording"]["speech_s"] <= 10.01  # the first 10 s of speech
    assert again.engine_language == "en-us" and again.label == "calm"
    wav = clones.sample(ORG, clone.id)
    assert wav[:4] == b"RIFF" and len(wav) == again.sample_size
    assert list(blobs.keys()) == [again.sample_key]


def test_neutral_lets_capture_tell_the_gender(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    fake = FakeCapturer()
    clone = service(sessions, blobs, fake).create_from_upload(ORG, request(gender="neutral"), None)  # type: ignore[arg-type]
    assert fake.genders == [None] and clone.gender == "neutral"


@pytest.mark.parametrize(("req", "error"), [
    (request(audio=b"not audio at all" * 64), AudioProcessingError),
    (request(audio=b""), UploadAudioError),
    (request(audio=np.zeros(48_000 * 5, np.int16).tobytes()), AudioProcessingError),
    (request(gender="robot"), uploads_module.ValidationError),
    (request(model_id="Ultra"), uploads_module.ValidationError),
    (request(language="de"), uploads_module.ValidationError),
])
def test_bad_requests_store_nothing(sessions, blobs, req, error) -> None:  # type: ignore[no-untyped-def]
    fake = FakeCapturer()
    with pytest.raises(error):
        service(sessions, blobs, fake).create_from_upload(ORG, req, None)  # type: ignore[arg-type]
    assert stored(sessions) == [] and list(blobs.keys()) == [] and fake.genders == []


def test_a_failed_capture_stores_nothing(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    clones = service(sessions, blobs, FakeCapturer(error=SynthesisError("engine down")))
    with pytest.raises(SynthesisError):
        clones.create_from_upload(ORG, request(), None)  # type: ignore[arg-type]
    assert stored(sessions) == [] and list(blobs.keys()) == []


def test_name_conflict_is_found_before_decoding(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    clones = service(sessions, blobs, FakeCapturer())
    first = clones.create_from_upload(ORG, request(), None)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        clones.create_from_upload(ORG, request(audio=b"garbage"), None)  # type: ignore[arg-type]
    assert [c.id for c in stored(sessions)] == [first.id] and len(list(blobs.keys())) == 1


def test_slow_capture_answers_pending_then_becomes_active(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    clones = service(sessions, blobs, FakeCapturer(delay=0.5), sync_wait_s=0.05)
    clone = clones.create_from_upload(ORG, request(), None)  # type: ignore[arg-type]
    assert clone.status == "pending"
    # The sample (the recording) is there at once; the voice comes with the capture.
    assert clones.sample(ORG, clone.id)[:4] == b"RIFF"
    deadline = time.monotonic() + 5
    while clones.get(ORG, clone.id).status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    done = clones.get(ORG, clone.id)
    assert done.status == "active" and done.postprocess == POST


def test_slow_capture_that_fails_is_reported_failed(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    fake = FakeCapturer(delay=0.3, error=SynthesisError("the engine produced no audio"))
    clones = service(sessions, blobs, fake, sync_wait_s=0.01)
    clone = clones.create_from_upload(ORG, request(), None)  # type: ignore[arg-type]
    deadline = time.monotonic() + 5
    while clones.get(ORG, clone.id).status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    failed = clones.get(ORG, clone.id)
    assert failed.status == "failed" and "no audio" in failed.capture["error"]


def test_a_full_queue_is_busy_and_stores_nothing(sessions, blobs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(uploads_module, "MAX_QUEUED", 1)
    gate = threading.Event()
    clones = service(sessions, blobs, FakeCapturer(gate=gate), sync_wait_s=0.01)
    first = clones.create_from_upload(ORG, request("one"), None)  # type: ignore[arg-type]
    with pytest.raises(BusyError):
        clones.create_from_upload(ORG, request("two"), None)  # type: ignore[arg-type]
    gate.set()
    assert [c.id for c in stored(sessions)] == [first.id]


def test_stale_pending_clones_are_failed_at_start(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    old = utcnow() - timedelta(hours=1)
    with UnitOfWork(sessions) as uow:
        uow.add(VoiceClone(organization=ORG, name="orphan", source="upload", status="pending",
                           engine_language="en-us", style=b"", sample_key="0" * 64, sample_size=1,
                           created_at=old, updated_at=old))
        uow.commit()
    clones = service(sessions, blobs, FakeCapturer())
    clone = clones.get(ORG, "orphan")
    assert clone.status == "failed" and "upload the recording again" in clone.capture["error"]
    # One that goes stale while this server runs is failed when read.
    with UnitOfWork(sessions) as uow:
        uow.add(VoiceClone(organization=ORG, name="later", source="upload", status="pending",
                           engine_language="en-us", style=b"", sample_key="1" * 64, sample_size=1,
                           created_at=old, updated_at=old))
        uow.commit()
    assert clones.get(ORG, "later").status == "failed"


def test_without_the_clone_extra_upload_is_a_clear_503(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = availability.importlib.util.find_spec
    monkeypatch.setattr(availability.importlib.util, "find_spec",
                        lambda name: None if name == "resemblyzer" else real_find_spec(name))
    assert availability.missing_capture_packages() == ["resemblyzer"]
    with pytest.raises(FeatureUnavailableError) as caught:
        availability.require_capture()
    assert "voicesmith[clone]" in caught.value.detail
    # A 503, but not one the SDKs should retry: only an install fixes it.
    assert status_for(caught.value) == 503
    response = envelope(503, [], retry=caught.value.retryable)
    assert response.headers["x-should-retry"] == "false"


class FakeQueue:
    """Stands in for the PostgreSQL job queue: records what the replica defers."""

    def __init__(self) -> None:
        self.deferred: list[tuple[str, str | None]] = []

    def defer(self, clone_id: str, *, ref_text: str | None) -> None:
        self.deferred.append((clone_id, ref_text))


def queued(sessions: sessionmaker[Session], blobs: FileBlobStore, capturer: UploadCapturer,
           queue: FakeQueue) -> CloneService:
    return CloneService(sessions, blobs, stock_cache_path=blobs.root.parent / "stock.json",
                        uploads=capturer, sync_wait_s=0.3, queue=queue)


def test_a_queued_capture_is_pending_until_a_worker_runs_it(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    queue, capturer = FakeQueue(), FakeCapturer()
    replica = queued(sessions, blobs, capturer, queue)
    clone = replica.create_from_upload(ORG, request(ref_text="Some words."), None)  # type: ignore[arg-type]
    assert clone.status == "pending" and queue.deferred == [(clone.id, "Some words.")]
    assert capturer.genders == []  # the replica never captures
    worker = queued(sessions, blobs, FakeCapturer(), FakeQueue())
    worker.run_queued_capture(clone.id, "Some words.", None)  # type: ignore[arg-type]
    assert replica.get(ORG, clone.id).status == "active"
    worker.run_queued_capture(clone.id, None, None)  # type: ignore[arg-type]  # a job run twice
    assert replica.get(ORG, clone.id).status == "active"


def test_a_queued_capture_that_crashes_marks_its_clone_failed(sessions, blobs) -> None:  # type: ignore[no-untyped-def]
    replica = queued(sessions, blobs, FakeCapturer(), FakeQueue())
    clone = replica.create_from_upload(ORG, request(), None)  # type: ignore[arg-type]
    worker = queued(sessions, blobs, FakeCapturer(error=RuntimeError("a bug")), FakeQueue())
    with pytest.raises(RuntimeError):
        worker.run_queued_capture(clone.id, None, None)  # type: ignore[arg-type]
    failed = replica.get(ORG, clone.id)
    assert failed.status == "failed" and "internal error" in failed.capture["error"]
