"""The folder runner (``redact DIR``): redact folders of photos with worker processes.

    from redact.batch import run_batch
    summary = run_batch([Path("photos")], Path("clean"), config=Config())
    sys.exit(summary.exit_code)

plan.py walks the inputs and names the outputs, manifest.py keeps the resume state, worker.py runs one photo
in a worker process, summary.py holds the results and writes the report, runner.py (``run_batch``) runs it all.
This module re-exports the names other modules and tests use.
"""

from .manifest import MANIFEST_NAME, config_fingerprint, file_seed, read_manifest, sha256_bytes
from .plan import TMP_MARK, Job, final_name, output_name, plan_jobs, planned_output
from .runner import run_batch
from .summary import REPORT_CATEGORIES, REPORT_NAME, SUMMARY_NAME, BatchSummary, FileResult, write_reports
from .worker import (
    PhotoOutcome,
    limit_threads,
    load_redactor,
    masked_counts,
    redact_bytes,
    safe_error,
    too_large,
)

__all__ = [
    "MANIFEST_NAME",
    "REPORT_CATEGORIES",
    "REPORT_NAME",
    "SUMMARY_NAME",
    "TMP_MARK",
    "BatchSummary",
    "FileResult",
    "Job",
    "PhotoOutcome",
    "config_fingerprint",
    "file_seed",
    "final_name",
    "limit_threads",
    "load_redactor",
    "masked_counts",
    "output_name",
    "plan_jobs",
    "planned_output",
    "read_manifest",
    "redact_bytes",
    "run_batch",
    "safe_error",
    "sha256_bytes",
    "too_large",
    "write_reports",
]
