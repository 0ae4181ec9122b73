from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.tiny_model import build_tiny_kokoro_model
from tests.unit.engine.conftest import fake_pack
from voicesmith.audio.wav import decode_wav
from voicesmith.engine.base import StockVoice
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.errors import ValidationError
from voicesmith.store.speech_cache import SpeechCache
from voicesmith.voices.speaking import SpeakingVoice, split_speed
from voicesmith.voices.speech import MAX_TEXT_CHARS, SpeechRequest, SpeechService
from voicesmith.voices.synthesis import SynthesisPool

TEXT = "First sentence here. Second sentence, with a clause. Third one to end."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KokoroEngine:
    model = build_tiny_kokoro_model(tmp_path_factory.mktemp("m") / "tiny.onnx")
    voices = {"af_test": StockVoice("af_test", AMERICAN_ENGLISH, "female", fake_pack(1))}
    return KokoroEngine(model, voices, intra_op_threads=1)


@pytest.fixture
def service(engine: KokoroEngine, tmp_path: Path) -> SpeechService:
    cache = SpeechCache(tmp_path / "cache", max_bytes=50_000_000, max_entry_seconds=600,
                        sample_rate=engine.sample_rate)
    return SpeechService(engine, SynthesisPool(2), cache)


def voice(engine: KokoroEngine) -> SpeakingVoice:
    stock = engine.stock_voices["af_test"]
    return SpeakingVoice("Telnyx.Kokoro.af_test", stock.style, stock.language)


def whole(service: SpeechService, req: SpeechRequest) -> tuple[bytes, bool]:
    stream = service.open(req)
    data = b"".join(c.data for c in stream)
    stream.close()
    return data, stream.cached


def test_the_second_identical_request_comes_from_the_cache_and_is_identical(
        service: SpeechService, engine: KokoroEngine) -> None:
    req = SpeechRequest(TEXT, voice(engine), format="wav")
    fresh, cached = whole(service, req)
    assert not cached
    before = engine.chunks_synthesized
    again, cached = whole(service, req)
    assert cached and again == fresh
    assert engine.chunks_synthesized == before  # no engine work at all
    # Any format is served from the same entry; disable_cache synthesizes again.
    _, cached = whole(service, SpeechRequest(TEXT, voice(engine), format="mulaw"))
    assert cached
    _, cached = whole(service, SpeechRequest(TEXT, voice(engine), use_cache=False))
    assert not cached and engine.chunks_synthesized > before


def test_a_different_speed_or_text_misses_the_cache(service: SpeechService,
                                                    engine: KokoroEngine) -> None:
    whole(service, SpeechRequest(TEXT, voice(engine)))
    assert not whole(service, SpeechRequest(TEXT, voice(engine), speed=1.2))[1]
    assert not whole(service, SpeechRequest(TEXT + " More.", voice(engine)))[1]


def test_closing_a_stream_stops_the_engine_and_caches_nothing(service: SpeechService,
                                                            engine: KokoroEngine) -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    stream = service.open(SpeechRequest(text, voice(engine), format="pcm"))
    next(stream)
    next(stream)
    stream.close()
    count = engine.chunks_synthesized
    with pytest.raises(StopIteration):
        next(stream)
    assert engine.chunks_synthesized == count
    assert not whole(service, SpeechRequest(text, voice(engine), format="pcm"))[1]


def test_text_limits_are_clear_errors_before_any_audio(service: SpeechService,
                                                       engine: KokoroEngine) -> None:
    with pytest.raises(ValidationError, match="100,000") as err:
        service.open(SpeechRequest("a" * (MAX_TEXT_CHARS + 1), voice(engine)))
    assert err.value.pointer == "/text"
    with pytest.raises(ValidationError, match="required"):
        service.open(SpeechRequest("   ", voice(engine)))
    with pytest.raises(ValidationError):
        service.open(SpeechRequest(TEXT, voice(engine), format="mp3", sample_rate=11025))


def test_speed_beyond_the_engines_range_changes_duration(service: SpeechService,
                                                         engine: KokoroEngine) -> None:
    assert split_speed(4.0) == (2.0, 2.0) and split_speed(0.25) == (0.5, 0.5)
    assert split_speed(1.3) == (1.3, 1.0)

    def seconds(speed: float) -> float:
        data, _ = whole(service, SpeechRequest(TEXT, voice(engine), format="wav", speed=speed,
                                               use_cache=False))
        samples, rate = decode_wav(data)
        return len(samples) / rate

    normal, fastest = seconds(1.0), seconds(4.0)
    assert fastest < normal / 2.5


def test_long_entries_stream_uncached(engine: KokoroEngine, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c", max_bytes=10**9, max_entry_seconds=0.01,
                        sample_rate=engine.sample_rate)
    svc = SpeechService(engine, SynthesisPool(1), cache)
    data, _ = whole(svc, SpeechRequest(TEXT, voice(engine), format="pcm"))
    assert len(np.frombuffer(data, np.int16)) > 0
    assert not whole(svc, SpeechRequest(TEXT, voice(engine), format="pcm"))[1]


def test_the_longest_text_streams_whole_in_bounded_memory(service: SpeechService,
                                                         engine: KokoroEngine) -> None:
    import tracemalloc

    para = ("The committee met on Tuesday, March 3rd, to review the budget. "
            "After a long discussion, they agreed to postpone the vote. ")
    text = (para * (MAX_TEXT_CHARS // len(para) + 1))[:MAX_TEXT_CHARS]
    tracemalloc.start()
    stream = service.open(SpeechRequest(text, voice(engine), format="pcm"))
    spoken: list[str] = []
    total_bytes = 0
    for chunk in stream:
        spoken.append(chunk.text)
        total_bytes += len(chunk.data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Every word is spoken, in order: nothing truncated.
    assert " ".join(spoken).split() == text.split()
    assert total_bytes == round(stream.audio_seconds * 24000) * 2
    assert peak < 40 * 1024 * 1024, peak  # the audio itself went out, not into memory


def test_streams_past_capacity_are_refused_and_a_closed_one_frees_its_slot(
        engine: KokoroEngine, tmp_path: Path) -> None:
    from voicesmith.errors import AtCapacityError
    from voicesmith.voices.synthesis import SynthesisSlots

    cache = SpeechCache(tmp_path / "cache", max_bytes=50_000_000, max_entry_seconds=600,
                        sample_rate=engine.sample_rate)
    slots = SynthesisSlots(1)
    svc = SpeechService(engine, SynthesisPool(1), cache, slots=slots)
    first = svc.open(SpeechRequest(TEXT, voice(engine)))
    with pytest.raises(AtCapacityError):
        svc.open(SpeechRequest("Another text entirely.", voice(engine)))
    assert slots.active == 1
    b"".join(c.data for c in first)  # runs to its end, which closes it
    first.close()
    assert slots.active == 0
    # A replay from the cache makes no engine pass, so it needs no slot.
    held = svc.open(SpeechRequest("Another text entirely.", voice(engine)))
    replay = svc.open(SpeechRequest(TEXT, voice(engine)))
    assert replay.cached and slots.active == 1
    replay.close()
    held.close()
    assert slots.active == 0
