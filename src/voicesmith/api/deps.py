"""Dependencies: the services built at start-up, the caller's organization, paging.

Every authenticated route gets its caller's organization through one function,
``authorize``: the key is checked (401), charged one request against its rate
limit (429), then its scope is checked against what the request does (403).
What a request does is its method (GET reads, anything else writes) unless
the route says it only speaks (``SpeakerDep``). A new route that changes
something is therefore closed to read-only keys without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from voicesmith.api.openapi import bearer_auth
from voicesmith.engine.base import SpeechEngine
from voicesmith.providers import Providers
from voicesmith.store.repositories import Page, SortKey
from voicesmith.voices.audio_jobs import AudioJobs
from voicesmith.voices.clones import CloneService
from voicesmith.voices.designs import DesignService
from voicesmith.voices.keys import Access, KeyService
from voicesmith.voices.rate_limits import RateLimiter
from voicesmith.voices.speech import SpeechService
from voicesmith.voices.voice_ids import VoiceResolver


@dataclass(frozen=True)
class Services:
    keys: KeyService
    designs: DesignService
    clones: CloneService
    engine: SpeechEngine
    voices: VoiceResolver
    speech: SpeechService
    audio_jobs: AudioJobs
    rate_limits: RateLimiter
    providers: Providers = field(default_factory=Providers)


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def``
# in its thread pool, and each such hop cost a read about a millisecond.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

# auto_error=False: a missing header is our 401 in the Telnyx envelope, not FastAPI's 403.
_bearer = bearer_auth(auto_error=False)


def authorize(services: Services, token: str | None, access: Access) -> str:
    """The caller's organization, if its key is valid, within its rate and allowed ``access``."""
    key = services.keys.authenticate(token)
    # Charged before the scope check: refused requests cost the same as any other.
    services.rate_limits.take(key.id)
    key.require(access)
    return key.organization


_READ_METHODS = frozenset({"GET", "HEAD"})


# Authentication is one indexed read of a local database (WAL: readers never wait
# for a writer), so it runs on the event loop: a thread-pool hop cost every
# request more than the lookup itself.
async def get_organization(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    access = Access.READ if request.method in _READ_METHODS else Access.WRITE
    return authorize(services, credentials.credentials if credentials else None, access)


async def get_speaker_organization(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    return authorize(services, credentials.credentials if credentials else None, Access.SPEAK)


OrganizationDep = Annotated[str, Depends(get_organization)]
# For routes that only speak (POST speech): read-only keys may use them.
SpeakerDep = Annotated[str, Depends(get_speaker_organization)]


def bearer_token(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Bearer <key>`` header (WebSockets read it by hand)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


@dataclass(frozen=True)
class ListQuery:
    name_contains: str | None
    sort: SortKey
    page: Page


async def get_list_query(
    filter_name: Annotated[str | None, Query(alias="filter[name]", max_length=255)] = None,
    page_number: Annotated[int, Query(alias="page[number]", ge=1)] = 1,
    page_size: Annotated[int, Query(alias="page[size]", ge=1, le=250)] = 20,
    sort: Annotated[Literal["name", "-name", "created_at", "-created_at"], Query()] = "-created_at",
) -> ListQuery:
    return ListQuery(name_contains=filter_name, sort=sort, page=Page(page_number, page_size))


ListQueryDep = Annotated[ListQuery, Depends(get_list_query)]
