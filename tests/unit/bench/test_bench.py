"""`voicesmith bench` plumbing on the tiny model: systems, ratios, the command."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from typer.testing import CliRunner

from tests.support.tiny_model import SAMPLES_PER_TOKEN, build_tiny_kokoro_model
from voicesmith.bench import runner
from voicesmith.bench.http import HttpSystem
from voicesmith.bench.local import EngineSystem
from voicesmith.bench.probes import percentile, throughput
from voicesmith.bench.raw import raw_kokoro
from voicesmith.bench.report import BenchResult, markdown, table
from voicesmith.cli import app
from voicesmith.engine.base import PACK_ROWS, STYLE_DIM, StockVoice
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_kokoro_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture(scope="module")
def voices() -> dict[str, StockVoice]:
    pack = np.full((PACK_ROWS, STYLE_DIM), 0.001, dtype=np.float32)
    return {"af_heart": StockVoice("af_heart", AMERICAN_ENGLISH, "female", pack)}


def test_raw_kokoro_reads_our_voice_packs_and_streams(model: Path,
                                                      voices: dict[str, StockVoice]) -> None:
    with raw_kokoro(model, voices, "af_heart") as raw:
        audio_s = raw.synthesize("Hello there. How are you today?")
        streamed = raw.first_audio("Hello there. How are you today?")
        own = raw.with_voice(voices["af_heart"].pack, 1.0).synthesize("Hello there.")
    assert audio_s > SAMPLES_PER_TOKEN / 24_000 and streamed.audio_s > 0 and own > 0
    assert 0 < streamed.first_s <= streamed.total_s < 5


def test_engine_system_streams_chunks_and_times_the_post_process(
        model: Path, voices: dict[str, StockVoice]) -> None:
    engine = KokoroEngine(model, voices, intra_op_threads=1)
    system = EngineSystem.stock(engine, "af_heart")
    streamed = system.first_audio("One sentence here. And a second one after it.")
    assert 0 < streamed.first_s <= streamed.total_s and streamed.audio_s > 0
    post = system.with_postprocess({"kind": "world_f0_warp", "version": 1,
                                    "f0_ratio": 1.1, "warp": 1.05})
    synth_rtf, post_rtf = post.postprocess_share("One sentence here. And a second one.")
    assert synth_rtf > 0 and post_rtf > 0
    assert system.postprocess_share("One sentence here.")[1] == 0


def test_throughput_counts_audio_per_wall_second_across_streams() -> None:
    def synth(_text: str) -> float:
        time.sleep(0.05)
        return 1.0

    # Sleeping "synthesis" overlaps perfectly: 4 streams give ~4x one stream.
    one, four = throughput(synth, "x", 1, 2), throughput(synth, "x", 4, 2)
    assert 15 < one < 21 and four > 2.5 * one
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_table_shows_ratios_to_raw_and_gaps() -> None:
    result = BenchResult()
    result.add("real-time factor", "ratio", {"raw": 0.4, "engine": 0.44, "http": "unavailable"})
    result.add("throughput", "audio s / wall s", {"raw": 2.0, "engine": 1.0, "http": 4.0},
               better="higher")
    result.add("design list latency p50", "ms", {"http": 3.0})
    rows = [(r.ratio("engine"), r.ratio("http")) for r in result.rows]
    assert rows == [("1.10x", "-"), ("0.50x", "2.00x"), ("-", "-")]
    text = markdown(result)
    assert "| real-time factor | ratio | 0.400 | 0.440 | unavailable | 1.10x | - |" in text
    assert table(result).row_count == 3


def test_speech_endpoint_missing_is_reported_not_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer k"
        return httpx.Response(404, json={"errors": [{"title": "Not Found"}]})

    http = HttpSystem("http://test/v2", "k", "Telnyx.Kokoro.af_heart",
                      transport=httpx.MockTransport(handler))
    why = http.available()
    assert why is not None and "speech endpoint unavailable" in why and "404" in why


def test_http_system_times_first_bytes_of_a_pcm_stream() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = json.loads(request.content)
        assert body["telnyx"] == {"response_format": "pcm", "sampling_rate": 24_000}
        return httpx.Response(200, content=b"\x00\x00" * 24_000)

    http = HttpSystem("http://test/v2", "k", "Telnyx.Kokoro.af_heart",
                      transport=httpx.MockTransport(handler))
    streamed = http.first_audio("Hello.")
    assert http.available() is None and streamed.audio_s == 1.0
    assert 0 <= streamed.first_s <= streamed.total_s


def test_bench_command_passes_its_options(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(runner, "run_bench", lambda **kw: calls.append(kw))
    ok = CliRunner().invoke(app, ["bench", "--quick", "--url", "http://h:1/v2", "--key", "k",
                                  "--out", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert calls[0]["quick"] is True and calls[0]["url"] == "http://h:1/v2"
    assert calls[0]["key"] == "k" and calls[0]["out"] == tmp_path
    half = CliRunner().invoke(app, ["bench", "--url", "http://h:1/v2"])
    assert half.exit_code == 2 and len(calls) == 1


def test_a_child_process_reports_its_own_peak_memory_not_its_parents() -> None:
    """ru_maxrss survives exec: a child of a big parent must not report the parent's size."""
    import subprocess
    import sys

    import numpy as np

    from voicesmith.bench.probes import own_peak_rss_mb

    ballast = np.ones(50_000_000)  # 400 MB, touched
    assert own_peak_rss_mb() > 400
    child = subprocess.run(
        [sys.executable, "-c", ("from voicesmith.bench.probes import own_peak_rss_mb as p; "
                                "print(p())")], capture_output=True, text=True, check=True)
    del ballast
    assert float(child.stdout) < 200
