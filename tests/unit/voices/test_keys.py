from __future__ import annotations

from pathlib import Path

import pytest

from voicesmith.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from voicesmith.store.database import open_database
from voicesmith.voices.keys import Access, KeyService, Scope, hash_key


@pytest.fixture
def keys(tmp_path: Path) -> KeyService:
    return KeyService(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def test_create_authenticate_revoke(keys: KeyService) -> None:
    assert not keys.has_active_key()
    key, info = keys.create("ci", "acme")
    assert keys.authenticate(key).organization == "acme" and keys.has_active_key()
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


def test_keys_are_checked_in_constant_time_by_prefix(
        keys: KeyService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the non-secret shown prefix; the secret only meets hmac.compare_digest."""
    import hmac

    from voicesmith.voices import keys as keys_module

    key, _ = keys.create("ci", "acme")
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(keys_module.hmac, "compare_digest", spy)
    assert keys.authenticate(key).organization == "acme"
    assert compared == [(hash_key(key).encode(), hash_key(key).encode())]
    # The right prefix with a wrong secret: compared (in constant time), refused.
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    with pytest.raises(AuthenticationError, match="not valid"):
        keys.authenticate(wrong)
    assert len(compared) == 2


def test_keys_are_full_access_unless_made_read_only(keys: KeyService) -> None:
    full, _ = keys.create("app", "acme")
    reader, info = keys.create("phones", "acme", scope=Scope.READ_ONLY)
    assert info.scope is Scope.READ_ONLY
    assert {k.name: k.scope for k in keys.list()} == {"app": Scope.FULL, "phones": Scope.READ_ONLY}
    caller = keys.authenticate(full)
    for access in Access:
        caller.require(access)
    caller = keys.authenticate(reader)
    assert (caller.organization, caller.scope) == ("acme", Scope.READ_ONLY)
    caller.require(Access.READ)
    caller.require(Access.SPEAK)  # speaking stores nothing: a speaking-only app's key
    with pytest.raises(PermissionDeniedError, match="read-only") as denied:
        caller.require(Access.WRITE)
    assert info.prefix in denied.value.detail and reader not in denied.value.detail
