"""The per-photo work of a folder run: one photo's bytes through the API's front door, and the worker process
around it (thread caps, signals, one ``Redactor`` loaded once, atomic writes).

``redact_bytes`` is shared with the distributed runner (distributed.py), so every runner gives the same bytes.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import RedactError, TooLarge
from ..io.photo import write_atomic
from .manifest import file_seed, sha256_bytes
from .plan import TMP_MARK, final_name

if TYPE_CHECKING:
    from ..api import Redactor
    from ..report import Report

log = logging.getLogger("redact.batch")  # the folder run's one logger name, as before the split

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


def masked_counts(report: Report) -> tuple[dict[str, int], int]:
    """Fields masked, by category, and the number of masks. Counts only: no value is read."""
    masked_ids = set()
    for m in report.masks:
        masked_ids.update(m.fields)
    out: dict[str, int] = {}
    for i, f in enumerate(report.fields):
        if i in masked_ids:
            cat = getattr(f.category, "value", str(f.category))
            out[cat] = out.get(cat, 0) + 1
    return out, len(report.masks)


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


def too_large(size: int, limit: int) -> RedactError:
    """The error of a file over ``Config.max_bytes`` (refused before it is read)."""
    return TooLarge(f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit")


def _where(exc: BaseException) -> str:
    """file:line where an exception was raised (a debugging aid that quotes no message or value)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"


def redact_bytes(
    redactor: Redactor, data: bytes, *, name: str = "", base_seed: int | None = None
) -> PhotoOutcome:
    """Redact one photo's bytes with a loaded ``Redactor``, deterministically (per-file seed).

    Never raises for a bad photo: failures come back as ``status="failed"`` with kind and message.
    """
    t0 = time.perf_counter()
    digest = sha256_bytes(data)
    # the seed every surface uses: the explicit one as it is, else the photo's own (``api.photo_seed``)
    seed = file_seed(digest) if base_seed is None else int(base_seed)
    try:
        res = redactor.redact(data, name=name, seed=seed)
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


def limit_threads(threads: int) -> None:
    """Cap the math libraries' and OpenCV's own pools: with one worker per core, their default of every
    core each would oversubscribe the CPU."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        import cv2

        cv2.setNumThreads(int(threads))
    except Exception as exc:  # noqa: BLE001 - an optimisation only
        log.debug("could not cap OpenCV threads: %s", type(exc).__name__)


def load_redactor(config: Config, *, who: str = "worker") -> Redactor:
    """A ``Redactor`` with its models loaded now, once per worker process; a failure to load is logged here
    and surfaces per photo as an engine error."""
    from ..api import Redactor

    redactor = Redactor(config)
    try:
        redactor.warm()
    except Exception as exc:  # noqa: BLE001
        log.warning("%s could not load models: %s", who, type(exc).__name__)
    return redactor


# --------------------------------------------------------------------------------------------------------
# the worker process of a folder run (spawned; state in module globals, one per process)
# --------------------------------------------------------------------------------------------------------

_REDACTOR: Any = None
_BASE_SEED: int | None = None


def _on_sigterm(signum: int, frame: Any) -> None:  # pragma: no cover - runs in the worker
    raise SystemExit(128 + signum)


def init_worker(config: Config, threads: int, log_level: int) -> None:
    """Runs once per worker process: thread caps, signals, one Redactor (models loaded now)."""
    limit_threads(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    signal.signal(signal.SIGTERM, _on_sigterm)  # so `finally` removes a half-written temp file
    logging.getLogger().setLevel(log_level)
    global _REDACTOR, _BASE_SEED
    _BASE_SEED = config.seed
    # one core per worker: the worker runs its stages one after another (processes are the parallelism)
    _REDACTOR = load_redactor(
        config.with_(threads=threads, side_threads=config.side_threads if threads > 1 else 0)
    )


def run_file(src: str, dst: str, rel: str) -> dict[str, Any]:
    """Read, redact, write atomically. Returns a plain dict (no value, no pixels)."""
    try:
        return _run_file(src, dst, rel)
    except SystemExit:  # SIGTERM from the parent: temp files are already gone; leave now
        os._exit(143)


def _failed(exc: BaseException, rel: str, t0: float) -> dict[str, Any]:
    kind, msg = safe_error(exc, rel)
    return {"status": "failed", "error_kind": kind, "error": msg, "seconds": time.perf_counter() - t0}


def _run_file(src: str, dst: str, rel: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        limit = _REDACTOR.config.max_bytes
        size = os.path.getsize(src)
        if size > limit:  # grew since planning: still refuse before reading it
            return _failed(too_large(size, limit), rel, t0)
        data = Path(src).read_bytes()
    except OSError as exc:
        return _failed(exc, rel, t0)
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
            write_atomic(out, oc.data or b"", tmp_suffix=TMP_MARK)
        except OSError as exc:
            kind, msg = safe_error(exc, rel)
            res.update(status="failed", error_kind=kind, error=msg)
        else:
            res["dst"] = str(out)
            res["output_sha256"] = sha256_bytes(oc.data or b"")
    res["seconds"] = time.perf_counter() - t0
    return res

