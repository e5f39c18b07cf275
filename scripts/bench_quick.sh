#!/usr/bin/env bash
# The quick benchmark set (CI runs it after the tests): every tool on the same photos, scored.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_SKIP_SAMPLE=1 bash scripts/setup.sh
.venv/bin/python -m benchmarks run --set quick --out benchmarks/out/quick "$@"
