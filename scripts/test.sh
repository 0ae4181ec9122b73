#!/usr/bin/env bash
# Set up everything that is missing (with the test extra), lint and type-check, then run
# the whole suite.
# Arguments are passed to pytest (e.g. -k clones, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,eval
.venv/bin/ruff check src tests
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
