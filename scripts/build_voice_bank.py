#!/usr/bin/env python3
"""Build the voice bank capture starts from: ``src/voicesmith/cloning/voice_bank.npz``.

Every stock voice, plus ``--per-gender`` blends and extrapolations of the
English stock voices of each gender, each synthesized with the capture
probe (``cloning.stock.PROBE_TEXT``) and embedded with capture's speaker
encoder. A blend picks 2-4 voices (likelier the better Kokoro graded them)
with Dirichlet weights; 60 % of them are then pushed away from another such
blend (an extrapolation: weights may go negative, their magnitudes sum to at
most 2.5), which reaches voices no convex blend can. The rows are drawn from
``--seed`` up front, so a run is reproducible, and the work is checkpointed
every 25 voices: an interrupted run resumes where it stopped (with a larger
``--per-gender`` it goes on; with a smaller one it writes that prefix).

Re-run it whenever the model, the voice packs, the probe or the encoder
change (capture ignores a bank built for another engine, see
``cloning.voice_bank``)::

    python scripts/build_voice_bank.py                       # ~2.5 s per voice on 2 cores
    python scripts/build_voice_bank.py --per-gender 200 --out /tmp/bank.npz

Needs the clone extra (the speaker encoder).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from voicesmith.cloning.speaker_encoder import default_embedder
from voicesmith.cloning.stock import PROBE_TEXT, synthesize_all
from voicesmith.cloning.voice_bank import BANK_PATH, VoiceBank, bank_key, blend_style
from voicesmith.config import Settings
from voicesmith.design.catalog import load_catalog
from voicesmith.engine.base import SAMPLE_RATE, StockVoice
from voicesmith.engine.loader import load_engine

EXTRAPOLATED_SHARE = 0.6
MAX_L1 = 2.5
CHECKPOINT_EVERY = 25


def draw_rows(voices: list[StockVoice], per_gender: int, seed: int
              ) -> tuple[list[NDArray[np.float64]], list[str]]:
    """One-hot rows for every voice, then the blends of each gender, interleaved."""
    names = [v.name for v in voices]
    rows = [np.eye(len(voices))[i] for i in range(len(voices))]
    genders = [v.gender for v in voices]
    catalog = load_catalog()
    rng = np.random.default_rng(seed)
    members = {g: [i for i, v in enumerate(voices) if v.gender == g and v.name[0] in "ab"]
               for g in ("female", "male")}
    quality = np.array([catalog.voices[n].quality if n in catalog.voices else 0.5 for n in names])

    def convex(gender: str) -> NDArray[np.float64]:
        pool = members[gender]
        k = int(rng.integers(2, 5))
        p = quality[pool] / quality[pool].sum()
        picked = rng.choice(pool, size=k, replace=False, p=p)
        w = np.zeros(len(voices))
        w[picked] = rng.dirichlet(np.ones(k))
        return w

    for _ in range(per_gender):
        for gender in ("female", "male"):
            w = convex(gender)
            if rng.random() < EXTRAPOLATED_SHARE:
                away = convex(gender)
                pushed = w + rng.uniform(0.3, 1.2) * (w - away)
                l1 = float(np.abs(pushed).sum())
                if l1 > MAX_L1:  # shrink toward the convex start (|w| sums to 1)
                    pushed = w + (MAX_L1 - 1.0) / (l1 - 1.0) * (pushed - w)
                w = pushed
            rows.append(w)
            genders.append(gender)
    return rows, genders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--per-gender", type=int, default=210)  # the shipped bank's
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--out", type=Path, default=BANK_PATH)
    args = parser.parse_args(argv)

    engine = load_engine(Settings())
    embed = default_embedder()
    voices = [engine.stock_voices[n] for n in sorted(engine.stock_voices)]
    names = [v.name for v in voices]
    rows, genders = draw_rows(voices, args.per_gender, args.seed)
    partial = args.out.with_suffix(".partial.npz")
    done: list[NDArray[np.float32]] = []
    if partial.is_file():
        with np.load(partial) as npz:
            if npz["seed"] == args.seed and npz["weights"].shape[1] == len(voices):
                done = list(npz["embeddings"])[: len(rows)]  # a smaller bank: a prefix
    key = bank_key(engine, names)
    if key is None:
        raise SystemExit("the engine has no model file to key the bank by")
    print(f"{len(rows)} voices ({len(done)} done), key {key}", flush=True)
    t0 = time.perf_counter()
    for i in range(len(done), len(rows)):
        # built exactly as capture rebuilds a bank voice from its weights
        audio = synthesize_all(engine, PROBE_TEXT, blend_style(rows[i], names, engine.stock_voices))
        done.append(np.asarray(embed(audio, SAMPLE_RATE), np.float32))
        if (i + 1) % CHECKPOINT_EVERY == 0 or i + 1 == len(rows):
            np.savez(partial, seed=args.seed, weights=np.array(rows[: i + 1]),
                     embeddings=np.array(done))
            print(f"{i + 1}/{len(rows)}  {time.perf_counter() - t0:.0f} s", flush=True)
    bank = VoiceBank(basis=tuple(names),
                     weights=np.array(rows, dtype=np.float32),
                     embeddings=np.array(done, dtype=np.float32), genders=tuple(genders),
                     key=key)
    args.out.write_bytes(bank.to_bytes())
    if len(done) == len(rows) and args.out != partial:
        with np.load(partial) as npz:
            finished = len(npz["embeddings"]) <= len(rows)
        if finished:  # else it holds more (a larger run stopped early): keep it to resume
            partial.unlink()
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB, {len(bank)} voices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
