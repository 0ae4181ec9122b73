"""nginx on loopback in front of the test replicas, with the shipped configuration.

The test runs ``deploy/nginx.conf`` itself, its upstream addresses and listen
port replaced by loopback ones, so what is tested is what operators deploy.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEPLOY_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def render(site: str, upstreams: dict[str, int], port: int, prefix: Path) -> str:
    """A whole nginx.conf: the shipped site, on loopback, with files under ``prefix``."""
    for name, upstream_port in upstreams.items():
        site = site.replace(f"server {name}:8000", f"server 127.0.0.1:{upstream_port}")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n    access_log {prefix / 'access.log'};\n{temp}\n{site}\n}}\n")


@contextmanager
def running_nginx(binary: str, upstreams: dict[str, int], prefix: Path) -> Iterator[str]:
    """nginx in front of ``upstreams`` (name in the shipped conf -> port); its base URL."""
    prefix.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(render(DEPLOY_CONF.read_text(), upstreams, port, prefix))
    subprocess.run([binary, "-t", "-c", str(conf), "-p", str(prefix)], check=True,
                   capture_output=True)
    proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(prefix)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text()}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
