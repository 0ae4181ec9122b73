"""The fast model is built, checked against the pinned one, and used only where it is the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.support.conv_model import kokoro_like_conv_model
from tests.support.tiny_model import build_tiny_kokoro_model
from voicesmith.config import Settings
from voicesmith.engine import assets, fast_model, pins
from voicesmith.engine.base import PACK_ROWS, STYLE_DIM
from voicesmith.engine.fast_model import (
    FAST_MODEL_FILENAME,
    RECORD_FILENAME,
    FastModelRecord,
    build_fast_model,
    read_record,
)

STYLES = [np.full((PACK_ROWS, STYLE_DIM), v, np.float32) for v in (0.01, -0.02)]


def _build(tmp_path: Path, source: Path, keep_below: float | None = None) -> FastModelRecord:
    return build_fast_model(source, "source-sha", tmp_path, STYLES, lambda _: None,
                            keep_below=keep_below)


def test_kept_when_identical_and_faster(tmp_path: Path) -> None:
    source = kokoro_like_conv_model(tmp_path / "model.onnx")
    # Timing a model this small is noise: keep it whatever the ratio.
    record = _build(tmp_path, source, keep_below=float("inf"))
    assert record.kept and record.identical and record.rewritten_convs == 2 and not record.reason
    assert (tmp_path / FAST_MODEL_FILENAME).is_file()
    assert read_record(tmp_path / RECORD_FILENAME) == record
    assert record.vouches_for(tmp_path, "source-sha")
    assert not record.vouches_for(tmp_path, "another-model")
    # this model has no Kokoro decoder to split off: that is said, not an error
    assert not record.split and record.split_reason.startswith("split failed")


def test_not_kept_when_not_faster(tmp_path: Path) -> None:
    record = _build(tmp_path, kokoro_like_conv_model(tmp_path / "m.onnx"), keep_below=0.0)
    assert not record.kept and record.identical and "not faster" in record.reason
    assert not (tmp_path / FAST_MODEL_FILENAME).exists()
    # a record of "not used here" vouches for itself: no rebuild on every start
    assert record.vouches_for(tmp_path, "source-sha")


def test_not_kept_when_the_audio_differs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import onnx
    from onnx import numpy_helper

    real_rewrite = fast_model._write_rewritten

    def off_by_one(source: Path, target: Path) -> int:
        count = real_rewrite(source, target)
        model = onnx.load(str(target))
        for tensor in model.graph.initializer:
            if tensor.name.endswith("/A"):  # one rewritten weight, one unit off
                w = numpy_helper.to_array(tensor).copy()
                w.flat[0] += 1
                tensor.CopyFrom(numpy_helper.from_array(w, tensor.name))
                break
        onnx.save(model, str(target))
        return count

    monkeypatch.setattr(fast_model, "_write_rewritten", off_by_one)
    record = _build(tmp_path, kokoro_like_conv_model(tmp_path / "m.onnx"), keep_below=float("inf"))
    assert not record.kept and not record.identical and "differs" in record.reason
    assert not (tmp_path / FAST_MODEL_FILENAME).exists()


def test_nothing_to_rewrite_and_not_a_model(tmp_path: Path) -> None:
    tiny = build_tiny_kokoro_model(tmp_path / "tiny.onnx")  # no convolutions
    assert _build(tmp_path, tiny).reason == "no convolution to rewrite"
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    record = _build(tmp_path, garbage)
    assert not record.kept and record.reason.startswith("build failed") and not record.split


def test_a_changed_file_or_another_machine_is_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = _build(tmp_path, kokoro_like_conv_model(tmp_path / "m.onnx"), keep_below=float("inf"))
    monkeypatch.setattr(fast_model, "machine_signature", lambda: "onnxruntime 0.0, cpu other")
    assert not record.vouches_for(tmp_path, "source-sha")
    monkeypatch.undo()
    assert record.vouches_for(tmp_path, "source-sha")
    with (tmp_path / FAST_MODEL_FILENAME).open("ab") as f:
        f.write(b"\0")
    assert not record.vouches_for(tmp_path, "source-sha")


@pytest.fixture()
def pinned_conv_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings whose installed, stamped "pinned" model is the Kokoro-like conv model."""
    from voicesmith.engine.integrity import sha256_file, write_stamp

    s = Settings(cache_dir=tmp_path / "cache", voices_dir=tmp_path / "voices")
    s.assets_dir.mkdir(parents=True)
    model = kokoro_like_conv_model(s.assets_dir / pins.MODEL_FILENAME)
    digest = sha256_file(model)
    monkeypatch.setattr(pins, "MODEL_SHA256", digest)
    monkeypatch.setattr(assets, "_MODEL_PIN", {pins.MODEL_FILENAME: digest})
    write_stamp(s.assets_dir / assets._MODEL_STAMP, s.assets_dir, {pins.MODEL_FILENAME: digest})
    s.voices_dir.mkdir()  # type: ignore[union-attr]
    name = next(iter(pins.VOICE_SHA256))
    monkeypatch.setattr(assets, "_VOICE_PINS", {f"{name}.bin": "x"})
    np.full(PACK_ROWS * STYLE_DIM, 0.01, "<f4").tofile(s.voices_dir / f"{name}.bin")
    monkeypatch.setattr(assets, "check_sha256", lambda *a, **k: None)
    monkeypatch.setattr(fast_model, "KEEP_BELOW_TIME_RATIO", float("inf"))
    return s


def test_install_builds_it_and_the_engine_loads_it(pinned_conv_model: Settings) -> None:
    s = pinned_conv_model
    assert assets.installed_assets(s) is None  # not checked here yet
    paths = assets.install_assets(s)
    assert paths.fast_model == s.assets_dir / assets.FAST_MODEL_FILENAME
    assert paths.engine_model == paths.fast_model and paths.model_sha256 == pins.MODEL_SHA256
    assert assets.installed_assets(s) == paths
    record = json.loads((s.assets_dir / RECORD_FILENAME).read_text())
    assert record["kept"] and record["identical"]
    # switched off, the pinned model is used and nothing is built
    off = s.model_copy(update={"fast_model": False})
    assert assets.installed_assets(off) is not None
    assert assets.installed_assets(off).engine_model == s.assets_dir / pins.MODEL_FILENAME  # type: ignore[union-attr]
