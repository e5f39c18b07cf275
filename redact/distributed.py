"""Distributed runner: the batch runner's per-photo function on Ray Data, with an actor pool.

    from redact.distributed import run_distributed
    summary = run_distributed("s3://bucket/photos/", "s3://bucket/clean/", config=Config(), num_actors=8)

- Inputs and outputs are local paths or any fsspec URL (``s3://`` needs ``s3fs``, ``gs://`` ``gcsfs``).
- The driver lists the input tree (image extensions, hidden entries skipped) and builds a Ray Dataset of
  (source URL, relative path) rows; ``map_batches`` runs :class:`RedactActor` in an actor pool
  (``ActorPoolStrategy``); each actor keeps one ``Redactor`` loaded for its whole life, reads its photo
  through fsspec, calls :func:`redact.batch.redact_bytes` (the very function the batch workers call, with
  the same per-file seed from the content hash), writes the output through fsspec (local outputs: temp
  file + ``os.replace``; object stores: one PUT, which is atomic per object) and returns counts only.
- Output names and tree are the batch runner's (``photos/a/b.jpg`` -> ``clean/a/b.jpg``, HEIC -> ``.jpg``),
  so outputs are byte-identical to ``run_batch`` and to ``Redactor.redact`` with the same config, whatever the
  threads per actor (the answer never depends on the schedule).
- A report (``redact-report.jsonl`` + ``redact-summary.csv``, no values) is written beside the outputs.

Ray is an optional extra: ``pip install 'parcel-redact[ray]'``. Nothing here imports Ray at import time.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .batch import (
    REPORT_NAME,
    SUMMARY_NAME,
    TMP_MARK,
    BatchSummary,
    FileResult,
    final_name,
    limit_threads,
    load_redactor,
    planned_output,
    redact_bytes,
    safe_error,
    sha256_bytes,
    too_large,
    write_reports,
)
from .config import Config
from .errors import UsageError
from .io.formats import is_image_name
from .io.photo import write_atomic

log = logging.getLogger(__name__)


def _fs(url: str, storage_options: dict[str, Any] | None = None) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise UsageError(
            "the distributed runner needs the 'ray' extra: pip install 'parcel-redact[ray]'"
        ) from exc
    try:
        return fsspec.core.url_to_fs(url, **(storage_options or {}))
    except (ImportError, ValueError) as exc:
        raise UsageError(
            f"cannot open {url.split('://')[0]}:// storage ({type(exc).__name__}); install its fsspec "
            "package (s3fs for s3://, gcsfs for gs://)"
        ) from exc


def _is_local(fs: Any) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    return "file" in protocol or "local" in protocol


def _unstrip(fs: Any, path: str) -> str:
    """A path as returned by ``fs.find`` back into a URL any worker can open."""
    return path if _is_local(fs) else fs.unstrip_protocol(path)


def list_inputs(input_url: str, storage_options: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(source URL, relative posix path) for each image under ``input_url`` (a folder or one file)."""
    fs, root = _fs(input_url, storage_options)
    if not fs.exists(root):
        raise UsageError("input not found", path=input_url)
    if not fs.isdir(root):
        return [(_unstrip(fs, root), root.rstrip("/").rsplit("/", 1)[-1])]
    root = root.rstrip("/")
    out = []
    for p in sorted(fs.find(root)):
        rel = p[len(root) :].lstrip("/")
        parts = rel.split("/")
        if any(x.startswith(".") for x in parts) or not is_image_name(p):
            continue
        out.append((_unstrip(fs, p), rel))
    return out


