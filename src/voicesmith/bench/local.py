"""System (b): voicesmith's engine in-process, through ``speak`` as the server calls it."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from voicesmith.bench.probes import Streamed
from voicesmith.engine.base import SpeechEngine
from voicesmith.voices.speaking import SpeakingVoice, speak


class EngineSystem:
    """Stock, design-clone or upload-clone voice, spoken chunk by chunk."""

    name = "voicesmith engine"

    def __init__(self, engine: SpeechEngine, voice: SpeakingVoice) -> None:
        self.engine = engine
        self.voice = voice
        self.post_s = 0.0  # time spent in the upload clone's post-process

    @classmethod
    def stock(cls, engine: SpeechEngine, name: str) -> EngineSystem:
        v = engine.stock_voices[name]
        return cls(engine, SpeakingVoice("Telnyx.Kokoro." + name, v.style, v.language))

    def with_postprocess(self, params: dict[str, Any] | None) -> EngineSystem:
        return EngineSystem(self.engine, replace(self.voice, postprocess=params))

    def synthesize(self, text: str) -> float:
        return sum(c.duration_s for c in speak(self.engine, text, self.voice))

    def first_audio(self, text: str) -> Streamed:
        t0 = time.perf_counter()
        first, audio_s = None, 0.0
        for chunk in speak(self.engine, text, self.voice, quick_start=True):  # as served
            if first is None:
                first = time.perf_counter() - t0
            audio_s += chunk.duration_s
        return Streamed(first or float("nan"), time.perf_counter() - t0, audio_s)

    def postprocess_share(self, text: str) -> tuple[float, float]:
        """(synthesis RTF, transform RTF) measured separately on one text: the
        voice's stored transform applied as every speech path applies it."""
        from voicesmith.voices.speaking import transformed

        t = time.perf_counter()
        chunks = list(self.engine.synthesize(text, self.voice.engine_style, self.voice.language))
        synth = time.perf_counter() - t
        audio = sum(c.duration_s for c in chunks)
        if not self.voice.postprocess:
            return synth / audio, 0.0
        t = time.perf_counter()
        for _ in transformed(iter(chunks), self.voice.postprocess):
            pass
        return synth / audio, (time.perf_counter() - t) / audio


def design_clone_voice(engine: SpeechEngine, prompt: str, seed: int = 7) -> SpeakingVoice:
    """A design's voice as its clone stores it (style bytes round-tripped)."""
    from voicesmith.design.sampling import SamplingParams
    from voicesmith.design.voice_builder import design_voice
    from voicesmith.engine.base import VoiceStyle

    designed = design_voice(prompt, None, SamplingParams(seed=seed), engine.stock_voices)
    style = VoiceStyle.from_bytes(designed.style.to_bytes())
    return SpeakingVoice("bench-design-clone", style, designed.language)


def heaviest_transform() -> dict[str, Any]:
    """A design transform with every stage at work (the transform bench's heaviest
    setting): the most a design's transform costs."""
    from voicesmith.bench.transform import HEAVIEST

    return HEAVIEST.to_dict()


def upload_postprocess() -> dict[str, Any]:
    """The costliest transform a capture stores: every step it may keep (``cloning.transform_fit``).

    F0, its range and the formants run the PSOLA stage, tilt and breath the
    spectral one; the amounts barely change the cost, the stages do.
    """
    from voicesmith.audio.voice_transform import VoiceTransform

    return VoiceTransform(f0_ratio=1.1, f0_range=0.85, formant_warp=1.04,
                          tilt_db_per_octave=-1.5, breathiness=0.15).to_dict()
