"""System (c): the HTTP server, as a client sees it (speech streams, design reads).

Speech is ``POST /v2/text-to-speech/speech`` with raw 16-bit PCM streamed back
(time to first audio = first body bytes), and the Telnyx WebSocket on the same
path. A server without the speech endpoint (404) is reported as such, never
turned into numbers.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from voicesmith.bench.probes import Streamed, percentile
from voicesmith.bench.read_load import run_reads
from voicesmith.engine.base import SAMPLE_RATE

SPEECH_PATH = "/text-to-speech/speech"
BYTES_PER_SECOND = 2 * SAMPLE_RATE  # s16le mono


class SpeechUnavailable(RuntimeError):
    """The server answered the speech request with an error (404: no endpoint)."""


def speech_body(text: str, voice_id: str) -> dict[str, Any]:
    # The server caches speech by voice and text; every bench request must
    # synthesize, or repeats would time a disk read.
    return {"text": text, "voice": voice_id, "output_type": "binary_output",
            "disable_cache": True,
            "telnyx": {"response_format": "pcm", "sampling_rate": SAMPLE_RATE}}


class HttpSystem:
    name = "voicesmith HTTP"

    def __init__(self, url: str, key: str, voice_id: str, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.voice_id = voice_id
        self.headers = {"Authorization": f"Bearer {key}"}
        # One connection pool shared by all client threads (httpx.Client is thread-safe).
        self.client = httpx.Client(base_url=self.url, headers=self.headers, timeout=300.0,
                                   limits=httpx.Limits(max_connections=32), transport=transport)

    def close(self) -> None:
        self.client.close()

    def _stream(self, text: str, on_first: Callable[[], None] | None = None) -> float:
        size = 0
        with self.client.stream("POST", SPEECH_PATH,
                                json=speech_body(text, self.voice_id)) as response:
            if response.status_code != 200:
                response.read()
                raise SpeechUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
            for part in response.iter_bytes():
                if part and size == 0 and on_first is not None:
                    on_first()
                size += len(part)
        return size / BYTES_PER_SECOND

    def available(self) -> str | None:
        """None if speech works, else why not (e.g. the endpoint does not exist)."""
        try:
            self._stream("Hello.")
        except SpeechUnavailable as exc:
            return f"speech endpoint unavailable ({exc})"
        return None

    def synthesize(self, text: str) -> float:
        return self._stream(text)

    def first_audio(self, text: str) -> Streamed:
        t0 = time.perf_counter()
        first: list[float] = []
        audio_s = self._stream(text, lambda: first.append(time.perf_counter() - t0))
        return Streamed(first[0] if first else float("nan"), time.perf_counter() - t0, audio_s)

    def ws_first_audio(self, text: str) -> Streamed:
        """Telnyx WebSocket: init frame, the text, end; first audio frame, final frame."""
        from websockets.sync.client import connect

        ws_url = (self.url.replace("http://", "ws://").replace("https://", "wss://")
                  + f"{SPEECH_PATH}?voice={self.voice_id}&audio_format=pcm"
                  f"&sample_rate={SAMPLE_RATE}&disable_cache=true")
        first, size = None, 0
        with connect(ws_url, additional_headers=self.headers, open_timeout=30) as ws:
            ws.send(json.dumps({"text": " "}))
            t0 = time.perf_counter()
            ws.send(json.dumps({"text": text}))
            ws.send(json.dumps({"text": ""}))
            for message in ws:
                frame = json.loads(message)
                audio = base64.b64decode(frame.get("audio") or "")
                if audio and first is None:
                    first = time.perf_counter() - t0
                size += len(audio)
                if frame.get("isFinal"):
                    break
        return Streamed(first if first is not None else float("nan"),
                        time.perf_counter() - t0, size / BYTES_PER_SECOND)

    def create_designs(self, count: int) -> list[str]:
        ids = []
        for i in range(count):
            response = self.client.post("/voice_designs", json={
                "name": f"bench-{i}-{time.time_ns()}", "prompt": "A calm, warm female voice",
                "text": "Hello.", "seed": i})
            response.raise_for_status()
            ids.append(response.json()["data"]["id"])
        return ids

    def read_latency(self, ids: list[str], clients: int, per_client: int,
                     background: Callable[[threading.Event], None] | None = None,
                     background_threads: int = 1) -> dict[str, dict[str, float]]:
        """p50/p99 ms of design list and retrieve, ``clients`` connections at once.

        The reads come from a lean asyncio client (bench.read_load), not from
        httpx threads, so that the client's own CPU does not set the figure.
        ``background`` (e.g. a speech stream) runs in ``background_threads``
        threads alongside until the reads end, so the figure is latency under
        load, not on an idle server. ``["all"]["per_s"]`` is the reads' throughput.
        """
        plans = [[("list", "/voice_designs") if (n + i) % 2 == 0
                  else ("retrieve", f"/voice_designs/{ids[i % len(ids)]}")
                  for i in range(per_client)] for n in range(clients)]
        stop = threading.Event()
        loads = [threading.Thread(target=background, args=(stop,), daemon=True)
                 for _ in range(background_threads if background else 0)]
        for load in loads:
            load.start()
        if loads:
            time.sleep(1.0)  # the streams are synthesizing before the first read
        try:
            measured = run_reads(self.url, self.key, plans)
        finally:
            stop.set()
            for load in loads:
                load.join()
        times = {kind: measured.by_kind.get(kind, []) for kind in ("list", "retrieve")}
        every = times["list"] + times["retrieve"]
        return {**{k: {"p50": percentile(v, 50), "p99": percentile(v, 99), "n": len(v)}
                   for k, v in times.items()},
                "all": {"p50": percentile(every, 50), "p99": percentile(every, 99),
                        "n": len(every), "per_s": len(every) / measured.wall_s}}
