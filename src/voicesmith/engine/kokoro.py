"""The Kokoro-82M engine: text -> phonemes -> token ids -> ONNX -> audio chunks.

kokoro-onnx supplies the phonemizer (espeak-ng, serialized by its lock), the
phoneme splitter and the silence trimmer; the session is run here so that
each piece is yielded as soon as it exists and a closed stream does no more
work, which kokoro-onnx's whole-text ``create`` cannot offer.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
import onnxruntime as ort
from kokoro_onnx.session import embedded_vocab, input_dtypes
from kokoro_onnx.tokenizer import Tokenizer
from kokoro_onnx.trim import trim
from numpy.typing import NDArray

from voicesmith.engine.base import (
    ENGINE_MAX_SPEED,
    ENGINE_MIN_SPEED,
    MAX_TOKENS,
    SAMPLE_RATE,
    SAMPLES_PER_FRAME,
    AudioChunk,
    StockVoice,
    VoiceStyle,
    model_feeds,
)
from voicesmith.engine.integrity import sha256_file
from voicesmith.engine.languages import Language
from voicesmith.engine.lead import DECODER_CONTEXT_FRAMES, decoder_lead
from voicesmith.engine.lead import quick_start as lead_first
from voicesmith.engine.session import SessionTuning, engine_tuning, open_session, run_one
from voicesmith.engine.speakable import slice_long_words
from voicesmith.engine.split_model import SplitKokoro
from voicesmith.engine.text import Piece, plan_pieces
from voicesmith.errors import (
    AssetsError,
    NothingToSpeakError,
    SynthesisError,
    ValidationError,
    VoicesmithError,
)

_INPUTS = ("tokens", "style", "speed")
_SEAM = 240  # samples (10 ms) cross-faded where a decoded lead meets the rest
_T = TypeVar("_T")
Feeds = dict[str, NDArray[Any]]
# espeak marks words it reads in another language as "(en)...(ja)"; the
# parentheses and letters are all in the vocabulary, so left in they would be
# spoken as the letters "e n".
_LANGUAGE_FLAG = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]{2,3})?\)")


class KokoroEngine:
    """A ``SpeechEngine`` over one Kokoro ONNX session, shared by all threads.

    ``InferenceSession.run`` is thread-safe and phonemization is serialized by
    kokoro-onnx's lock, so one engine serves every synthesis worker.
    """

    sample_rate: int = SAMPLE_RATE

    def __init__(
        self,
        model_path: Path,
        stock_voices: Mapping[str, StockVoice],
        *,
        intra_op_threads: int = 0,
        tuning: SessionTuning | None = None,
        model_sha256: str | None = None,
        split: tuple[Path, Path] | None = None,
    ) -> None:
        """``tuning`` configures onnxruntime; without it, the engine's own
        (``ENGINE_TUNING``) with ``intra_op_threads`` (0: onnxruntime decides).
        ``model_sha256`` names the model whose audio this is when it is known
        (the pinned one, also for the fast model built from it); else the
        file is hashed when first asked. ``split`` (front, decoder): the same
        model cut in two (``split_model``), loaded instead of ``model_path``,
        which makes a stream's first audio sooner."""
        tuning = tuning or engine_tuning(intra_op_threads=intra_op_threads)
        self._io_binding = tuning.io_binding
        self._split: SplitKokoro | None = None
        if split is not None:
            self._split = SplitKokoro(*(_open(path, tuning) for path in split))
            self._session = self._split.front_session
        else:
            self._session = _open(model_path, tuning)
        self._dtypes = input_dtypes(self._session)
        missing = [name for name in _INPUTS if name not in self._dtypes]
        if missing:
            raise AssetsError(
                f"{model_path} is not a Kokoro v1.0 model: it lacks the inputs {missing}."
            )
        self._output = self._session.get_outputs()[0].name
        try:
            # The model's own vocabulary if it carries one, else kokoro-onnx's.
            self._tokenizer = Tokenizer(vocab=embedded_vocab(self._session))
        except Exception as exc:
            raise AssetsError(
                f"Cannot load espeak-ng for phonemization: {exc}. Reinstall the "
                "espeakng-loader package, or install espeak-ng system-wide."
            ) from exc
        self._voices: Mapping[str, StockVoice] = MappingProxyType(dict(stock_voices))
        self._model_path = model_path
        self._model_sha256 = model_sha256
        self._model_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._chunks = 0
        split_model = self._split
        if split_model is not None and self._voices:
            # A sentence's worth of phonemes, in the vocabulary: no espeak needed.
            probe = self._feeds("ðə kwˈɪk bɹˈaʊn fˈɑːks dʒˈʌmps ˌoʊvɚ ðə lˈeɪzi dˈɑːɡ",
                                next(iter(self._voices.values())).pack, 1.0)
            self._checked(lambda: split_model.warm_up(probe), probe)

    @property
    def model_sha256(self) -> str:
        """The model's sha256 (hashed on first use, ~0.3 s, if not given): which model this is.

        Data derived from the model's output (the capture voice bank) is keyed
        by it rather than by the output itself, which differs in the last bits
        between CPUs.
        """
        with self._model_lock:
            if self._model_sha256 is None:
                self._model_sha256 = sha256_file(self._model_path)
            return self._model_sha256

    @property
    def stock_voices(self) -> Mapping[str, StockVoice]:
        return self._voices

    @property
    def chunks_synthesized(self) -> int:
        """How many model passes this engine has started (for tests and metrics)."""
        with self._count_lock:
            return self._chunks

    def phonemize(self, text: str, language: Language) -> str:
        """Phonemes of ``text``, vocabulary symbols only (one per token)."""
        raw = self._tokenizer.phonemize(slice_long_words(text), lang=language.espeak)
        return " ".join(_LANGUAGE_FLAG.sub("", raw).split())

    def plan(self, text: str, language: Language, *, quick_start: bool = False) -> list[Piece]:
        """Split ``text`` into model passes; ValidationError if nothing is speakable."""
        def phonemize(s: str) -> str:
            return self.phonemize(s, language)

        try:
            pieces = plan_pieces(text, phonemize)
            if quick_start:
                pieces = lead_first(pieces, phonemize)
        except VoicesmithError:
            raise
        except Exception as exc:  # espeak-ng failures surface as bare RuntimeErrors
            raise SynthesisError(f"Phonemizing the text ({language.name}) failed: {exc}") from exc
        if not pieces:
            raise NothingToSpeakError(
                "The text has nothing to speak: it must contain at least one word.",
                pointer="/text",
            )
        return pieces

    def synthesize(
        self, text: str, voice: VoiceStyle, language: Language, *, quick_start: bool = False
    ) -> Generator[AudioChunk, None, None]:
        """Speak ``text`` piece by piece (see ``SpeechEngine.synthesize``).

        The text is checked and split *now* (phonemizing is cheap), so bad
        input raises here, before the caller has started a response; the
        model runs only as the returned iterator is advanced, one piece per
        ``next()``, and closing it means no further pass is started.
        """
        speed = float(voice.speed)
        if not (math.isfinite(speed) and ENGINE_MIN_SPEED <= speed <= ENGINE_MAX_SPEED):
            raise ValidationError(
                f"Speed must be between {ENGINE_MIN_SPEED} and {ENGINE_MAX_SPEED}, "
                f"got {voice.speed}."
            )
        pieces = self.plan(text, language, quick_start=quick_start)
        return self._stream(pieces, voice.pack, speed, quick_start)

    def _stream(
        self, pieces: list[Piece], pack: NDArray[np.float32], speed: float, quick_start: bool
    ) -> Generator[AudioChunk, None, None]:
        last, count = len(pieces) - 1, 0
        for index, piece in enumerate(pieces):
            feeds = self._feeds(piece.phonemes, pack, speed)
            with self._count_lock:
                self._chunks += 1
            parts = self._audio(feeds, lead=quick_start and index == 0)
            for part, (audio, final) in enumerate(parts):
                if final and piece.pause_after and index != last:
                    # The model's own silence was trimmed: put back a pause of the
                    # length the punctuation asks for, slower speech pausing longer.
                    pause = np.zeros(round(piece.pause_after / speed * SAMPLE_RATE), np.float32)
                    audio = np.concatenate([audio, pause])
                # A decoded lead's continuation says no text: its words began in the lead.
                yield AudioChunk(samples=audio, sample_rate=SAMPLE_RATE,
                                 text="" if part else piece.text, index=count,
                                 is_last=final and index == last)
                count += 1

    def _audio(self, feeds: Feeds, *, lead: bool) -> Iterator[tuple[NDArray[np.float32], bool]]:
        """A piece's trimmed audio, each part with whether it is the piece's last: whole, or
        (``lead``, split model) a decoded lead and the rest, each yielded as soon as made."""
        split = self._split
        if split is None:
            yield _trimmed(self._checked(lambda: run_one(self._session, self._output, feeds,
                                                         io_binding=self._io_binding), feeds)), True
            return
        prosody = self._checked(lambda: split.prosody(feeds), feeds)
        cut = (decoder_lead(prosody.durations.tolist(), self._word_ends(feeds),
                            split.seconds_per_frame) if lead else None)
        if cut is None:
            yield _trimmed(self._checked(lambda: split.decode(prosody, feeds["style"]), feeds)), True
            return
        # The lead is decoded alone, past the cut for context; the rest is cut
        # from the whole piece's decode, so only the lead differs from the piece
        # made at once. The seam is cross-faded.
        lead_audio = self._checked(lambda: split.decode(
            prosody, feeds["style"], cut + DECODER_CONTEXT_FRAMES), feeds)
        seam = cut * SAMPLES_PER_FRAME
        start = int(trim(lead_audio[:seam])[1][0])
        yield np.clip(lead_audio[start:seam - _SEAM], -1.0, 1.0), False
        whole = self._checked(lambda: split.decode(prosody, feeds["style"]), feeds)
        rest = whole[seam - _SEAM:max(int(trim(whole)[1][1]), seam)].copy()
        fade = np.linspace(0.0, 1.0, _SEAM, dtype=np.float32)
        rest[:_SEAM] = lead_audio[seam - _SEAM:seam] * (1.0 - fade) + rest[:_SEAM] * fade
        yield np.clip(rest, -1.0, 1.0), True

    def _word_ends(self, feeds: Feeds) -> list[int]:
        """Indices (the leading pad counted) of the tokens that end a word: the spaces."""
        space = self._tokenizer.vocab.get(" ")
        return [i for i, token in enumerate(feeds["tokens"][0].tolist()) if token == space]

    def _feeds(self, phonemes: str, pack: NDArray[np.float32], speed: float) -> Feeds:
        tokens = self._tokenizer.tokenize(phonemes, limit=None)
        if not 0 < len(tokens) <= MAX_TOKENS:  # the splitter guarantees this
            raise SynthesisError(f"Internal error: a piece of {len(tokens)} tokens.")
        return model_feeds(tokens, pack, speed, self._dtypes)

    @staticmethod
    def _checked(run: Callable[[], _T], feeds: Feeds) -> _T:
        """``run()``, one model pass: its failures, and invalid audio, as SynthesisError."""
        try:
            output = run()
        except Exception as exc:  # onnxruntime's errors share no useful base class
            raise SynthesisError(f"The Kokoro model failed on a {feeds['tokens'].size - 2}-token "
                                 f"piece: {exc}") from exc
        if isinstance(output, np.ndarray) and not np.isfinite(output).all():
            raise SynthesisError("The Kokoro model produced invalid (non-finite) audio; "
                                 "the voice's style vectors may be out of range.")
        return output


def _trimmed(output: NDArray[np.float32]) -> NDArray[np.float32]:
    """Drop the model's leading and trailing silence so pieces join tightly."""
    audio = np.asarray(output, dtype=np.float32).reshape(-1)
    trimmed, _ = trim(audio)
    # All-silent output would trim to nothing; keep it rather than yield
    # an empty chunk.
    out = trimmed if trimmed.size else audio
    return np.clip(out, -1.0, 1.0).astype(np.float32, copy=False)


def _open(model: Path, tuning: SessionTuning) -> ort.InferenceSession:
    try:
        return open_session(model, tuning)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise AssetsError(f"Cannot load the Kokoro model {model}: {exc}. Delete it and run "
                          "`voicesmith assets install`.") from exc
