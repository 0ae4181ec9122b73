"""Upload captures on a PostgreSQL-backed job queue (procrastinate).

Why procrastinate: the queue lives in the database the replicas already
share, so a capture is deferred in the same place its clone row is, needs no
broker to run or back up (Redis, RabbitMQ), survives any process restart
(jobs are rows), and its workers' heartbeats tell which running jobs lost
their worker, which are then queued again rather than failed.

With ``VOICESMITH_CAPTURE_QUEUE=postgres`` a replica commits the ``pending``
clone and its sample, defers ``capture_upload(clone_id)`` and waits briefly
for the row to change; ``voicesmith worker`` (``jobs.worker``) runs the jobs.
With the default (``thread``) captures run in the server process as before.
"""

from __future__ import annotations

import zlib
from typing import Any

import psycopg
from procrastinate import App, SyncPsycopgConnector
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from voicesmith.errors import ValidationError

TASK_NAME = "voicesmith.capture_upload"
QUEUE = "captures"
# Two processes creating the schema at once would collide; one holds this lock.
_SCHEMA_LOCK = zlib.crc32(b"voicesmith.procrastinate.schema")


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValidationError(
            "VOICESMITH_CAPTURE_QUEUE=postgres needs a PostgreSQL database "
            "(VOICESMITH_DATABASE_URL=postgresql+psycopg://...); with SQLite captures run "
            "in the server process (VOICESMITH_CAPTURE_QUEUE=thread).")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(database_url: str) -> None:
    """Create procrastinate's tables once (idempotent, safe from several processes)."""
    with psycopg.connect(conninfo(database_url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        exists = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if exists is None or exists[0] is None:
            conn.execute(SchemaManager.get_schema())  # type: ignore[arg-type]


class CaptureQueue:
    """The replica's side: defers capture jobs (it never runs them)."""

    def __init__(self, database_url: str) -> None:
        ensure_schema(database_url)
        self._app = App(connector=SyncPsycopgConnector(conninfo=conninfo(database_url),
                                                       min_size=1, max_size=4))
        self._app.open()

    def defer(self, clone_id: str, *, ref_text: str | None) -> None:
        """Queue the capture of ``clone_id``; a second defer for the same clone is refused."""
        task = self._app.configure_task(TASK_NAME, queue=QUEUE, queueing_lock=clone_id)
        arguments: dict[str, Any] = {"clone_id": clone_id, "ref_text": ref_text}
        task.defer(**arguments)

    def close(self) -> None:
        self._app.close()
