"""``voicesmith eval --suite upload``: the upload-cloning suite (``upload.py``) as a report.

The suite itself lives in ``upload.py``; this adapter picks the data
(``<data_dir>/librispeech/test-other``), trims it for ``--quick`` and turns the
result into the summary rows, report section and plot every suite gives.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Protocol

from voicesmith.evaluation.plots import bar_chart
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport
from voicesmith.evaluation.suites.upload import (
    SYSTEMS,
    render_markdown,
    run_upload_suite,
)

NAME = "upload"
TARGET_GAIN = 0.03
TARGET_WER = 0.10  # a clone must stay intelligible, whatever it gains in likeness
SPEAKERS_SUBDIR = Path("librispeech") / "test-other"


def speakers_dir(data_dir: Path | None) -> Path:
    """The LibriSpeech speakers folder; FileNotFoundError says how to provide it."""
    if data_dir is None:
        raise FileNotFoundError("no evaluation data: pass --data-dir or set "
                                "VOICESMITH_EVAL_DATA to the shared data folder")
    # Either the shared data root or the speakers folder itself.
    for folder in (data_dir / SPEAKERS_SUBDIR, data_dir):
        if (folder / "speakers.tsv").is_file():
            return folder
    raise FileNotFoundError(f"{data_dir} holds no {SPEAKERS_SUBDIR}/speakers.tsv")


def quick_speakers(folder: Path) -> list[str]:
    """One speaker of each gender: the quick run still covers both."""
    with (folder / "speakers.tsv").open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh, delimiter="\t"), key=lambda r: r["speaker"])
    picked: dict[str, str] = {}
    for row in rows:
        picked.setdefault(row["gender"].strip().lower()[:1], row["speaker"])
    return sorted(picked.values())


class _Scores(Protocol):
    @property
    def similarity(self) -> float: ...
    @property
    def margin(self) -> float: ...


def meets_target(ours: _Scores, baseline: _Scores) -> bool:
    """Held-out similarity up by ``TARGET_GAIN`` and identity margin not lower."""
    return (ours.similarity - baseline.similarity >= TARGET_GAIN - 1e-9
            and ours.margin >= baseline.margin)


def run(ctx: SuiteContext) -> SuiteReport:
    folder = speakers_dir(ctx.data_dir)
    speakers = quick_speakers(folder) if ctx.quick else None
    result = run_upload_suite(ctx.engine, data_dir=folder, out=ctx.out / "upload",
                              speakers=speakers)
    mean = result.mean
    # Ours must beat the plain best-stock-voice baseline on held-out similarity by
    # TARGET_GAIN, without losing identity margin (which a trick that only adds
    # the recording's room sound to every voice would not gain).
    gain = mean["ours"].similarity - mean["baseline"].similarity
    worst_wer = max(r.ours_wer for r in result.speakers)
    passed: bool | None = (meets_target(mean["ours"], mean["baseline"])
                           and worst_wer <= TARGET_WER)
    if ctx.quick:  # two speakers say too little of a mean over all: figures, no verdict
        passed = None
    summary = [(f"{system}: similarity / margin",
                f"{mean[system].similarity:.3f} / {mean[system].margin:+.3f}",
                (f"similarity >= baseline + {TARGET_GAIN} = "
                 f"{mean['baseline'].similarity + TARGET_GAIN:.3f}, "
                 f"margin >= {mean['baseline'].margin:+.3f}") if system == "ours" else "-")
               for system in SYSTEMS]
    summary.append(("ours - baseline similarity", f"{gain:+.3f}", f">= +{TARGET_GAIN}"))
    summary.append(("ours: worst speaker's WER", f"{worst_wer:.3f}", f"<= {TARGET_WER}"))
    summary.append(("speakers", str(len(result.speakers)),
                    "quick: no verdict (the target is on all)" if ctx.quick else "-"))
    post = "n/a" if result.postprocess_rtf is None else f"{result.postprocess_rtf:.3f}"
    summary.append(("synthesis RTF / post-process RTF", f"{result.synthesis_rtf:.3f} / {post}",
                    "-"))
    plot = bar_chart(ctx.out / "upload_similarity.png", list(SYSTEMS),
                     [mean[s].similarity for s in SYSTEMS],
                     title="Upload clones: held-out similarity (mean over speakers)",
                     ylabel="similarity", reference=mean["ceiling"].similarity,
                     reference_label="real speech (ceiling)")
    markdown = (f"Speakers from `{folder}`; per-speaker audio in `upload/audio/`.\n\n"
                + render_markdown(result))
    return SuiteReport(name=NAME, summary=summary, markdown=markdown, passed=passed,
                       plots=[plot], data=result.to_dict())
