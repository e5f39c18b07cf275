"""A 1-D code's quad grown to its bars at any tilt (stages/bar_extent.py), on drawn pixels with known truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from redact.stages.bar_extent import bar_extent


def _bars(angle: float, size=(900, 900), n_bars=40, long_=360.0, short=110.0):
    """A white image with a 1-D code of random bar widths, turned by ``angle`` degrees; its true quad."""
    rng = np.random.default_rng(7)
    w = int(long_)
    code = np.full((int(short), w), 255, np.uint8)
    x = 0
    while x < w - 4:
        bw = int(rng.integers(2, 7))
        code[:, x : x + bw] = 0
        x += bw + int(rng.integers(2, 7))
    img = np.full(size, 255, np.uint8)
    cx, cy = size[1] / 2, size[0] / 2
    M = cv2.getRotationMatrix2D((w / 2, short / 2), angle, 1.0)
    M[:, 2] += [cx - w / 2, cy - short / 2]
    cv2.warpAffine(code, M, (size[1], size[0]), dst=img, borderMode=cv2.BORDER_TRANSPARENT)
    corners = np.array([[0, 0], [w, 0], [w, short], [0, short]], np.float64)
    true = cv2.transform(corners[None], M)[0]
    return img, true, M


def _covered(poly, true, shape) -> float:
    a = np.zeros(shape, np.uint8)
    b = np.zeros(shape, np.uint8)
    cv2.fillPoly(a, [np.int32(np.round(poly))], 1)
    cv2.fillPoly(b, [np.int32(np.round(true))], 1)
    return float((a & b).sum()) / float(b.sum())


@pytest.mark.parametrize("angle", [0.0, 25.0, 47.0, -60.0, 90.0])
def test_a_quad_turned_against_the_bars_grows_to_the_whole_code(angle):
    img, true, M = _bars(angle)
    # what a look search on a view turned 18 degrees off the code gives: a thin quad across part of it
    c = true.mean(axis=0)
    skew = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), 18.0, 1.0)
    found = cv2.transform(((true - c) * [0.8, 0.6] + c)[None], skew)[0]
    assert _covered(found, true, img.shape) < 0.8  # the mask the code had before
    grown = np.asarray(bar_extent(img, found))
    assert _covered(grown, true, img.shape) > 0.97
    area = cv2.contourArea(np.float32(grown))
    assert area < 2.2 * cv2.contourArea(np.float32(true))  # only as far as the bars go


def test_a_quad_on_plain_paper_or_text_stays_as_it_is():
    img = np.full((400, 600), 255, np.uint8)
    q = ((100.0, 100.0), (300.0, 100.0), (300.0, 160.0), (100.0, 160.0))
    assert bar_extent(img, q) == q
    cv2.putText(img, "PARCEL 42", (90, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    grown = np.asarray(bar_extent(img, q))
    assert cv2.contourArea(np.float32(grown)) <= 3.0 * 200 * 60
