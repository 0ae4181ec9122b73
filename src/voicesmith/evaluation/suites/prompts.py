"""The prompts suite: how well voice descriptions are understood, per trait and language.

Every prompt of the corpus (``evaluation/prompt_corpus``, or ``--corpus
DIR`` for another one in the same format) is read by ``parse_prompt``, the
same reading as ``voicesmith traits`` and the API's ``voice_traits``, and its
expected traits are checked (``evaluation.prompt_scoring``). No audio: this
suite measures the words, the design suite measures the voices.

Targets (issue "Prompt understanding"): English at least 97 % of expected
traits recovered, every other language at least 90 %, contradictions at most
1 % of the checks, parsing under 5 ms a prompt.
"""

from __future__ import annotations

import statistics

from voicesmith.design.lexicon import AXES
from voicesmith.design.traits import load_vocabulary, parse_prompt
from voicesmith.evaluation.prompt_scoring import Scores, load_corpus, score_corpus
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport

NAME = "prompts"
TARGET_ENGLISH = 0.97
TARGET_OTHER = 0.90
TARGET_CONTRADICTIONS = 0.01
TARGET_PARSE_MS = 5.0
_TRAITS = ("gender", "age", *AXES, "accent", "emotions", "timbre")


def run(ctx: SuiteContext) -> SuiteReport:
    entries = load_corpus(ctx.prompt_corpus)
    if not entries:
        raise FileNotFoundError(f"no <language>.jsonl prompts in {ctx.prompt_corpus}")
    load_vocabulary()  # as the server does at start: outside the timing
    scores = score_corpus(entries, lambda p: parse_prompt(p).to_dict())
    return report(scores, len(entries))


def report(scores: Scores, prompts: int) -> SuiteReport:
    languages = scores.languages()
    per_language = {lang: scores.accuracy(language=lang) for lang in languages}
    contradictions = scores.contradictions()
    contra_rate = len(contradictions) / max(1, len(scores.checks))
    p50 = statistics.median(scores.parse_ms)
    p99 = sorted(scores.parse_ms)[int(0.99 * (len(scores.parse_ms) - 1))]
    met = [(per_language[lang][0] >= (TARGET_ENGLISH if lang == "en" else TARGET_OTHER))
           for lang in languages]
    passed = all(met) and contra_rate <= TARGET_CONTRADICTIONS and p99 < TARGET_PARSE_MS
    summary = [(f"recovered, {lang}", f"{acc:.1%} of {n}",
                f">= {TARGET_ENGLISH if lang == 'en' else TARGET_OTHER:.0%}")
               for lang, (acc, n) in per_language.items()]
    summary += [("contradictions", f"{contra_rate:.2%} ({len(contradictions)})",
                 f"<= {TARGET_CONTRADICTIONS:.0%}"),
                ("parse time p50 / p99", f"{p50:.2f} / {p99:.2f} ms", f"< {TARGET_PARSE_MS} ms"),
                ("prompts / checks", f"{prompts} / {len(scores.checks)}", "-")]
    lines = [(f"{prompts} prompts, {len(scores.checks)} expected traits. Recovered, per trait "
              "(rows) and prompt language (columns):"), "",
             "| trait | " + " | ".join(languages) + " | all |",
             "|---" * (len(languages) + 2) + "|"]
    per_trait: dict[str, dict[str, float | None]] = {}
    for trait in _TRAITS:
        cells, row = [], {}
        for lang in languages:
            acc, n = scores.accuracy(language=lang, trait=trait)
            row[lang] = acc if n else None
            cells.append(f"{acc:.0%} ({n})" if n else "-")
        total, n_all = scores.accuracy(trait=trait)
        if n_all:
            per_trait[trait] = row
            lines.append(f"| {trait} | " + " | ".join(cells) + f" | {total:.0%} ({n_all}) |")
    lines += ["", "Most ignored words (content words the parser did not know):", ""]
    for lang in languages:
        common = scores.ignored.get(lang)
        if common:
            words = ", ".join(f"{w} ({n})" for w, n in common.most_common(12))
            lines.append(f"- {lang}: {words}")
    lines += ["", f"Contradictions ({len(contradictions)}):", ""]
    lines += [f"- [{c.language}] \"{c.prompt}\": {c.trait} expected {c.expected}, read {c.got}"
              for c in contradictions] or ["- none"]
    misses = scores.misses()
    lines += ["", f"Misses ({len(misses)}; first 40):", ""]
    lines += [f"- [{c.language}] \"{c.prompt}\": {c.trait} expected {c.expected}, read {c.got}"
              for c in misses[:40]]
    data = {"per_language": {lang: {"recovered": acc, "checks": n}
                             for lang, (acc, n) in per_language.items()},
            "per_trait": per_trait, "contradiction_rate": contra_rate,
            "parse_ms": {"p50": p50, "p99": p99, "max": max(scores.parse_ms)},
            "targets": {"english": TARGET_ENGLISH, "other": TARGET_OTHER,
                        "contradictions": TARGET_CONTRADICTIONS, "parse_ms": TARGET_PARSE_MS},
            "misses": [c.__dict__ for c in misses],
            "ignored": {lang: dict(c.most_common(50)) for lang, c in scores.ignored.items()}}
    return SuiteReport(name=NAME, summary=summary, markdown="\n".join(lines) + "\n",
                       passed=passed, data=data)
