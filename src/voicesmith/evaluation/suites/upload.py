"""The upload-cloning suite: how well a clone from one utterance captures a speaker.

For each speaker of ``data_dir`` (LibriSpeech layouts, see ``upload_data``):
clone from one utterance, synthesize two sentences the speaker never said,
and measure with resemblyzer

* held-out similarity: mean cosine to the speaker's *other* utterances;
* identity margin: that minus the mean cosine to the other speakers of the
  same gender, so a change that makes every voice more "recording-like"
  (room, channel, vocoder character) gains nothing here.

Systems, each a step of capture so that what each adds is measured:
ceiling (the real clone utterance itself), baseline (the closest English
stock voice of the right gender), bank (the nearest voice of the voice bank), style (the
captured style, no transform) and ours (style + fitted transform). Ours is
also scored for intelligibility (Whisper WER) and naturalness (DistillMOS,
against the English stock voices' mean), and each capture is timed.
Caveat: capture selects with the same encoder that scores here, on a
different utterance; held-out speech and the margin keep that honest.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]
from numpy.typing import NDArray

from voicesmith.audio.voice_transform import TransformStream, VoiceTransform
from voicesmith.cloning.capture import capture_voice, measure_reference
from voicesmith.cloning.speaker_encoder import Embedder, default_embedder
from voicesmith.cloning.stock import candidate_pool
from voicesmith.cloning.voice_bank import CaptureBank
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.evaluation.asr import word_error_rate
from voicesmith.evaluation.quality import naturalness_mos
from voicesmith.evaluation.speaker import speaker_embedding
from voicesmith.evaluation.suites.upload_data import read_speakers

SENTENCES = (
    ("Please remember to bring your umbrella tomorrow, because the forecast calls for "
     "heavy rain in the afternoon."),
    ("We spent the whole evening talking about old friends, favourite books, and the "
     "places we still hope to visit."),
)
SYSTEMS = ("ceiling", "baseline", "bank", "style", "ours")


@dataclass(frozen=True)
class Score:
    similarity: float
    margin: float


@dataclass(frozen=True)
class SpeakerResult:
    speaker: str
    gender: str
    clone_utterance: str
    reference_speech_s: float
    scores: dict[str, Score]
    baseline_voice: str
    ours_voice: str
    postprocess: dict[str, Any] | None
    capture_cpu_s: float
    capture_wall_s: float
    ours_wer: float  # Whisper tiny.en on ours' two sentences: the clone stays intelligible
    ours_mos: float  # DistillMOS of ours' two sentences


@dataclass(frozen=True)
class UploadSuiteResult:
    speakers: list[SpeakerResult]
    mean: dict[str, Score]
    stock_mos: float  # DistillMOS of the English stock voices, mean
    postprocess_rtf: float | None
    synthesis_rtf: float
    notes: list[str] = field(default_factory=list)

    @property
    def mean_wer(self) -> float:
        return float(np.mean([r.ours_wer for r in self.speakers]))

    @property
    def mean_mos(self) -> float:
        return float(np.mean([r.ours_mos for r in self.speakers]))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Timing:
    synth_s: float = 0.0
    audio_s: float = 0.0
    post_s: float = 0.0
    post_audio_s: float = 0.0


def run_upload_suite(engine: SpeechEngine, *, data_dir: Path, out: Path | None = None,
                     speakers: list[str] | None = None, embed: Embedder | None = None,
                     bank: CaptureBank | None = None) -> UploadSuiteResult:
    """Run the suite on every speaker of ``data_dir`` (or ``speakers``).

    With ``out``, the result is written there as ``upload.json`` and
    ``upload.md``, plus each speaker's reference and each system's sentences
    as WAV files in ``out/audio`` (the listening page links them).
    """
    speaker_set = read_speakers(data_dir)
    genders = speaker_set.genders
    ids = speakers or sorted(genders)
    embed = embed or default_embedder()
    # A fresh bank, as on a fresh data dir: the stock fallback (another model)
    # gets no cache, so capture times include any embedding it has to do.
    bank = bank or CaptureBank(engine, embed)
    # Every speaker's real speech, not only the cloned ones': the identity margin
    # compares with all other speakers of the gender, also in a --quick run.
    real = {s: speaker_set.utterances(s) for s in sorted(genders)}
    timing = _Timing()
    results, skipped = [], []
    for spk in ids:
        gender = genders[spk]
        others = [e for o in real if o != spk and genders[o] == gender for e in real[o].values()]
        try:
            name, rec = speaker_set.clone_source(spk)
        except ValueError:  # no utterance with 3 s of speech: nothing to clone from
            skipped.append(spk)
            continue
        held_out = [e for utt, e in real[spk].items() if utt != name]
        if not held_out or name not in real[spk]:
            skipped.append(spk)
            continue
        c0, t0 = time.process_time(), time.perf_counter()
        ref = measure_reference(rec, embed)  # timed: part of the capture
        ours = capture_voice(rec, engine, gender=gender, language=AMERICAN_ENGLISH, bank=bank,
                             embed=embed, reference=ref)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        baseline, nearest = _stock_and_bank_nearest(engine, bank, ref.embedding, gender)
        _write(out, f"{spk}_reference", rec.samples)
        styles = {"baseline": (baseline[1], None), "bank": (nearest, None),
                  "style": (ours.style, None), "ours": (ours.style, ours.postprocess)}
        audio = {k: _speak(engine, s, p, timing, out, f"{spk}_{k}") for k, (s, p) in styles.items()}
        outputs = {"ceiling": [real[spk][name]]}
        outputs |= {k: [speaker_embedding(a, SAMPLE_RATE) for a in v] for k, v in audio.items()}
        wer = [word_error_rate(a, SAMPLE_RATE, t) for a, t in zip(audio["ours"], SENTENCES,
                                                                   strict=True)]
        results.append(SpeakerResult(
            speaker=spk, gender=gender, clone_utterance=name,
            reference_speech_s=round(rec.speech_duration_s, 2),
            scores={k: _score(v, held_out, others) for k, v in outputs.items()},
            baseline_voice=baseline[0], ours_voice=str(ours.report["selected"]["name"]),
            postprocess=ours.postprocess, capture_cpu_s=round(cpu, 2),
            capture_wall_s=round(wall, 2), ours_wer=round(float(np.mean(wer)), 4),
            ours_mos=round(float(np.mean([naturalness_mos(a, SAMPLE_RATE)
                                          for a in audio["ours"]])), 3)))
    if not results:
        raise FileNotFoundError(f"no speaker in {data_dir} has enough speech to clone from "
                                "and hold out")
    mean = {k: Score(round(float(np.mean([r.scores[k].similarity for r in results])), 4),
                     round(float(np.mean([r.scores[k].margin for r in results])), 4))
            for k in SYSTEMS}
    result = UploadSuiteResult(
        speakers=results, mean=mean, stock_mos=round(_stock_mos(engine), 3),
        postprocess_rtf=(round(timing.post_s / timing.post_audio_s, 4)
                         if timing.post_audio_s else None),
        synthesis_rtf=round(timing.synth_s / max(timing.audio_s, 1e-9), 4),
        notes=["similarity: resemblyzer cosine to the speaker's other utterances",
               "margin: similarity minus mean cosine to other same-gender speakers",
               "gender passed to capture as a user would give it (speakers.tsv)",
               "stock MOS: DistillMOS of the first sentence by every English stock voice",
               *([f"skipped (too little speech to clone from or hold out): {', '.join(skipped)}"]
                 if skipped else [])])
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "upload.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        (out / "upload.md").write_text(render_markdown(result), encoding="utf-8")
    return result


def render_markdown(result: UploadSuiteResult) -> str:
    """The suite as a markdown table: per speaker and mean, similarity / margin."""
    head = "| Speaker | Gender | Ref s | " + " | ".join(
        f"{s} sim / margin" for s in SYSTEMS) + " | Ours voice | WER | MOS | CPU s |"
    lines = [head, "|" + "---|" * (3 + len(SYSTEMS) + 4)]
    for r in result.speakers:
        cells = " | ".join(f"{r.scores[s].similarity:.3f} / {r.scores[s].margin:+.3f}"
                           for s in SYSTEMS)
        post = f" + transform {_short(r.postprocess)}" if r.postprocess else ""
        lines.append(f"| {r.speaker} | {r.gender[0].upper()} | {r.reference_speech_s:.1f} | "
                     f"{cells} | {r.ours_voice}{post} | {r.ours_wer:.3f} | {r.ours_mos:.2f} | "
                     f"{r.capture_cpu_s:.1f} |")
    cells = " | ".join(f"**{result.mean[s].similarity:.3f} / {result.mean[s].margin:+.3f}**"
                       for s in SYSTEMS)
    cpu = np.mean([r.capture_cpu_s for r in result.speakers])
    lines.append(f"| **mean** | | | {cells} | | {result.mean_wer:.3f} | {result.mean_mos:.2f} | "
                 f"{cpu:.1f} |")
    lines.append("")
    rtf = "n/a" if result.postprocess_rtf is None else f"{result.postprocess_rtf:.3f}"
    lines.append(f"English stock voices' DistillMOS: {result.stock_mos:.2f}. Synthesis RTF "
                 f"{result.synthesis_rtf:.3f}; transform RTF {rtf} (wall seconds per second "
                 "of audio, measured chunk by chunk in this run).")
    return "\n".join(lines) + "\n"


def _short(post: dict[str, Any]) -> str:
    neutral = VoiceTransform()
    changed = VoiceTransform.from_dict(post)
    return ", ".join(f"{k} {v:g}" for k, v in changed.__dict__.items()
                     if v != getattr(neutral, k))


def _stock_and_bank_nearest(engine: SpeechEngine, bank: CaptureBank, ref: NDArray[np.float64],
                            gender: str) -> tuple[tuple[str, VoiceStyle], VoiceStyle]:
    """The closest stock voice (the baseline) and the closest bank voice, by stored embedding."""
    pool = candidate_pool(engine.stock_voices.values(), AMERICAN_ENGLISH, gender)
    voice_bank, rows = bank.for_pool(pool, gender)
    sims = voice_bank.embeddings[rows].astype(np.float64) @ ref
    nearest = voice_bank.weights[rows[int(np.argmax(sims))]].astype(np.float64)
    # the baseline is an English stock voice, as in the figures before the bank (README)
    english = [v for v in pool if v.name[:1] in ("a", "b")]
    stock = max(english, key=lambda v: float(bank.stock_embedding(v) @ ref))
    return (stock.name, stock.style), voice_bank.style(nearest, engine.stock_voices)


def _stock_mos(engine: SpeechEngine) -> float:
    voices = [v for v in engine.stock_voices.values() if v.name[:1] in ("a", "b")]
    scores = [naturalness_mos(np.concatenate([c.samples for c in engine.synthesize(
        SENTENCES[0], v.style, AMERICAN_ENGLISH)]), SAMPLE_RATE) for v in voices]
    return float(np.mean(scores)) if scores else float("nan")


def _speak(engine: SpeechEngine, style: VoiceStyle, post: dict[str, Any] | None,
           timing: _Timing, out: Path | None, stem: str) -> list[NDArray[np.float32]]:
    """The two sentences, synthesized chunk by chunk as the server does."""
    audios = []
    for i, text in enumerate(SENTENCES):
        pieces = []
        # the clone's transform as every speech path applies it: one stream per utterance
        stream = TransformStream(VoiceTransform.from_dict(post), SAMPLE_RATE) if post else None
        t = time.perf_counter()
        for chunk in engine.synthesize(text, style, AMERICAN_ENGLISH):
            timing.synth_s += time.perf_counter() - t
            samples = chunk.samples
            if stream is not None:
                t = time.perf_counter()
                samples = stream.process(samples, last=chunk.is_last)
                timing.post_s += time.perf_counter() - t
                timing.post_audio_s += chunk.duration_s
            timing.audio_s += chunk.duration_s
            pieces.append(samples)
            t = time.perf_counter()
        audio = np.concatenate(pieces)
        _write(out, f"{stem}_{i}", audio)
        audios.append(audio)
    return audios


def _write(out: Path | None, stem: str, audio: NDArray[np.float32]) -> None:
    if out is not None:
        (out / "audio").mkdir(parents=True, exist_ok=True)
        sf.write(out / "audio" / f"{stem}.wav", audio, SAMPLE_RATE, subtype="PCM_16")


def _score(outputs: list[NDArray[np.float32]], held_out: list[NDArray[np.float32]],
           others: list[NDArray[np.float32]]) -> Score:
    sim = float(np.mean([o @ h for o in outputs for h in held_out]))
    other = float(np.mean([o @ x for o in outputs for x in others]))
    return Score(round(sim, 4), round(sim - other, 4))
