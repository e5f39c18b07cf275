"""The folder runner (``redact DIR``): see runner.py. Re-exports the names other modules and tests use."""

from .runner import (  # noqa: F401
    IMAGE_EXTENSIONS,
    MANIFEST_NAME,
    REPORT_CATEGORIES,
    REPORT_NAME,
    SUMMARY_NAME,
    TMP_MARK,
    BatchSummary,
    FileResult,
    Job,
    PhotoOutcome,
    config_fingerprint,
    file_seed,
    final_name,
    masked_counts,
    output_name,
    plan_jobs,
    read_manifest,
    redact_bytes,
    run_batch,
    safe_error,
    sha256_bytes,
    write_atomic,
)
from .runner import _cap_opencv_threads, _write_reports  # noqa: F401  (distributed.py; made public next)
