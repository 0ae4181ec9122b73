"""The FastAPI application: wiring only. Routes live in api/routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from voicesmith import __version__
from voicesmith.api.deps import Services
from voicesmith.api.errors import install_error_handlers
from voicesmith.api.routers import voice_clones, voice_designs
from voicesmith.config import Settings
from voicesmith.engine.base import SpeechEngine
from voicesmith.store.blobs import BlobStore
from voicesmith.store.database import open_database
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.clones import CloneService
from voicesmith.voices.designs import DesignService
from voicesmith.voices.keys import KeyService
from voicesmith.voices.synthesis import SampleSynthesizer

log = logging.getLogger("voicesmith")


def build_services(settings: Settings, engine: SpeechEngine) -> Services:
    """Open the database (migrated) and blob store, sweep crash leftovers, build services."""
    sessions = open_database(settings.resolved_database_url)
    blobs = BlobStore(settings.blob_dir)
    with UnitOfWork(sessions) as uow:
        referenced = uow.referenced_sample_keys()
    removed = blobs.sweep(referenced, grace_seconds=settings.orphan_grace_seconds)
    if removed:
        log.warning("removed %d audio file(s) left over by an interrupted write", len(removed))
    synthesizer = SampleSynthesizer(engine, settings.synthesis_workers)
    return Services(
        keys=KeyService(sessions),
        designs=DesignService(sessions, blobs, synthesizer, crash_at=settings.crash_at),
        clones=CloneService(sessions, blobs),
        engine=engine,
    )


def create_app(settings: Settings | None = None, engine: SpeechEngine | None = None) -> FastAPI:
    """The app; the engine is loaded once at start unless one is injected (tests)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from voicesmith.engine.loader import load_engine

        app.state.services = build_services(settings, engine or load_engine(settings))
        yield

    app = FastAPI(
        title="voicesmith",
        version=__version__,
        description="Self-hosted voice design and cloning, wire-compatible with Telnyx v2.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(voice_designs.router, prefix="/v2")
    app.include_router(voice_clones.router, prefix="/v2")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
