#!/usr/bin/env bash
# Set up everything that is missing, then serve http://127.0.0.1:8000/v2.
# Arguments are passed to `voicesmith serve` (e.g. --port 9000 --data-dir ./data).
# The clone extra (cloning from uploaded recordings) is installed by default;
# VOICESMITH_EXTRAS="" serves without it (from_upload then answers 503).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "${VOICESMITH_EXTRAS-clone}"
exec .venv/bin/voicesmith serve "$@"
