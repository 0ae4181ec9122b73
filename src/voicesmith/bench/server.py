"""Starting a private ``voicesmith serve`` for the HTTP rows of the bench.

The server runs in its own process on a free loopback port with a throwaway
data dir; the key it prints on first start (its only stdout line) is read
back, as the end-to-end tests do.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Endpoint:
    url: str  # the /v2 base
    key: str
    pid: int | None = None  # known only for a server this process started


class ServerStartError(RuntimeError):
    pass


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    got: list[str] = []
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: got.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return got[0].strip() if got else ""


def _wait_healthy(proc: subprocess.Popen[str], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(f"the server exited with {proc.returncode}:\n"
                                   f"{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.2)
    raise ServerStartError(f"the server was not healthy after {START_TIMEOUT_S:.0f} s:\n"
                           f"{log.read_text()[-3000:]}")


@contextmanager
def local_server() -> Iterator[Endpoint]:
    """A fresh server for the duration of the block; stopped (SIGTERM) after it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("VOICESMITH_DATA_DIR", "VOICESMITH_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="voicesmith-bench-server-") as tmp:
        log_path = Path(tmp) / "server.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "voicesmith.cli", "serve", "--port", str(port),
                 "--data-dir", str(Path(tmp) / "data"), "--log-level", "warning"],
                stdout=subprocess.PIPE, stderr=log, text=True, env=env)
            try:
                key = _first_line(proc, START_TIMEOUT_S)
                if not key:
                    raise ServerStartError(f"the server printed no key:\n"
                                           f"{log_path.read_text()[-3000:]}")
                _wait_healthy(proc, port, log_path)
                yield Endpoint(f"http://127.0.0.1:{port}/v2", key, proc.pid)
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
