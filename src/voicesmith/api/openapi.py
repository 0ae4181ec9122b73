"""What the OpenAPI document says about errors, auth and audio: declared once, used by routes.

Every error leaves through ``voicesmith.api.errors`` as the Telnyx envelope;
``ErrorResponse`` is its schema, and ``error_responses`` declares, per route,
the statuses that route can really answer with (the domain error classes map
to them in ``voicesmith.api.errors._STATUS``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from voicesmith.audio.formats import SPECS

BEARER_SCHEME = "bearerAuth"  # Telnyx's name for it


def bearer_auth(*, auto_error: bool) -> HTTPBearer:
    return HTTPBearer(scheme_name=BEARER_SCHEME, auto_error=auto_error,
                      description="`Authorization: Bearer <key>`; keys come from "
                                  "`voicesmith keys create`.")


class ErrorSource(BaseModel):
    pointer: str | SkipJsonSchema[None] = Field(
        None, description="A JSON Pointer (RFC 6901) to the body field that caused the error.")
    parameter: str | SkipJsonSchema[None] = Field(
        None, description="Extra: the query or path parameter that caused the error.")


class ErrorObject(BaseModel):
    code: str = Field(description="Telnyx error code, e.g. 10005 not found, 10027 validation.")
    title: str = Field(description="Short, human-readable summary of the error.")
    detail: str = Field(description="Detailed, human-readable explanation of the error.")
    source: ErrorSource | SkipJsonSchema[None] = Field(
        None, description="Reference to the source of the error, when one field is at fault.")


class ErrorResponse(BaseModel):
    """Telnyx's error envelope: ``{"errors": [...]}``."""

    errors: list[ErrorObject] = Field(min_length=1)


_DESCRIPTIONS = {
    400: "Bad request: the body cannot be parsed, or a path value is malformed.",
    401: "Unauthorized: missing, unknown or revoked bearer key.",
    404: "Not found: no such resource (or voice) in the caller's organization.",
    409: "Conflict: a duplicate name, or a limit such as the 50-version cap.",
    413: "Content too large: the request body is over the server's limit "
         "(`VOICESMITH_MAX_JSON_BODY_BYTES`, `VOICESMITH_MAX_UPLOAD_BODY_BYTES`).",
    422: "Unprocessable entity: a parameter or body field is not acceptable.",
    403: "Forbidden: the key is read-only (`voicesmith keys create --read-only`) and the "
         "request would change something.",
    429: "Too many requests: over the key's rate limit (`VOICESMITH_RATE_LIMIT_PER_SECOND`; "
         "`Retry-After` says when to retry), or the server is busy with this kind of work.",
    502: "Bad gateway: the synthesis engine failed to produce audio.",
    503: "Service unavailable: an optional feature is not installed on this server, or the "
         "database stayed locked by another writer (`Retry-After`; nothing was changed).",
    507: "Insufficient storage: the server's disk (or quota) is full; nothing was changed.",
}

_NO_RETRY = {"x-should-retry": {
    "description": "`false` when retrying the same request cannot succeed "
                   "(Telnyx SDKs then do not retry).",
    "schema": {"type": "string", "enum": ["false"]}}}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}
_RETRY_AFTER = {"Retry-After": {
    "description": "Whole seconds to wait before retrying (sent when over the rate limit, "
                   "or when the database is busy).",
    "schema": {"type": "integer", "minimum": 1}}}
_STATUS_HEADERS: dict[int, dict[str, Any]] = {401: _WWW_AUTHENTICATE, 429: _RETRY_AFTER,
                                               503: _RETRY_AFTER}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses. 401, 422 and 429 (the key's rate
    limit) are always declared: every operation authenticates and validates."""
    wanted = sorted({401, 422, 429, *statuses})
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status],
                     "headers": {**_NO_RETRY, **_STATUS_HEADERS.get(status, {})}}
            for status in wanted}


def audio_content(*media_types: str) -> dict[str, dict[str, Any]]:
    """Response ``content`` for binary audio bodies of these media types."""
    return {media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in media_types}


# Every media type a speech response can carry (raw G.711 adds ";rate=8000" to its own).
SPEECH_MEDIA_TYPES = tuple(dict.fromkeys(spec.media_type for spec in SPECS.values()))


def id_links(**operation_ids: str) -> dict[str, Any]:
    """OpenAPI links passing a created resource's ``data.id`` on as the ``id`` of these operations."""
    return {name: {"operationId": operation_id, "parameters": {"id": "$response.body#/data/id"}}
            for name, operation_id in operation_ids.items()}


def case_insensitive_pattern(*words: str) -> str:
    """``^(word|...)$`` matching each word in any letter case (JSON Schema has no flags)."""
    def one(word: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)
    return "^(" + "|".join(one(w) for w in words) + ")$"


def serve_providers(app: FastAPI, providers: list[str]) -> None:
    """Make the served document's ``provider`` fields accept these providers too.

    The schemas are built once, at import, for the embedded engine (``telnyx``); a
    server with a remote provider's key (``minimax``) accepts it as well, so what
    its document allows and what it accepts stay the same.
    """
    from voicesmith.api.constraints import PROVIDER_RULES

    if not providers:
        return
    narrow = PROVIDER_RULES["pattern"]
    wide = case_insensitive_pattern("telnyx", *providers)
    build = app.openapi

    def widen(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("pattern") == narrow:
                node["pattern"] = wide
            for value in node.values():
                widen(value)
        elif isinstance(node, list):
            for value in node:
                widen(value)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            widen(build())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
