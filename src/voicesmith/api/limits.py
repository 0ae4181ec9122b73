"""Request body size limits, enforced before a body is read whole.

A pure ASGI middleware, so it sees the body as it arrives: a declared
``Content-Length`` over the limit is refused before the app runs (nothing is
read), and a body without one (chunked) is counted as it streams and refused
at the first byte over. JSON bodies and the multipart upload have separate
limits, chosen by path rather than by the client's Content-Type (which a
client could set to whatever has the larger limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicesmith.api.errors import BodyTooLarge, body_too_large_response

UPLOAD_PATH_SUFFIX = "/voice_clones/from_upload"


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    upload_bytes: int

    def for_path(self, path: str) -> tuple[int, bool]:
        """(the limit, whether it is the upload's) for a request path."""
        upload = path.rstrip("/").endswith(UPLOAD_PATH_SUFFIX)
        return (self.upload_bytes if upload else self.json_bytes), upload


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":  # bytes: isdigit() is ASCII digits only
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, upload = self.limits.for_path(scope.get("path", ""))
        length = _content_length(scope)
        if length is not None and length > limit:
            await body_too_large_response(BodyTooLarge(limit, upload=upload))(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, upload=upload)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:
            # Routes' handlers normally answer it; this covers a read outside a route.
            if started:
                raise
            await body_too_large_response(exc)(scope, receive, send)
