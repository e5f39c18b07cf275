"""Write a file whole or not at all (``write_atomic``), and check before the work that a place can be written."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Union

from ..errors import UsageError


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask sets it to read it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:
        old = os.umask(0o077)
        os.umask(old)
    return old


_umask_lock = threading.Lock()


def write_atomic(path: Union[str, Path], data: bytes, *, tmp_suffix: str = ".part") -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target: never half a file.
    The temp file (``.NAME.<random><tmp_suffix>``) is removed on any exception, Ctrl-C included."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=tmp_suffix, dir=str(path.parent))
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 -> what open() would give (0644 under umask 022)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def check_writable(dst: Union[str, Path], *, folder: bool = False) -> None:
    """Raise ``UsageError`` (naming ``dst``) when ``dst`` cannot be written: a file whose folder is a file,
    a folder that is a file, a place where no file can be created (read-only, /proc). Creates nothing that
    stays: run it before the work, so a bad ``-o`` costs no redaction."""
    dst = Path(dst)
    if folder and dst.exists() and not dst.is_dir():
        raise UsageError("exists and is not a folder; a folder is needed here", path=str(dst))
    if not folder and dst.is_dir():
        raise UsageError("is a folder; end it with / to write into it, or name a file", path=str(dst))
    where = dst if folder else dst.parent
    while not where.exists() and where.parent != where:
        where = where.parent
    if not where.is_dir():
        raise UsageError(f"cannot write here: {where} is not a folder", path=str(dst))
    try:
        with tempfile.TemporaryFile(dir=str(where)):
            pass
    except OSError as e:
        raise UsageError(f"cannot write in {where} ({e.strerror or type(e).__name__})", path=str(dst)) from None


