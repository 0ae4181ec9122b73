"""GET / (the design lab page) and GET /lab/<file> (its scripts and stylesheet).

No authentication: the page itself holds no data. It calls /v2 with the key the
user typed, from the browser's storage. Kept out of the OpenAPI document, which
describes the API only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from fastapi import APIRouter, HTTPException, Request, Response

from voicesmith.lab import STATIC_DIR

router = APIRouter(include_in_schema=False)

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}
# 'self' only and no inline script or style: a key typed into the page can only go
# to this server. blob: is for audio made in the page (previews, recordings, speech).
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


@cache
def _files() -> dict[str, StaticFile]:
    """Every servable file, read once: only these names are ever served (no path lookup)."""
    found = {}
    for path in sorted(STATIC_DIR.iterdir()):
        media_type = _TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        found[path.name] = StaticFile(body, media_type,
                                      '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return found


def _serve(request: Request, name: str) -> Response:
    file = _files().get(name)
    if file is None:
        raise HTTPException(status_code=404, detail="No such file")
    # Revalidate every time: cheap on loopback, and an upgraded server is seen at once.
    headers = {"ETag": file.etag, "Cache-Control": "no-cache",
               "Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    if request.headers.get("if-none-match") == file.etag:
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


@router.get("/")
def lab_page(request: Request) -> Response:
    return _serve(request, "index.html")


@router.get("/lab/{name}")
def lab_file(request: Request, name: str) -> Response:
    return _serve(request, name)
