"""The residual scan (redact/residual.py) with the real models: print the first pass never read is read in
the output, classified and masked; print under a mask, and lines already read, are not read again."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from redact.stages.classify import classify
from redact.stages.residual import residual_fields, scan
from redact.types import Category, Label, Mask, TextLine

ROWS = ["SHIP TO", "TEL 415 555 0187", "ORDER 2231"]


def _photo() -> np.ndarray:
    img = np.full((700, 1000, 3), (150, 110, 70), np.uint8)
    cv2.rectangle(img, (100, 100), (900, 600), (250, 250, 250), -1)
    for i, t in enumerate(ROWS):
        cv2.putText(img, t, (140, 200 + 130 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (10, 10, 10), 3, cv2.LINE_AA)
    return img


def _row_quad(i: int):
    y = 200 + 130 * i
    return ((130.0, y - 50.0), (860.0, y - 50.0), (860.0, y + 14.0), (130.0, y + 14.0))


LABEL = Label(quad=((100.0, 100.0), (900.0, 100.0), (900.0, 600.0), (100.0, 600.0)), to_photo=np.eye(3),
              crop_size=(800, 500))


@pytest.fixture(scope="module")
def engines(redactor):
    return redactor.ocr, redactor.symbols


def test_unread_phone_is_found(engines):
    """The first pass read only the caption: the scan reads the phone line and the classifier finds it."""
    ocr, sym = engines
    first = [TextLine(text="SHIP TO", polygon=_row_quad(0), score=0.99, upright=_row_quad(0))]
    r = scan(ocr, sym, _photo(), [LABEL], first, [])
    assert r.lines, "nothing read in the label area"
    assert not any(np.allclose(np.asarray(ln.polygon).mean(axis=0), np.asarray(_row_quad(0)).mean(axis=0), atol=20)
                   for ln in r.lines), "the line the first pass read was read again"
    lines = first + r.lines
    found = residual_fields(classify(lines, []), len(first), 0)
    assert any(f.category == Category.PHONE for f in found)
    assert all(f.rule.startswith("residual/") and all(sp.line >= len(first) for sp in f.spans) for f in found)


def test_masked_print_is_not_read(engines):
    """The phone line under a mask: the scan reads nothing there."""
    ocr, sym = engines
    img = _photo()
    q = np.asarray(_row_quad(1), float)
    cv2.fillPoly(img, [np.round(q).astype(np.int32)], (128, 128, 128))
    first = [TextLine(text="SHIP TO", polygon=_row_quad(0), score=0.99, upright=_row_quad(0))]
    r = scan(ocr, sym, img, [LABEL], first, [Mask(polygon=_row_quad(1), fields=())])
    assert not [f for f in residual_fields(classify(first + r.lines, []), 1, 0) if f.category == Category.PHONE]
