"""The model manifest (models/manifest.json): every model file used, checked by SHA-256 before use."""

from __future__ import annotations

import hashlib
import json
import site
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

from ..errors import EngineError

_MANIFEST_PATHS = [
    Path(__file__).resolve().parents[2] / "models" / "manifest.json",  # source checkout / editable install
    Path(__file__).resolve().parents[1] / "data" / "models.json",  # wheel install
]


def manifest() -> Dict:
    for p in _MANIFEST_PATHS:
        if p.exists():
            return json.loads(p.read_text(encoding="utf-8"))
    raise EngineError("model manifest not found (models/manifest.json)")


def _search_roots() -> List[Path]:
    roots = [Path(p) for p in sys.path if p]
    try:
        roots += [Path(p) for p in site.getsitepackages()]
    except Exception:
        pass
    return roots


def locate(rel: str) -> Path:
    for root in _search_roots():
        cand = root / rel
        if cand.exists():
            return cand
    raise EngineError(f"model file {rel} is missing: reinstall the package that ships it")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=None)
def verify(name: str) -> Path:
    """Path of the named model file, after checking its SHA-256 against the manifest."""
    for m in manifest()["models"]:
        if m["name"] == name:
            path = locate(m["file"])
            if _sha256(path) != m["sha256"]:
                raise EngineError(f"model file {m['file']} does not match its SHA-256 in models/manifest.json "
                                  f"(altered or a different {m['package']})")
            return path
    raise EngineError(f"model {name} is not in models/manifest.json")