class RedactActor:
    """One per actor process: a ``Redactor`` loaded once and reused for every batch it is given."""

    def __init__(
        self,
        config: Config,
        threads: int,
        output_url: str,
        storage_options: dict[str, Any] | None = None,
        log_level: int = logging.WARNING,
    ):
        limit_threads(threads)
        logging.getLogger().setLevel(log_level)
        self.config = config
        # models load once per actor, before its first photo
        self.redactor = load_redactor(config.with_(threads=threads), who="actor")
        self.storage_options = storage_options or {}
        self.out_fs, self.out_root = _fs(output_url, storage_options)
        self.out_root = self.out_root.rstrip("/")

    def _write(self, rel_out: str, data: bytes) -> None:
        path = f"{self.out_root}/{rel_out}"
        if _is_local(self.out_fs):
            write_atomic(Path(path), data, tmp_suffix=TMP_MARK)
        else:
            self.out_fs.pipe_file(path, data)  # one PUT: all or nothing per object

    def one(self, src: str, rel: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        rel_out = planned_output(rel)
        try:
            fs, path = _fs(src, self.storage_options)
            size = fs.size(path)
            if size is not None and size > self.config.max_bytes:  # refuse before downloading it
                raise too_large(size, self.config.max_bytes)
            data = fs.cat_file(path)
        except Exception as exc:  # noqa: BLE001
            kind, msg = safe_error(exc, rel)
            return {
                "file": rel,
                "status": "failed",
                "output": rel_out,
                "seconds": time.perf_counter() - t0,
                "masked": "{}",
                "masks": 0,
                "error_kind": kind,
                "error": msg,
                "output_sha256": "",
            }
        oc = redact_bytes(self.redactor, data, name=rel, base_seed=self.config.seed)
        res = {
            "file": rel,
            "status": oc.status,
            "output": rel_out,
            "masked": json.dumps(dict(oc.masked)),
            "masks": oc.masks,
            "error_kind": oc.error_kind,
            "error": oc.error,
            "output_sha256": "",
        }
        if oc.status == "ok":
            head, _, name = rel_out.rpartition("/")
            name = final_name(name, oc.format)
            rel_out = f"{head}/{name}" if head else name
            try:
                self._write(rel_out, oc.data or b"")
                res.update(output=rel_out, output_sha256=sha256_bytes(oc.data or b""))
            except Exception as exc:  # noqa: BLE001
                kind, msg = safe_error(exc, rel)
                res.update(status="failed", error_kind=kind, error=msg)
        res["seconds"] = time.perf_counter() - t0
        return res

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = [self.one(str(s), str(r)) for s, r in zip(batch["src"], batch["rel"])]
        keys = (
            "file",
            "status",
            "output",
            "seconds",
            "masked",
            "masks",
            "error_kind",
            "error",
            "output_sha256",
        )
        return {k: [row[k] for row in rows] for k in keys}


def runtime_env() -> dict[str, Any]:
    """The Ray ``runtime_env`` that lets workers import this ``redact`` package.

    An installed package that carries its model manifest (``redact/data/models.json``, as in the wheel) is
    uploaded to the cluster (``py_modules``). A source checkout keeps the manifest beside the package
    (``models/manifest.json``), so workers get the checkout on their ``PYTHONPATH`` instead: right for a
    local cluster; on a remote cluster install parcel-redact on every node and pass ``ship_code=False``.
    ``run_distributed`` uses this when it starts/connects Ray itself; pass it to your own ``ray.init``.
    """
    pkg = Path(__file__).resolve().parent
    if (pkg / "data" / "models.json").exists():
        return {"py_modules": [str(pkg)]}
    return {"env_vars": {"PYTHONPATH": str(pkg.parent)}}


def run_distributed(
    input_url: str,
    output_url: str,
    *,
    config: Config | None = None,
    address: str | None = None,
    num_actors: int | None = None,
    cpus_per_actor: int = 1,
    storage_options: dict[str, Any] | None = None,
    ship_code: bool = True,
    report: bool = True,
    progress: bool = False,
) -> BatchSummary:
    """Redact every image under ``input_url`` into ``output_url`` on a Ray cluster.

    ``address``: a Ray cluster address (``ray://host:10001`` or ``auto``); None uses ``RAY_ADDRESS`` or the
    already-initialised Ray in this process, or starts a local one. ``num_actors``: actor pool size (default:
    the cluster's CPUs // ``cpus_per_actor``); each actor runs onnxruntime with ``cpus_per_actor`` threads.
    ``ship_code``: when this call connects to Ray, upload the ``redact`` package to the workers
    (:func:`runtime_env`); set False when every node has parcel-redact installed. When Ray is already
    initialised in this process, it is used as it is (pass :func:`runtime_env` to your ``ray.init``). Failed photos are listed, never raised; a bad URL or a missing
    Ray raises ``UsageError``.
    """
    t0 = time.perf_counter()
    config = config or Config()
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise UsageError("the distributed runner needs Ray: pip install 'parcel-redact[ray]'") from exc

    items = list_inputs(input_url, storage_options)
    seen: dict[str, str] = {}
    collisions: list[FileResult] = []
    rows = []
    for src, rel in items:
        ro = planned_output(rel)
        if ro in seen:
            collisions.append(
                FileResult(
                    rel,
                    "failed",
                    ro,
                    error_kind="usage",
                    error=f"{rel}: output name collides with {seen[ro]}",
                )
            )
            continue
        seen[ro] = rel
        rows.append({"src": src, "rel": rel})
    out_fs, out_root = _fs(output_url, storage_options)
    if _is_local(out_fs):
        in_fs, in_root = _fs(input_url, storage_options)
        if _is_local(in_fs) and any(
            Path(in_root, r["rel"]).resolve() == Path(out_root, planned_output(r["rel"])).resolve()
            for r in rows
        ):
            raise UsageError("output would overwrite an input; choose another output folder", path=output_url)

    started = False
    if not ray.is_initialized():
        quiet = not log.isEnabledFor(logging.INFO)  # -v shows Ray's own lines again
        if quiet:
            _quiet_ray()
        ray.init(
            address=address or os.environ.get("RAY_ADDRESS") or None,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR if quiet else logging.INFO,
            runtime_env=runtime_env() if ship_code else None,
        )
        started = True
    results: list[FileResult] = []
    n = 0
    try:
        if rows:
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = bool(progress)
            cpus = int(ray.cluster_resources().get("CPU", 1))
            n = max(1, min(num_actors or max(1, cpus // cpus_per_actor), len(rows)))
            # small blocks balance the actors (a photo takes seconds); at most ~50 photos per block keeps the
            # scheduler's task count sane for archives of millions
            blocks = min(len(rows), max(n * 4, -(-len(rows) // 50)))
            ds = ray.data.from_items(rows, override_num_blocks=blocks)
            out = ds.map_batches(
                RedactActor,
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=n),
                num_cpus=cpus_per_actor,
                batch_format="numpy",
                fn_constructor_kwargs={
                    "config": config,
                    "threads": cpus_per_actor,
                    "output_url": output_url,
                    "storage_options": storage_options,
                    "log_level": logging.getLogger().level,
                },
            )
            for r in out.iter_rows():
                results.append(
                    FileResult(
                        str(r["file"]),
                        str(r["status"]),
                        str(r["output"]),
                        float(r["seconds"]),
                        json.loads(str(r["masked"])),
                        int(r["masks"]),
                        str(r["error_kind"]),
                        str(r["error"]),
                    )
                )
    finally:
        if started:
            ray.shutdown()
    order = {rel: i for i, (_s, rel) in enumerate(items)}
    all_items = tuple(sorted(results + collisions, key=lambda it: order.get(it.file, 0)))
    jl = cp = None
    if report:
        jl, cp = _write_reports_url(all_items, out_fs, out_root)
    summary = BatchSummary(all_items, time.perf_counter() - t0, n, report_path=jl, csv_path=cp)
    log.info("%s", summary.line())
    return summary


def _quiet_ray() -> None:
    """What Ray prints on every run that does not concern the user (its token notice, the executor's plan,
    the C++ core worker's notes): below ERROR, off. Ray's token authentication itself stays on."""
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    for name in ("ray", "ray.data", "ray._private", "ray.train", "ray.tune"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _write_reports_url(items: Sequence[FileResult], fs: Any, root: str) -> tuple[Path | None, Path | None]:
    root = root.rstrip("/")
    if _is_local(fs):
        return write_reports(items, Path(root))
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        jl, cp = write_reports(items, Path(d))
        fs.pipe_file(f"{root}/{REPORT_NAME}", jl.read_bytes())
        fs.pipe_file(f"{root}/{SUMMARY_NAME}", cp.read_bytes())
    return None, None
