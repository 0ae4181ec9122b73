"""Several processes as operators deploy them: PostgreSQL, an S3 store, two replicas,
a capture worker, and nginx in front with the shipped deploy/nginx.conf.

All on loopback: the S3 store is moto's server (a stand-in, README "Scale out"),
the replicas run the tiny model. Each request goes to a named replica directly,
or through nginx, with the official SDK.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import soundfile as sf
import telnyx
from telnyx import Telnyx

from tests.e2e.server import VOICESMITH, RunningServer, server_env
from tests.e2e.speech_helpers import ws_audio
from tests.e2e.test_speech_api import TEXT
from tests.e2e.test_upload_clones import SHORT_TEXT, _wav, upload, wait_until_settled
from tests.e2e.test_voice_clones import retrieve_clone
from tests.e2e.test_voice_designs import unique
from tests.support.nginx import find_nginx, running_nginx
from tests.support.postgres import Postgres
from tests.support.s3_standin import S3StandIn, s3_standin
from tests.unit.cloning.conftest import SPEECH

REPLICA = "x-voicesmith-replica"
CAPACITY = 2  # syntheses per replica


@dataclass
class Worker:
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        log = open(self.data_dir / "worker.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen([*VOICESMITH, "worker", "--data-dir", str(self.data_dir),
                                      "--log-level", "warning"], stdout=log, stderr=log, env=self.env)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def freeze(self) -> None:
        """SIGSTOP: the worker halts wherever it is (kill still ends it)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Cluster:
    a: RunningServer
    b: RunningServer
    worker: Worker
    nginx_url: str
    s3: S3StandIn
    bucket: str

    def via_nginx(self) -> Telnyx:
        return Telnyx(api_key=self.a.key, base_url=f"{self.nginx_url}/v2")

    def blob_count(self) -> int:
        listing = self.s3.client().list_objects_v2(Bucket=self.bucket, Prefix="blobs/")
        return int(listing.get("KeyCount", 0))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path,
            postgres: Postgres) -> Iterator[Cluster]:
    nginx = find_nginx()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: scripts/test.sh installs it (nginx)")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    root = tmp_path_factory.mktemp("cluster")
    with s3_standin(root) as s3:
        bucket = s3.create_bucket("voicesmith")
        env = server_env(VOICESMITH_MODEL_PATH=str(tiny_model),
                         VOICESMITH_DATABASE_URL=postgres.create_database("cluster"),
                         VOICESMITH_BLOB_URL=f"s3://{bucket}/blobs",
                         VOICESMITH_CAPTURE_QUEUE="postgres",
                         # answer uploads at once: captures (seconds) are always
                         # still queued or running when the tests look
                         VOICESMITH_UPLOAD_WAIT_SECONDS="0",
                         VOICESMITH_MAX_ACTIVE_SYNTHESES=str(CAPACITY), **s3.env)
        dirs = {name: root / name for name in ("a", "b", "worker", "nginx")}
        for folder in dirs.values():
            folder.mkdir()
        a = RunningServer(dirs["a"], {**env, "VOICESMITH_REPLICA_ID": "replica-a"}).start()
        b = RunningServer(dirs["b"], {**env, "VOICESMITH_REPLICA_ID": "replica-b"},
                          key=a.key).start()
        worker = Worker(dirs["worker"], env).start()
        try:
            with running_nginx(nginx, {"replica-a": a.port, "replica-b": b.port},
                               dirs["nginx"]) as url:
                yield Cluster(a, b, worker, url, s3, bucket)
        finally:
            worker.stop()
            b.stop()
            a.stop()


def test_every_response_names_its_replica(cluster: Cluster) -> None:
    assert httpx.get(f"{cluster.a.base_url}/voice_designs").headers[REPLICA] == "replica-a"
    assert httpx.get(f"{cluster.b.base_url}/voice_designs").headers[REPLICA] == "replica-b"
    # Through nginx, concurrent requests spread over both (least connections).
    seen: set[str] = set()

    def read() -> None:
        raw = cluster.via_nginx().voice_designs.with_raw_response.list()
        seen.add(raw.headers[REPLICA])

    for _ in range(3):
        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert seen == {"replica-a", "replica-b"}


def test_a_key_made_with_the_cli_works_on_every_replica(cluster: Cluster) -> None:
    key = cluster.a.cli("keys", "create", unique("operator")).strip()  # the configured database
    for replica in (cluster.a, cluster.b):
        assert replica.client(key=key).voice_designs.list().data is not None
    assert cluster.via_nginx().voice_designs.list().data is not None


