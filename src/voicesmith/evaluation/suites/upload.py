"""The upload-cloning suite: how well a clone from one utterance captures a speaker.

For each speaker of ``data_dir`` (LibriSpeech layout: ``<speaker>/*.flac`` and
``speakers.tsv`` with a gender column): clone from one utterance, synthesize
two sentences the speaker never said, and measure with resemblyzer

* held-out similarity: mean cosine to the speaker's *other* utterances;
* identity margin: that minus the mean cosine to the other speakers of the
  same gender, so a change that makes every voice more "recording-like"
  (room, channel, vocoder character) gains nothing here.

Systems: ceiling (the real clone utterance itself), baseline (the single
closest stock voice of the right gender), ``blend`` (capture without the
post-process) and ours (full capture). Caveat: capture selects with the same
encoder that scores here, on a different utterance; held-out speech and the
margin are what keep that honest.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]
from numpy.typing import NDArray

from voicesmith.audio.pitch import median_f0
from voicesmith.audio.voice_transform import TransformStream, VoiceTransform
from voicesmith.cloning.capture import CapturedVoice, capture_voice
from voicesmith.cloning.recording import Recording, load_recording
from voicesmith.cloning.stock import StockIndex
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.errors import VoicesmithError
from voicesmith.evaluation.asr import word_error_rate
from voicesmith.evaluation.speaker import speaker_embedding

SENTENCES = (
    ("Please remember to bring your umbrella tomorrow, because the forecast calls for "
     "heavy rain in the afternoon."),
    ("We spent the whole evening talking about old friends, favourite books, and the "
     "places we still hope to visit."),
)
SYSTEMS = ("ceiling", "baseline", "blend", "ours")
# The clone utterance: the first (in name order) with this much speech after
# trimming, else the one with the most; the product asks users for 5-10 s.
PREFERRED_SPEECH_S = 8.0
_GENDERS = {"m": "male", "f": "female", "male": "male", "female": "female"}


@dataclass(frozen=True)
class Score:
    similarity: float
    margin: float


@dataclass(frozen=True)
class SpeakerResult:
    speaker: str
    gender: str
    inferred_gender: str
    clone_utterance: str
    reference_speech_s: float
    scores: dict[str, Score]
    baseline_voice: str
    ours_voice: str
    postprocess: dict[str, Any] | None
    capture_cpu_s: float
    capture_wall_s: float
    ours_wer: float  # Whisper tiny.en on ours' two sentences: the clone stays intelligible


@dataclass(frozen=True)
class UploadSuiteResult:
    speakers: list[SpeakerResult]
    mean: dict[str, Score]
    postprocess_rtf: float | None
    synthesis_rtf: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_upload_suite(engine: SpeechEngine, *, data_dir: Path, out: Path | None = None,
                     index: StockIndex | None = None,
                     speakers: list[str] | None = None) -> UploadSuiteResult:
    """Run the suite on every speaker of ``data_dir`` (or ``speakers``).

    With ``out``, the result is written there as ``upload.json`` and
    ``upload.md``, plus each clone's synthesized sentences as WAV files.
    """
    genders = _read_genders(data_dir / "speakers.tsv")
    ids = speakers or sorted(genders)
    index = index or StockIndex(engine, cache_path=out / "stock_embeddings.json" if out else None)
    # Every speaker's real speech, not only the cloned ones': the identity margin
    # compares with all other speakers of the gender, also in a --quick run.
    real = {s: _embed_files(sorted((data_dir / s).glob("*.flac"))) for s in sorted(genders)}
    timing = {"post_s": 0.0, "post_audio_s": 0.0, "synth_s": 0.0, "audio_s": 0.0}
    results = []
    for spk in ids:
        gender = genders[spk]
        others = [e for o in real if o != spk and genders[o] == gender for e in real[o].values()]
        name, rec = _clone_utterance(data_dir / spk)
        held_out = [e for utt, e in real[spk].items() if utt != name]
        f0 = median_f0(rec.samples, rec.sample_rate)
        t0, c0 = time.perf_counter(), time.process_time()
        ours = capture_voice(rec, engine, gender=gender, language=AMERICAN_ENGLISH,
                             ref_text=None, index=index)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        blend = capture_voice(rec, engine, gender=gender, language=AMERICAN_ENGLISH,
                              ref_text=None, index=index, use_postprocess=False)
        base_voice = engine.stock_voices[ours.report["baseline"]]
        outputs = {
            "ceiling": [real[spk][name]],
            "baseline": _embeds(_speak(engine, base_voice.style, None, timing, out,
                                       f"{spk}_baseline")),
            "blend": _embeds(_speak(engine, blend.style, None, timing, out, f"{spk}_blend")),
        }
        ours_audio = _speak(engine, ours.style, ours.postprocess, timing, out, f"{spk}_ours")
        outputs["ours"] = [speaker_embedding(a, SAMPLE_RATE) for a in ours_audio]
        ours_wer = float(np.mean([word_error_rate(a, SAMPLE_RATE, text)
                                  for a, text in zip(ours_audio, SENTENCES, strict=True)]))
        scores = {k: _score(v, held_out, others) for k, v in outputs.items()}
        results.append(SpeakerResult(
            speaker=spk, gender=gender,
            inferred_gender="unvoiced" if math.isnan(f0) else ("male" if f0 < 165 else "female"),
            clone_utterance=name, reference_speech_s=round(rec.speech_duration_s, 2),
            scores=scores, baseline_voice=base_voice.name, ours_voice=_voice_name(ours),
            postprocess=ours.postprocess, capture_cpu_s=round(cpu, 2),
            capture_wall_s=round(wall, 2), ours_wer=round(ours_wer, 4)))
    mean = {k: Score(round(float(np.mean([r.scores[k].similarity for r in results])), 4),
                     round(float(np.mean([r.scores[k].margin for r in results])), 4))
            for k in SYSTEMS}
    post_rtf = timing["post_s"] / timing["post_audio_s"] if timing["post_audio_s"] else None
    result = UploadSuiteResult(
        speakers=results, mean=mean,
        postprocess_rtf=round(post_rtf, 4) if post_rtf is not None else None,
        synthesis_rtf=round(timing["synth_s"] / max(timing["audio_s"], 1e-9), 4),
        notes=["similarity: resemblyzer cosine to the speaker's other utterances",
               "margin: similarity minus mean cosine to other same-gender speakers",
               "gender passed to capture as a user would give it (speakers.tsv)"])
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "upload.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        (out / "upload.md").write_text(render_markdown(result), encoding="utf-8")
    return result


def render_markdown(result: UploadSuiteResult) -> str:
    """The suite as a markdown table: per speaker and mean, similarity / margin."""
    head = "| Speaker | Gender | Ref s | " + " | ".join(
        f"{s} sim | {s} margin" for s in SYSTEMS) + " | Ours voice | Ours WER | CPU s |"
    rule = "|" + "---|" * (3 + 2 * len(SYSTEMS) + 3)
    lines = [head, rule]
    for r in result.speakers:
        cells = " | ".join(f"{r.scores[s].similarity:.3f} | {r.scores[s].margin:+.3f}"
                           for s in SYSTEMS)
        post = ""
        if r.postprocess:
            post = f" (F0 x{r.postprocess['f0_ratio']:.2f}, formants x{r.postprocess['formant_warp']:.2f})"
        lines.append(f"| {r.speaker} | {r.gender[0].upper()} | {r.reference_speech_s:.1f} | "
                     f"{cells} | {r.ours_voice}{post} | {r.ours_wer:.3f} | "
                     f"{r.capture_cpu_s:.1f} |")
    cells = " | ".join(f"**{result.mean[s].similarity:.3f}** | **{result.mean[s].margin:+.3f}**"
                       for s in SYSTEMS)
    cpu = np.mean([r.capture_cpu_s for r in result.speakers])
    wer = np.mean([r.ours_wer for r in result.speakers])
    lines.append(f"| **mean** | | | {cells} | | {wer:.3f} | {cpu:.1f} |")
    lines.append("")
    rtf = "n/a" if result.postprocess_rtf is None else f"{result.postprocess_rtf:.3f}"
    lines.append(f"Synthesis RTF {result.synthesis_rtf:.3f}; post-process RTF {rtf} "
                 "(wall seconds per second of audio, measured chunk by chunk in this run).")
    return "\n".join(lines) + "\n"


def _embeds(audios: list[NDArray[np.float32]]) -> list[NDArray[np.float32]]:
    return [speaker_embedding(a, SAMPLE_RATE) for a in audios]


def _speak(engine: SpeechEngine, style: VoiceStyle, post: dict[str, Any] | None,
           timing: dict[str, float], out: Path | None, stem: str) -> list[NDArray[np.float32]]:
    """The two sentences, synthesized chunk by chunk as the server does."""
    audios = []
    for i, text in enumerate(SENTENCES):
        pieces = []
        # the clone's transform as every speech path applies it: one stream per utterance
        stream = TransformStream(VoiceTransform.from_dict(post), SAMPLE_RATE) if post else None
        t = time.perf_counter()
        for chunk in engine.synthesize(text, style, AMERICAN_ENGLISH):
            timing["synth_s"] += time.perf_counter() - t
            samples = chunk.samples
            if stream is not None:
                t = time.perf_counter()
                samples = stream.process(samples, last=chunk.is_last)
                timing["post_s"] += time.perf_counter() - t
                timing["post_audio_s"] += chunk.duration_s
            timing["audio_s"] += chunk.duration_s
            pieces.append(samples)
            t = time.perf_counter()
        audio = np.concatenate(pieces)
        if out is not None:
            (out / "audio").mkdir(parents=True, exist_ok=True)
            sf.write(out / "audio" / f"{stem}_{i}.wav", audio, SAMPLE_RATE, subtype="PCM_16")
        audios.append(audio)
    return audios


def _score(outputs: list[NDArray[np.float32]], held_out: list[NDArray[np.float32]],
           others: list[NDArray[np.float32]]) -> Score:
    sim = float(np.mean([o @ h for o in outputs for h in held_out]))
    other = float(np.mean([o @ x for o in outputs for x in others]))
    return Score(round(sim, 4), round(sim - other, 4))


def _embed_files(files: list[Path]) -> dict[str, NDArray[np.float32]]:
    out = {}
    for f in files:
        samples, rate = sf.read(f, dtype="float32", always_2d=False)
        out[f.stem] = speaker_embedding(samples, int(rate))
    return out


def _clone_utterance(speaker_dir: Path) -> tuple[str, Recording]:
    best: tuple[str, Recording] | None = None
    for f in sorted(speaker_dir.glob("*.flac")):
        try:
            rec = load_recording(f.read_bytes(), filename=f.name)
        except VoicesmithError:  # too short etc.: not a usable clone source
            continue
        if rec.speech_duration_s >= PREFERRED_SPEECH_S:
            return f.stem, rec
        if best is None or rec.speech_duration_s > best[1].speech_duration_s:
            best = (f.stem, rec)
    if best is None:
        raise ValueError(f"no usable utterance in {speaker_dir}")
    return best


def _read_genders(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {r["speaker"]: _GENDERS[r["gender"].strip().lower()] for r in rows}


def _voice_name(voice: CapturedVoice) -> str:
    return str(voice.report["selected"]["name"])
