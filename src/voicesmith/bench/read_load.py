"""A lean load generator for the read rows: keep-alive HTTP/1.1 on asyncio streams.

The bench's client shares the machine with the server it measures. httpx in
16 threads cost about 1.9 ms of CPU per request on the 2-core reference
machine, as much as the server's own work on a read, so the read-throughput
row measured the client. This one (one connection per client, requests in
sequence on it, as wrk does) costs about 0.2 ms per request.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class ReadFailed(RuntimeError):
    """A read answered other than 200, or the connection broke."""


@dataclass
class ReadTimes:
    """Milliseconds per request, by kind (the kind is the caller's label for a path)."""

    by_kind: dict[str, list[float]] = field(default_factory=dict)
    wall_s: float = 0.0


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    base_path: str  # e.g. "/v2"
    tls: bool

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        tls = parts.scheme == "https"
        return cls(parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80),
                   parts.path.rstrip("/"), tls)


async def _read_response(reader: asyncio.StreamReader) -> int:
    """The status of one response, whose body is read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip()
               for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _client(target: Target, key: str, requests: list[tuple[str, str]],
                  times: ReadTimes) -> None:
    context = ssl.create_default_context() if target.tls else None
    reader, writer = await asyncio.open_connection(target.host, target.port, ssl=context)
    head = (f"Host: {target.host}:{target.port}\r\nAuthorization: Bearer {key}\r\n"
            "Accept: application/json\r\n\r\n")
    try:
        for kind, path in requests:
            t0 = time.perf_counter()
            writer.write(f"GET {target.base_path}{path} HTTP/1.1\r\n{head}".encode())
            status = await _read_response(reader)
            if status != 200:
                raise ReadFailed(f"GET {path} answered {status}")
            times.by_kind.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    finally:
        writer.close()


def run_reads(url: str, key: str, plans: list[list[tuple[str, str]]]) -> ReadTimes:
    """Each plan (``[(kind, path), ...]``) on its own connection, all at once."""
    target = Target.of(url)
    times = ReadTimes()

    async def main() -> None:
        await asyncio.gather(*(_client(target, key, plan, times) for plan in plans))

    t0 = time.perf_counter()
    try:
        asyncio.run(main())
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        raise ReadFailed(f"the connection broke: {exc!r}") from exc
    times.wall_s = time.perf_counter() - t0
    return times
