"""What a database failure means to a client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from voicesmith.errors import DatabaseBusyError, StorageFullError
from voicesmith.store.database import domain_error


class _PostgresError(Exception):
    """What psycopg raises: the condition is in ``sqlstate``."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _sqlite(code: int) -> OperationalError:
    orig = sqlite3.OperationalError("x")
    orig.sqlite_errorcode = code  # type: ignore[attr-defined]
    return OperationalError("stmt", {}, orig)


@pytest.mark.parametrize("state", ["40001", "40P01", "55P03", "57014"])
def test_postgres_lock_and_serialization_failures_are_busy(state: str) -> None:
    assert isinstance(domain_error(OperationalError("stmt", {}, _PostgresError(state))),
                      DatabaseBusyError)


def test_postgres_disk_full_is_storage_full_and_other_states_are_not_ours() -> None:
    assert isinstance(domain_error(OperationalError("s", {}, _PostgresError("53100"))),
                      StorageFullError)
    assert domain_error(OperationalError("s", {}, _PostgresError("42P01"))) is None


def test_sqlite_busy_locked_and_full() -> None:
    assert isinstance(domain_error(_sqlite(sqlite3.SQLITE_BUSY)), DatabaseBusyError)
    assert isinstance(domain_error(_sqlite(sqlite3.SQLITE_LOCKED | 0x100)), DatabaseBusyError)
    assert isinstance(domain_error(_sqlite(sqlite3.SQLITE_FULL)), StorageFullError)
    assert domain_error(_sqlite(sqlite3.SQLITE_CONSTRAINT)) is None
