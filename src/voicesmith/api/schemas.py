"""Wire schemas: Telnyx's shapes, kept apart from the tables they are built from."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_serializer

from voicesmith.api.constraints import (
    NAME_RULES,
    NON_BLANK,
    PROVIDER_RULES,
    auto_language_rule,
    language_rules,
)
from voicesmith.providers import supported_models, wire_name
from voicesmith.store.models import VoiceClone
from voicesmith.store.read_queries import DesignSummary, DesignVersionView
from voicesmith.voices.common import SUPPORTED_MODELS

T = TypeVar("T")
PROVIDER_WIRE_NAME = "Telnyx"


def _rfc3339(value: datetime) -> str:
    # SQLite hands datetimes back naive; they were stored as UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Timestamped(WireModel):
    created_at: datetime
    updated_at: datetime

    @field_serializer("created_at", "updated_at", "version_created_at", check_fields=False)
    def _ts(self, value: datetime) -> str:
        return _rfc3339(value)


# -- requests ---------------------------------------------------------------------


def _json_number(value: Any) -> Any:
    # A JSON boolean or string is not a number, as the schema says (pydantic's lax mode would
    # read false as 0 and "5" as 5); an integral float such as 100.0 is a JSON integer.
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")  # noqa: TRY004 - pydantic reports ValueError only
    return value


JsonInt = Annotated[int, BeforeValidator(_json_number)]
JsonFloat = Annotated[float, BeforeValidator(_json_number)]


class RequestModel(WireModel):
    pass


def _drop_nul(value: str | None) -> str | None:
    return None if value is None else value.replace("\x00", "")


# Free text that is stored (a prompt, a sample text, a label): NUL is no character of
# it, and PostgreSQL cannot keep one, so it is dropped (the speech pipeline drops it
# too). A name is different: one with NUL is refused (NAME_RULES), being an identifier.
StoredText = Annotated[str, AfterValidator(_drop_nul)]


class VoiceDesignCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={
        **auto_language_rule("text"),
        # A new design needs a name; a new version names its design instead.
        "anyOf": [{"required": ["name"], "properties": {"name": {"type": "string"}}},
                  {"required": ["voice_design_id"],
                   "properties": {"voice_design_id": {"type": "string"}}}]})

    name: str | None = Field(None, min_length=1, max_length=255, json_schema_extra=NAME_RULES,
                             description="Required for a new design; ignored when adding a version. Not a UUID.")
    voice_design_id: str | None = Field(
        None, description="An existing design (UUID or name) to add a version to.")
    text: StoredText = Field(..., min_length=1, max_length=10_000,
                             json_schema_extra={"pattern": NON_BLANK},
                             description="Sample text to synthesize for this version (not blank).")
    prompt: StoredText = Field(..., min_length=1, max_length=5_000,
                               json_schema_extra={"pattern": NON_BLANK},
                               description="Natural-language description of the voice (not blank).")
    language: str = Field("Auto", json_schema_extra=language_rules(), description=(
        "Auto (detected from the text), a language name (English, Spanish, ...) or an ISO code "
        "(en, en-GB, ...); case-insensitive. A language without voices here (German, Korean, "
        "Russian) is refused."))
    temperature: JsonFloat = Field(0.9, ge=0, le=2, description=(
        "How far the voice may wander from the prompt's trait target: 0 is the deterministic centre, "
        "higher values explore further around it."))
    top_k: JsonInt = Field(50, ge=1, le=1000, description="How many stock voices may contribute to the blend.")
    top_p: JsonFloat = Field(1.0, ge=0, le=1, description=(
        "Nucleus over the contributing voices' weights: only the smallest set of voices whose "
        "weights sum to top_p is kept."))
    repetition_penalty: JsonFloat = Field(1.05, ge=1, le=2, description=(
        "How strongly a new version is pushed away from this design's earlier versions' voices "
        "(1.0 = not at all)."))
    max_new_tokens: JsonInt = Field(2048, ge=100, le=4096, description=(
        "Caps the sample's length; one token is 80 ms of audio (2048 = 163.8 s). A text that would "
        "take longer is rejected, never cut short."))
    provider: str = Field("telnyx", json_schema_extra=PROVIDER_RULES, description=(
        "Case-insensitive: `telnyx` (the embedded engine) or `minimax` (MiniMax, when the server "
        "has a MiniMax key; the Qwen3 sampling parameters are then ignored). A new version "
        "is made by its design's provider."))
    seed: Annotated[int, Field(ge=0, le=2**32 - 1), BeforeValidator(_json_number)] | None = Field(
        None, description=(
        "Makes the design exactly reproducible: the same prompt, parameters and seed give a "
        "byte-identical sample. Without it each call explores."))


class VoiceDesignRename(RequestModel):
    name: str = Field(..., min_length=1, max_length=255, json_schema_extra=NAME_RULES)


class VoiceCloneCreate(RequestModel):
    name: str = Field(..., min_length=1, max_length=255, json_schema_extra=NAME_RULES)
    voice_design_id: str = Field(..., description="The source design's UUID (or name).")
    language: str = Field(..., json_schema_extra=language_rules(), description=(
        "ISO 639-1 code (en, es, ...) or a language name; case-insensitive."))
    gender: Literal["male", "female", "neutral"]
    provider: str = Field("telnyx", json_schema_extra=PROVIDER_RULES, description=(
        "A clone's provider is its design's: a MiniMax design's clone speaks through MiniMax."))
    version: Annotated[int, Field(ge=1), BeforeValidator(_json_number)] | None = Field(
        None, description="Design version to clone; default the latest.")


class VoiceCloneUploadFields(WireModel):
    """The text fields of POST /voice_clones/from_upload (the file is ``audio_file``)."""

    name: str = Field(..., min_length=1, max_length=255, json_schema_extra=NAME_RULES)
    language: str = Field(..., json_schema_extra=language_rules(), description=(
        "ISO 639-1 code (en, es, ...), a language name, or Auto; case-insensitive."))
    gender: Literal["male", "female", "neutral"] = Field(..., description=(
        "Picks the voices capture may use; neutral tells it from the recording's pitch."))
    provider: str = Field("telnyx", json_schema_extra=PROVIDER_RULES)
    model_id: str | None = Field(None, description=(
        "Qwen3TTS (default) or Kokoro: the embedded engine; with provider minimax, one of "
        "MiniMax's speech models (default the server's VOICESMITH_MINIMAX_MODEL)."))
    label: StoredText | None = Field(None, max_length=1000)
    ref_text: StoredText | None = Field(None, max_length=5000, description=(
        "Transcript of the recording; tells the language when `language` is auto. "
        "Capture compares voices on its own probe text, so it needs no transcript."))


class VoiceCloneUpdate(RequestModel):
    name: str = Field(..., min_length=1, max_length=255, json_schema_extra=NAME_RULES)
    gender: Literal["male", "female", "neutral"] | None = None
    language: str | None = Field(None, json_schema_extra=language_rules(nullable=True))


# -- responses --------------------------------------------------------------------


class VoiceDesignSummaryData(Timestamped):
    record_type: Literal["voice_design"] = "voice_design"
    id: str
    name: str
    provider: str = PROVIDER_WIRE_NAME
    provider_supported_models: list[str] = SUPPORTED_MODELS
    latest_version: int | None = None
    version_count: int = 0

    @classmethod
    def of(cls, summary: DesignSummary) -> VoiceDesignSummaryData:
        return cls(id=summary.id, name=summary.name, created_at=summary.created_at,
                   updated_at=summary.updated_at, latest_version=summary.versions.latest,
                   version_count=summary.versions.count, provider=wire_name(summary.provider),
                   provider_supported_models=supported_models(summary.provider))


class VoiceDesignData(Timestamped):
    record_type: Literal["voice_design"] = "voice_design"
    id: str
    name: str
    version: int
    text: str
    prompt: str
    language: str
    voice_sample_size: int
    version_created_at: datetime
    provider: str = PROVIDER_WIRE_NAME
    provider_supported_models: list[str] = SUPPORTED_MODELS
    provider_voice_id: str
    # Extras (the SDKs keep unknown fields): what the prompt was understood as, and the knobs.
    voice_traits: dict[str, Any]
    parameters: dict[str, Any]
    voice: dict[str, Any]

    @classmethod
    def of(cls, version: DesignVersionView) -> VoiceDesignData:
        return cls(
            id=version.design_id, name=version.name, version=version.version, text=version.text,
            prompt=version.prompt, language=version.language,
            voice_sample_size=version.sample_size, version_created_at=version.created_at,
            created_at=version.design_created_at, updated_at=version.design_updated_at,
            provider_voice_id=version.provider_voice_id or version.id,
            provider=wire_name(version.provider),
            provider_supported_models=supported_models(version.provider),
            voice_traits=version.traits,
            parameters=version.parameters,
            # The recipe records the speed and blend; the style blob itself stays unread.
            voice={"engine_language": version.engine_language, "recipe": version.recipe},
        )


class VoiceCloneData(Timestamped):
    record_type: Literal["voice_clone"] = "voice_clone"
    id: str
    name: str
    source_voice_design_id: str | None
    source_voice_design_version: int | None
    language: str | None
    gender: str | None
    label: str | None
    provider: str = PROVIDER_WIRE_NAME
    provider_supported_models: list[str] = SUPPORTED_MODELS
    provider_voice_id: str
    model_id: str | None
    status: str
    voice_sample_size: int
    # Extras: "design" or "upload", and for an upload how its voice was captured.
    source: str = "design"
    capture: dict[str, Any] | None = None

    @classmethod
    def of(cls, clone: VoiceClone) -> VoiceCloneData:
        return cls(
            id=clone.id, name=clone.name, source_voice_design_id=clone.source_design_id,
            source_voice_design_version=clone.source_design_version, language=clone.language,
            gender=clone.gender, label=clone.label, created_at=clone.created_at,
            updated_at=clone.updated_at, provider_voice_id=clone.provider_voice_id or clone.id,
            provider=wire_name(clone.provider),
            provider_supported_models=supported_models(clone.provider), model_id=clone.model_id,
            status=clone.status, voice_sample_size=clone.sample_size,
            source=clone.source or "design", capture=_capture_summary(clone),
        )


def _capture_summary(clone: VoiceClone) -> dict[str, Any] | None:
    """What a user may want to know of a capture (the stored report has every score)."""
    if clone.source != "upload":
        return None
    report = clone.capture or {}
    if "voice_id" in report:  # cloned by a remote provider
        return {"provider": report.get("provider"), "voice_id": report["voice_id"]}
    if "error" in report:
        return {"error": report["error"]}
    if not report:
        return None
    selected = report.get("selected", {})
    return {
        "gender": report.get("gender"), "gender_source": report.get("gender_source"),
        "voice": selected.get("name"), "similarity": selected.get("similarity"),
        "postprocess": selected.get("postprocess"), "baseline": report.get("baseline"),
        "recording": report.get("recording"), "seconds": report.get("timing_s", {}).get("wall"),
    }


class DataEnvelope(WireModel, Generic[T]):
    data: T


class PageMeta(WireModel):
    page_number: int
    page_size: int
    total_pages: int
    total_results: int


class ListEnvelope(WireModel, Generic[T]):
    data: list[T]
    meta: PageMeta

    @classmethod
    def of(cls, items: list[T], *, total: int, number: int, size: int) -> ListEnvelope[T]:
        return cls(data=items, meta=PageMeta(page_number=number, page_size=size,
                                             total_pages=math.ceil(total / size),
                                             total_results=total))
