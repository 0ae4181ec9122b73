"""Speech on the real model: every path says the words, and nobody's audio costs CPU.

Each interface (REST streamed, base64, audio_id, WebSocket, OpenAI) is decoded
and transcribed by the offline ASR; a client that disconnects stops the
engine (its pass counter, from /metrics, stops growing).
"""

from __future__ import annotations

import base64
import re
import time

import httpx
import pytest
from openai import OpenAI

from tests.e2e.server import RunningServer
from tests.e2e.speech_helpers import TEXT, assert_says_the_words, decode_as, ws_audio

LONG = " ".join(f"This is sentence number {i} of a very long text that nobody will hear."
                for i in range(1, 80))


def engine_passes(server: RunningServer) -> int:
    text = httpx.get(f"http://127.0.0.1:{server.port}/metrics").text
    match = re.search(r"^voicesmith_engine_passes_total (\d+)$", text, re.MULTILINE)
    assert match, text
    return int(match.group(1))


def wait_until_idle(server: RunningServer, settle: float = 1.5, limit: float = 60) -> int:
    """The counter once it has stopped moving (a pass in flight may still finish)."""
    deadline = time.monotonic() + limit
    last = engine_passes(server)
    while time.monotonic() < deadline:
        time.sleep(settle)
        now = engine_passes(server)
        if now == last:
            return now
        last = now
    raise AssertionError("the engine never went idle")


@pytest.mark.parametrize(("fmt", "rate"), [("mp3", 24000), ("mulaw", 8000)])
def test_streamed_rest_speech_says_the_words(real_server: RunningServer, fmt: str,
                                             rate: int) -> None:
    client = real_server.client()
    with client.text_to_speech.with_streaming_response.generate_speech(
            text=TEXT, voice="Telnyx.Kokoro.af_heart",
            telnyx={"response_format": fmt, "sampling_rate": rate}) as resp:
        data = resp.read()
    samples, decoded = decode_as(data, fmt, rate)
    assert decoded == rate
    assert 2.5 < len(samples) / rate < 8
    assert_says_the_words(samples, rate)


def test_base64_and_audio_id_say_the_words(real_server: RunningServer) -> None:
    client = real_server.client()
    out = client.text_to_speech.generate_speech(
        text=TEXT, voice="am_michael", output_type="base64_output",
        telnyx={"response_format": "wav"})
    assert_says_the_words(*decode_as(base64.b64decode(out.base64_audio or ""), "wav", 24000))
    ref = client.text_to_speech.generate_speech(
        text=TEXT, voice="bf_emma", output_type="audio_id",  # type: ignore[arg-type]
        telnyx={"response_format": "flac"}).to_dict()
    got = httpx.get(ref["audio_url"], headers={"Authorization": f"Bearer {real_server.key}"},
                    timeout=60)
    assert got.headers["content-type"] == "audio/flac"
    assert_says_the_words(*decode_as(got.content, "flac", 24000))


def test_websocket_speech_says_the_words_in_telephony_format(real_server: RunningServer) -> None:
    client = real_server.client()
    with client.text_to_speech.stream(extra_query={
            "voice": "Telnyx.Kokoro.am_adam", "audio_format": "mulaw",
            "sample_rate": "8000"}) as conn:
        conn.send({"text": " "})
        for word in TEXT.split():
            conn.send({"text": word + " "})  # as an LLM streams tokens
        conn.send({"text": ""})
        audio, events = ws_audio(conn)
    assert events[-1].type == "final"
    assert_says_the_words(*decode_as(audio, "mulaw", 8000))


def test_openai_sdk_speech_says_the_words(real_server: RunningServer) -> None:
    client = OpenAI(base_url=real_server.base_url.replace("/v2", "/v1"), api_key=real_server.key)
    with client.audio.speech.with_streaming_response.create(
            model="tts-1", voice="nova", input=TEXT, response_format="opus") as resp:
        data = b"".join(resp.iter_bytes())
    assert_says_the_words(*decode_as(data, "opus", 48000))


def test_a_clone_speaks_with_its_designs_voice(real_server: RunningServer) -> None:
    client = real_server.client()
    d = client.voice_designs.create(name=f"speak-{time.time_ns()}", prompt="A deep male voice",
                                    text="Hello.", extra_body={"seed": 3}).data
    c = client.voice_clones.create(voice_clone_request={
        "name": f"speak-clone-{time.time_ns()}", "voice_design_id": d.id, "language": "en",
        "gender": "male"}).data
    with client.text_to_speech.with_streaming_response.generate_speech(
            text=TEXT, voice=f"Telnyx.Qwen3TTS.{c.id}", telnyx={"response_format": "wav"}) as r:
        samples, rate = decode_as(r.read(), "wav", 24000)
    assert_says_the_words(samples, rate)
    from voicesmith.evaluation.measures import median_f0

    assert median_f0(samples, rate) < 140  # still the deep voice it was designed as


def test_http_disconnect_stops_synthesis(real_server: RunningServer) -> None:
    before = wait_until_idle(real_server)
    with httpx.stream("POST", f"{real_server.base_url}/text-to-speech/speech", timeout=60,
                      headers={"Authorization": f"Bearer {real_server.key}"},
                      json={"text": LONG, "voice": "af_heart", "disable_cache": True,
                            "telnyx": {"response_format": "pcm"}}) as resp:
        first = next(resp.iter_bytes())
        assert first
    # 79 sentences would take ~40 s of engine passes; the client left after one.
    after = wait_until_idle(real_server)
    assert after - before <= 4, (before, after)


def test_websocket_disconnect_and_force_stop_old_audio(real_server: RunningServer) -> None:
    before = wait_until_idle(real_server)
    client = real_server.client()
    conn = client.text_to_speech.stream(extra_query={"voice": "af_heart",
                                                     "disable_cache": "true"}).enter()
    conn.send({"text": " "})
    conn.send({"text": LONG + " "})
    assert conn.recv().type == "audio_chunk"
    conn.send({"text": "Brand new words.", "force": True})  # type: ignore[typeddict-unknown-key]
    texts = []
    for event in conn:
        if event.type == "audio_chunk" and event.text:
            texts.append(event.text)
        if event.type == "final":
            break
    # At most the chunks already on the wire before the interrupt, then the new text.
    assert texts[-1].strip() == "Brand new words."
    assert len(texts) <= 4, texts
    conn.send({"text": LONG + " "})
    assert conn.recv().type == "audio_chunk"
    conn.close()
    after = wait_until_idle(real_server)
    assert after - before <= 10, (before, after)
