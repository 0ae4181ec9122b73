"""The clone suite: a design's clone sounds like the design, and clones stay apart.

The same path as the server: ``design_voice`` makes a voice from a prompt, its
sample is spoken with ``speak``; the clone is the stored style bytes
(``VoiceStyle.to_bytes``) loaded back, speaking a *different* text. Measured
with resemblyzer (cosine of speaker embeddings):

* clone vs its design's sample: should be at the same-voice ceiling, measured
  here as one stock voice reading the same two texts (a text change alone
  costs a little similarity, even for the very same voice);
* different designs' clones vs each other: should be clearly below that, and
  each clone's speech should be closest to its own design's sample
  (identification).

With ``--url`` the same measurements are made through the API: designs and
clones are created (and deleted afterwards) over HTTP and the clone speaks
through the text-to-speech endpoint, as a user's code would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.sampling import SamplingParams
from voicesmith.design.voice_builder import design_voice
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine, VoiceStyle
from voicesmith.engine.languages import Language
from voicesmith.evaluation.plots import bar_chart, heatmap
from voicesmith.evaluation.remote import ClonedVoice, Cloner, RemoteSuiteContext, http_cloner
from voicesmith.evaluation.speaker import speaker_embedding
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport
from voicesmith.voices.speaking import SpeakingVoice, speak_all

NAME = "clone"
SAMPLE_TEXT = ("Hello, and welcome. This is how I sound when I read a short passage "
               "aloud, slowly and clearly.")
CLONE_TEXT = ("The train to the coast leaves at noon, so pack light and bring "
              "something good to read on the way.")
# (label, prompt, seed): far apart in gender, accent and pitch, as real users' designs are.
DESIGNS: tuple[tuple[str, str, int], ...] = (
    ("deep-uk-man", "A deep, calm British man, an unhurried narrator", 11),
    ("bright-us-woman", "A bright, energetic young American woman", 12),
    ("old-raspy-man", "An old man with a raspy, gravelly voice, slow", 13),
    ("soft-high-woman", "A soft, breathy, high-pitched female voice", 14),
    ("warm-us-man", "A warm, friendly American man, mid-pitched, cheerful", 15),
    ("crisp-uk-woman", "A crisp, confident British woman, newsreader", 16),
)
QUICK_DESIGNS = 4
CEILING_VOICES = ("af_heart", "am_michael", "bf_emma", "bm_george")
# The clone must be within this of the ceiling (resemblyzer's text-to-text spread
# for one voice is about this size).
TARGET_GAP = 0.05


@dataclass(frozen=True)
class CloneResult:
    label: str
    prompt: str
    style_bytes_identical: bool
    similarity_to_design: float


def _say(engine: SpeechEngine, text: str, style: VoiceStyle, language: Language,
         voice_id: str) -> NDArray[np.float32]:
    return speak_all(engine, text, SpeakingVoice(voice_id, style, language))


def _embed(audio: NDArray[np.float32]) -> NDArray[np.float32]:
    return speaker_embedding(audio, SAMPLE_RATE)


def ceiling(engine: SpeechEngine) -> dict[str, float]:
    """Same stock voice, the two texts: the similarity a perfect clone would reach."""
    names = [n for n in CEILING_VOICES if n in engine.stock_voices] or sorted(
        engine.stock_voices)[:4]
    out = {}
    for name in names:
        v = engine.stock_voices[name]
        a = _embed(_say(engine, SAMPLE_TEXT, v.style, v.language, name))
        b = _embed(_say(engine, CLONE_TEXT, v.style, v.language, name))
        out[name] = float(a @ b)
    return out


def engine_cloner(engine: SpeechEngine) -> Cloner:
    """The server's path in-process: ``design_voice``, the stored style bytes loaded back."""

    def make(prompt: str, seed: int, sample_text: str, clone_text: str,
             check_repeat: bool) -> ClonedVoice:
        designed = design_voice(prompt, None, SamplingParams(seed=seed), engine.stock_voices)
        stored = designed.style.to_bytes()
        clone_style = VoiceStyle.from_bytes(stored)  # what a clone row holds and loads
        sample = _say(engine, sample_text, designed.style, designed.language, "design")
        speech = _say(engine, clone_text, clone_style, designed.language, "clone")
        repeat = None
        if check_repeat:  # the clone speaks exactly as the design would
            design_audio = _say(engine, clone_text, designed.style, designed.language, "design")
            repeat = bool(np.array_equal(design_audio, speech))
        return ClonedVoice(sample, speech, clone_style.to_bytes() == stored, repeat)

    return make


