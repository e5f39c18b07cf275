"""The one formats table: what parcel-redact reads, what it writes, and how names, formats and media types map.

Every surface (the API, ``redact PHOTO``, ``redact DIR``, the service, the Ray runner) asks this module; none
keeps its own list. Reading is by content (Pillow's sniffing), never by name: an extension only decides which
files of a folder are photos, and which format ``-o NAME.EXT`` writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, FrozenSet, Optional, Union

# container formats Pillow may report for an input we decode
# the formats read, as messages name them
SUPPORTED_NAMES = "JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP"
READ_FORMATS: FrozenSet[str] = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF", "TIFF", "BMP"})
# formats written; an input in a format we do not write (HEIF, AVIF) is written as JPEG
WRITE_FORMATS: FrozenSet[str] = frozenset({"JPEG", "PNG", "WEBP", "TIFF", "BMP"})
OUTPUT_FOR_INPUT: Dict[str, str] = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF",
                                    "BMP": "BMP", "HEIF": "JPEG", "AVIF": "JPEG"}
# output formats that can carry a kept EXIF block (--keep-metadata)
EXIF_FORMATS: FrozenSet[str] = frozenset({"JPEG", "PNG", "WEBP", "TIFF"})

# extension (lower case, with the dot) -> the format read under that name
INPUT_EXTENSIONS: Dict[str, str] = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".jfif": "JPEG",
    ".png": "PNG", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP",
    ".heic": "HEIF", ".heif": "HEIF", ".avif": "AVIF",
}
IMAGE_EXTENSIONS: FrozenSet[str] = frozenset(INPUT_EXTENSIONS)
# the extension an output of each written format gets
EXTENSION: Dict[str, str] = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp"}
MEDIA_TYPE: Dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff",
                              "BMP": "image/bmp"}
# the service's ``format`` form field: short names of the written formats a browser can show
SERVICE_FORMATS: Dict[str, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


def is_image_name(path: Union[str, Path]) -> bool:
    """Is this file name one a folder run treats as a photo?"""
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def output_format_for_name(path: Union[str, Path]) -> Optional[str]:
    """The format ``-o NAME.EXT`` writes (None: an extension that is read, not written, or unknown)."""
    fmt = INPUT_EXTENSIONS.get(Path(path).suffix.lower())
    return fmt if fmt in WRITE_FORMATS else None


def output_name(path: Union[str, Path], out_format: str) -> str:
    """The file name of an input's output in a folder run: the input's extension when it names the output's
    format already (``.jpeg`` stays ``.jpeg``), else the format's own extension (``.heic`` -> ``.jpg``)."""
    p = Path(path)
    if output_format_for_name(p) == out_format:
        return p.name
    return p.stem + EXTENSION.get(out_format, ".jpg")
