"""The served OpenAPI document tells the truth: schemathesis finds no failure against it.

Runs ``st run`` (schemathesis' CLI, the interface its 4.x documentation leads
with) against a real server on the tiny model, with every check, in the
examples, coverage, fuzzing and stateful phases (the document's links chain
created designs and clones into the operations that take their ids).

Excluded, and why:
- ``POST /v2/voice_clones/from_upload``: capture runs the torch speaker encoder
  for tens of seconds per call (and needs the clone extra); the upload tests
  cover it.
- The WebSocket ``/v2/text-to-speech/speech`` is not an OpenAPI operation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import RunningServer, server_env

ST = Path(sys.executable).with_name("st")
EXCLUDED_PATHS = ["/v2/voice_clones/from_upload"]
MAX_EXAMPLES = 10  # per operation and phase: about 900 requests, ~35 s on 2 cores
# A fixed seed makes a failure reproducible (`st run ... --seed 1`). One worker: with two,
# hypothesis 6.170 raised an internal error (its lambda-source cache is not thread-safe).
SEED = 1


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path
                 ) -> Iterator[RunningServer]:
    """A server of its own: with the fixed seed, the same requests meet the same
    state in every run, whatever the other tests left in the shared one."""
    server = RunningServer(tmp_path_factory.mktemp("openapi-data"),
                           server_env(VOICESMITH_MODEL_PATH=str(tiny_model))).start()
    yield server
    server.stop()


def test_schemathesis_finds_no_failure(fresh_server: RunningServer, tmp_path: Path) -> None:
    origin = fresh_server.base_url.removesuffix("/v2")
    command = [
        str(ST), "run", f"{origin}/openapi.json",
        "--header", f"Authorization: Bearer {fresh_server.key}",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--request-timeout", "60",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path),
        *(arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)),
    ]
    env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"}
    # cwd: schemathesis keeps its crash cache in ./.schemathesis, which belongs in tmp_path.
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600,
                          check=False, cwd=tmp_path)
    output = done.stdout + done.stderr
    summary = output[output.rfind("FAILURES"):] if "FAILURES" in output else output[-6000:]
    assert done.returncode == 0, f"schemathesis reported failures:\n{summary}"
    assert re.search(r"(\d+) generated, \1 passed", output), output[-3000:]
