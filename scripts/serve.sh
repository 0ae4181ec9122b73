#!/usr/bin/env bash
# Set up everything that is missing, then serve http://127.0.0.1:8000/v2.
# Arguments are passed to `voicesmith serve` (e.g. --port 9000 --data-dir ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/voicesmith serve "$@"
