"""Helpers shared by the baseline adapters."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Tuple

import numpy as np


def load_displayed(src: Path):
    """The photo as a viewer shows it (EXIF orientation applied), RGB PIL image.

    presidio-image-redactor itself ignores EXIF orientation; the harness applies it for every baseline so the
    scorer compares like with like (this favours the baselines, never penalises them)."""
    from PIL import Image, ImageOps

    with Image.open(src) as im:
        im = ImageOps.exif_transpose(im)
        return im.convert("RGB")


def encode_jpeg(img, quality: int = 92) -> Tuple[bytes, str]:
    """Encode like parcel-redact's default output (JPEG q=92); PIL drops EXIF unless asked to keep it."""
    from PIL import Image

    if isinstance(img, np.ndarray):
        img = Image.fromarray(img)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue(), ".jpg"
