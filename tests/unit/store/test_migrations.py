"""Migrations carry existing data forward: a database made before a change keeps working."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from voicesmith.store.database import alembic_config, create_db_engine, open_database
from voicesmith.voices.keys import KeyService, Scope, hash_key


def _at_revision(url: str, revision: str) -> None:
    engine = create_db_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    engine.dispose()


def test_keys_made_before_scopes_stay_full_access(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    _at_revision(url, "0003")  # before api_keys.scope existed
    plaintext = "vsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_keys (id, name, organization, key_hash, prefix, created_at) "
            "VALUES ('k1', 'old', 'acme', :hash, :prefix, '2026-01-01 00:00:00')"),
            {"hash": hash_key(plaintext), "prefix": plaintext[:12]})
    engine.dispose()

    keys = KeyService(open_database(url))  # migrates to head
    caller = keys.authenticate(plaintext)
    assert (caller.name, caller.organization, caller.scope) == ("old", "acme", Scope.FULL)
    keys.create("reader", "acme", scope=Scope.READ_ONLY)
    assert {k.name: k.scope for k in keys.list()} == {"old": Scope.FULL, "reader": Scope.READ_ONLY}


def test_the_scope_migration_downgrades_keeping_the_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    keys = KeyService(open_database(url))
    keys.create("app", "acme")
    engine = create_db_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0003")
    with engine.connect() as conn:
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(api_keys)"))}
        assert "scope" not in columns
        assert conn.execute(text("SELECT name FROM api_keys")).scalars().all() == ["app"]
    engine.dispose()
