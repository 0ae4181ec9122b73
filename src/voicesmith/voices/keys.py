"""API keys: each belongs to an organization and has a scope; only a hash is stored.

A key is full-access or read-only. A read-only key may read (list, retrieve,
download) and speak (text to speech, over REST or the WebSocket): speaking
changes nothing stored (its cache and ``audio_id`` files are short-lived
copies of what any key could ask for again), and a telephony app that only
speaks with voices made elsewhere is the use this scope is for. It may not
create, rename, version, upload or delete anything.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from voicesmith.store.models import ApiKey, utcnow
from voicesmith.store.read_queries import KeyRow, ReadQueries
from voicesmith.store.repositories import UnitOfWork

KEY_PREFIX = "vsk_"
# The stored ``prefix``: KEY_PREFIX and 8 characters, shown in `keys list`, not secret.
SHOWN_PREFIX_CHARS = len(KEY_PREFIX) + 8
DEFAULT_ORGANIZATION = "default"


class Scope(StrEnum):
    """What a key may do; stored in ``api_keys.scope``."""

    FULL = "full"
    READ_ONLY = "read_only"


class Access(Enum):
    """What a request does, as far as key scopes are concerned."""

    READ = "read"
    SPEAK = "speak"
    WRITE = "write"


_ALLOWED = {Scope.FULL: frozenset(Access), Scope.READ_ONLY: frozenset({Access.READ, Access.SPEAK})}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    organization: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    scope: Scope = Scope.FULL

    def require(self, access: Access) -> None:
        """PermissionDeniedError unless this key's scope allows ``access``."""
        if access not in _ALLOWED[self.scope]:
            raise PermissionDeniedError(
                f"The API key {self.prefix}... is read-only: it may list, retrieve, download "
                "and speak, but not create, change or delete anything. Use a full-access key "
                "(voicesmith keys create NAME).")


def _info(key: ApiKey | KeyRow) -> KeyInfo:
    return KeyInfo(key.id, key.name, key.organization, key.prefix, key.created_at, key.revoked_at,
                   Scope(key.scope))


class KeyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._reads = ReadQueries.of(sessions)

    def create(self, name: str, organization: str = DEFAULT_ORGANIZATION,
               *, scope: Scope = Scope.FULL) -> tuple[str, KeyInfo]:
        """Make a key; the plaintext is returned once and never stored."""
        if not name.strip() or not organization.strip():
            raise ValidationError("A key needs a non-empty name and organization")
        plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(name=name, organization=organization, key_hash=hash_key(plaintext),
                     prefix=plaintext[:SHOWN_PREFIX_CHARS], scope=scope.value)
        with UnitOfWork(self._sessions) as uow:
            uow.add(row)
            uow.commit()
        return plaintext, _info(row)

    def list(self) -> builtins.list[KeyInfo]:
        with UnitOfWork(self._sessions) as uow:
            return [_info(k) for k in uow.keys.all()]

    def revoke(self, ident: str) -> builtins.list[KeyInfo]:
        """Revoke every active key whose id, name or prefix is ``ident``."""
        with UnitOfWork(self._sessions) as uow:
            keys = [k for k in uow.keys.find(ident) if k.revoked_at is None]
            if not keys:
                raise NotFoundError(f"No active key matches {ident!r}")
            for key in keys:
                key.revoked_at = utcnow()
            uow.commit()
            return [_info(k) for k in keys]

    def authenticate(self, plaintext: str | None) -> KeyInfo:
        """The key (its organization and scope); AuthenticationError otherwise."""
        if not plaintext:
            raise AuthenticationError("Missing API key: send 'Authorization: Bearer <key>'")
        presented = hash_key(plaintext).encode()
        # Found by the shown prefix (public: `keys list` prints it), never by the
        # secret: the lookup's timing can only tell whether such a prefix exists.
        # The secret is checked in constant time against every candidate's hash,
        # all of them compared whatever matches, so neither the comparison nor
        # the number of comparisons depends on how much of the secret is right.
        # Read on every request, not cached: a key revoked by `voicesmith keys
        # revoke` (another process) is refused at once.
        match = None
        for key in self._reads.keys_by_prefix(plaintext[:SHOWN_PREFIX_CHARS]):
            if hmac.compare_digest(key.key_hash.encode(), presented):
                match = key
        if match is None or match.revoked_at is not None:
            raise AuthenticationError("The API key is not valid or has been revoked")
        return _info(match)

    def has_active_key(self) -> bool:
        with UnitOfWork(self._sessions) as uow:
            return uow.keys.any_active()
