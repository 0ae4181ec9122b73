"""The prompts suite: the corpus, the scoring rules, and `voicesmith eval --suite prompts`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voicesmith.cli import app
from voicesmith.design.traits import parse_prompt
from voicesmith.evaluation import runner
from voicesmith.evaluation.prompt_scoring import (
    CorpusEntry,
    check_traits,
    load_corpus,
    score_corpus,
)
from voicesmith.evaluation.report import EXIT_OK, EXIT_TARGET_MISSED
from voicesmith.evaluation.suites.prompts import (
    TARGET_CONTRADICTIONS,
    TARGET_ENGLISH,
    TARGET_OTHER,
)

OTHER_LANGUAGES = ("es", "fr", "de", "it", "pt", "zh", "ja", "ko", "ru")


def test_the_corpus_is_large_and_covers_every_language() -> None:
    entries = load_corpus()
    per_language = Counter(e.language for e in entries)
    assert len(entries) >= 400
    assert all(per_language[lang] >= 30 for lang in OTHER_LANGUAGES), per_language
    assert len({e.prompt for e in entries}) == len(entries)  # no prompt twice


def test_the_shipped_corpus_meets_the_targets() -> None:
    scores = score_corpus(load_corpus(), lambda p: parse_prompt(p).to_dict())
    assert scores.accuracy(language="en")[0] >= TARGET_ENGLISH
    for lang in OTHER_LANGUAGES:
        assert scores.accuracy(language=lang)[0] >= TARGET_OTHER, lang
    assert len(scores.contradictions()) / len(scores.checks) <= TARGET_CONTRADICTIONS


def _entry(**expect: object) -> CorpusEntry:
    return CorpusEntry("en", "a prompt", expect)


def test_axes_are_read_by_sign_and_an_opposite_sign_is_a_contradiction() -> None:
    (ok,) = check_traits(_entry(pitch="-"), {"pitch": -0.5})
    (weak,) = check_traits(_entry(pitch="-"), {"pitch": -0.1})
    (opposite,) = check_traits(_entry(pitch="-"), {"pitch": 0.6})
    (neutral,) = check_traits(_entry(pace="0"), {"pace": 0.2})
    assert ok.ok and not weak.ok and not weak.contradiction
    assert not opposite.ok and opposite.contradiction
    assert neutral.ok


def test_gender_age_accent_and_labels() -> None:
    checks = check_traits(
        _entry(gender="female", age=["adult", "middle-aged"], accent="en-gb",
               emotions=["sad", "calm"], timbre=["husky"]),
        {"gender": "male", "age": "child", "accent": "en-gb",
         "emotions": {"sad": 1.0, "calm": -0.3}, "timbre": {}})
    by_trait = {c.trait: c for c in checks}
    assert by_trait["gender"].contradiction
    assert by_trait["age"].contradiction  # child is two bands or more from both
    assert by_trait["accent"].ok
    assert by_trait["emotions:sad"].ok and by_trait["emotions:calm"].contradiction
    assert not by_trait["timbre:husky"].ok and not by_trait["timbre:husky"].contradiction


def test_a_malformed_corpus_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "en.jsonl").write_text('{"prompt": "x", "expect": {"colour": "red"}}\n')
    with pytest.raises(ValueError, match="en.jsonl:1"):
        load_corpus(tmp_path)


def _write_corpus(folder: Path, rows: list[dict[str, object]]) -> Path:
    folder.mkdir()
    (folder / "en.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def _eval(monkeypatch: pytest.MonkeyPatch, corpus: Path, out: Path) -> int:
    monkeypatch.setattr(runner, "load_default_engine", lambda: object())  # not used here
    result = CliRunner().invoke(app, ["eval", "--suite", "prompts", "--corpus", str(corpus),
                                      "--out", str(out)])
    return result.exit_code


def test_eval_scores_another_corpus_and_passes(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus", [
        {"prompt": "a deep, slow voice of an old man", "expect": {
            "gender": "male", "age": "elderly", "pitch": "-", "pace": "-"}},
        {"prompt": "Une petite fille joyeuse", "expect": {"gender": "female", "age": "child",
                                                          "emotions": ["cheerful"]}},
    ])
    assert _eval(monkeypatch, corpus, tmp_path / "out") == EXIT_OK
    data = json.loads((tmp_path / "out" / "prompts.json").read_text())["data"]
    assert data["per_language"]["en"] == {"recovered": 1.0, "checks": 7}
    assert "recovered, en" in (tmp_path / "out" / "report.md").read_text()


def test_eval_reports_a_misread_prompt_and_fails(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "corpus", [
        {"prompt": "a very fast voice", "expect": {"pace": "-"}},  # read the other way
    ])
    assert _eval(monkeypatch, corpus, tmp_path / "out") == EXIT_TARGET_MISSED
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Contradictions (1)" in report and "a very fast voice" in report
