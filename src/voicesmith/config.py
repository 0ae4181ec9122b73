"""Settings, read from the environment (``VOICESMITH_*``) and CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIB = 1024 * 1024


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("voicesmith", appauthor=False))


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("voicesmith", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOICESMITH_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # Unset means SQLite (WAL) in the data dir; any SQLAlchemy URL is honoured
    # (postgresql+psycopg://... with the postgres extra: what replicas share).
    database_url: str | None = None
    # Where samples are stored: unset is the data dir's blobs folder; file:///PATH
    # (a folder, which replicas on one machine may share) or s3://BUCKET/PREFIX
    # (boto3, the cluster extra; endpoint and credentials from the AWS_* variables).
    blob_url: str | None = None
    # This process's name in the x-voicesmith-replica response header (default host:port).
    replica_id: str | None = None
    # Where upload captures run: "thread" (this server process, the default; a capture
    # pending when it stops is failed) or "postgres" (a job queue in the PostgreSQL
    # database, run by `voicesmith worker` processes; survives restarts).
    capture_queue: Literal["thread", "postgres"] = "thread"
    # How long an upload request waits for its capture before answering 202 pending
    # (a capture takes 6-9 s of CPU; the SDKs give up on a request after 60 s and re-send).
    upload_wait_seconds: Annotated[float, Field(ge=0, le=55)] = 40.0
    # Where the engine's model and voice packs are installed (shared across data dirs).
    cache_dir: Path = Field(default_factory=default_cache_dir)
    # A folder of kokoro-js voice packs (<name>.bin) to use instead of fetching them.
    voices_dir: Path | None = None
    # A Kokoro ONNX model to use instead of the installed one (tests use a tiny one).
    model_path: Path | None = None
    # Build (at asset install) and use the fast model: the pinned model with its
    # convolutions as int8 matrix products, used only where it was checked to speak
    # byte for byte like the pinned one (engine.fast_model). Off: the pinned model.
    fast_model: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Worker threads for synthesis; onnxruntime threads per inference.
    synthesis_workers: int = 2
    onnx_threads: int = 0
    # onnxruntime threads spin-wait between operators: off by default (faster with
    # two syntheses at once, or anything else on the cores); on may suit a
    # machine that runs one synthesis at a time and nothing else.
    onnx_spinning: bool = False
    # Synthesis threads (and onnxruntime's) always yield to request handling
    # (SCHED_BATCH, engine.priority); a nice increment on top also yields their
    # CPU share to every other process on the machine: for a machine whose other
    # work matters more than speech. 0 (the default): a fair share.
    synthesis_nice: Annotated[int, Field(ge=0, le=19)] = 0
    # Syntheses (speech streams and design samples) this process runs at once; one
    # more is answered 429 with Retry-After, so that behind a load balancer it goes to
    # a replica that serves it now (deploy/nginx.conf retries speech there) instead of
    # waiting here while every stream slows down. 0 (the default, one server alone):
    # no limit, requests wait their turn. `voicesmith bench` says how many streams a
    # machine keeps real-time; README "Scale out" what to set on replicas.
    max_active_syntheses: Annotated[int, Field(ge=0)] = 0

    # Unreferenced audio files older than this are removed at start (a crash
    # mid-write leaves one); younger ones may be another server's write in flight.
    orphan_grace_seconds: float = 600.0

    # Speech cache (synthesized audio reused by identical requests): total size
    # bound, and the longest synthesis kept (longer ones stream uncached).
    speech_cache_max_mb: int = 1024
    speech_cache_max_entry_seconds: float = 600.0
    # How long audio made with output_type=audio_id stays downloadable.
    audio_retention_seconds: float = 3600.0

    # Request limits: a body over its limit is refused (413) before it is read whole.
    # The upload's is its 20 MB audio file plus room for the text fields and framing.
    max_json_body_bytes: Annotated[int, Field(ge=1024)] = 1 * MIB
    max_upload_body_bytes: Annotated[int, Field(ge=1024)] = 21 * MIB
    # WebSocket TTS: the largest text frame, and the most text received but not yet
    # spoken (a client sending faster than speech would otherwise grow it without bound).
    ws_max_message_bytes: Annotated[int, Field(ge=1024)] = 64 * 1024
    ws_max_unspoken_chars: Annotated[int, Field(ge=1000)] = 100_000

    # Per-key request rate (a token bucket per API key, in this process): requests a
    # second, and how many may come at once after a quiet spell. Every request and
    # WebSocket connection counts. 0 (the default) is off: README "Behaviour worth
    # knowing" says why, and what to set when keys go to other people's code.
    rate_limit_per_second: Annotated[float, Field(ge=0)] = 0.0
    rate_limit_burst: Annotated[int, Field(ge=1)] = 100

    # Browser origins allowed to call the API (CORS), comma-separated in the
    # environment; empty (the default) sends no CORS headers, so browsers on other
    # origins cannot read responses (API keys belong on servers, not in web pages).
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # How long a write waits for a database locked by another writer (SQLite's
    # busy handler retries with backoff) before it answers 503 with Retry-After.
    database_busy_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0

    # MiniMax (provider "minimax"): without a key, provider "minimax" is a 422 saying how
    # to enable it. The base URL picks their regional host (or a fake, in tests); the
    # group id is sent as the GroupId query parameter where their older hosts need it.
    minimax_api_key: SecretStr | None = None  # never shown in logs or reprs
    minimax_base_url: str = "https://api.minimax.io"
    minimax_group_id: str | None = None
    # The speech model new MiniMax speech uses (any of MiniMax's speech models).
    minimax_model: str = "speech-02-hd"
    # Per-attempt network timeout, and retries of transient failures (connect errors,
    # 5xx, MiniMax's rate-limit and server-error codes) with exponential backoff.
    minimax_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    minimax_max_retries: Annotated[int, Field(ge=0, le=10)] = 2
    minimax_backoff_seconds: Annotated[float, Field(ge=0)] = 0.5

    # Fault injection for crash-safety tests: exit hard at a named point (voicesmith.faults).
    crash_at: str | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'voicesmith.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def stock_embeddings_path(self) -> Path:
        return self.data_dir / "stock-embeddings.json"

    @property
    def speech_cache_dir(self) -> Path:
        return self.data_dir / "speech-cache"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "speech-audio"

    @property
    def assets_dir(self) -> Path:
        return self.cache_dir / "assets"
