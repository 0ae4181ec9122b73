"""JSON request bodies read strictly, before any route parses them.

``parse_json`` (``voicesmith/strict_json.py``) refuses what RFC 8259 leaves
undefined or forbids (duplicate keys, NaN, 1e400, huge numbers, unpaired
surrogates, deep nesting) with a ``MalformedJson`` that says what and where;
``StrictJsonMiddleware`` answers it as a 422 in the error envelope before the
app runs. Syntax errors are left to FastAPI, whose message already gives the
position.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicesmith.api.errors import envelope, error_object
from voicesmith.strict_json import MalformedJson, parse_json


def _parsed_as_json(scope: Scope) -> bool:
    """Whether FastAPI will parse this request's body as JSON (no type, or */json, */*+json)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media.startswith(b"application/") and (
                media == b"application/json" or media.endswith(b"+json"))
    return True


class StrictJsonMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _parsed_as_json(scope):
            await self.app(scope, receive, send)
            return
        body, disconnected = await _read_body(receive)
        if body and not disconnected:
            try:
                parse_json(body)
            except MalformedJson as exc:
                response = envelope(422, [error_object("10027", exc.title, exc.detail,
                                                       pointer=exc.pointer)])
                await response(scope, receive, send)
                return
            except ValueError:
                pass  # a syntax error: FastAPI reports it with its position
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed or disconnected:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body (bounded by ``BodyLimitMiddleware`` outside), and whether the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False
