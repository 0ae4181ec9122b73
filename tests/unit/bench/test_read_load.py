"""The bench's lean read client against a real socket server (asyncio, loopback)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from voicesmith.bench.read_load import ReadFailed, Target, run_reads


def _answer(path: str) -> bytes:
    if path.endswith("/missing"):
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"
    if path.endswith("/chunked"):
        return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n")
    body = b'{"data":[]}'
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


@pytest.fixture
def server() -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """A keep-alive HTTP/1.1 server that records (path, authorization) per request."""
    seen: list[tuple[str, str]] = []
    ready = threading.Event()
    port: list[int] = []
    loop = asyncio.new_event_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                path = head.split(" ")[1]
                auth = next(line.split(": ", 1)[1] for line in head.split("\r\n")
                            if line.lower().startswith("authorization"))
                seen.append((path, auth))
                writer.write(_answer(path))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    async def start() -> None:
        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(srv.sockets[0].getsockname()[1])
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()),
                                              loop.run_forever()), daemon=True)
    thread.start()
    ready.wait(10)
    yield port[0], seen
    async def shut() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        loop.stop()

    asyncio.run_coroutine_threadsafe(shut(), loop)
    thread.join(10)
    loop.close()


def test_every_planned_read_is_sent_with_the_key_and_timed_by_kind(
        server: tuple[int, list[tuple[str, str]]]) -> None:
    port, seen = server
    plans = [[("list", "/voice_designs"), ("retrieve", "/voice_designs/a")],
             [("retrieve", "/voice_designs/b"), ("list", "/voice_designs/chunked")]]
    times = run_reads(f"http://127.0.0.1:{port}/v2", "KEY", plans)
    assert sorted(p for p, _ in seen) == sorted(
        ["/v2/voice_designs", "/v2/voice_designs/a", "/v2/voice_designs/b",
         "/v2/voice_designs/chunked"])
    assert {auth for _, auth in seen} == {"Bearer KEY"}
    assert {k: len(v) for k, v in times.by_kind.items()} == {"list": 2, "retrieve": 2}
    assert times.wall_s > 0 and all(ms > 0 for v in times.by_kind.values() for ms in v)


def test_a_read_that_fails_is_raised_not_counted(server: tuple[int, list[tuple[str, str]]]) -> None:
    port, _ = server
    with pytest.raises(ReadFailed, match="404"):
        run_reads(f"http://127.0.0.1:{port}/v2", "KEY", [[("retrieve", "/voice_designs/missing")]])


def test_target_reads_scheme_port_and_base_path() -> None:
    assert Target.of("https://example.test/v2/") == Target("example.test", 443, "/v2", True)
    assert Target.of("http://127.0.0.1:8000/v2") == Target("127.0.0.1", 8000, "/v2", False)