def test_a_design_made_on_one_replica_is_served_by_the_other(cluster: Cluster) -> None:
    name = unique("cluster-design")
    made = cluster.a.client().voice_designs.create(name=name, prompt="A calm, low male voice",
                                                   text="Hello from replica A.")
    on_b = cluster.b.client().voice_designs.retrieve(made.data.id)
    assert on_b.data.name == name
    sample_a = cluster.a.client().voice_designs.download_sample(made.data.id).read()
    sample_b = cluster.b.client().voice_designs.download_sample(made.data.id).read()
    assert sample_a == sample_b and sf.info(io.BytesIO(sample_b)).duration > 0.3
    clone = cluster.b.client().voice_clones.create(voice_clone_request={
        "name": unique("cluster-clone"), "voice_design_id": made.data.id,
        "language": "en", "gender": "male"})
    assert retrieve_clone(cluster.via_nginx(), clone.data.id).data.name == clone.data.name
    assert cluster.blob_count() >= 1  # the sample is in the object store, not a replica's disk


def test_an_upload_to_one_replica_is_captured_by_the_worker_and_active_on_the_other(
        cluster: Cluster) -> None:
    audio = _wav(*sf.read(SPEECH, dtype="float32"))
    raw = upload(cluster.a.client(), unique("cluster-upload"), audio, ref_text=SHORT_TEXT)
    assert raw.status_code in (201, 202)
    clone_id = raw.parse().data.id
    clone = wait_until_settled(cluster.b.client(), clone_id)
    assert clone.to_dict()["status"] == "active"


def test_a_capture_survives_its_worker_being_killed(cluster: Cluster) -> None:
    cluster.worker.kill()
    audio = _wav(*sf.read(SPEECH, dtype="float32"))
    raw = upload(cluster.b.client(), unique("cluster-restart"), audio, ref_text=SHORT_TEXT)
    assert raw.status_code == 202  # no worker: queued, pending
    clone_id = raw.parse().data.id
    assert retrieve_clone(cluster.a.client(), clone_id).data.to_dict()["status"] == "pending"
    cluster.a.stop()  # a replica restarting meanwhile fails nothing either
    cluster.a.start()
    assert retrieve_clone(cluster.a.client(), clone_id).data.to_dict()["status"] == "pending"
    cluster.worker.start()
    clone = wait_until_settled(cluster.a.client(), clone_id)
    assert clone.to_dict()["status"] == "active"


