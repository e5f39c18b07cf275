"""Resume state of a folder run: content hashes, the config fingerprint, the per-file seed, the manifest.

``.redact-manifest.jsonl`` in the output folder records, per output, the sha256 of the input bytes, a
fingerprint of the config and the sha256 of the output; a re-run skips an input whose record matches and
whose output is still there unchanged. Everything else is (re)done.

Noise seed: ``config.seed`` if set, else derived from the input's content hash (``file_seed``, the API's own
default ``api.photo_seed``), so the same input gives byte-identical output in any order, in any worker, on any
machine, and the same bytes as ``redact PHOTO`` or the service.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from ..config import Config

MANIFEST_NAME = ".redact-manifest.jsonl"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def is_done(rel: str, sha: str, fp: str, manifest: Mapping[str, Mapping[str, Any]], state: Path) -> bool:
    """Was the input at ``rel`` (content ``sha``) done with this config, and is its output still intact?"""
    rec = manifest.get(rel)
    if not rec or rec.get("input_sha256") != sha or rec.get("config") != fp:
        return False
    out = state / rec["output"]
    try:
        return out.is_file() and file_sha(out) == rec.get("output_sha256")
    except OSError:
        return False


class ManifestLog:
    """The manifest, appended one line per finished photo (flushed at once, so a kill loses nothing done)."""

    def __init__(self, path: Path, fingerprint: str):
        self.fingerprint = fingerprint
        self._f: IO[str] | None = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def append(self, rel: str, rel_out: str, res: Mapping[str, Any]) -> None:
        """One record for a photo written ok (``res``: the worker's result dict)."""
        if self._f is None:
            return
        rec = {
            "file": rel,
            "output": rel_out,
            "input_sha256": res["input_sha256"],
            "config": self.fingerprint,
            "output_sha256": res["output_sha256"],
            "masked": res.get("masked") or {},
            "masks": int(res.get("masks", 0)),
            "time": round(time.time(), 3),
        }
        self._f.write(json.dumps(rec) + "\n")
        self._f.flush()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
