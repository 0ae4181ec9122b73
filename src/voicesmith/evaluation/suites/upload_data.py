"""The upload suite's speakers: whose voice, which recording to clone, what to compare with.

Two layouts of a LibriSpeech-style folder, both with ``speakers.tsv`` (a
``speaker`` and a ``gender`` column):

* **folders** (test-other here): ``<speaker>/*.flac``, several utterances each.
  The clone is made from one utterance (the first with ``PREFERRED_SPEECH_S``
  of speech, else the longest) and the others are held out.
* **one file per speaker** (train-clean-100 here): ``speakers.tsv`` also has a
  ``file`` column naming a single utterance. It is cut at its quietest point
  near the middle: the first part is cloned, the second held out. Shorter
  clone sources and a single held-out piece make these figures lower and
  noisier than the folders', but they cover speakers that no capture setting
  was ever chosen on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]
from numpy.typing import NDArray

from voicesmith.cloning.recording import Recording, load_recording
from voicesmith.cloning.signal import frame_db
from voicesmith.errors import VoicesmithError
from voicesmith.evaluation.speaker import speaker_embedding

# The product asks users for 5-10 s of speech.
PREFERRED_SPEECH_S = 8.0
_GENDERS = {"m": "male", "f": "female", "male": "male", "female": "female"}
# Where a single utterance may be cut: its middle 40 %, at the quietest 10 ms.
_CUT_WINDOW = (0.3, 0.7)


@dataclass(frozen=True)
class SpeakerSet:
    folder: Path
    genders: dict[str, str]
    files: dict[str, str]  # speaker -> its one file (the second layout); empty otherwise

    def utterances(self, speaker: str) -> dict[str, NDArray[np.float32]]:
        """Every utterance of ``speaker`` by name, as a speaker embedding (too short ones left out)."""
        out = {}
        for name, (samples, rate) in self._audio(speaker).items():
            try:
                out[name] = speaker_embedding(samples, rate)
            except ValueError:  # under a second of speech: the encoder cannot tell
                continue
        return out

    def clone_source(self, speaker: str) -> tuple[str, Recording]:
        """The utterance to clone from (its name) and its cleaned recording."""
        best: tuple[str, Recording] | None = None
        audio = self._audio(speaker)
        names = [n for n in audio if n.endswith("-a")] if speaker in self.files else sorted(audio)
        for name in names:
            samples, rate = audio[name]
            try:
                rec = load_recording(_wav(samples, rate), filename=f"{name}.wav")
            except VoicesmithError:  # too short etc.: not a usable clone source
                continue
            if rec.speech_duration_s >= PREFERRED_SPEECH_S:
                return name, rec
            if best is None or rec.speech_duration_s > best[1].speech_duration_s:
                best = (name, rec)
        if best is None:
            raise ValueError(f"no usable utterance of speaker {speaker} in {self.folder}")
        return best

    def _audio(self, speaker: str) -> dict[str, tuple[NDArray[np.float32], int]]:
        if speaker in self.files:
            samples, rate = _read(self.folder / self.files[speaker])
            cut = _quiet_cut(samples, rate)
            stem = Path(self.files[speaker]).stem
            return {f"{stem}-a": (samples[:cut], rate), f"{stem}-b": (samples[cut:], rate)}
        return {f.stem: _read(f) for f in sorted((self.folder / speaker).glob("*.flac"))}


def read_speakers(folder: Path) -> SpeakerSet:
    with (folder / "speakers.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    genders = {r["speaker"]: _GENDERS[r["gender"].strip().lower()] for r in rows}
    files = {r["speaker"]: r["file"] for r in rows
             if r.get("file") and not (folder / r["speaker"]).is_dir()}
    return SpeakerSet(folder, genders, files)


def _read(path: Path) -> tuple[NDArray[np.float32], int]:
    samples, rate = sf.read(path, dtype="float32", always_2d=False)
    return np.asarray(samples, np.float32), int(rate)


def _quiet_cut(samples: NDArray[np.float32], rate: int) -> int:
    lo, hi = (int(f * samples.size) for f in _CUT_WINDOW)
    levels = frame_db(samples[lo:hi], rate)
    return lo + int(np.argmin(levels)) * int(0.01 * rate)


def _wav(samples: NDArray[np.float32], rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()
