"""One sentence through the real Kokoro model (skipped where it is not installed)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.support.assets import find_real_assets
from voicesmith.engine.assets import load_stock_voices
from voicesmith.engine.base import SAMPLE_RATE
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


@pytest.mark.skipif(REAL is None or REAL.split is None,
                    reason="no split model checked on this machine (voicesmith assets install)")
def test_the_split_model_speaks_like_the_whole_and_leads_with_the_first_words() -> None:
    from voicesmith.evaluation.asr import word_error_rate

    assert REAL is not None and REAL.split is not None
    voices = load_stock_voices(REAL.voices_dir)
    whole = KokoroEngine(REAL.model, voices)
    split = KokoroEngine(REAL.model, voices, split=REAL.split)
    first = "Welcome to the evening news."
    text = f"{first} Heavy rain moved across the region this afternoon."
    for name in ("af_heart", "bm_george"):
        voice = voices[name]
        at_once = list(whole.synthesize(text, voice.style, voice.language))
        # without a quick start, front then decoder is the whole model, byte for byte
        assert [c.samples.tobytes() for c in split.synthesize(text, voice.style, voice.language)
                ] == [c.samples.tobytes() for c in at_once]
        # The lead's length follows the measured decode rate; pin it to the bench
        # machine's (2 cores, VNNI) so that a slower CI machine tests the same cut.
        split._split.seconds_per_frame = 0.0045  # type: ignore[union-attr]
        quick = list(split.synthesize(text, voice.style, voice.language, quick_start=True))
        # the first sentence comes as its first words and then the rest
        assert [c.text for c in quick] == [first, "", at_once[1].text]
        assert [c.index for c in quick] == [0, 1, 2] and quick[-1].is_last
        lead, rest = quick[0].samples, quick[1].samples
        assert 0.3 * SAMPLE_RATE <= lead.size <= 0.7 * at_once[0].samples.size
        # the rest is the whole sentence's own audio after the cross-faded seam
        tail = rest[240:]
        assert tail.tobytes() == at_once[0].samples[-tail.size:].tobytes()
        # and nothing is lost or doubled at the seam: every word is heard
        sentence = np.concatenate([lead, rest])
        assert abs(sentence.size - at_once[0].samples.size) <= 0.15 * at_once[0].samples.size
        assert word_error_rate(sentence, SAMPLE_RATE, first) == 0.0
