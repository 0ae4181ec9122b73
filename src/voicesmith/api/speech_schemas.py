"""Wire schemas of the speech endpoints: Telnyx's text-to-speech and OpenAI's audio/speech."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TelnyxSpeechOptions(BaseModel):
    """The ``telnyx`` object. Fields Telnyx's other models use (emotion, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    voice_speed: float | None = Field(
        None, description="Speaking rate multiplier, 0.25 to 4 (1 = the voice's own pace).")
    volume: float | None = Field(None, description="Linear gain, 0 to 2 (1 = unchanged).")
    response_format: str | None = Field(
        None, description="mp3 (default), wav, pcm/linear16 (s16le), mulaw, alaw, opus, flac, aac.")
    sampling_rate: int | None = Field(
        None, description="8000, 16000, 22050, 24000 (default; 8000 for mulaw/alaw), 44100, 48000.")


class SpeechCreate(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str | None = Field(None, description="Up to 100,000 characters; never truncated.")
    voice: str | None = Field(
        None, description="Telnyx.<Model>.<clone id or name> (Model: Kokoro, KokoroTTS or the "
                          "alias Qwen3TTS), Telnyx.Kokoro.<stock voice>, or a bare clone id/name.")
    language: str | None = Field(None, description="Language of the text; default the voice's.")
    output_type: Literal["binary_output", "base64_output", "audio_id"] = "binary_output"
    disable_cache: bool = False
    provider: str | None = None
    text_type: Literal["text", "ssml"] = "text"
    voice_settings: dict[str, Any] | None = None
    telnyx: TelnyxSpeechOptions | None = None


class Base64Speech(BaseModel):
    base64_audio: str


class AudioIdSpeech(BaseModel):
    audio_url: str
    audio_id: str


class VoiceInfo(BaseModel):
    voice_id: str
    name: str
    provider: str
    language: str | None
    gender: str | None
    hosted: bool = True
    model_id: str = "Kokoro"
    kind: Literal["stock", "clone"]


class VoiceList(BaseModel):
    voices: list[VoiceInfo]


class OpenAISpeechCreate(BaseModel):
    """OpenAI's ``POST /audio/speech`` body."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="Any model name is accepted (tts-1, gpt-4o-mini-tts, "
                                   "Kokoro, ...): the embedded engine speaks for all.")
    input: str = Field(description="Up to 100,000 characters.")
    voice: str | dict[str, Any] = Field(
        description="Any voice id of /v2/text-to-speech/speech, or an OpenAI voice name "
                    "(alloy, nova, ...) mapped to a similar stock voice.")
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    instructions: str | None = None
    stream_format: Literal["audio", "sse"] = "audio"
