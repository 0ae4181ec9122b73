"""Wire schemas of the speech endpoints: Telnyx's text-to-speech and OpenAI's audio/speech."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from voicesmith.api.constraints import (
    NON_BLANK,
    PROVIDER_RULES,
    auto_language_rule,
    language_rules,
)
from voicesmith.audio.formats import FORMAT_NAMES, SAMPLE_RATES

_TEXT_RULES: JsonDict = {"type": "string", "minLength": 1, "maxLength": 100_000, "pattern": NON_BLANK}
_SPEED: JsonDict = {"type": "number", "minimum": 0.25, "maximum": 4}
_VOLUME: JsonDict = {"type": "number", "minimum": 0, "maximum": 2}


class TelnyxSpeechOptions(BaseModel):
    """The ``telnyx`` object. Fields Telnyx's other models use (emotion, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow", strict=True)

    voice_speed: float | None = Field(
        None, ge=0.25, le=4, description="Speaking rate multiplier, 0.25 to 4 (1 = the voice's own pace).")
    volume: float | None = Field(None, ge=0, le=2, description="Linear gain, 0 to 2 (1 = unchanged).")
    response_format: str | None = Field(
        None, json_schema_extra={"enum": [*FORMAT_NAMES, None]},
        description="mp3 (default), wav, pcm/linear16 (s16le), mulaw, alaw, opus, flac, aac; "
                    "case-insensitive.")
    sampling_rate: int | None = Field(
        None, json_schema_extra={"enum": [*SAMPLE_RATES, None]},
        description="8000, 16000, 22050, 24000 (default; 8000 for mulaw/alaw), 44100, 48000.")


class SpeechCreate(BaseModel):
    # Required here by the server's own checks (their messages say what to send), so
    # declared required in the schema rather than by pydantic.
    model_config = ConfigDict(extra="allow", strict=True, json_schema_extra={
        "required": ["text", "voice"], **auto_language_rule("text", language_required=True)})

    text: str | None = Field(None, json_schema_extra=_TEXT_RULES,
                             description="Up to 100,000 characters; never truncated.")
    voice: str | None = Field(
        None, json_schema_extra={"type": "string", "pattern": NON_BLANK},
        description="Telnyx.<Model>.<clone id or name> (Model: Kokoro, KokoroTTS or the "
                    "alias Qwen3TTS), Telnyx.Kokoro.<stock voice>, or a bare clone id/name.",
        examples=["Telnyx.Kokoro.af_heart"])
    language: str | None = Field(None, json_schema_extra=language_rules(nullable=True),
                                 description="Language of the text; default the voice's.")
    output_type: Literal["binary_output", "base64_output", "audio_id"] = "binary_output"
    disable_cache: bool = False
    provider: str | None = Field(None, json_schema_extra=PROVIDER_RULES)
    # ssml is refused with a message saying so; the schema offers only what is served.
    text_type: Literal["text", "ssml"] = Field("text", json_schema_extra={"enum": ["text"]})
    voice_settings: dict[str, Any] | None = Field(None, json_schema_extra={"properties": {
        "voice_speed": _SPEED, "speed": _SPEED, "volume": _VOLUME}},
        description="voice_speed (or speed) and volume, when the telnyx object does not set them.")
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

    model_config = ConfigDict(extra="allow", strict=True)

    model: str = Field(description="Any model name is accepted (tts-1, gpt-4o-mini-tts, "
                                   "Kokoro, ...): the embedded engine speaks for all.")
    input: str = Field(max_length=100_000, json_schema_extra={"minLength": 1, "pattern": NON_BLANK},
                       description="Up to 100,000 characters, not blank.")
    voice: str | dict[str, Any] = Field(examples=["alloy"], json_schema_extra={
        "anyOf": [{"type": "string", "pattern": NON_BLANK},
                  {"type": "object", "required": ["id"],
                   "properties": {"id": {"type": "string", "pattern": NON_BLANK}}}]},
        description="Any voice id of /v2/text-to-speech/speech, or an OpenAI voice name "
                    "(alloy, nova, ...) mapped to a similar stock voice.")
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    instructions: str | None = None
    stream_format: Literal["audio", "sse"] = "audio"
