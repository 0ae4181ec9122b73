"""Where a suite gets its speech: the engine in-process, or a running server over HTTP.

``voicesmith eval --url URL --key KEY`` hands the suites a ``RemoteSuiteContext``;
suites that can run against a server then go through the API exactly as a
client would: intelligibility synthesizes with ``POST /v2/text-to-speech/speech``
(text handling, encoding, streaming), design creates designs with ``POST
/v2/voice_designs`` and measures their samples, clone designs, clones and has
the clone speak. What a suite creates on the server it deletes again.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.sampling import SamplingParams
from voicesmith.engine.base import SAMPLE_RATE
from voicesmith.evaluation.suites.base import SuiteContext
from voicesmith.voices.speaking import SpeakingVoice, speak_all

STOCK_VOICE_PREFIX = "Telnyx.Kokoro."
SPEECH_PATH = "/text-to-speech/speech"
DESIGNS_PATH = "/voice_designs"
CLONES_PATH = "/voice_clones"

# (text, stock voice name) -> mono float32 audio at SAMPLE_RATE
Synthesize = Callable[[str, str], NDArray[np.float32]]


@dataclass(frozen=True)
class DesignSample:
    """A designed voice's sample and what the design made of the prompt."""

    audio: NDArray[np.float32]  # mono float32 at SAMPLE_RATE
    language: str  # the code the voice speaks, e.g. en-gb
    speed: float
    components: list[str]  # the heaviest stock voices in the blend


# (case, sampling parameters, text) -> the sample; the case has .prompt and .request_language
Designer = Callable[[Any, SamplingParams, str], DesignSample]


class SpeechUnavailable(RuntimeError):
    """The server lacks an endpoint a suite needs (404) or refused its request."""


@dataclass(frozen=True)
class RemoteSuiteContext(SuiteContext):
    """A suite context whose speech comes from the server at ``url`` (the /v2 base)."""

    url: str = ""
    key: str = ""


def api_base(url: str) -> str:
    """``http://host:port``, ``.../`` or ``.../v2`` all mean the server's /v2 base."""
    base = url.rstrip("/")
    return base if base.endswith("/v2") else base + "/v2"


def speech_body(text: str, voice_id: str) -> dict[str, object]:
    """The Telnyx TTS request for raw 16-bit PCM at the engine's rate."""
    return {"text": text, "voice": voice_id, "output_type": "binary_output",
            "telnyx": {"response_format": "pcm", "sampling_rate": SAMPLE_RATE}}


def pcm16_to_float(data: bytes) -> NDArray[np.float32]:
    usable = len(data) - len(data) % 2  # a stream cut mid-sample leaves one odd byte
    return (np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0)


def api_client(url: str, key: str, timeout: float, transport: Any = None) -> Any:
    """An httpx client on the server's /v2 base with the key (transport: tests)."""
    import httpx

    return httpx.Client(base_url=api_base(url), timeout=timeout, transport=transport,
                        headers={"Authorization": f"Bearer {key}"})


def http_synthesizer(url: str, key: str, *, timeout: float = 300.0) -> Synthesize:

    client = api_client(url, key, timeout)

    def synthesize(text: str, voice: str) -> NDArray[np.float32]:
        response = client.post(SPEECH_PATH, json=speech_body(text, STOCK_VOICE_PREFIX + voice))
        if response.status_code != 200:
            # A 404 here is usually a server without the speech endpoint.
            raise SpeechUnavailable(f"POST {api_base(url)}{SPEECH_PATH} answered HTTP "
                                    f"{response.status_code}: {response.text[:300]}")
        return pcm16_to_float(response.content)

    return synthesize


