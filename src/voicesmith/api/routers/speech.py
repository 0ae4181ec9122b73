"""/v2/text-to-speech: speech over REST (binary, base64, audio_id) and the voice list."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from voicesmith.api.constraints import language_rules
from voicesmith.api.deps import OrganizationDep, ServicesDep, SpeakerDep
from voicesmith.api.openapi import SPEECH_MEDIA_TYPES, audio_content, error_responses
from voicesmith.api.speech_schemas import (
    AudioIdSpeech,
    Base64Speech,
    SpeechCreate,
    VoiceInfo,
    VoiceList,
)
from voicesmith.api.streaming import (
    SpeechResponse,
    audio_bytes,
    collect,
    iterate_in_thread,
)
from voicesmith.audio.formats import AudioFormat, parse_format, resolve_sample_rate
from voicesmith.engine.languages import resolve_language
from voicesmith.errors import ValidationError
from voicesmith.voices.audio_jobs import stream_job
from voicesmith.voices.speaking import SpeakingVoice
from voicesmith.voices.speech import SpeechRequest, SpeechStream, check_speed, check_volume

router = APIRouter(prefix="/text-to-speech", tags=["Text to Speech"])
FIRST_BYTES_WAIT_S = 10.0


def speech_headers(stream: SpeechStream) -> dict[str, str]:
    return {"x-voicesmith-cache": "hit" if stream.cached else "miss",
            "x-sample-rate": str(stream.sample_rate), "cache-control": "no-store"}


def _setting(settings: dict[str, Any], *names: str) -> float | None:
    """A number from ``voice_settings`` (a free-form object, so its types are checked here)."""
    for name in names:
        value = settings.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"voice_settings.{name} must be a number, got {value!r}",
                                  pointer=f"/voice_settings/{name}")
        return float(value)
    return None


def _telnyx_request(body: SpeechCreate, voice: SpeakingVoice) -> SpeechRequest:
    opts = body.telnyx
    settings: dict[str, Any] = body.voice_settings or {}
    fmt = parse_format(opts.response_format if opts and opts.response_format else AudioFormat.MP3,
                       pointer="/telnyx/response_format")
    rate = resolve_sample_rate(fmt, opts.sampling_rate if opts else None,
                               pointer="/telnyx/sampling_rate")
    speed_value = opts.voice_speed if opts and opts.voice_speed is not None else \
        _setting(settings, "voice_speed", "speed")
    speed = 1.0 if speed_value is None else check_speed(
        speed_value, pointer="/telnyx/voice_speed")
    volume = check_volume(opts.volume if opts and opts.volume is not None
                          else _setting(settings, "volume"), pointer="/telnyx/volume")
    # A remote provider's voice (MiniMax) reads the text's language itself, including
    # languages the engine has no voices for: the field is the engine's to check.
    language = resolve_language(body.language, body.text or "") \
        if body.language and voice.remote is None else None
    return SpeechRequest(text=body.text or "", voice=voice, format=fmt, sample_rate=rate,
                         volume=volume, speed=speed, language=language,
                         use_cache=not body.disable_cache)


@router.post("/speech", response_model=None, responses={
    200: {"content": {**audio_content(*SPEECH_MEDIA_TYPES), "application/json": {}},
          "description": "binary_output: the audio, streamed as it is synthesized; "
                         "base64_output: {base64_audio}; audio_id: {audio_url, audio_id}.",
          "model": Base64Speech | AudioIdSpeech},  # the schema of the application/json body
    **error_responses(400, 404, 413, 502, 507)})
async def create_speech(body: SpeechCreate, org: SpeakerDep, services: ServicesDep,
                        request: Request) -> SpeechResponse | JSONResponse:
    """Speak ``text`` with a clone or stock voice.

    binary_output streams: the first audio leaves as soon as the first sentence
    or clause is synthesized. An identical request is served from the cache
    (header ``x-voicesmith-cache: hit``) unless ``disable_cache``.
    """
    if body.text_type == "ssml":
        raise ValidationError("SSML is not supported by the embedded engine; send plain text "
                              "(text_type: text).", pointer="/text_type")
    if body.provider is not None:
        services.providers.check(body.provider)
    voice = await run_in_threadpool(services.voices.resolve, org, body.voice)
    req = _telnyx_request(body, voice)
    stream = await run_in_threadpool(services.speech.open, req)
    if body.output_type == "binary_output":
        return SpeechResponse(audio_bytes(stream), media_type=stream.media_type,
                              headers=speech_headers(stream))
    if body.output_type == "base64_output":
        audio = await collect(stream)
        return JSONResponse(Base64Speech(base64_audio=base64.b64encode(audio).decode()).model_dump(),
                            headers=speech_headers(stream))
    job = services.audio_jobs.start(org, stream)
    url = str(request.url_for("retrieve_speech_audio", audio_id=job.id))
    return JSONResponse(AudioIdSpeech(audio_url=url, audio_id=job.id).model_dump())


@router.get("/speech/{audio_id}", response_model=None, name="retrieve_speech_audio",
            response_class=Response,
            responses={200: {"content": audio_content(*SPEECH_MEDIA_TYPES),
                             "description": "The audio, in the format it was requested in."},
                       **error_responses(404, 502, 507)})
async def retrieve_speech_audio(audio_id: str, org: OrganizationDep,
                                services: ServicesDep) -> SpeechResponse:
    """Audio made with ``output_type: audio_id``: streamed while it is synthesized, then served
    whole until it expires (``VOICESMITH_AUDIO_RETENTION_SECONDS``, default one hour)."""
    job = services.audio_jobs.get(org, audio_id)
    # Until its first bytes exist a job can still fail (a full disk fails the first
    # write): wait for them, so such a failure is this answer's status, not an empty 200.
    await run_in_threadpool(job.wait_for_data, 0, FIRST_BYTES_WAIT_S)
    if (failure := job.failure()) is not None:
        raise failure
    return SpeechResponse(iterate_in_thread(stream_job(job)), media_type=job.media_type,
                          headers={"cache-control": "no-store"})


@router.get("/voices", response_model=VoiceList, responses=error_responses())
def list_voices(
    org: OrganizationDep, services: ServicesDep,
    provider: Annotated[str | None, Query(description="Only this provider's voices.")] = None,
    language: Annotated[str | None, Query(
        json_schema_extra=language_rules(),
        description="Only voices speaking this language (en, en-GB, Spanish, ...).")] = None,
) -> VoiceList:
    """The organization's clones and the engine's stock voices."""
    # The language is checked first: an unknown one is an error whatever the provider.
    wanted = resolve_language(language, pointer="/language") if language else None
    exact = language is not None and "-" in language.replace("_", "-")
    voices = [VoiceInfo(voice_id=v.voice_id, name=v.name, provider=v.provider,
                        language=v.language, gender=v.gender, kind=v.kind,  # type: ignore[arg-type]
                        model_id=v.model)
              for v in services.voices.listing(org)
              if (provider is None or v.provider == provider.lower())
              and (wanted is None or v.matches_language(wanted, exact=exact))]
    return VoiceList(voices=voices)
