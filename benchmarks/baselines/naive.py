"""The naive baseline: OCR everything (rapidocr defaults, whole photo) and fill every line that matches a
simple regex set (phones, long digit runs, e-mails). Nothing else: no names, addresses or barcodes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Tuple

import numpy as np

from .common import encode_jpeg, load_displayed

PATTERNS = [
    re.compile(r"\+?\(?\d[\d\s\-().]{7,}\d"),  # phone-like: 9+ digits with separators
    re.compile(r"\d{6,}"),  # long digit runs (tracking, ID, postal codes)
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail
]


def matches(text: str) -> bool:
    return any(p.search(text) for p in PATTERNS)


class NaiveTool:
    name = "naive"

    def __init__(self) -> None:
        self._ocr = None

    def load(self) -> None:
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params={"Global.log_level": "error"})  # rapidocr's own defaults otherwise

    def redact(self, src: Path) -> Tuple[bytes, str]:
        import cv2

        if self._ocr is None:
            self.load()
        img = np.asarray(load_displayed(src)).copy()
        r = self._ocr(img)
        boxes = getattr(r, "boxes", None)
        txts = getattr(r, "txts", None) or ()
        if boxes is not None:
            for box, t in zip(boxes, txts):
                if t and matches(t):
                    cv2.fillPoly(img, [np.round(np.asarray(box)).astype(np.int32)], (0, 0, 0))
        return encode_jpeg(img)


def make() -> NaiveTool:
    return NaiveTool()
