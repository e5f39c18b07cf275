"""Where the time goes: the stage breakdown of one 12 MP photo, from the report's own timings.

    python -m benchmarks profile [--photo PATH] [--runs 3] [--layout zh_ecommerce] [--no-publish]

Without ``--photo`` a 12 MP photo is generated (deterministic) into ``.cache/benchmarks/profile``. One cold
run (lazy model loading included) and ``--runs`` warm runs of ``Redactor().redact``; the table is the median
of the warm runs per stage. Writes ``benchmarks/results/profile.json`` (read by the BENCHMARKS.md writer).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / ".cache" / "benchmarks"))
log = logging.getLogger("benchmarks.profile")


def sample_photo(layout: str = "zh_ecommerce", seed: int = 7) -> Path:
    from benchmarks.generator import make_photo

    d = CACHE / "profile"
    d.mkdir(parents=True, exist_ok=True)
    g = make_photo(seed=seed, layout=layout, conditions=("standard",), size="12mp")
    p = d / g.truth["image"]
    if not p.exists():
        p.write_bytes(g.image_bytes)
    return p


def direct_ocr(r, photo: Path, runs: int = 1) -> Dict[str, Any]:
    """The comparison issue 5 asks for: the same OCR engine run directly on the full-resolution photo
    (detection on all 12 MP, recognition of every box found), timed like the pipeline (warm, median)."""
    import numpy as np

    from redact.geometry import crop_quad, reading_quad

    ph = r.load(str(photo), name=photo.name)
    walls, cpus, lines = [], [], 0
    for _ in range(max(1, runs)):
        t, c = time.perf_counter(), time.process_time()
        boxes = r.ocr.detect(ph.pixels)
        crops = [crop_quad(ph.pixels, reading_quad(np.asarray(b.quad, float), np.array([1.0, 0.0]))) for b in boxes]
        r.ocr.recognize(crops)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        lines = len(boxes)
    return {"what": "OCR engine alone on the full photo: detection at full resolution + recognition of every box",
            "wall_median": round(statistics.median(walls), 3), "cpu_median": round(statistics.median(cpus), 3),
            "runs": len(walls), "lines": lines,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}


def profile(photo: Path, runs: int = 3, direct_runs: int = 1) -> Dict[str, Any]:
    from redact import Redactor

    r = Redactor()
    t = time.perf_counter()
    res = r.redact(str(photo), name=photo.name)
    cold = time.perf_counter() - t
    order: List[str] = list(res.report.timings)
    per: Dict[str, List[float]] = {k: [] for k in order}
    walls, cpus = [], []
    load = os.getloadavg()[0]
    for _ in range(max(1, runs)):
        t, c = time.perf_counter(), time.process_time()
        res = r.redact(str(photo), name=photo.name)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        for k, v in res.report.timings.items():
            per.setdefault(k, []).append(float(v))
            if k not in order:
                order.append(k)
    stages = {k: round(statistics.median(per[k]), 4) for k in order if per.get(k)}
    if "total" in stages:  # keep the total last
        stages["total"] = stages.pop("total")
    h, w = res.pixels.shape[:2]
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)  # before the direct run
    direct = direct_ocr(r, photo, runs=direct_runs) if direct_runs else None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "photo": photo.name,
        "width": int(w),
        "height": int(h),
        "runs": runs,
        "cold_total": round(cold, 3),
        "wall_median": round(statistics.median(walls), 3),
        "cpu_median": round(statistics.median(cpus), 3),  # CPU seconds of all threads of one warm run
        "loadavg": [round(load, 1), round(os.getloadavg()[0], 1)],
        "stages": stages,
        "fields": len(res.report.fields),
        "masks": len(res.report.masks),
        "peak_rss_mb": peak,
        "direct_ocr": direct,
        "threads": r.config.threads,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks profile", description=__doc__.split("\n")[0])
    ap.add_argument("--photo")
    ap.add_argument("--layout", default="zh_ecommerce")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--direct-runs", type=int, default=1, help="runs of the OCR engine alone on the full photo (0: skip)")
    ap.add_argument("--no-publish", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    photo = Path(a.photo) if a.photo else sample_photo(a.layout)
    res = profile(photo, a.runs, a.direct_runs)
    from benchmarks.__main__ import git_commit, write_markdown

    res["git"] = git_commit()
    total = res["stages"].get("total") or sum(res["stages"].values())
    print(f"{res['photo']} {res['width']}x{res['height']}: cold {res['cold_total']:.2f} s, warm median "
          f"{res['wall_median']:.2f} s ({res['cpu_median']:.2f} CPU s), peak {res['peak_rss_mb']:.0f} MB, "
          f"load average {res['loadavg']}")
    for k, v in res["stages"].items():
        print(f"  {k:<12} {v:8.3f} s  {100 * v / total if total else 0:5.1f} %")
    if res.get("direct_ocr"):
        d = res["direct_ocr"]
        print(f"  the OCR engine alone on the full photo: {d['wall_median']:.2f} s ({d['cpu_median']:.2f} CPU s), "
              f"{d['lines']} lines, peak {d['peak_rss_mb']:.0f} MB")
    if not a.no_publish:
        out = ROOT / "benchmarks" / "results" / "profile.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        write_markdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
