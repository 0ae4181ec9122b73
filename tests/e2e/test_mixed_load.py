"""The bench's mixed-load scenario, smaller, against a real server on the tiny model:
reads, renames, clone create/delete and speech at once must all succeed."""

from __future__ import annotations

from tests.e2e.server import RunningServer
from voicesmith.bench.mixed import MIX, run_mixed


def test_mixed_load_has_no_errors(fast_server: RunningServer) -> None:
    assert fast_server.key is not None
    result = run_mixed(fast_server.base_url, fast_server.key, "Telnyx.Kokoro.af_heart",
                       requests=240, concurrency=16, designs=3)
    assert result.error_count == 0, dict(result.errors)
    counts = {kind: q["n"] for kind, q in result.quantiles().items()}
    assert sum(counts.values()) == 240 and set(counts) == set(MIX)
    assert all(n >= 20 for n in counts.values()), counts
