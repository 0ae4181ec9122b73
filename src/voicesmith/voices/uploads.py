"""Capturing a clone's voice from an uploaded recording: the domain rules, no HTTP.

``CloneService.create_from_upload`` calls ``check`` (cheap, before anything is
decoded), ``decode`` (bounded), then ``submit``s the capture, which fits a voice
to the recording: under 10 s of CPU with the shipped voice bank
(``cloning.voice_bank``). Captures run one at a time on a worker
thread (two at once would each take twice as long on a small machine); at
most ``MAX_QUEUED`` wait, and a request beyond that is told to retry (429)
with nothing stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from voicesmith.cloning.availability import missing_packages_error, require_capture
from voicesmith.engine.base import SpeechEngine, VoiceStyle
from voicesmith.engine.languages import Language, resolve_language
from voicesmith.engine.priority import lower_thread_priority
from voicesmith.errors import BusyError, ValidationError
from voicesmith.voices.common import SUPPORTED_MODELS

if TYPE_CHECKING:
    from voicesmith.cloning.recording import Recording
    from voicesmith.cloning.speaker_encoder import Embedder
    from voicesmith.cloning.voice_bank import CaptureBank

log = logging.getLogger(__name__)

# Captures waiting or running; more would only queue work nobody waits for.
MAX_QUEUED = 4
DEFAULT_MODEL_ID = "Qwen3TTS"
GENDERS = ("male", "female", "neutral")


def _default_embedder() -> Embedder:
    """resemblyzer's encoder, imported on the first capture (torch is heavy), not at start."""
    from voicesmith.cloning.speaker_encoder import default_embedder

    return default_embedder()


@dataclass(frozen=True)
class CloneFromUpload:
    name: str
    language: str
    gender: str
    audio: bytes = field(repr=False)
    filename: str | None = None
    provider: str = "telnyx"
    model_id: str | None = None
    label: str | None = None
    ref_text: str | None = None


@dataclass(frozen=True)
class CheckedUpload:
    """What the request's fields resolved to."""

    language: Language
    model_id: str
    # None: tell it from the recording ("neutral" asks for that too).
    capture_gender: str | None


@dataclass(frozen=True)
class CapturedUpload:
    style: VoiceStyle
    postprocess: dict[str, Any] | None
    report: dict[str, Any]


class CaptureDeferrer(Protocol):
    """A job queue that runs captures in another process (``jobs.capture_queue``)."""

    def defer(self, clone_id: str, *, ref_text: str | None) -> None: ...


class UploadCapturer:
    """Checks upload requests and runs captures, sharing one stock-embedding index."""

    def __init__(self, stock_cache_path: Path | None, *, nice: int = 0,
                 embedder_factory: Callable[[], Embedder] | None = None) -> None:
        """The capture thread is demoted as synthesis's, ``nice`` included (engine.priority).

        ``embedder_factory`` makes the speaker encoder (default: resemblyzer's,
        ``cloning.speaker_encoder``); it is called on the first capture.
        """
        self._cache_path = stock_cache_path
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice-capture",
                                            initializer=lower_thread_priority, initargs=(nice,))
        self._queued = 0
        self._embedder_factory = embedder_factory or _default_embedder
        self._bank_lock = threading.Lock()
        # (id(engine), CaptureBank, Embedder): torch is imported on the first capture, not at start
        self._bank_of: tuple[int, CaptureBank, Embedder] | None = None

    def check(self, req: CloneFromUpload) -> CheckedUpload:
        """Validate the fields, and that this install can capture at all (503 if not)."""
        gender = req.gender.strip().lower()
        if gender not in GENDERS:
            raise ValidationError(f"gender must be one of {', '.join(GENDERS)}, got {req.gender!r}.",
                                  pointer="/gender")
        model_id = req.model_id or DEFAULT_MODEL_ID
        if model_id not in SUPPORTED_MODELS:
            raise ValidationError(
                f"Model {model_id!r} is not served here: clones speak with the embedded engine, "
                f"served as {' or '.join(SUPPORTED_MODELS)}. Leave model_id out or use one of those.",
                pointer="/model_id")
        language = resolve_language(req.language, req.ref_text or "")
        require_capture()
        return CheckedUpload(language=language, model_id=model_id,
                             capture_gender=None if gender == "neutral" else gender)

    def decode(self, req: CloneFromUpload) -> Recording:
        """The recording's usable speech; 400/422 errors say what to fix."""
        from voicesmith.cloning.recording import load_recording

        return load_recording(req.audio, filename=req.filename)

    def submit(self, req: CloneFromUpload, checked: CheckedUpload, recording: Recording,
               engine: SpeechEngine) -> Future[CapturedUpload]:
        """Queue a capture on the capture thread; ``BusyError`` if the queue is full."""
        with self._lock:
            if self._queued >= MAX_QUEUED:
                raise BusyError(
                    f"The server is already capturing {self._queued} voices (up to 10 s each); "
                    "nothing was stored. Send the upload again in a minute.")
            self._queued += 1
        future = self._executor.submit(self.capture, req, checked, recording, engine)
        future.add_done_callback(self._dequeue)
        return future

    def _dequeue(self, _: Future[CapturedUpload]) -> None:
        with self._lock:
            self._queued -= 1

    def _fit(self, req: CloneFromUpload, checked: CheckedUpload, recording: Recording,
             engine: SpeechEngine) -> CapturedUpload:
        """The voice fitted to the recording (the search itself: ``cloning.capture``)."""
        from voicesmith.cloning.capture import capture_voice

        try:
            bank, embed = self._bank(engine)
            voice = capture_voice(recording, engine, gender=checked.capture_gender,
                                  language=checked.language, bank=bank, embed=embed)
        except ImportError as exc:
            # Installed (find_spec saw it) but broken, e.g. a setuptools without pkg_resources.
            log.exception("capture dependencies failed to import")
            raise missing_packages_error([exc.name or str(exc)],
                                         "Cloning a voice from a recording") from exc
        return CapturedUpload(style=voice.style, postprocess=voice.postprocess,
                              report=voice.report)

    def capture(self, req: CloneFromUpload, checked: CheckedUpload, recording: Recording,
                engine: SpeechEngine) -> CapturedUpload:
        """Fit the voice now, on the calling thread (the capture thread, or a queue worker's)."""
        voice = self._fit(req, checked, recording, engine)
        report = {
            **voice.report,
            "recording": {
                "format": recording.source_format, "codec": recording.source_codec,
                "sample_rate": recording.source_sample_rate,
                "channels": recording.source_channels,
                "decoded_s": round(recording.original_duration_s, 3),
                "speech_s": round(recording.speech_duration_s, 3),
                "sample_s": round(recording.duration_s, 3),
                "truncated": recording.truncated,
                "clipped_fraction": round(recording.clipped_fraction, 5),
            },
        }
        return CapturedUpload(style=voice.style, postprocess=voice.postprocess, report=report)

    def _bank(self, engine: SpeechEngine) -> tuple[CaptureBank, Embedder]:
        """The capture bank of ``engine`` and the speaker encoder, made on first use."""
        from voicesmith.cloning.voice_bank import CaptureBank

        with self._bank_lock:
            if self._bank_of is None or self._bank_of[0] != id(engine):
                embed = self._embedder_factory()
                self._bank_of = (id(engine), CaptureBank(engine, embed, cache_path=self._cache_path),
                                 embed)
            return self._bank_of[1], self._bank_of[2]
