"""Which onnxruntime settings and model variant make the engine fastest, at what memory.

    python -m voicesmith.bench.engine_options [--reps 3] [--only a,b] [--asr] [--out DIR]

Each candidate is loaded in a process of its own (so its peak RSS is its
own), one after another (so each load is timed alone). Then the bench texts
(af_heart) are spoken text by text, candidate after candidate, the order
rotating every repetition: measurements of one text lie seconds apart, so a
burst of load from elsewhere on a shared machine lands on neighbours alike,
and each candidate's time is divided by raw kokoro-onnx's for the same text
and repetition before any median is taken. Last, each candidate runs two
syntheses at once, as the server's two synthesis workers do.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from voicesmith.bench import texts
from voicesmith.bench.probes import median, own_peak_rss_mb
from voicesmith.bench.variants import MODELS, closeness, model_file, word_error_rate
from voicesmith.engine.session import ENGINE_TUNING, SessionTuning


@dataclass(frozen=True)
class Candidate:
    what: str
    model: str = "int8"  # one of variants.MODELS
    tuning: SessionTuning = field(default_factory=SessionTuning)
    raw: bool = False  # kokoro-onnx's own Kokoro.create, its default session


CANDIDATES: dict[str, Candidate] = {
    "raw": Candidate("kokoro-onnx, its default session", raw=True),
    "default": Candidate("onnxruntime's defaults (optimization all, a thread per core, spin)"),
    "basic": Candidate("graph optimization basic", tuning=SessionTuning(optimization="basic")),
    "extended": Candidate("graph optimization extended",
                          tuning=SessionTuning(optimization="extended")),
    "layout": Candidate("graph optimization layout", tuning=SessionTuning(optimization="layout")),
    "saved": Candidate("optimized model saved once, loaded with optimization off", model="saved",
                       tuning=SessionTuning(optimization="disabled")),
    "intra1": Candidate("1 intra-op thread", tuning=SessionTuning(intra_op_threads=1)),
    "nospin": Candidate("no spin-waiting", tuning=SessionTuning(spinning=False)),
    "parallel": Candidate("parallel execution, 2 inter-op threads",
                          tuning=SessionTuning(parallel=True, inter_op_threads=2)),
    "no-arena": Candidate("CPU memory arena off", tuning=SessionTuning(cpu_mem_arena=False)),
    "no-pattern": Candidate("memory pattern off", tuning=SessionTuning(mem_pattern=False)),
    "no-arena-pattern": Candidate("arena and memory pattern off",
                                  tuning=SessionTuning(cpu_mem_arena=False, mem_pattern=False)),
    "iobinding": Candidate("run_with_iobinding", tuning=SessionTuning(io_binding=True)),
    "engine": Candidate("the engine's choice (ENGINE_TUNING): no spin, memory pattern off",
                        tuning=ENGINE_TUNING),
    "conv-float": Candidate("ConvInteger -> float Conv, fp32 weights", model="conv-float"),
    "conv-runtime": Candidate("ConvInteger -> DequantizeLinear + Conv (uint8 weights)",
                              model="conv-runtime"),
    "all-float": Candidate("all quantized ops -> float (fp32 model)", model="all-float"),
}
STREAMS = 2  # the server's synthesis workers


def _load(name: str, model: Path, stack: ExitStack) -> Callable[[str], float]:
    """Candidate ``name`` ready to speak: text -> seconds of audio."""
    from voicesmith.config import Settings
    from voicesmith.engine.assets import installed_assets, load_stock_voices

    paths = installed_assets(Settings())
    if paths is None:
        raise SystemExit("engine assets are not installed: run `voicesmith assets install`")
    voices = load_stock_voices(paths.voices_dir)
    candidate = CANDIDATES[name]
    if candidate.raw:
        from voicesmith.bench.raw import raw_kokoro

        raw = stack.enter_context(raw_kokoro(model, voices, texts.VOICE))
        return raw.synthesize  # type: ignore[no-any-return]
    from voicesmith.engine.kokoro import KokoroEngine

    engine = KokoroEngine(model, voices, tuning=candidate.tuning)
    voice = voices[texts.VOICE]

    def speak(text: str) -> float:
        return sum(c.duration_s for c in engine.synthesize(text, voice.style, voice.language))

    return speak


def _serve(name: str, model: Path) -> None:
    """The worker: load, answer one JSON line per request line on stdin."""
    def reply(message: dict[str, Any]) -> None:
        print(json.dumps(message), flush=True)

    with ExitStack() as stack:
        t0 = time.perf_counter()
        speak = _load(name, model, stack)
        load_s = time.perf_counter() - t0
        speak(texts.SHORT)  # warm-up: the first run allocates
        reply({"load_s": load_s})
        for line in sys.stdin:
            request = line.split()
            t = time.perf_counter()
            if request[0] == "text":
                audio = speak(texts.TEXTS[int(request[1])])
            elif request[0] == "streams":
                with ThreadPoolExecutor(STREAMS) as pool:
                    audio = sum(pool.map(lambda _: speak(texts.THROUGHPUT_TEXT), range(STREAMS)))
            else:  # "peak"
                reply({"peak_rss_mb": own_peak_rss_mb()})
                continue
            reply({"wall_s": time.perf_counter() - t, "audio_s": audio})


class Worker:
    """The parent's handle on one candidate's process."""

    def __init__(self, name: str, model: Path) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voicesmith.bench.engine_options", "--worker", name,
             "--model", str(model)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.loaded = self._read()

    def ask(self, request: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"candidate {self.name} exited (code {self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def measure(workers: list[Worker], reps: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Per candidate: one entry per repetition and text, then per repetition of two streams."""
    per_text: dict[str, list[list[dict[str, Any]]]] = {w.name: [] for w in workers}
    for rep in range(reps):
        order = workers[rep % len(workers):] + workers[:rep % len(workers)]
        for w in workers:
            per_text[w.name].append([])
        for index in range(len(texts.TEXTS)):
            for w in order:
                per_text[w.name][rep].append(w.ask(f"text {index}"))
        say(f"repetition {rep + 1}/{reps}: " + ", ".join(
            f"{n} {sum(r['wall_s'] for r in runs[rep]) / sum(r['audio_s'] for r in runs[rep]):.3f}"
            for n, runs in per_text.items()))
    peak_one = {w.name: w.ask("peak")["peak_rss_mb"] for w in workers}
    streams: dict[str, list[dict[str, Any]]] = {w.name: [] for w in workers}
    for rep in range(reps):
        for w in workers[rep % len(workers):] + workers[:rep % len(workers)]:
            streams[w.name].append(w.ask("streams"))
    peak_two = {w.name: w.ask("peak")["peak_rss_mb"] for w in workers}
    return {w.name: {"load_s": w.loaded["load_s"], "texts": per_text[w.name],
                     "streams": streams[w.name], "peak_rss_1_mb": peak_one[w.name],
                     "peak_rss_2_mb": peak_two[w.name]} for w in workers}


