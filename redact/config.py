"""Every tunable in one place, with its default and why."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import FrozenSet, Optional, Tuple

from .types import Style


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Environment:
    """The environment variables parcel-redact reads, read once, here (``environment()``): the defaults of
    the ``Config`` fields below. (The HTTP service's own settings are read once in service/settings.py.)"""

    residual_scan: bool = False  # REDACT_RESIDUAL_SCAN=1
    ort_spin: bool = False  # REDACT_ORT_SPIN=1
    side_nice: int = 10  # REDACT_SIDE_NICE


@lru_cache(maxsize=None)
def environment() -> Environment:
    env = os.environ
    try:
        nice = int(env.get("REDACT_SIDE_NICE", Environment.side_nice))
    except ValueError:
        nice = Environment.side_nice
    return Environment(residual_scan=env.get("REDACT_RESIDUAL_SCAN", "") == "1",
                       ort_spin=env.get("REDACT_ORT_SPIN", "0") == "1", side_nice=nice)


@dataclass(frozen=True)
class Policy:
    """What to mask. Default: every personal field of both parties, and every symbol.

    ``categories``/``roles``: which fields are masked (by their category value / role value).
    ``allow``: literal strings (e.g. a shop's own return address line) never masked.
    ``deny``: literal strings always masked wherever they are read.
    """

    categories: FrozenSet[str] = frozenset(
        {
            "name",
            "phone",
            "address",
            "id_number",
            "tracking_number",
            "email",
            "postal_code",
            "barcode",
            "qrcode",
            "unreadable",
        }
    )
    roles: FrozenSet[str] = frozenset({"recipient", "sender", "unknown"})
    allow: Tuple[str, ...] = ()
    deny: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    # --- load ---
    max_pixels: int = 100_000_000  # refuse larger images (decompression bombs); 12 MP photos are ~12e6
    max_bytes: int = 80_000_000  # 80 MB (MB = 10^6 bytes, in every message and the README)
    # --- locate / read ---
    ocr_backend: str = "rapid"  # "rapid" (rapidocr, default) | "paddle" (PaddleOCR 3.7, install extra)
    symbol_backend: str = "zxing"  # "zxing" (zxing-cpp, default) | "zbar" (pyzbar + libzbar0)
    locate_side: int = 1024  # long side of the overview on which text is detected to find labels
    threads: int = field(default_factory=default_threads)
    # ONNX Runtime's busy-waiting threads (its own default; off: idle threads sleep, so the side jobs get the
    # cores): env REDACT_ORT_SPIN=1
    ort_spin: bool = field(default_factory=lambda: environment().ort_spin)
    # threads for work run beside the OCR (symbol decoding, encoding while the self-check reads): lower
    # latency per photo; 0 runs it inline (batch workers with one core each, where processes give the
    # parallelism and extra threads only contend)
    side_threads: int = 2
    # how much lower the side threads' priority is than the OCR's (a nice increment; 0: the same): env
    # REDACT_SIDE_NICE
    side_nice: int = field(default_factory=lambda: environment().side_nice)
    # --- masks ---
    style: Style = Style.BLUR  # the default *looks* blurred but is built from destroyed pixels
    pad_ratio: float = 0.25  # padding around a text mask, as a fraction of its text height
    symbol_quiet_zone: float = 0.2  # padding around a symbol, as a fraction of its smaller side (bent codes too)
    self_check: bool = True  # re-read masked regions after rendering; widen/harden; fail closed
    # read the label areas of the output again and mask what is still personal (off by default: +0.65 s a
    # photo, +40 % on 12 MP generator photos, over the speed bar; env REDACT_RESIDUAL_SCAN=1 turns it on)
    residual_scan: bool = field(default_factory=lambda: environment().residual_scan)
    # noise seed of the look; None: derived from the photo's bytes (api.photo_seed), so one photo gives the
    # same output bytes on every surface and run (the look is built from destroyed pixels: nothing to hide)
    seed: Optional[int] = None
    # --- write ---
    keep_icc: bool = True  # the ICC colour profile is kept by default; everything else is dropped
    keep_metadata: bool = False  # keep EXIF/XMP (NOT recommended); orientation is still applied
    jpeg_quality: int = 92
    policy: Policy = field(default_factory=Policy)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)
