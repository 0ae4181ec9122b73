"""Servers for the end-to-end tests.

``fast_server`` runs the real server on a tiny generated ONNX model with the
real model's inputs, so API behaviour is covered in seconds. ``real_server``
runs the real Kokoro model, for the tests that listen to the speech.

``fast_server`` comes twice: on SQLite (the default store) and on a real
PostgreSQL server started for the session (tests.support.postgres), so every
test that uses it covers both databases. Without PostgreSQL installed the
second is skipped here and fails in CI (.ci/run installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.minimax_support import KEY, minimax_env
from tests.e2e.server import RunningServer, free_port, server_env
from tests.support.fake_minimax import FakeMiniMax, RunningFake
from tests.support.postgres import Postgres, find_postgres, running_postgres
from tests.support.tiny_model import build_tiny_kokoro_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_kokoro_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    bin_dir = find_postgres()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/test.sh installs it (postgresql)")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fast_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                tiny_model: Path) -> Iterator[RunningServer]:
    env = {"VOICESMITH_MODEL_PATH": str(tiny_model)}
    if request.param == "postgresql":
        env["VOICESMITH_DATABASE_URL"] = request.getfixturevalue("postgres").create_database("fast")
    server = RunningServer(tmp_path_factory.mktemp(f"fast-data-{request.param}"),
                           server_env(**env)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = RunningServer(tmp_path_factory.mktemp("real-data"), server_env()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def minimax_fake() -> Iterator[RunningFake]:
    """A fake MiniMax on loopback (tests.support.fake_minimax)."""
    running = RunningFake(FakeMiniMax(api_key=KEY), free_port()).start()
    yield running
    running.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def minimax_server(request: pytest.FixtureRequest, minimax_fake: RunningFake, tiny_model: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A fast server with a MiniMax key and the fake's URL, on each database (as fast_server)."""
    extra = {}
    if request.param == "postgresql":
        extra["VOICESMITH_DATABASE_URL"] = \
            request.getfixturevalue("postgres").create_database("minimax")
    server = RunningServer(tmp_path_factory.mktemp(f"minimax-data-{request.param}"),
                           minimax_env(tiny_model, minimax_fake.base_url, **extra)).start()
    yield server
    server.stop()
