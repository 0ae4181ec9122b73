"""Driving a synchronous speech stream from async HTTP code.

Each step of a ``SpeechStream`` runs the engine for one piece, so it runs in a
worker thread. ``abandon_on_cancel`` stays False: when the client disconnects
and Starlette cancels the response, we wait for the piece in progress to end
(at most one piece of CPU) and then close the stream, which stops the engine.
``SpeechResponse`` closes its iterator on every exit path, so a disconnect
never leaves a synthesis running for nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Send

from voicesmith.voices.speech import EncodedChunk, SpeechStream

T = TypeVar("T")
_DONE = object()


def _step(iterator: Iterator[T]) -> T | object:
    return next(iterator, _DONE)


async def iterate_in_thread(iterator: Iterator[T],
                            close: Callable[[], None] | None = None) -> AsyncIterator[T]:
    """Yield ``iterator``'s items, each computed in a worker thread; close it at the end."""
    try:
        while True:
            item = await anyio.to_thread.run_sync(_step, iterator)
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        if close is not None:
            close()


async def audio_bytes(stream: SpeechStream) -> AsyncIterator[bytes]:
    """The stream's encoded bytes, skipping empty steps (an encoder still filling a frame)."""
    chunks: AsyncIterator[EncodedChunk] = iterate_in_thread(stream, stream.close)
    try:
        async for chunk in chunks:
            if chunk.data:
                yield chunk.data
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


async def collect(stream: SpeechStream) -> bytes:
    """The whole audio of a stream (for JSON responses)."""
    chunks = audio_bytes(stream)
    try:
        return b"".join([data async for data in chunks])
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


class SpeechResponse(StreamingResponse):
    """A chunked audio body whose synthesis stops when the response ends, however it ends."""

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()
