"""A fake MiniMax speech API on loopback, for tests: nothing here talks to the internet.

It follows MiniMax's published API reference, request and response shapes
included (hex-encoded audio, ``base_resp`` with MiniMax's status codes on HTTP
200, SSE streaming):

* Text to speech (T2A v2), ``POST /v1/t2a_v2``:
  https://platform.minimax.io/docs/api-reference/speech-t2a-http
  (``model``, ``text``, ``stream``, ``stream_options.exclude_aggregated_audio``,
  ``voice_setting{voice_id,speed,vol,pitch}``,
  ``audio_setting{sample_rate,format,channel}``; answer ``data.audio`` hex,
  ``data.status`` 1 for a streamed piece and 2 for the end, ``extra_info``,
  ``trace_id``, ``base_resp``; streamed as ``data: {...}`` SSE events)
* Voice design, ``POST /v1/voice_design``:
  https://platform.minimax.io/docs/api-reference/voice-design-design
  (``prompt``, ``preview_text`` at most 500 characters -> ``voice_id``, ``trial_audio`` hex)
* File upload, ``POST /v1/files/upload`` (multipart, ``purpose=voice_clone``):
  https://platform.minimax.io/docs/api-reference/voice-cloning-uploadcloneaudio
  (-> ``file{file_id,bytes,created_at,filename,purpose}``)
* Voice clone, ``POST /v1/voice_clone``:
  https://platform.minimax.io/docs/api-reference/voice-cloning-clone
  (``file_id``, ``voice_id``: 8-256 characters, starting with a letter)
* Delete voice, ``POST /v1/delete_voice`` (``voice_type`` voice_cloning |
  voice_generation, ``voice_id`` -> ``voice_id``, ``created_time``): MiniMax's
  "Voice Management" section of the same reference, https://platform.minimax.io/docs
  (this one page was not among the copies consulted; its shape is the one
  MiniMax's SDK examples use)
* Error codes (``base_resp.status_code``), as the pages above list them: 1000
  unknown error, 1001 timeout, 1002 rate limit, 1004 authentication failed,
  1008 insufficient balance, 1024 internal error, 2013 invalid parameters,
  2039 duplicate voice id, 2049 invalid API key (2054, an unknown voice id, is
  the fake's stand-in for MiniMax's "voice does not exist")

Failures are injected with ``Fault``s (each hits ``times`` requests to its
path): ``slow`` (answers after ``delay_s``), ``error`` (HTTP 200 with
``base_resp.status_code`` = ``code``), ``http`` (HTTP status ``code``),
``rate_limit`` (code 1002) and ``mid_stream`` (a streamed T2A that sends ``after``
pieces of audio, then an error event). "Unreachable" is a base URL nobody
listens on.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from voicesmith.audio.pipeline import encode_audio

VOICE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{6,254}[A-Za-z0-9_]$")
SYSTEM_VOICES = {"male-qn-qingse", "English_Graceful_Lady"}


@dataclass
class Fault:
    kind: str  # slow | error | http | rate_limit | mid_stream
    path: str | None = None  # only requests to this path (e.g. "/v1/t2a_v2"); None: any
    times: int = 1  # how many requests it hits; -1: every one
    code: int = 1000  # base_resp.status_code (error) or HTTP status (http)
    delay_s: float = 5.0
    after: int = 1  # mid_stream: pieces of audio sent before the error event


@dataclass
class Call:
    path: str
    query: dict[str, str]
    authorization: str | None
    body: dict[str, Any]


@dataclass
class FakeMiniMax:
    api_key: str = "fake-minimax-key"
    voices: dict[str, str] = field(default_factory=dict)  # voice_id -> voice type
    files: dict[int, bytes] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10**17))

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path in (None, path) and fault.times != 0:
                    fault.times -= 1 if fault.times > 0 else 0
                    return fault
        return None


def base_resp(code: int = 0, msg: str = "success") -> dict[str, Any]:
    return {"status_code": code, "status_msg": msg}


def failure(code: int, msg: str) -> JSONResponse:
    return JSONResponse({"base_resp": base_resp(code, msg)})


def tone(voice_id: str, text: str, rate: int) -> np.ndarray:
    """A few hundred ms of a voice-specific tone (longer for longer text): real audio."""
    seconds = min(max(0.05 * len(text), 0.4), 4.0)
    freq = 120 + int(hashlib.sha256(voice_id.encode()).hexdigest()[:4], 16) % 200
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t) * np.minimum(1, t * 20)).astype(np.float32)


def encode(samples: np.ndarray, fmt: str, rate: int) -> bytes:
    if fmt == "pcm":
        return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return encode_audio(samples, fmt, rate, input_rate=rate)


def build_app(fake: FakeMiniMax) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def gatekeeper(request: Request, call_next: Any) -> Response:
        path = request.url.path
        body: dict[str, Any] = {}
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(await request.body() or b"{}")
        fake.calls.append(Call(path, dict(request.query_params),
                               request.headers.get("authorization"), body))
        if request.headers.get("authorization") != f"Bearer {fake.api_key}":
            return failure(1004, "authentication failed")
        fault = fake._take_fault(path)
        if fault is not None and fault.kind != "mid_stream":
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay_s)
            elif fault.kind == "error":
                return failure(fault.code, "injected error")
            elif fault.kind == "rate_limit":
                return failure(1002, "rate limit exceeded")
            elif fault.kind == "http":
                return JSONResponse({"error": "injected"}, status_code=fault.code)
        request.state.mid_stream = fault.after if fault is not None and \
            fault.kind == "mid_stream" else None
        response: Response = await call_next(request)
        return response

    @app.post("/v1/voice_design")
    async def voice_design(request: Request) -> Response:
        body = await request.json()
        prompt, preview = body.get("prompt"), body.get("preview_text")
        if not prompt or not isinstance(preview, str) or len(preview) > 500:
            return failure(2013, "invalid params: prompt and preview_text (<= 500) required")
        voice_id = body.get("voice_id") or f"ttv-voice-{time.strftime('%Y%m%d%H%M%S')}-" \
                                              f"{secrets.token_hex(4)}"
        fake.voices[voice_id] = "voice_generation"
        audio = encode(tone(voice_id, preview, 24000), "mp3", 24000)  # rates our encoder makes
        return JSONResponse({"trial_audio": audio.hex(), "voice_id": voice_id,
                             "base_resp": base_resp()})

    @app.post("/v1/files/upload")
    async def upload(request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if form.get("purpose") != "voice_clone" or upload is None or isinstance(upload, str):
            return failure(2013, "invalid params: purpose and file required")
        data = await upload.read()
        file_id = next(fake._ids)
        fake.files[file_id] = data
        return JSONResponse({"file": {"file_id": file_id, "bytes": len(data),
                                      "created_at": int(time.time()),
                                      "filename": upload.filename, "purpose": "voice_clone"},
                             "base_resp": base_resp()})

    @app.post("/v1/voice_clone")
    async def voice_clone(request: Request) -> Response:
        body = await request.json()
        voice_id = body.get("voice_id")
        if body.get("file_id") not in fake.files or not isinstance(voice_id, str) \
                or not VOICE_ID.match(voice_id):
            return failure(2013, "invalid params: file_id or voice_id")
        if voice_id in fake.voices:
            return failure(2039, "voice clone voice id duplicate")
        fake.voices[voice_id] = "voice_cloning"
        return JSONResponse({"input_sensitive": False, "input_sensitive_type": 0,
                             "demo_audio": "", "base_resp": base_resp()})

    @app.post("/v1/delete_voice")
    async def delete_voice(request: Request) -> Response:
        body = await request.json()
        voice_id, kind = body.get("voice_id"), body.get("voice_type")
        if kind not in ("voice_cloning", "voice_generation") or voice_id not in fake.voices:
            return failure(2013, "invalid params: voice_type or voice_id")
        del fake.voices[voice_id]
        return JSONResponse({"voice_id": voice_id, "created_time": time.strftime("%Y-%m-%d"),
                             "base_resp": base_resp()})

    @app.post("/v1/t2a_v2")
    async def t2a(request: Request) -> Response:
        body = await request.json()
        voice = (body.get("voice_setting") or {}).get("voice_id")
        audio_setting = body.get("audio_setting") or {}
        rate, fmt = int(audio_setting.get("sample_rate", 32000)), audio_setting.get("format", "mp3")
        if not body.get("text") or not body.get("model") or fmt not in ("pcm", "mp3", "wav"):
            return failure(2013, "invalid params")
        if voice not in fake.voices and voice not in SYSTEM_VOICES:
            return failure(2054, "voice id not exist")
        samples = tone(voice, body["text"], rate)
        extra = {"audio_length": int(len(samples) / rate * 1000), "audio_sample_rate": rate,
                 "audio_format": fmt, "audio_channel": 1, "usage_characters": len(body["text"])}
        if not body.get("stream"):
            return JSONResponse({"data": {"audio": encode(samples, fmt, rate).hex(), "status": 2},
                                 "extra_info": extra, "trace_id": secrets.token_hex(16),
                                 "base_resp": base_resp()})
        whole = encode(samples, fmt, rate)
        pieces = [whole[i:i + 4001] for i in range(0, len(whole), 4001)]  # odd: splits samples
        aggregate = "" if (body.get("stream_options") or {}).get("exclude_aggregated_audio") \
            else whole.hex()
        mid_stream = request.state.mid_stream

        async def events() -> AsyncIterator[bytes]:
            for n, piece in enumerate(pieces):
                if mid_stream is not None and n == mid_stream:
                    yield _event({"base_resp": base_resp(1000, "unknown error")})
                    return
                yield _event({"data": {"audio": piece.hex(), "status": 1, "ced": ""},
                              "trace_id": "t", "base_resp": base_resp()})
                await asyncio.sleep(0)
            yield _event({"data": {"audio": aggregate, "status": 2}, "extra_info": extra,
                          "trace_id": "t", "base_resp": base_resp()})

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def _event(obj: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(obj)}\n\n".encode()


class RunningFake:
    """The fake served by uvicorn on a loopback port, in a daemon thread."""

    def __init__(self, fake: FakeMiniMax, port: int) -> None:
        self.fake = fake
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(build_app(fake), host="127.0.0.1", port=port,
                                log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> RunningFake:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake MiniMax server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
