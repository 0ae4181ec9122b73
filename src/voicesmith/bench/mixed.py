"""Mixed load: many clients doing what an application does, all at once.

Reads (design and clone lists and retrieves), renames, clone create + delete
and short speech requests, shuffled in a fixed order and sent by
``concurrency`` threads through one connection pool. Each request is timed
and its status kept: the scenario reports throughput, p50/p99 per kind, and
every error (a status the request should not get, or no answer at all). The
bench runs 1,000 requests at concurrency 16; the test suite runs a smaller
one against a server on the tiny model and requires no error.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from voicesmith.bench.http import SPEECH_PATH, speech_body
from voicesmith.bench.probes import percentile

# Share of each kind of request (they add up to 1): mostly reads, as in use.
MIX: dict[str, float] = {"read": 0.6, "rename": 0.15, "clone": 0.1, "speech": 0.15}
SPEECH_TEXT = "Thanks for calling, one moment please."
EXPECTED = {"read": {200}, "rename": {200}, "clone": {201, 204}, "speech": {200}}


@dataclass
class MixedResult:
    requests: int
    concurrency: int
    wall_s: float
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)  # "kind: status or exception"

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s if self.wall_s > 0 else float("nan")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def quantiles(self) -> dict[str, dict[str, float]]:
        return {kind: {"p50": percentile(v, 50), "p99": percentile(v, 99), "n": len(v)}
                for kind, v in sorted(self.latencies_ms.items())}


def _plan(requests: int, seed: int) -> list[str]:
    """Each kind's share of ``requests``, shuffled the same way every run."""
    kinds = [kind for kind, share in MIX.items() for _ in range(round(share * requests))]
    kinds = (kinds + ["read"] * requests)[:requests]
    random.Random(seed).shuffle(kinds)
    return kinds


class _Workload:
    """The requests of each kind, over a few designs made beforehand."""

    def __init__(self, client: httpx.Client, voice_id: str, designs: list[str]) -> None:
        self.client, self.voice_id, self.designs = client, voice_id, designs
        self._lock = threading.Lock()
        self._n = 0

    def _next(self) -> int:
        with self._lock:
            self._n += 1
            return self._n

    def read(self) -> list[int]:
        n = self._next()
        path = ("/voice_designs", f"/voice_designs/{self.designs[n % len(self.designs)]}",
                "/voice_clones")[n % 3]
        return [self.client.get(path).status_code]

    def rename(self) -> list[int]:
        n = self._next()
        design = self.designs[n % len(self.designs)]
        name = f"mixed-{uuid.uuid4().hex[:12]}"
        return [self.client.patch(f"/voice_designs/{design}", json={"name": name}).status_code]

    def clone(self) -> list[int]:
        n = self._next()
        created = self.client.post("/voice_clones", json={
            "name": f"mixed-clone-{uuid.uuid4().hex[:12]}", "language": "en",
            "gender": "female", "voice_design_id": self.designs[n % len(self.designs)]})
        if created.status_code != 201:
            return [created.status_code]
        clone_id = created.json()["data"]["id"]
        return [201, self.client.delete(f"/voice_clones/{clone_id}").status_code]

    def speech(self) -> list[int]:
        body = speech_body(SPEECH_TEXT, self.voice_id)
        return [self.client.post(SPEECH_PATH, json=body).status_code]


def make_designs(client: httpx.Client, count: int) -> list[str]:
    ids = []
    for i in range(count):
        response = client.post("/voice_designs", json={
            "name": f"mixed-{i}-{uuid.uuid4().hex[:8]}", "prompt": "A calm, warm female voice",
            "text": "Hello.", "seed": i})
        response.raise_for_status()
        ids.append(response.json()["data"]["id"])
    return ids


def run_mixed(url: str, key: str, voice_id: str, *, requests: int = 1000,
              concurrency: int = 16, designs: int = 4, seed: int = 2026) -> MixedResult:
    """Send the mixed workload to the server at ``url`` (its /v2 base)."""
    with httpx.Client(base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"},
                      timeout=120.0, limits=httpx.Limits(max_connections=concurrency)) as client:
        work = _Workload(client, voice_id, make_designs(client, designs))
        actions: dict[str, Callable[[], list[int]]] = {
            "read": work.read, "rename": work.rename, "clone": work.clone, "speech": work.speech}
        result = MixedResult(requests, concurrency, 0.0, {kind: [] for kind in MIX})
        lock = threading.Lock()

        def one(kind: str) -> None:
            t0 = time.perf_counter()
            try:
                statuses = actions[kind]()
            except httpx.HTTPError as exc:  # no answer: a timeout, a reset connection
                statuses, failure = [], type(exc).__name__
            else:
                failure = ", ".join(str(s) for s in statuses if s not in EXPECTED[kind])
            with lock:
                result.latencies_ms[kind].append((time.perf_counter() - t0) * 1000)
                if failure:
                    result.errors[f"{kind}: {failure}"] += 1

        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, _plan(requests, seed)))
        result.wall_s = time.perf_counter() - start
    return result
