"""The HTTP/1.1 protocol the server runs: uvicorn's, with a bound on request heads.

uvicorn's httptools protocol keeps a request line and headers of any size in
memory until the head ends: a 50 MB header was read whole, and a few such
connections at once would exhaust the machine. Here a head passes
``MAX_HEAD_BYTES`` only to be answered, as soon as that much has arrived, with
431 in the error envelope (code 10015) and the connection closed; nothing
reaches the app. The protocol's own 400 for an unparsable request (a control
character in a header, a bad Content-Length) is sent in the envelope too.
"""

from __future__ import annotations

import asyncio
import json

from voicesmith.api.errors import error_object

# 64 KiB: four times what common proxies allow (nginx 16 KiB in 2 x 8 KiB
# buffers; Node's default is 16 KiB), far more than any client of this API sends.
MAX_HEAD_BYTES = 64 * 1024

_HEAD_TOO_LARGE = (
    "Request header fields too large",
    (f"The request line and headers may be at most {MAX_HEAD_BYTES} bytes "
     f"({MAX_HEAD_BYTES // 1024} KiB): send a shorter URL or fewer, smaller headers."),
)


def _error_response(status: int, reason: str, title: str, detail: str) -> bytes:
    body = json.dumps({"errors": [error_object("10015", title, detail)]}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nx-should-retry: false\r\nconnection: close\r\n\r\n"
            ).encode() + body


class _HeadRefused(Exception):
    """Raised in a parser callback, which the parser reports as a parse error."""


def bounded_http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with the head bound (see above)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHeadProtocol(HttpToolsProtocol):
        _head_bytes = 0
        _in_head = True  # from the connection's start and after each message
        _messages = 0

        def data_received(self, data: bytes) -> None:
            messages = self._messages
            super().data_received(data)
            if not self._in_head or messages != self._messages or self.transport.is_closing():
                return
            # Only a chunk that is all head counts (not one that ends a head or
            # a body): the parser holds at most this much, plus one read.
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse_head()

        def on_headers_complete(self) -> None:
            self._in_head = False
            # A head that arrived in one read is measured whole, as parsed.
            size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
            if size > MAX_HEAD_BYTES:
                self._refuse_head()
                raise _HeadRefused  # stops the parser: the app never sees the request
            super().on_headers_complete()

        def _refuse_head(self) -> None:
            self.logger.warning("request head over %d bytes refused", MAX_HEAD_BYTES)
            self.transport.write(_error_response(431, "Request Header Fields Too Large",
                                                 *_HEAD_TOO_LARGE))
            self.transport.close()

        def on_message_complete(self) -> None:
            self._in_head, self._head_bytes = True, 0
            self._messages += 1
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            if self.transport.is_closing():  # already answered (431)
                return
            self.transport.write(_error_response(400, "Bad Request", "Bad request", (
                "The request is not valid HTTP/1.1 (a malformed request line, header or "
                "Content-Length, or a control character in a header).")))
            self.transport.close()

    return BoundedHeadProtocol
