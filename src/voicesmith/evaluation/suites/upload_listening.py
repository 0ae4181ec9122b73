"""The upload suite's listening page: each speaker's recording beside what the clones say.

Similarity figures say how close a clone is; a listener says whether it is the
person. The page (``upload_listening.html``, beside report.md) plays the
clone's source recording, then the same sentence from the closest stock voice
(where capture starts), the style alone and the full clone, with the
measured figures under each. Plain HTML with relative links to the suite's
WAV files: open it from the report folder, no server needed.
"""

from __future__ import annotations

import html

from voicesmith.evaluation.suites.upload import SENTENCES, UploadSuiteResult

PAGE = "upload_listening.html"
# (system, heading) in the order a listener compares them
_COLUMNS = (("baseline", "Closest stock voice"), ("bank", "Nearest bank voice"),
            ("style", "Captured style"), ("ours", "Clone (style + transform)"))


def render_listening_page(result: UploadSuiteResult, audio_dir: str) -> str:
    """The page, linking ``<audio_dir>/<speaker>_<system>_<i>.wav`` (the suite's names)."""
    rows = []
    for r in result.speakers:
        cells = [(f"<td>{_audio(audio_dir, f'{r.speaker}_reference')}"
                 f"<div class=fig>{r.reference_speech_s:.1f} s of speech, "
                 f"{html.escape(r.clone_utterance)}</div></td>")]
        for system, _ in _COLUMNS:
            score = r.scores[system]
            clips = "".join(_audio(audio_dir, f"{r.speaker}_{system}_{i}")
                            for i in range(len(SENTENCES)))
            extra = ""
            if system == "ours":
                extra = f", WER {r.ours_wer:.1%}, MOS {r.ours_mos:.2f}"
            cells.append(f"<td>{clips}<div class=fig>similarity {score.similarity:.3f}, "
                         f"margin {score.margin:+.3f}{extra}</div></td>")
        rows.append(f"<tr><th>{html.escape(r.speaker)}<br><small>{r.gender}</small></th>"
                    + "".join(cells) + "</tr>")
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in _COLUMNS)
    mean = result.mean
    summary = ", ".join(f"{s} {mean[s].similarity:.3f} / {mean[s].margin:+.3f}" for s in mean)
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in SENTENCES)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Upload clones: listen</title>
<style>
body {{ font: 15px system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .5em; vertical-align: top; }}
audio {{ display: block; width: 15em; margin-bottom: .3em; }}
.fig {{ color: #555; font-size: 13px; }}
</style></head><body>
<h1>Upload clones: the recording and its clones</h1>
<p>Mean held-out similarity / identity margin: {html.escape(summary)}.
Each clone says two sentences its speaker never said:</p><ol>{sentences}</ol>
<table><tr><th>Speaker</th><th>Recording (clone source)</th>{head}</tr>
{"".join(rows)}
</table></body></html>
"""


def _audio(audio_dir: str, stem: str) -> str:
    src = html.escape(f"{audio_dir}/{stem}.wav", quote=True)
    return f'<audio controls preload="none" src="{src}"></audio>'
