"""Run one tool over a folder of photos, in this process: outputs, per-photo status, peak memory.

    python -m benchmarks.baselines.run --tool NAME --photos DIR --out DIR [--names FILE] [--shard I/N]

Resumable: a photo whose status line is already in ``OUT/_status*.jsonl`` is skipped. Each shard appends to
its own ``_status.<I>.jsonl`` and finally writes ``_proc.<I>.json`` with its peak RSS (ru_maxrss) and load
time. Status lines carry no personal value: name, ok, seconds, error kind.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import List, Optional, Sequence

log = logging.getLogger("benchmarks.run")


def done_names(out: Path) -> set:
    names = set()
    for p in out.glob("_status*.jsonl"):
        for line in p.read_text(encoding="utf-8").splitlines():
            try:
                names.add(json.loads(line)["name"])
            except (ValueError, KeyError, TypeError):
                continue
    return names


def list_photos(photos: Path, names: Optional[Sequence[str]] = None) -> List[Path]:
    from benchmarks.score import find_image

    if names is None:
        names = sorted(p.stem for p in photos.glob("*.json"))
    out = []
    for n in names:
        # an absolute path names the photo itself (the real-photo set: photos live outside the repository)
        p = Path(n) if os.path.isabs(n) and Path(n).is_file() else find_image(photos, n)
        if p is not None:
            out.append(p)
    return out


def _cpu() -> float:
    """CPU seconds used so far by this process and its waited-for children: unlike wall time, this does
    not grow when the machine is shared."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--names", help="file with one photo name per line (default: every photo)")
    ap.add_argument("--shard", default="0/1")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from benchmarks.baselines import make_tool

    photos, out = Path(a.photos), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    names = Path(a.names).read_text().splitlines() if a.names else None
    names = [n for n in names if n.strip()] if names is not None else None
    i, n = (int(x) for x in a.shard.split("/"))
    todo = [p for k, p in enumerate(list_photos(photos, names)) if k % n == i]
    done = done_names(out)
    todo = [p for p in todo if p.stem not in done]
    tool = make_tool(a.tool)
    t0 = time.perf_counter()
    try:
        tool.load()
    except Exception as e:
        log.error("%s failed to load: %s", a.tool, type(e).__name__)
        raise
    load_s = time.perf_counter() - t0
    status = out / f"_status.{i}.jsonl"
    with status.open("a", encoding="utf-8") as st:
        for p in todo:
            rec = {"name": p.stem, "ok": True}
            t = time.perf_counter()
            c = _cpu()
            try:
                data, ext = tool.redact(p)
                dst = out / f"{p.stem}{ext}"
                tmp = dst.with_name(dst.name + ".part")
                tmp.write_bytes(data)
                os.replace(tmp, dst)
            except Exception as e:  # a tool error is a benchmark failure, not a harness crash
                rec["ok"] = False
                rec["error_kind"] = getattr(e, "kind", None) or type(e).__name__
                log.warning("%s: %s failed (%s)", a.tool, p.name, rec["error_kind"])
                log.debug("%s", traceback.format_exc())
            rec["seconds"] = round(time.perf_counter() - t, 4)
            rec["cpu_seconds"] = round(_cpu() - c, 4)  # this process + finished children (e.g. tesseract)
            tim = getattr(tool, "last_report", None)
            if rec["ok"] and tim:
                rec["report"] = tim
            st.write(json.dumps(rec) + "\n")
            st.flush()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # e.g. tesseract processes
    proc = {"shard": a.shard, "peak_rss_mb": round(peak_rss_mb(), 1), "children_peak_rss_mb": round(kids, 1), "load_seconds": round(load_s, 3),
            "photos": len(todo), "pid": os.getpid()}
    (out / f"_proc.{i}.json").write_text(json.dumps(proc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
