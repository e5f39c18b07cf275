"""What ``Redactor.redact`` returns, and how an output is seeded and named (the same on every surface)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

from .io import photo as photo_mod
from .report import Report

ImageInput = Union[str, Path, bytes, bytearray, "np.ndarray", "object"]


@dataclass
class RedactResult:
    data: bytes  # the encoded output image, metadata stripped
    format: str  # "JPEG", "PNG", "WEBP", "TIFF", "BMP" (HEIF input is written as JPEG)
    pixels: np.ndarray  # HxWx3 uint8 RGB, the redacted image
    report: Report

    @property
    def extension(self) -> str:
        return photo_mod.EXTENSION.get(self.format, ".jpg")


def photo_seed(content_sha256: str) -> int:
    """The noise seed of a photo when none is given: from the SHA-256 of its encoded bytes (of its pixels
    for an array or a PIL image), so its output is the same on every surface and every run. The same
    number as the batch runner's ``file_seed(content_sha256)``. The look hides nothing either way: it is
    built from destroyed pixels (see ``render``)."""
    h = hashlib.sha256(f"{content_sha256}:".encode())
    return int.from_bytes(h.digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def pixels_digest(pixels: np.ndarray) -> str:
    """SHA-256 of an image's shape and pixels (the content hash of an input that has no encoded bytes)."""
    h = hashlib.sha256("x".join(map(str, pixels.shape)).encode())
    h.update(memoryview(np.ascontiguousarray(pixels)).cast("B"))
    return h.hexdigest()


def default_output_path(src: Path, fmt: str) -> Path:
    ext = photo_mod.EXTENSION.get(fmt, ".jpg")
    return src.with_name(f"{src.stem}.redacted{ext}")
