"""The voice bank: voices the engine can speak, each with its speaker embedding, where capture starts.

Capture compares voices with a recording by the cosine of their speaker
embeddings, and embedding a voice means synthesizing a probe with it (1-2 s
of CPU). So the comparisons that do not depend on the recording are made once,
by ``scripts/build_voice_bank.py``, and shipped as package data
(``voice_bank.npz``, 160 kB): every stock voice and 210 blends and
extrapolations of the English stock voices of each gender, each stored as
weights over the stock voices plus its embedding. A bank voice is rebuilt
from its weights exactly (a weighted sum of packs). Capture fits a linear
map from weights to embeddings on them (``style_search``) and compares its
fit with the nearest bank voice, whose score needs no synthesis.

The embeddings belong to one model and one set of voice packs: the file
records their key (``bank_key``), and any other engine (another Kokoro build,
other packs, the tests' tiny model) gets a bank of its stock voices instead,
embedded on demand and cached per data dir (``stock.StockIndex``), as every
capture did before the bank.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.cloning.speaker_encoder import Embedder
from voicesmith.cloning.stock import PROBE_VERSION, StockIndex, engine_fingerprint
from voicesmith.engine.base import TIMBRE_DIMS, SpeechEngine, StockVoice, VoiceStyle

log = logging.getLogger(__name__)

BANK_PATH = Path(__file__).with_name("voice_bank.npz")
BANK_FORMAT = 1


@dataclass(frozen=True)
class VoiceBank:
    """Voices as weights over ``basis`` (stock voice names), with unit speaker embeddings."""

    basis: tuple[str, ...]
    weights: NDArray[np.float32]  # (n, len(basis)), each row sums to 1
    embeddings: NDArray[np.float32]  # (n, 256), unit length
    genders: tuple[str, ...]
    key: str  # bank_key of the engine it was built with

    def __post_init__(self) -> None:
        n = len(self.genders)
        if self.weights.shape != (n, len(self.basis)) or self.embeddings.shape[0] != n:
            raise ValueError("a voice bank's weights, embeddings and genders disagree in size")

    def __len__(self) -> int:
        return len(self.genders)

    def select(self, gender: str, voices: Iterable[str]) -> NDArray[np.intp]:
        """Rows of ``gender`` that use no stock voice outside ``voices``."""
        allowed = np.isin(np.asarray(self.basis), list(voices))
        uses_other = np.any(np.abs(self.weights[:, ~allowed]) > 0, axis=1)
        same = np.asarray(self.genders) == gender
        return np.flatnonzero(same & ~uses_other)

    def style(self, weights: NDArray[np.float64], voices: Mapping[str, StockVoice],
              prosody: NDArray[np.float64] | None = None) -> VoiceStyle:
        """The voice of ``weights`` over ``basis`` (see ``blend_style``)."""
        return blend_style(weights, self.basis, voices, prosody)

    def describe(self, weights: NDArray[np.float64], top: int = 4) -> str:
        """A short, readable name: the largest weights, e.g. ``+0.62*am_adam -0.20*bm_lewis``."""
        order = [i for i in np.argsort(-np.abs(weights))[:top] if weights[i] != 0]
        more = " ..." if np.count_nonzero(weights) > top else ""
        return " ".join(f"{weights[i]:+.2f}*{self.basis[i]}" for i in order) + more

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = {"format": BANK_FORMAT, "key": self.key, "probe": PROBE_VERSION}
        np.savez_compressed(
            buf, basis=np.asarray(self.basis), genders=np.asarray(self.genders),
            # float16 halves the file; the rounding (< 1e-3) is far under the
            # encoder's own noise, and weights are used as stored, so a bank
            # voice is always rebuilt the same
            weights=self.weights.astype(np.float16), embeddings=self.embeddings.astype(np.float16),
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> VoiceBank:
        with np.load(io.BytesIO(data)) as npz:
            meta = json.loads(npz["meta"].tobytes().decode())
            if meta.get("format") != BANK_FORMAT or meta.get("probe") != PROBE_VERSION:
                raise ValueError(f"unsupported voice bank {meta}")
            emb = npz["embeddings"].astype(np.float32)
            emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
            return cls(basis=tuple(str(x) for x in npz["basis"]),
                       weights=npz["weights"].astype(np.float32), embeddings=emb,
                       genders=tuple(str(x) for x in npz["genders"]),
                       key=str(meta["key"]))


def blend_style(weights: NDArray[np.float64], basis: Sequence[str],
                voices: Mapping[str, StockVoice],
                prosody: NDArray[np.float64] | None = None) -> VoiceStyle:
    """The weighted sum of the stock packs of ``basis``: how every bank voice is made.

    With ``prosody``, those weights make the prosody half of the pack
    (``TIMBRE_DIMS`` on) and ``weights`` only the timbre half.
    """
    pack = _weighted_packs(weights, basis, voices)
    if prosody is not None:
        pack[:, TIMBRE_DIMS:] = _weighted_packs(prosody, basis, voices)[:, TIMBRE_DIMS:]
    return VoiceStyle(pack.astype(np.float32))


def _weighted_packs(weights: NDArray[np.float64], basis: Sequence[str],
                    voices: Mapping[str, StockVoice]) -> NDArray[np.float64]:
    used = np.flatnonzero(np.abs(weights) > 0)
    packs = np.stack([voices[basis[int(i)]].pack.astype(np.float64) for i in used])
    return np.tensordot(weights[used], packs, axes=1)


def load_bank(path: Path = BANK_PATH) -> VoiceBank | None:
    """The bank stored at ``path``; None if there is none or it cannot be read."""
    try:
        return VoiceBank.from_bytes(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:  # a broken file costs speed, never a capture
        log.warning("ignoring unreadable voice bank %s: %s", path, exc)
        return None


def bank_key(engine: SpeechEngine, basis: Sequence[str]) -> str | None:
    """What a bank built for ``engine`` records: its model file and the packs of ``basis``.

    Keyed by the model's bytes, not its output, which differs in the last bits
    between CPUs while the embeddings stay within the encoder's noise. None
    for an engine without a model file (a test stand-in) or without one of
    the basis voices.
    """
    from voicesmith.engine.kokoro import KokoroEngine

    voices = engine.stock_voices
    if not isinstance(engine, KokoroEngine) or any(name not in voices for name in basis):
        return None
    packs = hashlib.sha256()
    for name in basis:
        packs.update(np.ascontiguousarray(voices[name].pack, dtype=np.float32).tobytes())
    return f"{engine.model_sha256[:16]}-{packs.hexdigest()[:16]}"


def stock_bank(index: StockIndex, voices: Sequence[StockVoice]) -> VoiceBank:
    """A bank of ``voices`` alone (one-hot weights), embedded through ``index`` (cached)."""
    basis = tuple(v.name for v in voices)
    return VoiceBank(basis=basis, weights=np.eye(len(voices), dtype=np.float32),
                     embeddings=np.stack([index.embedding(v) for v in voices]).astype(np.float32),
                     genders=tuple(v.gender for v in voices), key="")


class CaptureBank:
    """The bank for one engine: the shipped one if it was built for this model, else its stock voices.

    Made once per engine (hashing the model file, ~0.3 s, tells whether the
    shipped bank applies) and shared by every capture; thread-safe. Pool
    voices the shipped bank does not know (a voices dir with extra voices) are
    left out while it has rows for the pool; with none, or another model or
    other packs, the stock voices are embedded on first use instead.
    """

    def __init__(self, engine: SpeechEngine, embed: Embedder, *, cache_path: Path | None = None,
                 bank_path: Path = BANK_PATH) -> None:
        bank = load_bank(bank_path)
        self._shipped = bank if bank and bank_key(engine, bank.basis) == bank.key else None
        self._engine, self._embed, self._cache_path = engine, embed, cache_path
        self._lock = threading.Lock()
        self._fallback: StockIndex | None = None

    def _index(self) -> StockIndex:
        """The fallback's index: stock voices embedded on first use, cached per data dir."""
        with self._lock:
            if self._fallback is None:
                self._fallback = StockIndex(self._engine, embed=self._embed,
                                            cache_path=self._cache_path,
                                            namespace=engine_fingerprint(self._engine))
            return self._fallback

    @property
    def kind(self) -> dict[str, Any]:
        if self._shipped is None:
            return {"source": "stock voices, embedded on demand"}
        blends = int(np.count_nonzero(np.count_nonzero(self._shipped.weights, axis=1) > 1))
        return {"source": "shipped", "voices": len(self._shipped), "blends": blends}

    def for_pool(self, pool: Sequence[StockVoice], gender: str) -> tuple[VoiceBank, NDArray[np.intp]]:
        """The bank and its rows a capture of ``gender`` may use (built from ``pool`` only)."""
        if self._shipped is not None:
            rows = self._shipped.select(gender, [v.name for v in pool])
            if rows.size:
                return self._shipped, rows
        bank = stock_bank(self._index(), pool)
        return bank, np.arange(len(bank))

    def stock_embedding(self, voice: StockVoice) -> NDArray[np.float32]:
        """One stock voice's embedding: the bank's row for it, else computed (and cached)."""
        bank = self._shipped
        if bank is not None and voice.name in bank.basis:
            column = bank.basis.index(voice.name)
            alone = (bank.weights[:, column] == 1.0) & (np.count_nonzero(bank.weights, axis=1) == 1)
            rows = np.flatnonzero(alone)
            if rows.size:
                return bank.embeddings[rows[0]]
        return self._index().embedding(voice)
