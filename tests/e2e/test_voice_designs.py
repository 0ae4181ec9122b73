"""Voice designs through the official telnyx SDK against a real server."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
import soundfile as sf
import telnyx

from tests.e2e.server import RunningServer


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(client: telnyx.Telnyx, name: str, prompt: str = "A deep, calm male voice",
           text: str = "Hello, welcome.", **kw: object):  # type: ignore[no-untyped-def]
    return client.voice_designs.create(name=name, prompt=prompt, text=text, **kw).data  # type: ignore[arg-type]


def test_create_retrieve_and_download_sample(fast_server: RunningServer) -> None:
    client = fast_server.client()
    name = unique("narrator")
    d = create(client, name)
    assert d.record_type == "voice_design" and d.version == 1 and d.name == name
    assert d.prompt == "A deep, calm male voice" and d.text == "Hello, welcome."
    assert d.provider_voice_id and d.provider_voice_id != d.id
    assert d.version_created_at is not None and d.created_at is not None
    # The parsed prompt comes back as an extra field the SDK keeps.
    assert d.model_extra and d.model_extra["voice_traits"]["gender"] == "male"

    by_id = client.voice_designs.retrieve(d.id).data
    by_name = client.voice_designs.retrieve(name).data
    assert by_id.id == by_name.id == d.id

    wav = client.voice_designs.download_sample(d.id).read()
    assert len(wav) == d.voice_sample_size
    samples, rate = sf.read(io.BytesIO(wav))
    assert rate == 24_000 and samples.ndim == 1 and len(samples) > 2_400


def test_prompts_in_other_languages_ages_personas_and_typos_reach_voice_traits(
        fast_server: RunningServer) -> None:
    client = fast_server.client()
    fr = create(client, unique("fr"), prompt="Voix d'homme grave et chaleureuse, la soixantaine")
    traits = fr.model_extra["voice_traits"] if fr.model_extra else {}
    assert traits["gender"] == "male" and 60 <= traits["age_years"] < 70
    assert traits["prompt_language"] == "fr" and traits["pitch"] < 0
    en = create(client, unique("sergeant"), prompt="a 7-year-old girl, hihg pitched, like a drill sergeant")
    traits = en.model_extra["voice_traits"] if en.model_extra else {}
    assert (traits["age"], traits["age_years"], traits["persona"]) == ("child", 7, "drill sergeant")
    assert "hihg -> high" in traits["corrections"] and traits["pitch"] > 0
    # the traits are stored with the version: a retrieve returns the same reading
    again = client.voice_designs.retrieve(en.id).data
    assert again.model_extra and again.model_extra["voice_traits"] == traits


def test_versions_append_retrieve_and_delete(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d1 = create(client, unique("versions"))
    d2 = client.voice_designs.create(voice_design_id=d1.id, prompt="A brighter, faster voice",
                                     text="Second take.").data
    assert d2.id == d1.id and d2.version == 2 and d2.provider_voice_id != d1.provider_voice_id
    assert client.voice_designs.retrieve(d1.id).data.version == 2
    assert client.voice_designs.retrieve(d1.id, version=1).data.prompt == d1.prompt
    v1_sample = client.voice_designs.download_sample(d1.id, version=1).read()
    assert len(v1_sample) == d1.voice_sample_size

    client.voice_designs.delete_version(1, id=d1.id)
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.retrieve(d1.id, version=1)
    assert client.voice_designs.retrieve(d1.id).data.version == 2
    # Lists and renames say how many versions there are and which is the latest.
    listed = _summary(fast_server, d1.name)
    assert (listed["version_count"], listed["latest_version"]) == (1, 2)
    client.voice_designs.create(voice_design_id=d1.id, prompt="Slower", text="Third.")
    assert (_summary(fast_server, d1.name)["version_count"],
            _summary(fast_server, d1.name)["latest_version"]) == (2, 3)
    renamed = httpx.patch(f"{fast_server.base_url}/voice_designs/{d1.id}",
                          json={"name": d1.name + "-r"},
                          headers={"Authorization": f"Bearer {fast_server.key}"}).json()["data"]
    assert (renamed["version_count"], renamed["latest_version"]) == (2, 3)
    # The only version left cannot be deleted on its own: delete the design.
    client.voice_designs.delete_version(3, id=d1.id)
    with pytest.raises(telnyx.ConflictError):
        client.voice_designs.delete_version(2, id=d1.id)
    bad = httpx.delete(f"{fast_server.base_url}/voice_designs/{d1.id}/versions/abc",
                       headers={"Authorization": f"Bearer {fast_server.key}"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["source"]["pointer"] == "/version"


def _summary(server: RunningServer, name: str) -> dict[str, object]:
    listed = httpx.get(f"{server.base_url}/voice_designs", params={"filter[name]": name},
                       headers={"Authorization": f"Bearer {server.key}"}).json()["data"]
    return next(d for d in listed if d["name"] == name)


def test_list_paginates_filters_and_sorts(fast_server: RunningServer) -> None:
    client = fast_server.client()
    prefix = unique("page")
    names = [f"{prefix}-{i}" for i in range(5)]
    for n in names:
        create(client, n)
    first = client.voice_designs.list(filter_name=prefix.upper(), page_size=2)
    assert first.meta is not None and first.meta.total_pages == 3
    assert len(first.data) == 2
    # Auto-pagination walks every page.
    assert sorted(d.name for d in first) == names
    by_name = [d.name for d in client.voice_designs.list(filter_name=prefix, sort="name", page_size=250)]
    assert by_name == names
    by_name_desc = [d.name for d in client.voice_designs.list(filter_name=prefix, sort="-name")]
    assert by_name_desc == names[::-1]
    newest_first = [d.name for d in client.voice_designs.list(filter_name=prefix)]
    assert newest_first == names[::-1]
    # Past the last page: no designs, and still the total.
    beyond = httpx.get(f"{fast_server.base_url}/voice_designs",
                       params={"filter[name]": prefix, "page[number]": 9, "page[size]": 2},
                       headers={"Authorization": f"Bearer {fast_server.key}"}).json()
    assert beyond["data"] == [] and beyond["meta"]["total_results"] == 5


def test_rename_and_duplicate_names(fast_server: RunningServer) -> None:
    client = fast_server.client()
    a, b = unique("rename-a"), unique("rename-b")
    d = create(client, a)
    create(client, b)
    with pytest.raises(telnyx.ConflictError) as dup:
        create(client, a)
    assert dup.value.response.headers["x-should-retry"] == "false"
    with pytest.raises(telnyx.ConflictError):
        client.voice_designs.rename(d.id, name=b)
    renamed = client.voice_designs.rename(d.id, name=a + "-new").data
    assert renamed.name == a + "-new"
    assert client.voice_designs.retrieve(a + "-new").data.id == d.id
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.retrieve(a)


def test_delete_design(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("doomed"))
    client.voice_designs.delete(d.id)
    with pytest.raises(telnyx.NotFoundError) as gone:
        client.voice_designs.retrieve(d.id)
    assert gone.value.response.json()["errors"][0]["code"] == "10005"
    with pytest.raises(telnyx.NotFoundError):
        client.voice_designs.delete(d.id)


def test_fifty_version_cap(fast_server: RunningServer) -> None:
    client = fast_server.client()
    d = create(client, unique("capped"), text="Hi.")
    for _ in range(49):
        client.voice_designs.create(voice_design_id=d.id, prompt="A calm voice", text="Hi.")
    assert client.voice_designs.retrieve(d.id).data.version == 50
    with pytest.raises(telnyx.ConflictError) as full:
        client.voice_designs.create(voice_design_id=d.id, prompt="One too many", text="Hi.")
    assert full.value.response.headers["x-should-retry"] == "false"
    assert "50" in full.value.response.json()["errors"][0]["detail"]
    assert client.voice_designs.retrieve(d.id).data.version == 50


def test_seed_reproduces_a_design_exactly(fast_server: RunningServer) -> None:
    client = fast_server.client()
    args = {"prompt": "A warm, slightly husky female narrator", "text": "The same words."}
    a = client.voice_designs.create(name=unique("seed-a"), extra_body={"seed": 1234},
                                    prompt=args["prompt"], text=args["text"]).data
    b = client.voice_designs.create(name=unique("seed-b"), extra_body={"seed": 1234},
                                    prompt=args["prompt"], text=args["text"]).data
    wav_a = client.voice_designs.download_sample(a.id).read()
    wav_b = client.voice_designs.download_sample(b.id).read()
    assert wav_a == wav_b
    c = client.voice_designs.create(name=unique("seed-c"), extra_body={"seed": 99},
                                    prompt=args["prompt"], text=args["text"]).data
    assert client.voice_designs.download_sample(c.id).read() != wav_a
