"""Servers for the end-to-end tests.

``fast_server`` runs the real server on a tiny generated ONNX model with the
real model's inputs, so API behaviour is covered in seconds. ``real_server``
runs the real Kokoro model, for the tests that listen to the speech.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import RunningServer, server_env
from tests.support.tiny_model import build_tiny_kokoro_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_kokoro_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture(scope="session")
def fast_server(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Iterator[RunningServer]:
    server = RunningServer(tmp_path_factory.mktemp("fast-data"),
                           server_env(VOICESMITH_MODEL_PATH=str(tiny_model))).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = RunningServer(tmp_path_factory.mktemp("real-data"), server_env()).start()
    yield server
    server.stop()
