"""MiniMax as a ``VoiceProvider``: its calls, and its audio made ours.

Speech asks MiniMax for raw PCM (16-bit mono) at the engine's rate, streamed,
so its audio enters our audio pipeline exactly as the engine's does (the
requested format, rate and volume are ours to make, and the speech cache
stores it like any other). A designed voice's preview comes as MP3; it is
decoded and stored as the version's WAV sample, like an engine-made one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from voicesmith.audio.decode import decode_to_mono, pcm16_to_float
from voicesmith.audio.tempo import change_tempo
from voicesmith.audio.wav import encode_wav
from voicesmith.engine.base import SAMPLE_RATE, AudioChunk, close_iterator
from voicesmith.errors import ProviderError
from voicesmith.providers import PROVIDER_MODELS, RemoteDesign, RemoteVoice
from voicesmith.providers.minimax.client import MiniMaxClient

SPEECH_MODELS = PROVIDER_MODELS["minimax"]
# voice_setting.speed's range; beyond it a pitch-preserving tempo change does the rest.
MIN_SPEED, MAX_SPEED = 0.5, 2.0
# Audio MiniMax sends in one streamed piece is re-cut to at most this much per chunk,
# so a listener hears the first audio as soon as it exists.
_CHUNK_BYTES = SAMPLE_RATE * 2 // 2  # half a second of 16-bit mono


class MiniMaxProvider:
    name = "minimax"
    supported_models = SPEECH_MODELS

    def __init__(self, client: MiniMaxClient, *, default_model: str = "speech-02-hd") -> None:
        self.client = client
        self.default_model = default_model

    def design(self, prompt: str, preview_text: str) -> RemoteDesign:
        answer = self.client.voice_design(prompt, preview_text)
        voice_id = answer.get("voice_id")
        trial = answer.get("trial_audio")
        if not isinstance(voice_id, str) or not voice_id or not isinstance(trial, str):
            raise ProviderError("MiniMax voice design answered without a voice_id and preview.")
        try:
            samples = decode_to_mono(bytes.fromhex(trial), SAMPLE_RATE)
        except ValueError as exc:
            self._forget(voice_id, designed=True)
            raise ProviderError(f"MiniMax's preview audio could not be decoded ({exc}).") from exc
        return RemoteDesign(voice_id=voice_id, sample_wav=encode_wav(samples, SAMPLE_RATE))

    def clone_upload(self, audio: bytes, filename: str | None) -> str:
        file_id = self.client.upload_file(audio, filename or "recording.wav")
        # MiniMax wants the caller to name the voice: 8+ characters, starting with a letter.
        voice_id = f"voicesmith{secrets.token_hex(8)}"
        self.client.voice_clone(file_id, voice_id)
        return voice_id

    def delete_voice(self, voice_id: str, *, designed: bool) -> None:
        self.client.delete_voice(voice_id, "voice_generation" if designed else "voice_cloning")

    def speak(self, text: str, voice: RemoteVoice, speed: float) -> Iterator[AudioChunk]:
        remote_speed = min(max(speed, MIN_SPEED), MAX_SPEED)
        body = {
            "model": voice.model, "text": text,
            "voice_setting": {"voice_id": voice.voice_id, "speed": remote_speed, "vol": 1,
                              "pitch": 0},
            "audio_setting": {"sample_rate": SAMPLE_RATE, "format": "pcm", "channel": 1},
        }
        return _chunks(self.client.t2a_stream(body), text, speed / remote_speed)

    def _forget(self, voice_id: str, *, designed: bool) -> None:
        """Best effort: a voice made for a request that then failed."""
        try:
            self.delete_voice(voice_id, designed=designed)
        except ProviderError:
            pass


def _chunks(pieces: Iterator[bytes], text: str, tempo: float) -> Iterator[AudioChunk]:
    """MiniMax's PCM pieces as AudioChunks (the last one marked), bytes kept whole."""
    pending = b""
    held: AudioChunk | None = None
    index = 0
    try:
        for piece in pieces:
            pending += piece
            while len(pending) >= _CHUNK_BYTES:
                cut, pending = pending[:_CHUNK_BYTES], pending[_CHUNK_BYTES:]
                if held is not None:
                    yield held
                held = _chunk(cut, text if index == 0 else "", index, tempo)
                index += 1
        usable = pending[: len(pending) - len(pending) % 2]  # a split sample never comes whole
        if usable or held is None:
            if held is not None:
                yield held
            held = _chunk(usable, text if index == 0 else "", index, tempo)
        yield AudioChunk(held.samples, held.sample_rate, held.text, held.index, True)
    finally:
        close_iterator(pieces)


def _chunk(data: bytes, text: str, index: int, tempo: float) -> AudioChunk:
    samples = pcm16_to_float(data)
    if abs(tempo - 1.0) > 1e-9 and samples.size:
        samples = change_tempo(samples, SAMPLE_RATE, tempo)
    return AudioChunk(samples, SAMPLE_RATE, text, index, False)
