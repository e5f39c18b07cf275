"""Symbol engines: barcodes, QR codes, DataMatrix, PDF417, Aztec, MaxiCode, behind ``SymbolEngine`` (one
method). The default reader is zxing-cpp; pyzbar (Debian's libzbar0) is the second backend; ``make_engine``
picks one by name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import List, Protocol

import cv2
import numpy as np

from ..errors import EngineError
from ..types import Polygon

log = logging.getLogger(__name__)

TWO_D = {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "PDF417", "MicroPDF417", "CompactPDF417", "Aztec",
         "AztecCode", "AztecRune", "MaxiCode"}


@dataclass(frozen=True)
class RawSymbol:
    format: str
    payload: str = field(repr=False)  # a personal value: never in repr()
    quad: Polygon  # image coordinates of the image given to ``read``


class SymbolEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        """Decode every symbol in an RGB or grayscale uint8 image."""
        ...


def _norm_format(fmt: str) -> str:
    f = fmt.replace("BarcodeFormat.", "").replace("-", "").replace(" ", "")
    aliases = {"QRCODE": "QRCode", "QR": "QRCode", "CODE128": "Code128", "DATAMATRIX": "DataMatrix",
               "PDF417": "PDF417", "EAN13": "EAN13", "CODE39": "Code39", "I25": "ITF", "ITF": "ITF",
               "CODE93": "Code93", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "CODABAR": "Codabar",
               "AZTEC": "Aztec", "MAXICODE": "MaxiCode", "SQCODE": "QRCode", "DATABAR": "DataBar"}
    return aliases.get(f.upper(), f)


class ZxingEngine:
    name = "zxing-cpp"

    def __init__(self) -> None:
        try:
            import zxingcpp
        except Exception as e:  # pragma: no cover
            raise EngineError(f"zxing-cpp is not installed ({type(e).__name__})") from None
        self._z = zxingcpp

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        img = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        img = np.ascontiguousarray(img)
        try:
            found = self._z.read_barcodes(img, try_rotate=True, try_downscale=True, try_invert=True)
        except Exception as e:  # pragma: no cover
            log.warning("zxing-cpp failed: %s", type(e).__name__)
            return []
        out = []
        for b in found:
            if not b.valid:
                continue
            p = b.position
            quad = tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            out.append(RawSymbol(format=_norm_format(str(b.format)), payload=b.text, quad=quad))
        return out


class ZbarEngine:
    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except Exception as e:
            raise EngineError(
                f"the zbar backend needs `pip install parcel-redact[zbar]` and Debian's libzbar0 ({type(e).__name__})"
            ) from None
        self._zbar = pyzbar

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        img = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        out = []
        for r in self._zbar.decode(np.ascontiguousarray(img)):
            pts = [(float(p.x), float(p.y)) for p in r.polygon]
            if len(pts) < 3:
                x, y, w, h = r.rect
                pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            rect = cv2.minAreaRect(np.array(pts, np.float32))
            quad = tuple((float(x), float(y)) for x, y in cv2.boxPoints(rect))
            payload = r.data.decode("utf-8", "replace")
            out.append(RawSymbol(format=_norm_format(r.type), payload=payload, quad=quad))
        return out


def make_engine(name: str) -> SymbolEngine:
    if name in ("zxing", "zxing-cpp", "zxingcpp"):
        return ZxingEngine()
    if name in ("zbar", "pyzbar"):
        return ZbarEngine()
    raise EngineError(f"unknown symbol backend {name!r} (zxing or zbar)")


def is_two_d(fmt: str) -> bool:
    return fmt in TWO_D
