"""Planning a folder run: walking the inputs, the jobs, and the output names.

- Inputs are files and/or folders (walked recursively; a file is a photo when the one formats table,
  ``redact.io.formats``, knows its extension; hidden entries are skipped).
- Output tree keeps relative paths and base names (``photos/a/b.jpg`` -> ``clean/a/b.jpg``); without an
  output folder the result goes beside the input as ``b.redacted.jpg``. The extension follows the output
  format (HEIC/HEIF/AVIF input -> ``.jpg``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..io import formats

TMP_MARK = ".redact-tmp"  # the suffix of a folder run's temp files (``.NAME.<random>.redact-tmp``)


@dataclass(frozen=True)
class Job:
    src: Path
    rel: str  # display / report path, relative to its input root, posix separators
    dst: Path
    rel_out: str  # relative to the state folder (out_dir, or the input root)


def output_name(name: str, out_format: str | None = None, *, suffix: str = "") -> str:
    """``b.jpg`` -> ``b{suffix}.jpg``; the extension follows the output format (HEIC -> .jpg). Without
    ``out_format``: the format an input of that extension is written as (unknown extensions: JPEG)."""
    p = Path(name)
    read_as = formats.INPUT_EXTENSIONS.get(p.suffix.lower(), "")
    fmt = out_format or formats.OUTPUT_FOR_INPUT.get(read_as, "JPEG")
    keep = formats.output_format_for_name(p) == fmt
    new_ext = p.suffix if keep else formats.EXTENSION.get(fmt, ".jpg")
    return f"{p.stem}{suffix}{new_ext}"


def final_name(predicted: str, out_format: str) -> str:
    """The planned output name, with its extension corrected when the content's format differs from what
    the input's extension promised (a PNG named ``.jpg``)."""
    if formats.output_format_for_name(predicted) == out_format:
        return predicted
    return formats.output_name(predicted, out_format)


def _walk(root: Path, exclude: Path | None, suffix: str) -> list[Path]:
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
            if f.startswith(".") or not formats.is_image_name(f):
                continue
            if suffix and Path(f).stem.endswith(suffix):
                continue  # our own earlier output (beside its input, or copied in): never redacted again
            out.append(d / f)
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def _check_inputs(inputs: Sequence[Path], out_dir: Path | None, suffix: str) -> None:
    if not inputs:
        raise UsageError("no input given")
    for p in inputs:
        if not p.exists():
            raise UsageError("input not found", path=str(p))
    if out_dir is None and not suffix:
        raise UsageError(
            "without an output folder a non-empty suffix is needed (the originals are never overwritten)"
        )


def _check_no_overwrite(jobs: Sequence[Job]) -> None:
    """Never overwrite an original."""
    srcs = {j.src.resolve() for j in jobs}
    for j in jobs:
        d = j.dst.resolve()
        if d in srcs or (j.dst.exists() and os.path.samefile(j.dst, j.src)):
            raise UsageError("output would overwrite an input; choose another output folder", path=j.rel)


def plan_jobs(
    inputs: Sequence[Path], out_dir: Path | None, *, suffix: str = ".redacted"
) -> tuple[list[Job], Path]:
    """Expand inputs into jobs and pick the state folder (manifest). Raises UsageError for unusable input."""
    inputs = [Path(p) for p in inputs]
    _check_inputs(inputs, out_dir, suffix)
    out_res = out_dir.resolve() if out_dir is not None else None
    multi = len(inputs) > 1
    jobs: list[Job] = []
    roots: list[Path] = []
    seen_src: set = set()
    for inp in inputs:
        if inp.is_dir():
            root = inp
            files = _walk(inp, out_res, suffix)
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
    _check_no_overwrite(jobs)
    return jobs, state


def planned_output(rel: str) -> str:
    """The output path (relative, posix) of an input at ``rel`` in an output folder: same tree, extension
    by format (the distributed runner's names)."""
    head, _, name = rel.rpartition("/")
    return f"{head}/{output_name(name)}" if head else output_name(name)
