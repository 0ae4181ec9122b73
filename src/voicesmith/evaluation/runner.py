"""``voicesmith eval``: run suites by name, collect their reports, write the outputs.

Suites are modules with ``run(ctx: SuiteContext) -> SuiteReport``, imported by
name only when asked for: they pull in torch, Whisper and matplotlib, none of
which the server (which imports ``voicesmith.cli``) may need.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from voicesmith.console import table_console
from voicesmith.engine.base import SpeechEngine
from voicesmith.errors import VoicesmithError
from voicesmith.evaluation.remote import RemoteSuiteContext, SpeechUnavailable
from voicesmith.evaluation.report import (
    exit_code,
    summary_table,
    unavailable,
    write_outputs,
)
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport

SUITES: dict[str, str] = {
    "prompts": "voicesmith.evaluation.suites.prompts",
    "design": "voicesmith.evaluation.suites.design",
    "clone": "voicesmith.evaluation.suites.clone",
    "upload": "voicesmith.evaluation.suites.upload_suite",
    "intelligibility": "voicesmith.evaluation.suites.intelligibility",
}
ALL = "all"
DATA_ENV = "VOICESMITH_EVAL_DATA"


def suite_names(choice: str) -> list[str]:
    """``all`` or one suite's name -> the suites to run, in report order."""
    if choice == ALL:
        return list(SUITES)
    if choice not in SUITES:
        raise ValueError(f"unknown suite {choice!r}: choose one of {', '.join([*SUITES, ALL])}")
    return [choice]


def default_data_dir() -> Path | None:
    """$VOICESMITH_EVAL_DATA, else ``../shared/data`` beside the checkout (or the cwd)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    repo = Path(__file__).resolve().parents[3]  # src/voicesmith/evaluation/runner.py
    for candidate in (repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return None


def repo_root() -> Path | None:
    """The source checkout, if voicesmith runs from one (test fixtures live there)."""
    repo = Path(__file__).resolve().parents[3]
    return repo if (repo / "pyproject.toml").is_file() else None


def load_suite(name: str) -> Callable[[SuiteContext], SuiteReport]:
    module = importlib.import_module(SUITES[name])
    run = getattr(module, "run", None)
    if run is None:
        raise ImportError(f"{SUITES[name]} has no run(ctx) function")
    return run  # type: ignore[no-any-return]


# Why a suite cannot run here; these are reported, every other error propagates.
_CANNOT_RUN: tuple[type[BaseException], ...] = (ImportError, FileNotFoundError, VoicesmithError,
                                                 SpeechUnavailable)


def run_suite(name: str, ctx: SuiteContext) -> SuiteReport:
    """Run one suite; ``ctx.out`` is the report folder all suites share.

    A suite that cannot run here (its module or an instrument is not
    installed, its data is missing) becomes a "not run" report, so the other
    suites still run; an error inside a suite that did start is a bug and
    propagates.
    """
    try:
        run = load_suite(name)
    except ImportError as exc:
        return unavailable(name, f"suite not available: {exc}")
    try:
        report = run(ctx)
    except _CANNOT_RUN as exc:
        return unavailable(name, f"{type(exc).__name__}: {exc}")
    if report.name != name:  # the file names in the report follow the CLI's names
        report.name = name
    return report


def run_suites(names: Sequence[str], ctx: SuiteContext,
               on_start: Callable[[str], None] | None = None) -> list[SuiteReport]:
    ctx.out.mkdir(parents=True, exist_ok=True)
    reports = []
    for name in names:
        if on_start is not None:
            on_start(name)
        reports.append(run_suite(name, ctx))
    return reports


def load_default_engine() -> SpeechEngine:
    """The engine as the server builds it (assets installed on first use)."""
    from voicesmith.config import Settings
    from voicesmith.engine.loader import load_engine

    return load_engine(Settings())


def evaluate(choice: str, out: Path, *, quick: bool = False, url: str | None = None,
             key: str | None = None, data_dir: Path | None = None,
             corpus: Path | None = None, pairs: Path | None = None,
             console: Console | None = None) -> int:
    """What ``voicesmith eval`` does; returns its exit code (see ``report.EXIT_*``)."""
    names = suite_names(choice)
    say = console or Console(stderr=True)
    if bool(url) != bool(key):
        raise ValueError("--url and --key go together")
    with say.status("Loading the engine..."):
        engine = load_default_engine()
    data = data_dir or default_data_dir()
    ctx: SuiteContext
    if url:
        ctx = RemoteSuiteContext(engine=engine, out=out, data_dir=data, quick=quick,
                                 prompt_corpus=corpus, design_pairs=pairs, url=url,
                                 key=key or "")
        mode = f"speech over HTTP from {url} where the suite supports it"
    else:
        ctx = SuiteContext(engine=engine, out=out, data_dir=data, quick=quick,
                           prompt_corpus=corpus, design_pairs=pairs)
        mode = "in-process engine"
    mode += ", quick" if quick else ""
    reports = run_suites(names, ctx, on_start=lambda n: say.print(f"running suite [b]{n}[/b]..."))
    path = write_outputs(reports, out, mode=mode)
    table_console().print(summary_table(reports))
    say.print(f"report: {path}")
    return exit_code(reports)
