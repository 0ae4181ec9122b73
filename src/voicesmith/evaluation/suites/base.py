"""What every evaluation suite takes and gives back, so `voicesmith eval` can run any of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicesmith.engine.base import SpeechEngine


@dataclass(frozen=True)
class SuiteContext:
    """``out`` is the report folder (created by the runner); ``quick`` trims the work."""

    engine: SpeechEngine
    out: Path
    data_dir: Path | None = None  # ../shared/data, for suites that need recordings
    quick: bool = False
    prompt_corpus: Path | None = None  # the prompts suite: another corpus folder
    design_pairs: Path | None = None  # the design suite: other trait pairs (JSONL)


@dataclass
class SuiteReport:
    """One suite's outcome.

    ``summary`` rows are (measure, value, target) strings for the printed table;
    ``markdown`` is the suite's section of report.md; ``plots`` are PNGs in ``out``;
    ``passed`` is None where the suite has no pass/fail target.
    """

    name: str
    summary: list[tuple[str, str, str]]
    markdown: str
    passed: bool | None = None
    plots: list[Path] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # written as <name>.json
