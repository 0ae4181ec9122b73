"""A locked or full database, through the unit of work: waited for, then domain errors."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, select

from voicesmith.errors import DatabaseBusyError, StorageFullError
from voicesmith.store.database import open_database
from voicesmith.store.models import VoiceDesign
from voicesmith.store.repositories import UnitOfWork


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock (BEGIN EXCLUSIVE), as another process would."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN EXCLUSIVE")
    try:
        yield db
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()


def add_design(sessions, name: str) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(sessions) as uow:
        uow.add(VoiceDesign(organization="acme", name=name))
        uow.commit()


def names(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    with UnitOfWork(sessions) as uow:
        return list(uow.session.scalars(select(VoiceDesign.name).order_by(VoiceDesign.name)))


def test_a_write_waits_for_a_lock_released_within_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    sessions = open_database(f"sqlite:///{path}", busy_timeout_s=30)
    with write_lock(path) as other:
        releaser = threading.Timer(0.5, lambda: other.execute("ROLLBACK"))
        releaser.start()
        add_design(sessions, "waited")  # blocks until the other writer lets go
        releaser.join()
    assert names(sessions) == ["waited"]


def test_a_lock_held_past_the_timeout_is_busy_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    sessions = open_database(f"sqlite:///{path}", busy_timeout_s=0.2)
    add_design(sessions, "before")
    with write_lock(path), pytest.raises(DatabaseBusyError) as caught:
        add_design(sessions, "blocked")
    assert caught.value.retry_after == 1 and "Nothing was changed" in caught.value.detail
    assert names(sessions) == ["before"]  # readers were never blocked, and nothing was lost


def test_a_full_database_is_storage_full_and_keeps_what_it_had(tmp_path: Path) -> None:
    sessions = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    add_design(sessions, "before")
    engine = sessions.kw["bind"]
    engine.dispose()

    @event.listens_for(engine, "connect")
    def cap_size(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # SQLite's own limit: a write that needs a page past it fails with SQLITE_FULL,
        # as one does when the disk under the database is full.
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StorageFullError) as caught:
        add_design(sessions, "x" * 100_000)
    assert "the database change could not be written" in caught.value.detail
    assert names(sessions) == ["before"]
