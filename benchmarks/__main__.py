"""One command: generate the photos (cached), run every tool on the same photos, score, publish.

    python -m benchmarks run --set quick|full [--tools a,b,...] [--out DIR] [--workers N]
                             [--limit TOOL=N ...] [--photos DIR] [--fresh] [--score-workers N]
    python -m benchmarks report          # rebuild BENCHMARKS.md from benchmarks/results/*.json
    python -m benchmarks profile         # stage breakdown of a 12 MP photo (benchmarks/profile.py)

Each tool runs in its own subprocess(es) (``benchmarks.baselines.run``), so its peak memory is its own, one
tool after the other so they do not compete for the CPU. Runs resume: outputs and per-photo status stay in
``OUT/<tool>/`` keyed by a stamp of the photos and the tool's code; ``--fresh`` starts over. Scores are cached
per photo. Exit status is non-zero only when the harness itself (or the parcel-redact default tool's
process) crashes; tool failures on photos are counted as failures in the table, not as a crash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PHOTOS = ROOT / "benchmarks" / "photos"
log = logging.getLogger("benchmarks")

DEFAULT_TOOLS = ["parcel-redact", "parcel-redact-folder", "parcel-redact-zbar", "parcel-redact-paddle", "presidio", "naive"]
# Slow or secondary tools run on an evenly spread subset so the quick set stays inside CI's budget and the
# full set inside ~40 minutes on 2 cores. parcel-redact (default config) always runs on every photo.
DEFAULT_LIMITS = {
    "quick": {"presidio": 3, "parcel-redact-zbar": 3, "parcel-redact-paddle": 3, "naive": 3},
    "full": {"presidio": 30, "parcel-redact-zbar": 20, "parcel-redact-paddle": 20, "naive": 30},
}


# ----------------------------------------------------------------------------------------------- utils
def _hash_files(paths: Sequence[Path]) -> str:
    h = hashlib.sha1()
    for p in sorted(paths):
        try:
            h.update(p.name.encode())
            h.update(p.read_bytes())
        except OSError:
            continue
    return h.hexdigest()[:12]


def _py_files(*dirs: Path) -> List[Path]:
    out: List[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
        elif d.exists():
            out += [p for p in d.rglob("*.py") if "__pycache__" not in p.parts]
    return out


def tool_code_stamp(tool: str) -> str:
    b = ROOT / "benchmarks" / "baselines"
    files = [b / "common.py", b / "__init__.py"]  # (run.py only records; it does not change outputs)
    if tool.startswith("parcel-redact"):
        files += _py_files(ROOT / "redact", b / "parcel.py")
    else:
        files.append(b / f"{tool}.py")
    return _hash_files(files)


def git_commit() -> str:
    try:
        c = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                           timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return c + ("+dirty" if dirty else "")
    except Exception:
        return "unknown"


def machine() -> Dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem, "python": platform.python_version(),
            "os": platform.platform(terse=True)}


def spread(names: Sequence[str], n: Optional[int]) -> List[str]:
    """``n`` names evenly spread over the sorted list (every name when n is None or large)."""
    names = sorted(names)
    if n is None or n >= len(names):
        return list(names)
    if n <= 0:
        return []
    step = len(names) / n
    return [names[int(i * step)] for i in range(n)]


# ---------------------------------------------------------------------------------------------- photos
def generator_stamp() -> str:
    return _hash_files(_py_files(ROOT / "benchmarks" / "generator", ROOT / "benchmarks" / "generate.py"))


def ensure_photos(set_name: str, seed: Optional[int], photos: Optional[Path], workers: int = 2,
                  max_photos: int = 0, keep: bool = False) -> Path:
    """The photo folder for this set (generated once per generator version + seed, then reused)."""
    if photos is not None:
        return photos
    stamp = f"{set_name}|seed={seed}|max={max_photos}|gen={generator_stamp()}"
    d = PHOTOS / ((set_name if seed is None else f"{set_name}-s{seed}") + (f"-first{max_photos}" if max_photos else ""))
    mark = d / ".generated"
    if mark.exists() and mark.read_text() == stamp:
        return d
    if mark.exists() and keep:  # re-scoring: the photos the outputs were made from, even if the generator moved on
        log.warning("using the existing %s photos (made by an earlier generator version)", set_name)
        return d
    if d.exists():
        shutil.rmtree(d)
    tmp = d.with_name(d.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    cmd = [sys.executable, "-m", "benchmarks.generate", "--set", set_name, "--out", str(tmp)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if max_photos:
        cmd += ["--limit", str(max_photos)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    t = time.perf_counter()
    log.info("generating the %s set (%s)", set_name, " ".join(cmd[2:]))
    subprocess.run(cmd, cwd=ROOT, check=True, env=env)
    os.replace(tmp, d)
    mark.write_text(stamp)
    log.info("generated %d photos in %.0f s", len([p for p in d.glob("*.json") if p.name != "index.json"]), time.perf_counter() - t)
    return d


# ------------------------------------------------------------------------------------------- run tools
def run_tool(tool: str, photos: Path, out: Path, names: Sequence[str], workers: int, fresh: bool,
             photos_mark: Optional[str] = None) -> Dict[str, Any]:
    """Run one tool (in ``workers`` subprocesses) on ``names`` (photo stems in ``photos``, or absolute photo
    paths). Returns wall time, peak memory, crashes."""
    tdir = out / tool
    if photos_mark is None:
        photos_mark = (photos / ".generated").read_text() if (photos / ".generated").exists() else ""
    stamp = json.dumps({"photos": str(photos), "photos_mark": photos_mark, "code": tool_code_stamp(tool)})
    sp = tdir / "_stamp.json"
    if fresh or (tdir.exists() and (not sp.exists() or sp.read_text() != stamp)):
        shutil.rmtree(tdir, ignore_errors=True)
    tdir.mkdir(parents=True, exist_ok=True)
    sp.write_text(stamp)
    for p in tdir.glob("_proc.*.json"):
        p.unlink()
    names_file = tdir / "_names.txt"
    names_file.write_text("\n".join(names) + "\n")
    from benchmarks.baselines.parcel import FOLDER_TOOL, run_folder

    if tool == FOLDER_TOOL:  # one `redact DIR -o OUT`, its own default workers
        from benchmarks.baselines.run import list_photos

        load_before = os.getloadavg()[0]
        r = run_folder(list_photos(photos, names), tdir)
        d = json.loads((tdir / "_proc.0.json").read_text())
        return {"wall_seconds": r["wall_seconds"], "workers": "default", "exit_codes": [r["exit_code"]],
                "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "crashed": r["exit_code"] not in (0, 9), "peak_rss_mb": d.get("peak_rss_mb") or None,
                "children_peak_rss_mb": None, "load_seconds": None}
    workers = max(1, min(workers, len(names) or 1))
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    if workers > 1:
        env["OMP_NUM_THREADS"] = "1"
        env["BENCH_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    procs = []
    from benchmarks.baselines import python_for

    for i in range(workers):
        cmd = [python_for(tool), "-m", "benchmarks.baselines.run", "--tool", tool, "--photos", str(photos),
               "--out", str(tdir), "--names", str(names_file), "--shard", f"{i}/{workers}"]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env))
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - t
    peak = 0.0
    child_peak = 0.0
    load = []
    for p in tdir.glob("_proc.*.json"):
        d = json.loads(p.read_text())
        peak = max(peak, float(d.get("peak_rss_mb") or 0))
        child_peak = max(child_peak, float(d.get("children_peak_rss_mb") or 0))
        load.append(float(d.get("load_seconds") or 0))
    return {"wall_seconds": round(wall, 1), "workers": workers, "exit_codes": codes,
            "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "crashed": any(c != 0 for c in codes), "peak_rss_mb": round(peak, 1) or None,
            "children_peak_rss_mb": round(child_peak, 1) or None,
            "load_seconds": round(max(load), 2) if load else None}


def score_tool(photos: Path, tdir: Path, names: Sequence[str], workers: int) -> List[Dict[str, Any]]:
    from benchmarks.score import score_dir

    return score_dir(photos, tdir, workers=workers, names=names)


def summarize(photo_scores: List[Dict[str, Any]], names: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    from benchmarks.score import aggregate

    if names is not None:
        keep = set(names)
        photo_scores = [p for p in photo_scores if p["name"] in keep]
    sets = sorted({p["set"] for p in photo_scores})
    return {"all": aggregate(photo_scores),
            "by_set": {s: aggregate(photo_scores, sets=[s]) for s in sets}}


def cmd_run(a: argparse.Namespace) -> int:
    if a.set == "real":
        return cmd_real(a)
    rc = cmd_generated(a)
    if a.real:  # the real photos scored beside the generated set, in the same run
        rc = max(rc, cmd_real(a, out=None))
    return rc


def cmd_real(a: argparse.Namespace, out: Optional[Path] | str = "") -> int:
    """The real-photo set (benchmarks/real): every tool on every annotated photo present on this machine."""
    from benchmarks import real as R
    from benchmarks.baselines import DESCRIPTIONS, unavailable

    t_start = time.perf_counter()
    try:
        pairs = R.available()
    except R.AnnotationError as e:
        log.error("real set: %s", e)
        return 2
    if not pairs:
        log.warning("real set: none of the annotated photos is on this machine (looked in %s)",
                    ", ".join(str(d) for d in R.search_dirs()))
        return 0 if a.set != "real" else 2
    mark = R.set_stamp(pairs)
    odir = Path(a.out) if (out == "" and a.out) else ROOT / "benchmarks" / "out" / "real"
    tools = [t.strip() for t in (a.tools.split(",") if a.tools else DEFAULT_TOOLS) if t.strip()]
    limits: Dict[str, Optional[int]] = {}
    for spec in a.limit or []:
        k, _, v = spec.partition("=")
        limits[k] = None if v in ("", "all", "none") else int(v)
    by_stem = {ann.stem: (ann, photo) for ann, photo in pairs}
    results: Dict[str, Any] = {}
    crashed_main = False
    for tool in tools:
        why = unavailable(tool)
        if why:
            log.warning("skipping %s: %s", tool, why)
            results[tool] = {"description": DESCRIPTIONS.get(tool, tool), "skipped": why}
            continue
        names = spread(list(by_stem), limits.get(tool))
        if a.score_only:
            nf = odir / tool / "_names.txt"
            if not nf.exists():
                log.warning("no earlier real-photo outputs of %s in %s", tool, odir)
                continue
            names = [Path(n).stem for n in nf.read_text().splitlines() if n.strip() and Path(n).stem in by_stem]
            prev_doc = json.loads((RESULTS / "real.json").read_text()) if (RESULTS / "real.json").exists() else {}
            info: Dict[str, Any] = {k: v for k, v in (prev_doc.get("tools", {}).get(tool) or {}).items()
                                    if k in ("wall_seconds", "workers", "exit_codes", "loadavg", "crashed",
                                             "peak_rss_mb", "children_peak_rss_mb", "load_seconds", "git", "date")}
            info.setdefault("crashed", False)
        else:
            log.info("running %s on %d real photos", tool, len(names))
            info = run_tool(tool, R.ANNOTATIONS, odir, [str(by_stem[n][1]) for n in names], a.workers, a.fresh,
                            photos_mark=mark)
        if info["crashed"]:
            log.error("%s: a tool process exited with %s", tool, info["exit_codes"])
            crashed_main = crashed_main or tool == "parcel-redact"
        t = time.perf_counter()
        scores = R.score_real_dir(pairs, odir / tool, workers=a.score_workers, names=names)
        info["score_seconds"] = round(time.perf_counter() - t, 1)
        agg = R.aggregate_real(scores)
        results[tool] = {"description": DESCRIPTIONS.get(tool, tool), "skipped": None, "photos": len(names),
                         "git": git_commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                         **info, "all": agg, "per_photo": [R.per_photo_summary(p) for p in scores]}
        log.info("%s on real photos: %s of sensitive items legible, %d/%d photos clean, %s of non-sensitive "
                 "text masked, %d failures", tool, _p(agg["legible_rate"]), agg["clean_photos"],
                 agg["photos_with_sensitive"], _p(agg["nonsensitive_masked_rate"]), agg["failures"])
    prev_path = RESULTS / "real.json"
    if prev_path.exists() and not a.no_publish:  # tools run earlier on the same photos stay in the table
        try:
            prev = json.loads(prev_path.read_text(encoding="utf-8"))
        except ValueError:
            prev = {}
        if prev.get("photos_stamp") == mark:
            for t, info in (prev.get("tools") or {}).items():
                if t in results or info.get("skipped"):
                    continue
                nf = odir / t / "_names.txt"
                if nf.exists():
                    names = [Path(n).stem for n in nf.read_text().splitlines() if n.strip()]
                    scores = R.score_real_dir(pairs, odir / t, workers=a.score_workers, names=names)
                    results[t] = {**info, "all": R.aggregate_real(scores),
                                  "per_photo": [R.per_photo_summary(p) for p in scores]}
    order = {t: i for i, t in enumerate(DEFAULT_TOOLS)}
    results = dict(sorted(results.items(), key=lambda kv: order.get(kv[0], 99)))
    doc = {"set": "real", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "git": git_commit(),
           "machine": machine(), "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
           "photos": len(pairs), "photos_stamp": mark, "kinds": _count([ann.kind for ann, _ in pairs]),
           "sensitive_items": sum(len(ann.sensitive) for ann, _ in pairs),
           "items": sum(len(ann.items) for ann, _ in pairs),
           "annotated": len(list(R.ANNOTATIONS.glob("*.json"))), "workers": a.workers,
           "wall_seconds": round(time.perf_counter() - t_start, 1), "tools": results}
    if not a.no_publish:
        RESULTS.mkdir(parents=True, exist_ok=True)
        _write_json(prev_path, doc)
        write_markdown()
    line = " | ".join(f"{t}: legible {_p(v['all']['legible_rate'])} clean {v['all']['clean_photos']}/"
                      f"{v['all']['photos_with_sensitive']} fail {v['all']['failures']}"
                      for t, v in results.items() if not v.get("skipped"))
    print(f"benchmark real: {len(pairs)} photos, {doc['wall_seconds']:.0f} s | {line}", flush=True)
    return 1 if crashed_main else 0


def cmd_generated(a: argparse.Namespace) -> int:
    from benchmarks.baselines import DESCRIPTIONS, unavailable
    from benchmarks.score import fmt_pct, load_truth

    t_start = time.perf_counter()
    set_name = a.set
    photos = ensure_photos(set_name, a.seed, Path(a.photos) if a.photos else None, a.gen_workers, a.max_photos,
                           keep=a.score_only)
    truths = load_truth(photos)
    if not truths:
        log.error("no photos with truth in %s", photos)
        return 2
    all_names = [t.name for t in truths]
    out = Path(a.out or ROOT / "benchmarks" / "out" / set_name)
    tools = [t.strip() for t in (a.tools.split(",") if a.tools else DEFAULT_TOOLS) if t.strip()]
    limits: Dict[str, Optional[int]] = dict(DEFAULT_LIMITS.get(set_name, {}))
    for spec in a.limit or []:
        k, _, v = spec.partition("=")
        limits[k] = None if v in ("", "all", "none") else int(v)
    results: Dict[str, Any] = {}
    scores: Dict[str, List[Dict[str, Any]]] = {}
    crashed_main = False
    for tool in tools:
        why = unavailable(tool)
        if why:
            log.warning("skipping %s: %s", tool, why)
            results[tool] = {"description": DESCRIPTIONS.get(tool, tool), "skipped": why}
            continue
        names = spread(all_names, limits.get(tool))
        if a.score_only:  # re-score the outputs already there (e.g. after a scorer change)
            nf = out / tool / "_names.txt"
            if not nf.exists():
                log.warning("no earlier outputs of %s in %s", tool, out)
                continue
            names = nf.read_text().split()
            prev_doc = json.loads((RESULTS / f"{set_name}.json").read_text()) if (RESULTS / f"{set_name}.json").exists() else {}
            info = {k: v for k, v in (prev_doc.get("tools", {}).get(tool) or {}).items()
                    if k in ("wall_seconds", "workers", "exit_codes", "loadavg", "crashed", "peak_rss_mb",
                             "children_peak_rss_mb", "load_seconds", "git", "date")}
            info.setdefault("crashed", False)
        else:
            log.info("running %s on %d photos (%d workers)", tool, len(names), a.workers)
            info = run_tool(tool, photos, out, names, a.workers, a.fresh)
        if info["crashed"]:
            log.error("%s: a tool process exited with %s", tool, info["exit_codes"])
            if tool == "parcel-redact":
                crashed_main = True
        t = time.perf_counter()
        scores[tool] = score_tool(photos, out / tool, names, a.score_workers)
        info["score_seconds"] = round(time.perf_counter() - t, 1)
        results[tool] = {"description": DESCRIPTIONS.get(tool, tool), "skipped": None, "photos": len(names),
                         "git": git_commit(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                         **info, **summarize(scores[tool])}
        agg = results[tool]["all"]
        log.info("%s: leak %s, clean photos %s, %s s/photo median; scored in %.0f s", tool,
                 fmt_pct(agg["leak_rate"], 2), fmt_pct(agg["clean_photo_rate"]),
                 "n/a" if agg["seconds_median"] is None else f"{agg['seconds_median']:.2f}", info["score_seconds"])
    # tools run earlier on the same photos (an earlier `run --tools ...`) stay in the table: their cached
    # per-photo scores are reloaded so the side-by-side subset is computed over all of them
    photos_stamp = (photos / ".generated").read_text() if (photos / ".generated").exists() else str(photos)
    prev_path = RESULTS / f"{set_name}.json"
    if prev_path.exists() and not a.no_publish:
        try:
            prev = json.loads(prev_path.read_text(encoding="utf-8"))
        except ValueError:
            prev = {}
        if prev.get("photos_stamp") == photos_stamp:
            for t, info in (prev.get("tools") or {}).items():
                if t in results or info.get("skipped"):
                    continue
                nf = out / t / "_names.txt"
                if nf.exists():
                    scores[t] = score_tool(photos, out / t, nf.read_text().split(), a.score_workers)
                    results[t] = {**info, **summarize(scores[t])}
    order = {t: i for i, t in enumerate(DEFAULT_TOOLS)}
    results = dict(sorted(results.items(), key=lambda kv: order.get(kv[0], 99)))
    # every tool that ran, on the photos they all ran on
    ran = [t for t in results if t in scores]
    common = sorted(set.intersection(*[{p["name"] for p in scores[t]} for t in ran])) if ran else []
    for t in ran:
        results[t]["common"] = summarize(scores[t], common)
    same = None
    if "parcel-redact" in scores and "parcel-redact-folder" in scores:  # one photo, one answer (issue 15)
        from benchmarks.baselines.parcel import compare_runs

        both = sorted({p["name"] for p in scores["parcel-redact"]} & {p["name"] for p in scores["parcel-redact-folder"]})
        same = compare_runs(out / "parcel-redact", out / "parcel-redact-folder", both)
        log.info("parcel-redact API vs folder run: %d of %d photos differ", same["differ"], len(both))
    doc = {
        "set": set_name,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git": git_commit(),
        "machine": machine(),
        "command": "python -m benchmarks " + " ".join(sys.argv[1:]),
        "photos": len(all_names),
        "max_photos": a.max_photos or None,
        "photos_stamp": photos_stamp,
        "photo_sets": _count([t.set for t in truths]),
        "common_photos": len(common),
        "limits": {k: v for k, v in limits.items() if k in tools},
        "workers": a.workers,
        "wall_seconds": round(time.perf_counter() - t_start, 1),
        "tools": results,
        "same_answer": same,
    }
    if not a.no_publish:
        RESULTS.mkdir(parents=True, exist_ok=True)
        _write_json(RESULTS / f"{set_name}.json", doc)
        write_markdown()
    line = " | ".join(
        f"{t}: leak {fmt_pct(results[t]['all']['leak_rate'], 2)} clean {fmt_pct(results[t]['all']['clean_photo_rate'])}"
        f" fail {results[t]['all']['failures']}" for t in ran)
    print(f"benchmark {set_name}: {len(all_names)} photos, {doc['wall_seconds']:.0f} s | {line}", flush=True)
    return 1 if crashed_main else 0


def _count(vals) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for v in vals:
        out[v] = out.get(v, 0) + 1
    return out


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------- publish
BARS = {"standard": 0.01, "hard": 0.05}
NOTES = """\
- **Scorer** (`benchmarks/score.py`, self-checked by `tests/test_scorer.py`): a sensitive item leaks when its
  ink is not materially destroyed (< 80 % of its ink pixels changed, with a change test that JPEG
  re-encoding at q=75..95 does not trigger), or when an OCR attacker (rapidocr PP-OCRv6 small, every line
  down to score 0.3, on the item's rectified crop upscaled 2x, both 0 and 180 degrees, plus detection and
  Tesseract `eng+chi_sim` as a second engine when the crop still has structure) reads back >= 4 consecutive digits of a phone / tracking / ID number / postal
  code, >= 2 consecutive characters of a Chinese name (the whole visible part if shorter), >= 4 consecutive
  characters of an address, a Western name token or >= 4 characters of an e-mail's local part, or when
  zxing-cpp decodes a symbol's payload from its crop at 1x or 2x.
