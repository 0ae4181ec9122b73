"""The FastAPI application: wiring only. Routes live in api/routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session, sessionmaker

from voicesmith import __version__, faults
from voicesmith.api.deps import Services
from voicesmith.api.errors import install_error_handlers
from voicesmith.api.json_bodies import StrictJsonMiddleware
from voicesmith.api.limits import BodyLimitMiddleware, BodyLimits
from voicesmith.api.openapi import serve_providers
from voicesmith.api.replica import ReplicaHeaderMiddleware
from voicesmith.api.routers import (
    lab,
    openai_speech,
    speech,
    speech_ws,
    voice_clones,
    voice_designs,
)
from voicesmith.config import Settings
from voicesmith.engine.base import SpeechEngine
from voicesmith.engine.priority import call_at_lower_priority
from voicesmith.errors import BlobStoreUnavailableError, FeatureUnavailableError
from voicesmith.providers import Providers, VoiceProvider
from voicesmith.store.blobs import BlobStore, open_blob_store
from voicesmith.store.database import open_database
from voicesmith.store.repositories import UnitOfWork
from voicesmith.store.speech_cache import SpeechCache
from voicesmith.voices.audio_jobs import AudioJobs
from voicesmith.voices.clones import CloneService
from voicesmith.voices.designs import DesignService
from voicesmith.voices.keys import KeyService
from voicesmith.voices.rate_limits import RateLimiter
from voicesmith.voices.speech import SpeechService
from voicesmith.voices.synthesis import SampleSynthesizer, SynthesisPool, SynthesisSlots
from voicesmith.voices.uploads import CaptureDeferrer
from voicesmith.voices.voice_ids import VoiceResolver

log = logging.getLogger("voicesmith")


def build_providers(settings: Settings) -> Providers:
    """The remote providers this server has credentials for (none: telnyx only)."""
    found: dict[str, VoiceProvider] = {}
    if settings.minimax_api_key and settings.minimax_api_key.get_secret_value():
        from voicesmith.providers.minimax import MiniMaxClient, MiniMaxConfig, MiniMaxProvider

        client = MiniMaxClient(MiniMaxConfig(
            api_key=settings.minimax_api_key.get_secret_value(),
            base_url=settings.minimax_base_url,
            group_id=settings.minimax_group_id, timeout_s=settings.minimax_timeout_seconds,
            max_retries=settings.minimax_max_retries,
            backoff_s=settings.minimax_backoff_seconds))
        found["minimax"] = MiniMaxProvider(client, default_model=settings.minimax_model)
    return Providers(found)


def sweep_orphans(sessions: sessionmaker[Session], blobs: BlobStore, grace_seconds: float) -> None:
    """Remove blobs an interrupted write left; an object store that is down only delays it.

    Housekeeping must not keep the API from starting: the blobs stay until a
    later start, and requests that need the store answer 503 meanwhile.
    """
    with UnitOfWork(sessions) as uow:
        referenced = uow.referenced_sample_keys()
    try:
        removed = blobs.sweep(referenced, grace_seconds=grace_seconds)
    except BlobStoreUnavailableError as exc:
        log.warning("left over audio not swept: %s", exc.detail)
        return
    if removed:
        log.warning("removed %d audio file(s) left over by an interrupted write", len(removed))


def build_services(settings: Settings, engine: SpeechEngine) -> Services:
    """Open the database (migrated) and blob store, sweep crash leftovers, build services."""
    faults.arm(settings.crash_at)
    sessions = open_database(settings.resolved_database_url,
                             busy_timeout_s=settings.database_busy_timeout_seconds)
    blobs = open_blob_store(settings.blob_url, settings.blob_dir)
    sweep_orphans(sessions, blobs, settings.orphan_grace_seconds)
    pool = SynthesisPool(settings.synthesis_workers, nice=settings.synthesis_nice)
    providers = build_providers(settings)
    slots = SynthesisSlots(settings.max_active_syntheses)
    synthesizer = SampleSynthesizer(engine, pool, slots)
    cache = SpeechCache(settings.speech_cache_dir,
                        max_bytes=settings.speech_cache_max_mb * 1024 * 1024,
                        max_entry_seconds=settings.speech_cache_max_entry_seconds,
                        sample_rate=engine.sample_rate)
    return Services(
        keys=KeyService(sessions),
        designs=DesignService(sessions, blobs, synthesizer, providers),
        clones=CloneService(sessions, blobs, stock_cache_path=settings.stock_embeddings_path,
                            capture_nice=settings.synthesis_nice,
                            sync_wait_s=settings.upload_wait_seconds,
                            queue=open_capture_queue(settings), providers=providers),
        engine=engine,
        voices=VoiceResolver(sessions, engine.stock_voices),
        # Samples and speech share the synthesis pool: together they never
        # run more engine passes at once than there are workers.
        speech=SpeechService(engine, pool, cache, providers, slots),
        audio_jobs=AudioJobs(settings.audio_dir,
                             retention_seconds=settings.audio_retention_seconds),
        rate_limits=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        providers=providers,
    )


def open_capture_queue(settings: Settings) -> CaptureDeferrer | None:
    """The PostgreSQL job queue for captures, if configured (None: the capture thread)."""
    if settings.capture_queue != "postgres":
        return None
    try:
        from voicesmith.jobs.capture_queue import CaptureQueue
    except ImportError as exc:
        raise FeatureUnavailableError(
            "VOICESMITH_CAPTURE_QUEUE=postgres needs procrastinate: "
            "pip install 'voicesmith[cluster]'") from exc
    return CaptureQueue(settings.resolved_database_url)


def create_app(settings: Settings | None = None, engine: SpeechEngine | None = None) -> FastAPI:
    """The app; the engine is loaded once at start unless one is injected (tests)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from voicesmith.design.traits import load_vocabulary
        from voicesmith.engine.loader import load_engine

        # Loaded from a demoted thread: onnxruntime's own threads, started with
        # the session, inherit its scheduling (engine.priority).
        loaded = engine or call_at_lower_priority(settings.synthesis_nice,
                                                   lambda: load_engine(settings))
        app.state.services = build_services(settings, loaded)
        load_vocabulary()  # the prompt vocabulary, so the first design does not wait for it
        yield

    app = FastAPI(
        title="voicesmith",
        version=__version__,
        description="Self-hosted voice design and cloning, wire-compatible with Telnyx v2.",
        lifespan=lifespan,
    )
    app.state.settings = settings  # the WebSocket reads its limits here
    install_error_handlers(app)
    serve_providers(app, ["minimax"] if settings.minimax_api_key else [])
    # Inside the body limit (added before it), so it only ever reads a bounded body.
    app.add_middleware(StrictJsonMiddleware)
    app.add_middleware(BodyLimitMiddleware, limits=BodyLimits(
        json_bytes=settings.max_json_body_bytes, upload_bytes=settings.max_upload_body_bytes))
    if settings.cors_origins:
        # Outside the limits: preflights and error responses get the headers too.
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["*"], allow_headers=["*"])
    # Outermost: every answer (limit errors, preflights, WebSocket handshakes) names its replica.
    app.add_middleware(ReplicaHeaderMiddleware,
                       replica=settings.replica_id or f"{settings.host}:{settings.port}")
    app.include_router(voice_designs.router, prefix="/v2")
    app.include_router(voice_clones.router, prefix="/v2")
    app.include_router(speech.router, prefix="/v2")
    app.include_router(speech_ws.router, prefix="/v2")
    # OpenAI clients use base_url .../v1 (their default path) or .../v2.
    app.include_router(openai_speech.router, prefix="/v2")
    app.include_router(openai_speech.router, prefix="/v1")
    app.include_router(lab.router)  # the design lab page at /

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False, response_class=PlainTextResponse)
    def metrics(request: Request) -> str:
        """Prometheus text format: the engine's work, for operators (and the disconnect tests)."""
        engine = request.app.state.services.engine
        passes = getattr(engine, "chunks_synthesized", 0)
        return ("# HELP voicesmith_engine_passes_total Model passes started by the engine.\n"
                "# TYPE voicesmith_engine_passes_total counter\n"
                f"voicesmith_engine_passes_total {passes}\n")

    return app
