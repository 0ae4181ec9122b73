"""Concurrent writes on one resource, on both databases (fast_server runs on each):
unique names, version numbers and the version cap hold, and no update is lost."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.server import RunningServer

CALLERS = 6


def _client(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=120,
                        headers={"Authorization": f"Bearer {server.key}"})


def _at_once(server: RunningServer, bodies: list[dict[str, object]]) -> list[httpx.Response]:
    with _client(server) as client, ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda body: client.post("/voice_designs", json=body), bodies))


def _design(server: RunningServer, name: str) -> dict[str, object]:
    with _client(server) as client:
        made = client.post("/voice_designs", json={"name": name, "prompt": "A calm voice",
                                                    "text": "Hi."})
        assert made.status_code == 201, made.text
        data: dict[str, object] = made.json()["data"]
        return data


def test_one_name_taken_at_once_by_many_is_given_to_one(fast_server: RunningServer) -> None:
    name = f"race-{uuid.uuid4().hex[:8]}"
    answers = _at_once(fast_server, [{"name": name, "prompt": "A calm voice", "text": "Hi."}
                                     for _ in range(CALLERS)])
    assert sorted(r.status_code for r in answers) == [201] + [409] * (CALLERS - 1), \
        [r.text for r in answers]
    with _client(fast_server) as client:
        listed = client.get("/voice_designs", params={"filter[name]": name}).json()
    assert listed["meta"]["total_results"] == 1


def test_versions_made_at_once_each_get_their_own_number(fast_server: RunningServer) -> None:
    design = _design(fast_server, f"race-v-{uuid.uuid4().hex[:8]}")
    answers = _at_once(fast_server, [{"voice_design_id": design["id"], "prompt": f"Voice {i}",
                                      "text": "Hi."} for i in range(CALLERS)])
    assert [r.status_code for r in answers] == [201] * CALLERS, [r.text for r in answers]
    numbers = sorted(r.json()["data"]["version"] for r in answers)
    assert numbers == list(range(2, 2 + CALLERS))
    with _client(fast_server) as client:
        listed = client.get("/voice_designs", params={"filter[name]": design["name"]}).json()
        assert listed["data"][0]["version_count"] == 1 + CALLERS
        # Each version keeps what its own request sent: no update was lost.
        prompts = {client.get(f"/voice_designs/{design['id']}",
                              params={"version": n}).json()["data"]["prompt"] for n in numbers}
    assert prompts == {f"Voice {i}" for i in range(CALLERS)}


def test_the_version_cap_holds_under_concurrent_versions(fast_server: RunningServer) -> None:
    design = _design(fast_server, f"race-cap-{uuid.uuid4().hex[:8]}")
    with _client(fast_server) as client:
        for _ in range(46):  # 47 versions: room for 3 more
            made = client.post("/voice_designs", json={"voice_design_id": design["id"],
                                                       "prompt": "A calm voice", "text": "Hi."})
            assert made.status_code == 201, made.text
    answers = _at_once(fast_server, [{"voice_design_id": design["id"], "prompt": "One more",
                                      "text": "Hi."} for _ in range(CALLERS)])
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 3 + [409] * (CALLERS - 3), [r.text for r in answers]
    refused = [r.json()["errors"][0] for r in answers if r.status_code == 409]
    assert all("50" in e["detail"] and e["source"]["pointer"] == "/voice_design_id"
               for e in refused)
    with _client(fast_server) as client:
        latest = client.get(f"/voice_designs/{design['id']}").json()["data"]
        listed = client.get("/voice_designs", params={"filter[name]": design["name"]}).json()
    assert latest["version"] == 50 and listed["data"][0]["version_count"] == 50
