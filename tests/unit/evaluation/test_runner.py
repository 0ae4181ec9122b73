"""`voicesmith eval` plumbing: suite selection, outputs, exit codes (no instruments run)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicesmith.cli import app
from voicesmith.evaluation import runner
from voicesmith.evaluation.report import EXIT_NOT_RUN, EXIT_OK, EXIT_TARGET_MISSED
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport


def _fake_suite(name: str, passed: bool | None, seen: list[SuiteContext]) -> str:
    """Register an importable module whose run(ctx) reports ``passed``; returns its name."""
    module = types.ModuleType(f"fake_suite_{name}")

    def run(ctx: SuiteContext) -> SuiteReport:
        seen.append(ctx)
        plot = ctx.out / f"{name}.png"
        plot.write_bytes(b"\x89PNG fake")
        return SuiteReport(name=name, summary=[("score", "0.9", ">= 0.8")],
                           markdown=f"{name} details\n", passed=passed, plots=[plot],
                           data={"score": 0.9, "nan": float("nan")})

    module.run = run  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module.__name__


@pytest.fixture()
def fake_suites(monkeypatch: pytest.MonkeyPatch) -> list[SuiteContext]:
    seen: list[SuiteContext] = []
    monkeypatch.setattr(runner, "SUITES", {
        "design": _fake_suite("design", True, seen),
        "clone": _fake_suite("clone", False, seen),
        "upload": "voicesmith.evaluation.suites.no_such_module",
        "intelligibility": _fake_suite("intelligibility", None, seen),
    })
    monkeypatch.setattr(runner, "load_default_engine", lambda: object())
    return seen


def test_one_suite_writes_report_json_and_prints_table(
        fake_suites: list[SuiteContext], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--suite", "design", "--out", str(tmp_path),
                                      "--quick", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == EXIT_OK, result.output
    assert "design" in result.stdout and "score" in result.stdout and "pass" in result.stdout
    report = (tmp_path / "report.md").read_text()
    assert "## design" in report and "design details" in report and "](design.png)" in report
    data = json.loads((tmp_path / "design.json").read_text())
    assert data["passed"] is True and data["data"] == {"score": 0.9, "nan": None}
    (ctx,) = fake_suites
    assert ctx.quick and ctx.out == tmp_path and ctx.data_dir == tmp_path / "data"


def test_a_missed_target_exits_1(fake_suites: list[SuiteContext], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--suite", "clone", "--out", str(tmp_path)])
    assert result.exit_code == EXIT_TARGET_MISSED, result.output
    assert "FAIL" in result.stdout


def test_all_runs_every_suite_and_a_missing_one_is_reported_not_raised(
        fake_suites: list[SuiteContext], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--out", str(tmp_path)])
    assert result.exit_code == EXIT_NOT_RUN, result.output
    assert len(fake_suites) == 3
    upload = json.loads((tmp_path / "upload.json").read_text())
    assert upload["data"]["status"] == "not run" and "no_such_module" in upload["data"]["reason"]
    report = (tmp_path / "report.md").read_text()
    assert [line for line in report.splitlines() if line.startswith("## ")] == [
        "## design", "## clone", "## upload", "## intelligibility"]


def test_unknown_suite_and_url_without_key_are_usage_errors(
        fake_suites: list[SuiteContext], tmp_path: Path) -> None:
    bad = CliRunner().invoke(app, ["eval", "--suite", "nope", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "unknown suite" in bad.output
    half = CliRunner().invoke(app, ["eval", "--url", "http://x", "--out", str(tmp_path)])
    assert half.exit_code == 2 and "--key" in half.output
    assert not fake_suites


def test_url_and_key_reach_the_suites(fake_suites: list[SuiteContext], tmp_path: Path) -> None:
    from voicesmith.evaluation.remote import RemoteSuiteContext, api_base

    result = CliRunner().invoke(app, ["eval", "--suite", "design", "--out", str(tmp_path),
                                      "--url", "http://127.0.0.1:9/", "--key", "k"])
    assert result.exit_code == EXIT_OK, result.output
    (ctx,) = fake_suites
    assert isinstance(ctx, RemoteSuiteContext) and (ctx.url, ctx.key) == ("http://127.0.0.1:9/", "k")
    assert api_base(ctx.url) == "http://127.0.0.1:9/v2" == api_base("http://127.0.0.1:9/v2/")


def test_data_dir_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv(runner.DATA_ENV, str(tmp_path))
    assert runner.default_data_dir() == tmp_path


def test_serving_does_not_import_the_evaluation_code() -> None:
    import subprocess

    code = ("import sys, voicesmith.cli; "
            "print(any(m.startswith(('voicesmith.evaluation', 'voicesmith.bench', 'matplotlib',"
            " 'torch')) for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
