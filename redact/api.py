"""The one Python API every shell (CLI, HTTP service, batch runner, web page) calls.

    from redact import Redactor
    r = Redactor()                       # models load lazily, once, and are reused
    result = r.redact("photo.jpg")       # -> RedactResult(data=bytes, format, pixels, report)
    report = r.analyze(open("photo.jpg", "rb").read())   # -> Report, nothing rendered

Inputs may be a path, bytes, a PIL image or an HxWx3 uint8 RGB array.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from .config import Config
from .report import Report
from .types import Polygon, Style

ImageInput = Union[str, Path, bytes, bytearray, "np.ndarray", "object"]


@dataclass
class RedactResult:
    data: bytes  # the encoded output image, metadata stripped
    format: str  # "JPEG", "PNG", "WEBP", "TIFF", "BMP" (HEIF input is written as JPEG)
    pixels: np.ndarray  # HxWx3 uint8 RGB, the redacted image
    report: Report

    @property
    def extension(self) -> str:
        return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp"}.get(self.format, ".jpg")
