#!/usr/bin/env bash
# Run the test suite exactly as CI does. Sets the environments up first if needed.
#  1. the default suite in .venv (rapidocr + zxing-cpp + zbar, service, web page, batch, Ray);
#  2. the OCR-backend tests again in .venv-paddle, with PaddleOCR 3.7 installed (its pins — numpy<2.4,
#     opencv-contrib-python — would disturb the main environment, so it gets its own). PADDLE=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_SKIP_SAMPLE=1 bash scripts/setup.sh
export PYTHONHASHSEED=0
.venv/bin/python -m pytest -m "not slow" -q -p no:cacheprovider "$@"
if [ "${PADDLE:-1}" != "0" ]; then
  bash scripts/setup_paddle.sh
  .venv-paddle/bin/python -m pytest -m "not slow" -q -p no:cacheprovider tests/test_backends.py
fi
