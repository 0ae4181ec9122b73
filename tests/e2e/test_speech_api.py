"""The speech endpoints through the official SDKs, on the fast (tiny-model) server.

Formats, rates, sample-rate headers, base64, audio_id, voice listing, the
WebSocket protocol, OpenAI compatibility and every error. What the speech
says is checked on the real model in test_speech_real.py.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from openai import APIStatusError, OpenAI
from telnyx import Telnyx, UnprocessableEntityError

from tests.e2e.server import RunningServer
from tests.e2e.speech_helpers import decode_as, ws_audio
from tests.e2e.test_voice_designs import unique

TEXT = "Hello there. This is a test of streaming speech, clause by clause. Goodbye now."


def speak(client: Telnyx, **telnyx: object) -> tuple[bytes, dict[str, str]]:
    with client.text_to_speech.with_streaming_response.generate_speech(
            text=TEXT, voice="Telnyx.Kokoro.af_heart", telnyx=telnyx or None) as resp:  # type: ignore[arg-type]
        assert resp.status_code == 200
        return resp.read(), dict(resp.headers)


@pytest.mark.parametrize(("fmt", "rate"), [
    ("wav", None), ("mp3", 24000), ("linear16", 16000), ("pcm", 22050), ("mulaw", 8000),
    ("alaw", 8000), ("opus", 48000), ("flac", 44100), ("aac", 24000), ("mp3", 8000),
])
def test_every_format_and_rate_decodes_to_the_same_duration(fast_server: RunningServer,
                                                            fmt: str, rate: int | None) -> None:
    client = fast_server.client()
    ref, _ = speak(client, response_format="wav")
    ref_samples, ref_rate = decode_as(ref, "wav", 24000)
    options: dict[str, object] = {"response_format": fmt}
    if rate:
        options["sampling_rate"] = rate
    data, headers = speak(client, **options)
    samples, decoded_rate = decode_as(data, fmt, rate or 24000)
    if fmt != "opus":  # Opus always decodes at 48 kHz (RFC 7845)
        assert decoded_rate == (rate or 24000)
        assert headers["x-sample-rate"] == str(rate or 24000)
    duration, ref_duration = len(samples) / decoded_rate, len(ref_samples) / ref_rate
    assert ref_duration > 0.5
    # A streamed lossy file carries its codec's priming delay and last-frame
    # padding (no gapless header can be written up front): MP3 at 8 kHz adds
    # ~160 ms, AAC 85 ms. Raw and lossless formats must match to a few ms.
    tolerance = 0.2 if fmt in ("mp3", "aac", "opus") else 0.01
    assert abs(duration - ref_duration) < tolerance, (duration, ref_duration)


def test_voice_speed_and_volume_are_applied(fast_server: RunningServer) -> None:
    client = fast_server.client()
    base, _ = decode_as(speak(client, response_format="pcm", sampling_rate=24000)[0], "pcm", 24000)
    fast, _ = decode_as(speak(client, response_format="pcm", voice_speed=2.0)[0], "pcm", 24000)
    quiet, _ = decode_as(speak(client, response_format="pcm", volume=0.5)[0], "pcm", 24000)
    assert len(fast) < 0.7 * len(base)
    rms = lambda x: float((x.astype("float64") ** 2).mean() ** 0.5)
    assert rms(quiet) == pytest.approx(rms(base) * 0.5, rel=0.05)


def test_identical_requests_hit_the_cache_unless_disabled(fast_server: RunningServer) -> None:
    client = fast_server.client()
    text = f"Cache me {unique('t')}."
    first = client.text_to_speech.with_raw_response.generate_speech(
        text=text, voice="af_heart", telnyx={"response_format": "wav"})
    second = client.text_to_speech.with_raw_response.generate_speech(
        text=text, voice="af_heart", telnyx={"response_format": "wav"})
    fresh = client.text_to_speech.with_raw_response.generate_speech(
        text=text, voice="af_heart", telnyx={"response_format": "wav"}, disable_cache=True)
    assert first.headers["x-voicesmith-cache"] == "miss"
    assert second.headers["x-voicesmith-cache"] == "hit"
    assert fresh.headers["x-voicesmith-cache"] == "miss"
    assert second.http_response.content == first.http_response.content


def test_base64_output(fast_server: RunningServer) -> None:
    out = fast_server.client().text_to_speech.generate_speech(
        text=TEXT, voice="Telnyx.Kokoro.af_heart", output_type="base64_output",
        telnyx={"response_format": "wav", "sampling_rate": 16000})
    samples, rate = decode_as(base64.b64decode(out.base64_audio or ""), "wav", 16000)
    assert rate == 16000 and len(samples) / rate > 0.5


def test_audio_id_can_be_downloaded_later_by_its_owner_only(fast_server: RunningServer) -> None:
    client = fast_server.client()
    out = client.text_to_speech.generate_speech(
        text=TEXT, voice="af_heart", output_type="audio_id",  # type: ignore[arg-type]
        telnyx={"response_format": "mp3"})
    url = out.to_dict()["audio_url"]
    got = httpx.get(url, headers={"Authorization": f"Bearer {fast_server.key}"}, timeout=30)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/mpeg"
    samples, rate = decode_as(got.content, "mp3", 24000)
    assert len(samples) / rate > 0.5
    other = fast_server.cli("keys", "create", unique("k"), "--org", unique("org")).strip()
    assert httpx.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    missing = httpx.get(url.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000",
                        headers={"Authorization": f"Bearer {fast_server.key}"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "10005"


def test_voices_list_clones_and_stock_voices_with_filters(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = client.voice_designs.create(name=unique("d"), prompt="A calm British man",
                                    text="Hello.").data
    clone = client.voice_clones.create(voice_clone_request={
        "name": unique("c"), "voice_design_id": d.id, "language": "en-GB", "gender": "male"}).data
    voices = client.text_to_speech.list_voices(provider="telnyx").voices or []
    ids = {v.voice_id for v in voices}
    assert f"Telnyx.Kokoro.{clone.id}" in ids and "Telnyx.Kokoro.af_heart" in ids
    british = client.text_to_speech.list_voices(extra_query={"language": "en-GB"}).voices or []
    assert british and all(v.language == "en-GB" for v in british)
    assert f"Telnyx.Kokoro.{clone.id}" in {v.voice_id for v in british}
    english = client.text_to_speech.list_voices(extra_query={"language": "en"}).voices or []
    assert {v.language for v in english} == {"en-US", "en-GB"}
    assert client.text_to_speech.list_voices(provider="aws").voices == []
    # The clone speaks under every accepted id form.
    for voice in (f"Telnyx.Qwen3TTS.{clone.id}", f"Telnyx.Kokoro.{clone.name}", clone.id):
        with client.text_to_speech.with_streaming_response.generate_speech(
                text="Testing.", voice=voice) as resp:
            assert resp.status_code == 200 and len(resp.read()) > 100


def errors_of(exc: pytest.ExceptionInfo) -> dict:  # type: ignore[type-arg]
    body = exc.value.response.json()  # type: ignore[union-attr]
    assert exc.value.response.headers["x-should-retry"] == "false"  # type: ignore[union-attr]
    return body["errors"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("kwargs", "status", "pointer"), [
    ({"voice": "Telnyx.Kokoro.nobody"}, 404, "/voice"),
    ({"voice": "Telnyx.Ultra.af_heart"}, 422, "/voice"),
    ({"text": "x" * 100_001}, 422, "/text"),
    ({"text": "   "}, 422, "/text"),
    ({"telnyx": {"response_format": "ogg-vorbis"}}, 422, "/telnyx/response_format"),
    ({"telnyx": {"sampling_rate": 11025}}, 422, "/telnyx/sampling_rate"),
    ({"telnyx": {"volume": 5}}, 422, "/telnyx/volume"),
    ({"telnyx": {"voice_speed": 9}}, 422, "/telnyx/voice_speed"),
    ({"language": "Klingon"}, 422, "/language"),
])
def test_bad_requests_are_clear_errors(fast_server: RunningServer, kwargs: dict, status: int,  # type: ignore[type-arg]
                                       pointer: str) -> None:
    body = {"text": "Hello.", "voice": "af_heart", **kwargs}
    r = httpx.post(f"{fast_server.base_url}/text-to-speech/speech", json=body,
                   headers={"Authorization": f"Bearer {fast_server.key}"})
    assert r.status_code == status, r.text
    err = r.json()["errors"][0]
    assert err["source"]["pointer"] == pointer and err["detail"]
    if kwargs.get("voice") == "Telnyx.Kokoro.nobody":
        assert "nobody" in err["detail"]


def test_speech_needs_a_key(fast_server: RunningServer) -> None:
    r = httpx.post(f"{fast_server.base_url}/text-to-speech/speech",
                   json={"text": "Hi.", "voice": "af_heart"})
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "10009"


def test_sdk_raises_on_too_long_text(fast_server: RunningServer) -> None:
    with pytest.raises(UnprocessableEntityError) as exc:
        fast_server.client().text_to_speech.create_speech(text="y" * 100_001, voice="af_heart")
    assert "100,000" in errors_of(exc)["detail"]


def test_websocket_stream_through_the_sdk(fast_server: RunningServer) -> None:
    client = fast_server.client()
    with client.text_to_speech.stream(extra_query={
            "voice": "Telnyx.Kokoro.af_heart", "audio_format": "linear16",
            "sample_rate": "16000"}) as conn:
        conn.send({"text": " ", "voice_settings": {"voice_speed": 1.0}})
        conn.send({"text": "Hello from the "})
        conn.send({"text": "socket. And a second"})
        conn.send({"text": " sentence without an end", "flush": True})  # type: ignore[typeddict-unknown-key]
        conn.send({"text": ""})
        audio, events = ws_audio(conn)
    chunks = [e for e in events if e.type == "audio_chunk"]
    assert [c.text.strip() for c in chunks if c.text] == [
        "Hello from the socket.", "And a second sentence without an end"]
    assert chunks[0].time_to_first_audio_frame_ms is not None
    assert all(c.cached is False for c in chunks) and all(c.is_final is False for c in chunks)
    assert events[-1].type == "final"
    samples, rate = decode_as(audio, "pcm", 16000)
    assert rate == 16000 and len(samples) / rate > 0.5


def test_websocket_first_audio_is_the_first_clause(fast_server: RunningServer) -> None:
    # Nothing is playing when the first text arrives, so its first chunk is made
    # short (a clause) and the listener hears audio sooner; no word is lost.
    text = ("Heavy rain moved across the region this afternoon, closing two roads near the "
            "river and delaying trains into the city. ")
    with fast_server.client().text_to_speech.stream(extra_query={
            "voice": "af_heart", "disable_cache": "true"}) as conn:
        conn.send({"text": " "})
        conn.send({"text": text})
        conn.send({"text": ""})
        _, events = ws_audio(conn)
    spoken = [e.text.strip() for e in events if e.type == "audio_chunk" and e.text]
    assert spoken[0] == "Heavy rain moved across the region this afternoon,"
    assert " ".join(spoken).split() == text.split()


def test_websocket_reports_cached_audio(fast_server: RunningServer) -> None:
    client = fast_server.client()
    text = f"Cached over the socket {unique('w')}. "
    for expected in (False, True):
        with client.text_to_speech.stream(extra_query={"voice": "af_heart"}) as conn:
            conn.send({"text": " "})
            conn.send({"text": text})
            conn.send({"text": ""})
            _, events = ws_audio(conn)
        assert {e.cached for e in events if e.type == "audio_chunk" and e.text} == {expected}


def test_websocket_errors(fast_server: RunningServer) -> None:
    import websockets.sync.client as ws

    url = fast_server.base_url.replace("http", "ws") + "/text-to-speech/speech"
    with ws.connect(url + "?voice=af_heart") as conn:  # no key
        assert "key" in json.loads(conn.recv(timeout=10))["error"].lower()
    auth = {"Authorization": f"Bearer {fast_server.key}"}
    with ws.connect(url + "?voice=Telnyx.Kokoro.nobody", additional_headers=auth) as conn:
        assert "nobody" in json.loads(conn.recv(timeout=10))["error"]
    with ws.connect(url + "?voice=af_heart&sample_rate=123", additional_headers=auth) as conn:
        assert "123" in json.loads(conn.recv(timeout=10))["error"]
    with ws.connect(url + "?voice=af_heart", additional_headers=auth) as conn:
        conn.send("not json")
        assert json.loads(conn.recv(timeout=10))["type"] == "error"
        conn.send(json.dumps({"text": " "}))
        conn.send(json.dumps({"text": "Still works. "}))
        conn.send(json.dumps({"text": ""}))
        frames = [json.loads(conn.recv(timeout=10))]
        while frames[-1]["type"] != "final":
            frames.append(json.loads(conn.recv(timeout=10)))
        assert frames[0]["type"] == "audio_chunk" and frames[0]["text"].strip() == "Still works."


def test_websocket_closes_after_inactivity(fast_server: RunningServer) -> None:
    import websockets.sync.client as ws
    from websockets.exceptions import ConnectionClosedOK

    url = fast_server.base_url.replace("http", "ws") + "/text-to-speech/speech"
    with ws.connect(url + "?voice=af_heart&inactivity_timeout=1",
                    additional_headers={"Authorization": f"Bearer {fast_server.key}"}) as conn:
        conn.send(json.dumps({"text": " "}))
        with pytest.raises(ConnectionClosedOK):
            conn.recv(timeout=10)


@pytest.mark.parametrize("prefix", ["/v1", "/v2"])
def test_openai_sdk_speech(fast_server: RunningServer, prefix: str) -> None:
    client = OpenAI(base_url=fast_server.base_url.replace("/v2", prefix), api_key=fast_server.key)
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT,
                                     response_format="wav")
    samples, rate = decode_as(wav.content, "wav", 24000)
    assert rate == 24000 and len(samples) / rate > 0.5
    with client.audio.speech.with_streaming_response.create(
            model="gpt-4o-mini-tts", voice="Telnyx.Kokoro.af_heart", input=TEXT,
            response_format="pcm", speed=4.0) as resp:
        fast = b"".join(resp.iter_bytes())
    assert len(decode_as(fast, "pcm", 24000)[0]) < len(samples) / 2.5


@pytest.mark.parametrize("fmt", ["flac", "wav", "mp3", "opus"])
def test_openai_streamed_audio_opens_in_soundfile(fast_server: RunningServer, fmt: str) -> None:
    """Streamed bodies readers like libsndfile open (a streamed FLAC once had 0 samples
    in its header, and soundfile could not read it)."""
    import io

    import soundfile as sf

    client = OpenAI(base_url=fast_server.base_url.replace("/v2", "/v1"), api_key=fast_server.key)
    with client.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=TEXT, response_format=fmt) as resp:  # type: ignore[arg-type]
        body = b"".join(resp.iter_bytes())
    samples, rate = sf.read(io.BytesIO(body), dtype="float32")
    assert rate in (24_000, 48_000) and len(samples) / rate > 0.5


def test_openai_sse_stream(fast_server: RunningServer) -> None:
    r = httpx.post(f"{fast_server.base_url}/audio/speech", timeout=30,
                   headers={"Authorization": f"Bearer {fast_server.key}"},
                   json={"model": "tts-1", "voice": "af_heart", "input": TEXT,
                         "response_format": "pcm", "stream_format": "sse"})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
    assert events[-1]["type"] == "speech.audio.done"
    audio = b"".join(base64.b64decode(e["audio"]) for e in events[:-1])
    assert {e["type"] for e in events[:-1]} == {"speech.audio.delta"} and len(audio) > 10_000


def test_openai_errors(fast_server: RunningServer) -> None:
    client = OpenAI(base_url=fast_server.base_url.replace("/v2", "/v1"), api_key=fast_server.key)
    with pytest.raises(APIStatusError) as exc:
        client.audio.speech.create(model="tts-1", voice="nobody", input="Hi.")
    assert exc.value.status_code == 404
    with pytest.raises(APIStatusError) as exc:
        client.audio.speech.create(model="tts-1", voice="alloy", input="Hi.", speed=5.0)
    assert exc.value.status_code == 422
    with pytest.raises(APIStatusError) as exc:
        client.audio.speech.create(model="tts-1", voice="alloy", input=" ")
    assert exc.value.status_code == 422
    assert exc.value.response.json()["errors"][0]["source"]["pointer"] == "/input"
