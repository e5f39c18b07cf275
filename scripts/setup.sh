#!/usr/bin/env bash
# Set up parcel-redact on a fresh Debian machine (Python >= 3.10), then redact a bundled sample photo.
# Idempotent: a second run only checks. Nothing is downloaded at run time afterwards; models ship in wheels.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(fonts-wqy-microhei fonts-wqy-zenhei fonts-liberation2 fonts-dejavu-core libzbar0 libimage-exiftool-perl
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim chromium chromium-driver)
missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.parcel-redact-installed
# setuptools' notice on every editable install ("be careful with folders named like your package") is for
# packagers, not users: silenced; anything else pip or the build prints still shows
export PYTHONWARNINGS="ignore:Editable installation"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: upgrading pip"
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  echo "setup: installing parcel-redact and its test/serve/cluster extras into .venv (about two minutes)"
  .venv/bin/python -m pip install -q -e ".[serve,zbar,ray,bench,dev]" 2>&1 | grep -v '^WARNING: Location' || true
  # presidio-image-redactor (bench extra) pulls in opencv-python, which shares the cv2/ folder with the
  # headless build we use: keep only the headless one, reinstalled so its files are the ones on disk.
  if .venv/bin/python -m pip show opencv-python >/dev/null 2>&1; then
    hv=$(.venv/bin/python -m pip show opencv-python-headless 2>/dev/null | sed -n 's/^Version: //p')
    .venv/bin/python -m pip uninstall -y -q opencv-python 2>&1 | grep -v '^WARNING' || true
    .venv/bin/python -m pip install -q --force-reinstall --no-deps "opencv-python-headless${hv:+==$hv}" 2>&1 | grep -v '^WARNING: Location' || true
  fi
  .venv/bin/python -c "import redact, rapidocr, onnxruntime, zxingcpp, cv2" 
  touch "$stamp"
fi
echo "setup: checking the model files (SHA-256)"
.venv/bin/redact models >/dev/null

if [ "${SETUP_SKIP_SAMPLE:-0}" != "1" ]; then
  sample=sample_images/zh_ecommerce__standard__0011.jpg
  [ -f "$sample" ] || sample=$(ls sample_images/*.jpg | head -n 1)
  mkdir -p sample_images/redacted
  out="sample_images/redacted/$(basename "${sample%.*}").redacted.jpg"
  echo "setup: redacting a sample photo"
  .venv/bin/redact "$sample" -o "$out"
  echo "setup: done. Try:  .venv/bin/redact your_photo.jpg   (or: .venv/bin/redact serve, then open http://127.0.0.1:8000/)"
fi
