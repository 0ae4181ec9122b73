"""An S3 API on loopback for the tests: moto's server mode, a stand-in for a real store.

No S3-compatible server installs from the registries here (README "Scale out"),
so the S3 path is exercised against moto: boto3 talks real HTTP to it, with
the standard ``AWS_*`` variables, exactly as it would to MinIO or AWS.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class S3StandIn:
    endpoint: str

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to reach it (the standard AWS variables)."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="test",
                            aws_secret_access_key="test", region_name="us-east-1")

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name


@contextmanager
def s3_standin(log_dir: Path) -> Iterator[S3StandIn]:
    port = _free_port()
    moto = Path(sys.executable).with_name("moto_server")
    with open(log_dir / "moto.log", "w") as log:
        proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1.0)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start (see {log_dir}/moto.log)") from None
                time.sleep(0.1)
        yield S3StandIn(endpoint)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
