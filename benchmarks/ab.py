"""Interleaved A/B timing of whole-photo redaction: two source trees (and, as a third arm, a plain
``RapidOCR()(photo)`` call), each in its own warm process, fed the same photos in turn, so that a shared,
noisy machine slows every arm alike. Ratios are the result; seconds only describe this run.

    python -m benchmarks.ab --a /path/to/old/tree --b . --photos DIR [--limit 12] [--rounds 2] [--rapidocr]

Each arm runs ``Redactor().redact(bytes)`` (default config) from its tree (``PYTHONPATH=<tree>``), once per
photo per round, after one warm-up photo; the order of the arms alternates from photo to photo.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

WORKER = r"""
import sys, time, json
mode = sys.argv[1]
if mode == "rapidocr":
    import logging
    logging.disable(logging.WARNING)
    import cv2
    from rapidocr import RapidOCR
    eng = RapidOCR()
    def run(p):
        img = cv2.imread(p)
        eng(img)
else:
    from redact import Redactor
    r = Redactor()
    def run(p):
        with open(p, "rb") as f:
            r.redact(f.read(), name=p)
print("ready", flush=True)
for line in sys.stdin:
    p = line.strip()
    if not p:
        break
    t = time.perf_counter()
    run(p)
    print(json.dumps({"s": time.perf_counter() - t}), flush=True)
"""


class Arm:
    def __init__(self, name: str, tree: Optional[Path], mode: str = "redact") -> None:
        env = dict(os.environ)
        if tree is not None:
            env["PYTHONPATH"] = str(tree.resolve())
        self.name = name
        self.p = subprocess.Popen([sys.executable, "-c", WORKER, mode], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env,
                                  cwd=str(tree.resolve()) if tree is not None else None)
        assert self.p.stdout.readline().strip() == "ready"

    def time(self, photo: Path) -> float:
        self.p.stdin.write(f"{photo}\n")
        self.p.stdin.flush()
        return float(json.loads(self.p.stdout.readline())["s"])

    def close(self) -> None:
        self.p.stdin.write("\n")
        self.p.stdin.flush()
        self.p.wait(timeout=60)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="source tree A (the baseline)")
    ap.add_argument("--b", default=".", help="source tree B (default: this one)")
    ap.add_argument("--photos", required=True)
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--rapidocr", action="store_true", help="a third arm: a plain RapidOCR()(photo) call")
    a = ap.parse_args(argv)
    photos = sorted(p for p in Path(a.photos).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if a.limit and len(photos) > a.limit:  # evenly spread
        step = len(photos) / a.limit
        photos = [photos[int(i * step)] for i in range(a.limit)]
    arms = [Arm("A", Path(a.a)), Arm("B", Path(a.b))]
    if a.rapidocr:
        arms.append(Arm("rapidocr", None, "rapidocr"))
    for arm in arms:  # warm-up
        arm.time(photos[0])
    times: Dict[str, List[float]] = {arm.name: [] for arm in arms}
    for r in range(a.rounds):
        for i, ph in enumerate(photos):
            order = arms if (i + r) % 2 == 0 else list(reversed(arms))
            for arm in order:
                times[arm.name].append(arm.time(ph))
    for arm in arms:
        arm.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"photos": len(photos), "rounds": a.rounds, "median_s": {k: round(v, 3) for k, v in med.items()},
           "b_over_a": round(med["B"] / med["A"], 3)}
    if "rapidocr" in med:
        out["rapidocr_over_b"] = round(med["rapidocr"] / med["B"], 3)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
