"""The measures module is cheap to import, and missing instruments say how to get them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

HEAVY = (
    "torch",
    "faster_whisper",
    "ctranslate2",
    "parselmouth",
    "resemblyzer",
    "distillmos",
    "jiwer",
    "librosa",
)


def test_importing_measures_loads_no_instrument() -> None:
    # A fresh interpreter: this test process has long since imported them all.
    code = (
        "import sys, voicesmith.evaluation.measures\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from voicesmith.evaluation.measures import median_f0

    # None in sys.modules makes ``import parselmouth`` raise ImportError.
    monkeypatch.setitem(sys.modules, "parselmouth", None)
    with pytest.raises(ImportError, match=r"praat-parselmouth.*pip install -e \.\[eval\]"):
        median_f0(np.zeros(16_000, dtype=np.float32), 16_000)


def test_missing_jiwer_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from voicesmith.evaluation.measures import wer

    monkeypatch.setitem(sys.modules, "jiwer", None)
    with pytest.raises(ImportError, match=r"jiwer.*\[eval\]"):
        wer("a b", "a c")


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4)), np.array([]), np.array([0.0, np.nan])])
def test_bad_audio_is_rejected(bad: np.ndarray) -> None:
    from voicesmith.evaluation.measures import speech_seconds

    with pytest.raises(ValueError):
        speech_seconds(bad, 16_000)
