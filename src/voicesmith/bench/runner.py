"""``voicesmith bench``: the same texts through raw kokoro-onnx, the engine and the server.

Systems are measured interleaved (text by text, system by system) rather than
one after the other, so a burst of load from elsewhere on a noisy machine
lands on all three alike and the ratios stay comparable within a run.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from rich.console import Console

from voicesmith.bench import texts
from voicesmith.bench.http import HttpSystem
from voicesmith.bench.local import (
    EngineSystem,
    design_clone_voice,
    heaviest_transform,
    upload_postprocess,
)
from voicesmith.bench.mixed import MIX, run_mixed
from voicesmith.bench.probes import (
    Streamed,
    median,
    own_peak_rss_mb,
    process_peak_rss_mb,
    throughput,
    timed,
)
from voicesmith.bench.report import BenchResult, Value, markdown, table
from voicesmith.bench.server import Endpoint, local_server
from voicesmith.console import table_console
from voicesmith.engine.text import split_sentences


class System(Protocol):
    name: str

    def synthesize(self, text: str) -> float: ...

    def first_audio(self, text: str) -> Streamed: ...


@dataclass(frozen=True)
class Plan:
    reps: int  # repeats of each text for the real-time factor
    ttfa_reps: int
    per_stream: int  # syntheses per stream in the throughput rows
    streams: tuple[int, ...]
    designs: int  # designs created for the read-latency rows
    read_clients: int
    reads_per_client: int
    mixed_requests: int  # the mixed-load scenario (bench/mixed.py)
    mixed_concurrency: int
    throughput_reads: int  # design reads for the read-throughput row


QUICK = Plan(reps=1, ttfa_reps=2, per_stream=1, streams=(1, 2, 4), designs=3,
             read_clients=8, reads_per_client=20, mixed_requests=300, mixed_concurrency=16,
             throughput_reads=1000)
FULL = Plan(reps=3, ttfa_reps=5, per_stream=2, streams=(1, 2, 4), designs=10,
            read_clients=16, reads_per_client=50, mixed_requests=1000, mixed_concurrency=16,
            throughput_reads=2000)


def rtf(systems: dict[str, System], plan: Plan) -> dict[str, Value]:
    """Median synthesis seconds per audio second, over the texts and repeats."""
    ratios: dict[str, list[float]] = {k: [] for k in systems}
    for text in texts.TEXTS:
        for _ in range(plan.reps):
            for key, system in systems.items():
                wall, audio = timed(lambda s=system, t=text: s.synthesize(t))  # type: ignore[misc]
                ratios[key].append(wall / audio)
    return {k: median(v) for k, v in ratios.items()}


def measure_speech(result: BenchResult, systems: dict[str, System], plan: Plan,
                   http: HttpSystem | None, http_why: str | None) -> None:
    gap: dict[str, Value] = {"http": "unavailable"} if http_why else {}
    for system in systems.values():  # warm-up: first runs pay for allocation and caches
        system.synthesize(texts.SHORT)
    result.add("real-time factor (synthesis s / audio s)", "ratio", {**rtf(systems, plan), **gap})
    ttfa: dict[str, list[float]] = {k: [] for k in systems}
    total: dict[str, list[float]] = {k: [] for k in systems}
    for _ in range(plan.ttfa_reps):
        for key, system in systems.items():
            streamed = system.first_audio(texts.STREAM_TEXT)
            ttfa[key].append(streamed.first_s)
            total[key].append(streamed.total_s)
    result.add("time to first audio, streaming", "s",
               {**{k: median(v) for k, v in ttfa.items()}, **gap})
    # The reference for first audio: the library speaking the first sentence alone
    # (its create_stream yields nothing before the whole first batch is made).
    first_sentence = split_sentences(texts.STREAM_TEXT)[0][0]
    raw_first = median([timed(lambda: systems["raw"].synthesize(first_sentence))[0]
                        for _ in range(plan.ttfa_reps)])
    result.add("  vs raw's time to make the first sentence alone", "s",
               {"raw": raw_first, **{k: median(v) for k, v in ttfa.items() if k != "raw"},
                **gap})
    result.add("  total time, streaming", "s",
               {**{k: median(v) for k, v in total.items()}, **gap})
    if http is not None:
        ws_first, ws_total = ws_times(http, plan) if http_why is None else ("unavailable",) * 2
        result.add("time to first audio, WebSocket (vs raw's first sentence alone)", "s",
                   {"raw": raw_first, "http": ws_first})
        result.add("  total time, WebSocket", "s", {"raw": median(total["raw"]), "http": ws_total})
    by_streams: dict[int, dict[str, Value]] = {}
    for n in plan.streams:
        speeds = by_streams[n] = {
            k: throughput(s.synthesize, texts.THROUGHPUT_TEXT, n, plan.per_stream)
            for k, s in systems.items()}
        result.add(f"throughput, {n} concurrent stream{'s' if n > 1 else ''}",
                   "audio s / wall s", {**speeds, **gap}, better="higher", fmt="{:.2f}")
    # Streams take turns piece by piece (the synthesis pool is first come, first
    # served), so each of n streams gets 1/n of the throughput: as many streams
    # as whole audio seconds per wall second stay real-time.
    busiest = max(plan.streams)
    result.add(f"  concurrent real-time streams (from the {busiest}-stream throughput)",
               "streams", {k: math.floor(v) for k, v in by_streams[busiest].items()
                           if isinstance(v, float) and math.isfinite(v)},
               better="higher", fmt="{:.0f}")


def ws_times(http: HttpSystem, plan: Plan) -> tuple[Value, Value]:
    """Median (time to first audio, total time) of the paragraph over the WebSocket."""
    from websockets.exceptions import WebSocketException

    try:
        runs = [http.ws_first_audio(texts.STREAM_TEXT) for _ in range(plan.ttfa_reps)]
    except (OSError, WebSocketException) as exc:
        why = f"unavailable ({type(exc).__name__})"
        return why, why
    return median([r.first_s for r in runs]), median([r.total_s for r in runs])


def measure_clones(result: BenchResult, raw: Any, engine: Any, plan: Plan) -> None:
    """Design clones vs stock, and an upload clone's post-process, in-process."""
    voice = design_clone_voice(engine, texts.DESIGN_PROMPT)
    design = EngineSystem(engine, voice)
    upload = design.with_postprocess(upload_postprocess())
    raw_design = raw.with_voice(voice.engine_style.pack, voice.engine_style.speed)
    values = rtf({"raw": raw_design, "engine": design, "upload": upload}, plan)
    result.add("real-time factor, design-clone voice", "ratio",
               {"raw": values["raw"], "engine": values["engine"]})
    result.add("real-time factor, upload clone (+ its voice transform)", "ratio",
               {"raw": values["raw"], "engine": values["upload"]})
    synth, post = upload.postprocess_share(texts.MEDIUM)
    result.add("  of which post-process (upload clone)", "ratio", {"engine": post})
    # issue 17: an upload clone may cost at most 15 % more than a design clone
    result.add("upload clone / design clone synthesis time (target <= 1.15)", "ratio",
               {"engine": (synth + post) / synth})
    heavy = design.with_postprocess(heaviest_transform())
    heavy_synth, heavy_cost = heavy.postprocess_share(texts.MEDIUM)
    result.add("voice transform, heaviest setting (s per audio s)", "ratio",
               {"engine": heavy_cost})
    result.notes.append(
        f"A design's voice transform at its heaviest ({heavy.voice.postprocess}) costs "
        f"{heavy_cost:.3f} s per audio s on top of synthesis {heavy_synth:.3f} "
        f"({100 * heavy_cost / heavy_synth:.0f} %); voices without one skip it entirely.")
    result.notes.append(
        f"Upload clone = the design-clone voice plus post-process {upload.voice.postprocess}; "
        f"its post-process costs {post:.3f} s per audio s on top of synthesis {synth:.3f} "
        f"({100 * post / synth:.0f} %). The raw column of both clone rows is kokoro-onnx "
        "with the same style pack and speed (it has no post-process).")


