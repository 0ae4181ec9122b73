from __future__ import annotations

import asyncio
import json

import pytest

from voicesmith import errors as e
from voicesmith.api.errors import _domain_error, _pointer, status_for


@pytest.mark.parametrize(("error", "status"), [
    (e.AuthenticationError("x"), 401), (e.NotFoundError("x"), 404), (e.ConflictError("x"), 409),
    (e.ValidationError("x"), 422), (e.UnsupportedLanguageError("x"), 422),
    (e.BadRequestError("x"), 400), (e.AudioProcessingError("x"), 400),
    (e.SynthesisError("x"), 502), (e.AssetsError("x"), 503), (e.VoicesmithError("x"), 500),
    (e.PermissionDeniedError("x"), 403), (e.RateLimitedError("x", retry_after=1), 429),
    (e.StorageKeyError("x"), 500),
])
def test_each_domain_error_has_its_status(error: e.VoicesmithError, status: int) -> None:
    assert status_for(error) == status


def test_pointers_follow_rfc6901() -> None:
    assert _pointer(("body", "temperature")) == ("/temperature", None)
    assert _pointer(("body", "a/b", 0)) == ("/a~1b/0", None)
    assert _pointer(("query", "page[size]")) == (None, "page[size]")


def test_storage_full_and_database_busy_answer_in_the_envelope() -> None:
    full = asyncio.run(_domain_error(None, e.StorageFullError("disk full")))  # type: ignore[arg-type]
    assert full.status_code == 507 and full.headers["x-should-retry"] == "false"
    assert json.loads(full.body)["errors"][0]["code"] == "10013"
    busy = asyncio.run(_domain_error(None, e.DatabaseBusyError("locked")))  # type: ignore[arg-type]
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    assert "x-should-retry" not in busy.headers
