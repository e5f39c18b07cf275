"""parcel-redact through its public API, one instance per backend configuration; and as users run it on a
folder (``redact DIR -o OUT``, the real CLI), to check that both give the same answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple


class ParcelRedactTool:
    def __init__(self, **config: Any):
        self.config = config
        self.name = "parcel-redact" + "".join(f"-{v}" for v in config.values())
        self._r = None
        self.last_report: Dict[str, Any] = {}

    def load(self) -> None:
        from redact import Config, Redactor

        cfg = dict(self.config)
        if os.environ.get("BENCH_THREADS"):  # set by the harness when several processes share the cores
            cfg.setdefault("threads", max(1, int(os.environ["BENCH_THREADS"])))
        if os.environ.get("BENCH_PARCEL_CONFIG"):  # experiments: JSON of Config overrides, e.g. {"locate_side": 768}
            cfg.update(json.loads(os.environ["BENCH_PARCEL_CONFIG"]))
        self._r = Redactor(Config(**cfg))

    def redact(self, src: Path) -> Tuple[bytes, str]:
        if self._r is None:
            self.load()
        res = self._r.redact(str(src), name=Path(src).name)
        rep = res.report
        from redact.batch import masked_counts

        self.last_report = {"timings": dict(rep.timings), "fields": len(rep.fields), "masks": len(rep.masks),
                            "masked": masked_counts(rep)[0]}  # as the folder run's report counts them
        return res.data, res.extension


def make(**config: Any) -> ParcelRedactTool:
    return ParcelRedactTool(**config)


# ------------------------------------------------------------------------------------------ the folder run
FOLDER_TOOL = "parcel-redact-folder"
_WRAP = ("import resource, subprocess, sys\n"
         "code = subprocess.run(sys.argv[2:], check=False).returncode\n"
         "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
         "sys.exit(code)\n")


def run_folder(photos: Sequence[Path], tdir: Path) -> Dict[str, Any]:
    """parcel-redact as users run it on a folder: the real CLI, ``redact IN -o OUT``, default workers (one
    process per core, one OCR thread each), in a process of its own. ``IN`` holds links to ``photos``;
    the outputs are linked into ``tdir`` as ``<stem><ext>`` with one status line each (for the scorer).
    The batch runner's own manifest makes a re-run resume."""
    from redact.batch import REPORT_NAME

    src, out = tdir / "_in", tdir / "_out"
    src.mkdir(parents=True, exist_ok=True)
    for p in photos:
        dst = src / p.name
        if not dst.exists():
            try:
                os.link(p, dst)
            except OSError:
                shutil.copyfile(p, dst)
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "BENCH_THREADS")}
    t = time.perf_counter()
    # every photo afresh (a resumed photo's line has no counts): the harness's stamp already drops old runs
    # in a wrapper process of its own, whose waited-for descendants are this run's only (peak memory)
    rss = tdir / "_rss.txt"
    cmd = [sys.executable, "-c", _WRAP, str(rss), sys.executable, "-m", "redact.cli", str(src), "-o", str(out),
           "--no-resume"]
    code = subprocess.run(cmd, env=env, check=False).returncode
    wall = time.perf_counter() - t
    try:
        peak = float(rss.read_text()) / 1024.0  # the largest process of the run (Linux: KiB)
    except (OSError, ValueError):
        peak = 0.0
    rows = {}
    rp = out / REPORT_NAME
    for line in (rp.read_text(encoding="utf-8").splitlines() if rp.exists() else []):
        try:
            row = json.loads(line)
            rows[Path(row["file"]).stem] = row
        except (ValueError, KeyError, TypeError):
            continue
    with (tdir / "_status.0.jsonl").open("w", encoding="utf-8") as st:
        for p in photos:
            row = rows.get(p.stem)
            rec: Dict[str, Any] = {"name": p.stem, "ok": bool(row) and row.get("status") == "ok"}
            if row is not None:
                rec["seconds"] = row.get("seconds")
                if rec["ok"]:
                    rec["report"] = {"masked": row.get("masked", {}), "masks": row.get("masks")}
                    made = [q for q in out.iterdir() if q.stem == p.stem and q.is_file()]
                    for q in made:
                        dst = tdir / q.name
                        if dst.exists():
                            dst.unlink()
                        os.link(q, dst)
                else:
                    rec["error_kind"] = row.get("error_kind") or "failed"
            st.write(json.dumps(rec) + "\n")
    (tdir / "_proc.0.json").write_text(json.dumps({"shard": "0/1", "peak_rss_mb": round(peak, 1),
                                                   "photos": len(photos), "exit_code": code}))
    return {"exit_code": code, "wall_seconds": round(wall, 1)}


def output_pixels(tdir: Path, name: str) -> Optional[str]:
    """SHA-256 of an output's decoded pixels (None: no output)."""
    import hashlib

    import numpy as np
    from PIL import Image

    outs = sorted(q for q in tdir.glob(f"{name}.*") if q.suffix.lower() in
                  (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp"))
    if not outs:
        return None
    with Image.open(outs[0]) as im:
        a = np.asarray(im.convert("RGB"))
    return hashlib.sha256(a.tobytes()).hexdigest()


def compare_runs(api_dir: Path, folder_dir: Path, names: Sequence[str]) -> Dict[str, Any]:
    """Photos on which the API run and the folder run differ: in the fields masked per category (both
    status lines record them) or in the output pixels (the default noise seed comes from the photo's
    bytes, so the same masks give the same pixels). Names only: no value."""
    def status(d: Path) -> Dict[str, Dict[str, Any]]:
        out: Dict[str, Dict[str, Any]] = {}
        for p in sorted(d.glob("_status*.jsonl")):
            for line in p.read_text(encoding="utf-8").splitlines():
                try:
                    r = json.loads(line)
                    out[r["name"]] = r
                except (ValueError, KeyError, TypeError):
                    continue
        return out

    sa, sf = status(api_dir), status(folder_dir)
    differ, masks_differ, compared = [], [], 0
    for n in names:
        a, f = sa.get(n), sf.get(n)
        if not a or not f or not a.get("ok") or not f.get("ok"):
            if bool(a and a.get("ok")) != bool(f and f.get("ok")):
                differ.append(n)
            continue
        compared += 1
        ma = {k: v for k, v in ((a.get("report") or {}).get("masked") or {}).items() if v}
        mf = {k: v for k, v in ((f.get("report") or {}).get("masked") or {}).items() if v}
        if ma != mf:
            masks_differ.append(n)
        if ma != mf or output_pixels(api_dir, n) != output_pixels(folder_dir, n):
            differ.append(n)
    return {"compared": compared, "differ": len(differ), "masks_differ": len(masks_differ),
            "names": sorted(differ)}
