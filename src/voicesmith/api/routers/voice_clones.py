"""/v2/voice_clones: clones from designs or uploads; list, retrieve, update, delete, sample."""

from __future__ import annotations

from typing import Annotated, Literal

import pydantic
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from voicesmith.api.deps import ListQueryDep, OrganizationDep, ServicesDep
from voicesmith.api.openapi import audio_content, error_responses, id_links
from voicesmith.api.responses import json_response
from voicesmith.api.schemas import (
    DataEnvelope,
    ListEnvelope,
    VoiceCloneCreate,
    VoiceCloneData,
    VoiceCloneUpdate,
    VoiceCloneUploadFields,
)
from voicesmith.api.uploads import FILE_FIELD, read_upload_form
from voicesmith.errors import UploadAudioError
from voicesmith.voices.clones import CloneFromDesign
from voicesmith.voices.uploads import CloneFromUpload

router = APIRouter(prefix="/voice_clones", tags=["Voice Clones"])


_CLONE_LINKS = id_links(
    GetClone="retrieve_voice_clone_v2_voice_clones__id__get",
    UpdateClone="update_voice_clone_v2_voice_clones__id__patch",
    DeleteClone="delete_voice_clone_v2_voice_clones__id__delete",
    GetSample="download_voice_clone_sample_v2_voice_clones__id__sample_get")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DataEnvelope[VoiceCloneData],
             responses={201: {"links": _CLONE_LINKS}, **error_responses(400, 403, 404, 409, 413, 503, 507)})
def create_voice_clone(body: VoiceCloneCreate, org: OrganizationDep,
                       services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    """Capture a design version's voice (default the latest) as a clone."""
    clone = services.clones.create_from_design(org, CloneFromDesign(
        name=body.name, voice_design_id=body.voice_design_id, language=body.language,
        gender=body.gender, version=body.version, provider=body.provider))
    return DataEnvelope(data=VoiceCloneData.of(clone))


_UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": [FILE_FIELD, "name", "language", "gender"],
        "properties": {
            FILE_FIELD: {"type": "string", "format": "binary", "description": (
                "WAV, MP3, FLAC, OGG (Vorbis/Opus) or M4A (AAC), at most 20 MB; 5-10 s of "
                "clear speech (at least 3 s after silence is trimmed; the first 10 s are used).")},
            **VoiceCloneUploadFields.model_json_schema()["properties"],
        }}}}},
}


@router.post("/from_upload", status_code=status.HTTP_201_CREATED,
             response_model=DataEnvelope[VoiceCloneData], openapi_extra=_UPLOAD_BODY,
             responses={202: {"model": DataEnvelope[VoiceCloneData],
                              "description": "Accepted: the capture is still running (status pending)"},
                        **error_responses(400, 403, 409, 413, 502, 503, 507)})
async def create_voice_clone_from_upload(request: Request, response: Response,
                                         org: OrganizationDep,
                                         services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    """Clone the voice in a recording: 201 ``active`` when capture finishes within ~40 s
    (it takes under 10 s of CPU), else 202 ``pending``; GET the clone until ``active`` or ``failed``."""
    form = await read_upload_form(request)
    try:
        fields = VoiceCloneUploadFields.model_validate(form.fields)
    except pydantic.ValidationError as exc:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])}
                                      for err in exc.errors()]) from exc
    if form.audio is None:
        raise UploadAudioError(
            f"No recording: attach the audio as the multipart file field {FILE_FIELD!r} "
            "(5 to 10 seconds of someone speaking).", pointer="/" + FILE_FIELD)
    req = CloneFromUpload(
        name=fields.name, language=fields.language, gender=fields.gender, audio=form.audio,
        filename=form.filename, provider=fields.provider, model_id=fields.model_id,
        label=fields.label, ref_text=fields.ref_text)
    # Capture is CPU-bound for seconds: off the event loop.
    clone = await run_in_threadpool(services.clones.create_from_upload, org, req, services.engine)
    if clone.status == "pending":
        response.status_code = status.HTTP_202_ACCEPTED
    return DataEnvelope(data=VoiceCloneData.of(clone))


# A list only reads, so it runs on the event loop (as design reads do); retrieving a
# clone may mark a stale capture failed, a write, so it stays in the thread pool.
@router.get("", response_model=ListEnvelope[VoiceCloneData], responses=error_responses())
async def list_voice_clones(
    org: OrganizationDep, services: ServicesDep, query: ListQueryDep,
    filter_provider: Annotated[Literal["telnyx", "minimax", "Telnyx", "Minimax"] | None,
                               Query(alias="filter[provider]")] = None,
) -> Response:
    clones, total = services.clones.list(org, name_contains=query.name_contains,
                                         provider=filter_provider, sort=query.sort,
                                         page=query.page)
    return json_response(ListEnvelope.of([VoiceCloneData.of(c) for c in clones], total=total,
                                         number=query.page.number, size=query.page.size))


@router.get("/{id}", response_model=DataEnvelope[VoiceCloneData],
            responses=error_responses(404))
def retrieve_voice_clone(id: str, org: OrganizationDep,
                         services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    """`id` is the clone's UUID or its name. An upload clone's ``status`` is ``pending``
    while its voice is captured, then ``active`` (or ``failed``, with ``capture.error``)."""
    return DataEnvelope(data=VoiceCloneData.of(services.clones.get(org, id)))


@router.patch("/{id}", response_model=DataEnvelope[VoiceCloneData],
              responses=error_responses(400, 403, 404, 409, 413, 503, 507))
def update_voice_clone(id: str, body: VoiceCloneUpdate, org: OrganizationDep,
                       services: ServicesDep) -> DataEnvelope[VoiceCloneData]:
    clone = services.clones.update(org, id, name=body.name, gender=body.gender,
                                   language=body.language)
    return DataEnvelope(data=VoiceCloneData.of(clone))


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=error_responses(403, 404, 502, 503, 507))
def delete_voice_clone(id: str, org: OrganizationDep, services: ServicesDep) -> Response:
    """A MiniMax clone's voice is deleted at MiniMax first; if that fails (502/429) the clone
    is kept, so the delete can be sent again."""
    services.clones.delete(org, id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{id}/sample", response_class=Response,
            responses={200: {"content": audio_content("audio/wav"),
                             "description": "The audio the clone was made from."},
                       **error_responses(404)})
def download_voice_clone_sample(id: str, org: OrganizationDep, services: ServicesDep) -> Response:
    """The audio the clone was made from (for a design clone: its version's sample, byte for byte)."""
    return Response(services.clones.sample(org, id), media_type="audio/wav")
