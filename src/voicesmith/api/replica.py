"""``x-voicesmith-replica``: which server process answered, on every response.

Behind a load balancer an operator (or a test) can then tell which replica
served a request or holds a WebSocket, from the client side. A plain ASGI
middleware, so streamed bodies pass through untouched and WebSocket
handshakes carry it too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-voicesmith-replica"


class ReplicaHeaderMiddleware:
    def __init__(self, app: ASGIApp, *, replica: str) -> None:
        self.app = app
        self.value = replica.encode("latin-1", "replace")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message["headers"] = [*message.get("headers", []), (HEADER, self.value)]
            await send(message)

        await self.app(scope, receive, send_with_header)
