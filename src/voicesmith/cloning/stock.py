"""Speaker embeddings of the engine's stock voices, the map that capture searches.

A stock voice's embedding comes from synthesizing a fixed probe text with it,
which costs ~2 s of CPU per voice, so it is computed once per voice and kept
in memory and, given a path, in a small JSON file keyed by a hash of the
voice pack (a changed pack gets a new entry; a stale file is harmless).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from voicesmith.cloning.speaker_encoder import Embedder, default_embedder
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine, StockVoice, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH, Language

log = logging.getLogger(__name__)

# Two plain sentences, ~6 s of speech: long enough for a stable embedding,
# short enough to synthesize quickly. Changing it invalidates the cache
# (PROBE_VERSION is part of the key).
PROBE_TEXT = (
    "I walked down to the harbour this morning to watch the boats come in. "
    "The air was cold, but the sun was bright on the water."
)
PROBE_VERSION = "probe1-resemblyzer"
# The voices of English: both accents are searched for an English clone.
_ENGLISH_PREFIXES = ("a", "b")
# A language with fewer voices than this of the wanted gender (French has one
# female voice and no male one) also searches the English voices of that gender.
_MIN_POOL = 3


def synthesize_all(engine: SpeechEngine, text: str, style: VoiceStyle,
                   language: Language = AMERICAN_ENGLISH) -> NDArray[np.float32]:
    """The whole synthesis of ``text`` as one array (chunks joined)."""
    chunks = [c.samples for c in engine.synthesize(text, style, language)]
    return np.concatenate(chunks).astype(np.float32)


def candidate_pool(voices: Iterable[StockVoice], language: Language, gender: str) -> list[StockVoice]:
    """Stock voices of ``gender`` a clone in ``language`` may blend (the gender gate is absolute).

    English clones may use every voice of the gender, whatever its language:
    the other languages' voices widen the timbres a blend can reach, and on
    the upload suite that raised held-out similarity by about +0.016 (the
    English speech stays the English phonemizer's; WER is measured there).
    Other languages keep their own voices (English ones added when they have
    fewer than three): whether foreign voices keep them intelligible is not
    measured.
    """
    voices = [v for v in voices if v.gender == gender]
    if language.voice_prefix in _ENGLISH_PREFIXES:
        return sorted(voices, key=lambda v: v.name)
    pool = [v for v in voices if v.name[:1] == language.voice_prefix]
    if len(pool) < _MIN_POOL:
        pool += [v for v in voices if v.name[:1] in _ENGLISH_PREFIXES and v not in pool]
    return sorted(pool, key=lambda v: v.name)


class StockIndex:
    """Embeddings of stock voices, computed on demand and cached."""

    def __init__(self, engine: SpeechEngine, *, embed: Embedder | None = None,
                 cache_path: Path | None = None, namespace: str = "") -> None:
        """``namespace`` (e.g. ``engine_fingerprint``) keeps entries of different models apart."""
        self._engine = engine
        self._namespace = namespace
        self._embed = embed or default_embedder()
        self._cache_path = cache_path
        self._lock = threading.Lock()
        self._cache: dict[str, list[float]] = self._read_cache()

    @property
    def embed(self) -> Embedder:
        return self._embed

    def embedding(self, voice: StockVoice) -> NDArray[np.float32]:
        key = _key(voice, self._namespace)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return np.asarray(cached, dtype=np.float32)
        audio = synthesize_all(self._engine, PROBE_TEXT, voice.style)
        emb = np.asarray(self._embed(audio, SAMPLE_RATE), dtype=np.float32)
        with self._lock:
            self._cache[key] = [round(float(x), 6) for x in emb]
            self._write_cache()
        return emb

    def _read_cache(self) -> dict[str, list[float]]:
        if self._cache_path is None or not self._cache_path.is_file():
            return {}
        try:
            data = json.loads(self._cache_path.read_text(encoding="utf-8"))
            return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 256}
        except (OSError, ValueError) as exc:  # a corrupt cache is rebuilt, never fatal
            log.warning("ignoring unreadable stock-embedding cache %s: %s", self._cache_path, exc)
            return {}

    def _write_cache(self) -> None:
        if self._cache_path is None:
            return
        try:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._cache_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._cache), encoding="utf-8")
            tmp.replace(self._cache_path)  # atomic: a concurrent reader never sees half a file
        except OSError as exc:
            log.warning("cannot write stock-embedding cache %s: %s", self._cache_path, exc)


def engine_fingerprint(engine: SpeechEngine) -> str:
    """A short id of what the engine's model makes of a voice, for cache keys.

    The voice packs alone do not identify an embedding: another model (a
    different Kokoro build, the tests' tiny one) speaks the same pack
    differently. One short synthesis (~0.3 s) tells models apart; rounding
    keeps thread-count noise from changing it (a change would only cost a
    recomputation).
    """
    voices = engine.stock_voices
    if not voices:
        return "no-voices"
    first = voices[min(voices)]
    audio = synthesize_all(engine, "Hello.", first.style)
    quantized = np.round(audio[:4800].astype(np.float64), 3).astype(np.float32)
    return hashlib.sha256(quantized.tobytes() + str(audio.size).encode()).hexdigest()[:12]


def _key(voice: StockVoice, namespace: str = "") -> str:
    digest = hashlib.sha256(np.ascontiguousarray(voice.pack).tobytes()).hexdigest()[:16]
    prefix = f"{PROBE_VERSION}:{namespace}" if namespace else PROBE_VERSION
    return f"{prefix}:{voice.name}:{digest}"
