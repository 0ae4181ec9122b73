from __future__ import annotations

import pytest

from voicesmith import errors as e
from voicesmith.api.errors import _pointer, status_for


@pytest.mark.parametrize(("error", "status"), [
    (e.AuthenticationError("x"), 401), (e.NotFoundError("x"), 404), (e.ConflictError("x"), 409),
    (e.ValidationError("x"), 422), (e.UnsupportedLanguageError("x"), 422),
    (e.BadRequestError("x"), 400), (e.AudioProcessingError("x"), 400),
    (e.SynthesisError("x"), 502), (e.AssetsError("x"), 503), (e.VoicesmithError("x"), 500),
])
def test_each_domain_error_has_its_status(error: e.VoicesmithError, status: int) -> None:
    assert status_for(error) == status


def test_pointers_follow_rfc6901() -> None:
    assert _pointer(("body", "temperature")) == ("/temperature", None)
    assert _pointer(("body", "a/b", 0)) == ("/a~1b/0", None)
    assert _pointer(("query", "page[size]")) == (None, "page[size]")
