"""Killing the server in any write loses nothing committed and leaves no orphan.

Each case copies one seeded data dir, starts a server armed to exit hard at one
crash point (``VOICESMITH_CRASH_AT``, ``voicesmith.faults``), sends the write
that reaches it, then restarts on the same data dir and checks: everything
committed before is intact (the same audio bytes), the interrupted thing is
either absent or wholly there as it was (a rename or delete is all old or all
new), and no file is left without its row or index (``assert_consistent``).
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
import telnyx

from tests.e2e.consistency import assert_consistent, blob_files, referenced_keys
from tests.e2e.server import RunningServer, server_env
from tests.e2e.test_voice_clones import retrieve_clone
from tests.e2e.test_voice_designs import create
from tests.unit.cloning.conftest import SPEECH
from voicesmith.faults import CRASH_EXIT_CODE, CRASH_POINTS

CAN_CAPTURE = importlib.util.find_spec("resemblyzer") is not None
needs_capture = pytest.mark.skipif(not CAN_CAPTURE, reason="upload cloning needs the clone extra")
# Short: capture's probe speaks it, so a capture on the tiny model takes seconds.
REF_TEXT = "He walked to the harbour to watch the boats come in."
CACHED_TEXT = "A sentence spoken once before the crash, and kept in the cache."


def grace_env(tiny_model: Path) -> dict[str, str]:
    return server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_ORPHAN_GRACE_SECONDS="0")


def speak(server: RunningServer, text: str, output_type: str = "binary_output") -> httpx.Response:
    return httpx.post(f"{server.base_url}/text-to-speech/speech",
                      headers={"Authorization": f"Bearer {server.key}"}, timeout=120,
                      json={"text": text, "voice": "af_heart", "output_type": output_type,
                            "telnyx": {"response_format": "wav"}})


def audio_by_id(server: RunningServer, audio_id: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/text-to-speech/speech/{audio_id}",
                     headers={"Authorization": f"Bearer {server.key}"}, timeout=120)


def recording(start_s: int) -> bytes:
    """7 s of real speech from ``start_s``: another start is another sample blob."""
    samples, rate = sf.read(SPEECH, dtype="float32")
    buf = io.BytesIO()
    sf.write(buf, np.asarray(samples[start_s * rate: (start_s + 7) * rate]), rate,
             format="WAV", subtype="PCM_16")
    return buf.getvalue()


def upload(client: telnyx.Telnyx, name: str, start_s: int = 1) -> telnyx.types.VoiceCloneData:
    return client.voice_clones.create_from_upload(voice_clone_upload_request={  # type: ignore[arg-type]
        "name": name, "language": "en", "gender": "male", "provider": "telnyx",
        "ref_text": REF_TEXT, "audio_file": ("clip.wav", recording(start_s))}).data


@dataclass
class Seed:
    """A data dir with one of everything, and what each thing must still be after a crash."""

    data_dir: Path
    key: str
    designs: dict[str, list[bytes]] = field(default_factory=dict)  # name -> sample per version
    clones: dict[str, bytes] = field(default_factory=dict)  # name -> sample
    cached_audio: bytes = b""
    audio_id: str = ""
    audio_id_bytes: bytes = b""


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Seed:
    data_dir = tmp_path_factory.mktemp("seed")
    server = RunningServer(data_dir, grace_env(tiny_model)).start()
    try:
        assert server.key is not None
        out = Seed(data_dir, server.key)
        client = server.client()
        kept = create(client, "kept")
        client.voice_designs.create(voice_design_id=kept.id, prompt="Slower", text="Hello again.")
        create(client, "target", prompt="A bright young woman")
        for name in ("kept", "target"):
            versions = client.voice_designs.retrieve(name).data.version
            out.designs[name] = [client.voice_designs.download_sample(name, version=v).read()
                                 for v in range(1, versions + 1)]
        client.voice_clones.create(voice_clone_request={
            "name": "kept-clone", "voice_design_id": kept.id, "language": "en", "gender": "male"})
        if CAN_CAPTURE:
            up = upload(client, "up-target", start_s=0)
            while retrieve_clone(client, up.id).data.to_dict()["status"] == "pending":
                time.sleep(1.0)  # a 202: the capture outlived the request's wait
        for c in client.voice_clones.list(page_size=250):
            out.clones[c.name] = client.voice_clones.download_sample(c.id).read()
        out.cached_audio = speak(server, CACHED_TEXT).content
        out.audio_id = speak(server, "Audio kept for later.", "audio_id").json()["audio_id"]
        out.audio_id_bytes = audio_by_id(server, out.audio_id).content
        return out
    finally:
        server.stop()


def check_committed(server: RunningServer, seed: Seed, gone: frozenset[str]) -> None:
    """What the seed committed reads back byte for byte, except what the case deleted."""
    client = server.client()
    for name, samples in seed.designs.items():
        if name in gone:
            with pytest.raises(telnyx.NotFoundError):
                client.voice_designs.retrieve(name)
            continue
        assert client.voice_designs.retrieve(name).data.version == len(samples)
        for version, wav in enumerate(samples, 1):
            assert client.voice_designs.download_sample(name, version=version).read() == wav
    for name, wav in seed.clones.items():
        if name in gone:
            with pytest.raises(telnyx.NotFoundError):
                retrieve_clone(client, name)
            continue
        assert client.voice_clones.download_sample(retrieve_clone(client, name).data.id).read() == wav
    again = speak(server, CACHED_TEXT)
    assert again.headers["x-voicesmith-cache"] == "hit" and again.content == seed.cached_audio
    assert audio_by_id(server, seed.audio_id).content == seed.audio_id_bytes


def orphan_blob(data_dir: Path) -> bool:
    return bool(blob_files(data_dir) - referenced_keys(data_dir))


def half_cache_entry(data_dir: Path) -> bool:
    cache = data_dir / "speech-cache"
    return {p.stem for p in cache.glob("??/*.f32")} != {p.stem for p in cache.glob("??/*.json")}


def audio_without_sidecar(data_dir: Path) -> bool:
    files = list((data_dir / "speech-audio").iterdir())
    return len([p for p in files if p.suffix != ".json"]) > len([p for p in files
                                                                 if p.suffix == ".json"])


@dataclass(frozen=True)
class Case:
    point: str
    # The write that reaches the point; what it returned, if it returned before the crash.
    act: Callable[[RunningServer], object]
    # After the restart: the interrupted thing is absent, or all old / all new.
    after: Callable[[RunningServer, object], None]
    gone: frozenset[str] = frozenset()
    # The half the crash must have left on disk (so the restart has something to clean).
    left: Callable[[Path], bool] | None = None
    capture: bool = False


def _absent_design(name: str) -> Callable[[RunningServer, object], None]:
    def after(server: RunningServer, _: object) -> None:
        with pytest.raises(telnyx.NotFoundError):
            server.client().voice_designs.retrieve(name)
        assert create(server.client(), name).version == 1  # the name is free: it never existed
    return after


def _absent_clone(name: str) -> Callable[[RunningServer, object], None]:
    def after(server: RunningServer, _: object) -> None:
        with pytest.raises(telnyx.NotFoundError):
            retrieve_clone(server.client(), name)
    return after


def _pending_clone(server: RunningServer, _: object) -> None:
    # Committed pending, its capture died with the process: it stays pending (then
    # failed, STALE_PENDING_S later), never speaks, and deleting it removes its audio.
    client = server.client()
    clone = retrieve_clone(client, "half-upload").data
    assert clone.to_dict()["status"] == "pending"
    refused = httpx.post(f"{server.base_url}/text-to-speech/speech",
                         headers={"Authorization": f"Bearer {server.key}"},
                         json={"text": "Hello.", "voice": clone.id})
    assert refused.status_code == 422 and "pending" in refused.json()["errors"][0]["detail"]
    client.voice_clones.delete(clone.id)


def _rename_undone(server: RunningServer, _: object) -> None:
    client = server.client()
    assert client.voice_designs.retrieve("target").data.name == "target"
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.retrieve("renamed")


def _speech_not_cached(server: RunningServer, _: object) -> None:
    first = speak(server, "Words never spoken before this crash.")
    assert first.status_code == 200 and first.headers["x-voicesmith-cache"] == "miss"


def _audio_id_absent(server: RunningServer, audio_id: object) -> None:
    if isinstance(audio_id, str):  # the answer came before the crash
        assert audio_by_id(server, audio_id).status_code == 404


def _speak_audio_id(server: RunningServer) -> object:
    return speak(server, "Audio that the crash interrupts.", "audio_id").json()["audio_id"]


def _nothing(server: RunningServer, _: object) -> None:
    return None


CASES: dict[str, Case] = {
    "design-create": Case(
        "design.after_sample_write",
        lambda s: create(s.client(max_retries=0), "half-made"),
        _absent_design("half-made"), left=orphan_blob),
    "version-create": Case(
        "design.before_commit",
        lambda s: s.client(max_retries=0).voice_designs.create(
            voice_design_id="kept", prompt="Another take", text="More words."),
        _nothing, left=orphan_blob),  # check_committed: "kept" still has exactly 2 versions
    "clone-create": Case(
        "clone.before_commit",
        lambda s: s.client(max_retries=0).voice_clones.create(voice_clone_request={
            "name": "half-clone", "voice_design_id": "kept", "language": "en", "gender": "male"}),
        _absent_clone("half-clone")),
    "upload-sample": Case(
        "upload.after_sample_write", lambda s: upload(s.client(max_retries=0), "half-upload"),
        _absent_clone("half-upload"), left=orphan_blob, capture=True),
    "upload-capture": Case(
        "upload.after_pending_commit", lambda s: upload(s.client(max_retries=0), "half-upload"),
        _pending_clone, capture=True),
    "design-rename": Case(
        "rename.before_commit",
        lambda s: s.client(max_retries=0).voice_designs.rename("target", name="renamed"),
        _rename_undone),
    "design-delete": Case(
        "delete.before_commit", lambda s: s.client(max_retries=0).voice_designs.delete("target"),
        _nothing),  # check_committed: "target" whole, both versions
    "clone-delete": Case(
        "delete.after_commit",
        lambda s: s.client(max_retries=0).voice_clones.delete("up-target"),
        _absent_clone("up-target"), gone=frozenset({"up-target"}), left=orphan_blob,
        capture=True),
    "speech-cache": Case(
        "speech_cache.before_index",
        lambda s: speak(s, "Words never spoken before this crash.").raise_for_status(),
        _speech_not_cached, left=half_cache_entry),
    "audio-id": Case(
        "audio_id.before_index", _speak_audio_id, _audio_id_absent, left=audio_without_sidecar),
}


def test_every_crash_point_has_a_case() -> None:
    assert {case.point for case in CASES.values()} == set(CRASH_POINTS)


@pytest.mark.parametrize("name", list(CASES))
def test_crash_at_each_write_point(tmp_path: Path, tiny_model: Path, seed: Seed,
                                   name: str) -> None:
    case = CASES[name]
    if case.capture and not CAN_CAPTURE:
        pytest.skip("upload cloning needs the clone extra")
    data_dir = tmp_path / "data"
    shutil.copytree(seed.data_dir, data_dir)
    env = grace_env(tiny_model)

    crashing = RunningServer(data_dir, {**env, "VOICESMITH_CRASH_AT": case.point}, key=seed.key)
    crashing.start()
    returned: object = None
    try:
        returned = case.act(crashing)
    except (telnyx.APIConnectionError, httpx.TransportError):
        pass  # the process died under the request
    assert crashing.proc is not None and crashing.proc.wait(60) == CRASH_EXIT_CODE
    if case.left is not None:
        assert case.left(data_dir), "the crash left no half-made state to recover from"

    restarted = RunningServer(data_dir, env, key=seed.key).start()
    try:
        check_committed(restarted, seed, case.gone)
        assert_consistent(restarted)  # before `after` writes anything that could mask a half
        case.after(restarted, returned)
        assert_consistent(restarted)
    finally:
        restarted.stop()


def test_sigkill_under_concurrent_creations(tmp_path: Path, tiny_model: Path) -> None:
    env = grace_env(tiny_model)
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
