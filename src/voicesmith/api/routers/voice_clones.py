"""/v2/voice_clones: clones from designs; list, retrieve, update, delete, sample."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from voicesmith.api.deps import ListQueryDep, OrganizationDep, ServicesDep
from voicesmith.api.schemas import (
    DataEnvelope,
    ListEnvelope,
    VoiceCloneCreate,
    VoiceCloneData,
    VoiceCloneUpdate,
)
from voicesmith.voices.clones import CloneFromDesign

router = APIRouter(prefix="/voice_clones", tags=["Voice Clones"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DataEnvelope[VoiceCloneData])
def create_voice_clone(body: VoiceCloneCreate, org: OrganizationDep,
                       services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    """Capture a design version's voice (default the latest) as a clone."""
    clone = services.clones.create_from_design(org, CloneFromDesign(
        name=body.name, voice_design_id=body.voice_design_id, language=body.language,
        gender=body.gender, version=body.version, provider=body.provider))
    return DataEnvelope(data=VoiceCloneData.of(clone))


@router.get("", response_model=ListEnvelope[VoiceCloneData])
def list_voice_clones(
    org: OrganizationDep, services: ServicesDep, query: ListQueryDep,
    filter_provider: Annotated[Literal["telnyx", "minimax", "Telnyx", "Minimax"] | None,
                               Query(alias="filter[provider]")] = None,
) -> ListEnvelope[VoiceCloneData]:
    clones, total = services.clones.list(org, name_contains=query.name_contains,
                                         provider=filter_provider, sort=query.sort,
                                         page=query.page)
    return ListEnvelope.of([VoiceCloneData.of(c) for c in clones], total=total,
                           number=query.page.number, size=query.page.size)


@router.get("/{id}", response_model=DataEnvelope[VoiceCloneData])
def retrieve_voice_clone(id: str, org: OrganizationDep,
                         services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    """`id` is the clone's UUID or its name."""
    return DataEnvelope(data=VoiceCloneData.of(services.clones.get(org, id)))


@router.patch("/{id}", response_model=DataEnvelope[VoiceCloneData])
def update_voice_clone(id: str, body: VoiceCloneUpdate, org: OrganizationDep,
                       services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    clone = services.clones.update(org, id, name=body.name, gender=body.gender,
                                   language=body.language)
    return DataEnvelope(data=VoiceCloneData.of(clone))


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_voice_clone(id: str, org: OrganizationDep, services: ServicesDep) -> Response:
    services.clones.delete(org, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{id}/sample", response_class=Response,
            responses={200: {"content": {"audio/wav": {}}}})
def download_voice_clone_sample(id: str, org: OrganizationDep, services: ServicesDep) -> Response:
    """The audio the clone was made from (for a design clone: its version's sample, byte for byte)."""
    return Response(services.clones.sample(org, id), media_type="audio/wav")
