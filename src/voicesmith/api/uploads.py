"""Reading a multipart upload with a hard size bound.

Starlette's own form parsing spools a file part of any size to disk before a
route sees it. Uploads here are at most ``MAX_UPLOAD_BYTES``, so the body is
refused from its Content-Length before anything is read, and counted while it
streams when no length is given: a hostile client cannot make the server
store more than the bound.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from voicesmith.cloning.recording import MAX_UPLOAD_BYTES
from voicesmith.errors import BadRequestError, UploadAudioError

FILE_FIELD = "audio_file"
# Room for the text fields and the multipart framing around the file.
_BODY_OVERHEAD = 1024 * 1024
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + _BODY_OVERHEAD
_MAX_FIELDS = 16


@dataclass(frozen=True)
class UploadForm:
    fields: dict[str, str]
    audio: bytes | None
    filename: str | None


def _too_large(size: str) -> UploadAudioError:
    return UploadAudioError(
        f"The upload is {size}; the audio file may be at most "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Upload 5 to 10 seconds of speech (a short "
        "WAV, MP3 or FLAC is well under the limit).", pointer="/" + FILE_FIELD)


async def _bounded(stream: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            raise _too_large(f"over {MAX_BODY_BYTES / 1e6:.0f} MB")
        yield chunk


async def read_upload_form(request: Request) -> UploadForm:
    """The text fields and the audio file of a multipart/form-data upload."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UploadAudioError(
            "Send the recording as multipart/form-data with the file in the field "
            f"{FILE_FIELD!r} (and name, language, gender as text fields).",
            pointer="/" + FILE_FIELD)
    length = request.headers.get("content-length", "")
    if length.isdecimal() and int(length) > MAX_BODY_BYTES:
        raise _too_large(f"{int(length) / 1e6:.1f} MB")
    parser = MultiPartParser(request.headers, _bounded(request.stream()), max_files=1,
                             max_fields=_MAX_FIELDS)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadRequestError(f"The multipart body could not be read: {exc.message}") from exc
    try:
        fields: dict[str, str] = {}
        audio: bytes | None = None
        filename: str | None = None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == FILE_FIELD:
                    audio = await value.read(MAX_UPLOAD_BYTES + 1)
                    filename = value.filename
            else:
                fields[key] = value
        return UploadForm(fields=fields, audio=audio, filename=filename)
    finally:
        await form.close()
