"""Same masks before and after a change that must not change behaviour (issue 18's bar).

``record`` runs the public API (``Redactor().redact(bytes)``, default config) on a folder of photos and writes,
per photo, what was masked: every mask's category and polygon (to 0.1 px, as the report gives them), the
masked counts per category, and the SHA-256 of the output pixels. ``check`` runs the current code on the same
photos and compares. Generated photos only: nothing in the file is personal (categories, coordinates, hashes).

    python -m benchmarks.same_masks record --photos benchmarks/photos/full --out benchmarks/results/masks_full.json
    python -m benchmarks.same_masks check  --photos benchmarks/photos/full --against benchmarks/results/masks_full.json

``check`` exits 1 when any photo differs in its masks (``--pixels`` also compares the output pixels).
Masks are compared as sets of (category, polygon); polygons match within ``--tol`` px per coordinate
(default 0.11: the report's rounding). A different CPU may move a detector box by a fraction of a pixel;
pixels are then the strict test on one machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

EXTS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic")


def photos_in(folder: Path, limit: int = 0, names: Optional[Sequence[str]] = None) -> List[Path]:
    ps = sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTS)
    if names:
        want = set(names)
        ps = [p for p in ps if p.stem in want]
    return ps[:limit] if limit else ps


def fingerprint(redactor: Any, path: Path) -> Dict[str, Any]:
    res = redactor.redact(path.read_bytes(), name=path.name)
    rep = res.report.to_dict()
    masks = sorted([m.get("category", ""), [[round(float(x), 1), round(float(y), 1)] for x, y in m["polygon"]]]
                   for m in rep.get("masks", []))
    return {"masks": masks, "masked": {k: v for k, v in sorted(res.report.masked_counts().items()) if v},
            "pixels": hashlib.sha256(res.pixels.tobytes()).hexdigest()}


def run(folder: Path, limit: int = 0, names: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, Any]]:
    from redact import Redactor

    r = Redactor()
    out: Dict[str, Dict[str, Any]] = {}
    for p in photos_in(folder, limit, names):
        try:
            out[p.stem] = fingerprint(r, p)
        except Exception as e:  # noqa: BLE001 - a failing photo is recorded as failing (its class, no value)
            out[p.stem] = {"error": type(e).__name__}
    return out


def _poly_close(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]], tol: float) -> bool:
    return len(a) == len(b) and all(abs(p[0] - q[0]) <= tol and abs(p[1] - q[1]) <= tol for p, q in zip(a, b))


def same(a: Dict[str, Any], b: Dict[str, Any], tol: float = 0.11, pixels: bool = False) -> bool:
    """Do two fingerprints of one photo give the same masks (and pixels, if asked)?"""
    if "error" in a or "error" in b:
        return a.get("error") == b.get("error")
    if a["masked"] != b["masked"] or len(a["masks"]) != len(b["masks"]):
        return False
    left = list(b["masks"])
    for cat, poly in a["masks"]:
        hit = next((i for i, (c, q) in enumerate(left) if c == cat and _poly_close(poly, q, tol)), None)
        if hit is None:
            return False
        left.pop(hit)
    return not pixels or a["pixels"] == b["pixels"]


def compare(recorded: Dict[str, Dict[str, Any]], now: Dict[str, Dict[str, Any]], tol: float = 0.11,
            pixels: bool = False) -> List[str]:
    """Names of the photos whose masks differ (a photo missing on either side differs)."""
    return sorted(n for n in set(recorded) | set(now)
                  if n not in recorded or n not in now or not same(recorded[n], now[n], tol, pixels))


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.same_masks", description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["record", "check"])
    ap.add_argument("--photos", type=Path, required=True)
    ap.add_argument("--out", type=Path, help="record: the fingerprint file to write")
    ap.add_argument("--against", type=Path, help="check: the recorded fingerprint file")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--tol", type=float, default=0.11)
    ap.add_argument("--pixels", action="store_true", help="check: the output pixels must be identical too")
    a = ap.parse_args(argv)
    t = time.perf_counter()
    if a.mode == "record":
        if not a.out:
            ap.error("record needs --out")
        fp = run(a.photos, a.limit)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps({"photos": str(a.photos), "fingerprints": fp}, indent=0, sort_keys=True) + "\n")
        print(f"recorded {len(fp)} photos in {time.perf_counter() - t:.0f} s -> {a.out}")
        return 0
    if not a.against:
        ap.error("check needs --against")
    rec = json.loads(a.against.read_text())["fingerprints"]
    names = sorted(rec)[: a.limit] if a.limit else sorted(rec)
    now = run(a.photos, 0, names)
    rec = {n: rec[n] for n in names}
    bad = compare(rec, now, a.tol, a.pixels)
    pix = sum(1 for n in names if n in now and rec[n].get("pixels") != now[n].get("pixels"))
    print(f"{len(names) - len(bad)} of {len(names)} photos give the same masks; "
          f"{pix} differ in output pixels ({time.perf_counter() - t:.0f} s)")
    for n in bad:
        print(f"  masks differ: {n}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