def measure_reads(result: BenchResult, http: HttpSystem, plan: Plan, speech_ok: bool) -> None:
    """Design reads idle and beside 2 speech streams (8 clients), and their throughput."""
    try:
        ids = http.create_designs(plan.designs)
    except httpx.HTTPError as exc:
        result.add("design reads latency", "ms", {"http": f"failed ({exc})"})
        return

    def speech_load(stop: threading.Event) -> None:
        while not stop.is_set():
            http.synthesize(texts.MEDIUM)

    def row(what: str, lat: dict[str, dict[str, float]]) -> None:
        every = lat["all"]
        result.add(f"design reads p50 / p99, {what}", "ms",
                   {"http": f"{every['p50']:.1f} / {every['p99']:.1f}"})

    idle = http.read_latency(ids, plan.read_clients, plan.reads_per_client)
    row(f"{plan.read_clients} clients, idle", idle)
    streams = 2 if speech_ok else 0
    loaded = http.read_latency(ids, plan.read_clients, plan.reads_per_client,
                               background=speech_load if speech_ok else None,
                               background_threads=streams)
    row(f"{plan.read_clients} clients + {streams} speech streams", loaded)
    result.add("  list / retrieve p99 beside the streams", "ms",
               {"http": f"{loaded['list']['p99']:.1f} / {loaded['retrieve']['p99']:.1f}"})
    clients = plan.mixed_concurrency
    busy = http.read_latency(ids, clients, plan.throughput_reads // clients)
    result.add(f"read throughput, {clients} clients, no synthesis", "requests / s",
               {"http": busy["all"]["per_s"]}, better="higher", fmt="{:.0f}")
    result.add("  p50 / p99 at that load", "ms",
               {"http": f"{busy['all']['p50']:.1f} / {busy['all']['p99']:.1f}"})
    load = "2 speech streams" if speech_ok else "no speech load (endpoint unavailable)"
    result.notes.append(
        f"Design reads (list and retrieve alternating, over {len(ids)} designs): "
        f"{plan.read_clients} clients x {plan.reads_per_client} requests idle, then the "
        f"same beside {load}; throughput: {clients} clients, "
        f"{plan.throughput_reads} requests, nothing else running.")


def measure_mixed(result: BenchResult, endpoint: Endpoint, plan: Plan) -> None:
    """Reads, renames, clone create/delete and short speech, all at once."""
    mixed = run_mixed(endpoint.url, endpoint.key, texts.STOCK_VOICE_ID,
                      requests=plan.mixed_requests, concurrency=plan.mixed_concurrency)
    result.add("mixed load throughput", "requests / s", {"http": mixed.throughput},
               better="higher", fmt="{:.1f}")
    for kind, q in mixed.quantiles().items():
        result.add(f"  mixed {kind} p50 / p99", "ms",
                   {"http": f"{q['p50']:.0f} / {q['p99']:.0f} (n={q['n']})"})
    result.add("  mixed errors", "count", {"http": mixed.error_count}, fmt="{:.0f}")
    errors = ", ".join(f"{k} x{n}" for k, n in mixed.errors.items()) or "none"
    result.notes.append(
        f"Mixed load: {mixed.requests} requests at concurrency {mixed.concurrency} "
        f"(shares {', '.join(f'{k} {v:.0%}' for k, v in MIX.items())}; a clone request "
        f"creates a clone from a design and deletes it) in {mixed.wall_s:.1f} s; "
        f"errors: {errors}.")


@contextmanager
def _endpoint(url: str | None, key: str | None) -> Iterator[Endpoint]:
    if url and key:
        yield Endpoint(url, key)
    else:
        with local_server() as started:
            yield started


def run_bench(*, quick: bool, url: str | None = None, key: str | None = None,
              out: Path | None = None, console: Console | None = None) -> BenchResult:
    from voicesmith.bench.memory import peak_rss_mb
    from voicesmith.bench.raw import raw_kokoro
    from voicesmith.config import Settings
    from voicesmith.engine.assets import installed_assets
    from voicesmith.engine.loader import load_engine

    say = console or Console(stderr=True)
    plan = QUICK if quick else FULL
    result = BenchResult(settings={"plan": asdict(plan), "voice": texts.VOICE,
                                   "server": url or "started locally"})
    settings = Settings()
    with say.status("Loading the engine..."):
        engine = load_engine(settings)
        paths = installed_assets(settings)
    assert paths is not None  # load_engine installed them
    say.print("Starting the server..." if not url else f"Using the server at {url}")
    with raw_kokoro(paths.model, engine.stock_voices, texts.VOICE) as raw, \
            _endpoint(url, key) as endpoint:
        http = HttpSystem(endpoint.url, endpoint.key, texts.STOCK_VOICE_ID)
        why = http.available()
        systems: dict[str, System] = {"raw": raw, "engine": EngineSystem.stock(engine, texts.VOICE)}
        if why is None:
            systems["http"] = http
        with say.status("Speech: real-time factor, first audio, throughput..."):
            measure_speech(result, systems, plan, http, why)
        with say.status("Design and upload clones..."):
            measure_clones(result, raw, engine, plan)
        with say.status("Design list / retrieve under load..."):
            measure_reads(result, http, plan, why is None)
        with say.status(f"Mixed load: {plan.mixed_requests} requests..."):
            measure_mixed(result, endpoint, plan)
        server_rss: Value = (process_peak_rss_mb(endpoint.pid) if endpoint.pid
                             else "remote server")
        http.close()
    with say.status("Peak memory, each system in a fresh process..."):
        result.add("peak RSS", "MB", {"raw": peak_rss_mb("raw"), "engine": peak_rss_mb("engine"),
                                      "http": server_rss}, fmt="{:.0f}")
    result.notes.append("Peak RSS: raw and engine each in a fresh process running 4 "
                        "concurrent syntheses; HTTP: the server process's peak over this "
                        f"whole run. This process peaked at {own_peak_rss_mb():.0f} MB.")
    if why:
        result.notes.append(f"HTTP speech rows: {why}.")
    table_console().print(table(result))
    for note in result.notes:
        say.print(f"- {note}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
        (out / "bench.md").write_text(markdown(result), encoding="utf-8")
    return result
