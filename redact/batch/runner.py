"""Batch runner: redact folders of photos with worker processes. A thin shell over ``Redactor``.

    from redact.batch import run_batch
    summary = run_batch([Path("photos")], Path("clean"), config=Config())
    sys.exit(summary.exit_code)

- Inputs are files and/or folders (walked recursively for image extensions, hidden entries skipped).
- Output tree keeps relative paths and base names (``photos/a/b.jpg`` -> ``clean/a/b.jpg``); without an
  output folder the result goes beside the input as ``b.redacted.jpg``. The extension follows the output
  format (HEIC/HEIF input -> ``.jpg``).
- Worker processes (spawn), one ``Redactor`` per worker loaded once; onnxruntime threads per worker =
  cores // workers.
- Resume: ``.redact-manifest.jsonl`` in the output folder records, per output, the sha256 of the input
  bytes, a fingerprint of the config and the sha256 of the output; a re-run skips an input whose record
  matches and whose output is still there unchanged. Everything else is (re)done.
- Noise seed: ``config.seed`` if set, else derived from the input's content hash (``file_seed``, the API's
  own default ``api.photo_seed``), so the same input gives byte-identical output in any order, in any
  worker, on any machine, and the same bytes as ``redact PHOTO`` or the service (see distributed.py).
- Report: ``redact-report.jsonl`` (one line per file) and ``redact-summary.csv``; categories and counts,
  never a recognised value.
- Atomic writes (temp file in the same folder + ``os.replace``); Ctrl-C stops the workers, removes their
  temp files and returns a summary with ``interrupted=True`` (exit code 130).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import enum
import hashlib
import io
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import RedactError, UsageError
from ..io.photo import EXTENSION
from ..types import Category

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"}
)
MANIFEST_NAME = ".redact-manifest.jsonl"
REPORT_NAME = "redact-report.jsonl"
SUMMARY_NAME = "redact-summary.csv"
TMP_MARK = ".redact-tmp"
REPORT_CATEGORIES = tuple(c.value for c in Category)  # CSV columns, in the enum's order
# extension family of each output format; an input whose extension already belongs to the family keeps it
_FORMAT_EXT = dict(EXTENSION)
_EXT_FORMAT = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".jfif": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
    ".heic": "JPEG",
    ".heif": "JPEG",
}


# --------------------------------------------------------------------------------------------------------
# the per-photo function (shared with the distributed runner)
# --------------------------------------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_seed(content_sha256: str, base_seed: int | None = None) -> int:
    """The noise seed for one photo: from its content hash (and the config's seed, if any)."""
    h = hashlib.sha256(f"{content_sha256}:{'' if base_seed is None else int(base_seed)}".encode())
    return int.from_bytes(h.digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def _jsonable(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (frozenset, set)):
        return sorted(_jsonable(x) for x in v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if dataclasses.is_dataclass(v):
        return {f.name: _jsonable(getattr(v, f.name)) for f in dataclasses.fields(v)}
    return v


def config_fingerprint(config: Config) -> str:
    """A short hash of everything in the config that can change an output's bytes (not the threads)."""
    from .. import __version__

    d = _jsonable(config)
    d.pop("threads", None)
    d.pop("side_threads", None)
    blob = json.dumps({"version": __version__, "config": d}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PhotoOutcome:
    """What the per-photo function returns: the output bytes (or the failure) and counts, no values."""

    status: str  # "ok" | "failed"
    input_sha256: str
    data: bytes | None = None
    format: str = ""
    extension: str = ""
    masked: Mapping[str, int] = field(default_factory=dict)
    masks: int = 0
    seconds: float = 0.0
    error_kind: str = ""
    error: str = ""


def masked_counts(report: Any) -> tuple[dict[str, int], int]:
    """Fields masked, by category, and the number of masks. Counts only: no value is read."""
    masked_ids = set()
    for m in getattr(report, "masks", ()) or ():
        masked_ids.update(m.fields)
    out: dict[str, int] = {}
    for i, f in enumerate(getattr(report, "fields", ()) or ()):
        if i in masked_ids:
            cat = getattr(f.category, "value", str(f.category))
            out[cat] = out.get(cat, 0) + 1
    return out, len(getattr(report, "masks", ()) or ())


def safe_error(exc: BaseException, name: str = "") -> tuple[str, str]:
    """(kind, one-line message) for a failure. Our own errors carry no personal value by contract; anything
    else is reported by its type only (its message could quote anything)."""
    if isinstance(exc, RedactError):
        msg = " ".join(str(exc.message).split())
        return exc.kind, (f"{name}: {msg}" if name else msg)
    if isinstance(exc, MemoryError):
        return "engine", f"{name}: out of memory" if name else "out of memory"
    if isinstance(exc, OSError):
        what = f"{type(exc).__name__} (errno {exc.errno})" if exc.errno else type(exc).__name__
        return "io", f"{name}: {what}" if name else what
    return (
        "internal",
        f"{name}: unexpected {type(exc).__name__}" if name else f"unexpected {type(exc).__name__}",
    )


def _accepts_seed(redactor: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(redactor.redact).parameters
    except (TypeError, ValueError):
        return False
    return "seed" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _call_redact(redactor: Any, data: bytes, *, name: str, seed: int) -> Any:
    """``redactor.redact`` with a per-call noise seed. Falls back to a copy of the redactor's config with
    the seed when the API takes no per-call seed (``Redactor.with_config`` if it has one)."""
    if _accepts_seed(redactor):
        return redactor.redact(data, name=name, seed=seed)
    raise RuntimeError("Redactor.redact() takes no per-call seed")  # pragma: no cover


def _where(exc: BaseException) -> str:
    """file:line where an exception was raised (a debugging aid that quotes no message or value)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"


def redact_bytes(redactor: Any, data: bytes, *, name: str = "", base_seed: int | None = None) -> PhotoOutcome:
    """Redact one photo's bytes with a loaded ``Redactor``, deterministically (per-file seed).

    Never raises for a bad photo: failures come back as ``status="failed"`` with kind and message.
    """
    t0 = time.perf_counter()
    digest = sha256_bytes(data)
    try:
        # the seed every surface uses: the explicit one as it is, else the photo's own (``api.photo_seed``)
        res = _call_redact(redactor, data, name=name, seed=file_seed(digest) if base_seed is None else int(base_seed))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - continue on errors, by design
        kind, msg = safe_error(exc, name)
        log.debug("failed: %s (raised at %s)", msg, _where(exc))
        return PhotoOutcome("failed", digest, seconds=time.perf_counter() - t0, error_kind=kind, error=msg)
    masked, n_masks = masked_counts(res.report)
    return PhotoOutcome(
        "ok",
        digest,
        data=res.data,
        format=res.format,
        extension=res.extension,
        masked=masked,
        masks=n_masks,
        seconds=time.perf_counter() - t0,
    )


def output_name(name: str, out_format: str | None = None, *, suffix: str = "") -> str:
    """``b.jpg`` -> ``b{suffix}.jpg``; the extension follows the output format (HEIC -> .jpg)."""
    p = Path(name)
    ext = p.suffix.lower()
    fmt = out_format or _EXT_FORMAT.get(ext, "JPEG")
    keep = _EXT_FORMAT.get(ext) == fmt and ext not in (".heic", ".heif")
    new_ext = p.suffix if keep else _FORMAT_EXT.get(fmt, ".jpg")
    return f"{p.stem}{suffix}{new_ext}"


def final_name(predicted: str, out_format: str) -> str:
    """The planned output name, with its extension corrected when the content's format differs from what
    the input's extension promised (a PNG named ``.jpg``)."""
    p = Path(predicted)
    if _EXT_FORMAT.get(p.suffix.lower()) == out_format:
        return predicted
    return f"{p.stem}{_FORMAT_EXT.get(out_format, '.jpg')}"


# --------------------------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """The API's atomic write (temp file in the same folder, fsync, ``os.replace``), with the batch's temp
    mark so that files left by a SIGKILL are swept on the next run."""
    from ..io.photo import write_atomic as _write

    _write(path, data, tmp_suffix=TMP_MARK)


def _sweep_stale_tmp(folder: Path) -> int:
    """Remove temp files a killed run (SIGKILL) may have left. Only our own exact pattern."""
    n = 0
    if not folder.is_dir():
        return 0
    for root, _dirs, files in os.walk(folder):
        for f in files:
            if f.startswith(".") and f.endswith(TMP_MARK):
                try:
                    os.unlink(os.path.join(root, f))
                    n += 1
                except OSError:
                    pass
    return n


# --------------------------------------------------------------------------------------------------------
# planning
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    src: Path
    rel: str  # display / report path, relative to its input root, posix separators
    dst: Path
    rel_out: str  # relative to the state folder (out_dir, or the input root)


def _is_image(p: Path) -> bool:
    return p.suffix.lower() in IMAGE_EXTENSIONS


def _walk(root: Path, exclude: Path | None, suffix: str, beside: bool) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirs, files in os.walk(root):
        d = Path(dirpath)
        keep = []
        for x in sorted(dirs):
            if x.startswith("."):
                continue
            if exclude is not None and (d / x).resolve() == exclude:
                continue
            keep.append(x)
        dirs[:] = keep
        for f in sorted(files):
            p = d / f
            if f.startswith(".") or not _is_image(p):
                continue
            if suffix and Path(f).stem.endswith(suffix):
                continue  # our own earlier output (beside its input, or copied in): never redacted again
            out.append(p)
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def plan_jobs(
    inputs: Sequence[Path], out_dir: Path | None, *, suffix: str = ".redacted"
) -> tuple[list[Job], Path]:
    """Expand inputs into jobs and pick the state folder (manifest). Raises UsageError for unusable input."""
    inputs = [Path(p) for p in inputs]
    if not inputs:
        raise UsageError("no input given")
    for p in inputs:
        if not p.exists():
            raise UsageError("input not found", path=str(p))
    out_res = out_dir.resolve() if out_dir is not None else None
    if out_dir is None and not suffix:
        raise UsageError(
            "without an output folder a non-empty suffix is needed (the originals are never overwritten)"
        )
    multi = len(inputs) > 1
    jobs: list[Job] = []
    roots: list[Path] = []
    seen_src: set = set()
    for inp in inputs:
        if inp.is_dir():
            root = inp
            files = _walk(inp, out_res, suffix, out_dir is None)
            prefix = Path(inp.resolve().name) if multi else Path()
        else:
            root = inp.parent
            files = [inp]
            prefix = Path()
        roots.append(root)
        for f in files:
            key = f.resolve()
            if key in seen_src:
                continue
            seen_src.add(key)
            rel = (prefix / f.relative_to(root)) if inp.is_dir() else Path(f.name)
            if out_dir is not None:
                dst = out_dir / rel.parent / output_name(rel.name)
                rel_out = (rel.parent / dst.name).as_posix()
            else:
                dst = f.parent / output_name(f.name, suffix=suffix)
                rel_out = ""
            jobs.append(Job(src=f, rel=rel.as_posix(), dst=dst, rel_out=rel_out))
    if out_dir is not None:
        state = out_dir
    else:
        state = roots[0] if len(roots) == 1 else Path(os.path.commonpath([str(r.resolve()) for r in roots]))
        jobs = [
            dataclasses.replace(j, rel_out=os.path.relpath(j.dst, state).replace(os.sep, "/")) for j in jobs
        ]
    # never overwrite an original
    srcs = {j.src.resolve() for j in jobs}
    for j in jobs:
        d = j.dst.resolve()
        if d in srcs or (j.dst.exists() and os.path.samefile(j.dst, j.src)):
            raise UsageError("output would overwrite an input; choose another output folder", path=j.rel)
    return jobs, state


# --------------------------------------------------------------------------------------------------------
# manifest (resume)
# --------------------------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Records by input path (relative, as in the report); later lines win; a torn last line (killed
    mid-append) is ignored."""
    out: dict[str, dict[str, Any]] = {}
    try:
        with open(path, "r", encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and "output" in rec and "file" in rec:
                    out[rec["file"]] = rec
    except FileNotFoundError:
        pass
    return out


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_done(job: Job, sha: str, fp: str, manifest: Mapping[str, Mapping[str, Any]], state: Path) -> bool:
    rec = manifest.get(job.rel)
    if not rec or rec.get("input_sha256") != sha or rec.get("config") != fp:
        return False
    out = state / rec["output"]
    try:
        return out.is_file() and _file_sha(out) == rec.get("output_sha256")
    except OSError:
        return False


# --------------------------------------------------------------------------------------------------------
# worker process
# --------------------------------------------------------------------------------------------------------

_REDACTOR: Any = None
_BASE_SEED: int | None = None


def _on_sigterm(signum: int, frame: Any) -> None:  # pragma: no cover - runs in the worker
    raise SystemExit(128 + signum)


def _too_large(size: int, limit: int) -> RedactError:
    from ..errors import TooLarge

    return TooLarge(f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit")


def _cap_opencv_threads(threads: int) -> None:
    """OpenCV's own pool defaults to every core; with one worker per core that oversubscribes the CPU."""
    try:
        import cv2

        cv2.setNumThreads(int(threads))
    except Exception as exc:  # noqa: BLE001 - an optimisation only
        log.debug("could not cap OpenCV threads: %s", type(exc).__name__)


def _worker_init(config: Config, threads: int, log_level: int) -> None:
    """Runs once per worker process: thread caps, signals, one Redactor (models load on first use)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    signal.signal(signal.SIGTERM, _on_sigterm)  # so `finally` removes a half-written temp file
    logging.getLogger().setLevel(log_level)
    _cap_opencv_threads(threads)
    global _REDACTOR, _BASE_SEED
    from ..api import Redactor

    _BASE_SEED = config.seed
    # one core per worker: the worker runs its stages one after another (processes are the parallelism)
    _REDACTOR = Redactor(config.with_(threads=threads, side_threads=config.side_threads if threads > 1 else 0))
    warm = getattr(_REDACTOR, "warm", None)
    if warm is not None:
        try:
            warm()  # load models now, once per worker; a failure surfaces per photo as an engine error
        except Exception as exc:  # noqa: BLE001
            log.warning("worker could not load models: %s", type(exc).__name__)


def _worker_run(src: str, dst: str, rel: str) -> dict[str, Any]:
    """Read, redact, write atomically. Returns a plain dict (no value, no pixels)."""
    try:
        return _worker_run_inner(src, dst, rel)
    except SystemExit:  # SIGTERM from the parent: temp files are already gone; leave now
        os._exit(143)


def _worker_run_inner(src: str, dst: str, rel: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        limit = getattr(getattr(_REDACTOR, "config", None), "max_bytes", None)
        size = os.path.getsize(src)
        if limit is not None and size > limit:  # grew since planning: still refuse before reading it
            kind, msg = safe_error(_too_large(size, limit), rel)
            return {"status": "failed", "error_kind": kind, "error": msg, "seconds": time.perf_counter() - t0}
        data = Path(src).read_bytes()
    except OSError as exc:
        kind, msg = safe_error(exc, rel)
        return {"status": "failed", "error_kind": kind, "error": msg, "seconds": time.perf_counter() - t0}
    oc = redact_bytes(_REDACTOR, data, name=rel, base_seed=_BASE_SEED)
    res: dict[str, Any] = {
        "status": oc.status,
        "input_sha256": oc.input_sha256,
        "masked": dict(oc.masked),
        "masks": oc.masks,
        "error_kind": oc.error_kind,
        "error": oc.error,
    }
    if oc.status == "ok":
        out = Path(dst)
        out = out.with_name(final_name(out.name, oc.format))
        try:
            write_atomic(out, oc.data or b"")
        except OSError as exc:
            kind, msg = safe_error(exc, rel)
            res.update(status="failed", error_kind=kind, error=msg)
        else:
            res["dst"] = str(out)
            res["output_sha256"] = sha256_bytes(oc.data or b"")
    res["seconds"] = time.perf_counter() - t0
    return res


# --------------------------------------------------------------------------------------------------------
# the runner
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    file: str  # relative path of the input (as shown in the report)
    status: str  # "ok" | "failed" | "skipped" | "planned" (dry run) | "interrupted"
    output: str = ""  # output path relative to the output folder
    seconds: float = 0.0
    masked: Mapping[str, int] = field(default_factory=dict)
    masks: int = 0
    error_kind: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file": self.file,
            "status": self.status,
            "output": self.output,
            "seconds": round(self.seconds, 3),
            "masked": dict(self.masked),
            "masks": self.masks,
        }
        if self.error_kind:
            d["error_kind"] = self.error_kind
            d["error"] = self.error
        return d


@dataclass(frozen=True)
class BatchSummary:
    items: tuple[FileResult, ...]
    seconds: float
    workers: int
    dry_run: bool = False
    interrupted: bool = False
    report_path: Path | None = None
    csv_path: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def ok(self) -> int:
        return self.count("ok")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def masked(self) -> dict[str, int]:
        tot: dict[str, int] = {}
        for i in self.items:
            for k, v in i.masked.items():
                tot[k] = tot.get(k, 0) + v
        return tot

    @property
    def exit_code(self) -> int:
        """The CLI's exit code: 0 every file ok or skipped (or planned, in a dry run); 9 some failed
        (the others were written); 130 interrupted (finished files kept, a re-run resumes)."""
        if self.interrupted:
            return 130
        return 9 if self.failed else 0

    def line(self) -> str:
        """One human line, no values: '12 ok, 1 failed, 3 skipped in 41.2 s (2 workers)'."""
        s = (
            f"{self.ok} ok, {self.failed} failed, {self.skipped} skipped in {self.seconds:.1f} s "
            f"({self.workers} worker{'s' if self.workers != 1 else ''})"
        )
        if self.dry_run:
            s = f"dry run: {self.count('planned')} to redact, {self.skipped} already done"
        if self.interrupted:
            s += ", interrupted"
        return s

    def describe(self) -> str:
        """The summary line, then one line per failure (kind and one-line message; no values)."""
        out = [self.line()]
        if self.dry_run:
            out += [f"  would redact {i.file} -> {i.output}" for i in self.items if i.status == "planned"]
            out += [f"  skip {i.file} (done)" for i in self.items if i.status == "skipped"]
        out += [f"  failed [{i.error_kind}] {i.error}" for i in self.items if i.status == "failed"]
        if self.report_path is not None:
            out.append(f"report: {self.report_path} and {self.csv_path}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.describe()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failed": self.failed,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "workers": self.workers,
            "dry_run": self.dry_run,
            "interrupted": self.interrupted,
            "masked": self.masked,
            "exit_code": self.exit_code,
            "files": [i.to_dict() for i in self.items],
        }


def _write_reports(items: Sequence[FileResult], report_dir: Path) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    jl = report_dir / REPORT_NAME
    buf = io.StringIO()
    for it in items:
        buf.write(json.dumps(it.to_dict(), ensure_ascii=False) + "\n")
    write_atomic(jl, buf.getvalue().encode("utf-8"))
    cats = list(REPORT_CATEGORIES) + sorted({k for i in items for k in i.masked} - set(REPORT_CATEGORIES))
    sbuf = io.StringIO()
    w = csv.writer(sbuf, lineterminator="\n")
    w.writerow(["file", "status", "seconds", "masks", *cats, "error_kind", "error"])
    for it in items:
        w.writerow(
            [
                it.file,
                it.status,
                f"{it.seconds:.3f}",
                it.masks,
                *[it.masked.get(c, 0) for c in cats],
                it.error_kind,
                it.error,
            ]
        )
    cp = report_dir / SUMMARY_NAME
    write_atomic(cp, sbuf.getvalue().encode("utf-8"))
    return jl, cp


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        file=sys.stderr,
        unit="photo",
        dynamic_ncols=True,
        smoothing=0.1,
        disable=not (enabled and sys.stderr.isatty()),
    )


def run_batch(
    inputs: Sequence[Path],
    out_dir: Path | None,
    *,
    config: Config | None = None,
    workers: int | None = None,
    resume: bool = True,
    dry_run: bool = False,
    report_dir: Path | None = None,
    progress: bool = True,
    suffix: str = ".redacted",
    threads_per_worker: int | None = None,
) -> BatchSummary:
    """Redact every image under ``inputs`` into ``out_dir`` (or beside each input with ``suffix``).

    Never raises for a bad photo (it is listed as failed and the rest go on); raises ``UsageError`` for
    unusable arguments (missing input, output that would overwrite an input). Ctrl-C returns a summary with
    ``interrupted=True``; no half-written file is left and a re-run resumes.

    ``workers``: processes (default one per core); ``threads_per_worker``: onnxruntime threads in each
    (default cores // workers). ``resume``: skip inputs whose content hash and config fingerprint match the
    manifest and whose output is intact. ``dry_run``: plan only (statuses "planned"/"skipped"), write
    nothing. ``report_dir``: where the JSONL/CSV report goes (default: the output folder, or the input
    folder when writing beside the inputs).
    """
    t0 = time.perf_counter()
    config = config or Config()
    cores = os.cpu_count() or 1
    workers = max(1, int(workers or cores))
    if out_dir is not None and not dry_run:
        from ..io.photo import check_writable

        check_writable(Path(out_dir), folder=True)  # before any work: a file there, a read-only place
    jobs, state = plan_jobs(inputs, Path(out_dir) if out_dir is not None else None, suffix=suffix)
    fp = config_fingerprint(config)
    manifest_path = state / MANIFEST_NAME
    manifest = read_manifest(manifest_path) if resume else {}
    seen_out: dict[str, str] = {}
    results: dict[int, FileResult] = {}
    todo: list[int] = []
    for idx, job in enumerate(jobs):
        if job.rel_out in seen_out:
            results[idx] = FileResult(
                job.rel,
                "failed",
                job.rel_out,
                error_kind="usage",
                error=f"{job.rel}: output name collides with {seen_out[job.rel_out]}",
            )
            continue
        seen_out[job.rel_out] = job.rel
        try:
            size = job.src.stat().st_size
        except OSError as exc:
            kind, msg = safe_error(exc, job.rel)
            results[idx] = FileResult(job.rel, "failed", job.rel_out, error_kind=kind, error=msg)
            continue
        if size > config.max_bytes:  # refused before any worker reads it
            kind, msg = safe_error(_too_large(size, config.max_bytes), job.rel)
            results[idx] = FileResult(job.rel, "failed", job.rel_out, error_kind=kind, error=msg)
            continue
        if resume and manifest:
            try:
                sha = _file_sha(job.src)
            except OSError as exc:
                kind, msg = safe_error(exc, job.rel)
                results[idx] = FileResult(job.rel, "failed", job.rel_out, error_kind=kind, error=msg)
                continue
            if _is_done(job, sha, fp, manifest, state):
                rec = manifest[job.rel]  # the outcome of the run that did it stays in the report
                results[idx] = FileResult(job.rel, "skipped", rec["output"], masked=dict(rec.get("masked") or {}),
                                          masks=int(rec.get("masks", 0)))
                continue
        todo.append(idx)
    workers = max(1, min(workers, len(todo) or 1))
    if dry_run:
        for idx in todo:
            results[idx] = FileResult(jobs[idx].rel, "planned", jobs[idx].rel_out)
        items = tuple(results[i] for i in range(len(jobs)))
        return BatchSummary(items, time.perf_counter() - t0, workers, dry_run=True)

    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        _sweep_stale_tmp(Path(out_dir))
    threads = max(1, int(threads_per_worker or cores // workers))
    interrupted = False
    bar = _progress(len(jobs), progress)
    bar.update(len(results))
    # appended line by line as photos finish, closed in the `finally` below
    mf = open(manifest_path, "a", encoding="utf-8") if todo else None  # noqa: SIM115

    def record(idx: int, res: dict[str, Any]) -> None:
        job = jobs[idx]
        rel_out = job.rel_out
        if res.get("dst") and Path(res["dst"]) != job.dst:
            rel_out = os.path.relpath(res["dst"], state).replace(os.sep, "/")
        results[idx] = FileResult(
            job.rel,
            res["status"],
            rel_out,
            float(res.get("seconds", 0.0)),
            res.get("masked") or {},
            int(res.get("masks", 0)),
            res.get("error_kind", ""),
            res.get("error", ""),
        )
        if res["status"] == "ok" and mf is not None:
            mf.write(
                json.dumps(
                    {
                        "file": job.rel,
                        "output": rel_out,
                        "input_sha256": res["input_sha256"],
                        "config": fp,
                        "output_sha256": res["output_sha256"],
                        "masked": res.get("masked") or {},
                        "masks": int(res.get("masks", 0)),
                        "time": round(time.time(), 3),
                    }
                )
                + "\n"
            )
            mf.flush()
        if res["status"] == "failed":
            log.warning("failed: %s", res.get("error", job.rel))
        elif res["status"] == "ok":
            masked = res.get("masked") or {}
            log.info("ok %s -> %s: %d field(s) masked in %d region(s) in %.1f s", job.rel, rel_out,
                     sum(masked.values()), int(res.get("masks", 0)), float(res.get("seconds", 0.0)))
        bar.update(1)

    pending = list(todo)
    pending.reverse()  # pop() from the end keeps input order
    ex: ProcessPoolExecutor | None = None
    from tqdm.contrib.logging import logging_redirect_tqdm

    # log lines go through tqdm's write path while the bar is shown: above the bar, never into it
    redirect = logging_redirect_tqdm() if not bar.disable else contextlib.nullcontext()
    redirect.__enter__()
    try:
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        fruitless = 0  # pools in a row that broke before finishing any photo
        while pending:
            if fruitless >= 2:  # workers cannot even start: fail the rest instead of looping
                while pending:
                    idx = pending.pop()
                    record(
                        idx,
                        {
                            "status": "failed",
                            "error_kind": "engine",
                            "error": f"{jobs[idx].rel}: worker processes cannot start",
                        },
                    )
                break
            finished_before = len(results)
            ex = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=_worker_init,
                initargs=(config, threads, logging.getLogger().level),
            )
            running: dict[Future, int] = {}
            broken = False
            while pending or running:
                while pending and len(running) < workers and not broken:
                    idx = pending.pop()
                    j = jobs[idx]
                    running[ex.submit(_worker_run, str(j.src), str(j.dst), j.rel)] = idx
                if not running:
                    break
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in done:
                    idx = running.pop(fut)
                    try:
                        record(idx, fut.result())
                    except BrokenProcessPool:
                        broken = True
                        record(
                            idx,
                            {
                                "status": "failed",
                                "error_kind": "engine",
                                "error": f"{jobs[idx].rel}: worker process died",
                            },
                        )
                    except Exception as exc:  # noqa: BLE001
                        kind, msg = safe_error(exc, jobs[idx].rel)
                        record(idx, {"status": "failed", "error_kind": kind, "error": msg})
            ex.shutdown(wait=True)
            ex = None
            if broken:
                progressed = any(results[i].status == "ok" for i in list(results)[finished_before:])
                fruitless = 0 if progressed else fruitless + 1
    except KeyboardInterrupt:
        interrupted = True
        log.warning("interrupted: stopping workers")
        if ex is not None:
            _kill_pool(ex)
            ex = None
    finally:
        if ex is not None:
            _kill_pool(ex)
        redirect.__exit__(None, None, None)
        bar.close()
        if mf is not None:
            mf.close()
    for idx in range(len(jobs)):
        if idx not in results:
            results[idx] = FileResult(jobs[idx].rel, "interrupted", jobs[idx].rel_out)
    items = tuple(results[i] for i in range(len(jobs)))
    rdir = Path(report_dir) if report_dir is not None else state
    jl, cp = _write_reports(items, rdir)
    summary = BatchSummary(
        items, time.perf_counter() - t0, workers, interrupted=interrupted, report_path=jl, csv_path=cp
    )
    log.info("%s", summary.line())
    return summary


def _kill_pool(ex: ProcessPoolExecutor) -> None:
    """Stop workers now: SIGTERM makes each raise SystemExit, so its temp file is removed, then reap."""
    procs = list(getattr(ex, "_processes", {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()
        except Exception as exc:  # noqa: BLE001 - already gone
            log.debug("terminate: %s", type(exc).__name__)
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)
