"""Load (decode, EXIF orientation, limits) and write (encode, strip metadata, atomic write): the names the
rest of the package and its users import from here, re-exported from the modules that hold them:

- ``decode``: reading the bytes, decoding, orientation, the JPEG preview;
- ``metadata``: what a file carried, the EXIF block kept with ``--keep-metadata``, what an output drops;
- ``encode``: the encoders (JPEG in stripes, the own PNG writer);
- ``atomic``: ``write_atomic``, ``check_writable``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from .atomic import check_writable, write_atomic
from .decode import PREVIEW_SLACK, SUPPORTED, Source, decode, decode_jpeg, load, preview, read_source
from .encode import JPEG_STRIPE_PIXELS, OUT_FORMAT, PNG_STRIPES, encode, encode_jpeg, encode_png
from .formats import EXTENSION
from .metadata import EXIF_FORMATS, dropped_metadata, kept_exif, meta_of

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp"}

__all__ = [
    "EXIF_FORMATS", "EXTENSION", "IMAGE_EXTENSIONS", "JPEG_STRIPE_PIXELS", "OUT_FORMAT", "PNG_STRIPES",
    "PREVIEW_SLACK", "SUPPORTED", "Source", "check_writable", "decode", "decode_jpeg", "dropped_metadata",
    "encode", "encode_jpeg", "encode_png", "is_image_path", "kept_exif", "load", "meta_of", "preview",
    "read_source", "write_atomic",
]


def is_image_path(p: Union[str, Path]) -> bool:
    return Path(p).suffix.lower() in IMAGE_EXTENSIONS
