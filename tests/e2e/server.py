"""Start a real `voicesmith serve` process on loopback and talk to it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from telnyx import Telnyx

VOICESMITH = [sys.executable, "-m", "voicesmith.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    data_dir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    key: str | None = None
    proc: subprocess.Popen[str] | None = None
    # Put before the server's command line: a program that sets something up for the
    # server alone (e.g. a resource limit), then execs the rest of its arguments.
    launcher: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def start(self, timeout: float = 120.0) -> RunningServer:
        log = open(self.data_dir / "server.log", "a")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [*self.launcher, *VOICESMITH, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir),
             "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=log, text=True, env=self.env,
        )
        if self.key is None:
            self.key = self._read_key(timeout)
        self._wait_healthy(timeout)
        return self

    def _read_key(self, timeout: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()),  # type: ignore[union-attr]
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].strip():
            raise RuntimeError(f"server printed no key; log:\n{self.log()}")
        return line[0].strip()

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; log:\n{self.log()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {timeout}s; log:\n{self.log()}")

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text()[-5000:] if path.exists() else ""

    def client(self, key: str | None = None, **kwargs: object) -> Telnyx:
        return Telnyx(api_key=key or self.key, base_url=self.base_url, **kwargs)  # type: ignore[arg-type]

    def cli(self, *args: str) -> str:
        """Run a `voicesmith` subcommand against this server's data dir; its stdout."""
        done = subprocess.run([*VOICESMITH, *args, "--data-dir", str(self.data_dir)],
                              capture_output=True, text=True, env=self.env, check=True)
        return done.stdout

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, like a power cut for the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICESMITH_DATA_DIR",
                                                                     "TELNYX_"))}
    env.update(extra)
    return env