def run(ctx: SuiteContext) -> SuiteReport:
    remote = isinstance(ctx, RemoteSuiteContext) and bool(ctx.url)
    cloner = (http_cloner(ctx.url, ctx.key) if isinstance(ctx, RemoteSuiteContext) and remote
              else engine_cloner(ctx.engine))
    designs = DESIGNS[:QUICK_DESIGNS] if ctx.quick else DESIGNS
    samples, clones, results = [], [], []
    audio_identical = None
    for label, prompt, seed in designs:
        made = cloner(prompt, seed, SAMPLE_TEXT, CLONE_TEXT, audio_identical is None)
        if made.repeat_identical is not None:
            audio_identical = made.repeat_identical
        samples.append(_embed(made.sample))
        clones.append(_embed(made.speech))
        results.append(CloneResult(label, prompt, made.stored_identical,
                                   float(clones[-1] @ samples[-1])))
    same = ceiling(ctx.engine)
    return _report(ctx, results, np.stack(clones), np.stack(samples), same,
                   bool(audio_identical), remote)


def _report(ctx: SuiteContext, results: list[CloneResult], clones: NDArray[np.float32],
            samples: NDArray[np.float32], same: dict[str, float],
            audio_identical: bool, remote: bool = False) -> SuiteReport:
    labels = [r.label for r in results]
    matrix = clones @ samples.T  # [clone i, design sample j]
    pairs = clones @ clones.T
    off = pairs[~np.eye(len(labels), dtype=bool)]
    identified = int(np.sum(np.argmax(matrix, axis=1) == np.arange(len(labels))))
    ceiling_mean = float(np.mean(list(same.values())))
    to_design = float(np.mean([r.similarity_to_design for r in results]))
    passed = (to_design >= ceiling_mean - TARGET_GAP and identified == len(labels)
              and float(off.max()) < ceiling_mean and audio_identical
              and all(r.style_bytes_identical for r in results))
    summary = [
        ("clone vs design sample (mean)", f"{to_design:.3f}",
         f">= ceiling - {TARGET_GAP} = {ceiling_mean - TARGET_GAP:.3f}"),
        ("same-voice ceiling (stock, 2 texts)", f"{ceiling_mean:.3f}", "-"),
        ("different clones (mean / max)", f"{float(off.mean()):.3f} / {float(off.max()):.3f}",
         f"max < {ceiling_mean:.3f}"),
        ("clones identified as own design", f"{identified}/{len(labels)}", "all"),
        ("clone speaks the same audio twice (uncached)" if remote
         else "clone audio == design audio", "yes" if audio_identical else "NO", "yes"),
    ]
    plots = [
        heatmap(ctx.out / "clone_similarity_matrix.png", [f"clone {x}" for x in labels],
                [f"design {x}" for x in labels], matrix.tolist(),
                title="Clone speech vs design samples", label="speaker similarity"),
        bar_chart(ctx.out / "clone_vs_design.png", labels,
                  [r.similarity_to_design for r in results],
                  title="Clone (new text) vs its design's sample", ylabel="similarity",
                  reference=ceiling_mean, reference_label="same-voice ceiling"),
    ]
    how = ("Designs and clones made through the API (POST /v2/voice_designs, "
           "/v2/voice_clones; fixed seeds), the clone speaking through POST "
           "/v2/text-to-speech/speech; 'bytes identical': the clone's sample is the design's."
           if remote else
           "Designs made in-process with `design_voice` (fixed seeds); clones are the stored "
           "style bytes loaded back.")
    lines = [
        (f"{how} Sample and clone read different texts. Similarity: resemblyzer cosine."), "",
        "| design | prompt | clone vs design | nearest other design | bytes identical |",
        "|---|---|---|---|---|",
    ]
    for i, r in enumerate(results):
        others = [matrix[i, j] for j in range(len(labels)) if j != i]
        lines.append(f"| {r.label} | {r.prompt} | {r.similarity_to_design:.3f} | "
                     f"{max(others):.3f} | {'yes' if r.style_bytes_identical else 'NO'} |")
    lines += ["", "Same-voice ceiling (one stock voice, the two texts): "
              + ", ".join(f"{k} {v:.3f}" for k, v in same.items())
              + f"; mean {ceiling_mean:.3f}.",
              (f"Different designs' clones, pairwise: mean {float(off.mean()):.3f}, "
              f"max {float(off.max()):.3f}.")]
    data = {"designs": [r.__dict__ for r in results], "ceiling": same,
            "clone_vs_design_matrix": matrix.tolist(), "clone_pairwise": pairs.tolist(),
            "identified": identified, "audio_identical": audio_identical}
    return SuiteReport(name=NAME, summary=summary, markdown="\n".join(lines) + "\n",
                       passed=passed, plots=plots, data=data)
