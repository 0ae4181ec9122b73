"""MiniMax's HTTP API: the few calls voicesmith makes, with timeouts and retries.

Endpoints (MiniMax's published API reference, https://platform.minimax.io/docs):
``POST /v1/t2a_v2`` (text to audio, optionally streamed as SSE), ``POST
/v1/voice_design``, ``POST /v1/files/upload``, ``POST /v1/voice_clone`` and
``POST /v1/delete_voice``. MiniMax answers most failures with HTTP 200 and a
``base_resp.status_code`` other than 0; both kinds are mapped here to the
project's domain errors (``ProviderError`` -> 502, ``ProviderRateLimitedError``
-> 429), so nothing above this module knows MiniMax's codes.

Retries: every call is retried, with exponential backoff, when the request
cannot have done anything (a connect error, or MiniMax's rate limit, which
refuses before working). Calls that create something on MiniMax (a designed
voice, an upload, a clone) are *not* retried after a timeout or a server
error, since the first attempt may have succeeded; speech and deletes are
(they change nothing, or the same thing twice).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from voicesmith.errors import ProviderError, ProviderRateLimitedError

log = logging.getLogger(__name__)
T = TypeVar("T")

# base_resp.status_code values (MiniMax's error code table).
RATE_LIMITED = frozenset({1002, 1039})  # rate limit; token-per-minute limit
TRANSIENT = frozenset({1000, 1001, 1024, 1033})  # unknown error, timeout, internal, system error
AUTH_FAILED = frozenset({1004, 2049})
INSUFFICIENT_BALANCE = 1008
INVALID_PARAMS = 2013


class _Transient(Exception):
    """A failure a retry may fix; ``safe``: the request cannot have done anything."""

    def __init__(self, error: ProviderError | ProviderRateLimitedError, *, safe: bool) -> None:
        super().__init__(error.detail)
        self.error = error
        self.safe = safe


@dataclass(frozen=True)
class MiniMaxConfig:
    api_key: str = field(repr=False)
    base_url: str = "https://api.minimax.io"
    group_id: str | None = None
    timeout_s: float = 30.0
    max_retries: int = 2
    backoff_s: float = 0.5


def _error_for(code: int, message: str, what: str) -> Exception:
    detail = f"MiniMax {what} failed: {message or 'no message'} (MiniMax status {code})."
    if code in RATE_LIMITED:
        return _Transient(ProviderRateLimitedError(
            f"MiniMax is rate-limiting this server's account ({what}); retry later.",
            retry_after=1), safe=True)
    if code in TRANSIENT:
        return _Transient(ProviderError(detail), safe=False)
    if code in AUTH_FAILED:
        return ProviderError(f"MiniMax refused the API key ({what}): check "
                             "VOICESMITH_MINIMAX_API_KEY (and VOICESMITH_MINIMAX_BASE_URL: keys "
                             "belong to one region's host).")
    if code == INSUFFICIENT_BALANCE:
        return ProviderError(f"MiniMax {what} failed: the MiniMax account's balance is "
                             "insufficient (MiniMax status 1008).")
    return ProviderError(detail)


def check_base_resp(body: Any, what: str) -> dict[str, Any]:
    """``body`` if MiniMax says it succeeded; raises (or returns a retryable) otherwise."""
    if not isinstance(body, dict):
        raise ProviderError(f"MiniMax {what} answered with something that is not a JSON object.")
    base = body.get("base_resp") or {}
    code = int(base.get("status_code", 0) or 0)
    if code == 0:
        return body
    error = _error_for(code, str(base.get("status_msg", "")), what)
    raise error


class MiniMaxClient:
    """A small synchronous client (called from worker threads, never the event loop)."""

    def __init__(self, config: MiniMaxConfig, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        params = {"GroupId": config.group_id} if config.group_id else None
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/"), params=params, transport=transport,
            headers={"Authorization": f"Bearer {config.api_key}"},
            timeout=httpx.Timeout(config.timeout_s, connect=min(config.timeout_s, 10.0)))
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    # -- the calls ---------------------------------------------------------------

    def voice_design(self, prompt: str, preview_text: str) -> dict[str, Any]:
        """``{"voice_id", "trial_audio" (hex)}`` for a voice described by ``prompt``."""
        return self._json("voice design", "/v1/voice_design", idempotent=False,
                          json={"prompt": prompt, "preview_text": preview_text})

    def upload_file(self, data: bytes, filename: str) -> int:
        """The ``file_id`` of ``data`` uploaded for voice cloning."""
        body = self._json("file upload", "/v1/files/upload", idempotent=False,
                          data={"purpose": "voice_clone"},
                          files={"file": (filename, data, "application/octet-stream")})
        try:
            return int(body["file"]["file_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderError("MiniMax file upload answered without a file_id.") from exc

    def voice_clone(self, file_id: int, voice_id: str) -> dict[str, Any]:
        return self._json("voice clone", "/v1/voice_clone", idempotent=False,
                          json={"file_id": file_id, "voice_id": voice_id})

    def delete_voice(self, voice_id: str, voice_type: str) -> None:
        """``voice_type``: ``voice_cloning`` or ``voice_generation`` (a designed voice)."""
        self._json("voice delete", "/v1/delete_voice", idempotent=True,
                   json={"voice_type": voice_type, "voice_id": voice_id})

    def t2a(self, body: dict[str, Any]) -> bytes:
        """Text to audio, whole: the decoded audio bytes."""
        answer = self._json("speech", "/v1/t2a_v2", idempotent=True, json={**body, "stream": False})
        return _hex_audio(answer, "speech")

    def t2a_stream(self, body: dict[str, Any]) -> Iterator[bytes]:
        """Text to audio as MiniMax streams it (SSE): decoded audio bytes, piece by piece.

        Retried like ``t2a`` until the first audio arrives; a failure after
        that ends the stream with ``ProviderError`` (what was heard cannot be
        taken back, and repeating it would be worse).
        """
        request = {**body, "stream": True, "stream_options": {"exclude_aggregated_audio": True}}
        attempt = 0
        while True:
            started = False
            try:
                for piece in self._stream_once(request):
                    started = True
                    yield piece
                return
            except _Transient as exc:
                if started or not self._may_retry(exc, attempt, idempotent=True):
                    raise exc.error from None
            attempt += 1
            self._backoff(attempt)

    # -- plumbing ------------------------------------------------------------------

    def _json(self, what: str, path: str, *, idempotent: bool, **kwargs: Any) -> dict[str, Any]:
        return self._with_retries(lambda: self._post_once(what, path, **kwargs),
                                  idempotent=idempotent)

    def _with_retries(self, call: Callable[[], T], *, idempotent: bool) -> T:
        attempt = 0
        while True:
            try:
                return call()
            except _Transient as exc:
                if not self._may_retry(exc, attempt, idempotent=idempotent):
                    raise exc.error from None
            attempt += 1
            self._backoff(attempt)

    def _may_retry(self, exc: _Transient, attempt: int, *, idempotent: bool) -> bool:
        return attempt < self.config.max_retries and (exc.safe or idempotent)

    def _backoff(self, attempt: int) -> None:
        # Exponential with full jitter: concurrent requests do not retry in step.
        delay = self.config.backoff_s * (2 ** (attempt - 1))
        self._sleep(delay * (0.5 + random.random() / 2))

    def _post_once(self, what: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.post(path, **kwargs)
        except httpx.HTTPError as exc:
            raise _network_error(exc, what) from exc
        _check_status(response, what)
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(f"MiniMax {what} answered with invalid JSON.") from exc
        return check_base_resp(body, what)

    def _stream_once(self, request: dict[str, Any]) -> Iterator[bytes]:
        try:
            with self._http.stream("POST", "/v1/t2a_v2", json=request) as response:
                if response.status_code != 200:
                    response.read()
                _check_status(response, "speech")
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # An error (or an unstreamed answer) comes back as one JSON object.
                    response.read()
                    yield _hex_audio(check_base_resp(response.json(), "speech"), "speech")
                    return
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    event = check_base_resp(json.loads(line[5:].strip()), "speech")
                    data = event.get("data") or {}
                    if data.get("status") == 2:  # the end (its aggregate audio was excluded)
                        return
                    if data.get("audio"):
                        yield bytes.fromhex(data["audio"])
        except httpx.HTTPError as exc:
            raise _network_error(exc, "speech") from exc
        except ValueError as exc:  # bad JSON or hex mid-stream
            raise ProviderError(f"MiniMax speech sent a malformed stream event ({exc}).") from exc


def _network_error(exc: httpx.HTTPError, what: str) -> _Transient:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return _Transient(ProviderError(
            f"MiniMax is unreachable ({what}): {exc or type(exc).__name__}. Check "
            "VOICESMITH_MINIMAX_BASE_URL and the network."), safe=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Transient(ProviderError(f"MiniMax did not answer in time ({what})."), safe=False)
    return _Transient(ProviderError(f"MiniMax {what} failed: {type(exc).__name__}: {exc}"),
                      safe=False)


def _check_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if status == 200:
        return
    if status == 429:
        after = response.headers.get("retry-after", "")
        raise _Transient(ProviderRateLimitedError(
            f"MiniMax is rate-limiting this server's account ({what}); retry later.",
            retry_after=int(after) if after.isdecimal() else 1), safe=True)
    error = ProviderError(f"MiniMax {what} failed with HTTP {status}.")
    if status >= 500:
        raise _Transient(error, safe=False)
    raise error


def _hex_audio(body: dict[str, Any], what: str) -> bytes:
    audio = (body.get("data") or {}).get("audio")
    if not isinstance(audio, str) or not audio:
        raise ProviderError(f"MiniMax {what} answered without audio.")
    try:
        return bytes.fromhex(audio)
    except ValueError as exc:
        raise ProviderError(f"MiniMax {what} answered with audio that is not hex.") from exc
