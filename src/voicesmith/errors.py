"""The one domain error hierarchy.

Domain, engine and store code raise these; the API translates them to the
Telnyx error envelope in exactly one place (``voicesmith.api.errors``).
Nothing here knows about HTTP: ``code`` is the Telnyx error code string, and
the status is chosen by the API from the class.
"""

from __future__ import annotations


class VoicesmithError(Exception):
    """Base of every error this package raises on purpose."""

    code = "10000"
    title = "Error"
    # Whether a client may retry; None leaves it to the status (the API's rule).
    retryable: bool | None = None
    # Whole seconds a client should wait before retrying (a Retry-After header), if known.
    retry_after: int | None = None

    def __init__(self, detail: str, *, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # JSON pointer (RFC 6901) to the request field at fault, if any
        self.pointer = pointer


class NotFoundError(VoicesmithError):
    code = "10005"
    title = "Resource not found"


class ConflictError(VoicesmithError):
    """A duplicate name, or a limit such as the 50-version cap."""

    code = "10012"
    title = "Conflict"


class ValidationError(VoicesmithError):
    """The request is well-formed but a value is not acceptable."""

    code = "10027"
    title = "Invalid parameter"


class UnsupportedLanguageError(ValidationError):
    """A language we know of, but for which the engine has no voices."""

    title = "Unsupported language"


class NothingToSpeakError(ValidationError):
    """A text with no word in it (punctuation, emoji): an error for a request; a stream skips it."""


class BadRequestError(VoicesmithError):
    """The request cannot be understood at all (e.g. a malformed version number)."""

    code = "10015"
    title = "Bad request"


class AudioProcessingError(VoicesmithError):
    """Uploaded audio could not be decoded or used."""

    code = "10015"
    title = "Audio could not be processed"


class UploadAudioError(ValidationError):
    """An uploaded recording that is missing, too large, too short, silent or clipped."""

    code = "10038"
    title = "Unusable audio"


class FeatureUnavailableError(VoicesmithError):
    """A feature whose optional packages this install lacks: installing, not retrying, fixes it."""

    code = "10016"
    title = "Feature not installed"
    retryable = False


class BusyError(VoicesmithError):
    """The server is already doing as much of this work as it allows; later it will not be."""

    code = "10011"
    title = "Too many requests"


class AtCapacityError(BusyError):
    """This process already runs as many syntheses as it holds: another replica, or a
    retry after ``retry_after`` seconds, serves it sooner than a queue would."""

    retry_after = 1


class SynthesisError(VoicesmithError):
    """The engine failed to produce audio (a backend failure, not bad input)."""

    code = "10007"
    title = "Synthesis failed"


class AssetsError(VoicesmithError):
    """Engine model or voice packs are missing, unreachable or corrupt."""

    code = "10008"
    title = "Engine assets unavailable"


class AuthenticationError(VoicesmithError):
    code = "10009"
    title = "Authentication failed"


class PermissionDeniedError(VoicesmithError):
    """A valid key whose scope does not allow the request (a read-only key that writes)."""

    code = "10010"
    title = "Forbidden"
    retryable = False


class RateLimitedError(BusyError):
    """A key over its request rate; ``retry_after`` is whole seconds until one more is allowed."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class StorageKeyError(VoicesmithError):
    """A stored-file key that is not the shape the store makes (a digest or a UUID).

    Keys never come from a request; one of the wrong shape means corrupt data or a
    bug, and is refused before it can become a path.
    """

    title = "Stored data is inconsistent"


class StorageFullError(VoicesmithError):
    """The disk (or quota) under the data dir is full: nothing was stored; freeing space fixes it."""

    code = "10013"
    title = "Insufficient storage"
    retryable = False


class DatabaseBusyError(VoicesmithError):
    """The database stayed locked by another writer past the wait; nothing was changed.

    ``retry_after``: whole seconds a client should wait before sending it again.
    """

    code = "10014"
    title = "Service temporarily unavailable"
    retry_after = 1


class BlobStoreUnavailableError(VoicesmithError):
    """The object store (S3) did not answer or refused: nothing was changed; a retry may pass."""

    code = "10014"
    title = "Service temporarily unavailable"
    retry_after = 1


class ProviderError(VoicesmithError):
    """A remote voice provider (MiniMax) was unreachable, too slow, or answered with an error.

    Nothing was stored: the API answers 502 (Telnyx's "synthesis backend unavailable").
    """

    code = "10007"
    title = "Voice provider failed"
    # The provider client already retried with backoff what a retry could fix.
    retryable = False


class ProviderRateLimitedError(BusyError):
    """A remote voice provider is rate-limiting us; ``retry_after`` whole seconds to wait."""

    title = "Voice provider rate limit"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
