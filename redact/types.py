"""The pipeline's data contracts.

A photo goes one way through the pipeline; each stage takes the previous stage's value and adds to it::

    bytes --load--> Photo --locate--> [Label] --read--> [TextLine], [Symbol]
          --classify--> [Field] --plan--> [Mask] --render--> pixels --write--> bytes + Report

Coordinates: every polygon is a tuple of (x, y) float points. Polygons in ``TextLine``/``Symbol`` produced
by the reader are in *photo* coordinates (after EXIF orientation). The classifier additionally sees each
line's ``upright`` polygon: the same line in its label's rectified, upright frame, which is what layout rules
(captions, blocks, "the line below") reason about.

Personal values (``TextLine.text``, ``Symbol.payload``, ``Field.value``) live only in memory; the report
omits them unless the caller explicitly asks to reveal them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

Point = Tuple[float, float]
Polygon = Tuple[Point, ...]


class Category(str, Enum):
    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"
    ID_NUMBER = "id_number"
    TRACKING_NUMBER = "tracking_number"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    BARCODE = "barcode"  # a 1-D symbol (Code128, ...)
    QRCODE = "qrcode"  # a 2-D symbol (QR, DataMatrix, PDF417, Aztec, MaxiCode)
    UNREADABLE = "unreadable"  # text detected where personal fields stand, but not legible: masked
    OTHER = "other"


class Role(str, Enum):
    RECIPIENT = "recipient"
    SENDER = "sender"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PhotoMeta:
    """What the input file carried, never the metadata values themselves."""

    format: str  # "JPEG", "PNG", "WEBP", "HEIF", "TIFF", "BMP"
    mode: str  # original PIL mode ("RGB", "RGBA", "CMYK", "I;16", "L", ...)
    exif_orientation: int = 1
    had_exif: bool = False
    had_gps: bool = False
    had_thumbnail: bool = False
    had_makernote: bool = False
    had_xmp: bool = False
    had_iptc: bool = False
    had_comment: bool = False
    had_icc: bool = False
    # a JPEG input's chroma subsampling (PIL's code: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0; -1 unknown): the
    # output keeps it (re-encoding a phone's 4:2:0 photo at 4:4:4 adds no colour detail, only bytes and time)
    jpeg_subsampling: int = -1


@dataclass(frozen=True, eq=False)
class Photo:
    """Decoded pixels, EXIF orientation already applied. ``pixels`` is HxWx3 uint8 RGB."""

    pixels: np.ndarray
    meta: PhotoMeta
    alpha: Optional[np.ndarray] = None  # HxW uint8, kept so PNG/WebP outputs keep their transparency
    icc_profile: Optional[bytes] = None
    name: str = ""
    # only with ``Config.keep_metadata``: the input's EXIF block to write back (orientation 1, no thumbnail)
    exif: Optional[bytes] = field(default=None, repr=False)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True, eq=False)
class Label:
    """A region of printed text (a label, or a fallback tile), with the homography to its upright crop.

    ``quad`` is in photo coordinates (4 points: top-left, top-right, bottom-right, bottom-left of the
    *upright* label). ``to_photo`` maps crop pixel coordinates to photo coordinates (3x3).
    """

    quad: Polygon
    to_photo: np.ndarray
    crop_size: Tuple[int, int]  # (width, height) of the rectified crop
    rotation: int = 0  # 0/90/180/270: how the crop was turned to read upright
    score: float = 1.0
    kind: str = "label"  # "label" | "tile" | "photo"


@dataclass(frozen=True)
class Word:
    """A span of a line's text with its own polygon. For Chinese, one character per word."""

    text: str = field(repr=False)  # a personal value: never in repr() (logs), read it explicitly
    start: int  # character offset into the line's text
    end: int
    polygon: Polygon  # photo coordinates


@dataclass(frozen=True)
class TextLine:
    text: str = field(repr=False)  # a personal value: never in repr() (logs), read it explicitly
    polygon: Polygon  # photo coordinates
    score: float
    words: Tuple[Word, ...] = ()
    upright: Polygon = ()  # the same line in its label's upright frame (layout reasoning)
    label_index: int = 0
    char_scores: Tuple[float, ...] = ()

    @property
    def height(self) -> float:
        """Text height in the upright frame (falls back to the photo polygon)."""
        poly = self.upright or self.polygon
        ys = [p[1] for p in poly]
        if self.upright:
            return max(ys) - min(ys)
        # photo polygon: distance between the long edges
        p = np.asarray(poly, dtype=float)
        if len(p) == 4:
            return float((np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2)
        return max(ys) - min(ys)


@dataclass(frozen=True)
class Symbol:
    """A barcode / 2-D code. ``decoded`` is False for a region found by its look only."""

    format: str  # "QRCode", "DataMatrix", "Code128", "PDF417", "Aztec", "MaxiCode", "EAN13", ... or "unknown"
    payload: str = field(repr=False)  # a personal value: never in repr()
    polygon: Polygon  # photo coordinates, widened to the symbol's full extent
    decoded: bool = True
    score: float = 1.0
    engine: str = ""

    @property
    def is_2d(self) -> bool:
        return self.format in {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "PDF417", "Aztec", "MaxiCode"}


@dataclass(frozen=True)
class Span:
    """A character range of one text line: ``lines[line].text[start:end]``."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Field:
    """One personal (or kept) item: what the classifier decided, and why."""

    category: Category
    role: Role
    spans: Tuple[Span, ...] = ()  # text evidence
    symbols: Tuple[int, ...] = ()  # indices into the symbol list
    score: float = 1.0
    rule: str = ""  # which rule fired (no personal value in it)
    sensitive: bool = True
    value: str = field(default="", repr=False)  # the personal value, in memory only; reported only with reveal
    polygons: Tuple[Polygon, ...] = ()  # filled in by the pipeline from spans/symbols (photo coords)


@dataclass(frozen=True)
class Mask:
    polygon: Polygon  # photo coordinates, padded
    fields: Tuple[int, ...]  # indices into the field list
    category: Category = Category.OTHER
    source: str = "auto"  # "auto" | "user"


@dataclass(frozen=True)
class CheckResult:
    """What the post-render self-check did."""

    rounds: int = 0
    readable_after: int = 0  # masked values still readable after the last round (must be 0 to write)
    widened: int = 0
    passed: bool = True


@dataclass(frozen=True, eq=False)
class Analysis:
    """What was found on one photo: its labels, read lines and symbols, the fields, and which of them the
    policy masks (indices into ``fields``). Holds the personal values (in memory only, never in a repr)."""

    photo: Photo
    labels: List[Label]
    lines: List[TextLine]
    symbols: List[Symbol]
    fields: List[Field]
    selected: List[int]
    timings: Dict[str, float]


class Style(str, Enum):
    FILL = "fill"
    NOISE = "noise"
    PIXELATE = "pixelate"
    BLUR = "blur"


def as_polygon(points: Sequence[Sequence[float]]) -> Polygon:
    return tuple((float(x), float(y)) for x, y in points)
