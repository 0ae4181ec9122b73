"""Writing what the suites found: report.md, one JSON per suite, and the summary table."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from voicesmith.evaluation.suites.base import SuiteReport

# `voicesmith eval` exit codes (documented in the README and the command's help).
EXIT_OK = 0  # every suite ran; none with a target missed it
EXIT_TARGET_MISSED = 1  # a suite ran and missed its target
EXIT_NOT_RUN = 2  # a suite could not run (missing extra, data or module)


def unavailable(name: str, reason: str) -> SuiteReport:
    """The report of a suite that could not run: it counts as not passed."""
    return SuiteReport(name=name, summary=[("status", "not run", reason)],
                       markdown=f"Not run: {reason}\n", passed=None,
                       data={"status": "not run", "reason": reason})


def is_unavailable(report: SuiteReport) -> bool:
    return report.data.get("status") == "not run"


def exit_code(reports: Sequence[SuiteReport]) -> int:
    if any(is_unavailable(r) for r in reports):
        return EXIT_NOT_RUN
    if any(r.passed is False for r in reports):
        return EXIT_TARGET_MISSED
    return EXIT_OK


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "-"}[passed]


def summary_table(reports: Sequence[SuiteReport]) -> Table:
    """suite | measure | value | target | pass: the suite's verdict on its first row."""
    table = Table("suite", "measure", "value", "target", "pass", title="voicesmith eval")
    for report in reports:
        for i, (measure, value, target) in enumerate(report.summary or [("-", "-", "-")]):
            table.add_row(report.name if i == 0 else "", measure, value, target,
                          _verdict(report.passed) if i == 0 else "",
                          end_section=i == len(report.summary) - 1)
    return table


def render_report(reports: Sequence[SuiteReport], out: Path, *, mode: str) -> str:
    """report.md: a header, the summary, then each suite's own section and plots."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# voicesmith eval",
        "",
        f"{stamp}; {mode}; {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| suite | measure | value | target | pass |",
        "|---|---|---|---|---|",
    ]
    for report in reports:
        for i, (measure, value, target) in enumerate(report.summary):
            verdict = _verdict(report.passed) if i == 0 else ""
            lines.append(f"| {report.name if i == 0 else ''} | {measure} | {value} | "
                         f"{target} | {verdict} |")
    for report in reports:
        lines += ["", f"## {report.name}", "", report.markdown.rstrip(), ""]
        for plot in report.plots:
            rel = plot.relative_to(out) if plot.is_relative_to(out) else plot
            lines.append(f"![{plot.stem}]({rel.as_posix()})")
    return "\n".join(lines).rstrip() + "\n"


def _jsonable(value: Any) -> Any:
    """Plain JSON: numpy scalars to Python, NaN to null, paths to strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_outputs(reports: Sequence[SuiteReport], out: Path, *, mode: str) -> Path:
    """Write out/report.md and out/<suite>.json; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    for report in reports:
        payload = {"name": report.name, "passed": report.passed,
                   "summary": [list(row) for row in report.summary],
                   "plots": [p.name for p in report.plots], "data": report.data}
        (out / f"{report.name}.json").write_text(
            json.dumps(_jsonable(payload), indent=2, allow_nan=False), encoding="utf-8")
    path = out / "report.md"
    path.write_text(render_report(reports, out, mode=mode), encoding="utf-8")
    return path
