"""Designs and clones made by a remote provider: nothing is half-stored on any failure.

The provider is a fake (MiniMax's own client is tested in tests/unit/providers
and end to end against a fake MiniMax server); the database and blobs are real.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.unit.cloning.conftest import SPEECH
from voicesmith.audio.wav import encode_wav
from voicesmith.engine.base import AudioChunk
from voicesmith.errors import ConflictError, ProviderError
from voicesmith.providers import Providers, RemoteDesign, RemoteVoice
from voicesmith.store.database import open_database
from voicesmith.store.file_blobs import FileBlobStore
from voicesmith.store.models import VoiceClone, VoiceDesign, VoiceDesignVersion
from voicesmith.voices.clones import CloneFromDesign, CloneService
from voicesmith.voices.designs import DesignRequest, DesignService
from voicesmith.voices.uploads import CloneFromUpload

ORG = "acme"


class FakeProvider:
    name = "minimax"
    supported_models = ["speech-02-hd"]
    default_model = "speech-02-hd"

    def __init__(self) -> None:
        self.deleted: list[tuple[str, bool]] = []
        self.during_call: Callable[[], None] = lambda: None
        self.fail_delete = False
        self.made = 0

    def design(self, prompt: str, preview_text: str) -> RemoteDesign:
        self.during_call()
        self.made += 1
        return RemoteDesign(f"ttv-{self.made}", encode_wav(np.zeros(2400, np.float32), 24000))

    def clone_upload(self, audio: bytes, filename: str | None) -> str:
        self.during_call()
        self.made += 1
        return f"voicesmith{self.made:08d}"

    def delete_voice(self, voice_id: str, *, designed: bool) -> None:
        if self.fail_delete:
            raise ProviderError("MiniMax voice delete failed (MiniMax status 1024).")
        self.deleted.append((voice_id, designed))

    def speak(self, text: str, voice: RemoteVoice, speed: float) -> Iterator[AudioChunk]:
        raise NotImplementedError


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def designs(sessions: sessionmaker[Session], blobs: FileBlobStore,
            provider: FakeProvider) -> DesignService:
    # The embedded engine is never reached on these paths.
    return DesignService(sessions, blobs, None, Providers({"minimax": provider}))  # type: ignore[arg-type]


@pytest.fixture
def clones(sessions: sessionmaker[Session], blobs: FileBlobStore,
           provider: FakeProvider) -> CloneService:
    return CloneService(sessions, blobs, stock_cache_path=blobs.root.parent / "stock.json",
                        providers=Providers({"minimax": provider}))


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def files(blobs: FileBlobStore) -> int:
    return sum(1 for p in blobs.root.rglob("*") if p.is_file() and p.suffix != ".part")


def test_a_design_whose_row_cannot_be_committed_leaves_nothing(
        designs: DesignService, provider: FakeProvider, sessions: sessionmaker[Session],
        blobs: FileBlobStore) -> None:
    # Another request takes the name while MiniMax designs the voice.
    provider.during_call = lambda: _insert_design(sessions, "taken")
    with pytest.raises(ConflictError):
        designs.create(ORG, DesignRequest(prompt="p", text="t", name="taken", provider="minimax"))
    assert count(sessions, VoiceDesignVersion) == 0 and files(blobs) == 0
    assert provider.deleted == [("ttv-1", True)]


def _insert_design(sessions: sessionmaker[Session], name: str) -> None:
    with sessions() as s:
        s.add(VoiceDesign(organization=ORG, name=name, provider="minimax"))
        s.commit()


def test_an_upload_clone_whose_row_cannot_be_committed_leaves_nothing(
        clones: CloneService, provider: FakeProvider, sessions: sessionmaker[Session],
        blobs: FileBlobStore) -> None:
    def take_the_name() -> None:  # another request's clone, made meanwhile
        with sessions() as s:
            s.add(VoiceClone(organization=ORG, name="me", engine_language="en", style=b"",
                             sample_key="0" * 64, sample_size=0))
            s.commit()

    provider.during_call = take_the_name
    req = CloneFromUpload(name="me", language="en", gender="male", audio=SPEECH.read_bytes(),
                          filename="me.flac", provider="minimax")
    with pytest.raises(ConflictError):
        clones.create_from_upload(ORG, req, None)  # type: ignore[arg-type]
    assert count(sessions, VoiceClone) == 1 and files(blobs) == 0
    assert provider.deleted == [("voicesmith00000001", False)]


def test_a_clone_whose_remote_delete_fails_is_kept_and_the_voice_goes_with_the_last_user(
        designs: DesignService, clones: CloneService, provider: FakeProvider,
        sessions: sessionmaker[Session]) -> None:
    version = designs.create(ORG, DesignRequest(prompt="p", text="t", name="d",
                                                provider="Minimax"))
    clone = clones.create_from_design(ORG, CloneFromDesign(
        name="c", voice_design_id="d", language="de", gender="male", provider="minimax"))
    assert clone.provider_voice_id == version.provider_voice_id == "ttv-1"
    assert clone.engine_language == "de"  # MiniMax speaks German; the engine need not
    designs.delete(ORG, "d")
    assert provider.deleted == []  # the clone still speaks with it
    provider.fail_delete = True
    with pytest.raises(ProviderError):
        clones.delete(ORG, "c")
    assert count(sessions, VoiceClone) == 1
    provider.fail_delete = False
    clones.delete(ORG, "c")
    assert count(sessions, VoiceClone) == 0 and provider.deleted == [("ttv-1", True)]


def test_a_clone_of_a_provider_no_longer_configured_can_still_be_deleted(
        designs: DesignService, clones: CloneService, sessions: sessionmaker[Session],
        blobs: FileBlobStore) -> None:
    designs.create(ORG, DesignRequest(prompt="p", text="t", name="d", provider="minimax"))
    clones.create_from_design(ORG, CloneFromDesign(name="c", voice_design_id="d", language="en",
                                                 gender="male"))
    designs.delete(ORG, "d")
    without_key = CloneService(sessions, blobs, stock_cache_path=blobs.root.parent / "stock.json")
    # (the key was removed from the settings)
    without_key.delete(ORG, "c")
    assert count(sessions, VoiceClone) == 0
