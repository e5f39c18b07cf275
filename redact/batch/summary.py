"""The outcome of a folder run: one ``FileResult`` per input, the ``BatchSummary`` (counts, exit code, the
human lines) and the report files (``redact-report.jsonl``, one line per file, and ``redact-summary.csv``):
categories and counts, never a recognised value."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io.photo import write_atomic
from ..types import Category
from .plan import TMP_MARK

REPORT_NAME = "redact-report.jsonl"
SUMMARY_NAME = "redact-summary.csv"
REPORT_CATEGORIES = tuple(c.value for c in Category)  # CSV columns, in the enum's order


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


def write_reports(items: Sequence[FileResult], report_dir: Path) -> tuple[Path, Path]:
    """``redact-report.jsonl`` (one line per file) and ``redact-summary.csv`` in ``report_dir``, atomically.
    Categories and counts, never a recognised value."""
    report_dir.mkdir(parents=True, exist_ok=True)
    jl = report_dir / REPORT_NAME
    buf = io.StringIO()
    for it in items:
        buf.write(json.dumps(it.to_dict(), ensure_ascii=False) + "\n")
    write_atomic(jl, buf.getvalue().encode("utf-8"), tmp_suffix=TMP_MARK)
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
    write_atomic(cp, sbuf.getvalue().encode("utf-8"), tmp_suffix=TMP_MARK)
    return jl, cp
