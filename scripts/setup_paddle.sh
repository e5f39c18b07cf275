#!/usr/bin/env bash
# A second environment with the `paddle` extra (PaddleOCR 3.7 on ONNX Runtime, no paddlepaddle).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONWARNINGS="ignore:Editable installation"  # setuptools' editable-install notice concerns no user
[ -x .venv-paddle/bin/python ] || "$PY" -m venv .venv-paddle
stamp=.venv-paddle/.parcel-redact-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing parcel-redact[paddle] into .venv-paddle"
  .venv-paddle/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv-paddle/bin/python -m pip install -q -e ".[paddle,zbar]" pytest 2>&1 | grep -v '^WARNING: Location' || true
  .venv-paddle/bin/python -c "import paddleocr, redact"
  touch "$stamp"
fi
