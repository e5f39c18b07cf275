"""Batch runner: redact folders of photos with worker processes. A thin shell over ``Redactor``.

    from redact.batch import run_batch
    summary = run_batch([Path("photos")], Path("clean"), config=Config())
    sys.exit(summary.exit_code)

- Planning (inputs, output tree and names): plan.py. Resume state (manifest, fingerprints, seeds):
  manifest.py. The per-photo work in the worker processes: worker.py. Results and report files: summary.py.
- Worker processes (spawn), one ``Redactor`` per worker loaded once; onnxruntime threads per worker =
  cores // workers.
- Resume: a re-run skips an input whose manifest record matches and whose output is intact (manifest.py).
- Report: ``redact-report.jsonl`` (one line per file) and ``redact-summary.csv``; categories and counts,
  never a recognised value.
- Atomic writes (temp file in the same folder + ``os.replace``); Ctrl-C stops the workers, removes their
  temp files and returns a summary with ``interrupted=True`` (exit code 130).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..config import Config
from ..io.photo import check_writable
from .manifest import MANIFEST_NAME, ManifestLog, config_fingerprint, file_sha, is_done, read_manifest
from .plan import TMP_MARK, Job, plan_jobs
from .summary import BatchSummary, FileResult, write_reports
from .worker import init_worker, run_file, safe_error, too_large

log = logging.getLogger("redact.batch")  # the folder run's one logger name, as before the split

MAX_FRUITLESS_POOLS = 2  # pools in a row that broke before finishing any photo: the workers cannot start


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
        check_writable(Path(out_dir), folder=True)  # before any work: a file there, a read-only place
    jobs, state = plan_jobs(inputs, Path(out_dir) if out_dir is not None else None, suffix=suffix)
    fp = config_fingerprint(config)
    manifest_path = state / MANIFEST_NAME
    manifest = read_manifest(manifest_path) if resume else {}
    results, todo = triage(jobs, config, fp, manifest, state)
    workers = max(1, min(workers, len(todo) or 1))
    if dry_run:
        for idx in todo:
            results[idx] = FileResult(jobs[idx].rel, "planned", jobs[idx].rel_out)
        return BatchSummary(_in_order(results, jobs), time.perf_counter() - t0, workers, dry_run=True)

    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        sweep_stale_tmp(Path(out_dir))
    threads = max(1, int(threads_per_worker or cores // workers))
    bar = _progress(len(jobs), progress)
    bar.update(len(results))
    # appended line by line as photos finish, closed when the run ends
    book = _Book(jobs, state, results, ManifestLog(manifest_path, fp) if todo else None, bar)
    try:
        interrupted = _run_pools(book, todo, config, workers, threads)
    finally:
        book.close()
    for idx in range(len(jobs)):
        if idx not in results:
            results[idx] = FileResult(jobs[idx].rel, "interrupted", jobs[idx].rel_out)
    items = _in_order(results, jobs)
    jl, cp = write_reports(items, Path(report_dir) if report_dir is not None else state)
    summary = BatchSummary(
        items, time.perf_counter() - t0, workers, interrupted=interrupted, report_path=jl, csv_path=cp
    )
    log.info("%s", summary.line())
    return summary


# --------------------------------------------------------------------------------------------------------
# before the workers: collisions, sizes, what the manifest says is done
# --------------------------------------------------------------------------------------------------------


def triage(
    jobs: Sequence[Job],
    config: Config,
    fp: str,
    manifest: Mapping[str, Mapping[str, Any]],
    state: Path,
) -> tuple[dict[int, FileResult], list[int]]:
    """The results known before any worker runs (output name collisions, unreadable or too large files,
    inputs already done), by job index, and the indices left to do, in input order."""
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
        known = _known_result(job, config, fp, manifest, state)
        if known is not None:
            results[idx] = known
        else:
            todo.append(idx)
    return results, todo


def _failed(job: Job, exc: BaseException) -> FileResult:
    kind, msg = safe_error(exc, job.rel)
    return FileResult(job.rel, "failed", job.rel_out, error_kind=kind, error=msg)


def _known_result(
    job: Job, config: Config, fp: str, manifest: Mapping[str, Mapping[str, Any]], state: Path
) -> FileResult | None:
    """A failure or a skip found without redacting; None: the job is to do."""
    try:
        size = job.src.stat().st_size
    except OSError as exc:
        return _failed(job, exc)
    if size > config.max_bytes:  # refused before any worker reads it
        return _failed(job, too_large(size, config.max_bytes))
    if not manifest:
        return None
    try:
        sha = file_sha(job.src)
    except OSError as exc:
        return _failed(job, exc)
    if not is_done(job.rel, sha, fp, manifest, state):
        return None
    rec = manifest[job.rel]  # the outcome of the run that did it stays in the report
    return FileResult(
        job.rel, "skipped", rec["output"], masked=dict(rec.get("masked") or {}), masks=int(rec.get("masks", 0))
    )


def _in_order(results: Mapping[int, FileResult], jobs: Sequence[Job]) -> tuple[FileResult, ...]:
    return tuple(results[i] for i in range(len(jobs)))


def sweep_stale_tmp(folder: Path) -> int:
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
# while the workers run: the book of results, the pools
# --------------------------------------------------------------------------------------------------------


class _Book:
    """Where finished photos are recorded: the results, the manifest, the log lines, the progress bar."""

    def __init__(
        self,
        jobs: Sequence[Job],
        state: Path,
        results: dict[int, FileResult],
        manifest: ManifestLog | None,
        bar: Any,
    ):
        self.jobs, self.state, self.results, self.manifest, self.bar = jobs, state, results, manifest, bar
        # log lines go through tqdm's write path while the bar is shown: above the bar, never into it
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._redirect = logging_redirect_tqdm() if not bar.disable else contextlib.nullcontext()
        self._redirect.__enter__()

    def record(self, idx: int, res: Mapping[str, Any]) -> None:
        """One photo finished (``res``: the worker's result dict, or a failure made here)."""
        job = self.jobs[idx]
        rel_out = job.rel_out
        if res.get("dst") and Path(res["dst"]) != job.dst:
            rel_out = os.path.relpath(res["dst"], self.state).replace(os.sep, "/")
        self.results[idx] = FileResult(
            job.rel,
            res["status"],
            rel_out,
            float(res.get("seconds", 0.0)),
            res.get("masked") or {},
            int(res.get("masks", 0)),
            res.get("error_kind", ""),
            res.get("error", ""),
        )
        if res["status"] == "ok" and self.manifest is not None:
            self.manifest.append(job.rel, rel_out, res)
        if res["status"] == "failed":
            log.warning("failed: %s", res.get("error", job.rel))
        elif res["status"] == "ok":
            masked = res.get("masked") or {}
            log.info("ok %s -> %s: %d field(s) masked in %d region(s) in %.1f s", job.rel, rel_out,
                     sum(masked.values()), int(res.get("masks", 0)), float(res.get("seconds", 0.0)))
        self.bar.update(1)

    def fail(self, idx: int, kind: str, why: str) -> None:
        self.record(idx, {"status": "failed", "error_kind": kind, "error": f"{self.jobs[idx].rel}: {why}"})

    def close(self) -> None:
        self._redirect.__exit__(None, None, None)
        self.bar.close()
        if self.manifest is not None:
            self.manifest.close()


def _run_pools(book: _Book, todo: Sequence[int], config: Config, workers: int, threads: int) -> bool:
    """Run the jobs ``todo`` in worker pools, recording each in ``book``; a pool whose worker died is
    replaced (the photo it held is failed). Returns True when Ctrl-C stopped the run."""
    pending = list(todo)
    pending.reverse()  # pop() from the end keeps input order
    ctx = mp.get_context("spawn")
    current: list[ProcessPoolExecutor] = []  # the pool running now, to stop on Ctrl-C
    try:
        fruitless = 0  # pools in a row that broke before finishing any photo
        while pending:
            if fruitless >= MAX_FRUITLESS_POOLS:  # workers cannot even start: fail the rest instead of looping
                while pending:
                    book.fail(pending.pop(), "engine", "worker processes cannot start")
                break
            finished_before = len(book.results)
            ex = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=init_worker,
                initargs=(config, threads, logging.getLogger().level),
            )
            current.append(ex)
            broken = _drain(ex, pending, book, workers)
            ex.shutdown(wait=True)
            current.clear()
            if broken:
                progressed = any(book.results[i].status == "ok" for i in list(book.results)[finished_before:])
                fruitless = 0 if progressed else fruitless + 1
    except KeyboardInterrupt:
        log.warning("interrupted: stopping workers")
        return True
    finally:
        for ex in current:
            _kill_pool(ex)
    return False


def _drain(ex: ProcessPoolExecutor, pending: list[int], book: _Book, workers: int) -> bool:
    """Feed ``pending`` (popped from the end) to the pool, ``workers`` at a time, until it is empty or the
    pool breaks; wait for what runs. Returns True when a worker died (the pool is broken)."""
    running: dict[Future, int] = {}
    broken = False
    while pending or running:
        while pending and len(running) < workers and not broken:
            idx = pending.pop()
            j = book.jobs[idx]
            running[ex.submit(run_file, str(j.src), str(j.dst), j.rel)] = idx
        if not running:
            break
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for fut in done:
            idx = running.pop(fut)
            try:
                book.record(idx, fut.result())
            except BrokenProcessPool:
                broken = True
                book.fail(idx, "engine", "worker process died")
            except Exception as exc:  # noqa: BLE001
                kind, msg = safe_error(exc, book.jobs[idx].rel)
                book.record(idx, {"status": "failed", "error_kind": kind, "error": msg})
    return broken


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
