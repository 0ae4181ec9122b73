"""Debian's Chromium driven by Playwright, for the design lab's browser tests.

Playwright's own browser download cannot work here (no network at test time), so
the system ``chromium`` is launched by path. Its microphone is a WAV file
(Chromium's fake capture device), and the flags that would make it call home are off.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

Page = Any  # playwright's Page (playwright is imported only where the tests run)
STEP_TIMEOUT_MS = 60_000
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
# Quiet on a closed network: no background fetches, updates, sync, first-run pages or QUIC.
QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-gpu", "--disable-quic", "--disable-default-apps",
         "--disable-extensions", "--mute-audio"]


def require(module: str, why: str) -> ModuleType:
    """Import ``module``, or skip the tests that need it (fail under CI=true: CI installs it)."""
    if os.environ.get("CI"):
        return __import__(module, fromlist=["_"])
    return pytest.importorskip(module, reason=why)


def find_chromium() -> str:
    """The system Chromium's path; skips (fails under CI=true) when it is missing."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    why = "Debian's chromium is not installed (scripts/test.sh installs it: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def chromium_args(microphone: Path) -> list[str]:
    args = [*QUIET,
            # The page plays audio on a click; headless has no user to click "allow".
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={microphone}"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root
    return args


def region(page: Page, name: str) -> Any:
    return page.get_by_role("region", name=name)


def wait_status(page: Page, element_id: str, text: str, timeout: float = STEP_TIMEOUT_MS) -> str:
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent.includes(text)",
        arg=[element_id, text], timeout=timeout)
    return str(page.locator(f"#{element_id}").text_content())


def play(page: Page, selector: str) -> float:
    """Play an <audio> element: play() must resolve and the audio must have a duration."""
    return float(page.eval_on_selector(selector, """async (audio) => {
        if (audio.readyState < 1) await new Promise((ok, bad) => {
            audio.addEventListener('loadedmetadata', ok, {once: true});
            audio.addEventListener('error', () => bad(new Error('audio does not decode')), {once: true});
        });
        await audio.play();
        audio.pause();
        return audio.duration;
    }"""))