def http_designer(url: str, key: str, *, timeout: float = 300.0,
                  transport: Any = None) -> Designer:
    """Design through ``POST /v2/voice_designs`` as a client does, fetch the sample, and
    delete the design again (the server keeps nothing of the run)."""
    import soundfile as sf  # type: ignore[import-untyped]

    client = api_client(url, key, timeout, transport)

    def design(case: Any, params: SamplingParams, text: str) -> DesignSample:
        body: dict[str, Any] = {
            "name": f"eval-{uuid.uuid4().hex[:12]}", "prompt": case.prompt, "text": text,
            "language": case.request_language or "Auto", "temperature": params.temperature,
            "top_k": params.top_k, "top_p": params.top_p,
            "repetition_penalty": params.repetition_penalty}
        if params.seed is not None:
            body["seed"] = params.seed
        created = client.post(DESIGNS_PATH, json=body)
        if created.status_code == 404:
            raise SpeechUnavailable(f"POST {api_base(url)}{DESIGNS_PATH} answered 404")
        created.raise_for_status()
        data = created.json()["data"]
        try:
            wav = client.get(f"{DESIGNS_PATH}/{data['id']}/sample")
            wav.raise_for_status()
        finally:
            client.delete(f"{DESIGNS_PATH}/{data['id']}")
        audio, rate = sf.read(io.BytesIO(wav.content), dtype="float32")
        if rate != SAMPLE_RATE:
            raise SpeechUnavailable(f"the design sample is {rate} Hz, not {SAMPLE_RATE}")
        recipe = data["voice"]["recipe"]
        return DesignSample(audio, data["voice"]["engine_language"], float(recipe["speed"]),
                            [c["voice"] for c in recipe["components"][:3]])

    return design


@dataclass(frozen=True)
class ClonedVoice:
    """A design's sample and its clone reading another text."""

    sample: NDArray[np.float32]
    speech: NDArray[np.float32]
    stored_identical: bool  # what the clone keeps is the design's (bytes)
    repeat_identical: bool | None  # asked for: the clone speaks the same audio again


# (prompt, seed, sample text, clone text, check repeat) -> the clone
Cloner = Callable[[str, int, str, str, bool], ClonedVoice]


def http_cloner(url: str, key: str, *, timeout: float = 300.0, transport: Any = None) -> Cloner:
    """Design, clone and speak through the API as a user does; nothing is left behind.

    ``stored_identical``: the clone's sample is byte for byte the design's;
    ``repeat_identical``: the clone speaks a text twice, uncached, identically.
    """
    import httpx
    import soundfile as sf  # type: ignore[import-untyped]

    client = api_client(url, key, timeout, transport)

    def ok(response: httpx.Response) -> httpx.Response:
        if response.status_code >= 400:
            raise SpeechUnavailable(f"{response.request.method} {response.request.url} "
                                    f"answered HTTP {response.status_code}: {response.text[:300]}")
        return response

    def speak_as(clone_id: str, text: str) -> bytes:
        body = {**speech_body(text, f"Telnyx.Kokoro.{clone_id}"), "disable_cache": True}
        return ok(client.post(SPEECH_PATH, json=body)).content

    def clone(prompt: str, seed: int, sample_text: str, clone_text: str,
              check_repeat: bool) -> ClonedVoice:
        name = f"eval-{uuid.uuid4().hex[:12]}"
        design = ok(client.post(DESIGNS_PATH, json={
            "name": name, "prompt": prompt, "text": sample_text, "seed": seed})).json()["data"]
        clone_id = None
        try:
            sample = ok(client.get(f"{DESIGNS_PATH}/{design['id']}/sample")).content
            made = ok(client.post(CLONES_PATH, json={
                "name": name, "voice_design_id": design["id"], "language": "en",
                "gender": design["voice"]["recipe"]["gender"]})).json()["data"]
            clone_id = made["id"]
            clone_sample = ok(client.get(f"{CLONES_PATH}/{clone_id}/sample")).content
            speech = speak_as(clone_id, clone_text)
            repeat = speak_as(clone_id, clone_text) == speech if check_repeat else None
        finally:
            if clone_id is not None:
                client.delete(f"{CLONES_PATH}/{clone_id}")
            client.delete(f"{DESIGNS_PATH}/{design['id']}")
        audio, _ = sf.read(io.BytesIO(sample), dtype="float32")
        return ClonedVoice(audio, pcm16_to_float(speech), clone_sample == sample, repeat)

    return clone


def engine_synthesizer(ctx: SuiteContext) -> Synthesize:
    def synthesize(text: str, voice: str) -> NDArray[np.float32]:
        stock = ctx.engine.stock_voices[voice]
        speaking = SpeakingVoice(STOCK_VOICE_PREFIX + voice, stock.style, stock.language)
        return speak_all(ctx.engine, text, speaking)

    return synthesize


def synthesizer(ctx: SuiteContext) -> tuple[Synthesize, str]:
    """The speech source for ``ctx`` and a phrase saying which it is, for the report."""
    if isinstance(ctx, RemoteSuiteContext) and ctx.url:
        return http_synthesizer(ctx.url, ctx.key), f"HTTP ({api_base(ctx.url)})"
    return engine_synthesizer(ctx), "in-process engine"
