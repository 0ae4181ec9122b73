#!/usr/bin/env bash
# Set up everything that is missing (with the test extra), lint and type-check, then run
# the whole suite.
# Arguments are passed to pytest (e.g. -k clones, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,eval
# The end-to-end suite also runs on a real PostgreSQL server it starts itself
# (tests/support/postgres.py): Debian's package, installed here when missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL not found: installing it with apt-get (the e2e suite runs on it too)" >&2
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL not found: install it (Debian: postgresql) for the e2e suite's" \
         "PostgreSQL run, or it is skipped (and fails under CI=true)." >&2
  fi
fi
.venv/bin/ruff check src tests
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
