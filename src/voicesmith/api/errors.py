"""The Telnyx error envelope, and the one place domain errors become HTTP.

Every error leaves as ``{"errors": [{"code", "title", "detail", "source"}]}``.
Telnyx's SDKs retry 408/409/429/5xx unless told not to, and a retried POST can
create a resource twice, so every error that a retry cannot fix carries
``x-should-retry: false``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from voicesmith import errors as e

log = logging.getLogger("voicesmith.api")

_STATUS: list[tuple[type[e.VoicesmithError], int]] = [
    (e.AuthenticationError, 401),
    (e.PermissionDeniedError, 403),
    (e.NotFoundError, 404),
    (e.ConflictError, 409),
    (e.ValidationError, 422),
    (e.AudioProcessingError, 400),
    (e.BadRequestError, 400),
    (e.SynthesisError, 502),
    (e.ProviderError, 502),
    (e.BusyError, 429),
    (e.FeatureUnavailableError, 503),
    (e.AssetsError, 503),
    (e.DatabaseBusyError, 503),
    (e.BlobStoreUnavailableError, 503),
    (e.StorageFullError, 507),
]
_RETRYABLE = {429, 503}


def status_for(error: e.VoicesmithError) -> int:
    return next((status for cls, status in _STATUS if isinstance(error, cls)), 500)


def error_object(code: str, title: str, detail: str, *, pointer: str | None = None,
                 parameter: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"code": code, "title": title, "detail": detail}
    source = {k: v for k, v in (("pointer", pointer), ("parameter", parameter)) if v is not None}
    if source:
        obj["source"] = source
    return obj


def envelope(status: int, objects: list[dict[str, Any]],
             headers: dict[str, str] | None = None, *, retry: bool | None = None) -> JSONResponse:
    """``retry`` overrides the status's rule (e.g. a 503 that only an install can fix)."""
    all_headers = dict(headers or {})
    if retry is False or (retry is None and status not in _RETRYABLE):
        all_headers["x-should-retry"] = "false"
    if status == 401:
        all_headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"errors": objects}, status_code=status, headers=all_headers)


async def _domain_error(_: Request, exc: e.VoicesmithError) -> JSONResponse:
    status = status_for(exc)
    if status >= 500:
        log.error("request failed: %s", exc.detail, exc_info=exc)
    # RFC 9110 Retry-After (whole seconds); Telnyx's SDKs wait that long before retrying.
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return envelope(status, [error_object(exc.code, exc.title, exc.detail, pointer=exc.pointer)],
                    headers, retry=exc.retryable)


def _pointer(loc: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """(JSON pointer into the body, or query/path parameter name) for a pydantic location."""
    if not loc:
        return None, None
    where, *path = loc
    if where == "body":
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path), None
    if where in ("query", "path", "header") and path:
        return None, str(path[0])
    return None, None


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    objects = []
    for err in exc.errors():
        pointer, parameter = _pointer(tuple(err.get("loc", ())))
        if err.get("type") == "json_invalid":
            detail = f"The request body is not valid JSON: {err.get('ctx', {}).get('error', '')}"
            objects.append(error_object("10027", "Malformed JSON", detail.strip(": "), pointer=""))
            continue
        field = pointer or parameter or "request"
        objects.append(error_object(
            "10027", "Invalid parameter", f"{field}: {err.get('msg', 'invalid value')}",
            pointer=pointer, parameter=parameter))
    return envelope(422, objects)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to: Starlette's 405 names only the first route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {400: ("10015", "Bad request"), 404: ("10005", "Resource not found"),
              405: ("10006", "Method not allowed")}
    code, title = titles.get(exc.status_code, ("10000", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such endpoint"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return envelope(exc.status_code, [error_object(code, title, detail)], headers=headers)


class BodyTooLarge(StarletteHTTPException):
    """A request body over its limit (``voicesmith.api.limits``).

    An HTTPException, so FastAPI's body parsing re-raises it unchanged (any other
    error raised while it reads becomes a 400) and it reaches ``_body_too_large``.
    """

    def __init__(self, limit: int, *, upload: bool) -> None:
        what = "A multipart upload" if upload else "A JSON request body"
        super().__init__(status_code=413, detail=(
            f"{what} may be at most {limit} bytes ({limit / (1024 * 1024):.1f} MiB)"))
        self.limit = limit
        self.upload = upload


def body_too_large_response(exc: BodyTooLarge) -> JSONResponse:
    # The upload's size is its file's; a JSON body is at fault as a whole ("" points at it).
    pointer = "/audio_file" if exc.upload else ""
    return envelope(413, [error_object("10015", "Request body too large", str(exc.detail),
                                       pointer=pointer)])


async def _body_too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
    return body_too_large_response(exc)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # The client gets no stack trace; the server log gets all of it.
    log.exception("unhandled error", exc_info=exc)
    return envelope(500, [error_object("10000", "Internal server error",
                                       "The server failed to handle this request")])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(e.VoicesmithError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(BodyTooLarge, _body_too_large)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
