#!/usr/bin/env bash
# Set up everything that is missing (with the test extra), lint and type-check, then run
# the whole suite.
# Arguments are passed to pytest (e.g. -k clones, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,eval
# The end-to-end suite also runs on a real PostgreSQL server it starts itself
# (tests/support/postgres.py): Debian's package, installed here when missing.
source scripts/apt_install.sh
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  apt_install postgresql "the e2e suite runs on it too" \
    "install it (Debian: postgresql), or its e2e run is skipped (and fails under CI=true)." \
    || true
fi
# The multi-replica test puts the shipped deploy/nginx.conf in front of two replicas.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt_install nginx "the multi-replica test runs behind it" \
    "install it (Debian: nginx), or that test is skipped (and fails under CI=true)." \
    || true
fi
# The design lab's browser tests (tests/e2e/test_lab.py) drive Debian's Chromium through
# Playwright (launched by path: Playwright's own browser download cannot work offline).
if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium "the design lab's browser tests drive it" \
    "install it (Debian: chromium), or the lab's browser tests are skipped (and fail under CI=true)." \
    || true
fi
.venv/bin/ruff check src tests
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
