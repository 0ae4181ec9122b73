from __future__ import annotations

from pathlib import Path

import pytest

from voicesmith.errors import AuthenticationError, NotFoundError
from voicesmith.store.database import open_database
from voicesmith.voices.keys import KeyService, hash_key


@pytest.fixture
def keys(tmp_path: Path) -> KeyService:
    return KeyService(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def test_create_authenticate_revoke(keys: KeyService) -> None:
    assert not keys.has_active_key()
    key, info = keys.create("ci", "acme")
    assert keys.authenticate(key) == "acme" and keys.has_active_key()
    # Only the hash is stored.
    assert all(k.prefix != key and key.startswith(k.prefix) for k in keys.list())
    assert hash_key(key) != key
    keys.revoke(info.name)
    with pytest.raises(AuthenticationError):
        keys.authenticate(key)
    with pytest.raises(NotFoundError):
        keys.revoke(info.name)


def test_missing_or_unknown_key(keys: KeyService) -> None:
    with pytest.raises(AuthenticationError, match="Missing"):
        keys.authenticate(None)
    with pytest.raises(AuthenticationError, match="not valid"):
        keys.authenticate("vsk_nope")
