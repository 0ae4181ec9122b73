"""OpenAI-compatible ``POST /audio/speech`` (mounted under /v1 and /v2).

``OpenAI(base_url="http://host:8000/v1", api_key=KEY).audio.speech.create(...)``
works unchanged, streaming included. ``stream_format: sse`` sends
``speech.audio.delta`` events (base64 audio) and a closing ``speech.audio.done``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from voicesmith.api.deps import ServicesDep, SpeakerDep
from voicesmith.api.openapi import audio_content, error_responses
from voicesmith.api.routers.speech import speech_headers
from voicesmith.api.speech_schemas import OpenAISpeechCreate
from voicesmith.api.streaming import SpeechResponse, audio_bytes
from voicesmith.errors import ValidationError
from voicesmith.voices.speech import SpeechRequest, SpeechStream

router = APIRouter(prefix="/audio", tags=["OpenAI compatible"])


def _voice_name(voice: str | dict[str, object]) -> str:
    if isinstance(voice, dict):  # OpenAI's custom-voice form: {"id": "..."}
        ident = voice.get("id")
        if not isinstance(ident, str):
            raise ValidationError("voice object needs an 'id' string", pointer="/voice/id")
        return ident
    return voice


async def _sse(stream: SpeechStream, text: str) -> AsyncIterator[bytes]:
    chunks = audio_bytes(stream)
    try:
        async for data in chunks:
            event = {"type": "speech.audio.delta", "audio": base64.b64encode(data).decode()}
            yield f"data: {json.dumps(event)}\n\n".encode()
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
    # Token counts are approximations (OpenAI bills by tokens; we count words).
    words = len(text.split())
    done = {"type": "speech.audio.done",
            "usage": {"input_tokens": words, "output_tokens": 0, "total_tokens": words}}
    yield f"data: {json.dumps(done)}\n\n".encode()


_MEDIA_TYPES = ("audio/mpeg", "audio/ogg", "audio/aac", "audio/flac", "audio/wav",
                "application/octet-stream")  # mp3, opus, aac, flac, wav, pcm


@router.post("/speech", response_model=None, response_class=Response, responses={
    200: {"content": {**audio_content(*_MEDIA_TYPES),
                      "text/event-stream": {"schema": {"type": "string"}}},
          "description": "The audio, streamed as it is synthesized (stream_format sse: "
                         "speech.audio.delta events, then speech.audio.done)."},
    **error_responses(400, 404, 413, 502)})
async def create_openai_speech(body: OpenAISpeechCreate, org: SpeakerDep,
                               services: ServicesDep) -> SpeechResponse:
    voice = await run_in_threadpool(services.voices.resolve, org, _voice_name(body.voice))
    req = SpeechRequest(text=body.input, voice=voice, format=body.response_format,
                        speed=body.speed)
    try:
        stream = await run_in_threadpool(services.speech.open, req)
    except ValidationError as exc:
        if exc.pointer == "/text":  # OpenAI's field is `input`
            exc.pointer = "/input"
        raise
    if body.stream_format == "sse":
        return SpeechResponse(_sse(stream, body.input), media_type="text/event-stream",
                              headers=speech_headers(stream))
    return SpeechResponse(audio_bytes(stream), media_type=stream.media_type,
                          headers=speech_headers(stream))
