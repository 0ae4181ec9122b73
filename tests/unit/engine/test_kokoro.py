"""The engine pipeline, run on the tiny stand-in model (milliseconds per test)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from tests.support.tiny_model import (
    AMPLITUDE,
    SAMPLE_RATE,
    build_tiny_kokoro_model,
    tiny_frequency,
    tiny_samples,
)
from voicesmith.engine.base import MAX_TOKENS, AudioChunk, SpeechEngine, StockVoice, VoiceStyle
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.engine.text import SENTENCE_PAUSE
from voicesmith.errors import AssetsError, SynthesisError, ValidationError

THREE = "The first sentence is here. The second one follows it. And a third."


def style(voices: dict[str, StockVoice], name: str = "af_test", speed: float = 1.0) -> VoiceStyle:
    return VoiceStyle(pack=voices[name].pack, speed=speed)


def expected_sine(pack: np.ndarray, n_tokens: int, speed: float = 1.0) -> np.ndarray:
    t = np.arange(tiny_samples(n_tokens, speed), dtype=np.float32)
    omega = np.float32(tiny_frequency(pack[n_tokens - 1][None, :]) * 2 * np.pi / SAMPLE_RATE)
    return AMPLITUDE * np.sin(t * omega)


def test_is_a_speech_engine(tiny_engine: KokoroEngine, fake_voices: dict[str, StockVoice]) -> None:
    engine: SpeechEngine = tiny_engine
    assert engine.sample_rate == 24_000
    assert set(engine.stock_voices) == set(fake_voices)
    with pytest.raises(TypeError):
        engine.stock_voices["x"] = fake_voices["af_test"]  # type: ignore[index]


def test_chunks_are_typed_one_per_sentence(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    chunks = list(tiny_engine.synthesize(THREE, style(fake_voices), AMERICAN_ENGLISH))
    assert [c.index for c in chunks] == [0, 1, 2]
    assert [c.is_last for c in chunks] == [False, False, True]
    assert [c.text for c in chunks] == [
        "The first sentence is here.", "The second one follows it.", "And a third.",
    ]
    pieces = tiny_engine.plan(THREE, AMERICAN_ENGLISH)
    for chunk, piece in zip(chunks, pieces, strict=True):
        assert isinstance(chunk, AudioChunk)
        assert chunk.sample_rate == 24_000
        assert chunk.samples.dtype == np.float32 and chunk.samples.ndim == 1
        assert np.abs(chunk.samples).max() <= 1.0
        pause = 0 if chunk.is_last else round(SENTENCE_PAUSE * SAMPLE_RATE)
        assert len(chunk.samples) == tiny_samples(len(piece.phonemes)) + pause
        if pause:  # the pause between sentences is silence
            assert not chunk.samples[-pause:].any()


def test_style_row_follows_token_count(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    voice = style(fake_voices)
    (chunk,) = tiny_engine.synthesize("Hello world.", voice, AMERICAN_ENGLISH)
    n = len(tiny_engine.phonemize("Hello world.", AMERICAN_ENGLISH))
    np.testing.assert_allclose(chunk.samples, expected_sine(voice.pack, n), atol=2e-3)
    # and not the neighbouring row
    assert not np.allclose(chunk.samples, expected_sine(np.roll(voice.pack, 1, 0), n), atol=2e-3)


def test_voice_and_speed_change_the_audio(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    def audio(name: str, speed: float) -> np.ndarray:
        (chunk,) = tiny_engine.synthesize("Hello world.", style(fake_voices, name, speed),
                                          AMERICAN_ENGLISH)
        return chunk.samples

    base = audio("af_test", 1.0)
    assert not np.allclose(base[:1000], audio("am_test", 1.0)[:1000])
    fast = audio("af_test", 2.0)
    assert abs(len(fast) - len(base) / 2) <= 1


def test_silence_is_trimmed(tmp_path: Path, fake_voices) -> None:  # type: ignore[no-untyped-def]
    padded = KokoroEngine(build_tiny_kokoro_model(tmp_path / "p.onnx", pad_samples=4800),
                          fake_voices)
    (chunk,) = padded.synthesize("Hello world.", style(fake_voices), AMERICAN_ENGLISH)
    n = len(padded.phonemize("Hello world.", AMERICAN_ENGLISH))
    # 0.2 s of silence each side, trimmed to within about one analysis frame
    # (2048 samples, centred) of the sound
    assert tiny_samples(n) <= len(chunk.samples) <= tiny_samples(n) + 2 * 2048


def test_streams_lazily_and_close_stops_work(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    before = tiny_engine.chunks_synthesized
    stream = tiny_engine.synthesize(text, style(fake_voices), AMERICAN_ENGLISH)
    assert tiny_engine.chunks_synthesized == before  # nothing runs until asked
    first = next(stream)
    assert first.index == 0 and not first.is_last
    assert tiny_engine.chunks_synthesized == before + 1
    next(stream)
    stream.close()  # type: ignore[attr-defined]
    assert tiny_engine.chunks_synthesized == before + 2
    assert list(stream) == []
    assert tiny_engine.chunks_synthesized == before + 2


def test_long_text_is_split_and_complete(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(["one two three four five six seven eight nine ten"] * 80)  # no punctuation
    chunks = list(tiny_engine.synthesize(text, style(fake_voices), AMERICAN_ENGLISH))
    assert len(chunks) >= 3
    assert " ".join(c.text for c in chunks).split() == text.split()
    for piece in tiny_engine.plan(text, AMERICAN_ENGLISH):
        assert len(piece.phonemes) <= MAX_TOKENS


@pytest.mark.parametrize("text", ["", "  \n ", "...", "— —"])
def test_nothing_to_say_is_a_validation_error(  # type: ignore[no-untyped-def]
    tiny_engine: KokoroEngine, fake_voices, text: str
) -> None:
    before = tiny_engine.chunks_synthesized
    with pytest.raises(ValidationError) as info:
        tiny_engine.synthesize(text, style(fake_voices), AMERICAN_ENGLISH)
    assert info.value.pointer == "/text"
    assert tiny_engine.chunks_synthesized == before


@pytest.mark.parametrize("speed", [0.0, -1.0, 0.49, 2.01, float("nan"), float("inf")])
def test_bad_speed_is_a_validation_error(  # type: ignore[no-untyped-def]
    tiny_engine: KokoroEngine, fake_voices, speed: float
) -> None:
    with pytest.raises(ValidationError):
        tiny_engine.synthesize("Hello.", style(fake_voices, speed=speed), AMERICAN_ENGLISH)


def test_backend_failure_is_a_chained_synthesis_error(tmp_path: Path, fake_voices) -> None:  # type: ignore[no-untyped-def]
    broken = KokoroEngine(build_tiny_kokoro_model(tmp_path / "b.onnx", broken=True), fake_voices)
    stream = broken.synthesize("Hello world.", style(fake_voices), AMERICAN_ENGLISH)
    with pytest.raises(SynthesisError) as info:
        next(stream)
    assert info.value.__cause__ is not None
    assert "Gather" in str(info.value)


def test_unloadable_model_is_an_assets_error(tmp_path: Path, fake_voices) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(AssetsError, match="assets install"):
        KokoroEngine(bad, fake_voices)


def test_two_threads_share_one_engine(tiny_engine: KokoroEngine, fake_voices) -> None:  # type: ignore[no-untyped-def]
    texts = {name: f"{THREE} Spoken by {name}." for name in ("af_test", "am_test")}
    expected = {
        name: [c.samples for c in tiny_engine.synthesize(t, style(fake_voices, name),
                                                         AMERICAN_ENGLISH)]
        for name, t in texts.items()
    }
    results: dict[str, list[np.ndarray]] = {}
    errors: list[BaseException] = []
    before = tiny_engine.chunks_synthesized

    def work(name: str) -> None:
        try:
            for _ in range(5):
                results[name] = [c.samples for c in tiny_engine.synthesize(
                    texts[name], style(fake_voices, name), AMERICAN_ENGLISH)]
        except BaseException as exc:  # reported below, from the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for name in texts:
        assert len(results[name]) == len(expected[name])
        for got, want in zip(results[name], expected[name], strict=True):
            np.testing.assert_array_equal(got, want)
    assert tiny_engine.chunks_synthesized == before + 5 * sum(len(v) for v in expected.values())
