"""Every tunable in one place, with its default and why."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import FrozenSet, Optional, Tuple

from .types import Style


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


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
    read_side: int = 1600  # long side cap of each rectified label crop that is read
    min_text_px: float = 14.0  # a label whose text is smaller than this at read scale is re-read larger
    text_score_floor: float = 0.0  # keep every recognised line; the classifier decides
    threads: int = field(default_factory=default_threads)
    # threads for work run beside the OCR (symbol decoding, encoding while the self-check reads): lower
    # latency per photo; 0 runs it inline (batch workers with one core each, where processes give the
    # parallelism and extra threads only contend)
    side_threads: int = 2
    # --- masks ---
    style: Style = Style.BLUR  # the default *looks* blurred but is built from destroyed pixels
    pad_ratio: float = 0.25  # padding around a text mask, as a fraction of its text height
    symbol_quiet_zone: float = 0.2  # padding around a symbol, as a fraction of its smaller side (bent codes too)
    self_check: bool = True  # re-read masked regions after rendering; widen/harden; fail closed
    # read the label areas of the output again and mask what is still personal (off by default: +0.65 s a
    # photo, +40 % on 12 MP generator photos, over the speed bar; env REDACT_RESIDUAL_SCAN=1 turns it on)
    residual_scan: bool = field(default_factory=lambda: os.environ.get("REDACT_RESIDUAL_SCAN", "") == "1")
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