- **Leak rate** = leaked sensitive items / sensitive items, on photos the tool produced an output for.
  **Clean photos** = photos with an output and zero leaks / all photos (a failure is not clean).
  **Over-redaction**: *text* = share of the ink of non-sensitive printed text destroyed (outside the
  sensitive areas' margins); *outside* = share of the photo changed outside every sensitive item grown by
  half its text height; *no-label* = share of a no-label photo changed (must be 0).
- **presidio** is presidio-image-redactor with Tesseract 5 (`eng+chi_sim`, Debian packages) and a *blank*
  spaCy English pipeline (the `en_core_web_*` models are not on PyPI): only its pattern recognizers run
  (phones, e-mails, long digit runs as bank / licence numbers, URLs, ...), there is no name or address
  recognition, and it fills the Tesseract word boxes of matched entities in black. The harness applies EXIF
  orientation before handing it the photo (presidio itself ignores it), which favours presidio.
- **naive** is rapidocr with its defaults on the whole photo (it shrinks inputs to 2000 px and drops lines
  under score 0.5), filling every line that matches a phone / long digit run / e-mail regex.
- Baseline outputs are written as JPEG q=92 by PIL (which drops EXIF): their GPS column is 0 by construction.
- **Seconds per photo** are wall seconds of one `redact` call in a process of its own (*CPU s/photo*: the CPU
  seconds of that call, its child processes included, which a busy shared machine does not inflate) (the first call includes
  lazy model loading; p95 shows it), one process per tool unless `--workers` says otherwise; **peak memory** is
  that process's ru_maxrss (presidio: plus its largest Tesseract child process). The machine is shared: read
  the ratios, not the seconds.
- **Scorer limits**: zxing-cpp does not decode MaxiCode from a crop, so MaxiCode can only leak as
  *uncovered*; vertical (top-to-bottom) text is attacked as a rotated line, which PP-OCR reads poorly; the
  attacker sees each item's own crop, not the whole photo, so a value readable only in context is not
  counted. The first attacker uses the same PP-OCR family parcel-redact uses for its own self-check;
  Tesseract is the independent second opinion.
- Secondary tools run on an evenly spread subset of the photos (column *photos*); the first table compares
  every tool on exactly the same photos.
- **Speed against the previous main** (2026-12-04, `python -m benchmarks.ab --a <59e289c tree> --b . --photos
  <12 MP photos of the full set> --limit 12 --rounds 2 --rapidocr`: three warm processes fed the same photos in
  turn, order alternating, shared 2-core machine): this main (the redesign with our own PP-OCR engine on ONNX
  Runtime, and issue 17's tilt-proof code masks and form rules) takes **0.965x** the median time of 59e289c
  (1.094 s vs 1.134 s); a plain `RapidOCR()(photo)` takes **2.09x** this main's time (2.285 s).
"""


def _p(v: Optional[float], d: int = 1) -> str:
    return "n/a" if v is None else f"{100 * v:.{d}f} %"


def _s(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def _mem(t: Dict[str, Any]) -> str:
    m = t.get("peak_rss_mb")
    if not m:
        return "n/a"
    kid = t.get("children_peak_rss_mb") or 0
    if t.get("description", "").startswith("presidio") and kid:
        m = m + kid
    return f"{m / 1024:.2f} GB" if m >= 1024 else f"{m:.0f} MB"


def _tool_row(name: str, t: Dict[str, Any], summary: Dict[str, Any], photos: int) -> str:
    a = summary["all"]
    bs = summary.get("by_set", {})
    std = bs.get("standard", {}).get("leak_rate")
    hard = bs.get("hard", {}).get("leak_rate")
    gps = f"{a['gps_survived']}/{a['gps_photos']}" if a.get("gps_photos") else "0/0"
    return (f"| {name} | {photos} | **{_p(a['leak_rate'], 2)}** | {_p(std, 2)} | {_p(hard, 2)} | "
            f"{_p(a['clean_label_photo_rate'])} | {_p(a['over_nonsensitive_text'])} | {_p(a['over_outside_share'], 2)} | "
            f"{_p(a['nolabel_changed_share'], 2)} | {gps} | {a['failures']} | {_s(a['seconds_median'])} | "
            f"{_s(a['seconds_p95'])} | {_s(a.get('cpu_seconds_median'))} | {_mem(t)} |")


HEAD = ("| tool | photos | leak rate | standard | hard | clean label photos | over: text | over: outside | "
        "no-label changed | GPS kept | failures | s/photo median | s/photo p95 | CPU s/photo | peak memory |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _breakdown(title: str, per: Dict[str, Dict[str, Any]], by_set: Dict[str, Any], key: str) -> List[str]:
    sets = [s for s in ("standard", "hard") if s in by_set]
    lines = [f"**{title}**", "", "| " + key + " | items | leaked | leak rate | "
             + " | ".join(f"{s} rate" for s in sets) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(sets)]
    for k, v in per.items():
        cells = []
        for s in sets:
            g = by_set[s].get(f"per_{key}", {}).get(k)
            cells.append(_p(g["leak_rate"], 1) if g else "–")
        lines.append(f"| {k} | {v['items']} | {v['leaked']} | {_p(v['leak_rate'], 2)} | " + " | ".join(cells) + " |")
    return lines + [""]


def _load_note(tools: Dict[str, Any]) -> str:
    loads = [x for t in tools.values() for x in (t.get("loadavg") or [])]
    if not loads:
        return ""
    cores = os.cpu_count() or 1
    note = f" 1-minute load average during the tool runs: {min(loads):.1f} to {max(loads):.1f} on {cores} cores"
    if max(loads) > 1.5 * cores:
        note += " (the machine was shared and busy: seconds per photo are inflated; compare tools by ratio)"
    return note + "."


def _set_section(doc: Dict[str, Any]) -> List[str]:
    tools = doc["tools"]
    ps = ", ".join(f"{v} {k}" for k, v in sorted(doc.get("photo_sets", {}).items()))
    part = f" (a partial run: the first {doc['max_photos']} photos of the set)" if doc.get("max_photos") else ""
    out = [f"## The {doc['set']} set: {doc['photos']} photos ({ps}){part}", "",
           f"Run {doc['date']} at commit `{doc['git']}` with `{doc['command']}` "
           f"({doc.get('workers', 1)} process(es) per tool, {doc['wall_seconds'] / 60:.1f} min wall for the whole run)."
           + _load_note(tools), ""]
    ran = {k: v for k, v in tools.items() if not v.get("skipped")}
    if ran:
        out += [f"### Side by side on the same {doc['common_photos']} photos", "", HEAD]
        for k, v in ran.items():
            out.append(_tool_row(k, v, v["common"], doc["common_photos"]))
        out.append("")
        if any(v["photos"] != doc["common_photos"] for v in ran.values()):
            out += ["### Each tool on all the photos it ran on", "", HEAD]
            for k, v in ran.items():
                out.append(_tool_row(k, v, v, v["photos"]))
            out.append("")
    same = doc.get("same_answer")
    if same:
        out += [f"**One photo, one answer**: parcel-redact through its API (`Redactor.redact`, one process) and "
                f"as users run it on a folder (`redact DIR -o OUT`, default workers) "
                + (f"give the same masks and the same output pixels on all {same['compared']} photos."
                   if not same["differ"] else
                   f"DIFFER on {same['differ']} of {same['compared']} photos ({same['masks_differ']} in the "
                   f"fields masked): {', '.join(same['names'][:10])}{' ...' if len(same['names']) > 10 else ''}."),
                ""]
    skipped = {k: v for k, v in tools.items() if v.get("skipped")}
    for k, v in skipped.items():
        out.append(f"- *{k}* was not run: {v['skipped']}.")
    if skipped:
        out.append("")
    def _when(v: Dict[str, Any]) -> str:
        return f" (run {v['date']} at `{v['git']}`)" if v.get("git") and v.get("git") != doc.get("git") else ""

    out += ["Tools: " + "; ".join(f"**{k}**: {v['description']}{_when(v)}" for k, v in tools.items()), ""]
    main = ran.get("parcel-redact")
    if main:
        a, bs = main["all"], main.get("by_set", {})
        verdict = []
        for s, bar in BARS.items():
            r = bs.get(s, {}).get("leak_rate")
            if r is not None:
                verdict.append(f"{s}: {_p(r, 2)} (bar {_p(bar, 0)}: {'met' if r <= bar else 'NOT met'})")
        out += [f"### parcel-redact in detail ({main['photos']} photos)", "",
                "Bars (issue 3): " + "; ".join(verdict) + ".", "",
                "Leak reasons: " + (", ".join(f"{k} {v}" for k, v in sorted(a["leak_reasons"].items())) or "none")
                + f". Failures: {a['failures']} {a['failure_kinds'] or ''}. EXIF kept on {a['exif_survived']} outputs, "
                f"GPS on {a['gps_survived']} of {a['gps_photos']} photos that had it, EXIF thumbnail on "
                f"{a['thumbnail_survived']}. No-label photos changed: {a['nolabel_photos_changed']}.", ""]
        if a.get("seconds_median_12mp") is not None:
            out += [f"Speed on the {a['photos_12mp']} 12 MP photos alone (issue 5: median <= 1.5 s, p95 <= 3 s): "
                    f"median {_s(a['seconds_median_12mp'])} s, p95 {_s(a['seconds_p95_12mp'])} s per photo, "
                    "decode to encode.", ""]
        out += _breakdown("Per category", a["per_category"], bs, "category")
        out += _breakdown("Per role", a["per_role"], bs, "role")
        out += _breakdown("Per photo condition", a["per_condition"], bs, "condition")
    return out


REAL_HEAD = ("| tool | photos | sensitive items | legible | **legible rate** | legible of those readable in the "
             "original | clean photos | non-sensitive text "
             "masked | no-label photos changed | failures | GPS kept | s/photo median |\n"
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _readable(a: Dict[str, Any]) -> str:
    n, k = a.get("readable_items"), a.get("readable_legible_items")
    return f"{k}/{n} ({_p(k / n if n else None)})" if n is not None else "n/a"


def _real_section(doc: Dict[str, Any]) -> List[str]:
    """The real-photo table (benchmarks/real): counts only, no text, photos named by file stem."""
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(doc.get("kinds", {}).items()))
    out = [f"## Real photos: {doc['photos']} annotated photos ({kinds}), {doc['sensitive_items']} sensitive items", "",
           f"Run {doc['date']} at commit `{doc['git']}` with `{doc['command']}` "
           f"({doc['wall_seconds'] / 60:.1f} min wall). Public photos of real parcels kept outside the repository "
           "(`benchmarks/real`: committed annotations hold polygons, categories and text hashes only; "
           f"{doc.get('annotated', doc['photos'])} annotations, scored on the photos present on this machine). "
           "An item is *legible* when the attacker OCR reads back from the output what it reads in the original "
           "inside the item's polygon, when a symbol still decodes, or when less than 95 % of its ink changed. "
           "Issue 17's bar: at most 1 % legible, at least 90 % of the photos clean, at most 8 % of the "
           "non-sensitive text masked.", "", REAL_HEAD]
    ran = {k: v for k, v in doc["tools"].items() if not v.get("skipped")}
    for k, v in ran.items():
        a = v["all"]
        out.append(f"| {k} | {v['photos']} | {a['sensitive_items']} | {a['legible_items']} | "
                   f"**{_p(a['legible_rate'])}** | {_readable(a)} | {a['clean_photos']}/{a['photos_with_sensitive']} "
                   f"({_p(a['clean_photo_rate'], 0)}) | {_p(a['nonsensitive_masked_rate'])} | "
                   f"{a.get('no_label_changed', 0)}/{a.get('no_label_photos', 0)} | {a['failures']} | "
                   f"{a['gps_survived']} | {_s(a['seconds_median'])} |")
    out.append("")
    for k, v in doc["tools"].items():
        if v.get("skipped"):
            out.append(f"- *{k}* was not run: {v['skipped']}.")
    main = ran.get("parcel-redact")
    if main:
        a = main["all"]
        cats = a.get("sensitive_per_category", {})
        names = list(ran)
        out += ["", "**Legible items per category** (sensitive items; parcel-redact's legible items by reason: "
                + (", ".join(f"{k} {n}" for k, n in a["legible_reasons"].items()) or "none") + ")", "",
                "| category | items | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
        for c, n in cats.items():
            out.append(f"| {c} | {n} | " + " | ".join(str(ran[t]["all"].get("legible_per_category", {}).get(c, 0))
                                                       for t in names) + " |")
        out += ["", "**By photo group** (file-name prefix: `in_` Indian reverse-pickup labels, `us_` US photos and "
                "scans, `xx_` a template)", "", "| group | photos | sensitive items | legible | clean photos |",
                "|---|---:|---:|---:|---:|"]
        for g, v in (a.get("per_group") or {}).items():
            out.append(f"| {g} | {v['photos']} | {v['sensitive_items']} | {v['legible_items']} "
                       f"({_p(v['legible_items'] / v['sensitive_items'] if v['sensitive_items'] else None)}) | "
                       f"{v['clean_photos']}/{v['photos_with_sensitive']} |")
        out += ["", "| photo | sensitive | legible (id: category) | failure |", "|---|---:|---|---|"]
        for p in main.get("per_photo", []):
            items = ", ".join(f"{x['id']}: {x['category']}" for x in p["legible"]) or "–"
            out.append(f"| {p['name']} | {p['sensitive']} | {items} | {p.get('error_kind') or ''} |")
    return out + [""]


def _profile_section(prof: Dict[str, Any]) -> List[str]:
    out = ["## Where the time goes: one 12 MP photo", "",
           f"`python -m benchmarks profile` ({prof.get('date', '')}, commit `{prof.get('git', '')}`): "
           f"{prof.get('photo', '')}, {prof.get('width')}x{prof.get('height')} px, median of "
           f"{prof.get('runs')} warm runs (the cold first run: {_s(prof.get('cold_total'))} s, model loading "
           f"included); one warm run used {_s(prof.get('cpu_median'))} CPU seconds over "
           f"{prof.get('threads')} threads; peak memory {_mem(prof)}; 1-minute load average "
           f"{(prof.get('loadavg') or ['?'])[0]} on {os.cpu_count()} cores (a busy machine inflates the seconds, "
           "not the shares).", "",
           "| stage | seconds (median) | share |", "|---|---:|---:|"]
    total = prof.get("stages", {}).get("total") or 0
    for k, v in prof.get("stages", {}).items():
        if k == "total":
            continue
        out.append(f"| {k} | {v:.3f} | {_p(v / total if total else None, 0)} |")
    out += [f"| **total** | **{total:.3f}** | |", ""]
    d = prof.get("direct_ocr")
    if d:
        out += [f"Beside it, in the same run: the same OCR engine run directly on the full photo (detection on all "
                f"{prof.get('width')}x{prof.get('height')} px, then recognition of the {d.get('lines')} lines found) "
                f"took **{d['wall_median']:.2f} s** ({d['cpu_median']:.2f} CPU s; peak memory of the process "
                f"afterwards {d['peak_rss_mb'] / 1024:.2f} GB), against {total:.2f} s for the whole pipeline, "
                "decode to encode.", ""]
    return out


def write_markdown(path: Optional[Path] = None) -> Path:
    path = path or ROOT / "BENCHMARKS.md"
    docs = {}
    for s in ("full", "quick"):
        p = RESULTS / f"{s}.json"
        if p.exists():
            docs[s] = json.loads(p.read_text(encoding="utf-8"))
    m = next(iter(docs.values()))["machine"] if docs else machine()
    lines = ["# Benchmarks", "",
             "How much personal data survives redaction, measured on generated parcel photos whose truth is known "
             "(`benchmarks/generator`), for parcel-redact and its peers, in the same run on the same photos.", "",
             "Reproduce (one command each; photos are generated deterministically and cached, tool outputs resume):", "",
             "```", "python -m benchmarks run --set full     # the published table (>= 200 photos)",
             "python -m benchmarks run --set quick    # what CI runs",
             "python -m benchmarks run --set real     # the annotated real photos found on this machine", "python -m benchmarks profile           # stage breakdown",
             "```", "",
             f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('mem_gb')} GB RAM, Python {m.get('python')}, "
             f"{m.get('os')}.", ""]
    for s, d in docs.items():
        lines += _set_section(d)
    if (RESULTS / "real.json").exists():
        lines += _real_section(json.loads((RESULTS / "real.json").read_text(encoding="utf-8")))
    prof = RESULTS / "profile.json"
    if prof.exists():
        lines += _profile_section(json.loads(prof.read_text(encoding="utf-8")))
    lines += ["## Notes", "", NOTES]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["profile"]:  # its own options
        from benchmarks.profile import main as pmain

        return pmain(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="parcel-redact benchmark harness")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="generate, run every tool, score, publish")
    r.add_argument("--set", default="quick", choices=["quick", "full", "real"],
                   help="real = the annotated real photos (benchmarks/real) present on this machine")
    r.add_argument("--real", action="store_true",
                   help="also run and score the real photos in the same run (with --set quick|full)")
    r.add_argument("--tools", help=f"comma-separated (default: {','.join(DEFAULT_TOOLS)}; unavailable ones are skipped)")
    r.add_argument("--out", help="work folder for tool outputs (default benchmarks/out/SET)")
    r.add_argument("--photos", help="use this folder of photos + truth instead of generating")
    r.add_argument("--seed", type=int, default=None, help="generator seed (default: the set's own)")
    r.add_argument("--workers", type=int, default=1, help="processes per tool (1 = honest s/photo)")
    r.add_argument("--score-workers", type=int, default=2)
    r.add_argument("--gen-workers", type=int, default=2, help="processes generating the photos")
    r.add_argument("--max-photos", type=int, default=0,
                   help="only the first N photos of the set (a partial run; the report says so)")
    r.add_argument("--limit", action="append", metavar="TOOL=N",
                   help="run TOOL on N evenly spread photos (N=all for every photo); repeatable")
    r.add_argument("--fresh", action="store_true", help="discard previous outputs of these tools")
    r.add_argument("--score-only", action="store_true",
                   help="do not run the tools: re-score their outputs already in --out (after a scorer change)")
    r.add_argument("--no-publish", action="store_true", help="do not write results/ and BENCHMARKS.md")
    sub.add_parser("report", help="rebuild BENCHMARKS.md from benchmarks/results/*.json")
    sub.add_parser("profile", help="stage breakdown of a 12 MP photo (see python -m benchmarks profile -h)")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    if a.cmd == "run":
        return cmd_run(a)
    if a.cmd == "report":
        print(write_markdown())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
