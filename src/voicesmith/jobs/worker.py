"""``voicesmith worker``: runs queued upload captures (``jobs.capture_queue``).

One capture at a time (a capture keeps the cores busy for 6-9 s; two at once on
a small machine would each take twice as long); run more workers, on more
machines, for more. Every few seconds a worker also queues again the jobs of
workers that stopped sending heartbeats (killed, machine lost): a capture
that was running there starts over here instead of staying pending forever.
"""

from __future__ import annotations

import asyncio
import logging

from procrastinate import App, PsycopgConnector

from voicesmith.config import Settings
from voicesmith.engine.base import SpeechEngine
from voicesmith.jobs.capture_queue import QUEUE, TASK_NAME, conninfo, ensure_schema
from voicesmith.store.blobs import open_blob_store
from voicesmith.store.database import open_database
from voicesmith.voices.clones import CloneService

log = logging.getLogger("voicesmith.worker")

HEARTBEAT_S = 2.0
# A worker silent for this long is gone; its running capture is queued again.
STALLED_AFTER_S = 10.0
REQUEUE_EVERY_S = 5.0


def capture_app(settings: Settings, engine: SpeechEngine) -> App:
    """The procrastinate app whose one task captures a clone (built per process: it holds the engine)."""
    sessions = open_database(settings.resolved_database_url,
                             busy_timeout_s=settings.database_busy_timeout_seconds)
    clones = CloneService(sessions, open_blob_store(settings.blob_url, settings.blob_dir),
                          stock_cache_path=settings.stock_embeddings_path,
                          capture_nice=settings.synthesis_nice, queue=_NOT_DEFERRING)
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings.resolved_database_url)))

    @app.task(name=TASK_NAME, queue=QUEUE)
    def capture_upload(clone_id: str, ref_text: str | None = None) -> None:
        clones.run_queued_capture(clone_id, ref_text, engine)

    return app


class _Unused:
    """The worker runs captures; it never defers one (and so never fails pending ones)."""

    def defer(self, clone_id: str, *, ref_text: str | None) -> None:
        raise RuntimeError("a worker does not defer captures")


_NOT_DEFERRING = _Unused()


async def _requeue_stalled(app: App) -> None:
    while True:
        stalled = await app.job_manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER_S)
        for job in stalled:
            log.warning("capture job %s lost its worker; queued again", job.id)
            await app.job_manager.retry_job(job)
        await asyncio.sleep(REQUEUE_EVERY_S)


async def _run(app: App) -> None:
    async with app.open_async():
        requeue = asyncio.create_task(_requeue_stalled(app))
        try:
            await app.run_worker_async(
                queues=[QUEUE], concurrency=1, update_heartbeat_interval=HEARTBEAT_S,
                stalled_worker_timeout=STALLED_AFTER_S, delete_jobs="successful",
                install_signal_handlers=True)
        finally:
            requeue.cancel()


def run_worker(settings: Settings, engine: SpeechEngine) -> None:
    """Run captures until SIGINT/SIGTERM (a running capture is finished first)."""
    ensure_schema(settings.resolved_database_url)
    asyncio.run(_run(capture_app(settings, engine)))
