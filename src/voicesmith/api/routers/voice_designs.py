"""/v2/voice_designs: create, version, list, retrieve, rename, delete, sample."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from voicesmith.api.deps import ListQueryDep, OrganizationDep, ServicesDep
from voicesmith.api.openapi import audio_content, error_responses, id_links
from voicesmith.api.responses import json_response
from voicesmith.api.schemas import (
    DataEnvelope,
    ListEnvelope,
    VoiceDesignCreate,
    VoiceDesignData,
    VoiceDesignRename,
    VoiceDesignSummaryData,
)
from voicesmith.design.sampling import SamplingParams
from voicesmith.store.read_queries import DesignVersionView
from voicesmith.voices.designs import DesignRequest

router = APIRouter(prefix="/voice_designs", tags=["Voice Designs"])

# A string so that a malformed version is the contract's 400, not a 422; digits, not zero.
VersionPath = Annotated[str, Path(json_schema_extra={"pattern": "^0*[1-9][0-9]*$"},
                                  description="The version number (a positive integer).")]
VersionQuery = Annotated[int | None, Query(ge=1, description="Version number; default the latest.")]


@router.post("", status_code=status.HTTP_201_CREATED,
             response_model=DataEnvelope[VoiceDesignData],
             responses={201: {"links": {
                 **id_links(GetDesign="retrieve_voice_design_v2_voice_designs__id__get",
                            RenameDesign="rename_voice_design_v2_voice_designs__id__patch",
                            DeleteDesign="delete_voice_design_v2_voice_designs__id__delete",
                            GetSample="download_voice_design_sample_v2_voice_designs__id__sample_get")}},
                        **error_responses(400, 403, 404, 409, 413, 502, 503, 507)})
def create_voice_design(body: VoiceDesignCreate, org: OrganizationDep,
                        services: ServicesDep) -> DataEnvelope[VoiceDesignData]:
    """A new design (version 1), or with `voice_design_id` a new version (at most 50)."""
    params = SamplingParams(temperature=body.temperature, top_k=body.top_k, top_p=body.top_p,
                            repetition_penalty=body.repetition_penalty, seed=body.seed)
    version = services.designs.create(org, DesignRequest(
        prompt=body.prompt, text=body.text, name=body.name, voice_design_id=body.voice_design_id,
        language=body.language, params=params, max_new_tokens=body.max_new_tokens,
        provider=body.provider))
    return DataEnvelope(data=VoiceDesignData.of(DesignVersionView.of(version)))


# Reads are ``async``: a few indexed reads of the local database (WAL: never waiting
# for a writer) cost less on the event loop than the hop to a worker thread did.
@router.get("", response_model=ListEnvelope[VoiceDesignSummaryData],
            responses=error_responses())
async def list_voice_designs(org: OrganizationDep, services: ServicesDep,
                             query: ListQueryDep) -> Response:
    designs, total = services.designs.list(org, name_contains=query.name_contains,
                                           sort=query.sort, page=query.page)
    return json_response(ListEnvelope.of([VoiceDesignSummaryData.of(d) for d in designs],
                                         total=total, number=query.page.number,
                                         size=query.page.size))


@router.get("/{id}", response_model=DataEnvelope[VoiceDesignData],
            responses=error_responses(404))
async def retrieve_voice_design(id: str, org: OrganizationDep, services: ServicesDep,
                                version: VersionQuery = None) -> Response:
    """`id` is the design's UUID or its name."""
    version_row = services.designs.get_version(org, id, version)
    return json_response(DataEnvelope(data=VoiceDesignData.of(version_row)))


@router.patch("/{id}", response_model=DataEnvelope[VoiceDesignSummaryData],
              responses=error_responses(400, 403, 404, 409, 413, 503, 507))
def rename_voice_design(id: str, body: VoiceDesignRename, org: OrganizationDep,
                        services: ServicesDep) -> DataEnvelope[VoiceDesignSummaryData]:
    return DataEnvelope(data=VoiceDesignSummaryData.of(services.designs.rename(org, id, body.name)))


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=error_responses(403, 404, 503, 507))
def delete_voice_design(id: str, org: OrganizationDep, services: ServicesDep) -> Response:
    """Deletes every version. Clones made from the design keep working."""
    services.designs.delete(org, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/{id}/versions/{version}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, responses=error_responses(400, 403, 404, 409, 503, 507))
def delete_voice_design_version(id: str, version: VersionPath, org: OrganizationDep,
                                services: ServicesDep) -> Response:
    services.designs.delete_version(org, id, version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{id}/sample", response_class=Response,
            responses={200: {"content": audio_content("audio/wav"),
                             "description": "The version's sample."}, **error_responses(404)})
def download_voice_design_sample(id: str, org: OrganizationDep, services: ServicesDep,
                                  version: VersionQuery = None) -> Response:
    """The version's sample: 24 kHz mono 16-bit WAV."""
    return Response(services.designs.sample(org, id, version), media_type="audio/wav")