def test_a_running_capture_whose_worker_dies_is_run_again_by_the_next(cluster: Cluster) -> None:
    import psycopg

    audio = _wav(*sf.read(SPEECH, dtype="float32"))
    conninfo = cluster.a.env["VOICESMITH_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(conninfo, autocommit=True) as db:
        def job_status(clone_id: str) -> str | None:
            row = db.execute("SELECT status FROM procrastinate_jobs WHERE args->>'clone_id' = %s",
                             (clone_id,)).fetchone()
            return None if row is None else str(row[0])

        # A capture takes seconds; the worker is frozen (SIGSTOP) as soon as its job is
        # seen running, so it is caught mid-capture. One that ended within the 0.1 s poll
        # is tried again.
        for _ in range(3):
            raw = upload(cluster.a.client(), unique("cluster-running"), audio)
            assert raw.status_code == 202  # the replicas wait 0 s: queued, pending
            clone_id = raw.parse().data.id
            deadline = time.monotonic() + 60
            while job_status(clone_id) not in ("doing", "succeeded"):
                if time.monotonic() > deadline:
                    pytest.fail("the worker never started the capture")
                time.sleep(0.1)
            cluster.worker.freeze()
            if job_status(clone_id) == "doing":
                break
            cluster.worker.thaw()
        else:
            pytest.fail("every capture ended before the worker could be frozen")
    cluster.worker.kill()  # mid-capture, no cleanup
    assert retrieve_clone(cluster.b.client(), clone_id).data.to_dict()["status"] == "pending"
    cluster.worker.start()
    clone = wait_until_settled(cluster.b.client(), clone_id)
    assert clone.to_dict()["status"] == "active"


def test_websocket_and_streamed_speech_pass_through_nginx(cluster: Cluster) -> None:
    client = cluster.via_nginx()
    with client.text_to_speech.with_streaming_response.generate_speech(
            text=TEXT, voice="Telnyx.Kokoro.af_heart") as resp:
        assert resp.status_code == 200
        chunks = list(resp.iter_bytes())
    assert len(chunks) > 1  # streamed, not buffered whole by the proxy
    assert sf.info(io.BytesIO(b"".join(chunks))).duration > 1.0
    with client.text_to_speech.stream(extra_query={
            "voice": "Telnyx.Kokoro.af_heart", "audio_format": "linear16",
            "sample_rate": "16000"}) as conn:
        conn.send({"text": " "})
        conn.send({"text": "Through the proxy. And back again."})
        conn.send({"text": ""})
        audio, events = ws_audio(conn)
    assert events[-1].type == "final" and len(audio) > 16000


def test_a_replica_at_capacity_refuses_and_nginx_passes_speech_to_the_other(
        cluster: Cluster) -> None:
    # Long enough that the server blocks on a full socket (loopback buffers take
    # megabytes) long before it is done: the stream, and its slot, stay open.
    long_text = " ".join(f"Sentence {i} keeps this stream busy." for i in range(2500))[:99_000]
    auth = {"Authorization": f"Bearer {cluster.a.key}"}
    body = {"text": long_text, "voice": "Telnyx.Kokoro.af_heart", "disable_cache": True}
    with httpx.Client(timeout=60) as held:
        streams = []
        try:
            for _ in range(CAPACITY):  # read one chunk, then stop reading: the slot stays taken
                request = held.build_request("POST", f"{cluster.a.base_url}/text-to-speech/speech",
                                             json=body, headers=auth)
                response = held.send(request, stream=True)
                assert response.status_code == 200
                # Kept: a byte iterator dropped is closed, and the response with it.
                chunks = response.iter_raw()
                next(chunks)
                streams.append((response, chunks))
            refused = httpx.post(f"{cluster.a.base_url}/text-to-speech/speech", headers=auth,
                                 json={"text": "One more, please.", "voice": "af_heart"})
            assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
            assert refused.json()["errors"][0]["code"] == "10011"
            # Through nginx every speech request is served: those sent to A go on to B.
            for i in range(4):
                raw = cluster.via_nginx().text_to_speech.with_raw_response.generate_speech(
                    text=f"Served elsewhere, {i}.", voice="Telnyx.Kokoro.af_heart")
                assert raw.status_code == 200 and raw.headers[REPLICA] == "replica-b"
        finally:
            for response, _ in streams:
                response.close()


def test_audio_id_audio_downloads_through_nginx_whichever_replica_made_it(
        cluster: Cluster) -> None:
    client = cluster.via_nginx()
    auth = {"Authorization": f"Bearer {cluster.a.key}"}
    made: set[str] = set()
    for attempt in range(12):  # until each replica has made one
        raw = client.text_to_speech.with_raw_response.generate_speech(
            text=f"Kept for later, take {attempt}.", voice="Telnyx.Kokoro.af_heart",
            output_type="audio_id")  # type: ignore[arg-type]
        url = raw.parse().to_dict()["audio_url"]
        assert url.startswith(f"{cluster.nginx_url}/v2/")  # the link leads back through nginx
        for _ in range(4):  # least_conn sends some to the replica without it
            got = httpx.get(url, headers=auth, timeout=60)
            assert got.status_code == 200 and sf.info(io.BytesIO(got.content)).duration > 0.5
        made.add(raw.headers[REPLICA])
        if len(made) == 2:
            break
    assert made == {"replica-a", "replica-b"}
    missing = httpx.get(f"{cluster.nginx_url}/v2/text-to-speech/speech/{'0' * 8}-0000-4000-8000-"
                        f"{'0' * 12}", headers={"Authorization": f"Bearer {cluster.a.key}"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "10005"


def test_a_replica_killed_mid_stream_ends_the_stream_and_nginx_serves_the_rest(
        cluster: Cluster) -> None:
    client = cluster.via_nginx()
    names = [cluster.a.client().voice_designs.create(
        name=unique("before-kill"), prompt="A bright young woman", text="Kept.").data.name
        for _ in range(2)]
    long_text = " ".join(["This sentence keeps the stream going for a while."] * 40)
    # Streams through nginx until one lands on replica A, which is then killed.
    started = time.monotonic()
    ended_cleanly = False
    while time.monotonic() - started < 60 and not ended_cleanly:
        with client.text_to_speech.with_streaming_response.generate_speech(
                text=long_text, voice="Telnyx.Kokoro.af_heart") as resp:
            if resp.headers[REPLICA] != "replica-a":
                continue
            stream = resp.iter_bytes()
            next(stream)
            cluster.a.kill()
            with pytest.raises((httpx.HTTPError, telnyx.APIError)):
                for _ in stream:
                    pass
            ended_cleanly = True
    assert ended_cleanly, "no stream landed on replica A"
    try:
        for _ in range(6):  # every request now goes to B, none fails
            listed = client.voice_designs.with_raw_response.list(page_size=250)
            assert listed.headers[REPLICA] == "replica-b"
            assert set(names) <= {d.name for d in listed.parse().data}
        speech = client.text_to_speech.with_raw_response.generate_speech(
            text="Still here.", voice="Telnyx.Kokoro.af_heart")
        assert speech.status_code == 200
    finally:
        cluster.a.start()
