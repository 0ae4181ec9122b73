#!/usr/bin/env bash
# Set up everything that is missing (with the test extra), then run the whole suite.
# Arguments are passed to pytest (e.g. -k clones, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,eval
exec .venv/bin/python -m pytest "$@"
