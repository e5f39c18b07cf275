#!/usr/bin/env bash
# Run the test suite (and the quick benchmark) exactly as CI does. Sets the environment up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_SKIP_SAMPLE=1 bash scripts/setup.sh
export PYTHONHASHSEED=0
.venv/bin/python -m pytest -m "not slow" -q -p no:cacheprovider "$@"
