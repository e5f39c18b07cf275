"""The tools the benchmark runs side by side, each behind the same tiny interface.

A tool has a ``name``, ``load()`` (models, once) and ``redact(src: Path) -> (bytes, ext)``. Tools are run by
``benchmarks.baselines.run`` in their own subprocess so their peak memory can be read. ``TOOLS`` maps a
tool name to ``(module, factory kwargs)``; ``unavailable(name)`` says why a tool cannot run here (or None).
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

TOOLS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "parcel-redact": ("benchmarks.baselines.parcel", {}),
    "parcel-redact-folder": ("benchmarks.baselines.parcel", {}),  # redact DIR -o OUT (parcel.run_folder)
    "parcel-redact-zbar": ("benchmarks.baselines.parcel", {"symbol_backend": "zbar"}),
    "parcel-redact-paddle": ("benchmarks.baselines.parcel", {"ocr_backend": "paddle"}),
    "presidio": ("benchmarks.baselines.presidio", {}),
    "naive": ("benchmarks.baselines.naive", {}),
}

DESCRIPTIONS = {
    "parcel-redact": "parcel-redact, default config (rapidocr PP-OCRv6 small + zxing-cpp), style blur",
    "parcel-redact-folder": "parcel-redact as users run it on a folder: the real CLI `redact DIR -o OUT`, "
    "default workers (one process per core, one OCR thread each, no side threads)",
    "parcel-redact-zbar": "parcel-redact with symbol_backend=zbar (pyzbar + libzbar0)",
    "parcel-redact-paddle": "parcel-redact with ocr_backend=paddle (PaddleOCR 3.7 on ONNX Runtime)",
    "presidio": "presidio-image-redactor 0.0.62 + Tesseract 5 (eng+chi_sim), blank spaCy English pipeline "
    "(pattern recognizers only: no name/address NER), black fill of matched word boxes",
    "naive": "rapidocr defaults on the whole photo; black fill of every line matching a phone / "
    "long-digit-run / e-mail regex",
}


ROOT = Path(__file__).resolve().parents[2]
PADDLE_PYTHON = ROOT / ".venv-paddle" / "bin" / "python"  # scripts/setup_paddle.sh: PaddleOCR's own pins


def python_for(name: str) -> str:
    """The interpreter a tool runs under: PaddleOCR lives in its own environment when not in this one."""
    if TOOLS.get(name, ("", {}))[1].get("ocr_backend") == "paddle" and not _has("paddleocr") \
            and PADDLE_PYTHON.exists():
        return str(PADDLE_PYTHON)
    return sys.executable


def _has(mod: str) -> bool:
    try:
        return importlib.util.find_spec(mod) is not None
    except (ImportError, ValueError):
        return False


def unavailable(name: str) -> Optional[str]:
    """None when the tool can run on this machine, else a one-line reason."""
    if name not in TOOLS:
        return f"unknown tool {name!r} (known: {', '.join(TOOLS)})"
    kw = TOOLS[name][1]
    if name.startswith("parcel-redact"):
        if not _has("redact"):
            return "parcel-redact is not importable"
        if kw.get("symbol_backend") == "zbar":
            if not _has("pyzbar"):
                return "pyzbar is not installed (pip install '.[zbar]')"
            try:
                from pyzbar import pyzbar  # noqa: F401  (loads libzbar0)
            except Exception as e:  # pragma: no cover - depends on the machine
                return f"libzbar0 not loadable ({type(e).__name__})"
        if kw.get("ocr_backend") == "paddle":
            if not _has("paddleocr"):
                if PADDLE_PYTHON.exists():
                    import subprocess

                    ok = subprocess.run([str(PADDLE_PYTHON), "-c", "import paddleocr, redact, zxingcpp"],
                                        capture_output=True, timeout=120).returncode == 0
                    return None if ok else "the .venv-paddle environment cannot import paddleocr + redact"
                return "paddleocr is not installed (bash scripts/setup_paddle.sh, or pip install '.[paddle]')"
            if not _has("redact.engines.paddle"):
                return "redact.engines.paddle backend is not present in this checkout"
        return None
    if name == "presidio":
        for m in ("presidio_image_redactor", "presidio_analyzer", "pytesseract", "spacy"):
            if not _has(m):
                return f"{m} is not installed (pip install presidio-image-redactor presidio-analyzer pytesseract)"
        if shutil.which("tesseract") is None:
            return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim)"
        return None
    if name == "naive":
        return None if _has("rapidocr") else "rapidocr is not installed"
    return None


def make_tool(name: str):
    mod, kw = TOOLS[name]
    return importlib.import_module(mod).make(**kw)
