"""One sentence through the real Kokoro model (skipped where it is not installed)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.support.assets import find_real_assets
from voicesmith.engine.assets import load_stock_voices
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH

REAL = find_real_assets()


@pytest.mark.skipif(REAL is None, reason="real assets not installed (voicesmith assets install)")
def test_real_model_speaks_a_sentence() -> None:
    assert REAL is not None
    voices = load_stock_voices(REAL.voices_dir)
    engine = KokoroEngine(REAL.model, voices)
    started = time.perf_counter()
    chunks = list(engine.synthesize("The quick brown fox jumps over the lazy dog.",
                                    voices["af_heart"].style, AMERICAN_ENGLISH))
    elapsed = time.perf_counter() - started
    assert len(chunks) == 1 and chunks[0].is_last
    audio = chunks[0].samples
    assert 1.0 <= chunks[0].duration_s <= 4.0, chunks[0].duration_s
    assert audio.dtype == np.float32 and np.abs(audio).max() <= 1.0
    assert float(np.sqrt(np.mean(audio**2))) > 0.01  # speech, not silence
    print(f"real model: {chunks[0].duration_s:.2f} s of audio in {elapsed:.2f} s")


@pytest.mark.skipif(REAL is None or REAL.fast_model is None,
                    reason="no fast model checked on this machine (voicesmith assets install)")
def test_the_fast_model_speaks_byte_for_byte_like_the_pinned_one() -> None:
    assert REAL is not None and REAL.fast_model is not None
    voices = load_stock_voices(REAL.voices_dir)
    pinned, fast = (KokoroEngine(path, voices) for path in (REAL.model, REAL.fast_model))
    text = ("Dr. Okafor's flight lands at 6:40, gate B12. Please have the car ready; "
            "she'll want to go straight to the hospital!")
    for name in ("af_heart", "bm_george", "ff_siwis"):
        voice = voices[name]
        before = list(pinned.synthesize(text, voice.style, voice.language))
        after = list(fast.synthesize(text, voice.style, voice.language))
        assert [c.samples.tobytes() for c in before] == [c.samples.tobytes() for c in after]
