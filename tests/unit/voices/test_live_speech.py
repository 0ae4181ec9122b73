"""The live speech session (the WebSocket's, with no HTTP), driven over an in-memory channel.

The test plays the client: it puts frames in the channel's inbox and reads
what the session sent. A slow connection is played by holding one audio frame
until the test releases it: the speaker waits on it, so what happens while
audio is still being sent (interrupts, queued texts, the unspoken-text cap) is
deterministic. The end-to-end tests drive the same session over a real socket.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from tests.support.tiny_model import build_tiny_kokoro_model
from tests.unit.engine.conftest import fake_pack
from voicesmith.audio.formats import parse_format
from voicesmith.engine.base import StockVoice
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.voices.live_frames import ClientGone
from voicesmith.voices.live_speech import LiveSpeech, LiveSpeechOptions
from voicesmith.voices.speaking import SpeakingVoice
from voicesmith.voices.speech import SpeechService
from voicesmith.voices.synthesis import SynthesisPool

GUARD_S = 60.0  # a session that hangs fails instead of stalling the suite
INIT = {"text": " "}
END = {"text": ""}
OPTIONS = LiveSpeechOptions(parse_format("linear16"), 16000, use_cache=False, inactivity_s=30.0)
RAIN = ("Heavy rain moved across the region this afternoon, closing two roads near the "
        "river and delaying trains into the city. ")
SKIES = "Later the skies cleared over the hills, and the evening turned calm and bright again. "


class FakeClient:
    """A ``LiveChannel`` in memory. ``hold_audio``: that audio frame (0 is the first) waits
    for ``release`` before it is sent, as on a stalled connection."""

    def __init__(self, hold_audio: int | None = None) -> None:
        self.inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self.receives = 0  # calls to receive: n means n - 1 frames were read and acted on
        self.hold_audio = hold_audio
        self.holding = False
        self.release = asyncio.Event()
        self._changed = asyncio.Condition()

    def say(self, *frames: dict[str, Any] | str | bytes | None) -> None:
        """Send frames (a dict as JSON text); None: the client disconnects."""
        for frame in frames:
            self.inbox.put_nowait(json.dumps(frame) if isinstance(frame, dict) else frame)

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(GUARD_S), self._changed:
            await self._changed.wait_for(condition)

    async def receive(self) -> str | bytes:
        self.receives += 1
        await self._notify()
        frame = await self.inbox.get()
        if frame is None:
            raise ClientGone("the client left")
        return frame

    async def send_text(self, text: str) -> None:
        if self.closed is not None:
            raise ClientGone("closed")
        frame = json.loads(text)
        if frame["type"] == "audio_chunk" and self.hold_audio == len(audio_frames(self.frames)):
            self.hold_audio = None  # once
            self.holding = True
            await self._notify()
            await self.release.wait()
        self.frames.append(frame)
        await self._notify()

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed is not None:
            raise ClientGone("closed")
        self.closed = (code, reason)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def audio_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "audio_chunk"]


def spoken(client: FakeClient) -> list[str]:
    return [f["text"].strip() for f in audio_frames(client.frames) if f["text"]]


def errors(client: FakeClient) -> list[str]:
    return [f["error"] for f in client.frames if f["type"] == "error"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SpeechService:
    model = build_tiny_kokoro_model(tmp_path_factory.mktemp("m") / "tiny.onnx")
    engine = KokoroEngine(model, {"af_test": StockVoice("af_test", AMERICAN_ENGLISH, "female",
                                                        fake_pack(1))}, intra_op_threads=1)
    return SpeechService(engine, SynthesisPool(2), None)


@pytest.fixture(scope="module")
def voice(service: SpeechService) -> SpeakingVoice:
    stock = service.engine.stock_voices["af_test"]
    return SpeakingVoice("Telnyx.Kokoro.af_test", stock.style, stock.language)


Script = Callable[[FakeClient], Awaitable[None]]


def converse(service: SpeechService, voice: SpeakingVoice, client: FakeClient,
             script: Script | None = None, options: LiveSpeechOptions = OPTIONS) -> LiveSpeech:
    """Run a session over ``client`` to its end, with ``script`` playing the client meanwhile."""
    session = LiveSpeech(client, service, voice, options)

    async def main() -> None:
        running = asyncio.ensure_future(session.run())
        if script is not None:
            await script(client)
        await asyncio.wait_for(running, GUARD_S)

    asyncio.run(main())
    return session


def test_sentences_are_buffered_and_spoken_in_order(service: SpeechService,
                                                    voice: SpeakingVoice) -> None:
    client = FakeClient()
    client.say(INIT, {"text": "Hello from the "}, {"text": "socket. And a second"},
               {"text": " sentence without an end", "flush": True}, END)
    converse(service, voice, client)
    assert spoken(client) == ["Hello from the socket.", "And a second sentence without an end"]
    # One audio frame per piece here, then the flush's final; the end sends the stream's
    # tail (the resampler's last samples: 24 kHz -> 16 kHz) and its own final.
    assert [(f["type"], f["text"]) for f in client.frames] == [
        ("audio_chunk", "Hello from the socket."),
        ("audio_chunk", "And a second sentence without an end"),
        ("final", ""), ("audio_chunk", ""), ("final", "")]
    assert ["timeToFirstAudioFrameMs" in f for f in audio_frames(client.frames)] == [
        True, True, False]
    audio = b"".join(base64.b64decode(f["audio"]) for f in audio_frames(client.frames))
    assert len(audio) // 2 / 16000 > 0.5  # linear16: one stream of 16-bit samples
    assert client.closed == (1000, "")


def test_a_flush_speaks_what_is_pending_then_sends_final(service: SpeechService,
                                                         voice: SpeakingVoice) -> None:
    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": "Not a sentence yet", "flush": True})
        await client.until(lambda: any(f["type"] == "final" for f in client.frames))
        assert spoken(client) == ["Not a sentence yet"] and client.closed is None  # still open
        client.say({"text": "Then more. "}, END)

    client = FakeClient()
    converse(service, voice, client, script)
    assert spoken(client) == ["Not a sentence yet", "Then more."]
    assert client.frames[-1] == {"type": "final", "isFinal": True, "text": "", "audio": None}


def test_the_end_speaks_the_rest_then_final_and_close_1000(service: SpeechService,
                                                           voice: SpeakingVoice) -> None:
    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": "The last words"}, END, {"text": "Too late. "})
        # The late frame is read (the sixth read waits) while the last words are held.
        await client.until(lambda: client.holding and client.receives >= 5)
        client.release.set()

    client = FakeClient(hold_audio=0)
    converse(service, voice, client, script)
    assert spoken(client) == ["The last words"]
    assert errors(client) == [('The stream has ended ({"text": ""} was sent): this frame was '
                               "ignored. Open a new session to say more.")]
    assert client.frames[-1]["type"] == "final" and client.closed == (1000, "")


def test_force_stops_the_old_audio_and_speaks_its_text_next(service: SpeechService,
                                                            voice: SpeakingVoice) -> None:
    long_text = "The first sentence is here. The second one follows. The third one ends it."

    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": long_text, "flush": True})
        await client.until(lambda: client.holding)  # the second sentence's audio is held
        client.say({"text": "Instead this. ", "force": True}, END)

    client = FakeClient(hold_audio=1)
    converse(service, voice, client, script)
    assert spoken(client) == ["The first sentence is here.", "Instead this."]
    assert [f["type"] for f in client.frames if f["text"] or f["type"] != "audio_chunk"] == [
        "audio_chunk", "audio_chunk", "final", "final"]  # no final for the interrupted flush
    assert client.closed == (1000, "")


def test_silence_closes_the_session_but_speaking_is_not_silence(service: SpeechService,
                                                                voice: SpeakingVoice) -> None:
    quiet = replace(OPTIONS, inactivity_s=0.2)

    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": "Held on a slow line.", "flush": True})
        await client.until(lambda: client.holding)
        await asyncio.sleep(5 * quiet.inactivity_s)  # no frame comes, but audio is on its way
        assert client.closed is None
        client.release.set()

    client = FakeClient(hold_audio=0)
    converse(service, voice, client, script, options=quiet)
    assert spoken(client) == ["Held on a slow line."]
    assert client.closed == (1000, "inactivity timeout")


def test_unspoken_text_over_the_cap_closes_1008(service: SpeechService,
                                                voice: SpeakingVoice) -> None:
    capped = replace(OPTIONS, max_unspoken_chars=50)
    text = "Some thirty characters of words. "  # 33: two of them pass 50

    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": text, "flush": True})
        await client.until(lambda: client.holding)  # spoken it is not: its audio is held
        client.say({"text": text})

    client = FakeClient(hold_audio=0)
    converse(service, voice, client, script, options=capped)
    detail = "More than 50 characters of text are waiting to be spoken"
    assert client.frames[-1]["type"] == "error" and detail in client.frames[-1]["error"]
    assert client.closed is not None and client.closed[0] == 1008 and detail in client.closed[1]
    assert spoken(client) == []


def test_what_a_force_interrupts_does_not_count_against_the_cap(service: SpeechService,
                                                                voice: SpeakingVoice) -> None:
    capped = replace(OPTIONS, max_unspoken_chars=50)
    text = "Some thirty characters of words. "

    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": text, "flush": True})
        await client.until(lambda: client.holding)
        client.say({"text": text, "force": True}, END)

    client = FakeClient(hold_audio=0)
    converse(service, voice, client, script, options=capped)
    assert errors(client) == [] and spoken(client) == [text.strip()]
    assert client.closed == (1000, "")


def test_the_first_text_starts_with_its_first_clause_and_queued_texts_are_whole(
        service: SpeechService, voice: SpeakingVoice) -> None:
    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": RAIN, "flush": True}, {"text": SKIES, "flush": True}, END)
        # All four frames acted on (the fifth read waits) while RAIN's audio is held.
        await client.until(lambda: client.holding and client.receives >= 5)
        client.release.set()

    client = FakeClient(hold_audio=0)
    converse(service, voice, client, script)
    # Nothing was playing: RAIN's first chunk is its first clause. SKIES was queued
    # behind audio already on its way, so it comes whole.
    assert spoken(client) == [
        "Heavy rain moved across the region this afternoon,",
        "closing two roads near the river and delaying trains into the city.", SKIES.strip()]
    timed = ["timeToFirstAudioFrameMs" in f for f in audio_frames(client.frames) if f["text"]]
    assert timed == [True, False, True]  # the first chunk of each text


@pytest.mark.parametrize(("frame", "code", "words"), [
    (b"\x00\x01binary", 1003, "Binary frames are not accepted"),
    (json.dumps({"text": "a" * (64 * 1024)}), 1009, "at most 65536 bytes"),
])
def test_a_binary_or_oversized_frame_closes_after_an_error(
        service: SpeechService, voice: SpeakingVoice, frame: str | bytes, code: int,
        words: str) -> None:
    client = FakeClient()
    client.say(INIT, frame, {"text": "Never read. "})
    converse(service, voice, client)
    assert [f["type"] for f in client.frames] == ["error"] and words in errors(client)[0]
    assert client.closed is not None and client.closed[0] == code


def test_a_client_that_leaves_mid_speech_ends_the_session(service: SpeechService,
                                                          voice: SpeakingVoice) -> None:
    async def script(client: FakeClient) -> None:
        client.say(INIT, {"text": RAIN, "flush": True})
        await client.until(lambda: client.holding)
        client.say(None)

    client = FakeClient(hold_audio=0)
    session = converse(service, voice, client, script)
    assert not session.speaker.busy and client.frames == [] and client.closed is None
