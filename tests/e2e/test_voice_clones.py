"""Voice clones from designs through the official telnyx SDK."""

from __future__ import annotations

import pytest
import telnyx
from telnyx.types import VoiceCloneResponse

from tests.e2e.server import RunningServer
from tests.e2e.test_voice_designs import create, unique


def retrieve_clone(client: telnyx.Telnyx, ident: str) -> VoiceCloneResponse:
    # GET /voice_clones/{id} is documented by Telnyx but absent from the SDK.
    return client.get(f"/voice_clones/{ident}", cast_to=VoiceCloneResponse)


def make_clone(client: telnyx.Telnyx, design_id: str, name: str, **extra: object):  # type: ignore[no-untyped-def]
    return client.voice_clones.create(voice_clone_request={  # type: ignore[typeddict-item]
        "name": name, "voice_design_id": design_id, "language": "en", "gender": "male", **extra}).data


def test_clone_copies_the_design_version(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("src"), prompt="A deep, calm male voice")
    c = make_clone(client, d.id, unique("clone"))
    assert c.record_type == "voice_clone" and c.source_voice_design_id == d.id
    assert c.source_voice_design_version == 1 and c.label == "A deep, calm male voice"
    assert c.provider_voice_id == c.id and c.gender == "male" and c.language == "en"
    assert c.to_dict()["status"] == "active"
    design_wav = client.voice_designs.download_sample(d.id).read()
    assert client.voice_clones.download_sample(c.id).read() == design_wav
    assert retrieve_clone(client, c.id).data.id == c.id
    assert retrieve_clone(client, c.name).data.id == c.id


def test_clone_of_a_chosen_version(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("multi"), prompt="First prompt, a high female voice")
    client.voice_designs.create(voice_design_id=d.id, prompt="Second prompt, a deep male voice",
                                text="Another sample text here.")
    c1 = make_clone(client, d.id, unique("v1"), version=1)
    assert c1.source_voice_design_version == 1 and c1.label == "First prompt, a high female voice"
    assert client.voice_clones.download_sample(c1.id).read() == \
        client.voice_designs.download_sample(d.id, version=1).read()
    latest = make_clone(client, d.id, unique("latest"))
    assert latest.source_voice_design_version == 2
    with pytest.raises(telnyx.NotFoundError):
        make_clone(client, d.id, unique("nope"), version=7)
    with pytest.raises(telnyx.NotFoundError):
        make_clone(client, "9b2f4c1e-0000-4000-8000-000000000000", unique("nodesign"))


def test_clone_survives_design_deletion(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("ephemeral"))
    wav = client.voice_designs.download_sample(d.id).read()
    c = make_clone(client, d.id, unique("survivor"))
    client.voice_designs.delete(d.id)
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.retrieve(d.id)
    again = retrieve_clone(client, c.id).data
    assert again.source_voice_design_id == d.id and again.to_dict()["status"] == "active"
    assert client.voice_clones.download_sample(c.id).read() == wav


def test_list_update_delete_clones(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("family"))
    prefix = unique("kin")
    for i in range(3):
        make_clone(client, d.id, f"{prefix}-{i}")
    page = client.voice_clones.list(filter_name=prefix, page_size=2, filter_provider="telnyx")
    assert page.meta is not None and page.meta.total_pages == 2
    assert sorted(c.name for c in page) == [f"{prefix}-{i}" for i in range(3)]
    assert [c.name for c in client.voice_clones.list(filter_name=prefix, filter_provider="minimax")] == []

    target = f"{prefix}-0"
    with pytest.raises(telnyx.ConflictError):
        make_clone(client, d.id, target)
    with pytest.raises(telnyx.ConflictError):
        client.voice_clones.update(target, name=f"{prefix}-1")
    updated = client.voice_clones.update(target, name=f"{prefix}-renamed", gender="female",
                                         language="en").data
    assert updated.name == f"{prefix}-renamed" and updated.gender == "female"
    client.voice_clones.delete(updated.id)
    with pytest.raises(telnyx.NotFoundError):
        retrieve_clone(client, updated.id)
    with pytest.raises(telnyx.NotFoundError):
        client.voice_clones.download_sample(updated.id)
    # The shared sample is still there for the other clones and the design.
    assert client.voice_clones.download_sample(f"{prefix}-1").read() == \
        client.voice_designs.download_sample(d.id).read()


def test_clone_validation(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("strict"))
    with pytest.raises(telnyx.UnprocessableEntityError) as bad_gender:
        make_clone(client, d.id, unique("g"), gender="robot")
    assert bad_gender.value.response.json()["errors"][0]["source"]["pointer"] == "/gender"
    with pytest.raises(telnyx.UnprocessableEntityError) as german:
        client.voice_clones.create(voice_clone_request={
            "name": unique("de"), "voice_design_id": d.id, "language": "de", "gender": "male"})
    assert "German" in german.value.response.json()["errors"][0]["detail"]
