"""``voicesmith eval --suite upload``: the upload-cloning suite (``upload.py``) as a report.

The suite itself lives in ``upload.py``; this adapter picks the data
(``<data_dir>/librispeech/test-other``), trims it for ``--quick`` and turns the
result into the summary rows, report section and plot every suite gives.
"""

from __future__ import annotations

import csv
from pathlib import Path

from voicesmith.evaluation.plots import bar_chart
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport
from voicesmith.evaluation.suites.upload import (
    SYSTEMS,
    UploadSuiteResult,
    render_markdown,
    run_upload_suite,
)
from voicesmith.evaluation.suites.upload_listening import PAGE, render_listening_page

NAME = "upload"
# Issue 17's acceptance: likeness (held-out similarity, identity margin), and
# a clone that stays intelligible and natural, captured in a bounded time.
TARGET_SIMILARITY = 0.70
TARGET_MARGIN = 0.09
TARGET_WER = 0.05
MOS_BELOW_STOCK = 0.4
TARGET_CAPTURE_CPU_S = 10.0
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


def verdicts(result: UploadSuiteResult) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, met) for each acceptance target."""
    ours, wer, mos = result.mean["ours"], result.mean_wer, result.mean_mos
    cpu = max(r.capture_cpu_s for r in result.speakers)
    mos_floor = result.stock_mos - MOS_BELOW_STOCK
    return [
        ("ours: held-out similarity", f"{ours.similarity:.3f}", f">= {TARGET_SIMILARITY}",
         ours.similarity >= TARGET_SIMILARITY),
        ("ours: identity margin", f"{ours.margin:+.3f}", f">= +{TARGET_MARGIN}",
         ours.margin >= TARGET_MARGIN),
        ("ours: WER (mean)", f"{wer:.3f}", f"<= {TARGET_WER}", wer <= TARGET_WER),
        ("ours: DistillMOS (mean)", f"{mos:.2f}",
         f">= stock {result.stock_mos:.2f} - {MOS_BELOW_STOCK} = {mos_floor:.2f}",
         mos >= mos_floor),
        ("capture CPU s (slowest speaker)", f"{cpu:.1f}", f"<= {TARGET_CAPTURE_CPU_S:.0f}",
         cpu <= TARGET_CAPTURE_CPU_S),
    ]


def run(ctx: SuiteContext) -> SuiteReport:
    folder = speakers_dir(ctx.data_dir)
    speakers = quick_speakers(folder) if ctx.quick else None
    result = run_upload_suite(ctx.engine, data_dir=folder, out=ctx.out / "upload",
                              speakers=speakers)
    mean = result.mean
    checks = verdicts(result)
    # two speakers say too little of a mean over all: figures, no verdict
    passed = None if ctx.quick else all(met for *_, met in checks)
    summary = [(f"{system}: similarity / margin",
                f"{mean[system].similarity:.3f} / {mean[system].margin:+.3f}", "-")
               for system in SYSTEMS]
    summary += [(measure, value, target) for measure, value, target, _ in checks]
    summary.append(("speakers", str(len(result.speakers)),
                    "quick: no verdict (the target is on all)" if ctx.quick else "-"))
    post = "n/a" if result.postprocess_rtf is None else f"{result.postprocess_rtf:.3f}"
    summary.append(("synthesis RTF / transform RTF", f"{result.synthesis_rtf:.3f} / {post}",
                    "-"))
    plot = bar_chart(ctx.out / "upload_similarity.png", list(SYSTEMS),
                     [mean[s].similarity for s in SYSTEMS],
                     title="Upload clones: held-out similarity (mean over speakers)",
                     ylabel="similarity", reference=mean["ceiling"].similarity,
                     reference_label="real speech (ceiling)")
    (ctx.out / PAGE).write_text(render_listening_page(result, "upload/audio"), encoding="utf-8")
    markdown = (f"Speakers from `{folder}`; listen in `{PAGE}` (audio in `upload/audio/`).\n\n"
                + render_markdown(result))
    return SuiteReport(name=NAME, summary=summary, markdown=markdown, passed=passed,
                       plots=[plot], data=result.to_dict())
