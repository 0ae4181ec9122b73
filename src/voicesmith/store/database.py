"""Database engine, sessions and schema migrations (Alembic, applied at start).

A write that finds the database locked by another writer (another request's
transaction, another process, an operator's ``sqlite3`` shell) is retried by
SQLite's busy handler, with backoff, for up to ``busy_timeout_s``; only then
does it fail, and ``domain_error`` makes that a ``DatabaseBusyError`` (503,
retry later), as it makes a full disk a ``StorageFullError`` (507).
"""

from __future__ import annotations

import sqlite3
from functools import partial
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.errors import DatabaseBusyError, VoicesmithError
from voicesmith.store.disk import storage_full_error

DEFAULT_BUSY_TIMEOUT_S = 30.0
# anyio's worker threads (40) run the sync endpoints; most are idle at any time.
# PostgreSQL's pool is as large (its default max_connections, 100, holds two replicas).
POOL_SIZE = 20


def create_db_engine(url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        # A pool as large as the request threads that use it at once: a connection
        # beyond the pool is opened (with its PRAGMAs) and closed per request,
        # which cost reads more than their queries did.
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": busy_timeout_s},
                               pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_s=busy_timeout_s))
        return engine
    # PostgreSQL (psycopg 3): a lock held longer than busy_timeout_s fails the statement
    # (lock_timeout), which domain_error makes the same 503 as SQLite's busy database.
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE,
                         max_overflow=POOL_SIZE,
                         connect_args={"options": f"-c lock_timeout={int(busy_timeout_s * 1000)}"})


def _sqlite_pragmas(dbapi_connection, _record, *, busy_timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer, and a killed process loses no commit.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    cursor.close()


def domain_error(exc: DBAPIError) -> VoicesmithError | None:
    """The domain error a database failure means to a client, if it is one of ours.

    SQLITE_BUSY / SQLITE_LOCKED: still locked after the busy handler's retries.
    SQLITE_FULL: the disk (or ``max_page_count``) is full. The transaction was
    rolled back in both cases, so nothing was changed. PostgreSQL's equivalents
    (by SQLSTATE) mean the same.
    """
    state = getattr(exc.orig, "sqlstate", None)  # PostgreSQL (psycopg)
    if isinstance(state, str):
        return _postgres_error(state)
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    primary = code & 0xFF  # extended codes keep the primary one in the low byte
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return _busy()
    if primary == sqlite3.SQLITE_FULL:
        return storage_full_error("the database change")
    return None


# serialization failure, deadlock, lock_timeout, statement timeout: nothing was changed
_PG_BUSY = frozenset({"40001", "40P01", "55P03", "57014"})
_PG_FULL = frozenset({"53100"})  # disk_full


def _postgres_error(state: str) -> VoicesmithError | None:
    if state in _PG_BUSY:
        return _busy()
    if state in _PG_FULL:
        return storage_full_error("the database change")
    return None


def _busy() -> DatabaseBusyError:
    return DatabaseBusyError(
        "The database is busy: another writer held it for longer than this server waits. "
        "Nothing was changed; send the request again in a moment.")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    script_location = resources.files("voicesmith.store") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema up to the latest migration."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def open_database(url: str, *,
                  busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> sessionmaker[Session]:
    """Connect, apply migrations, and hand back the session factory."""
    engine = create_db_engine(url, busy_timeout_s=busy_timeout_s)
    migrate(engine)
    return session_factory(engine)
