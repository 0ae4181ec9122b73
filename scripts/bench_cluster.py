"""`voicesmith bench --quick --url` against one replica, then two replicas behind nginx, in one run.

Starts what the multi-process test starts (tests/support: PostgreSQL, moto's S3 server as
the S3 stand-in, the shipped deploy/nginx.conf) with the real model, so the figures compare
one replica directly with two through the load balancer. Needs the test extra and
PostgreSQL and nginx installed (scripts/test.sh installs them).

    .venv/bin/python scripts/bench_cluster.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server import VOICESMITH, RunningServer, server_env
from tests.support.nginx import find_nginx, running_nginx
from tests.support.postgres import find_postgres, running_postgres
from tests.support.s3_standin import s3_standin


def main() -> None:
    postgres, nginx = find_postgres(), find_nginx()
    if postgres is None or nginx is None:
        sys.exit("needs PostgreSQL and nginx (Debian: postgresql, nginx)")
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    with running_postgres(postgres) as pg, s3_standin(root) as s3:
        bucket = s3.create_bucket("voicesmith")
        env = server_env(VOICESMITH_DATABASE_URL=pg.create_database("bench"),
                         VOICESMITH_BLOB_URL=f"s3://{bucket}/blobs",
                         VOICESMITH_CAPTURE_QUEUE="postgres", **s3.env)
        for name in ("a", "b", "nginx"):
            (root / name).mkdir()
        a = RunningServer(root / "a", {**env, "VOICESMITH_REPLICA_ID": "replica-a"}).start(300)
        b = RunningServer(root / "b", {**env, "VOICESMITH_REPLICA_ID": "replica-b"},
                          key=a.key).start(300)
        try:
            with running_nginx(nginx, {"replica-a": a.port, "replica-b": b.port},
                               root / "nginx") as url:
                for label, base in (("one replica, direct", a.base_url),
                                    ("two replicas through nginx", f"{url}/v2")):
                    print(f"===== {label}: {base}", flush=True)
                    out = root / f"{label.split()[0]}.json"
                    subprocess.run([*VOICESMITH, "bench", "--quick", "--url", base, "--key",
                                    str(a.key), "--out", str(out)], env=env, check=True)
        finally:
            b.stop()
            a.stop()
    print(f"JSON results in {root}")


if __name__ == "__main__":
    main()