def summarize(raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Medians over repetitions; ``vs_raw`` divides by raw's time for the same text and
    repetition first."""
    base = raw.get("raw")
    out: dict[str, dict[str, float]] = {}
    for name, m in raw.items():
        reps = m["texts"]
        rtf = [sum(r["wall_s"] for r in rep) / sum(r["audio_s"] for r in rep) for rep in reps]
        row = {"rtf": median(rtf), "short_s": median([rep[0]["wall_s"] for rep in reps]),
               "throughput": median([s["audio_s"] / s["wall_s"] for s in m["streams"]]),
               "load_s": m["load_s"], "peak_rss_1_mb": m["peak_rss_1_mb"],
               "peak_rss_2_mb": m["peak_rss_2_mb"]}
        if base is not None:
            row["vs_raw"] = median([
                ours["wall_s"] / theirs["wall_s"]
                for rep, base_rep in zip(reps, base["texts"], strict=True)
                for ours, theirs in zip(rep, base_rep, strict=True)])
            row["throughput_vs_raw"] = median([
                (s["audio_s"] / s["wall_s"]) / (b["audio_s"] / b["wall_s"])
                for s, b in zip(m["streams"], base["streams"], strict=True)])
        out[name] = row
    return out


def _quality(names: list[str], models: dict[str, Path], asr: bool) -> dict[str, dict[str, float]]:
    """How close each derived model's speech is to the int8 model's."""
    import numpy as np
    from kokoro_onnx.tokenizer import Tokenizer

    from voicesmith.config import Settings
    from voicesmith.engine.assets import installed_assets, load_stock_voices
    from voicesmith.engine.base import SAMPLE_RATE, model_feeds
    from voicesmith.engine.kokoro import KokoroEngine

    derived = [k for k in dict.fromkeys(CANDIDATES[n].model for n in names) if k != "int8"]
    if not derived:
        return {}
    paths = installed_assets(Settings())
    assert paths is not None
    voice = load_stock_voices(paths.voices_dir)[texts.VOICE]
    int8, tokenizer = KokoroEngine(models["int8"], {texts.VOICE: voice}), Tokenizer()
    feeds = []
    for text in texts.TEXTS:
        for piece in int8.plan(text, voice.language):
            tokens = tokenizer.tokenize(piece.phonemes, limit=None)
            feeds.append(model_feeds(tokens, voice.pack, 1.0))
    out = {kind: asdict(closeness(models[kind], models["int8"], feeds)) for kind in derived}
    if asr:
        for kind in ["int8", *(k for k in derived if k != "saved")]:
            engine = int8 if kind == "int8" else KokoroEngine(models[kind], {texts.VOICE: voice})

            def speak(text: str, e: KokoroEngine = engine) -> Any:
                chunks = e.synthesize(text, voice.style, voice.language)
                return np.concatenate([c.samples for c in chunks])

            out.setdefault(kind, {})["wer"] = word_error_rate(speak, texts.TEXTS, SAMPLE_RATE)
    return out


def run(names: list[str], reps: int, work: Path, asr: bool,
        say: Callable[[str], None]) -> dict[str, Any]:
    from voicesmith.config import Settings
    from voicesmith.engine.assets import installed_assets

    paths = installed_assets(Settings())
    if paths is None:
        raise SystemExit("engine assets are not installed: run `voicesmith assets install`")
    models = {kind: model_file(kind, paths.model, work) for kind in MODELS
              if kind == "int8" or any(CANDIDATES[n].model == kind for n in names)}
    quality = _quality(names, models, asr)
    workers: list[Worker] = []
    try:
        for name in names:
            workers.append(Worker(name, models[CANDIDATES[name].model]))
            say(f"loaded {name} in {workers[-1].loaded['load_s']:.2f} s")
        measured = measure(workers, reps, say)
    finally:
        for w in workers:
            w.close()
    return {"reps": reps, "texts": list(texts.TEXTS), "measured": measured, "quality": quality,
            "summary": summarize(measured)}


def markdown_table(report: dict[str, Any]) -> str:
    head = ("| candidate | RTF | time vs raw | short piece s | 2 streams audio s/s (vs raw) "
            "| load s | peak RSS 1 / 2 streams MB | what |")
    lines = [head, "|---" * 8 + "|"]
    for name, row in report["summary"].items():
        lines.append(
            f"| {name} | {row['rtf']:.3f} | {row.get('vs_raw', float('nan')):.3f}x | "
            f"{row['short_s']:.2f} | {row['throughput']:.2f} "
            f"({row.get('throughput_vs_raw', float('nan')):.2f}x) | {row['load_s']:.2f} | "
            f"{row['peak_rss_1_mb']:.0f} / {row['peak_rss_2_mb']:.0f} | "
            f"{CANDIDATES[name].what} |")
    for kind, q in report["quality"].items():
        lines.append(f"\n{kind} vs int8: " + ", ".join(f"{k} {v:.4g}" for k, v in q.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", help="comma-separated candidates (raw is always included)")
    parser.add_argument("--asr", action="store_true", help="WER of the derived models too")
    parser.add_argument("--work-dir", type=Path, help="keeps derived models between runs")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _serve(args.worker, args.model)
        return
    names = list(dict.fromkeys(["raw", *args.only.split(",")] if args.only else CANDIDATES))
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}; known: {', '.join(CANDIDATES)}")
    with tempfile.TemporaryDirectory(prefix="voicesmith-options-") as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report = run(names, args.reps, work, args.asr, lambda s: print(s, file=sys.stderr))
    table = markdown_table(report)
    print(table)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "engine_options.json").write_text(json.dumps(report, indent=2))
        (args.out / "engine_options.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
